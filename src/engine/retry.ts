/**
 * One retry policy for every cloud. Capped exponential backoff with full jitter, Retry-After
 * honoured, never sleeping past the deadline; only throttling and transient failures are retried,
 * a permanent error is rethrown at once.
 *
 * - A service that answered (a throttle, a 5xx, UNAVAILABLE) is alive: with a deadline it is asked
 *   again until the deadline, whatever `maxAttempts` says (cap it with `answeredAttempts`), so a
 *   throttled-but-alive API is never given up on sooner than a dead one.
 * - A service that did not answer (reset, refused, no answer within the per-request timeout) may be
 *   down: it is asked `maxAttempts` times at most, so a dead region is reported quickly.
 * - Without a deadline, `maxAttempts` caps every kind of failure.
 * - Every attempt runs under the deadline and the per-request timeout (see cancel.ts): a call in
 *   flight is aborted through the SDK's own cancellation when either passes, and the attempt ends
 *   then even if an SDK ignored the signal.
 */
import { DEFAULT_REQUEST_TIMEOUT_MS, withCallScope } from './cancel.js';
import { classify, DeadlineError, messageOf, type Classification } from './errors.js';

export interface RetryPolicy {
  /**
   * Attempts in all, the first included, when the service does not answer; with no deadline, for
   * every retryable failure.
   */
  maxAttempts: number;
  baseMs: number;
  capMs: number;
  /** Absolute deadline (epoch ms): no retry is started that would sleep past it, and a call in flight is aborted at it. */
  deadline?: number;
  /**
   * With a deadline: attempts in all when the service answers with a throttle or a server error.
   * Default: no cap, ask until the deadline. A step that would rather fail fast on a degraded
   * region (a 5xx on every describe) sets it.
   */
  answeredAttempts?: number;
  /** Per-request timeout, ms (default 30 s): an attempt with no answer by then is aborted and counts as unanswered. */
  requestTimeoutMs?: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 8,
  baseMs: 200,
  capMs: 20_000,
  requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
};

/** How long an aborted call may take to settle with its SDK's own error before the engine ends it. */
export const ABORT_GRACE_MS = 250;

export interface RetryEvent {
  attempt: number;
  delayMs: number;
  classification: Classification;
  error: unknown;
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const sleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** The delay before retry number `attempt` (1 = first retry). */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  random = Math.random,
  retryAfterMs?: number,
): number {
  const exp = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
  const jittered = exp / 2 + random() * (exp / 2);
  return Math.round(retryAfterMs !== undefined ? Math.max(retryAfterMs, jittered) : jittered);
}

export interface RetryResult<T> {
  value: T;
  attempts: number;
}

/** Thrown when an attempt got no answer within the per-request timeout and its SDK did not end it. */
export class NoAnswerError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'NoAnswerError';
  }
}

/**
 * Run one attempt in a cancellation scope: the SDK call inside sees `callSignal()` aborted at the
 * deadline, on the run's abort, or at the per-request timeout; if the SDK does not settle within
 * ABORT_GRACE_MS of that, the attempt ends anyway (a NoAnswerError, or the DeadlineError).
 * `requests: false` runs a span of several calls (a step's wait) under the deadline alone.
 */
export async function runAttempt<T>(
  fn: () => Promise<T>,
  policy: Pick<RetryPolicy, 'deadline' | 'requestTimeoutMs'>,
  runSignal?: AbortSignal,
  opts: { requests?: boolean } = {},
): Promise<T> {
  const requestTimeoutMs = policy.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const left = policy.deadline === undefined ? undefined : Math.max(0, policy.deadline - Date.now());
  const deadlineSignal = left === undefined ? undefined : AbortSignal.timeout(left);
  // Aborted when the engine gives up on this attempt (no answer in time, the deadline, the run's
  // abort): the attempt's code may still be running, and must make no further call (an abandoned
  // act that went on to send its mutation while its retry sent another was a double failover).
  const abandoned = new AbortController();
  const parts = [runSignal, deadlineSignal, abandoned.signal].filter(
    (x): x is AbortSignal => x !== undefined,
  );
  const signal = AbortSignal.any(parts);
  const pastDeadline = (cause?: unknown) =>
    new DeadlineError(
      `the deadline passed while a call was in flight${cause ? ` (${messageOf(cause)})` : ''}.`,
      { cause },
    );
  if (deadlineSignal?.aborted) throw pastDeadline();
  const timers: ReturnType<typeof setTimeout>[] = [];
  let onAbort: (() => void) | undefined;
  const backstop = new Promise<never>((_, reject) => {
    const later = (ms: number, f: () => void) => timers.push(setTimeout(f, ms));
    if (opts.requests !== false) {
      later(requestTimeoutMs + ABORT_GRACE_MS, () => reject(new NoAnswerError(requestTimeoutMs)));
    }
    onAbort = () =>
      later(ABORT_GRACE_MS, () =>
        reject(deadlineSignal?.aborted ? pastDeadline() : (runSignal?.reason ?? pastDeadline())),
      );
    signal.addEventListener('abort', onAbort, { once: true });
  });
  backstop.catch(() => undefined);
  const call = withCallScope({ signal, deadline: policy.deadline, requestTimeoutMs }, fn);
  call.catch(() => undefined);
  try {
    const value = await Promise.race([call, backstop]);
    // An answer put together after the deadline aborted its calls (a provider that reads an
    // aborted call as "that region is unreachable") is not an answer.
    if (deadlineSignal?.aborted) throw pastDeadline();
    return value;
  } catch (err) {
    abandoned.abort(err);
    if (deadlineSignal?.aborted && !(err instanceof DeadlineError)) throw pastDeadline(err);
    throw err;
  } finally {
    for (const t of timers) clearTimeout(t);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  hooks: {
    onRetry?: (e: RetryEvent) => void;
    sleep?: Sleep;
    random?: () => number;
    signal?: AbortSignal;
    /**
     * The attempt is a span of several calls (a step's act: checks, then the mutation), each bound
     * by its own per-request timeout: the attempt as a whole is bound by the deadline only, not cut
     * (and retried) at one request's timeout while its calls are still under way.
     */
    span?: boolean;
  } = {},
): Promise<RetryResult<T>> {
  const doSleep = hooks.sleep ?? sleep;
  let unanswered = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return {
        value: await runAttempt(() => fn(attempt), policy, hooks.signal, { requests: !hooks.span }),
        attempts: attempt,
      };
    } catch (err) {
      if (err && typeof err === 'object') (err as { attempts?: number }).attempts = attempt;
      if (err instanceof DeadlineError || hooks.signal?.aborted) throw err;
      const c = classify(err);
      if (!c.answered) unanswered++;
      const limit =
        policy.deadline === undefined
          ? attempt >= policy.maxAttempts
          : c.answered
            ? attempt >= (policy.answeredAttempts ?? Infinity)
            : unanswered >= policy.maxAttempts;
      if (c.kind === 'permanent' || limit) throw err;
      const delayMs = backoffDelay(attempt, policy, hooks.random, c.retryAfterMs);
      if (policy.deadline !== undefined && Date.now() + delayMs > policy.deadline) {
        throw new DeadlineError(
          `gave up after ${attempt} attempt(s), the deadline would pass before the next retry; last error: ${messageOf(err)}`,
          { cause: err },
        );
      }
      hooks.onRetry?.({ attempt, delayMs, classification: c, error: err });
      await doSleep(delayMs, hooks.signal);
    }
  }
}
