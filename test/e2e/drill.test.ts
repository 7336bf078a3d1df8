/**
 * The main job in-process: a region-outage drill on the sandbox passes with no split brain and one
 * failover per database; a second failover changes nothing; a dry-run changes nothing; a run
 * stopped half-way and started again converges.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runFailover } from '../../src/drill/pipeline.js';
import { runDrill } from '../../src/drill/drill.js';
import { summaryText } from '../../src/drill/summary.js';
import { Journal } from '../../src/engine/journal.js';
import { createContext } from '../../src/engine/step.js';
import { loadPlan } from '../../src/plan/load.js';
import { createEnvironment } from '../../src/phases/environment.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { requirePrometheus } from '../support/prometheus.js';

const real = requirePrometheus();
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-drill-'));

describe('drill', () => {
  it('region outage: fails over all three stacks, fails back, meets RTO and RPO, never splits the brain', async () => {
    const out = tmp();
    const report = path.join(out, 'report.md');
    const r = await runDrill({
      outDir: out,
      speed: 600,
      prometheus: real ? 'real' : 'builtin',
      reportFile: report,
    });
    expect(r.stacks.map((s) => [s.stack, s.verified, s.rtoMet, s.rpoMet])).toEqual([
      ['aws', true, true, true],
      ['azure', true, true, true],
      ['gcp', true, true, true],
    ]);
    expect(r.ok).toBe(true);
    expect(r.verdict).toBe('passed');
    // RTO by the report's two definitions, both from the declaration
    for (const s of r.stacks) expect(s.rtoRestoredMs!).toBeLessThanOrEqual(s.rtoMs!);
    expect(r.sandbox?.splitBrain).toBe(false);
    // one failover per database per direction: to DR, and back (Azure's planned failover of the
    // group; RDS / Cloud SQL the promotion of the replica reprotect built in the primary region)
    expect(r.sandbox?.failovers).toEqual({ aws: 2, azure: 2, gcp: 2 });
    expect(fs.existsSync(r.journalFile)).toBe(true);
    // the failover's figures (values are printed by npm run bench, never asserted here)
    const f = r.figures!;
    expect(f.stacks.map((s) => s.stack)).toEqual(['aws', 'azure', 'gcp']);
    expect(f.failoverMs).toBeGreaterThan(0);
    expect(f.criticalPathRatio).toBeCloseTo(f.failoverMs / f.criticalPathMs, 6);
    expect(f.sequentialMs).toBeGreaterThan(f.criticalPathMs);
    // every data-changing call of the failover is one the monitor logged, and Route 53 was called:
    // with failover records, one UpdateHealthCheck (Inverted) per switch and no record change
    expect(f.requests.services.route53.mutations).toBeGreaterThanOrEqual(1);
    expect(f.requests.mutations).toBeLessThanOrEqual(r.sandbox!.mutations);
    expect(f.route53PeakPerSecond.limiter).toBeGreaterThanOrEqual(1);
    const stages = r.sandbox!.requests.stages.map((s) => s.stage);
    expect(stages).toEqual(
      expect.arrayContaining([
        'readiness',
        'failover (region-outage)',
        'reprotect',
        'failback',
        'reprotect (reverse)',
      ]),
    );
    expect(r.sandbox!.requests.total).toBeGreaterThanOrEqual(f.requests.total);
    // --report: the drill's summary, then the evidence built from the journal (chain verified)
    const md = fs.readFileSync(report, 'utf8');
    expect(md).toMatch(/^# DR drill report/);
    expect(md).toContain('Drill: region-outage');
    expect(md).toMatch(/## DR report: /);
    expect(md).toMatch(/hash chain[^\n]*verified/i);
    fs.rmSync(out, { recursive: true, force: true });
  }, 180_000);
});

describe('drill verdicts', () => {
  it('--dry-run ends DRY RUN (nothing verified), lists what would be done, changes nothing', async () => {
    const out = tmp();
    const r = await runDrill({ outDir: out, speed: 1000, prometheus: 'builtin', dryRun: true });
    expect(r.verdict).toBe('dry-run');
    expect(r.stacks.every((s) => !s.verified && s.rtoMs === undefined)).toBe(true);
    const text = summaryText(r);
    expect(text.split('\n')[0]).toMatch(/: DRY RUN \(nothing verified, nothing changed\)$/);
    expect(text).not.toMatch(/PASSED|MISSED/);
    expect(text).toMatch(/would do \(\d+ changes/);
    expect(text).toMatch(/rds:|Database: aegis-db writer on dr/);
    // the report is always written into the drill's folder, and the output ends with its path
    expect(r.reportFile).toBe(path.join(out, 'report.md'));
    expect(fs.readFileSync(r.reportFile, 'utf8')).toContain('DRY RUN');
    expect(text.trimEnd().split('\n').slice(-2)[0]).toBe(`Full report: ${r.reportFile}`);
    fs.rmSync(out, { recursive: true, force: true });
  }, 120_000);

  it('two-region-failure: the triggers refuse to dispatch, the drill stops before any failover', async () => {
    const out = tmp();
    const r = await runDrill({
      outDir: out,
      speed: 1000,
      prometheus: 'builtin',
      scenario: 'two-region-failure',
    });
    expect(r).toMatchObject({ verdict: 'escalated', ok: true });
    expect(r.incidentClass).toBeUndefined();
    expect(r.escalation?.reasons).toHaveLength(3);
    expect(r.rows.map((s) => s.stage)).toEqual(['triggers']);
    const journal = fs.readFileSync(r.journalFile, 'utf8');
    expect(journal).not.toMatch(/"phase":"(declare|drain|database|scale|traffic)"/);
    expect(summaryText(r)).toMatch(/ESCALATED[\s\S]*nothing was fenced, promoted or switched/);
    fs.rmSync(out, { recursive: true, force: true });
  }, 120_000);
});

describe('failover pipeline on the sandbox', () => {
  let sb: Sandbox;
  let dir: string;
  beforeEach(async () => {
    dir = tmp();
    sb = await startSandbox({ outDir: dir, speed: 1000, prometheus: 'builtin' });
    process.env.AEGIS_API_TOKEN = 'sandbox-token';
  });
  afterEach(async () => {
    await sb.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function failover(opts: { dryRun?: boolean; journal?: Journal } = {}) {
    const plan = await loadPlan(sb.planFile!);
    const run = createContext(opts.journal ?? new Journal(), { dryRun: opts.dryRun });
    const ctx = {
      plan,
      stacks: plan.stackNames,
      run,
      env: createEnvironment(plan),
      inputs: { 'incident-class': 'region-outage' },
    };
    return runFailover(ctx, plan.classes['region-outage']);
  }

  it('a dry-run of the whole failover makes zero data-changing calls', async () => {
    sb.applyScenario('region-outage');
    const r = await failover({ dryRun: true });
    expect(r.rows.some((x) => x.status === 'would-do')).toBe(true);
    expect(sb.world.monitor.mutations).toEqual([]);
  }, 60_000);

  it('a second full failover after the first changes nothing', async () => {
    sb.applyScenario('region-outage');
    const journal = new Journal();
    // verify's own probes (the end-to-end scan, the integrity Job) write by design; nothing else may
    const changes = () =>
      sb.world.monitor.mutations.filter(
        (m) => m.operation !== 'createScan' && !/aegis-integrity-/.test(m.target),
      );
    expect((await failover({ journal })).ok).toBe(true);
    const after = changes().length;
    const again = await failover({ journal });
    expect(again.ok).toBe(true);
    expect(changes().slice(after)).toEqual([]);
    expect([...sb.world.stacks.values()].map((s) => s.database.failovers)).toEqual([1, 1, 1]);
    expect(sb.world.monitor.splitBrain).toEqual([]);
  }, 60_000);

  it('a run that stops half-way (traffic refused) converges when started again', async () => {
    sb.applyScenario('region-outage');
    sb.faults.add({
      // the sandbox zone holds failover records: the switch is the primary health check's Inverted
      service: 'route53',
      operation: 'UpdateHealthCheck',
      kind: 'error',
      status: 400,
      times: 100,
    });
    sb.faults.add({ service: 'clouddns', kind: 'error', status: 400, times: 100 });
    const first = await failover();
    expect(first.ok).toBe(false);
    sb.faults.clear();
    const second = await failover();
    expect(second.ok).toBe(true);
    const state = sb.state() as any;
    for (const s of ['aws', 'azure', 'gcp']) {
      expect(state.stacks[s].traffic.active).toBe('dr');
      expect(state.stacks[s].database.failovers).toBe(1);
    }
    expect(state.monitor.splitBrainEver).toBe(false);
  }, 90_000);

  it('throttling on Route 53 is retried and the failover still completes', async () => {
    sb.applyScenario('region-outage');
    sb.faults.add({ service: 'route53', kind: 'throttle', nth: 1, retryAfterSeconds: 1 });
    const r = await failover();
    expect(r.ok).toBe(true);
    expect(sb.faults.log.some((l) => l.service === 'route53' && l.kind === 'throttle')).toBe(true);
  }, 60_000);
});
