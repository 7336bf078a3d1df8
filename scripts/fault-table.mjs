// Writes docs/FAULTS.md from the fault matrix's expectations (src/sandbox/fault-matrix.ts), the
// same table test/fault/matrix.test.ts asserts cell by cell. test/fault/table.test.ts fails when
// the file is not current: run `node scripts/fault-table.mjs` after changing the matrix.
import fs from 'node:fs';
import path from 'node:path';
import { importTs, root } from './import-ts.mjs';

const { faultTableMarkdown } = await importTs('src/sandbox/fault-matrix.ts');
const file = path.join(root, 'docs/FAULTS.md');
fs.mkdirSync(path.dirname(file), { recursive: true });
fs.writeFileSync(file, faultTableMarkdown());
console.log(`wrote ${path.relative(root, file)}`);
