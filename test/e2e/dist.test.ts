/**
 * dist/ is committed: it must be exactly what `npm run build` makes from the sources, and so must
 * the generated action.yml files and the published plan schema.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

function files(dir: string, base = dir): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p, base) : [path.relative(base, p)];
  });
}

describe('committed build output', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-build-'));
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--out', out], {
      cwd: root,
      stdio: 'pipe',
    });
  }, 300_000);
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  it.each(['dist', 'actions'])(
    '%s/ is identical to a fresh build (run npm run build and commit if not)',
    (dir) => {
      const want = files(path.join(out, dir)).sort();
      const have = files(path.join(root, dir)).sort();
      expect(have).toEqual(want);
      const stale = want.filter(
        (f) => !fs.readFileSync(path.join(out, dir, f)).equals(fs.readFileSync(path.join(root, dir, f))),
      );
      expect(stale).toEqual([]);
    },
  );

  it.each(['action.yml', 'schema/dr-plan.schema.json', 'src/plan/generated/plan-validator.js'])(
    '%s is identical to a fresh build',
    (f) => {
      expect(fs.readFileSync(path.join(root, f), 'utf8')).toBe(fs.readFileSync(path.join(out, f), 'utf8'));
    },
  );
});
