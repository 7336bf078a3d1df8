/**
 * Failback readiness, the runbook's "Return to primary after primary region is confirmed stable
 * (minimum 2h post-recovery)": the checks `readiness` runs in mode `failback`, before any
 * approval and any sync.
 *   1. Primary nodes Ready and its deployments present ("kubectl get nodes --context=primary-cluster")
 *   2. Primary healthy for the plan's duration (thresholds.failbackHealthyFor, Prometheus
 *      min_over_time of the primary platform's health: its region and its Ready nodes, not its
 *      application, which stays fenced until failback): the 2-hour gate. A shorter duration is an override:
 *      refused without an override-reason, and journaled with who and why.
 *   3. Sync possible: the database answers on both sides and no operation is under way.
 *   4. DR serving: traffic points at DR and its health endpoint answers 200.
 * Replication is expected to be broken after a cross-region failover, so it is not a check here.
 */
import { clip } from '../engine/clip.js';
import { UserError } from '../engine/errors.js';
import { parseDuration } from '../plan/duration.js';
import { appRequest, joinUrl, siteUrl } from './shared/app.js';
import { deploymentsOf } from './shared/context.js';
import { observe, probe } from './shared/observe.js';
import { row } from './shared/rows.js';
import type { InputDef, PhaseContext, ResultRow } from './types.js';
import { poolSelector } from './scale.js';

/** The duration the primary must have been healthy, and whether it overrides the plan's. */
export function healthyForMs(ctx: PhaseContext): { ms: number; override: boolean } {
  const planMs = ctx.plan.limits.failbackHealthyForMs;
  const wanted = ctx.inputs['confirm-healthy-for']?.trim();
  if (!wanted) return { ms: planMs, override: false };
  let ms: number;
  try {
    ms = parseDuration(wanted);
  } catch {
    throw new UserError(
      `input confirm-healthy-for is "${clip(wanted)}": expected a duration such as 2h or 90m.`,
    );
  }
  return { ms, override: ms < planMs };
}

/** The 2-hour gate of one stack: the primary's lowest health over the duration. */
export async function primaryHealthyFor(ctx: PhaseContext, name: string, ms: number): Promise<ResultRow> {
  const stack = ctx.plan.stack(name);
  const q = ctx.plan.doc.prometheus!.queries.primaryHealthy.replace(
    /\[[0-9]+(ms|s|m|h)\]/g,
    `[${Math.round(ms / 1000)}s]`,
  );
  const samples = await probe(ctx, () => ctx.env.prometheus().query(q));
  const s = samples.find(
    (x) =>
      (x.labels.stack ?? name) === name && (!x.labels.region || x.labels.region === stack.primary.region),
  );
  const hours = +(ms / 3_600_000).toFixed(2);
  const ok = s !== undefined && s.value >= 1;
  return row(
    name,
    'Primary healthy',
    ok ? 'pass' : 'fail',
    s ? `lowest primary health over ${hours} h: ${s.value}` : `no primary health series over ${hours} h`,
  );
}

/** The input that explains a shortened gate (journaled with the actor who ran the phase). */
export const OVERRIDE_REASON_INPUT: InputDef = {
  name: 'override-reason',
  kind: 'string',
  description:
    "Why the failback gate is shorter than the plan's thresholds.failbackHealthyFor; required when confirm-healthy-for is shorter, journaled with the actor.",
  default: '',
};

/**
 * Check that a shortened gate is an explained override, and journal it (who, why, both durations).
 * @throws UserError when the duration is shorter than the plan's and no override-reason was given.
 */
export function journalGateOverride(ctx: PhaseContext, phase: string, ms: number): void {
  const planMs = ctx.plan.limits.failbackHealthyForMs;
  const reason = ctx.inputs['override-reason']?.trim();
  if (!reason) {
    const what =
      ms === 0
        ? 'skip-health-gate skips the failback gate'
        : `input confirm-healthy-for shortens the failback gate to ${ms / 60000} min`;
    throw new UserError(
      `${what}, below the plan's ${planMs / 60000} min: an override must say why (journaled with who ran it); set override-reason, or remove the override.`,
    );
  }
  const by = ctx.run.journal.actor ?? 'unknown';
  observe(ctx, phase, 'gate-override', undefined, 'failback-gate', {
    overriddenBy: by,
    reason,
    planMs,
    usedMs: ms,
  });
}

async function primaryNodes(ctx: PhaseContext, name: string): Promise<ResultRow> {
  const cluster = await ctx.env.cluster(name, 'primary');
  const selector = poolSelector(ctx.plan.stack(name).nodePool);
  const nodes = await probe(ctx, () => cluster.nodes(selector));
  const notReady = nodes.filter((n) => !n.ready).map((n) => n.name);
  const deps = await Promise.all(
    deploymentsOf(ctx.plan.stack(name), 'primary').map((d) => probe(ctx, () => cluster.deployment(d))),
  );
  const missing = deploymentsOf(ctx.plan.stack(name), 'primary').filter((_, i) => !deps[i]);
  const ok = nodes.length > 0 && notReady.length === 0 && missing.length === 0;
  return row(
    name,
    'Primary nodes',
    ok ? 'pass' : 'fail',
    ok
      ? `${nodes.length}/${nodes.length} nodes of pool ${selector} Ready; deployments present`
      : [
          nodes.length === 0 ? `no nodes of pool ${selector}` : '',
          notReady.length ? `nodes not Ready: ${notReady.join(', ')}` : '',
          missing.length ? `deployments missing: ${missing.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; '),
  );
}

async function syncPossible(ctx: PhaseContext, name: string): Promise<ResultRow> {
  const providers = await ctx.env.providers(name);
  const db = await probe(ctx, () => providers.database.describe());
  const ok = db.primaryReachable && !db.busy;
  return row(
    name,
    'Sync possible',
    ok ? 'pass' : 'fail',
    `database ${db.status}, writer ${db.writer}${db.primaryReachable ? '' : ', primary side unreachable'}${db.busy ? ', an operation is under way' : ''}`,
  );
}

async function drServing(ctx: PhaseContext, name: string): Promise<ResultRow> {
  const providers = await ctx.env.providers(name);
  const traffic = await probe(ctx, () => providers.traffic.describe());
  const url = joinUrl(siteUrl(ctx.plan, ctx.plan.stack(name), 'dr'), '/health');
  const health = await probe(ctx, () => appRequest(url));
  const ok = traffic.active === 'dr' && health.status === 200;
  return row(
    name,
    'DR serving',
    ok ? 'pass' : 'fail',
    `traffic to ${traffic.active}; GET ${url} -> ${health.status}`,
  );
}

/** The failback readiness checks of one stack (the gate duration resolved by the caller). */
export async function recoveredRows(ctx: PhaseContext, name: string, ms: number): Promise<ResultRow[]> {
  const checks: [string, () => Promise<ResultRow>][] = [
    ['Primary nodes', () => primaryNodes(ctx, name)],
    ['Primary healthy', () => primaryHealthyFor(ctx, name, ms)],
    ['Sync possible', () => syncPossible(ctx, name)],
    ['DR serving', () => drServing(ctx, name)],
  ];
  return Promise.all(
    checks.map(async ([item, run]) => {
      let r: ResultRow;
      try {
        r = await run();
      } catch (err) {
        r = row(name, item, 'fail', (err as Error).message);
      }
      observe(ctx, 'readiness', item, name, name, { mode: 'failback', status: r.status, detail: r.detail });
      return r;
    }),
  );
}
