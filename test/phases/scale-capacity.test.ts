/**
 * The scale phase against pools that behave as the clouds document them: a regional GKE pool whose
 * size is per zone and whose `initialNodeCount` never follows a resize
 * (https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters.nodePools).
 * The plan's sizes are totals over the pool's zones. An AKS pool runs the cluster autoscaler, which
 * takes back nodes the pods do not need down to minCount
 * (https://learn.microsoft.com/en-us/azure/aks/cluster-autoscaler-overview).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { poolTotal } from '../../src/phases/scale.js';
import { runPhase } from '../../src/phases/runner.js';
import { AKS_SCALE_DOWN_UNNEEDED_S } from '../../src/sandbox/azure/aks.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { until } from '../support/wait.js';

let sandbox: Sandbox;
let work: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-scale-capacity-'));
  sandbox = await startSandbox({
    outDir: work,
    speed: 2000,
    prometheus: 'builtin',
    clouds: ['gcp', 'azure'],
  });
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('poolTotal: the plan total a per-zone size reaches', () => {
  it.each([
    [6, undefined, 6, 'a total pool (EKS, AKS) takes the plan count as is'],
    [6, 3, 6, 'six over three zones is two each'],
    [3, 3, 3, 'three over three zones is one each'],
    [7, 3, 9, 'seven over three zones rounds up to three each'],
    [0, 3, 0, 'zero stays zero'],
  ] as const)('%i over %s zones is %i: %s', (desired, zones, total, _why) => {
    expect(poolTotal(desired, zones)).toBe(total);
  });
});

describe('scale: GKE regional pool', () => {
  it('grows the DR pool to 6 nodes in total (2 per zone), counts its Ready nodes by the pool label, and a re-run is a no-op', async () => {
    const journalFile = path.join(work, 'journal.jsonl');
    const run = async () =>
      runPhase({
        phase: 'scale',
        planFile: sandbox.planFile!,
        journalFile,
        stack: 'gcp',
        inputs: { target: 'dr', 'incident-class': 'region-outage' },
        run: { retry: { maxAttempts: 3, baseMs: 1, capMs: 5 } },
      });
    const { result } = await run();
    const pool = result.rows.find((r) => r.item === 'Node pool dr');
    expect(pool).toMatchObject({
      status: 'done',
      detail: expect.stringContaining('6 nodes, 2 per zone in 3 zones'),
    });
    const dr = sandbox.world.stack('gcp').sites.dr;
    expect(dr.pool.desired).toBe(6);
    expect(dr.cluster.nodes.filter((n) => n.ready)).toHaveLength(6);
    expect(result.ok).toBe(true);

    const setSizes = () =>
      sandbox.world.monitor.mutations.filter((m) => m.operation === 'nodePools.setSize').length;
    const before = setSizes();
    const again = await run();
    expect(again.result.rows.find((r) => r.item === 'Node pool dr')).toMatchObject({
      status: 'pass',
      detail: expect.stringMatching(/^already done: 6 nodes/),
    });
    expect(setSizes()).toBe(before);
  }, 60_000);
});

describe('scale: AKS pool with the cluster autoscaler', () => {
  it('holds the DR pool at 6 nodes by moving minCount, keeping the rest of the pool', async () => {
    const { result } = await runPhase({
      phase: 'scale',
      planFile: sandbox.planFile!,
      journalFile: path.join(work, 'journal-azure.jsonl'),
      stack: 'azure',
      inputs: { target: 'dr', 'incident-class': 'region-outage' },
      run: { retry: { maxAttempts: 3, baseMs: 1, capMs: 5 } },
    });
    // the HPA's new minimum scales the deployment itself: its rollout may be done when the step looks
    expect(result.rows.filter((r) => r.stack === 'azure').map((r) => [r.item, r.status])).toEqual([
      ['Node pool dr', 'done'],
      ['Autoscaler dr/aegis-api', 'done'],
      ['Deployment dr/aegis-api', expect.stringMatching(/^(done|pass)$/)],
    ]);
    const dr = sandbox.world.stack('azure').sites.dr;
    expect(dr.pool).toMatchObject({ desired: 6, min: 6 });
    // the autoscaler's scale-down-unneeded-time passes three times over: the size holds
    const t = Date.now();
    await until(
      async () => Date.now(),
      (now) => now - t > sandbox.world.realMs(3 * AKS_SCALE_DOWN_UNNEEDED_S),
    );
    expect(dr.pool.desired).toBe(6);
    expect(dr.cluster.nodes.filter((n) => n.ready)).toHaveLength(6);
  }, 60_000);
});
