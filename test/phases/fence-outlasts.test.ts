/**
 * A fence that outlasts the outage: the primary region is down when the failover runs, so nothing
 * fences it; when the region comes back, its application and its still-writable database would
 * take writes long before anyone runs failback. The next scheduled triggers run finds the incident
 * open, reaches the primary again and fences it before its nodes are Ready: the database's count
 * of writes from the primary stays flat and the sandbox never sees a split brain.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDeclaration } from '../../src/phases/drain.js';
import { runPhase } from '../../src/phases/runner.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { readyPods } from '../../src/sandbox/world.js';
import { until } from '../support/wait.js';

let sandbox: Sandbox;
let work: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-outlasts-'));
  sandbox = await startSandbox({ outDir: work, speed: 2000, prometheus: 'builtin', clouds: ['aws'] });
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

const quick = { retry: { maxAttempts: 3, baseMs: 1, capMs: 5 } };

describe('the old primary comes back during an open incident', () => {
  it('the next triggers run fences it before its application takes writes', async () => {
    const aws = sandbox.world.stack('aws');
    const journalFile = path.join(work, 'journal.jsonl');
    const run = (phase: string, inputs: Record<string, string> = {}) =>
      runPhase({ phase, planFile: sandbox.planFile!, journalFile, inputs, run: quick });

    sandbox.applyScenario('region-outage');
    await sandbox.metricsCurrent();
    const cls = { 'incident-class': 'region-outage' };
    expect((await run('declare', { ...cls, reason: 'primary region down' })).result.ok).toBe(true);
    const db = await run('database', cls);
    expect(db.result.ok).toBe(true);
    // a cross-region promotion leaves the old primary writable: two writable copies from now on
    expect(aws.database.writable).toEqual({ primary: true, dr: true });
    expect(openDeclaration(db.journal.records, 'aws')).toBeDefined();

    // the region comes back: its API server answers at once, its nodes come Ready an hour later
    sandbox.applyScenario('primary-recovered');
    const before = aws.database.writesFrom.primary;
    const triggers = await run('triggers');
    // the nodes come Ready; the fenced application never does, and never writes
    await until(
      async () => aws.sites.primary.cluster.nodes.filter((n) => n.ready).length,
      (n) => n === aws.sites.primary.cluster.nodes.length && n > 0,
    );
    const dr = aws.database.writesFrom.dr;
    await until(
      async () => aws.database.writesFrom.dr,
      (w) => w > dr + 20,
    );
    expect(readyPods(aws.sites.primary.cluster, 'aegis-api')).toBe(0);
    expect(aws.database.writesFrom.primary).toBe(before);
    expect(sandbox.world.monitor.splitBrain).toEqual([]);

    // journaled like any step
    const fenceSteps = triggers.journal
      .thisRun()
      .filter((r) => r.phase === 'triggers' && r.step.startsWith('fence'));
    expect(fenceSteps.map((r) => `${r.step} ${r.outcome}`)).toEqual(
      expect.arrayContaining(['fence done', 'fence-egress done', 'fence-scale done']),
    );
    // the replica count was journaled before the scale to zero
    expect(triggers.journal.thisRun().find((r) => r.step === 'fence-replicas')?.data).toMatchObject({
      replicas: 6,
    });

    // a later scheduled run finds the fence in place and changes nothing
    const again = await run('readiness');
    const refence = again.journal.thisRun().filter((r) => r.step.startsWith('fence'));
    expect(refence.length).toBeGreaterThanOrEqual(3);
    expect(refence.map((r) => r.outcome)).toEqual(refence.map(() => 'skipped'));
    expect(again.journal.thisRun().some((r) => r.step === 'fence-replicas')).toBe(false);
  });
});
