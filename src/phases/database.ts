/**
 * `database` (runbook step 3): fails the database over (RDS Multi-AZ or replica promotion, Azure
 * SQL failover group, Cloud SQL HA or replica promotion) after reading the current primary;
 * refuses while the old primary accepts writes; records the RPO.
 */
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../engine/cancel.js';
import { DeadlineError, UserError } from '../engine/errors.js';
import { formatMs, pollUntil, runStep } from '../engine/step.js';
import { DRAIN_ANNOTATION } from '../plan/constants.js';
import type { DatabaseMode, SiteName } from '../plan/types.js';
import type { CloudProviders, DatabaseState, Operation } from '../providers/types.js';
import { azureFailover, azurePlannedNote, type AzureMove } from './database-azure.js';
import { pointInTimeRestore, RESTORE_TIME_INPUT } from './database-pitr.js';
import { fenceMethods, liftFence, networkPolicyName } from './drain.js';
import { servingSite } from './incident.js';
import { clusterKey, deploymentsOf, forEachStack, otherSite, perStackOutput } from './shared/context.js';
import {
  CLASS_INPUT,
  FAILED_OUTPUT,
  incidentClass,
  outputsOf,
  TARGET_INPUT,
  targetSite,
} from './shared/inputs.js';
import { awaitOperation, isUnreachable, probe } from './shared/observe.js';
import { bindWriter, writerFacts } from './shared/binding.js';
import { journalOrphan } from './shared/orphans.js';
import { errorText, outcomeRow } from './shared/rows.js';
import { rpoEvidence, rpoText, type RpoEvidence } from './shared/rpo.js';
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
      kind: 'enum',
      choices: ['in-region', 'cross-region', 'planned', 'forced', 'point-in-time'],
      description:
        'Override of the class mode: in-region, cross-region, planned, forced or point-in-time (logical corruption: restore to restore-time).',
      default: '',
    },
    RESTORE_TIME_INPUT,
    {
      name: 'allow-data-loss',
      kind: 'boolean',
      description:
        'Azure SQL: when the planned failover fails with the primary unreachable, force it (the writes that had not replicated are lost). The plan can allow it too (database.allowDataLoss).',
      default: 'false',
    },
    {
      name: 'reason',
      kind: 'string',
      description: 'Why the database is failed over (recorded in the journal).',
      default: '',
    },
  ],
  outputs: [
    FAILED_OUTPUT,
    {
      name: 'rpo-seconds',
      description:
        'RPO per stack, "stack=seconds" comma-separated: the replication lag at promotion (the cloud\'s own metric where it reports one, else the app metric), or an upper bound (last lag plus its age) when the primary had vanished.',
    },
  ],
  async run(ctx) {
    const target = targetSite(ctx);
    const mode = databaseMode(ctx);
    // A class that keeps serving from the primary region (database-corruption: the HA standby in
    // the same region) lifts declare's fence once the database failover is done, or the primary
    // stays read-only and nothing serves writes.
    const servesFromPrimary = servingSite(incidentClass(ctx)) === 'primary';
    const { ok, rows } = await forEachStack(ctx, async (name) => {
      const moved = await failoverDatabase(ctx, 'database', name, target, mode);
      if (moved.some((r) => r.status === 'fail')) return moved;
      const done = [
        ...moved,
        ...(await bindWriter(ctx, 'database', name, servesFromPrimary ? 'primary' : target)),
      ];
      // the fence comes off only once the application is bound to the new writer (a point-in-time
      // restore leaves the corrupted writer standalone and writable: lifting first would let the
      // application write to it again)
      if (!servesFromPrimary || done.some((r) => r.status === 'fail')) return done;
      return [...done, ...(await liftFence(ctx, 'database', name, 'primary'))];
    });
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
    if (!['in-region', 'cross-region', 'planned', 'forced', 'point-in-time'].includes(m)) {
      throw new UserError(
        `input database-mode is "${clip(m)}": expected in-region, cross-region, planned, forced or point-in-time.`,
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
  if (requested === 'point-in-time') return pointInTimeRestore(ctx, phase, name);
  const stack = ctx.plan.stack(name);
  const providers = await ctx.env.providers(name);
  // the first read decides the mode: ridden out like any step's read, under the phase deadline
  const first = await probe(ctx, () => providers.database.describe(), undefined, {
    deadlineMs: ctx.plan.limits.deadlinesMs.database,
  });
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
  let waitedFor: string | undefined;
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
      waitedFor = await waitForRoutine(ctx, providers, dbName, s);
      fromZone = s.writerZone;
      op = await providers.database.failover('primary', 'in-region');
    },
    // The writer's zone cannot tell "failed over" from "not yet": the cloud's history can (a
    // second force-failover moves the writer back).
    evidence: (since) => providers.database.failoverHistory('in-region', since),
    settleMs: settleMs(ctx),
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
    data: (_b, after) => ({
      mode: 'in-region',
      fromZone,
      toZone: after?.writerZone,
      operation: op?.id,
      waitedFor,
    }),
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
  mode: Exclude<DatabaseMode, 'point-in-time'>,
): Promise<ResultRow[]> {
  const stack = ctx.plan.stack(name);
  let op: Operation | undefined;
  let rpo: RpoEvidence | undefined;
  let waitedFor: string | undefined;
  let azure: AzureMove | undefined;
  let promotedAt: Date | undefined;
  const r = await runStep<DatabaseState>(ctx.run, {
    phase,
    step: 'failover',
    stack: name,
    target: `${stack.database.type}:${dbName}`,
    observe: () => providers.database.describe(),
    satisfied: (s) => s.writer === target && !s.busy,
    inProgress: (s) => s.busy,
    action: (s) =>
      `${mode === 'forced' ? 'forced (data loss allowed) ' : ''}${mode === 'planned' ? 'planned ' : ''}failover of ${dbName} from ${s.writer} to ${target}${stack.database.type === 'azure-sql' && mode === 'planned' ? azurePlannedNote(ctx, name) : ''}`,
    act: async (s) => {
      // An Azure planned failover with both servers answering cannot make two writers: it
      // synchronizes the secondary, then switches the roles, and the read-write listener follows
      // the new primary (https://learn.microsoft.com/en-us/azure/azure-sql/database/failover-group-sql-db#planned-failover).
      // Only a forced failover (primary unreachable) needs the other site fenced first.
      const singleWriter = stack.database.type === 'azure-sql' && mode === 'planned' && s.primaryReachable;
      const fence = singleWriter
        ? { accepts: false, detail: 'planned failover group failover', next: undefined }
        : await acceptsWrites(ctx, name, otherSite(target));
      if (fence.accepts && !ctx.run.force) {
        throw new UserError(
          `refusing to promote ${dbName} on ${target}: ${fence.detail}; ${fence.next ?? 'run declare (fence) and drain first, or pass force with a reason'}.`,
        );
      }
      waitedFor = await waitForRoutine(ctx, providers, dbName, s);
      // the lag of the replica about to be promoted, from the cloud where it reports one
      rpo = await rpoEvidence(ctx, name, target, s.primaryReachable);
      promotedAt = new Date();
      if (stack.database.type === 'azure-sql') {
        azure = await azureFailover(ctx, name, dbName, providers, target, mode);
        op = azure.op;
      } else op = await providers.database.failover(target, mode);
    },
    // a call whose answer was lost may be carried out late, or a runner may have died after it:
    // the cloud's record of a failover since the intent means wait, not send again
    evidence: (since) => providers.database.failoverHistory('cross-region', since),
    historyRefuses: false,
    settleMs: settleMs(ctx),
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
    data: (b, after) => ({
      ...writerFacts(after ?? (ctx.run.dryRun ? undefined : b)),
      mode,
      ...(rpo ?? {}),
      operation: op?.id,
      waitedFor,
      forced: ctx.run.force ? ctx.run.force : undefined,
      ...(azure
        ? {
            decision: azure.decision,
            decisionReason: azure.decisionReason,
            planned: azure.planned,
            allowDataLossFrom: azure.allowDataLossFrom,
          }
        : {}),
    }),
  });
  const rpoSeconds = (r.record.data?.rpoSeconds as number | undefined) ?? undefined;
  const recorded = rpoSeconds !== undefined ? (r.record.data as unknown as RpoEvidence) : undefined;
  const decided = r.record.data?.decision as string | undefined;
  // RDS / Cloud SQL: the old writer is now an orphan that still accepts writes (never deleted)
  if (r.outcome === 'done' && r.after)
    journalOrphan(ctx, phase, name, r.before, r.after, promotedAt ?? new Date(), rpoSeconds);
  return [
    outcomeRow(
      name,
      'Database',
      r,
      `${dbName} writer on ${target} (${decided ? `${decided}: ${String(r.record.data?.decisionReason)}` : mode})${recorded ? `; ${recorded.rpoKind ? rpoText(recorded) : `replication lag at promotion ${recorded.rpoSeconds.toFixed(1)} s (RPO)`}` : ''}`,
    ),
  ];
}

/**
 * After a failover call with no clear answer, how long to watch for it to show before sending it
 * again: one per-request timeout (a request the client gave up on can still be carried out).
 */
function settleMs(ctx: PhaseContext): number {
  return ctx.run.retry.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
}

/**
 * How long a failover waits for routine work on the database (a backup, a maintenance update) to
 * end before it gives up: a third of the database deadline, at most 10 minutes.
 */
export function routineWaitMs(databaseDeadlineMs: number): number {
  return Math.floor(Math.min(databaseDeadlineMs / 3, 600_000));
}

/**
 * Routine work is not a failover under way (waiting for it as if it were would wait to the
 * deadline), but RDS and Cloud SQL refuse a failover until it ends: report it, wait for it within
 * a bound, and return what was waited for (for the journal).
 */
async function waitForRoutine(
  ctx: PhaseContext,
  providers: CloudProviders,
  dbName: string,
  state: DatabaseState,
): Promise<string | undefined> {
  if (!state.routine) return undefined;
  const shown = state.routine;
  const bound = routineWaitMs(ctx.plan.limits.deadlinesMs.database);
  ctx.run.progress({
    type: 'info',
    message: `${dbName}: ${shown} (routine, not a failover); waiting up to ${formatMs(bound)} for it to end before failing over`,
  });
  try {
    await pollUntil(
      ctx.run,
      `${dbName}: the end of ${shown}`,
      async () => ((await providers.database.describe()).routine ? undefined : true),
      bound,
    );
  } catch (err) {
    if (!(err instanceof DeadlineError)) throw err;
    throw new UserError(
      `${dbName} is still busy with ${shown} after ${formatMs(bound)}: it is routine work, not a failover, and the cloud refuses a failover until it ends; wait for it to finish (or stop it in the cloud console), then run the database phase again.`,
    );
  }
  return shown;
}

function effectiveMode(
  ctx: PhaseContext,
  name: string,
  mode: Exclude<DatabaseMode, 'point-in-time'>,
  db: DatabaseState,
): Exclude<DatabaseMode, 'point-in-time'> {
  const stack = ctx.plan.stack(name);
  if (stack.database.type !== 'azure-sql')
    return mode === 'planned' || mode === 'forced' ? 'cross-region' : mode;
  // Planned first whatever a read of the primary said (a failed ARM read is not an outage); forced
  // only where asked, or after a planned failover failed where data loss is allowed (database-azure.ts).
  void db;
  return mode === 'forced' ? 'forced' : 'planned';
}

/**
 * Does the site still accept writes? Reachable: a deployment with ready pods or replicas is not
 * fenced (the drain annotation counts only when the plan says the application watches it, since an
 * annotation reaches no pod; a NetworkPolicy does not count, open connections may outlive it).
 * Unreachable from this runner: a second witness decides (`secondWitness`).
 */
export async function acceptsWrites(
  ctx: PhaseContext,
  name: string,
  site: SiteName,
): Promise<{ accepts: boolean; detail: string; next?: string }> {
  const stack = ctx.plan.stack(name);
  const watches = ctx.plan.doc.fence?.appWatchesAnnotation === true;
  try {
    const cluster = await ctx.env.cluster(name, site);
    const deps = await probe(
      ctx,
      () => Promise.all(deploymentsOf(stack, site).map((d) => cluster.deployment(d))),
      clusterKey(name, site),
    );
    const unfenced = deps
      .filter(
        (d) =>
          d &&
          (d.replicas > 0 || d.readyReplicas > 0) &&
          !(watches && d.annotations[DRAIN_ANNOTATION] === 'true'),
      )
      .map((d) => `${d!.name} (${d!.readyReplicas}/${d!.replicas} ready)`);
    const annotated = deps.some((d) => d?.annotations[DRAIN_ANNOTATION] === 'true');
    if (unfenced.length && (await egressFenced(ctx, name, site)))
      return {
        accepts: false,
        detail: `${site} fenced (NetworkPolicy ${networkPolicyName(ctx)} denies the application's egress, and the cluster enforces it)`,
      };
    return unfenced.length
      ? {
          accepts: true,
          detail: `${site} deployment(s) ${unfenced.join(', ')} still run${annotated && !watches ? ` (${DRAIN_ANNOTATION} alone stops nothing unless the application watches its Deployment: fence.appWatchesAnnotation is false)` : ''}`,
        }
      : { accepts: false, detail: `${site} fenced` };
  } catch (err) {
    if (isUnreachable(err)) return secondWitness(ctx, name, site, errorText(err).replace(/\.$/, ''));
    throw err;
  }
}

/**
 * Is the site fenced by its NetworkPolicy? Only when the plan fences that way, the policy is in
 * place, and the cloud says the cluster's network plugin enforces NetworkPolicy (a policy nothing
 * enforces is stored and has no effect). Open connections may outlive a new policy (docs/FENCES.md);
 * the drain that follows the fence waits for them.
 */
async function egressFenced(ctx: PhaseContext, name: string, site: SiteName): Promise<boolean> {
  if (!fenceMethods(ctx).includes('network-policy')) return false;
  const cluster = await ctx.env.cluster(name, site);
  const policy = await probe(ctx, () => cluster.egressFence(networkPolicyName(ctx)), clusterKey(name, site));
  if (!policy) return false;
  const providers = await ctx.env.providers(name);
  try {
    return (await probe(ctx, () => providers.nodePool.networkPolicy(site))).enforced;
  } catch {
    return false;
  }
}

/**
 * A site this runner cannot reach may still serve users (a partition between the runner and that
 * region): ask Prometheus how it sees the site (the plan's healthScore query, per region). Serving
 * (health at or above the failover trigger) refuses; down or no series (a target that cannot be
 * scraped goes stale) lets the promotion go on; no answer refuses, since nothing shows the site
 * stopped. Without Prometheus in the plan there is no witness, as before.
 */
export async function secondWitness(
  ctx: PhaseContext,
  name: string,
  site: SiteName,
  why: string,
): Promise<{ accepts: boolean; detail: string; next?: string }> {
  const prom = ctx.plan.doc.prometheus;
  if (!prom)
    return {
      accepts: false,
      detail: `${site} unreachable (${why}); no second witness (the plan has no prometheus)`,
    };
  const region = ctx.plan.stack(name)[site].region;
  const next = `fence the ${site} site from a runner that reaches its cluster, or pass force with a reason once its users cannot write there`;
  let samples: { labels: Record<string, string>; value: number }[];
  try {
    samples = await probe(ctx, () => ctx.env.prometheus().query(prom.queries.healthScore));
  } catch (err) {
    return {
      accepts: true,
      detail: `the ${site} cluster is unreachable from this runner (${why}) and the second witness, Prometheus, did not answer (${errorText(err)}), so nothing shows that ${region} stopped serving`,
      next,
    };
  }
  const s = samples.find((x) => x.labels.region === region && (!x.labels.stack || x.labels.stack === name));
  const threshold = ctx.plan.limits.triggers.healthScoreBelow;
  if (s && Number.isFinite(s.value) && s.value >= threshold) {
    return {
      accepts: true,
      detail: `the ${site} cluster is unreachable from this runner (${why}) but Prometheus sees the ${site} site in ${region} still serving users (health ${s.value}, failover trigger below ${threshold})`,
      next,
    };
  }
  return {
    accepts: false,
    detail: `${site} unreachable (${why}); Prometheus sees ${region} down (${s ? `health ${s.value}` : 'no health series'})`,
  };
}
