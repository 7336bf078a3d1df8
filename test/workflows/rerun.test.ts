/**
 * A job re-run after a failure, as GitHub re-runs failed jobs (a new attempt of the same run; the
 * jobs that succeeded keep their results): the failover job fails at the traffic switch, the fault
 * clears, the re-run converges without a second database failover, and the incident keeps its
 * first declaration time when the journal travels. Whether an attempt sees an earlier attempt's
 * artifact is not something to rely on: without it the job says so and continues from the cloud.
 */
import { evidence, results } from './harness/evidence.js';
import type { WorkflowRun } from './harness/run.js';
import { example, startWorkflowWorld, type WorkflowWorld } from './harness/world.js';

const STACKS = ['aws', 'azure', 'gcp'];

async function failingRun(w: WorkflowWorld): Promise<WorkflowRun> {
  w.sandbox.applyScenario('region-outage');
  // Route 53 refuses every health-check change: the aws traffic switch (failover records, flipped
  // by inverting the primary's health check) fails.
  w.sandbox.faults.add({
    service: 'route53',
    operation: 'UpdateHealthCheck',
    kind: 'error',
    status: 400,
    rate: 1,
  });
  const run = await w.harness.run(example('dr-failover.yml'), {
    ...w.defaults,
    inputs: { 'incident-class': 'region-outage', reason: 'rerun case' },
    approvals: { 'dr-production': { reviewer: 'sre-lead', comment: 'go' } },
  });
  expect(results(run)).toEqual({
    readiness: 'success',
    failover: 'failure',
    verify: 'skipped',
    report: 'success',
  });
  w.sandbox.faults.clear();
  return run;
}

function declarations(run: WorkflowRun) {
  return evidence(run).journal.filter(
    (r) => r.phase === 'declare' && r.step === 'incident' && r.stack === 'aws',
  );
}

describe.each([
  ["the re-run sees the earlier attempt's journal", true],
  ["the re-run finds no journal and continues from the cloud's state", false],
])('re-run of the failed failover job: %s', (_label, visible) => {
  let w: WorkflowWorld;
  beforeAll(async () => {
    w = await startWorkflowWorld();
  }, 120_000);
  afterAll(() => w?.close());

  it('converges: one database failover, traffic on DR, verified, reported', async () => {
    const first = await failingRun(w);
    const failoversBefore = (w.sandbox.state() as any).stacks.aws.database.failovers;
    const again = await w.harness.rerunFailed(first, { earlierArtifactsVisible: visible });
    expect(again.attempt).toBe(2);
    expect({ results: results(again), log: again.conclusion === 'success' ? '' : again.log() }).toEqual({
      results: { readiness: 'success', failover: 'success', verify: 'success', report: 'success' },
      log: '',
    });
    expect(again.jobs.readiness.attempt).toBe(1); // kept from the first attempt
    const state = w.sandbox.state() as any;
    for (const s of STACKS)
      expect([s, state.stacks[s].traffic.active, state.stacks[s].database.writer]).toEqual([s, 'dr', 'dr']);
    // reconcile, don't replay: the database failover of attempt 1 is not triggered again
    expect(state.stacks.aws.database.failovers).toBe(failoversBefore);

    const restore = again.jobs.failover.steps.find((s) => s.name === 'Restore the journal')!;
    const warned = again.jobs.failover.steps.find((s) => s.name === 'No journal from the previous job')!;
    if (visible) {
      expect(restore.outcome).toBe('success');
      expect(warned.outcome).toBe('skipped');
      // the incident keeps its first declaration time: the RTO counts from attempt 1
      const decl = declarations(again);
      expect(decl.length).toBe(2);
      expect(decl[1].data?.declaredAt).toBe(decl[0].data?.declaredAt);
      expect(decl[1].data?.redeclaredAfterSeq).toBe(decl[0].seq);
    } else {
      expect(restore).toMatchObject({ outcome: 'failure', conclusion: 'success' });
      expect(restore.log).toContain('Artifact not found for name: aegis-dr-journal');
      expect(warned.outcome).toBe('success');
      expect(warned.log).toContain('::warning title=Journal not found::');
      expect(declarations(again).length).toBe(1);
    }
    expect(evidence(again).journalVerifies).toBe(true);
  }, 900_000);
});
