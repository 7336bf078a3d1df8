/**
 * Sync has one input that decides whether it changes data, `dry-run`, and its default is the safe
 * one: without it the sync Job runs with --dry-run (conflicts reported, no data changed). The old
 * `mode` input still maps onto it; when the two disagree, the dry run wins.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { getPhase } from '../../src/phases/registry.js';
import { resolveDryRun, runPhase } from '../../src/phases/runner.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

const sync = getPhase('sync');
const ROOT = path.resolve(import.meta.dirname, '../..');

describe('resolveDryRun', () => {
  it.each([
    {
      why: 'sync without dry-run or mode dry-runs (the safe default)',
      given: undefined,
      mode: undefined,
      want: true,
    },
    { why: 'dry-run false executes', given: false, mode: undefined, want: false },
    { why: 'dry-run true dry-runs', given: true, mode: undefined, want: true },
    { why: 'the old mode execute still executes', given: undefined, mode: 'execute', want: false },
    { why: 'the old mode dry-run still dry-runs', given: undefined, mode: 'dry-run', want: true },
    {
      why: 'a rehearsal (dry-run true) never executes a step written with mode execute',
      given: true,
      mode: 'execute',
      want: true,
    },
    { why: 'mode dry-run is not overridden by dry-run false', given: false, mode: 'dry-run', want: true },
    { why: 'both saying execute executes', given: false, mode: 'execute', want: false },
  ])('$why', ({ given, mode, want }) => {
    expect(resolveDryRun(sync, given, mode ? { mode } : {})).toBe(want);
  });

  it('every other phase keeps dry-run false by default, and has no mode that stands for it', () => {
    expect(resolveDryRun(getPhase('traffic'), undefined, {})).toBe(false);
    // readiness has a mode input of its own (failover/failback): it decides nothing about dry-run
    expect(resolveDryRun(getPhase('readiness'), undefined, { mode: 'failover' })).toBe(false);
  });

  it("the sync action's dry-run input is empty by default, so the phase's safe default applies", () => {
    const meta = parse(fs.readFileSync(path.join(ROOT, 'actions/sync/action.yml'), 'utf8'));
    expect(meta.inputs['dry-run'].default).toBe('');
    expect(meta.inputs['dry-run'].description).toMatch(/Default true for this phase/);
    expect(meta.inputs.mode.description).toMatch(/^Deprecated: use dry-run/);
    const root = parse(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8'));
    expect(root.inputs['dry-run'].default).toBe('');
  });
});

describe('sync on the sandbox', () => {
  let sandbox: Sandbox;
  let work: string;
  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-sync-dry-'));
    sandbox = await startSandbox({ outDir: work, speed: 1000, prometheus: 'builtin', clouds: ['aws'] });
  }, 60_000);
  afterAll(async () => {
    await sandbox?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  const run = (dryRun: boolean | undefined, inputs: Record<string, string> = {}) =>
    runPhase({
      phase: 'sync',
      planFile: sandbox.planFile!,
      journalFile: path.join(work, 'journal.jsonl'),
      dryRun,
      inputs: { 'incident-class': 'region-outage', ...inputs },
      run: { retry: { maxAttempts: 3, baseMs: 1, capMs: 5 } },
    });

  it('without dry-run the Job runs with --dry-run; with dry-run false it runs with --execute', async () => {
    const safe = await run(undefined);
    expect(safe.result.rows.map((r) => r.item)).toEqual(['Data sync (dry-run)']);
    const rehearsal = await run(true, { mode: 'execute' });
    expect(rehearsal.result.rows.map((r) => r.item)).toEqual(['Data sync (dry-run)']);
    const real = await run(false);
    expect(real.result.rows.map((r) => r.item)).toEqual(['Data sync (execute)']);
    const steps = real.journal.records.filter((r) => r.phase === 'sync').map((r) => r.step);
    expect(steps).toEqual(['dry-run', 'dry-run', 'execute']);
  }, 60_000);
});
