/**
 * Deadlines bind every call: an attempt runs under the deadline and a per-request timeout, the SDK
 * sees them as one AbortSignal (callSignal), and an attempt ends even when the call ignores it.
 * And one retry policy: a service that answers (throttle, 5xx) is asked until the deadline, one that
 * does not answer is asked maxAttempts times.
 */
import { callSignal, callTimeoutMs } from '../../src/engine/cancel.js';
import { DeadlineError, ProviderError } from '../../src/engine/errors.js';
import { Journal } from '../../src/engine/journal.js';
import { NoAnswerError, runAttempt, withRetry } from '../../src/engine/retry.js';
import { createContext, pollUntil } from '../../src/engine/step.js';

/** A call that, as an SDK does, settles only when its signal aborts. */
const honoursSignal = () =>
  new Promise<never>((_, reject) => {
    const s = callSignal();
    s.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })));
  });
/** A call that never settles, whatever happens. */
const ignoresSignal = () => new Promise<never>(() => undefined);

const noSleep = async () => undefined;
const throttle = () =>
  new ProviderError({
    service: 'arm',
    operation: 'get',
    status: 429,
    code: 'TooManyRequests',
    message: 'arm get failed: slow down',
  });
const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

describe('runAttempt', () => {
  it.each([
    ['honours the signal', honoursSignal],
    ['ignores the signal', ignoresSignal],
  ])('a call that %s ends at the deadline with a DeadlineError', async (_why, call) => {
    const deadline = Date.now() + 150;
    await expect(runAttempt(call, { deadline, requestTimeoutMs: 60_000 })).rejects.toBeInstanceOf(
      DeadlineError,
    );
  });

  it('a call with no answer within the per-request timeout ends as unanswered (network), not at the deadline', async () => {
    const err = await runAttempt(ignoresSignal, {
      deadline: Date.now() + 60_000,
      requestTimeoutMs: 100,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoAnswerError);
  });

  it('gives the SDK the scope: the signal and the time left', async () => {
    const seen = await runAttempt(async () => ({ ms: callTimeoutMs(), aborted: callSignal().aborted }), {
      deadline: Date.now() + 500,
      requestTimeoutMs: 10_000,
    });
    expect(seen.aborted).toBe(false);
    expect(seen.ms).toBeLessThanOrEqual(500);
    expect(seen.ms).toBeGreaterThan(0);
  });
});

describe('one retry policy', () => {
  it('asks a throttling service again past maxAttempts while the deadline allows', async () => {
    let n = 0;
    const r = await withRetry(
      async () => {
        if (++n <= 5) throw throttle();
        return 'ok';
      },
      { maxAttempts: 2, baseMs: 1, capMs: 1, deadline: Date.now() + 30_000 },
      { sleep: noSleep },
    );
    expect(r).toEqual({ value: 'ok', attempts: 6 });
  });

  it('gives up on a service that does not answer after maxAttempts', async () => {
    let n = 0;
    await expect(
      withRetry(
        async () => {
          n++;
          throw reset();
        },
        { maxAttempts: 3, baseMs: 1, capMs: 1, deadline: Date.now() + 30_000 },
        { sleep: noSleep },
      ),
    ).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(n).toBe(3);
  });

  it('lets a step cap answered failures (answeredAttempts)', async () => {
    let n = 0;
    await expect(
      withRetry(
        async () => {
          n++;
          throw { statusCode: 500 };
        },
        { maxAttempts: 8, answeredAttempts: 2, baseMs: 1, capMs: 1, deadline: Date.now() + 30_000 },
        { sleep: noSleep },
      ),
    ).rejects.toMatchObject({ statusCode: 500 });
    expect(n).toBe(2);
  });

  it('polling an operation rides out throttles, 500s and resets instead of failing at once', async () => {
    const ctx = createContext(new Journal(), {
      poll: { minMs: 1, maxMs: 1, fraction: 0 },
      retry: { maxAttempts: 4, baseMs: 1, capMs: 1 },
    });
    const answers = [throttle(), { statusCode: 500 }, reset(), throttle(), { statusCode: 500 }, reset()];
    let polls = 0;
    const done = await pollUntil(
      ctx,
      'failover of aegis-fog',
      async () => {
        polls++;
        const a = answers.shift();
        if (a) throw a;
        return polls >= 8 ? 'done' : undefined;
      },
      30_000,
    );
    expect(done).toBe('done');
    expect(answers).toEqual([]);
  });
});
