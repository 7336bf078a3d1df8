/**
 * `drain` (runbook step 2), and the fence it relies on: the drain annotation set on every
 * deployment of a site stops new writes there (declare sets it on the primary, failback on DR),
 * then the phase waits until the site's pods report zero active connections.
 */
import { UserError } from '../engine/errors.js';
import { runStep } from '../engine/step.js';
import { DRAIN_ANNOTATION } from '../plan/constants.js';
import type { SiteName } from '../plan/types.js';
import { clusterKey, deploymentsOf, forEachStack, otherSite } from './shared/context.js';
import { CLASS_INPUT, FAILED_OUTPUT, outputsOf, TARGET_INPUT, targetSite } from './shared/inputs.js';
import { isUnreachable } from './shared/observe.js';
import { outcomeRow, row } from './shared/rows.js';
import type { PhaseContext, PhaseDef, ResultRow } from './types.js';

export const drainPhase: PhaseDef = {
  name: 'drain',
  title: 'Drain in-flight requests',
  description:
    'Waits until active connections on every primary pod reach zero (read through the Kubernetes pod proxy, summed over pods) within the plan deadline.',
  inputs: [TARGET_INPUT, CLASS_INPUT],
  outputs: [FAILED_OUTPUT],
  async run(ctx) {
    const from = otherSite(targetSite(ctx));
    const { ok, rows } = await forEachStack(ctx, (name) => drainSite(ctx, 'drain', name, from));
    return { ok, rows, outputs: outputsOf(rows) };
  },
};

/** Wait until the site has no active connections (runbook step 2). */
export async function drainSite(
  ctx: PhaseContext,
  phase: string,
  name: string,
  site: SiteName,
): Promise<ResultRow[]> {
  const r = await runStep(ctx.run, {
    phase,
    step: 'drain',
    stack: name,
    target: `k8s:${site}/connections`,
    observe: () => activeConnections(ctx, name, site),
    satisfied: (n) => n === 0,
    action: (n) => `wait for ${n} active connection(s) on the ${site} pods to drain to zero`,
    inProgress: () => true,
    deadlineMs: ctx.plan.limits.deadlinesMs.drain,
    retry: { maxAttempts: 3 },
    data: (before, after) => ({ connectionsBefore: before, connectionsAfter: after }),
    unreachable: isUnreachable,
    unreachableKey: clusterKey(name, site),
  });
  if (r.outcome === 'unreachable') {
    return [
      row(
        name,
        `Drain ${site}`,
        'warn',
        `${site} unreachable: connections cannot be read; recorded as unreachable`,
      ),
    ];
  }
  return [outcomeRow(name, `Drain ${site}`, r, `active connections ${r.before} -> ${r.after ?? r.before}`)];
}

/** Set (fence) or remove (unfence) the drain annotation on every deployment of a site. */
export async function setDrain(
  ctx: PhaseContext,
  phase: string,
  name: string,
  site: SiteName,
  drained: boolean,
): Promise<ResultRow[]> {
  const stack = ctx.plan.stack(name);
  const cluster = await ctx.env.cluster(name, site);
  const value = drained ? 'true' : null;
  const rows: ResultRow[] = [];
  for (const dep of deploymentsOf(stack, site)) {
    const item = `${drained ? 'Fence' : 'Unfence'} ${site}/${dep}`;
    const r = await runStep(ctx.run, {
      phase,
      step: drained ? 'fence' : 'unfence',
      stack: name,
      target: `k8s:${site}/${dep}`,
      observe: async () => (await cluster.deployment(dep))?.annotations[DRAIN_ANNOTATION] ?? null,
      satisfied: (v) => (drained ? v === 'true' : v !== 'true'),
      action: drained
        ? `annotate deployment ${dep} ${DRAIN_ANNOTATION}="true" on the ${site} cluster (stop new writes)`
        : `remove ${DRAIN_ANNOTATION} from deployment ${dep} on the ${site} cluster`,
      act: () => cluster.annotate(dep, { [DRAIN_ANNOTATION]: value }),
      deadlineMs: 60_000,
      retry: { maxAttempts: 3 },
      unreachable: isUnreachable,
      unreachableKey: clusterKey(name, site),
    });
    rows.push(
      r.outcome === 'unreachable'
        ? row(
            name,
            item,
            'warn',
            `${site} cluster unreachable: recorded as unreachable; writes there are impossible while it is down`,
          )
        : outcomeRow(name, item, r, `${DRAIN_ANNOTATION}=${value ?? '(none)'}`),
    );
  }
  return rows;
}

/** Sum of active connections over a site's pods, through the Kubernetes pod proxy. */
export async function activeConnections(ctx: PhaseContext, name: string, site: SiteName): Promise<number> {
  const stack = ctx.plan.stack(name);
  const cluster = await ctx.env.cluster(name, site);
  const { connectionsPort, connectionsPath } = stack[site].app;
  let total = 0;
  for (const dep of deploymentsOf(stack, site)) {
    const pods = (await cluster.pods(`app=${dep}`)).filter((p) => p.phase === 'Running');
    const counts = await Promise.all(
      pods.map(async (p) => {
        const text = await cluster.podProxyGet(p.name, connectionsPort, connectionsPath);
        const active = Number((JSON.parse(text) as { active?: unknown }).active);
        if (!Number.isFinite(active))
          throw new UserError(
            `pod ${p.name} answered ${connectionsPath} with "${text.slice(0, 80)}": expected {"active": N}.`,
          );
        return active;
      }),
    );
    total += counts.reduce((a, b) => a + b, 0);
  }
  return total;
}
