/**
 * The per-stack building blocks of failover and failback, each an engine step (observe -> act ->
 * await, dry-run aware, journaled). Phases and the pipeline compose them.
 */
import { UserError } from '../engine/errors.js';
import { pollUntil, runStep, type StepResult } from '../engine/step.js';
import { queryDns } from '../providers/dns/resolver.js';
import type {
  DatabaseState,
  NodePoolState,
  Operation,
  OperationStatus,
  TrafficState,
} from '../providers/types.js';
import type { DatabaseMode, SiteName } from '../plan/types.js';
import {
  DRAIN_ANNOTATION,
  deploymentsOf,
  dnsServerOf,
  sampleFor,
  isUnreachable,
  otherSite,
  probe,
  replicasFor,
  row,
  errorText,
} from './common.js';
import type { PhaseContext, ResultRow } from './types.js';

function outcomeRow(stack: string, item: string, r: StepResult<unknown>, detail: string): ResultRow {
  const status = r.outcome === 'would-do' ? 'would-do' : r.outcome === 'skipped' ? 'pass' : 'done';
  return row(stack, item, status, r.outcome === 'skipped' ? `already so: ${detail}` : detail);
}

/** Poll a started operation until the provider says it is done; its error fails the step. */
async function awaitOperation(
  ctx: PhaseContext,
  what: string,
  op: Operation | undefined,
  poll: (op: Operation) => Promise<OperationStatus>,
  deadlineMs: number,
  minPollMs?: number,
): Promise<void> {
  if (!op) return;
  await pollUntil(
    ctx.run,
    what,
    async () => {
      const st = await poll(op);
      if (st.error) throw new UserError(`${what} failed: ${st.error}`);
      return st.done ? true : undefined;
    },
    deadlineMs,
    minPollMs,
  );
}

/** Shortest interval between two polls of a Route 53 change. */
export const ROUTE53_MIN_POLL_MS = 500;

/** The key under which a site's Kubernetes API is remembered as unreachable in a run. */
function clusterKey(name: string, site: SiteName): string {
  return `${name}/${site}/kubernetes`;
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

/** Does the site still accept writes? (reachable and not fenced) */
export async function acceptsWrites(
  ctx: PhaseContext,
  name: string,
  site: SiteName,
): Promise<{ accepts: boolean; detail: string }> {
  const stack = ctx.plan.stack(name);
  try {
    const cluster = await ctx.env.cluster(name, site);
    const deps = await probe(
      ctx,
      () => Promise.all(deploymentsOf(stack, site).map((d) => cluster.deployment(d))),
      clusterKey(name, site),
    );
    const unfenced = deps
      .filter((d) => d && d.annotations[DRAIN_ANNOTATION] !== 'true' && d.replicas > 0)
      .map((d) => d!.name);
    return unfenced.length
      ? {
          accepts: true,
          detail: `${site} deployment(s) ${unfenced.join(', ')} are not fenced (${DRAIN_ANNOTATION} is not "true")`,
        }
      : { accepts: false, detail: `${site} fenced` };
  } catch (err) {
    if (isUnreachable(err)) return { accepts: false, detail: `${site} unreachable (${errorText(err)})` };
    throw err;
  }
}

/** Replication lag of a stack from Prometheus, or undefined when it cannot be read. */
export async function replicationLag(ctx: PhaseContext, name: string): Promise<number | undefined> {
  if (!ctx.plan.doc.prometheus) return undefined;
  try {
    const samples = await probe(ctx, () =>
      ctx.env.prometheus().query(ctx.plan.doc.prometheus!.queries.replicationLag),
    );
    return sampleFor(
      samples.filter((s) => s.labels.site !== 'primary'),
      name,
      ctx.plan.stack(name),
    )?.value;
  } catch {
    return undefined;
  }
}

function effectiveMode(ctx: PhaseContext, name: string, mode: DatabaseMode, db: DatabaseState): DatabaseMode {
  const stack = ctx.plan.stack(name);
  if (stack.database.type !== 'azure-sql')
    return mode === 'planned' || mode === 'forced' ? 'cross-region' : mode;
  if (mode === 'in-region') return 'planned';
  const allowLoss = stack.database.allowDataLoss || ctx.inputs['allow-data-loss'] === 'true';
  if (mode === 'cross-region' || mode === 'planned')
    return !db.primaryReachable && allowLoss ? 'forced' : 'planned';
  return mode;
}

/**
 * Database failover (runbook step 3). Reads the current primary first and never fails over a
 * database that is already where it should be; refuses to promote while the old primary still
 * accepts writes unless forced; records the replication lag at promotion (the RPO).
 */
export async function failoverDatabase(
  ctx: PhaseContext,
  phase: string,
  name: string,
  target: SiteName,
  requested: DatabaseMode,
): Promise<ResultRow[]> {
  const stack = ctx.plan.stack(name);
  const providers = await ctx.env.providers(name);
  const first = await probe(ctx, () => providers.database.describe());
  const mode = effectiveMode(ctx, name, requested, first);
  const dbName =
    stack.database.type === 'rds'
      ? stack.database.instance
      : stack.database.type === 'cloud-sql'
        ? stack.database.instance
        : stack.database.failoverGroup;

  if (mode === 'in-region') {
    // In-region HA failover: the writer stays in the primary region, its zone changes. A second
    // force-failover would flip it back, so "done" is read from the journal: a finished in-region
    // failover whose destination zone is still the writer's zone.
    const previous = ctx.run.journal.records.filter(
      (r) =>
        r.phase === phase &&
        r.step === 'failover' &&
        r.stack === name &&
        r.outcome === 'done' &&
        r.data?.mode === 'in-region',
    );
    const doneZone = previous.at(-1)?.data?.toZone as string | undefined;
    let op: Operation | undefined;
    let fromZone: string | undefined;
    const r = await runStep<DatabaseState>(ctx.run, {
      phase,
      step: 'failover',
      stack: name,
      target: `${stack.database.type}:${dbName}`,
      observe: () => providers.database.describe(),
      satisfied: (s) => !s.busy && doneZone !== undefined && s.writerZone === doneZone && op === undefined,
      inProgress: (s) => s.busy,
      action: (s) =>
        `in-region HA failover of ${dbName} (writer zone ${s.writerZone ?? 'unknown'} -> standby)`,
      act: async (s) => {
        fromZone = s.writerZone;
        op = await providers.database.failover('primary', 'in-region');
      },
      wait: async () => {
        await awaitOperation(
          ctx,
          `${dbName} in-region failover`,
          op,
          (o) => providers.database.poll(o),
          ctx.plan.limits.deadlinesMs.database,
        );
        return pollUntil(
          ctx.run,
          `${dbName} available`,
          async () => {
            const s = await providers.database.describe();
            return !s.busy ? s : undefined;
          },
          ctx.plan.limits.deadlinesMs.database,
        );
      },
      deadlineMs: ctx.plan.limits.deadlinesMs.database,
      summarise: (s) => ({ writer: s.writer, zone: s.writerZone, status: s.status }),
      data: (_b, after) => ({ mode: 'in-region', fromZone, toZone: after?.writerZone, operation: op?.id }),
    });
    return [
      outcomeRow(
        name,
        'Database',
        r,
        `${dbName} in-region failover; writer zone ${r.after?.writerZone ?? r.before.writerZone}`,
      ),
    ];
  }

  let op: Operation | undefined;
  let lagAtPromotion: number | undefined;
  const canPromoteBack = target === 'dr' || stack.database.type === 'azure-sql';
  const r = await runStep<DatabaseState>(ctx.run, {
    phase,
    step: 'failover',
    stack: name,
    target: `${stack.database.type}:${dbName}`,
    observe: () => providers.database.describe(),
    satisfied: (s) => s.writer === target && !s.busy,
    inProgress: (s) => s.busy,
    action: (s) =>
      canPromoteBack
        ? `${mode === 'forced' ? 'forced (data loss allowed) ' : ''}${mode === 'planned' ? 'planned ' : ''}failover of ${dbName} from ${s.writer} to ${target}`
        : `${dbName} writer back on ${target}`,
    act: async () => {
      if (!canPromoteBack) {
        throw new UserError(
          `${dbName} still has its writer on ${otherSite(target)}: run the sync phase with mode=execute to copy the DR data back and re-establish the primary, then run failback again.`,
        );
      }
      const fence = await acceptsWrites(ctx, name, otherSite(target));
      if (fence.accepts && !ctx.run.force) {
        throw new UserError(
          `refusing to promote ${dbName} on ${target}: ${fence.detail}; run declare (fence) and drain first, or pass force with a reason.`,
        );
      }
      lagAtPromotion = await replicationLag(ctx, name);
      op = await providers.database.failover(target, mode);
    },
    wait: async () => {
      await awaitOperation(
        ctx,
        `${dbName} failover to ${target}`,
        op,
        (o) => providers.database.poll(o),
        ctx.plan.limits.deadlinesMs.database,
      );
      return pollUntil(
        ctx.run,
        `${dbName} writer on ${target}`,
        async () => {
          const s = await providers.database.describe();
          return s.writer === target && !s.busy ? s : undefined;
        },
        ctx.plan.limits.deadlinesMs.database,
      );
    },
    deadlineMs: ctx.plan.limits.deadlinesMs.database,
    summarise: (s) => ({
      writer: s.writer,
      status: s.status,
      replication: s.replication.detail,
      primaryReachable: s.primaryReachable,
    }),
    data: () => ({
      mode,
      rpoSeconds: lagAtPromotion,
      operation: op?.id,
      forced: ctx.run.force ? ctx.run.force : undefined,
    }),
  });
  const rpo = (r.record.data?.rpoSeconds as number | undefined) ?? undefined;
  return [
    outcomeRow(
      name,
      'Database',
      r,
      `${dbName} writer on ${target} (${mode})${rpo !== undefined ? `; replication lag at promotion ${rpo.toFixed(1)} s (RPO)` : ''}`,
    ),
  ];
}

/** Move the traffic switch to `target`, wait for the service, then confirm through DNS. */
export async function switchTraffic(
  ctx: PhaseContext,
  phase: string,
  name: string,
  target: SiteName,
): Promise<ResultRow[]> {
  const stack = ctx.plan.stack(name);
  const providers = await ctx.env.providers(name);
  const ttl = ctx.plan.limits.dnsTtlSeconds;
  let op: Operation | undefined;
  // Route 53 allows 5 requests a second per account, shared by every call of every stack: poll a
  // change at most twice a second, so the reads around it (before and after) still fit
  const minPollMs = stack.traffic.type === 'route53' ? ROUTE53_MIN_POLL_MS : undefined;
  const r = await runStep<TrafficState>(ctx.run, {
    phase,
    step: 'switch',
    stack: name,
    target: `${stack.traffic.type}:${'record' in stack.traffic && stack.traffic.record ? stack.traffic.record : (stack.traffic as { profile?: string }).profile}`,
    observe: () => providers.traffic.describe(),
    satisfied: (s) => s.active === target && op === undefined,
    action: (s) =>
      `point ${providers.traffic.expectation(target).name} from ${s.active} to ${target} (${providers.traffic.expectation(target).value}, TTL ${ttl} s)`,
    act: async () => {
      op = await providers.traffic.switchTo(target, ttl);
    },
    wait: async () => {
      await awaitOperation(
        ctx,
        `traffic change ${op?.id}`,
        op,
        (o) => providers.traffic.poll(o),
        ctx.plan.limits.deadlinesMs.traffic,
        minPollMs,
      );
      const after = await providers.traffic.describe();
      op = undefined;
      return after;
    },
    minPollMs,
    deadlineMs: ctx.plan.limits.deadlinesMs.traffic,
    data: () => (op ? { change: op.id } : undefined),
  });
  const rows = [
    outcomeRow(name, 'Traffic switch', r, `${stack.traffic.type} now sends traffic to ${target}`),
  ];
  if (r.outcome === 'would-do') return rows;
  // DNS confirmation, as `dig +short api.aegis.io` would show it at the authoritative servers
  const exp = providers.traffic.expectation(target);
  const server = dnsServerOf(stack);
  const d = await runStep(ctx.run, {
    phase,
    step: 'dns-confirm',
    stack: name,
    target: `dns:${exp.name}`,
    observe: async () =>
      (await queryDns(exp.name, exp.type, { server })).answers.map((a) => a.data.replace(/\.$/, '')),
    satisfied: (values) => values.includes(exp.value.replace(/\.$/, '')),
    inProgress: () => true,
    action: `wait until ${exp.name} ${exp.type} resolves to ${exp.value}`,
    deadlineMs: ctx.plan.limits.deadlinesMs.traffic,
  });
  rows.push(
    row(
      name,
      'DNS',
      d.outcome === 'would-do' ? 'would-do' : 'pass',
      `${exp.name} ${exp.type} -> ${(d.after ?? d.before).join(', ')}`,
    ),
  );
  return rows;
}
