/**
 * What a user typed, as an error message may echo it: a short prefix, so a 100 kB stack name or a
 * pasted file does not flood a terminal, a job log or a journal. One helper for every place that
 * echoes input in an error.
 */

/** The longest echo of a user's input in an error, in characters. */
export const ECHO_LIMIT = 64;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;

/**
 * `value` as text of at most `max` characters: longer input is cut and says how long it was
 * ("aaaa… (100000 characters)"); control characters (line breaks, escapes) are shown as `\uXXXX`
 * so an echo cannot forge extra log lines.
 */
export function clip(value: unknown, max = ECHO_LIMIT): string {
  const text = typeof value === 'string' ? value : String(value);
  const safe = (s: string) =>
    s.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (text.length <= max) return safe(text);
  return `${safe(text.slice(0, max))}… (${text.length} characters)`;
}
