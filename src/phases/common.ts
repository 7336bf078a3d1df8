/**
 * Helpers shared by the phases: per-stack parallelism, the incident class and target inputs,
 * reading the application's HTTP endpoints, and recording observations in the journal.
 */
import { classify, messageOf, UserError, wrapSdkError } from '../engine/errors.js';
import type { JournalRecord } from '../engine/journal.js';
import { withRetry } from '../engine/retry.js';
import { StepFailed } from '../engine/step.js';
import type { IncidentClassName, Plan, ResolvedIncidentClass, SiteName, Stack } from '../plan/types.js';
import type { PhaseContext, ResultRow } from './types.js';

export const INCIDENT_CLASSES: IncidentClassName[] = [
  'region-outage',
  'database-corruption',
  'network-partition',
  'compute-failure',
];

export const DRAIN_ANNOTATION = 'aegis.io/drain';

/** Run `fn` for every stack of the run at the same time; a failed stack becomes a fail row. */
export async function forEachStack(
  ctx: PhaseContext,
  fn: (stack: string) => Promise<ResultRow[]>,
): Promise<{ ok: boolean; rows: ResultRow[] }> {
  const results = await Promise.all(
    ctx.stacks.map(async (stack) => {
      try {
        return await fn(stack);
      } catch (err) {
        return [{ stack, item: 'error', status: 'fail' as const, detail: errorText(err) }];
      }
    }),
  );
  const rows = results.flat();
  return { ok: rows.every((r) => r.status !== 'fail'), rows };
}

export function errorText(err: unknown): string {
  if (err instanceof StepFailed || err instanceof UserError) return err.message;
  return messageOf(err);
}

export function incidentClass(ctx: PhaseContext): ResolvedIncidentClass {
  const name = (ctx.inputs['incident-class'] || 'region-outage') as IncidentClassName;
  if (!INCIDENT_CLASSES.includes(name)) {
    throw new UserError(`input incident-class is "${name}": expected one of ${INCIDENT_CLASSES.join(', ')}.`);
  }
  return ctx.plan.classes[name];
}

/** The site a phase moves toward: "dr" for a failover (default), "primary" for a failback. */
export function targetSite(ctx: PhaseContext): SiteName {
  const t = ctx.inputs['target'] || 'dr';
  if (t !== 'dr' && t !== 'primary') throw new UserError(`input target is "${t}": expected dr or primary.`);
  return t;
}

export function otherSite(site: SiteName): SiteName {
  return site === 'dr' ? 'primary' : 'dr';
}

export function deploymentsOf(stack: Stack, site: SiteName): string[] {
  return stack[site].deployments.map((d) => d.name);
}

/** Replica counts a deployment should have when its site serves (active) or stands by. */
export function replicasFor(
  plan: Plan,
  stack: Stack,
  site: SiteName,
  deployment: string,
  role: 'active' | 'standby',
): number {
  const d = stack[site].deployments.find((x) => x.name === deployment);
  const fromPlan = role === 'active' ? d?.active : d?.standby;
  return fromPlan ?? (role === 'active' ? plan.limits.replicas.production : plan.limits.replicas.standby);
}

/** The app URL of a site (its own, not through DNS). */
export function siteUrl(plan: Plan, stack: Stack, site: SiteName): string {
  const url =
    stack[site].app.url ??
    (site === 'primary' ? plan.doc.application.primaryUrl : plan.doc.application.drUrl);
  if (!url) {
    throw new UserError(
      `stacks.${site}.app.url is not set: the plan needs the ${site} site's application URL for this check.`,
    );
  }
  return url;
}

/** The public API URL of a stack (through its traffic switch). */
export function publicUrl(plan: Plan, stack: Stack): string {
  return stack.publicUrl ?? plan.doc.application.url;
}

export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`);
}

export interface HttpAnswer {
  status: number;
  body: any;
  text: string;
}

/** GET/POST an application endpoint with a timeout; errors wrapped as service "app". */
export async function appRequest(
  url: string,
  init: { method?: string; body?: unknown; token?: string; timeoutMs?: number } = {},
): Promise<HttpAnswer> {
  try {
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      headers: {
        accept: 'application/json',
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
      signal: AbortSignal.timeout(init.timeoutMs ?? 10_000),
    });
    const text = await res.text();
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: res.status, body, text };
  } catch (err) {
    throw wrapSdkError('app', `${init.method ?? 'GET'} ${url}`, err);
  }
}

/** True when an error means "could not reach it at all" (region down, partition). */
export function isUnreachable(err: unknown): boolean {
  const c = classify(err instanceof StepFailed ? (err.cause ?? err) : err);
  return c.kind === 'transient' && /network|unavailable|server error \(50[23]/.test(c.reason);
}

export function row(stack: string, item: string, status: ResultRow['status'], detail: string): ResultRow {
  return { stack, item, status, detail };
}

/** Record a fact in the journal (outcome "observed"): declarations, checks, measurements. */
export function observe(
  ctx: PhaseContext,
  phase: string,
  step: string,
  stack: string | undefined,
  target: string,
  data: Record<string, unknown>,
  extra: { error?: string; action?: string; before?: unknown } = {},
): void {
  const t = new Date().toISOString();
  ctx.run.journal.append({
    phase,
    step,
    stack,
    target,
    outcome: 'observed',
    startedAt: t,
    endedAt: t,
    durationMs: 0,
    attempts: 1,
    dryRun: ctx.run.dryRun,
    data,
    ...extra,
  });
}

/** Retry policy for probes of something that may simply be down: fail fast, it is an answer too. */
export const PROBE_RETRY = { maxAttempts: 3, baseMs: 100, capMs: 1000 };

/**
 * Call with the probe retry policy (throttling and blips retried, a dead region reported quickly).
 * With `unreachableKey` (see StepSpec.unreachableKey) a place this run already found unreachable
 * is asked once, and one found unreachable now is remembered for the steps that follow.
 */
export async function probe<T>(ctx: PhaseContext, fn: () => Promise<T>, unreachableKey?: string): Promise<T> {
  const known = unreachableKey !== undefined && ctx.run.unreachable.has(unreachableKey);
  try {
    const r = await withRetry(
      fn,
      { ...ctx.run.retry, ...PROBE_RETRY, ...(known ? { maxAttempts: 1 } : {}) },
      { sleep: ctx.run.sleep, signal: ctx.run.signal },
    );
    return r.value;
  } catch (err) {
    if (unreachableKey !== undefined && isUnreachable(err)) ctx.run.unreachable.add(unreachableKey);
    throw err;
  }
}

/**
 * An output listing one value per stack of the run, in plan order ("aws=1.5,gcp=0"), taken from
 * the newest of this run's journal records that `match` for each stack.
 */
export function perStackOutput(
  ctx: PhaseContext,
  match: (r: JournalRecord) => boolean,
  value: (r: JournalRecord) => string,
): string {
  const recs = ctx.run.journal.thisRun().filter(match);
  return ctx.stacks
    .flatMap((s) => {
      const r = recs.filter((x) => x.stack === s).at(-1);
      return r ? [`${s}=${value(r)}`] : [];
    })
    .join(',');
}

export function dnsServerOf(stack: Stack): { host: string; port: number } | undefined {
  const s = stack.endpoints?.dns;
  if (!s) return undefined;
  const i = s.lastIndexOf(':');
  return { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
}

/** Pick the sample of a stack (label stack=, else the DR region's). */
export function sampleFor<T extends { labels: Record<string, string>; value: number }>(
  samples: T[],
  stackName: string,
  stack: Stack,
): T | undefined {
  return (
    samples.find((s) => s.labels.stack === stackName) ??
    samples.find((s) => s.labels.region === stack.dr.region) ??
    (samples.length === 1 ? samples[0] : undefined)
  );
}
