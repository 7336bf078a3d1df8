import { durationProblem, formatDuration, parseDuration } from '../../src/plan/duration.js';

describe('durations', () => {
  it.each([
    ['1h30m', 5_400_000],
    ['90s', 90_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['250ms', 250],
    ['1m30s500ms', 90_500],
    ['0s', 0],
    ['6h', 21_600_000],
  ])('parses %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '5', 'm', '5 m', '1.5h', '-5m', '30m1h', '5m5m', '5d', 'five minutes', '5M'])(
    'rejects %p',
    (text) => {
      expect(() => parseDuration(text)).toThrow(/duration/);
      expect(durationProblem(text)).toMatch(/expected a whole number followed by ms, s, m or h/);
    },
  );

  it.each([
    [5_400_000, '1h30m'],
    [0, '0s'],
    [250, '250ms'],
    [90_500, '1m30s500ms'],
    [86_400_000, '24h'],
  ])('formats %d as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });

  it('rejects negative milliseconds', () => {
    expect(() => formatDuration(-1)).toThrow(/non-negative/);
  });
});
