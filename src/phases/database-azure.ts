/**
 * Azure SQL failover group: a planned failover first, a forced one only where data loss is allowed.
 *
 * A planned failover synchronizes the primary and the secondary before the roles switch, so it
 * loses no data, and it needs both sides: with the primary unreachable it fails and rolls back, the
 * roles unchanged ("a best effort failover operation that will either succeed without losing data
 * or fail and roll back",
 * https://learn.microsoft.com/en-us/powershell/module/az.sql/switch-azsqldatabasefailovergroup;
 * https://learn.microsoft.com/en-us/azure/azure-sql/database/failover-group-sql-db). A forced
 * failover (`forceFailoverAllowDataLoss`) switches at once and loses the writes that had not
 * replicated. So the step tries planned, waits for it up to `limits.deadlinesMs.plannedFailover`,
 * and forces only when the planned one failed (or outlived that bound) with the primary unreachable
 * and the plan (`database.allowDataLoss`) or the input `allow-data-loss` allows data loss. A planned
 * failover that fails rolls nothing back that matters: the roles stay as they were.
 */
import { UserError, ProviderError } from '../engine/errors.js';
import { formatMs } from '../engine/step.js';
import type { DatabaseMode, SiteName } from '../plan/types.js';
import type { CloudProviders, Operation } from '../providers/types.js';
import { awaitOperation } from './shared/observe.js';
import type { PhaseContext } from './types.js';
import { DeadlineError } from '../engine/errors.js';

/** Where data loss is allowed from, if anywhere. */
export type LossAllowedBy = 'plan' | 'input' | undefined;

export function lossAllowedBy(planAllows: boolean, input: string | undefined): LossAllowedBy {
  return planAllows ? 'plan' : input === 'true' ? 'input' : undefined;
}

const ALLOWED_BY_TEXT: Record<'plan' | 'input', string> = {
  plan: 'the plan (database.allowDataLoss)',
  input: 'the input allow-data-loss',
};

/** The first move for a requested mode, with its reason. */
export function firstMove(requested: DatabaseMode): { mode: 'planned' | 'forced'; reason: string } {
  if (requested === 'forced')
    return { mode: 'forced', reason: 'database-mode forced: a forced failover was asked for' };
  return { mode: 'planned', reason: 'a planned failover first (no data loss)' };
}

/**
 * After a planned failover failed (or outlived its bound): force it, or stop with a sentence.
 * Forced only with the primary unreachable (a planned failover cannot synchronize then) and data
 * loss allowed; with the primary reachable, forcing would throw away writes a planned failover can
 * keep, so the step stops.
 */
export function afterPlanned(
  what: string,
  primaryReachable: boolean,
  allowedBy: LossAllowedBy,
): { force: true; reason: string } | { force: false; reason: string } {
  if (primaryReachable)
    return {
      force: false,
      reason: `${what} with the primary reachable: a forced failover would lose writes a planned one keeps, so nothing was forced; find the cause in the message, then run database again`,
    };
  if (!allowedBy)
    return {
      force: false,
      reason: `${what} and the primary is unreachable; a forced failover may lose the writes that had not replicated: pass allow-data-loss: true (or set database.allowDataLoss in the plan) to force it, or run database again once the primary region answers`,
    };
  return {
    force: true,
    reason: `${what} with the primary unreachable; forced, data loss allowed by ${ALLOWED_BY_TEXT[allowedBy]}`,
  };
}

/** The step's action text after "planned failover of X from A to B": what happens if it fails. */
export function azurePlannedNote(ctx: PhaseContext, name: string): string {
  const stack = ctx.plan.stack(name);
  const planAllows = stack.database.type === 'azure-sql' && stack.database.allowDataLoss === true;
  return lossAllowedBy(planAllows, ctx.inputs['allow-data-loss'])
    ? ', forced if it fails with the primary unreachable (data loss allowed)'
    : ' (no data loss; not forced if it fails)';
}

/** What the Azure move did, for the journal and the row. */
export interface AzureMove {
  op: Operation;
  decision: 'planned' | 'forced';
  decisionReason: string;
  /** How the planned attempt ended, when there was one. */
  planned?: { outcome: 'succeeded' | 'failed' | 'outlived its bound'; error?: string; ms: number };
  allowDataLossFrom?: 'plan' | 'input';
}

/**
 * Planned first, bounded; forced where allowed. Returns the operation to wait for (the forced one,
 * or the planned one, already done).
 */
export async function azureFailover(
  ctx: PhaseContext,
  name: string,
  dbName: string,
  providers: CloudProviders,
  target: SiteName,
  requested: DatabaseMode,
): Promise<AzureMove> {
  const stack = ctx.plan.stack(name);
  const planAllows = stack.database.type === 'azure-sql' && stack.database.allowDataLoss === true;
  const allowedBy = lossAllowedBy(planAllows, ctx.inputs['allow-data-loss']);
  const first = firstMove(requested);
  if (first.mode === 'forced') {
    const op = await providers.database.failover(target, 'forced');
    return { op, decision: 'forced', decisionReason: first.reason, allowDataLossFrom: allowedBy };
  }
  const bound = ctx.plan.limits.deadlinesMs.plannedFailover;
  const started = Date.now();
  let planned: Operation | undefined;
  let failure: string | undefined;
  let outlived = false;
  try {
    planned = await providers.database.failover(target, 'planned');
    await awaitOperation(
      ctx,
      `${dbName} planned failover to ${target}`,
      planned,
      (o) => providers.database.poll(o),
      bound,
    );
    return {
      op: planned,
      decision: 'planned',
      decisionReason: first.reason,
      planned: { outcome: 'succeeded', ms: Date.now() - started },
    };
  } catch (err) {
    if (err instanceof DeadlineError) outlived = true;
    else if (
      err instanceof UserError ||
      (err instanceof ProviderError && err.status !== undefined && err.status < 500 && err.status !== 429)
    )
      failure = err.message;
    else throw err;
  }
  const state = await providers.database.describe();
  const what = outlived
    ? `the planned failover of ${dbName} was still running after ${formatMs(bound)} (thresholds.deadlines.plannedFailover)`
    : `the planned failover of ${dbName} failed (${(failure ?? '').replace(/[.\s]+$/, '')})`;
  const next = afterPlanned(what, state.primaryReachable, allowedBy);
  ctx.run.progress({ type: 'info', stack: name, message: `${dbName}: ${next.reason}` });
  if (!next.force) throw new UserError(`${next.reason}.`);
  const plannedRecord = {
    outcome: outlived ? ('outlived its bound' as const) : ('failed' as const),
    error: failure,
    ms: Date.now() - started,
  };
  let op: Operation;
  try {
    op = await providers.database.failover(target, 'forced');
  } catch (err) {
    // Azure refuses a second failover while one runs: let the planned one end, then force
    if (!(outlived && err instanceof ProviderError && err.status === 409)) throw err;
    ctx.run.progress({
      type: 'info',
      stack: name,
      message: `${dbName}: Azure refuses a forced failover while the planned one runs; waiting for it to end`,
    });
    const left = Math.max(1, ctx.plan.limits.deadlinesMs.database - (Date.now() - started));
    try {
      await awaitOperation(
        ctx,
        `${dbName} planned failover to ${target}`,
        planned,
        (o) => providers.database.poll(o),
        left,
      );
      return {
        op: planned!,
        decision: 'planned',
        decisionReason: first.reason,
        planned: { outcome: 'succeeded', ms: Date.now() - started },
      };
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
    }
    op = await providers.database.failover(target, 'forced');
  }
  return {
    op,
    decision: 'forced',
    decisionReason: next.reason,
    planned: plannedRecord,
    allowDataLossFrom: allowedBy,
  };
}
