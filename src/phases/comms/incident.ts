/**
 * The incident as the journal tells it: when it was declared, why, for which class and stacks,
 * each phase's state (the runbook's "Database failover: COMPLETE", "DNS update: IN PROGRESS
 * (propagating)", "DR cluster: SCALED (6/6 pods running)"), whether it is resolved (every stack
 * verified) and when. The notify and escalate phases read it; nothing here is typed by hand.
 */
import type { JournalRecord } from '../../engine/journal.js';
import type { IncidentClassName, Plan, ResolvedIncidentClass } from '../../plan/types.js';

/** Which set of templates an incident uses. */
export type IncidentKind = 'failover' | 'failback' | 'drill';

export interface PhaseState {
  phase: string;
  /** The runbook's name for it ("Database failover", "DNS update", "DR cluster"). */
  label: string;
  state: 'PENDING' | 'IN PROGRESS' | 'COMPLETE' | 'SCALED' | 'VERIFIED' | 'FAILED';
  /** What the journal adds ("propagating", "6/6 pods running", "Data integrity failed"). */
  detail?: string;
  /** First record of the phase (ms epoch) and, when done, the end of its last one. */
  startedAt?: number;
  endedAt?: number;
}

export interface Incident {
  /** A stable id: the run id and sequence number of the first declare record. */
  id: string;
  kind: IncidentKind;
  declaredAt: number;
  incidentClass: IncidentClassName;
  cls: ResolvedIncidentClass;
  reason: string;
  stacks: string[];
  /** The records from the declaration on (every run), in journal order. */
  records: JournalRecord[];
  phases: PhaseState[];
  /** Every stack's verify checks of the target passed: when the last one ended. */
  resolvedAt?: number;
  /** A verify check failed: which. */
  failedChecks: string[];
  /** Regions: left and moved to (of the first stack; every stack in `moves`). */
  moves: { stack: string; from: string; to: string }[];
  runUrl?: string;
}

const LABELS: Record<string, string> = {
  declare: 'Failover declared',
  drain: 'Drain in-flight requests',
  database: 'Database failover',
  scale: 'DR cluster',
  traffic: 'DNS update',
  verify: 'Verification',
  readiness: 'Readiness',
  failback: 'Failback',
};

const DONE = new Set(['done', 'skipped', 'unreachable']);

/** The newest incident of the journal, or undefined when nothing was declared. */
export function incidentFromJournal(
  records: JournalRecord[],
  plan: Plan,
  opts: { kind?: IncidentKind; stacks?: string[] } = {},
): Incident | undefined {
  const declares = records.filter(
    (r) =>
      r.phase === 'declare' && r.step === 'incident' && (!opts.stacks || opts.stacks.includes(r.stack ?? '')),
  );
  const last = declares.at(-1);
  if (!last) return undefined;
  // the incident's declare records: the newest run's, one per stack
  const mine = declares.filter((r) => r.runId === last.runId);
  const first = mine[0];
  const declaredAt = Math.min(...mine.map((r) => Date.parse(r.startedAt)));
  const d = first.data ?? {};
  const className = (
    typeof d.incidentClass === 'string' ? d.incidentClass : 'region-outage'
  ) as IncidentClassName;
  const cls = plan.classes[className] ?? plan.classes['region-outage'];
  const stacks = [...new Set(mine.map((r) => r.stack).filter((s): s is string => !!s))];
  const after = records.slice(records.indexOf(first)).filter((r) => !r.stack || stacks.includes(r.stack));
  const failbackAt = after.find((r) => r.phase === 'failback');
  const kind: IncidentKind = opts.kind ?? (failbackAt ? 'failback' : 'failover');
  const target = kind === 'failback' ? 'primary' : servingSite(cls);
  const scope = kind === 'failback' && failbackAt ? after.slice(after.indexOf(failbackAt)) : after;

  const phaseList =
    kind === 'failback' ? ['failback', 'verify'] : cls.phases.filter((p) => p !== 'readiness');
  const phases = phaseList.map((p) => phaseState(p, scope, stacks, target));
  const verify = scope.filter(
    (r) => r.phase === 'verify' && r.outcome === 'observed' && r.target.endsWith(`:${target}`),
  );
  const failedChecks = verify.filter((r) => r.data?.status === 'fail').map((r) => `${r.stack}: ${r.step}`);
  const verifiedStacks = stacks.filter((s) => {
    const own = verify.filter((r) => r.stack === s);
    return own.length > 0 && own.every((r) => r.data?.status === 'pass' || r.data?.status === 'warn');
  });
  const resolvedAt =
    failedChecks.length === 0 && verifiedStacks.length === stacks.length && stacks.length > 0
      ? Math.max(...verify.map((r) => Date.parse(r.endedAt)))
      : undefined;
  const moves = stacks.map((s) => {
    const st = plan.stack(s);
    if (kind === 'failback') return { stack: s, from: st.dr.region, to: st.primary.region };
    return { stack: s, from: st.primary.region, to: target === 'primary' ? st.primary.region : st.dr.region };
  });
  return {
    id: `${first.runId.slice(0, 8)}-${first.seq}`,
    kind,
    declaredAt,
    incidentClass: cls.name,
    cls,
    reason: typeof d.reason === 'string' ? d.reason : 'not given',
    stacks,
    records: after,
    phases,
    resolvedAt,
    failedChecks,
    moves,
    runUrl: first.runUrl,
  };
}

/** Where a class leaves the service (a DB-only in-region failover stays on primary). */
export function servingSite(cls: ResolvedIncidentClass): 'primary' | 'dr' {
  const dbOnly = !cls.phases.includes('traffic') && cls.phases.includes('database');
  return dbOnly && ['in-region', 'point-in-time'].includes(cls.databaseMode) ? 'primary' : 'dr';
}

function span(rs: JournalRecord[]): { startedAt?: number; endedAt?: number } {
  if (!rs.length) return {};
  return {
    startedAt: Math.min(...rs.map((r) => Date.parse(r.startedAt))),
    endedAt: Math.max(...rs.map((r) => Date.parse(r.endedAt))),
  };
}

/** One phase's state across the incident's stacks, from its records. */
function phaseState(phase: string, records: JournalRecord[], stacks: string[], target: string): PhaseState {
  const label = LABELS[phase] ?? phase;
  const own = records.filter((r) => r.phase === phase);
  const base = { phase, label };
  if (own.length === 0) return { ...base, state: 'PENDING' };
  const { startedAt, endedAt } = span(own);
  const bad = own.filter((r) => r.outcome === 'failed' || r.outcome === 'refused');
  const perStack = (ok: (rs: JournalRecord[]) => boolean) =>
    stacks.every((s) => ok(own.filter((r) => r.stack === s)));
  if (phase === 'verify') {
    const checks = own.filter((r) => r.outcome === 'observed' && r.target.endsWith(`:${target}`));
    const failed = checks.filter((r) => r.data?.status === 'fail');
    if (failed.length)
      return {
        ...base,
        state: 'FAILED',
        detail: [...new Set(failed.map((r) => r.step))].join(', '),
        startedAt,
      };
    const done = perStack((rs) => rs.some((r) => r.step === 'Error rate' || r.step === 'Data integrity'));
    return done
      ? { ...base, state: 'VERIFIED', detail: `${checks.length} checks passed`, startedAt, endedAt }
      : { ...base, state: 'IN PROGRESS', detail: `${checks.length} checks so far`, startedAt };
  }
  if (bad.length) return { ...base, state: 'FAILED', detail: bad[0].error ?? bad[0].step, startedAt };
  if (phase === 'scale') {
    const rollouts = own.filter((r) => r.step === 'rollout' && DONE.has(r.outcome));
    const pods = rollouts.reduce(
      (a, r) => {
        const after = (r.after ?? {}) as { ready?: number; replicas?: number };
        return { ready: a.ready + (after.ready ?? 0), want: a.want + (after.replicas ?? 0) };
      },
      { ready: 0, want: 0 },
    );
    const done = perStack((rs) => rs.some((r) => r.step === 'rollout' && DONE.has(r.outcome)));
    return done
      ? { ...base, state: 'SCALED', detail: `${pods.ready}/${pods.want} pods running`, startedAt, endedAt }
      : { ...base, state: 'IN PROGRESS', detail: 'node pool growing', startedAt };
  }
  if (phase === 'traffic') {
    const switched = perStack((rs) => rs.some((r) => r.step === 'switch' && DONE.has(r.outcome)));
    const confirmed = perStack((rs) => rs.some((r) => r.step === 'dns-confirm' && DONE.has(r.outcome)));
    if (confirmed) return { ...base, state: 'COMPLETE', startedAt, endedAt };
    return { ...base, state: 'IN PROGRESS', detail: switched ? 'propagating' : 'switching', startedAt };
  }
  if (phase === 'database') {
    const done = perStack((rs) => rs.some((r) => r.step === 'failover' && DONE.has(r.outcome)));
    return done
      ? { ...base, state: 'COMPLETE', startedAt, endedAt }
      : { ...base, state: 'IN PROGRESS', startedAt };
  }
  if (phase === 'failback') {
    const done = perStack((rs) => rs.some((r) => r.step === 'switch' && DONE.has(r.outcome)));
    return done
      ? { ...base, state: 'COMPLETE', startedAt, endedAt }
      : { ...base, state: 'IN PROGRESS', startedAt };
  }
  // declare, drain: done when every stack has a finished record
  const done = perStack((rs) => rs.some((r) => DONE.has(r.outcome) || r.outcome === 'observed'));
  return done
    ? { ...base, state: 'COMPLETE', startedAt, endedAt }
    : { ...base, state: 'IN PROGRESS', startedAt };
}
