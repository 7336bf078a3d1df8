/**
 * dr-failover.yml run job by job against the sandbox, once per incident class of the runbook:
 * the class chooses the phases (a database corruption never moves traffic, a network partition
 * never fails the database over), verify gets the API token and checks the site the class serves
 * from, nothing changes before the reviewer approves, and the journal and the report say so.
 */
import { evidence, mutationTimes, received, results } from './harness/evidence.js';
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

    // who approved, read from GitHub's review history by the approved job, in the journal and the report
    expect(received(w.sandbox).reviews(run.id)).toEqual([
      { user: 'sre-lead', state: 'approved', comment: `approved: ${cls}` },
    ]);
    const approvals = journal.filter((r) => r.step === 'approval');
    expect(approvals.map((r) => [r.phase, r.data?.reviewer, r.data?.state, r.data?.comment])).toEqual([
      ['declare', 'sre-lead', 'approved', `approved: ${cls}`],
    ]);
    expect(approvals[0].data?.adminsCanBypass).toEqual({ 'dr-production': true });
    expect(report).toMatch(/### Approvals[\s\S]*\*\*sre-lead\*\* \| approved \| approved: /);

    // the runbook's messages, in order, on every announce channel; nobody escalated
    const got = received(w.sandbox);
    expect(got.teams).toEqual([
      '[INCIDENT] Cloud Aegis DR Failover Initiated',
      expect.stringMatching(/^Update \[T\+\d+\]/),
      '[RESOLVED] Cloud Aegis DR Failover Complete',
    ]);
    // Slack: T+0 is the incident channel's root, updated in place (it shows the resolution now);
    // the progress update and the resolution are threaded under it
    const slack = got.incident!.messages;
    expect(slack.map((m) => [m.threadTs === undefined ? 'root' : 'thread', m.text.split('\n')[0]])).toEqual([
      ['root', expect.stringContaining('[RESOLVED] Cloud Aegis DR Failover Complete')],
      ['thread', expect.stringMatching(/Update \[T\+\d+\]/)],
      ['thread', expect.stringContaining('[RESOLVED]')],
    ]);
    expect(slack[0].edited).toBeGreaterThan(0);
    expect(got.pagerduty('aegis-oncall')).toEqual(['trigger', 'resolve']);
    expect(got.github.issues).toEqual([expect.objectContaining({ state: 'closed' })]);
    // one deployment on dr-production: in_progress with each update, success on resolution
    expect(got.github.deployments.length).toBe(1);
    expect([got.github.deployments[0][0], got.github.deployments[0].at(-1)]).toEqual([
      'in_progress',
      'success',
    ]);
    expect(journal.filter((r) => r.phase === 'escalate' && r.outcome === 'observed')).toEqual([]);
    expect(got.pagerduty('aegis-leadership')).toEqual([]);
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
    // a dry run announces nothing
    const got = received(w.sandbox);
    expect([got.teams, got.incident, got.pagerduty('aegis-oncall'), got.github.issues]).toEqual([
      [],
      undefined,
      [],
      [],
    ]);
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
    // GitHub holds the rejection; no approved job ran to journal it, nothing was announced
    expect(received(w.sandbox).reviews(run.id)).toEqual([
      { user: 'sre-lead', state: 'rejected', comment: 'not yet' },
    ]);
    expect(received(w.sandbox).teams).toEqual([]);
  }, 600_000);
});
