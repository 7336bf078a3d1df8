/**
 * The checks of the plan's `notifications` and `escalation` sections that the schema cannot
 * express: a channel named by `announce` or an escalation rule must exist, a template may only use
 * the known placeholders, a channel's URL must be well formed, durations must be positive, and a
 * rule appears once. Each problem names its path, so the loader reports its file:line.
 */
import { TEMPLATE_FIELDS } from './schema-comms.js';

type Segment = string | number;
interface Raw {
  segs: Segment[];
  where: 'key' | 'value' | 'parent';
  message: string;
}
type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The loader's message helpers, handed in so both files word problems alike. */
export interface CheckHelpers {
  code(v: unknown): string;
  list(values: readonly unknown[]): string;
  didYouMean(word: string, options: readonly string[]): string | undefined;
  checkUrl(raw: Raw[], segs: Segment[], value: unknown): void;
  checkDuration(raw: Raw[], segs: Segment[], value: unknown, positive: boolean): number | undefined;
}

export function commsProblems(doc: Json, h: CheckHelpers): Raw[] {
  const raw: Raw[] = [];
  const n = isObj(doc.notifications) ? doc.notifications : {};
  const channels = isObj(n.channels) ? n.channels : {};
  const names = Object.keys(channels);
  const unknownChannel = (segs: Segment[], target: unknown, who: string) => {
    if (typeof target !== 'string' || target in channels) return;
    const guess = h.didYouMean(target, names);
    raw.push({
      segs,
      where: 'value',
      message: `${who} ${h.code(target)}, which is not a channel in notifications.channels; expected one of ${names.length ? h.list(names) : '(no channels defined)'}${guess ? `; did you mean \`${guess}\`?` : '.'}`,
    });
  };
  for (const [name, ch] of Object.entries(channels)) {
    if (isObj(ch)) h.checkUrl(raw, ['notifications', 'channels', name, 'url'], ch.url);
    if (
      isObj(ch) &&
      ch.type === 'slack' &&
      typeof ch.target === 'string' &&
      !/^#?[a-z0-9_{}-]+$/.test(ch.target)
    )
      raw.push({
        segs: ['notifications', 'channels', name, 'target'],
        where: 'value',
        message: `The Slack channel ${h.code(ch.target)} is not a channel name; expected lowercase letters, digits, - and _ (#platform-support), or no target for the incident channel.`,
      });
  }
  h.checkDuration(raw, ['notifications', 'updateEvery'], n.updateEvery, true);
  h.checkDuration(raw, ['notifications', 'postMortemAfter'], n.postMortemAfter, false);
  if (Array.isArray(n.announce))
    n.announce.forEach((t, i) =>
      unknownChannel(['notifications', 'announce', i], t, 'notifications.announce names'),
    );

  const fields = Object.keys(TEMPLATE_FIELDS);
  const templates = isObj(n.templates) ? n.templates : {};
  for (const [kind, set] of Object.entries(templates)) {
    if (!isObj(set)) continue;
    for (const [msg, t] of Object.entries(set)) {
      if (!isObj(t)) continue;
      for (const part of ['subject', 'body']) {
        const text = t[part];
        if (typeof text !== 'string') continue;
        for (const m of text.matchAll(/\{([^{}]*)\}/g)) {
          if (fields.includes(m[1])) continue;
          const guess = h.didYouMean(m[1], fields);
          raw.push({
            segs: ['notifications', 'templates', kind, msg, part],
            where: 'value',
            message: `The template uses the placeholder ${h.code(`{${m[1]}}`)}, which nothing fills; expected one of ${fields.map((f) => `{${f}}`).join(', ')}${guess ? `; did you mean \`{${guess}}\`?` : '.'}`,
          });
        }
      }
    }
  }

  const escalation = Array.isArray(doc.escalation) ? doc.escalation : [];
  const seen = new Map<unknown, number>();
  escalation.forEach((rule: unknown, i: number) => {
    if (!isObj(rule)) return;
    if (typeof rule.when === 'string') {
      if (seen.has(rule.when))
        raw.push({
          segs: ['escalation', i, 'when'],
          where: 'value',
          message: `The rule ${h.code(rule.when)} is written twice (also escalation[${seen.get(rule.when)}]); merge their notify lists into one rule.`,
        });
      else seen.set(rule.when, i);
    }
    if (Array.isArray(rule.notify))
      rule.notify.forEach((t: unknown, j: number) =>
        unknownChannel(['escalation', i, 'notify', j], t, 'The escalation rule notifies'),
      );
  });
  return raw;
}
