/** docs/FAULTS.md is the fault matrix's expectations rendered: regenerate it with `node scripts/fault-table.mjs`. */
import fs from 'node:fs';
import path from 'node:path';
import { faultTableMarkdown } from '../../src/sandbox/fault-matrix.js';

it('docs/FAULTS.md is current with src/sandbox/fault-matrix.ts', () => {
  const file = path.join(process.cwd(), 'docs/FAULTS.md');
  expect(fs.readFileSync(file, 'utf8')).toBe(faultTableMarkdown());
});
