// The one ncc invocation of the project: `npm run build` bundles the actions with it, and
// `npm run bench` builds its @actions/core-only reference with the same flags, so the cold-start
// ratio compares like with like.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Bundle `entry` with @vercel/ncc into a fresh `outDir` (ESM, minified entry, ES2023). */
export function ncc(entry, outDir) {
  fs.rmSync(outDir, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [
      path.join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js'),
      'build',
      entry,
      '-o',
      outDir,
      '--minify',
      '--no-source-map-register',
      '--quiet',
      '--target',
      'es2023',
    ],
    { cwd: root, stdio: 'inherit' },
  );
}
