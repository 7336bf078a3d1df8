/**
 * The second witness: the runner cannot reach the primary's Kubernetes API (a partition between the
 * runner and the primary region) while users still reach the primary application. Declare cannot
 * fence it; the promotion asks Prometheus how it sees the primary and refuses, in one sentence,
 * while the primary still serves users.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runPhase } from '../../src/phases/runner.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sandbox: Sandbox;
let work: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-witness-'));
  sandbox = await startSandbox({ outDir: work, speed: 1000, prometheus: 'builtin', clouds: ['aws'] });
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

const quick = { retry: { maxAttempts: 3, baseMs: 1, capMs: 5 } };

describe('promotion while the runner cannot reach the primary', () => {
  it('is refused while Prometheus sees the primary serving users', async () => {
    // the runner's path to the primary API server is cut; the region, its app and its users are fine
    sandbox.faults.add({ service: 'kubernetes', target: 'aws-primary', kind: 'reset', rate: 1 });
    const aws = sandbox.world.stack('aws');
    const journalFile = path.join(work, 'journal.jsonl');
    const inputs = { 'incident-class': 'region-outage', reason: 'the primary looks down from here' };
    const declared = await runPhase({
      phase: 'declare',
      planFile: sandbox.planFile!,
      journalFile,
      inputs,
      run: quick,
    });
    expect(
      declared.result.rows.filter((r) => r.item.startsWith('Fence primary')).map((r) => r.status),
    ).toContain('warn');
    await sandbox.metricsCurrent();
    const { result } = await runPhase({
      phase: 'database',
      planFile: sandbox.planFile!,
      journalFile,
      inputs: { 'incident-class': 'region-outage' },
      run: quick,
    });
    expect(result.ok).toBe(false);
    const refusal = result.rows.find((r) => r.stack === 'aws' && r.status === 'fail');
    expect(refusal?.status).toBe('fail');
    expect(refusal?.detail).toMatch(
      /refusing to promote aegis-db on dr: the primary cluster is unreachable from this runner \(.*\) but Prometheus sees the primary site in us-east-1 still serving users \(health 1, .*\); fence the primary site from a runner that reaches its cluster, or pass force with a reason once its users cannot write there\.$/,
    );
    expect(refusal?.detail).not.toMatch(/\n|\s+at /);
    // nothing was promoted: one writer, and it is still the primary
    expect(aws.database.writer).toBe('primary');
    expect(aws.database.writable).toEqual({ primary: true, dr: false });
    expect(sandbox.world.monitor.splitBrain).toEqual([]);
  });

  it('goes ahead when forced with a reason, and the journal says who forced it and why', async () => {
    const aws = sandbox.world.stack('aws');
    const { result, journal } = await runPhase({
      phase: 'database',
      planFile: sandbox.planFile!,
      journalFile: path.join(work, 'journal.jsonl'),
      inputs: { 'incident-class': 'region-outage' },
      run: quick,
      force: { by: 'oncall', reason: 'primary users confirmed gone by the network team' },
    });
    expect(result.ok).toBe(true);
    expect(aws.database.writer).toBe('dr');
    const failover = journal.thisRun().find((r) => r.step === 'failover' && r.outcome === 'done');
    expect(failover?.data?.forced).toMatchObject({
      by: 'oncall',
      reason: expect.stringMatching(/network team/),
    });
  });
});
