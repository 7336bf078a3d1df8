/**
 * A region outage: declare's fence and the drain phase cannot reach the primary cluster. The
 * result row warns "unreachable" and the journal record of the same step says outcome
 * "unreachable" (not "failed"), and the journal still verifies.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { verifyJournal, type JournalRecord } from '../../src/engine/journal.js';
import { runPhase } from '../../src/phases/runner.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sandbox: Sandbox;
let work: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-unreachable-'));
  sandbox = await startSandbox({ outDir: work, speed: 1000, prometheus: 'builtin' });
  sandbox.applyScenario('region-outage');
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

const quick = { retry: { maxAttempts: 3, baseMs: 1, capMs: 5 } };

describe('fence and drain of an unreachable primary', () => {
  const journalFile = () => path.join(work, 'journal.jsonl');

  it('declare: the fence row warns and its journal record says unreachable', async () => {
    const { result, journal } = await runPhase({
      phase: 'declare',
      planFile: sandbox.planFile!,
      journalFile: journalFile(),
      inputs: { 'incident-class': 'region-outage', reason: 'primary region down' },
      run: quick,
    });
    expect(result.ok).toBe(true);
    const fenceRows = result.rows.filter((r) => r.item.startsWith('Fence primary/'));
    expect(fenceRows.length).toBeGreaterThan(0);
    const fences = journal.thisRun().filter((r) => r.phase === 'declare' && r.step === 'fence');
    expect(fences).toHaveLength(fenceRows.length);
    for (const row of fenceRows) {
      expect(row).toMatchObject({ status: 'warn', detail: expect.stringMatching(/unreachable/) });
      const rec = fences.find(
        (r) => r.stack === row.stack && r.target === `k8s:${row.item.slice('Fence '.length)}`,
      );
      expect(rec).toMatchObject({ outcome: 'unreachable', error: expect.any(String), dryRun: false });
      expect(rec?.action).toMatch(/annotate deployment .* aegis\.io\/drain="true"/);
    }
    expect(journal.thisRun().some((r) => r.outcome === 'failed')).toBe(false);
  });

  it('drain: the row warns and its journal record says unreachable', async () => {
    const { result, journal } = await runPhase({
      phase: 'drain',
      planFile: sandbox.planFile!,
      journalFile: journalFile(),
      run: quick,
    });
    expect(result.ok).toBe(true);
    const drains: JournalRecord[] = journal.thisRun().filter((r) => r.phase === 'drain');
    expect(drains.map((r) => r.stack).sort()).toEqual(['aws', 'azure', 'gcp']);
    for (const rec of drains) {
      const row = result.rows.find((r) => r.stack === rec.stack && r.item === 'Drain primary');
      expect(row).toMatchObject({ status: 'warn', detail: expect.stringMatching(/unreachable/) });
      expect(rec).toMatchObject({ step: 'drain', target: 'k8s:primary/connections', outcome: 'unreachable' });
    }
  });

  it('the journal of both phases verifies', () => {
    const check = verifyJournal(journalFile());
    expect(check).toMatchObject({ ok: true });
    expect(check.count).toBeGreaterThan(0);
  });
});
