/**
 * One heartbeat for every long wait: polls (pollUntil) and sleep-like waits (waitMs) report what is
 * awaited, for how long so far and how long is left, every heartbeat interval, with where the wait
 * is (phase, step, stack); a wait shorter than the interval says nothing. The clock is a fake that
 * the fake sleep advances, so no assertion depends on the machine's speed.
 */
import { jest } from '@jest/globals';
import { Journal } from '../../src/engine/journal.js';
import { createContext, pollUntil, waitMs, type ProgressEvent } from '../../src/engine/step.js';
import { progressLines } from '../../src/phases/render.js';

let now = 1_000_000;
beforeEach(() => {
  now = 1_000_000;
  jest.spyOn(Date, 'now').mockImplementation(() => now);
});
afterEach(() => jest.restoreAllMocks());

function context() {
  const events: ProgressEvent[] = [];
  const ctx = createContext(new Journal({}), {
    progress: (e) => events.push(e),
    sleep: async (ms: number) => {
      now += ms;
    },
    poll: { minMs: 1_000, maxMs: 1_000, fraction: 0.05, heartbeatMs: 10_000 },
  });
  const beats = () =>
    events.flatMap((e) => (e.type === 'heartbeat' ? [[e.what, e.stack, e.waitedMs, e.leftMs]] : []));
  return { ctx, events, beats };
}

describe('waitMs: a sleep-like wait', () => {
  it('reports every 10 s what it waits for and the time left, with its stack', async () => {
    const { ctx, beats } = context();
    await waitMs(ctx, 'the error-rate window', 35_000, { phase: 'verify', step: 'Error rate', stack: 'aws' });
    expect(now - 1_000_000).toBe(35_000);
    expect(beats()).toEqual([
      ['the error-rate window', 'aws', 10_000, 25_000],
      ['the error-rate window', 'aws', 20_000, 15_000],
      ['the error-rate window', 'aws', 30_000, 5_000],
    ]);
  });

  it('says nothing for a wait shorter than the interval', async () => {
    const { ctx, beats } = context();
    await waitMs(ctx, 'a short settle', 4_000);
    expect(beats()).toEqual([]);
  });
});

describe('pollUntil: a poll', () => {
  it('reports through the same heartbeat, with where the wait is', async () => {
    const { ctx, beats, events } = context();
    let calls = 0;
    await pollUntil(
      ctx,
      'job aegis-integrity on the dr cluster',
      async () => (++calls >= 25 ? 'done' : undefined),
      60_000,
      undefined,
      undefined,
      { step: 'job integrity', stack: 'gcp' },
    );
    expect(beats().map(([w, s]) => [w, s])).toEqual([
      ['job aegis-integrity on the dr cluster', 'gcp'],
      ['job aegis-integrity on the dr cluster', 'gcp'],
    ]);
    for (const [, , waited, left] of beats()) expect(Number(waited) + Number(left)).toBe(60_000);
    // a heartbeat outside a phase step reads as its step, never "-/-"
    const line = progressLines()(events.find((e) => e.type === 'heartbeat')!);
    expect(line).toMatchObject({ word: 'waiting', what: 'job integrity', stack: 'gcp' });
    expect(line!.text).toMatch(/^job aegis-integrity on the dr cluster: \d+ s so far, \d+ s left$/);
  });
});
