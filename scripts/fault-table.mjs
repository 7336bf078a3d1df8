// Writes docs/FAULTS.md from the fault matrix's expectations (src/sandbox/fault-matrix.ts), the
// same table test/fault/matrix.test.ts asserts cell by cell. test/fault/table.test.ts fails when
// the file is not current: run `node scripts/fault-table.mjs` after changing the matrix.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-faults-'));
const out = path.join(tmp, 'fault-matrix.mjs');
await build({
  entryPoints: [path.join(root, 'src/sandbox/fault-matrix.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: out,
  packages: 'external',
  logLevel: 'error',
});
try {
  const { faultTableMarkdown } = await import(pathToFileURL(out).href);
  const file = path.join(root, 'docs/FAULTS.md');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, faultTableMarkdown());
  console.log(`wrote ${path.relative(root, file)}`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
