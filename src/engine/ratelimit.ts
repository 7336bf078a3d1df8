/**
 * A sliding-window limiter per API, so polling never floods it: at most `maxCalls` calls in any
 * window of `windowMs`. Route 53 allows 5 requests a second per account; a sliding window lets a
 * short burst through at once (a switch is a handful of calls) and still never puts a sixth call
 * into any second, where a token bucket refilled one call at a time would space every call out.
 */
export class RateLimiter {
  private chain: Promise<void> = Promise.resolve();
  /** Timestamps of calls let through, for benchmarks. */
  readonly calls: number[] = [];

  constructor(
    readonly maxCalls: number,
    readonly windowMs = 1000,
  ) {
    if (!(maxCalls >= 1)) throw new Error(`A rate limiter needs maxCalls >= 1, got ${maxCalls}.`);
  }

  /** Wait until a call fits in the window. Calls are served in order. */
  take(): Promise<void> {
    const next = this.chain.then(async () => {
      for (;;) {
        const now = Date.now();
        const oldest =
          this.calls.length >= this.maxCalls ? this.calls[this.calls.length - this.maxCalls] : undefined;
        if (oldest === undefined || now - oldest >= this.windowMs) {
          this.calls.push(now);
          return;
        }
        await new Promise((r) => setTimeout(r, oldest + this.windowMs - now));
      }
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Highest number of calls in any sliding one-second window. */
  peakPerSecond(): number {
    return peakInWindow(this.calls);
  }
}

/**
 * Highest number of timestamps within any sliding window of `windowMs` (a window holds the times
 * t with first <= t < first + windowMs). `times` must be sorted ascending.
 */
export function peakInWindow(times: readonly number[], windowMs = 1000): number {
  let peak = 0;
  let lo = 0;
  for (let hi = 0; hi < times.length; hi++) {
    while (times[hi] - times[lo] >= windowMs) lo++;
    peak = Math.max(peak, hi - lo + 1);
  }
  return peak;
}

const shared = new Map<string, RateLimiter>();

/**
 * The process-wide limiter named `key` (e.g. "route53 http://127.0.0.1:4566"), created on first use
 * with `maxCalls` per `windowMs`: every client of one API account shares it, whichever stack or
 * step calls.
 */
export function sharedLimiter(key: string, maxCalls: number, windowMs = 1000): RateLimiter {
  let l = shared.get(key);
  if (!l) {
    l = new RateLimiter(maxCalls, windowMs);
    shared.set(key, l);
  }
  return l;
}

/** Every shared limiter by key (for benchmarks and the drill's figures). */
export function sharedLimiters(): ReadonlyMap<string, RateLimiter> {
  return shared;
}
