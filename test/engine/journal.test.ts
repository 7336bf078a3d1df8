import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

describe('journal', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'journal-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('chains records by hash and verifies an untouched file', () => {
    const file = path.join(dir, 'j.jsonl');
    const j = new Journal({ file, actor: 'octocat' });
    const a = j.append(entry('one'));
    const b = j.append(entry('two'));
    expect(b.prev).toBe(a.hash);
    expect(verifyJournal(file)).toMatchObject({ ok: true, count: 2 });
  });

  it('detects an edited, a removed and a reordered record', () => {
    const file = path.join(dir, 'j.jsonl');
    const j = new Journal({ file });
    for (const s of ['a', 'b', 'c']) j.append(entry(s));
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');

    const edited = lines.map((l, i) => (i === 1 ? l.replace('"outcome":"done"', '"outcome":"skipped"') : l));
    fs.writeFileSync(file, edited.join('\n') + '\n');
    expect(verifyJournal(file)).toMatchObject({ ok: false, badSeq: 2 });

    fs.writeFileSync(file, [lines[0], lines[2]].join('\n') + '\n');
    expect(verifyJournal(file)).toMatchObject({ ok: false, badSeq: 2 });

    fs.writeFileSync(file, [lines[1], lines[0], lines[2]].join('\n') + '\n');
    expect(verifyJournal(file).ok).toBe(false);
  });

  it('continues the chain of an existing journal (a resumed run)', () => {
    const file = path.join(dir, 'j.jsonl');
    new Journal({ file, runId: 'run-1' }).append(entry('first'));
    const j2 = new Journal({ file, runId: 'run-2' });
    j2.append(entry('second'));
    const recs = readJournal(file);
    expect(recs.map((r) => r.runId)).toEqual(['run-1', 'run-2']);
    expect(j2.thisRun()).toHaveLength(1);
    expect(verifyJournal(file)).toMatchObject({ ok: true, count: 2, runs: ['run-1', 'run-2'] });
  });

  it('refuses to append to a tampered journal', () => {
    const file = path.join(dir, 'j.jsonl');
    new Journal({ file }).append(entry('first'));
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('first', 'FIRST'));
    expect(() => new Journal({ file })).toThrow(/fails verification at record 1/);
  });
});
