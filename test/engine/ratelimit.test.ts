import { RateLimiter, sharedLimiter } from '../../src/engine/ratelimit.js';

/** Largest number of timestamps inside any window of `windowMs`. */
function densest(calls: number[], windowMs: number): number {
  let peak = 0;
  for (let i = 0; i < calls.length; i++)
    peak = Math.max(peak, calls.filter((t) => t >= calls[i] && t - calls[i] < windowMs).length);
  return peak;
}

describe('RateLimiter (sliding window)', () => {
  it('never lets more than maxCalls into any window, and serves calls in order', async () => {
    const l = new RateLimiter(3, 120);
    const order: number[] = [];
    await Promise.all(Array.from({ length: 8 }, (_, i) => l.take().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(l.calls).toHaveLength(8);
    expect(densest(l.calls, 120)).toBeLessThanOrEqual(3);
  });

  it('lets a burst of maxCalls through without waiting for a refill', async () => {
    const l = new RateLimiter(5, 60_000);
    // five calls fit in the window at once: if take() waited, this would time out
    await Promise.all(Array.from({ length: 5 }, () => l.take()));
    expect(l.calls).toHaveLength(5);
  });

  it('peakPerSecond counts the busiest sliding second', () => {
    const l = new RateLimiter(10);
    l.calls.push(0, 100, 900, 999, 1000, 1500, 2600);
    expect(l.peakPerSecond()).toBe(4); // 0..999 holds four, 100..1000 holds four
  });

  it('rejects a limiter that lets nothing through', () => {
    expect(() => new RateLimiter(0)).toThrow(/maxCalls >= 1/);
  });

  it('shares one limiter per key', () => {
    expect(sharedLimiter('test-key', 5)).toBe(sharedLimiter('test-key', 5));
    expect(sharedLimiter('test-key', 5)).not.toBe(sharedLimiter('other-key', 5));
  });
});
