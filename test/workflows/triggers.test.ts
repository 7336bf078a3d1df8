/**
 * dr-triggers.yml run by its schedule against the sandbox: a region outage of one stack fires the
 * triggers, and the automatic dispatch (AEGIS_DR_AUTO_DISPATCH) asks GitHub for a failover of that
 * stack only; the dispatched run, approved, fails that stack over and leaves the others on their
 * primary. A two-region failure dispatches nothing and escalates: the plan's two-region-failure
 * rule pages the executives and on-call, once, and is journaled.
 */
import { loadPlan } from '../../src/plan/load.js';
import { PrometheusClient } from '../../src/providers/prometheus.js';
import { githubStore } from '../../src/sandbox/github/store.js';
import { until } from '../support/wait.js';
import { evidence, journalOf, mutationTimes, received, results } from './harness/evidence.js';
import { example, startWorkflowWorld, type WorkflowWorld } from './harness/world.js';

const TRIGGERS = example('dr-triggers.yml');

/** The plan's health-score query answers below the threshold for `region`, then the flapping window (3 evaluations 1 s apart) passes. */
async function unhealthy(w: WorkflowWorld, region: string): Promise<void> {
  const prom = new PrometheusClient(w.sandbox.prometheus.url);
  const query = (await loadPlan(w.sandbox.planFile!)).doc.prometheus!.queries.healthScore;
  await until(
    () => prom.query(query),
    (r) => r.some((s) => s.labels.region === region && s.value < 0.3),
    60_000,
  );
  const since = Date.now();
  await until(
    async () => Date.now() - since,
    (ms) => ms > 4000,
  );
}

describe('automatic dispatch from the triggers, for the one stack that fired', () => {
  let w: WorkflowWorld;
  beforeAll(async () => {
    w = await startWorkflowWorld();
  }, 120_000);
  afterAll(() => w?.close());

  it('the schedule fires for aws, dispatches a failover of aws only; approved, only aws moves', async () => {
    w.sandbox.applyScenario('region-outage', ['aws']);
    await unhealthy(w, w.sandbox.world.stack('aws').sites.primary.region);
    const evaluation = await w.harness.run(TRIGGERS, {
      ...w.defaults,
      event: 'schedule',
      actor: 'github-actions[bot]',
      vars: { ...w.defaults.vars, AEGIS_DR_AUTO_DISPATCH: 'true' },
    });
    expect({
      results: results(evaluation),
      log: evaluation.conclusion === 'success' ? '' : evaluation.log(),
    }).toEqual({
      results: { evaluate: 'success', 'open-incident': 'success', 'two-region-failure': 'skipped' },
      log: '',
    });
    expect(evaluation.jobs.evaluate.outputs).toMatchObject({
      fire: 'true',
      stacks: 'aws',
      'incident-class': 'region-outage',
    });
    // the evaluation changed nothing: it only asked
    expect(mutationTimes(w.sandbox)).toEqual([]);

    // GitHub received the tracking issue and the dispatch of dr-failover.yml for aws
    const gh = githubStore(w.sandbox.world);
    expect(gh.issues.map((i) => [i.title, i.labels])).toEqual([
      ['DR trigger fired: region-outage (aws)', ['aegis-dr-trigger']],
    ]);
    expect(gh.dispatches.map((d) => [d.workflow, d.inputs['incident-class'], d.inputs.stacks])).toEqual([
      ['dr-failover.yml', 'region-outage', 'aws'],
    ]);

    // GitHub starts the dispatched run; it waits at dr-production until the reviewer approves
    const inputs = gh.dispatches[0].inputs as Record<string, string>;
    const failover = await w.harness.run(example('dr-failover.yml'), {
      ...w.defaults,
      actor: 'github-actions[bot]',
      inputs: { ...inputs, 'dry-run': inputs['dry-run'] === 'true' },
      approvals: { 'dr-production': { reviewer: 'sre-lead', comment: 'trigger confirmed for aws' } },
    });
    expect({
      results: results(failover),
      log: failover.conclusion === 'success' ? '' : failover.log(),
    }).toEqual({
      results: { readiness: 'success', failover: 'success', verify: 'success', report: 'success' },
      log: '',
    });
    const state = w.sandbox.state() as any;
    expect(
      ['aws', 'azure', 'gcp'].map((s) => [
        s,
        state.stacks[s].traffic.active,
        state.stacks[s].database.writer,
      ]),
    ).toEqual([
      ['aws', 'dr', 'dr'],
      ['azure', 'primary', 'primary'],
      ['gcp', 'primary', 'primary'],
    ]);
    // mutations only after the approval, and the journal holds aws alone
    const approvedAt = failover.jobs.failover.approval!.at;
    expect(mutationTimes(w.sandbox).filter((t) => t < approvedAt)).toEqual([]);
    const { journal, report } = evidence(failover);
    expect([...new Set(journal.filter((r) => r.stack).map((r) => r.stack))]).toEqual(['aws']);
    expect(journal.find((r) => r.phase === 'declare' && r.step === 'incident')?.data?.reason).toMatch(
      /^automated trigger: /,
    );
    expect(report).toMatch(/\*\*sre-lead\*\* \| approved \| trigger confirmed for aws/);
  }, 600_000);
});

describe('two-region failure: escalate, never dispatch', () => {
  let w: WorkflowWorld;
  beforeAll(async () => {
    w = await startWorkflowWorld();
  }, 120_000);
  afterAll(() => w?.close());

  it('pages the executives and on-call once, opens the escalation issue, dispatches nothing', async () => {
    w.sandbox.applyScenario('two-region-failure', ['gcp']);
    await unhealthy(w, w.sandbox.world.stack('gcp').sites.dr.region);
    const run = await w.harness.run(TRIGGERS, {
      ...w.defaults,
      event: 'schedule',
      actor: 'github-actions[bot]',
      vars: { ...w.defaults.vars, AEGIS_DR_AUTO_DISPATCH: 'true' },
    });
    expect({ results: results(run), log: run.conclusion === 'success' ? '' : run.log() }).toEqual({
      results: { evaluate: 'success', 'open-incident': 'skipped', 'two-region-failure': 'success' },
      log: '',
    });
    const got = received(w.sandbox);
    expect(got.pagerduty('aegis-executive-bcp')).toEqual(['trigger']);
    expect(got.pagerduty('aegis-oncall')).toEqual(['trigger']);
    const gh = githubStore(w.sandbox.world);
    expect(gh.dispatches).toEqual([]);
    expect(gh.issues.map((i) => i.title)).toEqual(['DR escalation: two-region failure']);
    const journal = journalOf(run, 'aegis-dr-triggers-journal');
    expect(
      journal
        .filter((r) => r.phase === 'escalate' && r.outcome === 'observed')
        .map((r) => [r.step, r.data?.engaged]),
    ).toEqual([['two-region-failure', ['executives', 'oncall']]]);
    expect(mutationTimes(w.sandbox)).toEqual([]);
  }, 600_000);
});
