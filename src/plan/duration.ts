/**
 * Durations as written in a plan (`90s`, `5m`, `2h`, `1h30m`, `250ms`) and back.
 */

const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;
const ORDER: Unit[] = ['h', 'm', 's', 'ms'];
const PART = /([0-9]+)(ms|h|m|s)/y;

/** Why a duration string cannot be parsed, or undefined when it can. */
export function durationProblem(text: string): string | undefined {
  try {
    parseDuration(text);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Parse a duration into milliseconds: `parseDuration('1h30m') === 5_400_000`.
 * Units are h, m, s and ms, each at most once, largest first.
 * @throws Error with one sentence naming the text and what was expected.
 */
export function parseDuration(text: string): number {
  const expected =
    'expected a whole number followed by ms, s, m or h, largest unit first, such as 90s, 5m, 2h or 1h30m';
  if (typeof text !== 'string' || text.length === 0) {
    throw new Error(`The duration is empty; ${expected}.`);
  }
  PART.lastIndex = 0;
  let total = 0;
  let last = -1;
  let pos = 0;
  while (pos < text.length) {
    PART.lastIndex = pos;
    const m = PART.exec(text);
    if (!m) throw new Error(`\`${text}\` is not a duration; ${expected}.`);
    const unit = m[2] as Unit;
    const rank = ORDER.indexOf(unit);
    if (rank <= last) {
      throw new Error(
        `\`${text}\` is not a duration: the unit \`${unit}\` is repeated or out of order; ${expected}.`,
      );
    }
    last = rank;
    total += Number(m[1]) * UNIT_MS[unit];
    pos = PART.lastIndex;
  }
  if (!Number.isSafeInteger(total)) {
    throw new Error(
      `\`${text}\` is too long a duration; expected at most ${formatDuration(Number.MAX_SAFE_INTEGER)}.`,
    );
  }
  return total;
}

/** Format milliseconds as the shortest plan duration: `formatDuration(5_400_000) === '1h30m'`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0)
    throw new Error(`Cannot format ${ms} as a duration; expected a non-negative number of milliseconds.`);
  let rest = Math.round(ms);
  if (rest === 0) return '0s';
  let out = '';
  for (const unit of ORDER) {
    const n = Math.floor(rest / UNIT_MS[unit]);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * UNIT_MS[unit];
    }
  }
  return out;
}
