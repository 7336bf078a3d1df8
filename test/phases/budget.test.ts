/**
 * The RTO budget's headline: what is left of the RTO, going negative once a failover runs past it
 * (the escalation's "RTO passed" and the job summary show the overrun, not a 0 that hides it).
 */
import { budgetMarkdown, mmss, type Budget } from '../../src/phases/comms/budget.js';

const T0 = Date.parse('2026-12-02T03:00:00Z');
const budget = (nowMs: number): Budget => ({
  declaredAt: T0,
  now: T0 + nowMs,
  rtoMs: 30 * 60_000,
  deadline: T0 + 30 * 60_000,
  elapsedMs: nowMs,
  projectedFinish: T0 + nowMs + 60_000,
  projectedOver: nowMs + 60_000 > 30 * 60_000,
  over: nowMs > 30 * 60_000,
  remainingMs: 30 * 60_000 - nowMs,
  rows: [],
});

describe('RTO budget', () => {
  it.each([
    ['10 minutes in', 10 * 60_000, '20:00 left', ''],
    ['29:30 in: projected past the RTO', 29.5 * 60_000, '0:30 left', 'projected past the RTO'],
    ['33:15 in: the RTO passed, the budget is negative', 33.25 * 60_000, '-3:15 left', 'RTO passed'],
  ])('%s', (_case, at, left, flag) => {
    const md = budgetMarkdown(budget(at));
    expect(md).toContain(`spent of 30:00, ${left};`);
    if (flag) expect(md).toContain(flag);
    else expect(md).not.toMatch(/RTO passed|projected past/);
  });

  it.each([
    [0, '0:00'],
    [59_400, '0:59'],
    [-195_000, '-3:15'],
    [-400, '0:00'],
  ])('mmss(%d) is %s', (ms, text) => expect(mmss(ms)).toBe(text));
});
