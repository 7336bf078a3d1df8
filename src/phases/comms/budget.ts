/**
 * The live RTO budget: from the declaration and the remaining critical path of the class's
 * phases, each phase's time spent, time left and the projected finish, against the class RTO.
 *
 * A stack fails over along  declare -> [drain -> database] || [scale] -> traffic -> verify
 * (the pipeline of src/drill/pipeline.ts). A finished phase counts what it took; a running one
 * what its expected duration leaves (never less than zero); a pending one its whole expected
 * duration, starting when its predecessors are projected to end. Expected durations are the
 * medians of the same phase in earlier runs of the journal (drills) where there are any, else the
 * published upper bounds below, the same figures the sandbox schedules with
 * (src/sandbox/world.ts DURATIONS; a test keeps the two equal):
 * - RDS PromoteReadReplica "a few minutes", up to 120 s here
 *   (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Promote.html);
 * - Azure SQL failover group failover, 30-90 s; Cloud SQL failover/promotion 30-60 s;
 * - Route 53 changes reach INSYNC "within 60 seconds"
 *   (https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetChange.html);
 *   Traffic Manager and Cloud DNS within 30 s;
 * - new nodes Ready 60-180 s, pods 5-15 s, a Job 5-20 s, the drain up to 30 s;
 * - verify: the integrity Job and the scan, plus the plan's error-rate window.
 */
import type { JournalRecord } from '../../engine/journal.js';
import type { CloudName, Plan } from '../../plan/types.js';
import type { Incident } from './incident.js';

/** Published upper bounds, seconds, per phase and cloud (see the header for the sources). */
export const PUBLISHED_SECONDS: Record<string, Record<CloudName, number>> = {
  declare: { aws: 0, azure: 0, gcp: 0 },
  drain: { aws: 30, azure: 30, gcp: 30 },
  database: { aws: 120, azure: 90, gcp: 60 },
  scale: { aws: 180 + 15, azure: 180 + 15, gcp: 180 + 15 },
  traffic: { aws: 60, azure: 30, gcp: 30 },
  verify: { aws: 20, azure: 20, gcp: 20 },
  failback: { aws: 120 + 60, azure: 90 + 30, gcp: 60 + 30 },
};

/** What each phase waits for in the pipeline. */
const AFTER: Record<string, string[]> = {
  declare: [],
  drain: ['declare'],
  database: ['drain'],
  scale: ['declare'],
  traffic: ['database', 'scale'],
  verify: ['traffic', 'database', 'scale', 'failback'],
  failback: [],
};

export interface BudgetRow {
  phase: string;
  label: string;
  state: string;
  /** Expected duration and where the figure comes from. */
  expectedMs: number;
  source: 'published' | 'earlier drills';
  spentMs: number;
  leftMs: number;
  /** Projected end (epoch ms). */
  projectedEnd: number;
}

export interface Budget {
  declaredAt: number;
  now: number;
  rtoMs: number;
  /** When the RTO runs out (epoch ms). */
  deadline: number;
  elapsedMs: number;
  /** Projected end of the whole failover (epoch ms): the latest projected phase end. */
  projectedFinish: number;
  /** The projection passes the RTO. */
  projectedOver: boolean;
  /** The RTO has passed without a resolution. */
  over: boolean;
  /** What is left of the RTO at `now` (or at the resolution): negative once the RTO has passed. */
  remainingMs: number;
  rows: BudgetRow[];
}

/** Median duration of each phase per earlier run (other than the incident's), in ms. */
export function drillMedians(records: JournalRecord[], excludeRun: string): Record<string, number> {
  const per = new Map<string, number[]>();
  const groups = new Map<string, JournalRecord[]>();
  for (const r of records) {
    if (r.runId === excludeRun || r.dryRun || !r.stack) continue;
    const k = `${r.runId}|${r.stack}|${r.phase}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  for (const [k, rs] of groups) {
    const phase = k.split('|')[2];
    const ms =
      Math.max(...rs.map((r) => Date.parse(r.endedAt))) - Math.min(...rs.map((r) => Date.parse(r.startedAt)));
    per.set(phase, [...(per.get(phase) ?? []), ms]);
  }
  const out: Record<string, number> = {};
  for (const [phase, xs] of per) {
    xs.sort((a, b) => a - b);
    const m = xs.length >> 1;
    out[phase] = xs.length % 2 ? xs[m] : (xs[m - 1] + xs[m]) / 2;
  }
  return out;
}

/** The budget of `incident` at `now`, with `history` the whole journal (for earlier drills). */
export function rtoBudget(
  incident: Incident,
  plan: Plan,
  history: JournalRecord[],
  now: number = Date.now(),
  opts: { speed?: number } = {},
): Budget {
  const speed = opts.speed ?? 1;
  const clouds = incident.stacks.map((s) => plan.stack(s).cloud as CloudName);
  const firstRun = incident.records[0]?.runId ?? '';
  const medians = drillMedians(history, firstRun);
  const ends = new Map<string, number>();
  const rows: BudgetRow[] = [];
  for (const p of incident.phases) {
    const published =
      (Math.max(0, ...clouds.map((c) => PUBLISHED_SECONDS[p.phase]?.[c] ?? 0)) * 1000 +
        (p.phase === 'verify' ? plan.limits.errorRateWindowMs * speed : 0)) /
      speed;
    const fromDrills = medians[p.phase];
    const expectedMs = fromDrills ?? published;
    const depsEnd = Math.max(
      incident.declaredAt,
      ...(AFTER[p.phase] ?? []).map((d) => ends.get(d) ?? incident.declaredAt),
    );
    let spentMs: number;
    let leftMs: number;
    let projectedEnd: number;
    if (p.endedAt !== undefined && p.state !== 'IN PROGRESS' && p.state !== 'FAILED') {
      spentMs = p.endedAt - (p.startedAt ?? p.endedAt);
      leftMs = 0;
      projectedEnd = p.endedAt;
    } else if (p.startedAt !== undefined) {
      spentMs = Math.max(0, now - p.startedAt);
      leftMs = Math.max(0, expectedMs - spentMs);
      projectedEnd = now + leftMs;
    } else {
      spentMs = 0;
      leftMs = expectedMs;
      projectedEnd = Math.max(now, depsEnd) + expectedMs;
    }
    ends.set(p.phase, projectedEnd);
    rows.push({
      phase: p.phase,
      label: p.label,
      state: p.state,
      expectedMs,
      source: fromDrills !== undefined ? 'earlier drills' : 'published',
      spentMs,
      leftMs,
      projectedEnd,
    });
  }
  const rtoMs = incident.cls.rtoMs;
  const deadline = incident.declaredAt + rtoMs;
  const projectedFinish = incident.resolvedAt ?? Math.max(now, ...rows.map((r) => r.projectedEnd));
  return {
    declaredAt: incident.declaredAt,
    now,
    rtoMs,
    deadline,
    elapsedMs: (incident.resolvedAt ?? now) - incident.declaredAt,
    projectedFinish,
    projectedOver: projectedFinish > deadline,
    over: incident.resolvedAt === undefined ? now > deadline : incident.resolvedAt > deadline,
    remainingMs: deadline - (incident.resolvedAt ?? now),
    rows,
  };
}

/** m:ss, with a minus sign below zero (a budget past its RTO). */
export const mmss = (ms: number) => {
  const s = Math.round(Math.abs(ms) / 1000);
  return `${ms < 0 && s > 0 ? '-' : ''}${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};
const hhmm = (t: number) => new Date(t).toISOString().slice(11, 19);

/** The budget as a job-summary table (Markdown). */
export function budgetMarkdown(b: Budget): string {
  const lines = [
    `**RTO budget**: ${mmss(b.elapsedMs)} spent of ${mmss(b.rtoMs)}, ${mmss(b.remainingMs)} left; projected finish ${hhmm(b.projectedFinish)} UTC, the RTO ends ${hhmm(b.deadline)} UTC${b.over ? ' — **RTO passed**' : b.projectedOver ? ' — **projected past the RTO**' : ''}.`,
    '',
    '| Phase | State | Spent | Left | Projected end | Expected (source) |',
    '| --- | --- | --- | --- | --- | --- |',
    ...b.rows.map(
      (r) =>
        `| ${r.label} | ${r.state} | ${mmss(r.spentMs)} | ${mmss(r.leftMs)} | ${hhmm(r.projectedEnd)} | ${mmss(r.expectedMs)} (${r.source}) |`,
    ),
  ];
  return lines.join('\n');
}
