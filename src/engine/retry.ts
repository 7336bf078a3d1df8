/**
 * Retries with capped exponential backoff and full jitter, honouring Retry-After. Only
 * throttling and transient failures are retried; a permanent error is rethrown at once.
 */
import { classify, DeadlineError, type Classification } from './errors.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseMs: number;
  capMs: number;
  /** Absolute deadline (epoch ms); no retry is started that would sleep past it. */
  deadline?: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseMs: 200, capMs: 20_000 };

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

export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  hooks: {
    onRetry?: (e: RetryEvent) => void;
    sleep?: Sleep;
    random?: () => number;
    signal?: AbortSignal;
  } = {},
): Promise<RetryResult<T>> {
  const doSleep = hooks.sleep ?? sleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await fn(attempt), attempts: attempt };
    } catch (err) {
      const c = classify(err);
      if (c.kind === 'permanent' || attempt >= policy.maxAttempts) {
        if (err && typeof err === 'object') (err as { attempts?: number }).attempts = attempt;
        throw err;
      }
      const delayMs = backoffDelay(attempt, policy, hooks.random, c.retryAfterMs);
      if (policy.deadline !== undefined && Date.now() + delayMs > policy.deadline) {
        throw new DeadlineError(
          `gave up after ${attempt} attempt(s): the deadline would pass before the next retry (last error: ${c.reason}).`,
        );
      }
      hooks.onRetry?.({ attempt, delayMs, classification: c, error: err });
      await doSleep(delayMs, hooks.signal);
    }
  }
}
