/**
 * Readiness check "DR quota": can the DR node pool really come up at the production size? The vCPUs
 * it needs (nodes x the vCPUs of its machine type) against what the DR region's compute quotas
 * allow for that machine family: AWS Service Quotas (EC2 On-Demand vCPUs per family group), Azure
 * compute usages (the VM family and the regional total, with current usage), GCP region quotas
 * (the family metric, such as E2_CPUS, or CPUS, with usage). Where the cloud gives the usage, the
 * pool's running nodes are already in it, so only the nodes still to come are counted against
 * what is free; where it does not (AWS), the whole production size is compared with the limit.
 * A region whose quota would stop the scale-up fails readiness with one sentence naming the
 * region, the quota, needed and free, and the fix: a quota increase, which takes time to approve.
 */
import type { Stack } from '../plan/types.js';
import type { QuotaLimit } from '../providers/types.js';
import { probe } from './shared/observe.js';
import { row } from './shared/rows.js';
import { poolSelector, poolTotal } from './scale.js';
import type { PhaseContext, ResultRow } from './types.js';

export const DR_QUOTA_ITEM = 'DR quota';

interface Verdict {
  q: QuotaLimit;
  need: number;
  free: number;
}

/** Needed and free vCPUs of one quota for `target` nodes, `current` of which already run. */
function verdict(q: QuotaLimit, perNode: number, target: number, current: number): Verdict {
  if (q.usage === undefined) return { q, need: target * perNode, free: q.limit };
  return { q, need: Math.max(0, target - current) * perNode, free: q.limit - q.usage };
}

function freeText(v: Verdict): string {
  return v.q.usage === undefined
    ? `limit ${v.q.limit} vCPUs`
    : `${v.free} vCPUs free (limit ${v.q.limit}, in use ${v.q.usage})`;
}

/** The "DR quota" row of one stack. */
export async function drQuotaRow(ctx: PhaseContext, name: string, stack: Stack): Promise<ResultRow> {
  const pool = (await ctx.env.providers(name)).nodePool;
  if (!pool.capacity)
    return row(name, DR_QUOTA_ITEM, 'skip', `the ${stack.cloud} node pool adapter does not read quotas`);
  const [cap, state] = await Promise.all([
    probe(ctx, () => pool.capacity!('dr')),
    probe(ctx, () => pool.describe('dr')),
  ]);
  const target = poolTotal(stack.nodePool.active, state.zones);
  let current = state.desired;
  if (current === undefined) {
    const cluster = await ctx.env.cluster(name, 'dr');
    current = (await probe(ctx, () => cluster.nodes(poolSelector(stack.nodePool)))).length;
  }
  const per = cap.vcpusPerNode;
  const size = `${target} x ${cap.machineType} (${per} vCPUs each, ${current} running)`;
  const verdicts = cap.quotas.map((q) => verdict(q, per, target, current));
  const short = verdicts.filter((v) => v.need > v.free);
  if (cap.quotas.length === 0)
    return row(name, DR_QUOTA_ITEM, 'warn', `no vCPU quota found in ${cap.region} for ${cap.machineType}`);
  if (short.length > 0) {
    const v = short[0];
    const more = v.q.usage === undefined ? 'needs' : 'needs another';
    return row(
      name,
      DR_QUOTA_ITEM,
      'fail',
      `DR region ${cap.region} cannot hold the node pool at its production size: quota ${v.q.name} has ${freeText(v)} and the pool ${more} ${v.need} vCPUs for ${size}; request a quota increase of at least ${v.need - v.free} vCPUs for ${v.q.name} in ${cap.region} before a failover needs it.`,
    );
  }
  const seen = verdicts.map((v) => `${v.q.name}: ${v.need} vCPUs needed, ${freeText(v)}`).join('; ');
  return row(
    name,
    DR_QUOTA_ITEM,
    'pass',
    `${cap.region} holds ${size}: ${seen}${cap.note ? ` (${cap.note})` : ''}`,
  );
}
