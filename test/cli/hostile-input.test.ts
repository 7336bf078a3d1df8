/**
 * Input a user typed, echoed in an error, is cut to a short prefix: a 100 kB stack name (or phase,
 * input, class, speed, plan key) gives one sentence of reasonable length naming the field, never
 * the whole input back.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main.js';
import '../../src/cli/commands.js';
import { clip, ECHO_LIMIT } from '../../src/engine/clip.js';

const PLAN = path.resolve(import.meta.dirname, '../../examples/cloud-aegis.plan.yml');
const HUGE = 'x'.repeat(100_000);
/** An error line that echoes input: the sentence plus at most a clipped echo or two. */
const MAX_LINE = 600;

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (s) => void out.push(s), err: (s) => void err.push(s) });
  return { code, out, err };
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'hostile-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('clip keeps short input, cuts long input to a prefix that says how long it was, and shows control characters', () => {
  expect(clip('aws')).toBe('aws');
  expect(clip(HUGE)).toBe(`${'x'.repeat(ECHO_LIMIT)}… (100000 characters)`);
  expect(clip('a\nb\u001b[31m')).toBe('a\\u000ab\\u001b[31m');
  expect(clip(42)).toBe('42');
});

test.each([
  {
    why: 'a 100 kB stack name',
    args: () => ['run', 'validate', '--plan', PLAN, '--stack', HUGE],
    field: 'stack',
  },
  { why: 'a 100 kB phase name', args: () => ['run', HUGE, '--plan', PLAN], field: 'phase' },
  {
    why: 'a 100 kB --input without "="',
    args: () => ['run', 'validate', '--plan', PLAN, '--input', HUGE],
    field: '--input',
  },
  {
    why: 'a 100 kB input name',
    args: () => ['run', 'validate', '--plan', PLAN, '--input', `${HUGE}=1`],
    field: '--input',
  },
  {
    why: 'a 100 kB incident class',
    args: () => ['run', 'declare', '--plan', PLAN, '--dry-run', '--input', `incident-class=${HUGE}`],
    field: 'incident-class',
  },
  {
    why: 'a 100 kB sync mode',
    args: () => ['run', 'sync', '--plan', PLAN, '--dry-run', '--input', `mode=${HUGE}`],
    field: 'mode',
  },
  {
    why: 'a 100 kB drill class',
    args: () => ['drill', '--plan', PLAN, '--class', HUGE, '--dry-run'],
    field: '--class',
  },
  { why: 'a 100 kB speed', args: () => ['drill', '--speed', HUGE], field: '--speed' },
  { why: 'a 100 kB durations mode', args: () => ['drill', '--durations', HUGE], field: '--durations' },
  {
    why: 'a 100 kB journal path',
    args: () => ['journal', 'verify', path.join(dir, HUGE.slice(0, 200))],
    field: 'journal',
  },
])('$why: one short sentence naming $field', async ({ args, field }) => {
  const r = await cli(args());
  expect(r.code).toBe(1);
  expect(r.err).toHaveLength(1);
  expect(r.err[0]).toContain(field);
  expect(r.err[0].length).toBeLessThan(MAX_LINE);
  expect(r.err[0]).not.toMatch(/\n\s+at /);
});

test('a plan whose stack key is 100 kB long: every problem line is short', async () => {
  const text = fs.readFileSync(PLAN, 'utf8').replace(/^(\s+)aws:\s*$/m, `$1${HUGE}:`);
  expect(text).toContain(HUGE);
  const file = path.join(dir, 'huge-key.yml');
  fs.writeFileSync(file, text);
  const r = await cli(['validate', file]);
  expect(r.code).toBe(1);
  expect(r.err.length).toBeGreaterThan(0);
  for (const line of r.err) expect(line.length).toBeLessThan(MAX_LINE + file.length);
});
