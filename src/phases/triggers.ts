/**
 * `triggers`: evaluates the runbook's three automated-failover conditions in Prometheus
 *   avg(aegis_health_status) by (region) < 0.3
 *   increase(aegis_health_check_failures_total[5m]) > 5
 *   aegis_db_replication_lag_seconds > 120
 * with flapping protection: a condition fires only when it held at each of the last `consecutive`
 * evaluation times, `interval` apart (evaluated as instant queries at those past times, so one run
 * decides without waiting), and for `holdFor` before that. Both sites of a stack unhealthy at once
 * is a two-region failure: reported, escalated, and never an automatic failover.
 *
 * Replication lag is not a failure of the primary: lag above the threshold alone puts the RPO at
 * risk and pages (the escalate phase's `rpo-at-risk` rule), and never dispatches a failover (an
 * in-region HA failover costs a write outage and does not shorten cross-region lag; a cross-region
 * one would lose the lagging writes). With a health condition on the primary it raises the
 * incident's expected RPO to the lag: the region-outage failover will lose about that much.
 */
import type { IncidentClassName, SiteName, Stack } from '../plan/types.js';
import type { PrometheusSample } from '../providers/prometheus.js';
import { fenceReturnedPrimary } from './drain.js';
import { forEachStack } from './shared/context.js';
import { observe, probe } from './shared/observe.js';
import { row } from './shared/rows.js';
import type { PhaseContext, PhaseDef, ResultRow } from './types.js';

interface Condition {
  id: 'health-score' | 'health-check-failures' | 'replication-lag';
  query: string;
  holds: (v: number) => boolean;
  describe: (v: number) => string;
}

function conditions(ctx: PhaseContext): Condition[] {
  const t = ctx.plan.limits.triggers;
  const q = ctx.plan.doc.prometheus!.queries;
  return [
    {
      id: 'health-score',
      query: q.healthScore,
      holds: (v) => v < t.healthScoreBelow,
      describe: (v) => `health score ${v.toFixed(2)} < ${t.healthScoreBelow}`,
    },
    {
      id: 'health-check-failures',
      query: q.healthCheckFailures,
      holds: (v) => v > t.healthCheckFailuresAbove,
      describe: (v) => `${v.toFixed(0)} health-check failures > ${t.healthCheckFailuresAbove}`,
    },
    {
      id: 'replication-lag',
      query: q.replicationLag,
      holds: (v) => v > t.replicationLagAbove,
      describe: (v) => `replication lag ${v.toFixed(0)} s > ${t.replicationLagAbove} s`,
    },
  ];
}

/** Which site of a stack a sample is about: its `site` label, else its `region` label. */
export function siteOfSample(s: PrometheusSample, stackName: string, stack: Stack): SiteName | undefined {
  if (s.labels.stack && s.labels.stack !== stackName) return undefined;
  if (s.labels.site === 'primary' || s.labels.site === 'dr') {
    if (!s.labels.stack && s.labels.region && s.labels.region !== stack[s.labels.site].region)
      return undefined;
    return s.labels.site;
  }
  if (s.labels.region === stack.primary.region) return 'primary';
  if (s.labels.region === stack.dr.region) return 'dr';
  return undefined;
}

export interface Evaluation {
  stack: string;
  /** condition id -> site -> held at every evaluation time */
  held: Record<string, Partial<Record<SiteName, { held: boolean; last?: number }>>>;
}

export async function evaluateStacks(ctx: PhaseContext): Promise<Evaluation[]> {
  const t = ctx.plan.limits.triggers;
  const now = Date.now();
  const times: number[] = [];
  for (let i = t.consecutive - 1; i >= 0; i--) times.push(now - t.holdForMs - i * t.intervalMs);
  if (t.holdForMs > 0) times.push(now);
  const prom = ctx.env.prometheus();
  const conds = conditions(ctx);
  // one query per condition and evaluation time, shared by every stack
  const answers = await Promise.all(
    conds.map((c) => Promise.all(times.map((time) => probe(ctx, () => prom.query(c.query, time / 1000))))),
  );
  return ctx.stacks.map((name) => {
    const stack = ctx.plan.stack(name);
    const held: Evaluation['held'] = {};
    conds.forEach((c, ci) => {
      held[c.id] = {};
      for (const site of ['primary', 'dr'] as SiteName[]) {
        const perTime = answers[ci].map((samples) =>
          samples.filter((s) => siteOfSample(s, name, stack) === site),
        );
        const has = perTime.every((s) => s.length > 0);
        const all = has && perTime.every((samples) => samples.some((s) => c.holds(s.value)));
        const lastSamples = perTime.at(-1) ?? [];
        const last = lastSamples.length
          ? lastSamples.map((s) => s.value).reduce((a, b) => (c.holds(a) ? a : b))
          : undefined;
        if (has || lastSamples.length) held[c.id][site] = { held: all, last };
      }
    });
    return { stack: name, held };
  });
}

export interface TriggerDecision {
  fire: boolean;
  twoRegion: boolean;
  incidentClass?: IncidentClassName;
  reasons: string[];
  stacks: string[];
  rows: ResultRow[];
  /** Stacks whose replication lag alone is above the threshold: page (RPO at risk), no failover. */
  rpoAtRisk: string[];
  /**
   * Per firing stack whose replication lag is above the threshold too: the lag, seconds, as the
   * incident's expected RPO (the writes a failover now would lose, about).
   */
  expectedRpoSeconds: Record<string, number>;
}

export function decide(ctx: PhaseContext, evals: Evaluation[]): TriggerDecision {
  const conds = conditions(ctx);
  const rows: ResultRow[] = [];
  const reasons: string[] = [];
  const firing: string[] = [];
  let twoRegion = false;
  let cls: IncidentClassName | undefined;
  const rpoAtRisk: string[] = [];
  const expectedRpoSeconds: Record<string, number> = {};
  const limit = ctx.plan.limits.triggers.replicationLagAbove;
  for (const e of evals) {
    const siteDown = (site: SiteName) =>
      Boolean(e.held['health-score'][site]?.held || e.held['health-check-failures'][site]?.held);
    const primaryDown = siteDown('primary');
    const drDown = siteDown('dr');
    const lagHeld = [e.held['replication-lag'].dr, e.held['replication-lag'].primary].filter(
      (h) => h?.held && h.last !== undefined,
    );
    const lag = lagHeld.length ? Math.max(...lagHeld.map((h) => h!.last!)) : undefined;
    for (const c of conds) {
      for (const site of ['primary', 'dr'] as SiteName[]) {
        const h = e.held[c.id][site];
        if (!h) continue;
        rows.push(
          row(
            e.stack,
            `${c.id} (${site})`,
            h.held ? 'warn' : 'pass',
            `${h.last === undefined ? 'no data' : c.describe(h.last)}${h.held ? `; held for ${ctx.plan.limits.triggers.consecutive} evaluations` : ''}`,
          ),
        );
      }
    }
    if (primaryDown && drDown) {
      twoRegion = true;
      reasons.push(
        `${e.stack}: both regions unhealthy (two-region failure): no automatic failover; engage the executive team and activate BCP`,
      );
      continue;
    }
    if (primaryDown) {
      firing.push(e.stack);
      cls = 'region-outage';
      if (lag !== undefined) {
        expectedRpoSeconds[e.stack] = lag;
        reasons.push(
          `${e.stack}: primary region ${ctx.plan.stack(e.stack).primary.region} unhealthy, with replication lag ${lag.toFixed(0)} s > ${limit} s: expected RPO ${lag.toFixed(0)} s`,
        );
      } else reasons.push(`${e.stack}: primary region ${ctx.plan.stack(e.stack).primary.region} unhealthy`);
    } else if (lag !== undefined) {
      // lag alone: the primary serves; page, never fail over
      rpoAtRisk.push(e.stack);
      reasons.push(
        `${e.stack}: replication lag ${lag.toFixed(0)} s > ${limit} s with the primary healthy: RPO at risk, paging (no failover: it would not shorten the lag)`,
      );
    }
  }
  const fire = !twoRegion && firing.length > 0;
  return {
    fire,
    twoRegion,
    incidentClass: fire ? cls : undefined,
    reasons,
    stacks: firing,
    rows,
    rpoAtRisk,
    expectedRpoSeconds: fire ? expectedRpoSeconds : {},
  };
}

export const triggersPhase: PhaseDef = {
  name: 'triggers',
  title: 'Failover trigger evaluation',
  description:
    "Evaluates the runbook's three Prometheus failover conditions with flapping protection and decides whether to fail over, and with which incident class; a two-region failure never fires.",
  inputs: [],
  outputs: [
    { name: 'fire', description: '"true" when a failover should start.' },
    { name: 'incident-class', description: 'The incident class to fail over with (empty when not firing).' },
    { name: 'reasons', description: 'Why, one sentence per stack, separated by "; ".' },
    { name: 'stacks', description: 'Comma-separated stacks whose conditions fired.' },
    {
      name: 'two-region-failure',
      description:
        '"true" when both regions of a stack are unhealthy (escalate, never fail over automatically).',
    },
    {
      name: 'rpo-at-risk',
      description:
        'Comma-separated stacks whose replication lag alone is above the threshold: page (escalate rpo-at-risk), never fail over.',
    },
    {
      name: 'expected-rpo-seconds',
      description:
        'Per firing stack whose replication lag is above the threshold too, "stack=seconds" comma-separated: the RPO the failover is expected to lose.',
    },
  ],
  async run(ctx) {
    // a primary that comes back during an open incident is fenced at once (drain.ts)
    const fenced = await forEachStack(ctx, (s) => fenceReturnedPrimary(ctx, 'triggers', s));
    const evals = await evaluateStacks(ctx);
    const d = decide(ctx, evals);
    observe(ctx, 'triggers', 'evaluate', undefined, 'prometheus', {
      fire: d.fire,
      twoRegion: d.twoRegion,
      incidentClass: d.incidentClass,
      reasons: d.reasons,
      stacks: d.stacks,
      rpoAtRisk: d.rpoAtRisk,
      expectedRpoSeconds: d.expectedRpoSeconds,
    });
    return {
      ok: true,
      rows: [...fenced.rows, ...d.rows],
      outputs: {
        fire: String(d.fire),
        'incident-class': d.incidentClass ?? '',
        reasons: d.reasons.join('; '),
        stacks: d.stacks.join(','),
        'two-region-failure': String(d.twoRegion),
        'rpo-at-risk': d.rpoAtRisk.join(','),
        'expected-rpo-seconds': Object.entries(d.expectedRpoSeconds)
          .map(([k, v]) => `${k}=${v.toFixed(0)}`)
          .join(','),
      },
    };
  },
};
