/**
 * `drain` (runbook step 2), and the fences it relies on. A fence stops writes on a site that must
 * not serve, with the plan's `fence.methods`, combinable: the drain annotation (advisory: only an
 * application that watches its own Deployment sees it), the deployments scaled to zero (their
 * replica counts journaled first, restored when the fence is lifted) and a NetworkPolicy that
 * denies the application pods all egress (where the network plugin enforces it). `applyFence` and
 * `liftFence` are what declare, database, failback and the outlasting fence (readiness, triggers)
 * call; the phase itself waits until the site's pods report zero active connections.
 */
import { UserError } from '../engine/errors.js';
import type { JournalRecord } from '../engine/journal.js';
import { pollUntil, runStep, type StepResult, type StepSpec } from '../engine/step.js';
import { DRAIN_ANNOTATION } from '../plan/constants.js';
import type { FenceMethod } from '../plan/schema.js';
import type { SiteName } from '../plan/types.js';
import { servingSite } from './incident.js';
import { clusterKey, deploymentsOf, forEachStack, otherSite, replicasFor } from './shared/context.js';
import { CLASS_INPUT, FAILED_OUTPUT, outputsOf, TARGET_INPUT, targetSite } from './shared/inputs.js';
import { isUnreachable, observe, probe } from './shared/observe.js';
import { errorText, outcomeRow, row } from './shared/rows.js';
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
    rows.push(
      await siteStep(
        ctx,
        name,
        site,
        item,
        {
          phase,
          step: drained ? 'fence' : 'unfence',
          target: `k8s:${site}/${dep}`,
          observe: async () => (await cluster.deployment(dep))?.annotations[DRAIN_ANNOTATION] ?? null,
          satisfied: (v) => (drained ? v === 'true' : v !== 'true'),
          action: drained
            ? `annotate deployment ${dep} ${DRAIN_ANNOTATION}="true" on the ${site} cluster (stop new writes)`
            : `remove ${DRAIN_ANNOTATION} from deployment ${dep} on the ${site} cluster`,
          act: () => cluster.annotate(dep, { [DRAIN_ANNOTATION]: value }),
        },
        `${site} cluster unreachable: recorded as unreachable; writes there are impossible while it is down`,
        (r) => outcomeRow(name, item, r, `${DRAIN_ANNOTATION}=${value ?? '(none)'}`),
      ),
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

/** The plan's fence methods (default: annotation, scale-to-zero and network-policy). */
export function fenceMethods(ctx: PhaseContext): FenceMethod[] {
  return ctx.plan.doc.fence?.methods ?? ['annotation', 'scale-to-zero', 'network-policy'];
}

export function networkPolicyName(ctx: PhaseContext): string {
  return ctx.plan.doc.fence?.networkPolicyName ?? 'aegis-dr-fence';
}

/** The journal step that records a deployment's replicas before the fence scales it to zero. */
export const FENCE_REPLICAS_STEP = 'fence-replicas';

/**
 * A fence step on one site's cluster, with the settings every fence step shares: three tries, a
 * cluster that does not answer recorded as unreachable (a warning row saying `unreachableDetail`),
 * else the row `done(r)` describes.
 */
async function siteStep<S>(
  ctx: PhaseContext,
  name: string,
  site: SiteName,
  item: string,
  spec: Omit<StepSpec<S>, 'stack' | 'retry' | 'unreachable' | 'unreachableKey' | 'deadlineMs'> & {
    deadlineMs?: number;
  },
  unreachableDetail: string,
  done: (r: StepResult<S>) => ResultRow,
): Promise<ResultRow> {
  const r = await runStep(ctx.run, {
    deadlineMs: 60_000,
    ...spec,
    stack: name,
    retry: { maxAttempts: 3 },
    unreachable: isUnreachable,
    unreachableKey: clusterKey(name, site),
  });
  return r.outcome === 'unreachable' ? row(name, item, 'warn', unreachableDetail) : done(r);
}

const UNREACHABLE_DETAIL = (site: SiteName) =>
  `${site} cluster unreachable: recorded as unreachable; a readiness or triggers run fences it as soon as it answers again`;

/**
 * Fence a site with every method of the plan, in the order that leaves no gap: the annotation
 * first (an application that watches it stops on its own), then the NetworkPolicy (so that pods a
 * controller or an HPA starts after the scale-down cannot reach the database), then the
 * deployments scaled to zero (their counts journaled before the scale).
 */
export async function applyFence(
  ctx: PhaseContext,
  phase: string,
  name: string,
  site: SiteName,
  methods: FenceMethod[] = fenceMethods(ctx),
): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  if (methods.includes('annotation')) rows.push(...(await setDrain(ctx, phase, name, site, true)));
  if (methods.includes('network-policy')) rows.push(await setEgressFence(ctx, phase, name, site, true));
  if (methods.includes('scale-to-zero')) rows.push(...(await scaleToZero(ctx, phase, name, site)));
  return rows;
}

/**
 * Lift every fence of a site, whatever the plan's methods are now (a plan edited during an
 * incident must not leave a fence behind): the NetworkPolicy deleted, the annotation removed, and
 * each deployment scaled to zero by a fence back to its journaled count.
 */
export async function liftFence(
  ctx: PhaseContext,
  phase: string,
  name: string,
  site: SiteName,
): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  rows.push(await setEgressFence(ctx, phase, name, site, false));
  rows.push(...(await setDrain(ctx, phase, name, site, false)));
  rows.push(...(await restoreReplicas(ctx, phase, name, site)));
  return rows;
}

/** Create (fence) or delete (lift) the NetworkPolicy that denies the site's application pods all egress. */
async function setEgressFence(
  ctx: PhaseContext,
  phase: string,
  name: string,
  site: SiteName,
  fenced: boolean,
): Promise<ResultRow> {
  const stack = ctx.plan.stack(name);
  const cluster = await ctx.env.cluster(name, site);
  const policy = networkPolicyName(ctx);
  const apps = deploymentsOf(stack, site);
  const item = `${fenced ? 'Fence' : 'Unfence'} ${site} egress`;
  return siteStep(
    ctx,
    name,
    site,
    item,
    {
      phase,
      step: fenced ? 'fence-egress' : 'unfence-egress',
      target: `k8s:${site}/networkpolicy/${policy}`,
      observe: async () => (await cluster.egressFence(policy)) ?? null,
      satisfied: (p) => (fenced ? p !== null : p === null),
      action: fenced
        ? `create NetworkPolicy ${policy} denying all egress of the pods of ${apps.join(', ')} on the ${site} cluster`
        : `delete NetworkPolicy ${policy} on the ${site} cluster`,
      act: () => (fenced ? cluster.createEgressFence(policy, apps) : cluster.deleteEgressFence(policy)),
    },
    UNREACHABLE_DETAIL(site),
    (r) =>
      outcomeRow(
        name,
        item,
        r,
        fenced
          ? `NetworkPolicy ${policy} denies all egress of ${apps.join(', ')} (enforced only where the network plugin enforces NetworkPolicy)`
          : `NetworkPolicy ${policy} absent`,
      ),
  );
}

/** Scale every deployment of the site to zero, journaling its replica count first (intent before act). */
async function scaleToZero(
  ctx: PhaseContext,
  phase: string,
  name: string,
  site: SiteName,
): Promise<ResultRow[]> {
  const stack = ctx.plan.stack(name);
  const cluster = await ctx.env.cluster(name, site);
  const rows: ResultRow[] = [];
  for (const dep of deploymentsOf(stack, site)) {
    const item = `Fence ${site} replicas of ${dep}`;
    const target = `k8s:${site}/${dep}`;
    rows.push(
      await siteStep(
        ctx,
        name,
        site,
        item,
        {
          phase,
          step: 'fence-scale',
          target,
          observe: async () => {
            const d = await cluster.deployment(dep);
            return d ? { replicas: d.replicas, ready: d.readyReplicas } : null;
          },
          satisfied: (d) => d === null || (d.replicas === 0 && d.ready === 0),
          inProgress: (d) => d !== null && d.replicas === 0,
          action: (d) =>
            `scale deployment ${dep} from ${d?.replicas} to 0 replicas on the ${site} cluster (stop every write)`,
          act: async (d) => {
            if (d && d.replicas > 0)
              observe(ctx, phase, FENCE_REPLICAS_STEP, name, target, {
                replicas: d.replicas,
                site,
                deployment: dep,
              });
            await cluster.scale(dep, 0);
          },
          wait: () =>
            pollUntil(
              ctx.run,
              `${site}/${dep} without ready pods`,
              async () => {
                const d = await cluster.deployment(dep);
                return !d || d.readyReplicas === 0 ? { replicas: d?.replicas ?? 0, ready: 0 } : undefined;
              },
              ctx.plan.limits.deadlinesMs.drain,
            ),
          deadlineMs: ctx.plan.limits.deadlinesMs.drain,
        },
        UNREACHABLE_DETAIL(site),
        (r) =>
          r.before === null
            ? row(name, item, 'warn', `deployment ${dep} not found on the ${site} cluster`)
            : outcomeRow(name, item, r, `${r.before?.replicas ?? 0} -> 0 replicas`),
      ),
    );
  }
  return rows;
}

/**
 * The replica count a fence journaled for a deployment before scaling it to zero: the newest
 * `fence-replicas` record of that stack and target, not a dry run.
 */
export function fencedReplicas(
  records: JournalRecord[],
  name: string,
  site: SiteName,
  dep: string,
): number | undefined {
  const r = records
    .filter(
      (x) =>
        x.step === FENCE_REPLICAS_STEP &&
        x.stack === name &&
        x.target === `k8s:${site}/${dep}` &&
        !x.dryRun &&
        typeof x.data?.replicas === 'number' &&
        x.data.replicas > 0,
    )
    .at(-1);
  return r?.data?.replicas as number | undefined;
}

/** Each deployment at zero replicas back to the count journaled before the fence (else the plan's count for the site). */
async function restoreReplicas(
  ctx: PhaseContext,
  phase: string,
  name: string,
  site: SiteName,
): Promise<ResultRow[]> {
  const stack = ctx.plan.stack(name);
  const cluster = await ctx.env.cluster(name, site);
  const rows: ResultRow[] = [];
  for (const dep of deploymentsOf(stack, site)) {
    const journaled = fencedReplicas(ctx.run.journal.records, name, site, dep);
    if (journaled === undefined && !fenceMethods(ctx).includes('scale-to-zero')) continue;
    const want =
      journaled ?? replicasFor(ctx.plan, stack, site, dep, site === 'primary' ? 'active' : 'standby');
    const item = `Unfence ${site} replicas of ${dep}`;
    rows.push(
      await siteStep(
        ctx,
        name,
        site,
        item,
        {
          phase,
          step: 'unfence-scale',
          target: `k8s:${site}/${dep}`,
          observe: async () => (await cluster.deployment(dep))?.replicas ?? null,
          // only a deployment left at zero is the fence's to restore: one scaled since is someone's choice
          satisfied: (n) => n === null || n > 0,
          action: `scale deployment ${dep} from 0 back to ${want} replicas on the ${site} cluster (${journaled !== undefined ? 'the count journaled before the fence' : "no count journaled: the plan's"})`,
          act: () => cluster.scale(dep, want),
        },
        `${site} cluster unreachable: replicas not restored; lift the fence again when it answers`,
        (r) => outcomeRow(name, item, r, `${r.before ?? 0} -> ${r.after ?? r.before ?? 0} replicas`),
      ),
    );
  }
  return rows;
}

/**
 * The declaration of an incident that is still open for a stack: the newest non-dry-run `declare`
 * incident record with no failback record after it (a failback under way owns the primary).
 */
export function openDeclaration(records: JournalRecord[], name: string): JournalRecord | undefined {
  const last = records
    .filter((r) => r.stack === name && r.phase === 'declare' && r.step === 'incident' && !r.dryRun)
    .at(-1);
  if (!last) return undefined;
  const after = records.some(
    (r) => r.seq > last.seq && r.stack === name && r.phase === 'failback' && !r.dryRun,
  );
  return after ? undefined : last;
}

/**
 * A fence that outlasts the outage: while an incident that moved service to DR is open, fence the
 * old primary as soon as its cluster answers again (a region that comes back brings back an
 * application and a still-writable database long before anyone runs failback). Journaled like any
 * step; a primary still unreachable is one info row.
 */
export async function fenceReturnedPrimary(
  ctx: PhaseContext,
  phase: string,
  name: string,
): Promise<ResultRow[]> {
  const open = openDeclaration(ctx.run.journal.records, name);
  if (!open) return [];
  const clsName = open.data?.incidentClass as keyof typeof ctx.plan.classes | undefined;
  const cls = clsName ? ctx.plan.classes[clsName] : undefined;
  if (!cls || servingSite(cls) !== 'dr') return [];
  if (!cls.phases.includes('database') && !cls.phases.includes('traffic')) return [];
  const rows = await applyFence(ctx, phase, name, 'primary');
  if (rows.length > 0 && rows.every((r) => r.status === 'warn' && /unreachable/.test(r.detail))) {
    return [
      row(
        name,
        'Fence old primary',
        'info',
        `incident ${cls.name} open since ${String(open.data?.declaredAt ?? open.startedAt)}: the primary cluster is still unreachable; it is fenced on the first run that reaches it`,
      ),
    ];
  }
  return rows;
}

/**
 * Readiness: a plan that fences with a NetworkPolicy relies on each cluster's network plugin to
 * enforce it; read the setting from the cloud (EKS vpc-cni add-on, AKS network profile, GKE
 * network policy / Dataplane V2) for both sites and warn where it is off or unreadable.
 */
export async function fenceEnforcementRow(ctx: PhaseContext, name: string): Promise<ResultRow[]> {
  if (!fenceMethods(ctx).includes('network-policy')) return [];
  const item = 'Fence enforcement';
  const providers = await ctx.env.providers(name);
  const found = await Promise.all(
    (['primary', 'dr'] as const).map(async (site) => {
      try {
        const r = await probe(ctx, () => providers.nodePool.networkPolicy(site));
        return { site, ...r };
      } catch (err) {
        return { site, enforced: false, detail: `could not be read (${errorText(err)})` };
      }
    }),
  );
  const off = found.filter((f) => !f.enforced);
  const r = off.length
    ? row(
        name,
        item,
        'warn',
        `the plan fences with a NetworkPolicy but ${off.map((f) => `the ${f.site} cluster does not enforce it (${f.detail})`).join(' and ')}: there the fence rests on ${fenceMethods(ctx).includes('scale-to-zero') ? 'the scale to zero' : 'nothing but the annotation; add scale-to-zero to fence.methods'}, or turn on the cluster's network policy enforcement`,
      )
    : row(name, item, 'pass', found.map((f) => f.detail).join('; '));
  observe(ctx, 'readiness', item, name, name, { status: r.status, detail: r.detail });
  return [r];
}
