/**
 * `scale` (runbook step 5): the target node pool (EKS nodegroup, AKS node pool, GKE node pool) to
 * its active size with its nodes Ready, then the target deployments to production replicas with
 * their rollout complete. Declare starts the DR pool early; failback returns DR to standby.
 */
import { UserError } from '../engine/errors.js';
import { runStep } from '../engine/step.js';
import { NODE_POOL_LABELS } from '../plan/constants.js';
import type { NodePool, SiteName } from '../plan/types.js';
import type { AutoscalerStatus, Cluster } from '../providers/kubernetes/types.js';
import type { NodePoolState, Operation } from '../providers/types.js';
import { allSteps, deploymentsOf, forEachStack, replicasFor } from './shared/context.js';
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
  const [pool, deps] = await allSteps<[ResultRow[], ResultRow[]]>([
    sizePool(ctx, phase, name, site, 'active', true),
    scaleDeployments(ctx, phase, name, site, 'active'),
  ]);
  return [...pool, ...deps];
}

/** The label selector of a plan's node pool: the nodes that carry its cloud's pool label. */
export function poolSelector(pool: NodePool): string {
  return `${NODE_POOL_LABELS[pool.type]}=${'nodegroup' in pool ? pool.nodegroup : pool.pool}`;
}

/**
 * The total a pool set per zone really reaches: the plan's count rounded up to a multiple of the
 * zones (a regional GKE pool's size is per zone: 6 over three zones is 2 each, 7 is 3 each = 9).
 */
export function poolTotal(desired: number, zones: number | undefined): number {
  const z = Math.max(1, zones ?? 1);
  return Math.ceil(desired / z) * z;
}

/** A pool as observed: the cloud's state, and its own nodes (by the pool label) when read. */
type PoolObserved = NodePoolState & { nodes?: number; readyNodes?: number };

/** The pool's current size: the cloud's desired size, else the count of its nodes (GKE). */
const sizeOf = (s: PoolObserved): number | undefined => s.desired ?? s.nodes;

/**
 * Node pool of a site to its active or standby size; optionally wait for the nodes to be Ready.
 * The plan's sizes are totals over the pool's zones. Ready nodes are counted among the nodes that
 * carry the pool's label, never every node of the cluster (system pools do not count).
 */
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
  const cluster = await ctx.env.cluster(name, site);
  const selector = poolSelector(pool);
  let op: Operation | undefined;
  let zones: number | undefined;
  const want = (s: PoolObserved) => poolTotal(desired, s.zones);
  const r = await runStep<PoolObserved>(ctx.run, {
    phase,
    step: wait ? 'node-pool' : 'node-pool-start',
    stack: name,
    target: `${pool.type}:${site}/${'nodegroup' in pool ? pool.nodegroup : pool.pool}`,
    observe: async () => {
      const s = await providers.nodePool.describe(site);
      zones = s.zones;
      if (!wait && s.desired !== undefined) return s;
      const nodes = await cluster.nodes(selector);
      return { ...s, nodes: nodes.length, readyNodes: nodes.filter((n) => n.ready).length };
    },
    satisfied: (s) => sizeOf(s) === want(s) && (!wait || (!s.busy && (s.readyNodes ?? 0) >= want(s))),
    // a pool whose resource keeps no size (GKE) is under way while it reconciles: the cloud
    // refuses a second resize then, so the step waits for the one running
    inProgress: (s) => (s.desired === undefined ? s.busy : s.desired === want(s)),
    action: (s) => {
      const total = want(s);
      const perZone = s.zones && s.zones > 1 ? ` (${total / s.zones} in each of ${s.zones} zones)` : '';
      return `resize ${site} node pool from ${sizeOf(s) ?? '?'} to ${total} nodes${perZone} (min ${Math.min(pool.min, total)}, max ${Math.max(pool.max, total)})`;
    },
    act: async (s) => {
      const total = want(s);
      op = await providers.nodePool.resize(site, {
        min: Math.min(pool.min, total),
        max: Math.max(pool.max, total),
        desired: total,
      });
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
  const total = poolTotal(desired, zones);
  const per = zones && zones > 1 ? `, ${total / zones} per zone in ${zones} zones` : '';
  return [
    outcomeRow(
      name,
      `Node pool ${site}${wait ? '' : ' (started)'}`,
      r,
      `${total} nodes${per} (${role})${wait ? `, Ready (${selector})` : ''}`,
    ),
  ];
}

/**
 * A HorizontalPodAutoscaler on the deployment owns its replicas: replicas set under it above its
 * minimum are taken back once its scale-down stabilization window has passed (idle pods), and
 * under its minimum it scales them up again
 * (https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/). Its minReplicas
 * is moved to the wanted replicas (maxReplicas to at least them) before they are set, so the HPA
 * holds the size instead of fighting it. No row when the deployment has no HPA; none for 0
 * replicas (an HPA leaves a target scaled to 0 alone).
 */
async function holdAutoscaler(
  ctx: PhaseContext,
  phase: string,
  name: string,
  site: SiteName,
  dep: string,
  want: number,
  cluster: Cluster,
): Promise<ResultRow[]> {
  if (want === 0) return [];
  const r = await runStep<{ hpa?: AutoscalerStatus }>(ctx.run, {
    phase,
    step: 'autoscaler',
    stack: name,
    target: `k8s:${site}/hpa-of-${dep}`,
    observe: async () => ({ hpa: await cluster.autoscaler(dep) }),
    satisfied: ({ hpa }) => !hpa || (hpa.minReplicas === want && hpa.maxReplicas >= want),
    action: ({ hpa }) =>
      `set HorizontalPodAutoscaler ${hpa?.name ?? '?'} of deployment ${dep} on the ${site} cluster to minReplicas ${want} (from ${hpa?.minReplicas ?? '?'}), maxReplicas ${Math.max(hpa?.maxReplicas ?? 0, want)}`,
    act: async ({ hpa }) => cluster.setAutoscalerBounds(hpa!.name, want, Math.max(hpa!.maxReplicas, want)),
    deadlineMs: ctx.plan.limits.deadlinesMs.scale,
  });
  const hpa = r.before?.hpa;
  if (!hpa) return [];
  return [
    outcomeRow(
      name,
      `Autoscaler ${site}/${hpa.name}`,
      r,
      `HorizontalPodAutoscaler ${hpa.name} minReplicas ${want}, maxReplicas ${Math.max(hpa.maxReplicas, want)}`,
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
  const rows = await Promise.all(
    deploymentsOf(stack, site).map(async (dep) => {
      const want = replicasFor(ctx.plan, stack, site, dep, role);
      const held = await holdAutoscaler(ctx, phase, name, site, dep, want, cluster);
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
      return [
        ...held,
        outcomeRow(name, `Deployment ${site}/${dep}`, r, `${want}/${want} replicas available (${role})`),
      ];
    }),
  );
  return rows.flat();
}
