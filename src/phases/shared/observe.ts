/**
 * Reading live state: probes with their own retry policy, "unreachable" as an answer, waiting on a
 * started cloud operation, picking a stack's sample, and recording an observation in the journal.
 */
import { classify, UserError } from '../../engine/errors.js';
import { withRetry } from '../../engine/retry.js';
import { pollUntil, StepFailed } from '../../engine/step.js';
import type { Stack } from '../../plan/types.js';
import type { Operation, OperationStatus } from '../../providers/types.js';
import type { PhaseContext } from '../types.js';

/** True when an error means "could not reach it at all" (region down, partition). */
export function isUnreachable(err: unknown): boolean {
  const c = classify(err instanceof StepFailed ? (err.cause ?? err) : err);
  return c.kind === 'transient' && /network|unavailable|server error \(50[23]/.test(c.reason);
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
 */
export async function probe<T>(ctx: PhaseContext, fn: () => Promise<T>, unreachableKey?: string): Promise<T> {
  const known = unreachableKey !== undefined && ctx.run.unreachable.has(unreachableKey);
  try {
    const r = await withRetry(
      fn,
      { ...ctx.run.retry, ...PROBE_RETRY, ...(known ? { maxAttempts: 1 } : {}) },
      { sleep: ctx.run.sleep, signal: ctx.run.signal },
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
