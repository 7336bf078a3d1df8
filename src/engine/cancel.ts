/**
 * Cancellation of calls in flight. The engine runs every attempt of a call (see `withRetry`) inside
 * a scope that carries the phase deadline and the run's abort as one AbortSignal; each provider
 * passes `callSignal()` to its SDK (an `abortSignal` for AWS SDK v3 and Azure core clients, the
 * fetch signal for google-gax's HTTP fallback and @kubernetes/client-node) and `callTimeoutMs()`
 * where an SDK takes a timeout only (Cloud DNS). So a service that accepts the connection and never
 * answers ends the call at the per-request timeout or at the deadline, whichever comes first,
 * without any phase or provider passing a signal down by hand.
 *
 * The scope lives in an AsyncLocalStorage: it follows the promise chain of the attempt into the
 * SDK, and a call made outside any engine scope still gets the default per-request timeout.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** Per-request timeout of every client when the retry policy names none, ms. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export interface CallScope {
  /** Aborted when the phase deadline passes or the run is aborted. */
  signal?: AbortSignal;
  /** Absolute deadline of the attempt (epoch ms), when there is one. */
  deadline?: number;
  /** Per-request timeout, ms. */
  requestTimeoutMs: number;
}

const scope = new AsyncLocalStorage<CallScope>();

/** Run `fn` with `s` as the scope of every SDK call it makes. */
export function withCallScope<T>(s: CallScope, fn: () => Promise<T>): Promise<T> {
  return scope.run(s, fn);
}

/** The scope of the call being made, if the engine set one. */
export function currentCallScope(): CallScope | undefined {
  return scope.getStore();
}

/**
 * Milliseconds one request may take from now: the per-request timeout, cut to what is left before
 * the deadline (at least 1 ms).
 */
export function callTimeoutMs(): number {
  const s = scope.getStore();
  const timeout = s?.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  if (s?.deadline === undefined) return timeout;
  return Math.max(1, Math.min(timeout, s.deadline - Date.now()));
}

/**
 * The AbortSignal to hand an SDK for one request: aborted by the per-request timeout, the phase
 * deadline or the run's abort, whichever comes first.
 */
export function callSignal(): AbortSignal {
  const s = scope.getStore();
  const timeout = AbortSignal.timeout(s?.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  return s?.signal ? AbortSignal.any([s.signal, timeout]) : timeout;
}

/** `callSignal()` joined with a signal the SDK already had for the request (a poller's, a caller's). */
export function joinCallSignal(existing: AbortSignal | undefined | null): AbortSignal {
  const own = callSignal();
  return existing ? AbortSignal.any([existing, own]) : own;
}
