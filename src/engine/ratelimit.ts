/**
 * A token bucket per service, so polling never floods an API (Route 53 allows 5 requests a
 * second per account). `limitCalls` wraps every method of an adapter with the bucket.
 */
export class RateLimiter {
  private tokens: number;
  private last = Date.now();
  private chain: Promise<void> = Promise.resolve();
  /** Timestamps of calls let through, for benchmarks. */
  readonly calls: number[] = [];

  constructor(
    readonly ratePerSecond: number,
    readonly burst = ratePerSecond,
  ) {
    this.tokens = burst;
  }

  /** Wait for a token. Calls are served in order. */
  take(): Promise<void> {
    const next = this.chain.then(async () => {
      for (;;) {
        const now = Date.now();
        this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
        this.last = now;
        if (this.tokens >= 1) {
          this.tokens -= 1;
          this.calls.push(now);
          return;
        }
        await new Promise((r) => setTimeout(r, Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000)));
      }
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Highest number of calls in any sliding one-second window. */
  peakPerSecond(): number {
    let peak = 0;
    let lo = 0;
    for (let hi = 0; hi < this.calls.length; hi++) {
      while (this.calls[hi] - this.calls[lo] >= 1000) lo++;
      peak = Math.max(peak, hi - lo + 1);
    }
    return peak;
  }
}

/** Proxy an object so that each of its async methods first takes a token from `limiter`. */
export function limitCalls<T extends object>(target: T, limiter: RateLimiter): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await limiter.take();
        return (value as (...a: unknown[]) => unknown).apply(obj, args);
      };
    },
  });
}

const shared = new Map<string, RateLimiter>();

/**
 * The process-wide limiter named `key` (e.g. "route53 http://127.0.0.1:4566"), created on first use
 * with `ratePerSecond` and `burst`: every client of one API account shares it, whichever stack or
 * step calls. A burst of 1 keeps any sliding one-second window at or under `ratePerSecond` calls.
 */
export function sharedLimiter(key: string, ratePerSecond: number, burst = 1): RateLimiter {
  let l = shared.get(key);
  if (!l) {
    l = new RateLimiter(ratePerSecond, burst);
    shared.set(key, l);
  }
  return l;
}

/** Every shared limiter by key (for benchmarks and the drill's figures). */
export function sharedLimiters(): ReadonlyMap<string, RateLimiter> {
  return shared;
}
