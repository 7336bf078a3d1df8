/**
 * `database` (runbook step 3): fails the database over (RDS Multi-AZ or replica promotion, Azure
 * SQL failover group, Cloud SQL HA or replica promotion) after reading the current primary;
 * refuses while the old primary accepts writes; records the RPO.
 */
import { UserError } from '../engine/errors.js';
import { pollUntil, runStep } from '../engine/step.js';
import { DRAIN_ANNOTATION } from '../plan/constants.js';
import type { DatabaseMode, SiteName } from '../plan/types.js';
import type { CloudProviders, DatabaseState, Operation } from '../providers/types.js';
import { clusterKey, deploymentsOf, forEachStack, otherSite, perStackOutput } from './shared/context.js';
import {
  CLASS_INPUT,
  FAILED_OUTPUT,
  incidentClass,
  outputsOf,
  TARGET_INPUT,
  targetSite,
} from './shared/inputs.js';
import { awaitOperation, isUnreachable, probe, sampleFor } from './shared/observe.js';
import { errorText, outcomeRow } from './shared/rows.js';
import type { PhaseContext, PhaseDef, ResultRow } from './types.js';
import { clip } from '../engine/clip.js';

export const databasePhase: PhaseDef = {
  name: 'database',
  title: 'Database failover',
  description:
    'Fails the database over (RDS Multi-AZ or replica promotion, Azure SQL failover group, Cloud SQL HA or replica promotion) after reading the current primary; refuses while the old primary accepts writes; records the RPO.',
  inputs: [
    CLASS_INPUT,
    TARGET_INPUT,
    {
      name: 'database-mode',
      description: 'Override of the class mode: in-region, cross-region, planned or forced.',
      default: '',
    },
    {
      name: 'allow-data-loss',
      description: 'Allow an Azure forced failover (data loss) when the primary is unreachable.',
      default: 'false',
    },
    {
      name: 'reason',
      description: 'Why the database is failed over (recorded in the journal).',
      default: '',
    },
  ],
  outputs: [
    FAILED_OUTPUT,
    {
      name: 'rpo-seconds',
      description: 'Replication lag at promotion per stack, "stack=seconds" comma-separated.',
    },
  ],
  async run(ctx) {
    const target = targetSite(ctx);
    const mode = databaseMode(ctx);
    const { ok, rows } = await forEachStack(ctx, (name) =>
      failoverDatabase(ctx, 'database', name, target, mode),
    );
    const rpo = perStackOutput(
      ctx,
      (r) => r.phase === 'database' && r.step === 'failover' && r.data?.rpoSeconds !== undefined,
      (r) => (r.data!.rpoSeconds as number).toFixed(1),
    );
    return { ok, rows, outputs: { ...outputsOf(rows), 'rpo-seconds': rpo } };
  },
};

export function databaseMode(ctx: PhaseContext): DatabaseMode {
  const m = ctx.inputs['database-mode'];
  if (m) {
    if (!['in-region', 'cross-region', 'planned', 'forced'].includes(m)) {
      throw new UserError(
        `input database-mode is "${clip(m)}": expected in-region, cross-region, planned or forced.`,
      );
    }
    return m as DatabaseMode;
  }
  return incidentClass(ctx).databaseMode;
}

/**
 * Database failover (runbook step 3). Reads the current primary first and never fails over a
 * database that is already where it should be; refuses to promote while the old primary still
 * accepts writes unless forced; records the replication lag at promotion (the RPO). Chooses
 * between the two steps by the effective mode: an in-region HA failover, or a cross-region move of
 * the writer.
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
  const db: DatabaseStep = { ctx, phase, name, dbName, providers };
  return mode === 'in-region' ? inRegionFailover(db) : crossRegionFailover(db, target, mode);
}

/** What both database steps work on: one stack's database, in one phase. */
interface DatabaseStep {
  ctx: PhaseContext;
  phase: string;
  name: string;
  dbName: string;
  providers: CloudProviders;
}

/**
 * In-region HA failover: the writer stays in the primary region, its zone changes (RDS Multi-AZ
 * force failover, Cloud SQL HA failover).
 */
async function inRegionFailover({ ctx, phase, name, dbName, providers }: DatabaseStep): Promise<ResultRow[]> {
  const stack = ctx.plan.stack(name);
  // A second force-failover would flip the writer back, so "done" is read from the journal: a
  // finished in-region failover whose destination zone is still the writer's zone.
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
    action: (s) => `in-region HA failover of ${dbName} (writer zone ${s.writerZone ?? 'unknown'} -> standby)`,
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

/**
 * Cross-region failover: the writer moves to `target` (replica promotion, Azure SQL planned or
 * forced failover), only once the other site no longer accepts writes or the run is forced.
 */
async function crossRegionFailover(
  { ctx, phase, name, dbName, providers }: DatabaseStep,
  target: SiteName,
  mode: DatabaseMode,
): Promise<ResultRow[]> {
  const stack = ctx.plan.stack(name);
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
