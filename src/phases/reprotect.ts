/**
 * `reprotect` (Azure Site Recovery's word): after a cross-region move of the writer, protect the
 * database again. RDS / Cloud SQL: a promoted replica never becomes a replica again, so reprotect
 * creates a new replica of the current writer in the other region (RDS
 * CreateDBInstanceReadReplica across regions, Cloud SQL instances.insert with masterInstanceName),
 * named by `database.replicaNamePattern`, and turns Multi-AZ / HA back on for the writer. What the
 * cloud requires is checked first (backups on; for an encrypted RDS source a KMS key of the
 * destination region). Building a replica of a large database takes hours: the phase starts it,
 * journals it and returns ("building", a warning); a later run sees it through and records it
 * healthy. After a failback (writer on primary) a healthy replica in DR lets it lift DR's fence.
 * Azure failover groups re-seed by themselves: the phase reports the group's replication state.
 * A re-run when everything is in place makes no mutating call. The orphaned old writer is left
 * alone.
 */
import { UserError } from '../engine/errors.js';
import { runStep } from '../engine/step.js';
import type { SiteName } from '../plan/types.js';
import {
  DEFAULT_REPLICA_PATTERN,
  replicaName,
  type DatabaseInstanceView,
  type DatabaseTopology,
} from '../providers/topology.js';
import type { DatabaseState } from '../providers/types.js';
import { liftFence } from './drain.js';
import { forEachStack, otherSite, perStackOutput } from './shared/context.js';
import { FAILED_OUTPUT, outputsOf } from './shared/inputs.js';
import { observe, probe } from './shared/observe.js';
import { outcomeRow, row } from './shared/rows.js';
import type { PhaseContext, PhaseDef, ResultRow } from './types.js';

export const reprotectPhase: PhaseDef = {
  name: 'reprotect',
  title: 'Reprotect the database',
  description:
    'After a cross-region failover or failback, protects the database again: RDS and Cloud SQL get a new replica of the current writer in the other region (named by database.replicaNamePattern) and Multi-AZ / HA back on the writer; it starts the build and returns ("building"), a later run records it healthy and, after a failback, lifts the DR fence. Azure failover groups re-seed by themselves: their replication state is reported.',
  inputs: [],
  outputs: [
    {
      name: 'state',
      description:
        'Per stack, "stack=state" comma-separated: healthy, building, not-replicating, or for Azure the failover group replication state.',
    },
    FAILED_OUTPUT,
  ],
  async run(ctx) {
    const { ok, rows } = await forEachStack(ctx, (name) => reprotectStack(ctx, name));
    const state = perStackOutput(
      ctx,
      (r) => r.phase === 'reprotect' && r.step === 'state',
      (r) => String(r.data?.state ?? 'unknown'),
    );
    return { ok, rows, outputs: { state, ...outputsOf(rows) } };
  },
};

/** The replica of the writer in `site`: the healthy one, else a building or broken one. */
function replicaThere(t: DatabaseTopology | undefined, site: SiteName): DatabaseInstanceView | undefined {
  const there = (t?.replicas ?? []).filter((r) => r.site === site);
  return there.find((r) => r.healthy) ?? there.find((r) => r.building) ?? there[0];
}

/** Reprotect one stack; see the module comment. */
export async function reprotectStack(ctx: PhaseContext, name: string): Promise<ResultRow[]> {
  const stack = ctx.plan.stack(name);
  const db = stack.database;
  const providers = await ctx.env.providers(name);
  const describe = () => providers.database.describe();
  const first = await probe(ctx, describe, undefined, { deadlineMs: ctx.plan.limits.deadlinesMs.database });
  const stateRecord = (state: string, data: Record<string, unknown> = {}) =>
    observe(ctx, 'reprotect', 'state', name, `${db.type}:${first.topology?.writer?.id ?? ''}`, {
      state,
      ...data,
    });
  if (db.type === 'azure-sql') {
    stateRecord(first.replication.healthy ? 'healthy' : first.replication.detail);
    return [
      row(
        name,
        'Reprotect',
        first.replication.healthy ? 'pass' : 'warn',
        `the Azure SQL failover group re-seeds its secondary by itself: ${first.replication.detail}`,
      ),
    ];
  }
  const w = first.topology?.writer;
  if (!w || !w.reachable || w.site === 'unknown') {
    return [
      row(
        name,
        'Reprotect',
        'fail',
        `the database writer is ${w ? `${w.id}, whose region does not answer` : 'unknown'}: reprotect needs a reachable writer; run it again once the writer's region answers.`,
      ),
    ];
  }
  const writerSite: SiteName = w.site;
  const other = otherSite(writerSite);
  const region = stack[other].region;
  const rows: ResultRow[] = [];
  const pattern = db.replicaNamePattern ?? DEFAULT_REPLICA_PATTERN;

  // 1. a replica of the writer in the other region (started, never waited for here)
  if (!replicaThere(first.topology, other)) {
    if (!w.backupsEnabled) {
      throw new UserError(
        `${db.type === 'rds' ? 'RDS' : 'Cloud SQL'} instance ${w.id} has automated backups off, and a read replica needs them: turn them on (${db.type === 'rds' ? 'ModifyDBInstance BackupRetentionPeriod 1 or more' : 'settings.backupConfiguration.enabled'}), wait until the instance is available, then run reprotect again.`,
      );
    }
    const kmsKeyId = db.type === 'rds' ? db.kmsKeyIds?.[other] : undefined;
    if (db.type === 'rds' && w.encrypted && !kmsKeyId) {
      throw new UserError(
        `RDS instance ${w.id} is encrypted and a cross-region replica needs a KMS key of the destination region, but database.kmsKeyIds.${other} is not set: add the key's ARN or alias in ${region}, then run reprotect again.`,
      );
    }
    const known = [w, ...(first.topology?.replicas ?? []), ...(first.topology?.orphans ?? [])].map(
      (i) => i.id,
    );
    const replica = replicaName(pattern, db.instance, known);
    const r = await runStep<DatabaseState>(ctx.run, {
      phase: 'reprotect',
      step: 'replica',
      stack: name,
      target: `${db.type}:${replica}`,
      observe: describe,
      satisfied: (s) => replicaThere(s.topology, other) !== undefined,
      action: `create ${replica}, a read replica of ${w.id} in ${region}`,
      act: () => providers.database.createReplica!({ source: w.id, site: other, name: replica, kmsKeyId }),
      deadlineMs: ctx.plan.limits.deadlinesMs.database,
      summarise: (s) => ({ writer: s.topology?.writer?.id, replicas: s.topology?.replicas.map((x) => x.id) }),
      data: () => ({ replica, source: w.id, site: other, region }),
    });
    rows.push(outcomeRow(name, 'Replica', r, `${replica} of ${w.id} in ${region}`));
    if (r.outcome === 'would-do') return rows;
  }

  // 2. Multi-AZ / HA back on the writer (a promoted replica has it off)
  if (!w.highAvailability) {
    if (w.status === 'modifying' || w.status === 'MAINTENANCE' || first.routine) {
      // the cloud runs one change at a time on an instance: the next run turns HA on, or sees it on
      rows.push(
        row(
          name,
          'High availability',
          'warn',
          `${first.routine ?? `${w.id} is ${w.status}`}: HA is off until it ends`,
        ),
      );
    } else {
      const r = await runStep<DatabaseState>(ctx.run, {
        phase: 'reprotect',
        step: 'high-availability',
        stack: name,
        target: `${db.type}:${w.id}`,
        observe: describe,
        satisfied: (s) => s.topology?.writer?.id !== w.id || s.topology.writer.highAvailability === true,
        inProgress: (s) =>
          ['modifying', 'MAINTENANCE'].includes(s.topology?.writer?.status ?? '') || s.routine !== undefined,
        action: `turn ${db.type === 'rds' ? 'Multi-AZ' : 'HA (REGIONAL)'} on for ${w.id}`,
        act: () => providers.database.enableHighAvailability!(w.id, writerSite),
        // started, not waited for: it takes minutes, the next run sees it done
        wait: () => describe(),
        deadlineMs: ctx.plan.limits.deadlinesMs.database,
        summarise: (s) => ({
          writer: s.topology?.writer?.id,
          highAvailability: s.topology?.writer?.highAvailability,
        }),
      });
      rows.push(outcomeRow(name, 'High availability', r, `${w.id}: started (applied within minutes)`));
    }
  }

  // 3. where the replica stands now
  const now = ctx.run.dryRun ? first : await probe(ctx, describe);
  const replica = replicaThere(now.topology, other);
  if (!replica) {
    stateRecord('none');
    rows.push(
      row(
        name,
        'Replication',
        ctx.run.dryRun ? 'would-do' : 'fail',
        `no replica of ${w.id} in ${region} yet`,
      ),
    );
    return rows;
  }
  if (replica.building) {
    stateRecord('building', { replica: replica.id });
    rows.push(
      row(
        name,
        'Replication',
        'warn',
        `${replica.id} is being built (${replica.status}); run reprotect again later (or let readiness see it): it is recorded healthy once it replicates`,
      ),
    );
    return rows;
  }
  if (!replica.healthy) {
    stateRecord('not-replicating', { replica: replica.id, detail: now.replication.detail });
    rows.push(
      row(name, 'Replication', 'fail', `${replica.id} does not replicate: ${now.replication.detail}`),
    );
    return rows;
  }
  stateRecord('healthy', { replica: replica.id, source: w.id, region });
  rows.push(row(name, 'Replication', 'pass', `${replica.id} replicates ${w.id} into ${region}`));
  // 4. after a failback: DR holds a replica of the primary writer again, so its fence comes off
  // (its old writer, the orphan, is left alone and no longer bound by the application)
  if (writerSite === 'primary') rows.push(...(await liftFence(ctx, 'reprotect', name, 'dr')));
  return rows;
}

/**
 * Run reprotect until the replica is healthy or `deadlineMs` passes (drills and tests; a real
 * pipeline runs the phase again later instead of holding a runner for hours).
 */
export async function reprotectUntilHealthy(
  ctx: PhaseContext,
  name: string,
  deadlineMs: number,
): Promise<ResultRow[]> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const rows = await reprotectStack(ctx, name);
    // only a replica being built or HA being turned on is waited for (Azure re-seeds by itself)
    const pending =
      rows.some((r) => r.status === 'warn' && (r.item === 'Replication' || r.item === 'High availability')) &&
      !rows.some((r) => r.status === 'fail');
    if (!pending || Date.now() > until || ctx.run.dryRun) return rows;
    await ctx.run.sleep(Math.min(1000, Math.max(50, deadlineMs / 50)));
  }
}
