// Import a TypeScript module of the repository from a build script: esbuild bundles it (packages
// stay external) and the bundle is imported from the repository's root, so its bare imports
// resolve from node_modules. Used by build.mjs (the phase metadata) and fault-table.mjs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The module at `entry` (a path relative to the repository root), bundled and imported. */
export async function importTs(entry) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-ts-'));
  const out = path.join(tmp, 'module.mjs');
  await build({
    entryPoints: [path.join(root, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: out,
    packages: 'external',
    logLevel: 'error',
  });
  const local = path.join(root, `.${path.basename(entry, '.ts')}.tmp.mjs`);
  fs.copyFileSync(out, local);
  try {
    return await import(pathToFileURL(local).href);
  } finally {
    fs.rmSync(local, { force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
