/**
 * `scale` (runbook step 5): the target node pool (EKS nodegroup, AKS node pool, GKE node pool) to
 * its active size with its nodes Ready, then the target deployments to production replicas with
 * their rollout complete. Declare starts the DR pool early; failback returns DR to standby.
 */
import { UserError } from '../engine/errors.js';
import { runStep } from '../engine/step.js';
import type { SiteName } from '../plan/types.js';
import type { NodePoolState, Operation } from '../providers/types.js';
import { deploymentsOf, forEachStack, replicasFor } from './shared/context.js';
import { CLASS_INPUT, FAILED_OUTPUT, outputsOf, TARGET_INPUT, targetSite } from './shared/inputs.js';
import { outcomeRow } from './shared/rows.js';
import type { PhaseContext, PhaseDef, ResultRow } from './types.js';

export const scalePhase: PhaseDef = {
  name: 'scale',
  title: 'Scale the target cluster',
  description:
    'Grows the target node pool (EKS nodegroup, AKS node pool, GKE node pool) and waits for the nodes to be Ready, then scales the deployments to production replicas and waits for the rollout.',
  inputs: [TARGET_INPUT, CLASS_INPUT],
  outputs: [FAILED_OUTPUT],
  async run(ctx) {
    const target = targetSite(ctx);
    const { ok, rows } = await forEachStack(ctx, (name) => scaleStack(ctx, 'scale', name, target));
    return { ok, rows, outputs: outputsOf(rows) };
  },
};

/** The target site of one stack at production capacity: node pool Ready, deployments rolled out. */
export async function scaleStack(
  ctx: PhaseContext,
  phase: string,
  name: string,
  site: 'primary' | 'dr',
): Promise<ResultRow[]> {
  const [pool, deps] = await Promise.all([
    sizePool(ctx, phase, name, site, 'active', true),
    scaleDeployments(ctx, phase, name, site, 'active'),
  ]);
  return [...pool, ...deps];
}

/** Node pool of a site to its active or standby size; optionally wait for the nodes to be Ready. */
export async function sizePool(
  ctx: PhaseContext,
  phase: string,
  name: string,
  site: SiteName,
  role: 'active' | 'standby',
  wait: boolean,
): Promise<ResultRow[]> {
  const stack = ctx.plan.stack(name);
  const pool = stack.nodePool;
  const providers = await ctx.env.providers(name);
  const desired = role === 'active' ? pool.active : pool.standby;
  const size = { min: Math.min(pool.min, desired), max: Math.max(pool.max, desired), desired };
  const cluster = await ctx.env.cluster(name, site);
  let op: Operation | undefined;
  const r = await runStep<NodePoolState & { readyNodes?: number }>(ctx.run, {
    phase,
    step: wait ? 'node-pool' : 'node-pool-start',
    stack: name,
    target: `${pool.type}:${site}/${'nodegroup' in pool ? pool.nodegroup : pool.pool}`,
    observe: async () => {
      const s = await providers.nodePool.describe(site);
      if (!wait) return s;
      const nodes = await cluster.nodes();
      return { ...s, readyNodes: nodes.filter((n) => n.ready).length };
    },
    satisfied: (s) => s.desired === desired && (!wait || (!s.busy && (s.readyNodes ?? 0) >= desired)),
    inProgress: (s) => s.desired === desired,
    action: (s) =>
      `resize ${site} node pool from ${s.desired} to ${desired} nodes (min ${size.min}, max ${size.max})`,
    act: async () => {
      op = await providers.nodePool.resize(site, size);
    },
    wait: wait
      ? undefined
      : async () => {
          // started, not awaited: the scale phase waits for the nodes
          return await providers.nodePool.describe(site);
        },
    deadlineMs: ctx.plan.limits.deadlinesMs.scale,
    data: () => (op ? { operation: op.id } : undefined),
  });
  return [
    outcomeRow(
      name,
      `Node pool ${site}${wait ? '' : ' (started)'}`,
      r,
      `${desired} nodes (${role})${wait ? ', Ready' : ''}`,
    ),
  ];
}

/** Scale the site's deployments to active or standby replicas and wait for the rollout. */
export async function scaleDeployments(
  ctx: PhaseContext,
  phase: string,
  name: string,
  site: SiteName,
  role: 'active' | 'standby',
): Promise<ResultRow[]> {
  const stack = ctx.plan.stack(name);
  const cluster = await ctx.env.cluster(name, site);
  return Promise.all(
    deploymentsOf(stack, site).map(async (dep) => {
      const want = replicasFor(ctx.plan, stack, site, dep, role);
      const r = await runStep(ctx.run, {
        phase,
        step: 'rollout',
        stack: name,
        target: `k8s:${site}/${dep}`,
        observe: async () => {
          const d = await cluster.deployment(dep);
          if (!d)
            throw new UserError(
              `deployment ${dep} does not exist on the ${site} cluster of stack ${name}: check stacks.${name}.${site}.deployments.`,
            );
          return d;
        },
        satisfied: (d) =>
          d.replicas === want &&
          d.observedGeneration >= d.generation &&
          d.updatedReplicas === want &&
          d.availableReplicas === want &&
          d.readyReplicas === want,
        inProgress: (d) => d.replicas === want,
        action: (d) =>
          `scale deployment ${dep} on the ${site} cluster from ${d.replicas} to ${want} replicas and wait for the rollout`,
        act: () => cluster.scale(dep, want),
        deadlineMs: ctx.plan.limits.deadlinesMs.scale,
        summarise: (d) => ({ replicas: d.replicas, ready: d.readyReplicas, available: d.availableReplicas }),
      });
      return outcomeRow(name, `Deployment ${site}/${dep}`, r, `${want}/${want} replicas available (${role})`);
    }),
  );
}
