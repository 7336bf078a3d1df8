/**
 * `aegis-dr drill`: the main job. Without a plan it starts the embedded sandbox, injects the
 * scenario (region outage by default), evaluates the triggers until they fire, then runs
 * readiness, the failover for the incident class, verify, the data sync (dry-run, execute),
 * failback and verify again. It prints live progress, then a timeline with the measured RTO and
 * RPO of each stack against the class targets, and writes the journal.
 */
import { redact } from '../engine/redact.js';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../engine/errors.js';
import { Journal, type JournalRecord } from '../engine/journal.js';
import { peakInWindow, sharedLimiters } from '../engine/ratelimit.js';
import { createContext, pollUntil, type ProgressEvent } from '../engine/step.js';
import { loadPlan } from '../plan/load.js';
import type { IncidentClassName, Plan } from '../plan/types.js';
import { applyFence } from '../phases/drain.js';
import { createEnvironment } from '../phases/environment.js';
import { failbackStack } from '../phases/failback.js';
import { stackFigures } from '../phases/report.js';
import { readinessRows } from '../phases/readiness.js';
import { forEachStack } from '../phases/shared/context.js';
import { INCIDENT_CLASSES } from '../phases/shared/inputs.js';
import { reprotectUntilHealthy } from '../phases/reprotect.js';
import { syncStack } from '../phases/sync.js';
import { pickStacks, selectStacks } from '../phases/runner.js';
import { decide, evaluateStacks } from '../phases/triggers.js';
import type { PhaseContext, ResultRow } from '../phases/types.js';
import { writeDrillEvidence, type DrillEvidence } from '../report/evidence.js';
import type { RequestSummary } from '../sandbox/requests.js';
import type { DurationMode } from '../sandbox/world.js';
import { journalGateOverride } from '../phases/recovered.js';
import { DR_CHECKS } from '../phases/escalate.js';
import { drillComms } from './comms.js';
import { runFailover, servingSite } from './pipeline.js';
import { rtoOf, summaryText, timeline } from './summary.js';

export { summaryText, timeline } from './summary.js';
import { clip } from '../engine/clip.js';
import type { Grants } from '../sandbox/iam.js';

export interface DrillOptions {
  plan?: string;
  /** How the sandbox plan's sites reach their clusters (sandbox drills only; default kubeconfig). */
  clusterAccess?: 'kubeconfig' | 'cloud';
  scenario?: string;
  incidentClass?: IncidentClassName;
  stack?: string;
  dryRun?: boolean;
  speed?: number;
  /** How the sandbox picks cloud durations within their ranges (default random). */
  durations?: DurationMode;
  journalFile?: string;
  outDir?: string;
  prometheus?: 'auto' | 'real' | 'builtin';
  progress?: (e: ProgressEvent) => void;
  log?: (line: string) => void;
  /** Skip failback (e.g. a failover-only drill). */
  noFailback?: boolean;
  /**
   * Where to write the Markdown report (default: report.md in the drill's folder; always written):
   * the drill's summary and timeline, then the report built from the journal file by the `report`
   * phase (chain check, RTO/RPO per stack, overrides, failed steps).
   */
  reportFile?: string;
}

export interface StackOutcome {
  stack: string;
  /** RTO "verified": from the declaration to the end of the last verify check (all passed). */
  rtoMs?: number;
  /** RTO "service restored": from the declaration to the first healthy answer through the public name. */
  rtoRestoredMs?: number;
  rpoSeconds?: number;
  rtoTargetMs: number;
  rpoTargetMs: number;
  rtoMet: boolean;
  rpoMet: boolean;
  verified: boolean;
}

export interface DrillResult {
  ok: boolean;
  /**
   * passed / failed; dry-run (nothing verified, whatever the rows say); escalated (the triggers
   * refused to dispatch: both regions unhealthy; or readiness found the DR site unhealthy: no
   * failover ran, the escalation rule engaged its people).
   */
  verdict: 'passed' | 'failed' | 'dry-run' | 'escalated';
  /** The class the failover ran for (none when the triggers escalated instead). */
  incidentClass?: IncidentClassName;
  scenario?: string;
  /** When the failover was declared (the origin of every T+), ISO; absent when none was. */
  declaredAt?: string;
  /**
   * Why the drill escalated instead of failing over: the rule (two-region-failure: the triggers
   * refused to dispatch; dr-unhealthy: readiness found the DR site unhealthy), what was seen, and
   * the rules the escalate phase fired (each engaged its channels once).
   */
  escalation?: { rule?: 'two-region-failure' | 'dr-unhealthy'; reasons: string[]; fired?: string[] };
  /** The Markdown report (always written, in the drill's folder unless --report names a file). */
  reportFile: string;
  stacks: StackOutcome[];
  rows: { stage: string; rows: ResultRow[] }[];
  journalFile: string;
  timeline: string;
  sandbox?: {
    speed: number;
    prometheus: string;
    mutations: number;
    splitBrain: boolean;
    failovers: Record<string, number>;
    /** How the sandbox picked its durations (random, low, mean, high). */
    durations: DurationMode;
    /** Requests the emulated services received: the whole drill, and each stage. */
    requests: RequestSummary & { stages: (RequestSummary & { stage: string })[] };
  };
  /** The failover of all stacks against what the sandbox's durations allow (sandbox drills). */
  figures?: FailoverBenchmark;
  /** The failback (from its first step to the primary verified) against the same (sandbox drills with failback). */
  failbackFigures?: FailoverBenchmark;
  /** The report and incident chart written into the drill folder (src/report/evidence.ts). */
  evidence?: DrillEvidence;
}

/** Measured failover time against the critical path and the runbook done step after step. */
export interface FailoverBenchmark {
  /** From the first failover step's start to the end of the last verify check of the failover. */
  failoverMs: number;
  /** Longest chain of the sandbox's own durations (stacks in parallel); see critical-path.ts. */
  criticalPathMs: number;
  /** failoverMs / criticalPathMs (target <= 1.10). */
  criticalPathRatio: number;
  /** Every runbook operation one after another, stack after stack. */
  sequentialMs: number;
  /** failoverMs / sequentialMs (target <= 0.6). */
  sequentialRatio: number;
  /** Which durations the two figures use (the mean of each range when the sandbox draws them at random). */
  pick: 'low' | 'mean' | 'high';
  /** Per stack: measured (first failover step to its last verify) and its own critical path. */
  stacks: { stack: string; failoverMs: number; criticalPathMs: number; sequentialMs: number }[];
  /** Requests the sandbox received during the failover, per service. */
  requests: RequestSummary;
  /** Route 53 requests in the busiest sliding second: as the sandbox saw them, and as the client's limiter let them through (target <= 5). */
  route53PeakPerSecond: { sandbox: number; limiter?: number };
}

const SCENARIO_CLASS: Record<string, IncidentClassName> = {
  'region-outage': 'region-outage',
  'database-corruption': 'database-corruption',
  'network-partition': 'network-partition',
  'compute-failure': 'compute-failure',
  'corrupted-replica': 'region-outage',
  'failover-past-rto': 'region-outage',
};

export async function runDrill(opts: DrillOptions): Promise<DrillResult> {
  const log = opts.log ?? (() => undefined);
  const scenario = opts.plan ? opts.scenario : (opts.scenario ?? 'region-outage');
  const cls: IncidentClassName =
    opts.incidentClass ?? (scenario ? SCENARIO_CLASS[scenario] : undefined) ?? 'region-outage';
  if (!INCIDENT_CLASSES.includes(cls))
    throw new UserError(`--class is "${clip(cls)}": expected one of ${INCIDENT_CLASSES.join(', ')}.`);
  // A mistyped scenario or stack is refused before the sandbox starts or the drill folder exists.
  let plan: Plan | undefined;
  if (opts.plan) {
    plan = await loadPlan(opts.plan);
    selectStacks(plan, opts.stack);
  } else {
    const { checkScenario } = await import('../sandbox/scenarios.js');
    const { SANDBOX_STACKS } = await import('../sandbox/index.js');
    checkScenario(scenario!);
    pickStacks(SANDBOX_STACKS, opts.stack, 'the sandbox');
  }
  const outDir = path.resolve(
    opts.outDir ?? path.join('.aegis-dr', `drill-${new Date().toISOString().replace(/[:.]/g, '-')}`),
  );
  fs.mkdirSync(outDir, { recursive: true });
  const journalFile = path.resolve(opts.journalFile ?? path.join(outDir, 'journal.jsonl'));
  const reportFile = path.resolve(opts.reportFile ?? path.join(outDir, 'report.md'));

  let sandbox: Awaited<ReturnType<typeof import('../sandbox/index.js').startSandbox>> | undefined;
  if (!plan) {
    const { startSandbox } = await import('../sandbox/index.js');
    const { identityGrants } = await import('../permissions/index.js');
    sandbox = await startSandbox({
      // each identity gets exactly its generated policy: a call nobody declared fails the drill
      enforcePermissions: (await identityGrants()) as Grants,
      speed: opts.speed ?? 600,
      durations: opts.durations,
      outDir,
      prometheus: opts.prometheus ?? 'auto',
      clusterAccess: opts.clusterAccess,
      // the applications read their writer from a ConfigMap / Secret key: the drill proves the bind step
      bindings: true,
    });
    for (const n of sandbox.notes) log(`note: ${n}`);
    log(
      `sandbox: ${Object.keys(sandbox.endpoints).length} endpoints on 127.0.0.1, speed ${sandbox.world.speed}x, Prometheus ${sandbox.prometheus.kind}; plan ${sandbox.planFile}`,
    );
    plan = await loadPlan(sandbox.planFile!);
    process.env[plan.doc.application.tokenEnv] ??= 'sandbox-token';
    // the messaging emulators' credentials, under the sandbox plan's own variable names
    Object.assign(process.env, sandbox.comms.env);
    if (scenario === 'failover-past-rto') {
      plan.classes[cls] = { ...plan.classes[cls], rtoMs: 2000 };
      log(`scenario failover-past-rto: the ${cls} RTO is set to 2 s, less than the failover takes`);
    }
  }
  try {
    const journal = new Journal({
      file: journalFile,
      actor: process.env.GITHUB_ACTOR ?? process.env.USER ?? 'drill',
    });
    const run = createContext(journal, { dryRun: opts.dryRun ?? false, progress: opts.progress });
    const stacks = selectStacks(plan, opts.stack);
    const env = createEnvironment(plan);
    // Load every SDK now, before the incident: importing them holds the event loop for a second
    // or more, which in a sandbox drill is also the loop that serves /metrics to Prometheus.
    await Promise.all(
      stacks.flatMap((s) => [env.providers(s), env.cluster(s, 'primary'), env.cluster(s, 'dr')]),
    );
    const ctx = (inputs: Record<string, string | undefined> = {}): PhaseContext => ({
      plan,
      stacks,
      run,
      env,
      inputs: { 'incident-class': cls, ...inputs },
    });
    const base = ctx();
    const stages: DrillResult['rows'] = [];
    // Each stage spans from the end of the one before it to its own end (for the request counts).
    const spans: { stage: string; from: number; to: number }[] = [];
    let stageFrom = Date.now();
    const stage = (name: string, rows: ResultRow[]) => {
      stages.push({ stage: name, rows });
      spans.push({ stage: name, from: stageFrom, to: Date.now() });
      stageFrom = Date.now();
      const bad = rows.filter((r) => r.status === 'fail');
      log(`== ${name}: ${bad.length ? `${bad.length} failed` : 'ok'}`);
      for (const r of bad) log(`   FAIL ${r.stack ?? ''} ${r.item}: ${r.detail}`);
      return bad.length === 0;
    };
    const classDef = plan.classes[cls];
    // a scenario the runbook answers with an escalation, never an automatic failover
    const escalates =
      sandbox && scenario ? (await import('../sandbox/scenarios.js')).escalates(scenario) : false;

    // 1. the incident
    const started = Date.now();
    if (sandbox && scenario) log(`scenario ${scenario}: ${sandbox.applyScenario(scenario, stacks)}`);

    // 2. triggers: evaluate until they decide (the sandbox's Prometheus needs a few scrapes)
    let triggerRows: ResultRow[] = [];
    let escalation: DrillResult['escalation'];
    if (
      plan.doc.prometheus &&
      sandbox &&
      (escalates ||
        (SCENARIO_CLASS[scenario ?? ''] && ['region-outage', 'database-corruption'].includes(cls)))
    ) {
      const deadline = plan.limits.triggers.intervalMs * (plan.limits.triggers.consecutive + 2) + 30_000;
      try {
        const d = await pollUntil(
          run,
          escalates ? 'the triggers to decide' : 'failover triggers to fire',
          async () => {
            const dec = decide(base, await evaluateStacks(base));
            triggerRows = dec.rows;
            // lag alone pages (RPO at risk) and never dispatches: that is a decision too
            return dec.fire || dec.twoRegion || dec.rpoAtRisk.length > 0 ? dec : undefined;
          },
          deadline,
          500,
        );
        if (d.twoRegion) {
          escalation = { rule: 'two-region-failure', reasons: d.reasons };
          log(`triggers refused to dispatch a failover: ${d.reasons.join('; ')}`);
        } else if (!d.fire)
          log(
            `triggers paged, no failover dispatched: ${d.reasons.join('; ')}; the drill goes on as a manual failover`,
          );
        else log(`triggers fired: ${d.incidentClass} (${d.reasons.join('; ')})`);
        journal.append({
          phase: 'triggers',
          step: 'evaluate',
          target: 'prometheus',
          outcome: 'observed',
          startedAt: new Date(started).toISOString(),
          endedAt: new Date().toISOString(),
          durationMs: Date.now() - started,
          attempts: 1,
          dryRun: run.dryRun,
          data: {
            fire: d.fire,
            twoRegion: d.twoRegion,
            incidentClass: d.incidentClass,
            reasons: d.reasons,
            rpoAtRisk: d.rpoAtRisk,
            expectedRpoSeconds: d.expectedRpoSeconds,
          },
        });
      } catch (err) {
        log(
          escalates
            ? `triggers did not decide: ${(err as Error).message}`
            : `triggers did not fire: ${(err as Error).message}; the drill goes on as a manual failover`,
        );
      }
      stage('triggers', triggerRows);
    }
    if (escalates) {
      // The runbook's answer to a two-region failure is people, not a pipeline: show the decision,
      // engage the executive team (BCP) through the escalate phase, and stop. Nothing is fenced,
      // promoted or switched.
      if (escalation) {
        const c = drillComms(ctx({ 'time-scale': String(sandbox?.world.speed ?? 1) }), outDir, log);
        await c.tick();
        escalation.fired = c.escalated;
      }
      const result: DrillResult = {
        ok: escalation !== undefined,
        verdict: escalation ? 'escalated' : 'failed',
        scenario,
        escalation,
        stacks: [],
        rows: stages,
        journalFile,
        reportFile,
        timeline: timeline(journal.thisRun(), started, undefined),
      };
      writeDrillFiles(result, outDir, journal, plan, stacks, sandbox?.world.speed, log);
      return result;
    }

    // 3. readiness, on series Prometheus scraped after the incident (never on stale ones)
    await sandbox?.metricsCurrent();
    const ready = await forEachStack(base, (s) => readinessRows(base, s));
    stage('readiness', ready.rows);
    const comms = drillComms(
      ctx({ kind: 'drill', 'time-scale': String(sandbox?.world.speed ?? 1) }),
      outDir,
      log,
    );
    await comms.tick();
    // The runbook's "DR environment unhealthy": contact the Platform team; never fail over to a DR
    // site readiness found unhealthy (the tick above ran the escalate phase on these rows).
    const drBad = ready.rows.filter((r) => r.status === 'fail' && DR_CHECKS.has(r.item));
    if (drBad.length && !run.dryRun) {
      log('readiness found the DR site unhealthy: no failover to it (escalated to the Platform team)');
      const result: DrillResult = {
        ok: comms.escalated.includes('dr-unhealthy'),
        verdict: 'escalated',
        scenario,
        escalation: {
          rule: 'dr-unhealthy',
          reasons: drBad.map((r) => `${r.stack ?? ''} ${r.item}: ${r.detail}`.trim()),
          fired: comms.escalated,
        },
        stacks: [],
        rows: stages,
        journalFile,
        reportFile,
        timeline: timeline(journal.thisRun(), started, undefined),
      };
      writeDrillFiles(result, outDir, journal, plan, stacks, sandbox?.world.speed, log);
      return result;
    }

    // 4. failover for the class (per stack, all stacks at once), including verify
    const declaredAt = Date.now();
    opts.progress?.({ type: 'origin', at: declaredAt, what: 'failover declared' });
    const firstFailoverRecord = journal.thisRun().length;
    comms.start(250);
    const failover = await runFailover(ctx({ reason: `drill: ${scenario ?? 'manual'}` }), classDef).finally(
      () => comms.stop(),
    );
    await comms.tick();
    const failoverOk = stage(`failover (${cls})`, failover.rows);
    const failoverRecords = journal.thisRun().slice(firstFailoverRecord);

    // 5. failback: the primary recovers, data sync dry-run then execute, failback, verify
    let failbackOk = true;
    let recoveredAt: number | undefined;
    if (!opts.noFailback && !run.dryRun && servingSite(classDef) === 'dr' && failoverOk) {
      if (sandbox) log(`scenario primary-recovered: ${sandbox.applyScenario('primary-recovered', stacks)}`);
      recoveredAt = Date.now();
      // The fence set while the primary was unreachable may never have landed: reconcile it now,
      // before the recovered region's pods can take writes.
      const refence = await forEachStack(base, (s) => applyFence(base, 'declare', s, 'primary'));
      failbackOk = stage('fence recovered primary', refence.rows) && failbackOk;
      const syncDry = await forEachStack(base, (s) => syncStack(base, s, 'dry-run'));
      failbackOk = stage('sync (dry-run)', syncDry.rows) && failbackOk;
      if (failbackOk) {
        const syncExec = await forEachStack(base, (s) => syncStack(base, s, 'execute'));
        failbackOk = stage('sync (execute)', syncExec.rows) && failbackOk;
      }
      // RDS / Cloud SQL: a promoted replica never becomes one again; reprotect builds a replica of
      // the DR writer in the primary region and the drill waits for it (a real pipeline runs
      // reprotect again later instead)
      if (failbackOk) {
        const deadline = plan.limits.deadlinesMs.database;
        const rep = await forEachStack(base, (s) => reprotectUntilHealthy(base, s, deadline));
        failbackOk = stage('reprotect', rep.rows) && failbackOk;
      }
      if (failbackOk) {
        // the sandbox cannot wait the plan's hours of healthy primary: the gate is reported, not enforced
        const fbCtx = ctx(
          sandbox
            ? {
                'skip-health-gate': 'true',
                'override-reason': 'sandbox drill: the emulated primary has no hours of health history',
              }
            : {},
        );
        if (sandbox) journalGateOverride(fbCtx, 'failback', 0);
        const fb = await forEachStack(fbCtx, (s) => failbackStack(fbCtx, s));
        failbackOk = stage('failback', fb.rows);
        if (failbackOk) {
          // the reverse reprotect: a replica of the primary writer in DR, then DR's fence lifted
          const deadline = plan.limits.deadlinesMs.database;
          const rev = await forEachStack(base, (s) => reprotectUntilHealthy(base, s, deadline));
          failbackOk = stage('reprotect (reverse)', rev.rows) && failbackOk;
        }
      }
    }

    // 6. outcomes per stack
    const outcomes: StackOutcome[] = stacks.map((s) => {
      // the RPO as the report reads it from the journal (the lag recorded at promotion)
      const { rpoSeconds } = stackFigures(journal.thisRun(), plan, s);
      const { restoredMs, verifiedMs } = rtoOf(failoverRecords, s, declaredAt);
      const verified =
        !run.dryRun &&
        verifiedMs !== undefined &&
        failover.rows.filter((r) => r.stack === s).every((r) => r.status !== 'fail');
      const rtoMs = verified ? verifiedMs : undefined;
      return {
        stack: s,
        rtoMs,
        rtoRestoredMs: restoredMs,
        rpoSeconds,
        rtoTargetMs: classDef.rtoMs,
        rpoTargetMs: classDef.rpoMs,
        rtoMet: verified && rtoMs !== undefined && rtoMs <= classDef.rtoMs,
        rpoMet:
          rpoSeconds === undefined
            ? !classDef.phases.includes('database')
            : rpoSeconds * 1000 <= classDef.rpoMs,
        verified,
      };
    });
    const ok = failoverOk && failbackOk && outcomes.every((o) => o.verified && o.rtoMet && o.rpoMet);
    const monitor = sandbox?.world.monitor.toJSON();
    const dryOk = failover.rows.every((r) => r.status !== 'fail');
    const result: DrillResult = {
      ok: run.dryRun ? dryOk : ok,
      verdict: run.dryRun ? (dryOk ? 'dry-run' : 'failed') : ok ? 'passed' : 'failed',
      incidentClass: cls,
      scenario,
      declaredAt: new Date(declaredAt).toISOString(),
      stacks: outcomes,
      rows: stages,
      journalFile,
      reportFile,
      timeline: timeline(journal.thisRun(), started, declaredAt),
      sandbox: sandbox
        ? {
            speed: sandbox.world.speed,
            prometheus: sandbox.prometheus.kind,
            mutations: monitor!.mutationCount,
            splitBrain: monitor!.splitBrainEver,
            failovers: Object.fromEntries(
              [...sandbox.world.stacks.values()].map((s) => [s.name, s.database.failovers]),
            ),
            durations: sandbox.world.durations,
            requests: {
              ...sandbox.world.requests.summary(),
              stages: spans.map((sp) => ({
                stage: sp.stage,
                ...sandbox!.world.requests.summary(sp.from, sp.to),
              })),
            },
          }
        : undefined,
    };
    if (sandbox && !run.dryRun && cls === 'region-outage') {
      result.figures = await failoverBenchmark(sandbox.world, plan, stacks, failoverRecords);
      const fb = spans.find((sp) => sp.stage === 'failback');
      if (fb && failbackOk) {
        const inSpan = journal
          .thisRun()
          .filter((r) => Date.parse(r.startedAt) >= fb.from && Date.parse(r.endedAt) <= fb.to);
        // the region's nodes come back REGION_RECOVERY_CLOUD_SECONDS after it recovered: what is left then
        const { REGION_RECOVERY_CLOUD_SECONDS } = await import('../sandbox/scenarios.js');
        const nodesReadyAt = (recoveredAt ?? fb.from) + sandbox.world.realMs(REGION_RECOVERY_CLOUD_SECONDS);
        const leftMs = Math.max(0, nodesReadyAt - fb.from);
        result.failbackFigures = await failoverBenchmark(sandbox.world, plan, stacks, inSpan, {
          kind: 'failback',
          regionRecoveryCloudSeconds: (leftMs / 1000) * sandbox.world.speed,
        });
      }
    }
    if (result.sandbox?.splitBrain) {
      result.ok = false;
      result.verdict = 'failed';
    }
    writeDrillFiles(result, outDir, journal, plan, stacks, sandbox?.world.speed, log);
    return result;
  } finally {
    await sandbox?.close();
  }
}

/**
 * The drill's files: report.md in the drill folder (the report built from the journal, with its
 * incident chart, src/report/evidence.ts, under the drill's summary and timeline), a copy at
 * --report when one is named, and drill-result.json.
 */
function writeDrillFiles(
  result: DrillResult,
  outDir: string,
  journal: Journal,
  plan: Plan,
  stacks: string[],
  speed: number | undefined,
  log: (line: string) => void,
): void {
  const preface = `\`\`\`\n${summaryText(result, { paths: false })}\n\`\`\`\n\n## Timeline\n\n\`\`\`\n${result.timeline}\n\`\`\``;
  result.evidence = writeDrillEvidence(outDir, journal, plan, { stacks, speed, preface });
  if (result.reportFile !== result.evidence.report) {
    fs.mkdirSync(path.dirname(result.reportFile), { recursive: true });
    fs.copyFileSync(result.evidence.report, result.reportFile);
  }
  if (result.evidence.chart) log(`incident chart: ${result.evidence.chart}`);
  fs.writeFileSync(path.join(outDir, 'drill-result.json'), redact(JSON.stringify(result, null, 2) + '\n'));
}

/**
 * The failover's (or the failback's) figures: measured from the journal records of its stage
 * (first step start to last verify end), next to the critical path and the sequential runbook time computed
 * from the sandbox's durations, with the requests the sandbox received in that window.
 */
export async function failoverBenchmark(
  world: import('../sandbox/world.js').World,
  plan: Plan,
  stacks: string[],
  records: JournalRecord[],
  failback?: { kind: 'failback'; regionRecoveryCloudSeconds: number },
): Promise<FailoverBenchmark | undefined> {
  const { failoverFigures } = await import('./critical-path.js');
  const steps = records.filter((r) => r.stack && stacks.includes(r.stack));
  const verify = steps.filter((r) => r.phase === 'verify');
  if (steps.length === 0 || verify.length === 0) return undefined;
  const from = Math.min(...steps.map((r) => Date.parse(r.startedAt)));
  const to = Math.max(...verify.map((r) => Date.parse(r.endedAt)));
  const pick = world.durations === 'random' ? 'mean' : world.durations;
  const figures = failoverFigures(
    stacks.map((s) => ({ stack: s, cloud: plan.stack(s).cloud })),
    world.speed,
    { pick, errorWindowMs: plan.limits.errorRateWindowMs, ...failback },
  );
  const per = figures.stacks.map((f) => {
    const mine = steps.filter((r) => r.stack === f.stack);
    const start = Math.min(...mine.map((r) => Date.parse(r.startedAt)));
    const end = Math.max(...mine.filter((r) => r.phase === 'verify').map((r) => Date.parse(r.endedAt)));
    return {
      stack: f.stack,
      failoverMs: end - start,
      criticalPathMs: f.criticalPathMs,
      sequentialMs: f.sequentialMs,
    };
  });
  const requests = world.requests.summary(from, to + 1);
  const limiterCalls = [...sharedLimiters()]
    .filter(([key]) => key.startsWith('route53 '))
    .flatMap(([, l]) => l.calls.filter((t) => t >= from && t <= to))
    .sort((a, b) => a - b);
  const failoverMs = to - from;
  return {
    failoverMs,
    criticalPathMs: figures.criticalPathMs,
    criticalPathRatio: failoverMs / figures.criticalPathMs,
    sequentialMs: figures.sequentialMs,
    sequentialRatio: failoverMs / figures.sequentialMs,
    pick,
    stacks: per,
    requests,
    route53PeakPerSecond: {
      sandbox: requests.services.route53?.peakPerSecond ?? 0,
      limiter: stacks.some((s) => plan.stack(s).cloud === 'aws') ? peakInWindow(limiterCalls) : undefined,
    },
  };
}

/** The sandbox speed at which `npm run bench` measures the failover ratios against their targets. */
export const BENCH_SPEED = 10;
