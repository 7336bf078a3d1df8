/**
 * A journal whose last line was cut (a runner that died mid-write, a full disk): phases refuse it
 * with the way out, `journal repair` moves the cut bytes aside and says so in a hash-chained
 * record, `journal verify` then accepts it and lists the repair, and phases append again. An
 * edited journal is never "repaired".
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main.js';
import { UserError } from '../../src/engine/errors.js';
import { repairJournal, TORN_REASON } from '../../src/engine/journal-repair.js';
import { Journal, readJournal, verifyJournal, type JournalEntry } from '../../src/engine/journal.js';

function entry(step: string): JournalEntry {
  const t = new Date().toISOString();
  return {
    phase: 'database',
    step,
    stack: 'aws',
    target: 'rds:aegis-db',
    outcome: 'done',
    action: 'x',
    startedAt: t,
    endedAt: t,
    durationMs: 0,
    attempts: 1,
    dryRun: false,
  };
}

function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  return main(args, { out: (s) => void out.push(s), err: (s) => void err.push(s) }).then((code) => ({
    code,
    out,
    err,
  }));
}

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'journal-repair-'));
  file = path.join(dir, 'journal.jsonl');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Three whole records, then the first `cut` bytes of a fourth: what a writer that died leaves. */
function tornJournal(cut = 57): { whole: string; torn: string } {
  const j = new Journal({ file, runId: 'run-1', actor: 'octocat' });
  for (const s of ['fence', 'drain', 'promote']) j.append(entry(s));
  const whole = fs.readFileSync(file, 'utf8');
  const fourth = JSON.stringify({ ...entry('switch'), seq: 4, prev: 'x', hash: 'y' }) + '\n';
  const torn = fourth.slice(0, cut);
  fs.appendFileSync(file, torn);
  return { whole, torn };
}

test('a torn last line stops phases with the way out, repair moves it aside, verify shows the repair, phases go on', async () => {
  const { whole, torn } = tornJournal();

  // before: the phase's journal refuses, naming the command that fixes it
  expect(() => new Journal({ file })).toThrow(UserError);
  expect(() => new Journal({ file })).toThrow(
    `journal ${file} line 4, its last, is not complete JSON: a writer stopped in the middle of a record (a runner that died, a full disk); run \`aegis-dr journal repair ${file}\``,
  );
  const before = await cli(['journal', 'verify', file]);
  expect(before.code).toBe(1);
  expect(before.err.join('\n')).toContain('aegis-dr journal repair');

  // the repair
  const repaired = await cli(['journal', 'repair', file]);
  expect(repaired.code).toBe(0);
  const side = fs.readdirSync(dir).filter((f) => f.startsWith('journal.jsonl.torn-'));
  expect(side).toHaveLength(1);
  expect(repaired.out[0]).toBe(
    `${file}: repaired: kept 3 whole record(s), moved the torn last line (${Buffer.byteLength(torn)} bytes) to ${path.join(dir, side[0])}, and appended record 4 saying so.`,
  );
  // the cut bytes are kept byte for byte, and the journal's whole records are untouched
  expect(fs.readFileSync(path.join(dir, side[0]), 'utf8')).toBe(torn);
  expect(fs.readFileSync(file, 'utf8').startsWith(whole)).toBe(true);

  const records = readJournal(file);
  const repair = records[3];
  expect(repair).toMatchObject({
    seq: 4,
    phase: 'journal',
    step: 'repair',
    outcome: 'done',
    target: 'journal.jsonl',
    prev: records[2].hash,
    data: {
      reason: TORN_REASON,
      removedBytes: Buffer.byteLength(torn),
      removedLine: 4,
      removedSha256: createHash('sha256').update(torn).digest('hex'),
      sideFile: side[0],
      afterSeq: 3,
      afterHash: records[2].hash,
    },
  });

  // verify accepts the file and lists the repair
  const after = await cli(['journal', 'verify', file]);
  expect(after.code).toBe(0);
  expect(after.out[0]).toBe(`${file}: intact, 4 record(s) in 2 run(s)`);
  expect(after.out[1]).toMatch(
    new RegExp(
      `^  record 4 is a repair by .+ at .+: ${Buffer.byteLength(torn)} bytes after record 3 moved to journal\\.jsonl\\.torn-.+: the last line was not a complete record`,
    ),
  );
  expect(verifyJournal(file).repairs?.map((r) => r.seq)).toEqual([4]);

  // and a phase goes on: its records chain after the repair
  const next = new Journal({ file, runId: 'run-3' });
  const rec = next.append(entry('switch'));
  expect(rec).toMatchObject({ seq: 5, prev: repair.hash });
  expect(verifyJournal(file)).toMatchObject({ ok: true, count: 5 });

  // a second repair finds nothing to do and changes nothing
  const text = fs.readFileSync(file, 'utf8');
  const again = await cli(['journal', 'repair', file]);
  expect(again.code).toBe(0);
  expect(again.out[0]).toBe(
    `${file}: nothing to repair: 5 whole record(s), no torn line; nothing was changed.`,
  );
  expect(fs.readFileSync(file, 'utf8')).toBe(text);
});

test.each([
  {
    why: 'a bad line with whole records after it is an edit',
    edit: (lines: string[]) => [lines[0], lines[1].slice(0, 30), lines[2], ''],
    message:
      /line 2 is not valid JSON and 1 whole record\(s\) follow it: that is an edit, not a torn last line/,
  },
  {
    why: 'a record whose content no longer matches its hash is an edit',
    edit: (lines: string[]) => [
      lines[0],
      lines[1].replace('"outcome":"done"', '"outcome":"skipped"'),
      lines[2],
      '',
    ],
    message:
      /fails verification at record 2: its content does not match its hash .*that is not a torn last line/,
  },
  {
    why: 'a removed record breaks the chain',
    edit: (lines: string[]) => [lines[0], lines[2], ''],
    message: /fails verification at record 2: sequence is 3, expected 2/,
  },
])('repair refuses and changes nothing: $why', async ({ edit, message }) => {
  const j = new Journal({ file });
  for (const s of ['fence', 'drain', 'promote']) j.append(entry(s));
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  fs.writeFileSync(file, edit(lines).join('\n'));
  const text = fs.readFileSync(file, 'utf8');
  expect(() => repairJournal(file)).toThrow(message);
  const r = await cli(['journal', 'repair', file]);
  expect(r.code).toBe(1);
  expect(r.err).toHaveLength(1);
  expect(r.err[0]).toMatch(/keep the file as evidence and start a new journal file\.$/);
  expect(fs.readFileSync(file, 'utf8')).toBe(text);
  expect(fs.readdirSync(dir)).toEqual(['journal.jsonl']);
});

test('a whole last record without its line break is completed, not lost, when the next phase appends', () => {
  const j = new Journal({ file });
  j.append(entry('fence'));
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/\n$/, ''));
  expect(repairJournal(file)).toEqual({ repaired: false, kept: 1 });
  new Journal({ file }).append(entry('drain'));
  expect(verifyJournal(file)).toMatchObject({ ok: true, count: 2 });
});

test('a journal path that is a directory is named, with what to do', async () => {
  const expected = `the journal ${dir} cannot be used: it is a directory (EISDIR); expected a journal file (JSON lines): give the path of the journal file itself (for a drill: journal.jsonl in its folder).`;
  expect(() => new Journal({ file: dir })).toThrow(expected);
  const r = await cli(['journal', 'verify', dir]);
  expect(r).toMatchObject({ code: 1, err: [`error: ${expected}`] });
  const repair = await cli(['journal', 'repair', dir]);
  expect(repair.code).toBe(1);
  expect(repair.err[0]).toContain(`the journal ${dir} cannot be used: it is a directory (EISDIR)`);
});
