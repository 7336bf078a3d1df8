import { ProviderError, classify, parseRetryAfter, wrapSdkError } from '../../src/engine/errors.js';
import { backoffDelay, withRetry } from '../../src/engine/retry.js';

const noSleep = async () => undefined;

describe('classify', () => {
  it.each([
    [{ $metadata: { httpStatusCode: 400 }, name: 'Throttling' }, 'throttled'],
    [{ statusCode: 429 }, 'throttled'],
    [{ code: 8 }, 'throttled'],
    [{ $metadata: { httpStatusCode: 503 } }, 'transient'],
    [{ code: 'ECONNRESET', message: 'socket hang up' }, 'transient'],
    [{ code: 14 }, 'transient'],
    [{ $metadata: { httpStatusCode: 400 }, name: 'InvalidParameterValue' }, 'permanent'],
    [{ statusCode: 404, code: 'ResourceNotFound' }, 'permanent'],
  ])('%j is %s', (err, kind) => {
    expect(classify(err).kind).toBe(kind);
  });

  it('keeps Retry-After through wrapSdkError', () => {
    const e = wrapSdkError('arm', 'failover', {
      statusCode: 429,
      code: 'TooManyRequests',
      response: { headers: { 'retry-after': '7' } },
    });
    expect(e).toBeInstanceOf(ProviderError);
    expect(classify(e)).toMatchObject({ kind: 'throttled', retryAfterMs: 7000 });
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('withRetry', () => {
  it('retries transient failures with growing capped delays, then succeeds', async () => {
    const delays: number[] = [];
    let n = 0;
    const r = await withRetry(
      async () => {
        if (++n < 4) throw { $metadata: { httpStatusCode: 503 } };
        return 'ok';
      },
      { maxAttempts: 6, baseMs: 100, capMs: 300 },
      { sleep: async (ms) => void delays.push(ms), random: () => 1 },
    );
    expect(r).toEqual({ value: 'ok', attempts: 4 });
    expect(delays).toEqual([100, 200, 300]);
  });

  it('honours Retry-After when it is longer than the backoff', async () => {
    const delays: number[] = [];
    let n = 0;
    await withRetry(
      async () => {
        if (++n < 2)
          throw new ProviderError({
            service: 'route53',
            operation: 'x',
            status: 400,
            code: 'Throttling',
            retryAfterMs: 2500,
            message: 'slow down',
          });
      },
      { maxAttempts: 3, baseMs: 10, capMs: 100 },
      { sleep: async (ms) => void delays.push(ms) },
    );
    expect(delays).toEqual([2500]);
  });

  it('fails at once on a permanent error', async () => {
    let n = 0;
    await expect(
      withRetry(
        async () => {
          n++;
          throw { $metadata: { httpStatusCode: 400 }, name: 'InvalidDBInstanceState', message: 'bad state' };
        },
        { maxAttempts: 5, baseMs: 1, capMs: 1 },
        { sleep: noSleep },
      ),
    ).rejects.toMatchObject({ name: 'InvalidDBInstanceState' });
    expect(n).toBe(1);
  });

  it('gives up after maxAttempts', async () => {
    let n = 0;
    await expect(
      withRetry(
        async () => {
          n++;
          throw { statusCode: 500 };
        },
        { maxAttempts: 3, baseMs: 1, capMs: 1 },
        { sleep: noSleep },
      ),
    ).rejects.toMatchObject({ statusCode: 500, attempts: 3 });
    expect(n).toBe(3);
  });

  it('does not sleep past a deadline', async () => {
    await expect(
      withRetry(
        async () => {
          throw { statusCode: 503 };
        },
        { maxAttempts: 10, baseMs: 10_000, capMs: 10_000, deadline: Date.now() + 100 },
        { sleep: noSleep },
      ),
    ).rejects.toThrow(/deadline would pass/);
  });

  it('jitters within half to full of the exponential delay', () => {
    const p = { maxAttempts: 5, baseMs: 100, capMs: 1000 };
    expect(backoffDelay(3, p, () => 0)).toBe(200);
    expect(backoffDelay(3, p, () => 1)).toBe(400);
    expect(backoffDelay(10, p, () => 1)).toBe(1000);
  });
});
