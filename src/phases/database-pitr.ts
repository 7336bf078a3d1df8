/**
 * Point-in-time recovery, the database mode for logical corruption (`database-mode:
 * point-in-time`). A Multi-AZ / HA standby is synchronous and carries bad writes too, so an
 * in-region failover cannot cure them; a restore of the writer to a time before them can. The
 * step restores the writer to the operator's `restore-time` as a new standalone instance (RDS
 * RestoreDBInstanceToPointInTime, Cloud SQL instances.clone with pointInTime), named by the plan's
 * `database.restoreNamePattern`, waits for it to be available, and journals it with the data
 * window lost (restore time to the declaration) and the new writer's instance and endpoint, which
 * the endpoint binding reads to point the application at it. A re-run finds the restored
 * instance (by the name the journal's intent recorded) and never restores twice.
 */
import { UserError } from '../engine/errors.js';
import { pollUntil, runStep } from '../engine/step.js';
import { clip } from '../engine/clip.js';
import { DEFAULT_RESTORE_PATTERN, replicaName } from '../providers/topology.js';
import type { DatabaseProvider, RestoredDatabase } from '../providers/types.js';
import { declarationOrigin } from './incident.js';
import { probe } from './shared/observe.js';
import { outcomeRow, row } from './shared/rows.js';
import type { InputDef, PhaseContext, ResultRow } from './types.js';

export const RESTORE_TIME_INPUT: InputDef = {
  name: 'restore-time',
  kind: 'string',
  description:
    'database-mode point-in-time: the time to restore the database to, RFC 3339 (e.g. 2026-12-02T09:41:00Z), before the corruption was written; required for that mode.',
  default: '',
};

/** The step's journal state: the restored instance, once the cloud shows it. */
interface RestoreState {
  restored?: RestoredDatabase;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** The `restore-time` input as a date: present, RFC 3339, and not in the future. */
export function restoreTime(ctx: PhaseContext, now = Date.now()): Date {
  const raw = (ctx.inputs['restore-time'] ?? '').trim();
  if (!raw) {
    throw new UserError(
      'input restore-time is empty, but database-mode point-in-time needs it: give the time to restore the database to, in RFC 3339 (e.g. 2026-12-02T09:41:00Z), a moment before the corruption was written.',
    );
  }
  const at = RFC3339.test(raw) ? new Date(raw) : undefined;
  if (!at || Number.isNaN(at.getTime())) {
    throw new UserError(
      `input restore-time is "${clip(raw)}": expected an RFC 3339 time with a zone, e.g. 2026-12-02T09:41:00Z.`,
    );
  }
  if (at.getTime() > now) {
    throw new UserError(
      `input restore-time ${at.toISOString()} is in the future (now ${new Date(now).toISOString()}): give a time before the corruption was written.`,
    );
  }
  return at;
}

/**
 * The name of the restored instance: the one an earlier run of this journal chose for the same
 * restore time (its intent's action names the time), else the first name of the plan's pattern
 * that no instance holds.
 */
async function restoreTarget(
  ctx: PhaseContext,
  phase: string,
  name: string,
  db: DatabaseProvider,
  at: Date,
): Promise<string> {
  const stack = ctx.plan.stack(name);
  const iso = at.toISOString();
  const earlier = ctx.run.journal.records
    .filter((r) => r.phase === phase && r.step === 'restore' && r.stack === name && r.action?.includes(iso))
    .at(-1);
  if (earlier) return earlier.target.replace(/^[^:]*:/, '');
  const instance =
    stack.database.type === 'azure-sql' ? stack.database.failoverGroup : stack.database.instance;
  const pattern =
    stack.database.type === 'azure-sql'
      ? DEFAULT_RESTORE_PATTERN
      : (stack.database.restoreNamePattern ?? DEFAULT_RESTORE_PATTERN);
  const taken: string[] = [];
  for (;;) {
    const candidate = replicaName(pattern, instance, taken);
    if (!(await probe(ctx, () => db.restored!(candidate)))) return candidate;
    taken.push(candidate);
  }
}

/**
 * Restore one stack's writer to the `restore-time` input (see the module comment). Refuses, with
 * one sentence and no change, a restore time that is missing, in the future, or outside the
 * window the cloud reports.
 */
export async function pointInTimeRestore(
  ctx: PhaseContext,
  phase: string,
  name: string,
): Promise<ResultRow[]> {
  const stack = ctx.plan.stack(name);
  const db = (await ctx.env.providers(name)).database;
  if (!db.restoreWindow || !db.restored || !db.restoreToPointInTime) {
    throw new UserError(
      `database-mode point-in-time is not available for the ${stack.database.type} database of stack ${name} yet: restore it by hand (see docs/DATABASE.md, Point-in-time recovery), or use database-mode in-region for an instance or storage fault.`,
    );
  }
  const at = restoreTime(ctx);
  const target = await restoreTarget(ctx, phase, name, db, at);
  const existing = await probe(ctx, () => db.restored!(target));
  if (existing?.failed) {
    return [
      row(
        name,
        'Database',
        'fail',
        `the restore of ${stack.database.type} ${target} failed (${existing.failed}): delete ${target} in the cloud, then run the database phase again.`,
      ),
    ];
  }
  let source = existing ? undefined : await checkWindow(ctx, db, at);
  const declared = declarationOrigin(ctx.run.journal.records);
  const r = await runStep<RestoreState>(ctx.run, {
    phase,
    step: 'restore',
    stack: name,
    target: `${stack.database.type}:${target}`,
    observe: async () => ({ restored: await db.restored!(target) }),
    satisfied: (s) => s.restored?.available === true,
    inProgress: (s) => s.restored !== undefined && !s.restored.failed,
    action: `restore ${source ?? 'the writer'} to ${at.toISOString()} as ${target}`,
    act: async () => {
      source ??= await checkWindow(ctx, db, at);
      return db.restoreToPointInTime!({ source, name: target, restoreTime: at });
    },
    wait: () =>
      pollUntil(
        ctx.run,
        `${target} available`,
        async () => {
          const restored = await db.restored!(target);
          if (restored?.failed)
            throw new UserError(
              `the restore of ${target} failed (${restored.failed}): delete ${target} in the cloud, then run the database phase again.`,
            );
          return restored?.available ? { restored } : undefined;
        },
        ctx.plan.limits.deadlinesMs.database,
      ),
    deadlineMs: ctx.plan.limits.deadlinesMs.database,
    summarise: (s) =>
      s.restored ? { instance: s.restored.id, status: s.restored.status } : { instance: null },
    data: (_before, after) => {
      const end = declared?.at ?? Date.now();
      return {
        mode: 'point-in-time',
        restoreTime: at.toISOString(),
        restoredFrom: source,
        dataWindowLostSeconds: Math.max(0, Math.round((end - at.getTime()) / 1000)),
        dataWindowEnd: new Date(end).toISOString(),
        dataWindowEndBasis: declared ? 'declaration' : 'restore',
        writerInstance: after?.restored?.id,
        writerEndpoint: after?.restored?.endpoint,
      };
    },
  });
  const lost = r.record.data?.dataWindowLostSeconds as number | undefined;
  return [
    outcomeRow(
      name,
      'Database',
      r,
      `${target} restored to ${at.toISOString()}${r.after?.restored?.endpoint ? ` (${r.after.restored.endpoint})` : ''}${lost !== undefined ? `; data window lost ${lost} s (writes after the restore time are not in it)` : ''}; bind the application to it`,
    ),
  ];
}

/** The restore time against the window the cloud reports; returns the instance to restore from. */
async function checkWindow(ctx: PhaseContext, db: DatabaseProvider, at: Date): Promise<string> {
  const w = await probe(ctx, () => db.restoreWindow!());
  const iso = at.toISOString();
  if (w.earliest && at < w.earliest) {
    throw new UserError(
      `input restore-time ${iso} is before the earliest restorable time of ${w.source}, ${w.earliest.toISOString()} (${w.found}): give a time from then on, or restore an older backup by hand.`,
    );
  }
  if (w.latest && at > w.latest) {
    throw new UserError(
      `input restore-time ${iso} is after the latest restorable time of ${w.source}, ${w.latest.toISOString()} (${w.found}): give an earlier time, or wait until the cloud's logs reach it.`,
    );
  }
  return w.source;
}
