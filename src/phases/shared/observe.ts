/**
 * Reading live state: probes with their own retry policy, "unreachable" as an answer, waiting on a
 * started cloud operation, picking a stack's sample, and recording an observation in the journal.
 */
import { classify, UserError } from '../../engine/errors.js';
import { withRetry } from '../../engine/retry.js';
import { lastCause, pollUntil, StepFailed, type WaitWhere } from '../../engine/step.js';
import type { Stack } from '../../plan/types.js';
import type { Operation, OperationStatus } from '../../providers/types.js';
import type { PhaseContext } from '../types.js';

/**
 * True when an error means "could not get through to it" (region down, partition): no answer, or
 * only throttles and server errors until the retry policy gave up. A throttled-but-alive API is
 * never treated as worse than a dead one: where a dead primary is recorded as unreachable and the
 * failover goes on, so is one that answered nothing but 429s or 5xx until the deadline.
 */
export function isUnreachable(err: unknown): boolean {
  const c = classify(lastCause(err instanceof StepFailed ? (err.cause ?? err) : err));
  return c.kind !== 'permanent';
}

/** Record a fact in the journal (outcome "observed"): declarations, checks, measurements. */
export function observe(
  ctx: PhaseContext,
  phase: string,
  step: string,
  stack: string | undefined,
  target: string,
  data: Record<string, unknown>,
  extra: { error?: string; action?: string; before?: unknown } = {},
): void {
  const t = new Date().toISOString();
  ctx.run.journal.append({
    phase,
    step,
    stack,
    target,
    outcome: 'observed',
    startedAt: t,
    endedAt: t,
    durationMs: 0,
    attempts: 1,
    dryRun: ctx.run.dryRun,
    data,
    ...extra,
  });
}

/** Retry policy for probes of something that may simply be down: fail fast, it is an answer too. */
export const PROBE_RETRY = { maxAttempts: 3, baseMs: 100, capMs: 1000 };

/**
 * Call with the probe retry policy (throttling and blips retried, a dead region reported quickly).
 * With `unreachableKey` (see StepSpec.unreachableKey) a place this run already found unreachable
 * is asked once, and one found unreachable now is remembered for the steps that follow.
 * With `deadlineMs` the read is one a phase cannot go on without (the database's first describe):
 * it gets the run's retry policy under that deadline instead, so throttles, 5xx and resets are
 * ridden out as in any step, not given up on after three.
 */
export async function probe<T>(
  ctx: PhaseContext,
  fn: () => Promise<T>,
  unreachableKey?: string,
  opts: { deadlineMs?: number } = {},
): Promise<T> {
  const known = unreachableKey !== undefined && ctx.run.unreachable.has(unreachableKey);
  const policy =
    opts.deadlineMs !== undefined
      ? { ...ctx.run.retry, deadline: Date.now() + opts.deadlineMs }
      : { ...ctx.run.retry, ...PROBE_RETRY };
  try {
    const r = await withRetry(
      fn,
      { ...policy, ...(known ? { maxAttempts: 1, answeredAttempts: 1 } : {}) },
      {
        sleep: ctx.run.sleep,
        signal: ctx.run.signal,
      },
    );
    return r.value;
  } catch (err) {
    if (unreachableKey !== undefined && isUnreachable(err)) ctx.run.unreachable.add(unreachableKey);
    throw err;
  }
}

/** Poll a started operation until the provider says it is done; its error fails the step. */
export async function awaitOperation(
  ctx: PhaseContext,
  what: string,
  op: Operation | undefined,
  poll: (op: Operation) => Promise<OperationStatus>,
  deadlineMs: number,
  minPollMs?: number,
  where: WaitWhere = {},
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
    undefined,
    where,
  );
}

/** Pick the sample of a stack (label stack=, else the DR region's). */
export function sampleFor<T extends { labels: Record<string, string>; value: number }>(
  samples: T[],
  stackName: string,
  stack: Stack,
): T | undefined {
  return (
    samples.find((s) => s.labels.stack === stackName) ??
    samples.find((s) => s.labels.region === stack.dr.region) ??
    (samples.length === 1 ? samples[0] : undefined)
  );
}
