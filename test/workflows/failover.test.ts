/**
 * dr-failover.yml run job by job against the sandbox, once per incident class of the runbook:
 * the class chooses the phases (a database corruption never moves traffic, a network partition
 * never fails the database over), verify gets the API token and checks the site the class serves
 * from, nothing changes before the reviewer approves, and the journal and the report say so.
 */
import { evidence, mutationTimes, results } from './harness/evidence.js';
import { example, startWorkflowWorld, type WorkflowWorld } from './harness/world.js';

const FAILOVER = example('dr-failover.yml');
const STACKS = ['aws', 'azure', 'gcp'];

/** writer: where each stack's database writer ends (Azure SQL failover groups have no in-region standby: a planned failover to the secondary). */
type Expect = {
  writer: string | Record<string, string>;
  traffic: string;
  excluded: string[];
  dbFailover: boolean;
};

const CLASSES: [string, string, Expect][] = [
  ['region-outage', 'region-outage', { writer: 'dr', traffic: 'dr', excluded: [], dbFailover: true }],
  // in-region HA failover: the writer stays in the primary region, traffic never moves
  [
    'database-corruption',
    'database-corruption',
    {
      writer: { aws: 'primary', azure: 'dr', gcp: 'primary' },
      traffic: 'primary',
      excluded: ['drain', 'scale', 'traffic'],
      dbFailover: true,
    },
  ],
  [
    'network-partition',
    'network-partition',
    { writer: 'primary', traffic: 'dr', excluded: ['drain', 'database', 'scale'], dbFailover: false },
  ],
  [
    'compute-failure',
    'compute-failure',
    { writer: 'primary', traffic: 'dr', excluded: ['drain', 'database'], dbFailover: false },
  ],
];

describe.each(CLASSES)('manual failover, incident class %s', (cls, scenario, want) => {
  let w: WorkflowWorld;
  beforeAll(async () => {
    w = await startWorkflowWorld();
  }, 120_000);
  afterAll(() => w?.close());

  it('runs readiness, the approved failover, verify and the report; the class chose the phases', async () => {
    w.sandbox.applyScenario(scenario);
    const run = await w.harness.run(FAILOVER, {
      ...w.defaults,
      inputs: { 'incident-class': cls, reason: `workflow case: ${cls}` },
      approvals: { 'dr-production': { reviewer: 'sre-lead', comment: `approved: ${cls}` } },
    });
    expect({ results: results(run), log: run.conclusion === 'success' ? '' : run.log() }).toEqual({
      results: { readiness: 'success', failover: 'success', verify: 'success', report: 'success' },
      log: '',
    });

    // the sandbox's end state
    const state = w.sandbox.state() as any;
    for (const s of STACKS) {
      const writer = typeof want.writer === 'string' ? want.writer : want.writer[s];
      expect([s, state.stacks[s].database.writer, state.stacks[s].traffic.active]).toEqual([
        s,
        writer,
        want.traffic,
      ]);
    }
    expect(state.monitor.splitBrainEver).toBe(false);

    // nothing changed before the reviewer approved
    const approvedAt = run.jobs.failover.approval!.at;
    expect(mutationTimes(w.sandbox).length).toBeGreaterThan(0);
    expect(mutationTimes(w.sandbox).filter((t) => t < approvedAt)).toEqual([]);

    // the journal: the class declared, excluded phases skipped with the reason, verify on the serving site
    const { journal, journalVerifies, report } = evidence(run);
    expect(journalVerifies).toBe(true);
    const incident = journal.filter((r) => r.phase === 'declare' && r.step === 'incident');
    expect(incident.map((r) => r.data?.incidentClass)).toEqual(STACKS.map(() => cls));
    for (const phase of ['drain', 'database', 'scale', 'traffic']) {
      const skipped = journal.filter(
        (r) => r.phase === phase && r.step === 'incident-class' && r.outcome === 'skipped',
      );
      expect([phase, skipped.length]).toEqual([phase, want.excluded.includes(phase) ? STACKS.length : 0]);
    }
    const dbDone = journal.filter((r) => r.phase === 'database' && r.outcome === 'done');
    expect(dbDone.length > 0).toBe(want.dbFailover);
    const verified = journal.filter((r) => r.phase === 'verify');
    expect(verified.length).toBeGreaterThan(0);
    for (const r of verified)
      expect(r.target).toBe(`${r.stack}:${want.writer === 'dr' || want.traffic === 'dr' ? 'dr' : 'primary'}`);
    // the report names the class and passes verification
    expect(report).toContain(cls);
    expect(report).not.toMatch(/verification failed/i);
    expect(run.jobs.verify.outputs.passed).toBe('true');
    expect(Object.keys(JSON.parse(run.jobs.verify.outputs.results))).toEqual(STACKS);
  }, 600_000);
});

describe('dry-run dispatch', () => {
  let w: WorkflowWorld;
  beforeAll(async () => {
    w = await startWorkflowWorld();
  }, 120_000);
  afterAll(() => w?.close());

  it('every job runs and nothing in the estate changes', async () => {
    w.sandbox.applyScenario('region-outage');
    const run = await w.harness.run(FAILOVER, {
      ...w.defaults,
      inputs: { 'incident-class': 'region-outage', reason: 'dry run', 'dry-run': true },
      approvals: { 'dr-production': { reviewer: 'sre-lead' } },
    });
    expect({ results: results(run), log: run.conclusion === 'success' ? '' : run.log() }).toEqual({
      results: { readiness: 'success', failover: 'success', verify: 'success', report: 'success' },
      log: '',
    });
    expect(mutationTimes(w.sandbox)).toEqual([]);
    const state = w.sandbox.state() as any;
    for (const s of STACKS) expect(state.stacks[s].database.writer).toBe('primary');
    const { journal } = evidence(run);
    expect(journal.filter((r) => r.outcome === 'would-do').length).toBeGreaterThan(0);
    expect(journal.filter((r) => r.outcome === 'done')).toEqual([]);
  }, 600_000);
});

describe('approval withheld or rejected', () => {
  let w: WorkflowWorld;
  beforeAll(async () => {
    w = await startWorkflowWorld();
  }, 120_000);
  afterAll(() => w?.close());

  it('a rejected failover changes nothing, and the report still comes', async () => {
    w.sandbox.applyScenario('region-outage');
    const run = await w.harness.run(FAILOVER, {
      ...w.defaults,
      inputs: { 'incident-class': 'region-outage', reason: 'rejected' },
      approvals: { 'dr-production': { reviewer: 'sre-lead', reject: true, comment: 'not yet' } },
    });
    expect(results(run)).toEqual({
      readiness: 'success',
      failover: 'failure',
      verify: 'skipped',
      report: 'success',
    });
    expect(mutationTimes(w.sandbox)).toEqual([]);
  }, 600_000);
});
