/**
 * dr-failback.yml after a real failover, job by job against the sandbox: the "primary recovered"
 * readiness (with its 2-hour gate) runs before the approval and before any sync; the failback job
 * runs only when the sync plan reports zero conflicts in total (the old YAML compared a
 * "stack=N,..." string with '0' and never ran it); a shortened gate is journaled with who and why;
 * with conflicts nothing is changed after the readiness.
 */
import fs from 'node:fs';
import path from 'node:path';
import { evidence, isSyncDryRunJob, mutations, mutationTimes, results } from './harness/evidence.js';
import { example, startWorkflowWorld, type WorkflowWorld } from './harness/world.js';
import { DRAIN_ANNOTATION } from '../../src/plan/constants.js';
import { runPhase } from '../../src/phases/runner.js';
import { readyPods, reconcileCluster } from '../../src/sandbox/world.js';
import { until } from '../support/wait.js';

const STACKS = ['aws', 'azure', 'gcp'];
/** The shortened failback gate of the cases (an override, journaled), in wall-clock time. */
const HEALTHY_FOR = '5s';
const HEALTHY_FOR_MS = 5000;

/**
 * What happens between the failover and the failback workflow, through the product itself: the
 * scheduled triggers run finds the incident open in the failover's journal and fences the primary
 * region that came back (unless `fence` is false), and an operator runs reprotect until the
 * replica of the DR writer in the primary region is healthy.
 */
async function failedOver(w: WorkflowWorld, fence = true): Promise<void> {
  w.sandbox.applyScenario('region-outage');
  const run = await w.harness.run(example('dr-failover.yml'), {
    ...w.defaults,
    inputs: { 'incident-class': 'region-outage', reason: 'failback case: region down' },
    approvals: { 'dr-production': { reviewer: 'sre-lead', comment: 'fail over' } },
  });
  expect({ results: results(run), log: run.conclusion === 'success' ? '' : run.log() }).toMatchObject({
    log: '',
  });
  // the failover's journal, as the scheduled runs read it
  const journalFile = path.join(path.dirname(w.sandbox.planFile!), `failover-${run.id}.jsonl`);
  fs.copyFileSync(run.artifacts.file('aegis-dr-evidence', 'aegis-dr-journal.jsonl')!, journalFile);
  const phase = (name: string) => runPhase({ phase: name, planFile: w.sandbox.planFile!, journalFile });
  // the region comes back: its API server answers at once, its nodes come Ready later
  const world = w.sandbox.world;
  // the region's nodes come back 20 s of real time later (an hour of cloud time is 3.6 s at speed
  // 1000): the scheduled triggers run below must land its fence first on a loaded CI machine too,
  // as it does in an hour-long recovery
  if (fence) world.regionRecoveryRealMs = 20_000;
  w.sandbox.applyScenario('primary-recovered');
  // The fence set while the region was down never landed (its API did not answer): the next
  // scheduled triggers run fences the returned primary before its pods start (docs/FENCES.md).
  // Without it the old aws primary (a promoted replica leaves it writable) takes writes again and
  // the sync rightly reports conflicts.
  if (fence) {
    const triggers = await phase('triggers');
    const fenced = triggers.journal
      .thisRun()
      .filter((r) => r.step === 'fence-egress' && r.outcome === 'done');
    expect(fenced.map((r) => r.stack).sort()).toEqual(STACKS);
  }
  if (!fence) {
    // unfenced, the recovered primary's pods start and write to the old writer while DR serves
    const stacks = [...world.stacks.values()];
    await until(
      async () => {
        for (const s of stacks) reconcileCluster(world, s.sites.primary);
        world.settle();
        return world.monitor.splitBrain.filter((r) => r.stack === 'aws').length;
      },
      (n) => n > 0,
    );
  }
  // reprotect: a replica of the DR writer in the recovered primary region (RDS, Cloud SQL), seen
  // through by later runs until healthy
  await until(
    async () => (await phase('reprotect')).result.outputs?.state ?? '',
    // RDS and Cloud SQL report healthy once the replica replicates; Azure reports its group's state
    (state) =>
      state.split(',').length === STACKS.length &&
      state.split(',').every((kv) => kv.endsWith('=healthy') || kv.startsWith('azure=')),
  );
  const stacks = [...world.stacks.values()];
  await until(
    async () => {
      for (const s of stacks) reconcileCluster(world, s.sites.primary);
      world.settle();
      // the platform is back (its nodes Ready); a fenced primary's application stays at zero pods
      return stacks.every((s) =>
        fence
          ? s.sites.primary.cluster.nodes.every((n) => n.ready) &&
            readyPods(s.sites.primary.cluster, 'aegis-api') === 0
          : readyPods(s.sites.primary.cluster, 'aegis-api') > 0,
      );
    },
    (ready) => ready,
  );
  // A healthy primary for longer than the gate the cases below use. Prometheus ranges are
  // wall-clock time, real or built-in, whatever the sandbox's speed: the sandbox compresses how
  // long cloud operations take, not Prometheus's clock (as its plan's trigger interval of 1s
  // shows). A 5m gate reached back into the outage a few real seconds ago, so the lowest primary
  // health over it stayed 0: that was the "series stays 0 after recovery" of the skipped cases.
  // The gate here is HEALTHY_FOR of wall-clock time, and the primary is healthy for longer.
  const since = Date.now();
  await until(
    async () => {
      world.settle();
      return Date.now() - since;
    },
    (elapsed) => elapsed > HEALTHY_FOR_MS + 1000,
  );
}

describe('failback without conflicts', () => {
  let w: WorkflowWorld;
  beforeAll(async () => {
    w = await startWorkflowWorld();
    await failedOver(w);
  }, 600_000);
  afterAll(() => w?.close());

  it('the gate comes first: the primary has not been healthy for the whole duration, so nothing is synced or approved', async () => {
    const before = mutationTimes(w.sandbox).length;
    // 720 h (longer than the plan's 2 h, so no override) reaches back into the outage: the gate
    // fails whatever the sandbox's speed.
    const run = await w.harness.run(example('dr-failback.yml'), {
      ...w.defaults,
      inputs: { reason: 'too early', 'confirm-healthy-for': '720h' },
      approvals: { 'dr-production': { reviewer: 'sre-lead' } },
    });
    expect(results(run)).toEqual({
      readiness: 'failure',
      'sync-plan': 'skipped',
      failback: 'skipped',
      verify: 'skipped',
      report: 'success',
    });
    expect(run.jobs.readiness.steps.find((s) => s.id === 'readiness')?.errors.join('\n')).toMatch(
      /Primary healthy/,
    );
    expect(mutationTimes(w.sandbox).length).toBe(before);
  }, 600_000);

  it('a shortened gate is refused without a reason', async () => {
    const run = await w.harness.run(example('dr-failback.yml'), {
      ...w.defaults,
      inputs: { reason: 'no reason for the override', 'confirm-healthy-for': HEALTHY_FOR },
      approvals: { 'dr-production': { reviewer: 'sre-lead' } },
    });
    expect(run.jobs.readiness.result).toBe('failure');
    expect(run.jobs.readiness.steps.find((s) => s.id === 'readiness')?.log).toMatch(/override must say why/);
  }, 600_000);

  it('with the override journaled: sync plan 0 conflicts, approval, sync, failback, verify, report', async () => {
    const since = Date.now();
    const run = await w.harness.run(example('dr-failback.yml'), {
      ...w.defaults,
      actor: 'incident-commander',
      inputs: {
        reason: 'primary region stable',
        'confirm-healthy-for': HEALTHY_FOR,
        'override-reason': 'sandbox: the emulated primary has minutes, not hours, of health history',
      },
      approvals: { 'dr-production': { reviewer: 'sre-lead', comment: 'sync plan read: 0 conflicts' } },
    });
    expect({ results: results(run), log: run.conclusion === 'success' ? '' : run.log() }).toEqual({
      results: {
        readiness: 'success',
        'sync-plan': 'success',
        failback: 'success',
        verify: 'success',
        report: 'success',
      },
      log: '',
    });
    expect(run.jobs['sync-plan'].outputs).toMatchObject({
      'conflicts-total': '0',
      conflicts: 'aws=0,azure=0,gcp=0',
    });

    const state = w.sandbox.state() as any;
    for (const s of STACKS) {
      expect([s, state.stacks[s].database.writer, state.stacks[s].traffic.active]).toEqual([
        s,
        'primary',
        'primary',
      ]);
      expect(state.stacks[s].sites.dr.deployments['aegis-api'].replicas).toBe(2);
      // Azure's group made DR the secondary by itself: its fence is lifted. RDS / Cloud SQL: DR's
      // old writer is an orphan, so DR stays fenced until the reverse reprotect's replica is healthy.
      expect([
        s,
        state.stacks[s].sites.dr.deployments['aegis-api'].annotations[DRAIN_ANNOTATION] === 'true',
      ]).toEqual([s, s !== 'azure']);
    }
    // nothing changed before the failback job's approval but the sync dry-run's Job (it only reads)
    const approvedAt = run.jobs.failback.approval!.at;
    const early = mutations(w.sandbox, since).filter((m) => m.at < approvedAt);
    expect(early.filter((m) => !isSyncDryRunJob(m))).toEqual([]);
    expect(early.filter(isSyncDryRunJob).length).toBe(STACKS.length);
    expect(mutationTimes(w.sandbox, since).filter((t) => t >= approvedAt).length).toBeGreaterThan(0);

    const { journal, journalVerifies, report } = evidence(run);
    expect(journalVerifies).toBe(true);
    const overrides = journal.filter((r) => r.step === 'gate-override');
    expect(overrides.length).toBeGreaterThan(0);
    expect(overrides[0]).toMatchObject({
      phase: 'readiness',
      actor: 'incident-commander',
      data: {
        overriddenBy: 'incident-commander',
        reason: expect.stringContaining('minutes, not hours'),
        usedMs: HEALTHY_FOR_MS,
      },
    });
    expect(journal.some((r) => r.phase === 'sync' && r.step === 'execute' && r.data?.conflicts === 0)).toBe(
      true,
    );
    expect(report).toMatch(/failback/i);
    // who approved the failback job, read by its first change (sync) from GitHub's review history
    expect(
      journal.filter((r) => r.step === 'approval').map((r) => [r.phase, r.data?.reviewer, r.data?.comment]),
    ).toEqual([['sync', 'sre-lead', 'sync plan read: 0 conflicts']]);
    expect(report).toMatch(/\*\*sre-lead\*\* \| approved \| sync plan read: 0 conflicts/);
  }, 900_000);
});

describe('failback with conflicts', () => {
  let w: WorkflowWorld;
  beforeAll(async () => {
    w = await startWorkflowWorld();
    // No scheduled run fenced the returned primary: the old aws writer (a promoted replica leaves
    // it writable) takes writes again while DR serves, and both sites have accepted writes.
    await failedOver(w, false);
  }, 600_000);
  afterAll(() => w?.close());

  it('the sync plan reports the conflicts, the failback job never runs, nothing is changed', async () => {
    const since = Date.now();
    const run = await w.harness.run(example('dr-failback.yml'), {
      ...w.defaults,
      inputs: {
        reason: 'try with conflicts',
        'confirm-healthy-for': HEALTHY_FOR,
        'override-reason': 'sandbox: minutes of health history',
      },
      approvals: { 'dr-production': { reviewer: 'sre-lead' } },
    });
    expect(results(run)).toEqual({
      readiness: 'success',
      'sync-plan': 'failure',
      failback: 'skipped',
      verify: 'skipped',
      report: 'success',
    });
    expect(Number(run.jobs['sync-plan'].outputs['conflicts-total'])).toBeGreaterThan(0);
    expect(mutations(w.sandbox, since).filter((m) => !isSyncDryRunJob(m))).toEqual([]);
    const state = w.sandbox.state() as any;
    expect(state.stacks.aws.traffic.active).toBe('dr');
  }, 900_000);
});
