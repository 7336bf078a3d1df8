/**
 * What a phase reads from its context and plan: every stack of the run at once, the sites and
 * deployments of a stack, per-stack outputs taken from the journal.
 */
import type { JournalRecord } from '../../engine/journal.js';
import type { Plan, SiteName, Stack } from '../../plan/types.js';
import type { PhaseContext, ResultRow } from '../types.js';
import { errorText } from './rows.js';

/**
 * Steps run side by side (a fence and a node pool, a database and a scale): wait for every one to
 * end before going on, then throw the first failure. `Promise.all` rejects at the first failure
 * and leaves the others running, so their journal records would land among the next phase's.
 */
export async function allSteps<T extends unknown[]>(steps: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(steps as Promise<unknown>[]);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as T;
}

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

/** The key under which a site's Kubernetes API is remembered as unreachable in a run. */
export function clusterKey(name: string, site: SiteName): string {
  return `${name}/${site}/kubernetes`;
}

export function dnsServerOf(stack: Stack): { host: string; port: number } | undefined {
  const s = stack.endpoints?.dns;
  if (!s) return undefined;
  const i = s.lastIndexOf(':');
  return { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
}
