/**
 * One time origin for `aegis-dr run`, as the drill has: every live line counts T+ from the
 * declaration in the journal, whichever phase runs and however long after it; a journal with no
 * declaration leaves the time column blank, never a clock of its own.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main.js';
import type { JournalRecord } from '../../src/engine/journal.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sandbox: Sandbox;
let work: string;
beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-origin-'));
  sandbox = await startSandbox({ outDir: work, speed: 1000, prometheus: 'builtin', clouds: ['aws'] });
  sandbox.applyScenario('region-outage');
}, 60_000);
afterAll(async () => {
  await sandbox?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

async function run(journal: string, ...args: string[]): Promise<string[]> {
  const out: string[] = [];
  await main([...args, '--plan', sandbox.planFile!, '--journal', journal], {
    out: (s) => out.push(...s.split('\n')),
    err: (s) => out.push(...s.split('\n')),
  });
  return out;
}
const records = (file: string): JournalRecord[] =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
/** The step lines (`T+   1.2s  done ...` or a blank time column), as [seconds or undefined, text]. */
const stepLines = (lines: string[]) =>
  lines
    .filter((l) => /^(T[+-]\s*[\d.]+s| {9}) {2}\S/.test(l))
    .map((l) => {
      const m = /^T([+-])\s*([\d.]+)s/.exec(l);
      return [m ? Number(m[2]) * (m[1] === '-' ? -1 : 1) : undefined, l] as const;
    });

describe('aegis-dr run counts T+ from the journal declaration', () => {
  it('declare starts the clock; a later phase counts from the same declaration', async () => {
    const journal = path.join(work, 'journal.jsonl');
    const declare = await run(journal, 'run', 'declare', '--input', 'incident-class=region-outage');
    const declared = records(journal).find((r) => r.phase === 'declare' && r.step === 'incident')!;
    const at = Date.parse(String(declared.data!.declaredAt));
    expect(declare.join('\n')).toContain(
      `T+ counts from the declaration of the region-outage at ${new Date(at).toISOString()}`,
    );
    expect(stepLines(declare).length).toBeGreaterThan(0);
    expect(stepLines(declare).every(([t]) => t !== undefined && t >= 0)).toBe(true);

    const database = await run(journal, 'run', 'database');
    expect(database[0]).toContain(
      `T+ counts from the declaration of the region-outage at ${new Date(at).toISOString()}`,
    );
    const promoted = records(journal).find((r) => r.phase === 'database' && r.outcome === 'done')!;
    const line = stepLines(database).find(([, l]) => / database\/failover /.test(l) && /\bdone\b/.test(l));
    expect(line).toBeDefined();
    // printed after the step ended: at least the time from the declaration to the step's end
    expect(line![0]!).toBeGreaterThanOrEqual((Date.parse(promoted.endedAt) - at) / 1000 - 0.05);
  }, 60_000);

  it('a journal with no declaration leaves the time column blank', async () => {
    const lines = await run(
      path.join(work, 'fresh.jsonl'),
      'run',
      'scale',
      '--dry-run',
      '--input',
      'incident-class=region-outage',
    );
    const steps = stepLines(lines);
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.every(([t]) => t === undefined)).toBe(true);
  }, 60_000);
});
