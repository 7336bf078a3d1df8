/**
 * Renders a phase result as a Markdown table (job summary) or as aligned text (CLI).
 */
import { outcomeWord } from '../engine/outcome.js';
import { formatMs, type ProgressEvent } from '../engine/step.js';
import type { PhaseResult, ResultRow } from './types.js';

/**
 * A row's status in words, for the summaries and the terminal alike: a check passed, failed or
 * warned; a step was done, would be done, or skipped (its detail says why). The step outcomes of a
 * journal record have their own words in engine/outcome.ts (done, already done, would do, ...).
 */
export const STATUS_WORD: Record<ResultRow['status'], string> = {
  pass: 'passed',
  fail: 'FAILED',
  warn: 'warning',
  skip: 'skipped',
  info: 'info',
  'would-do': 'would do',
  done: 'done',
};

/** A value as a Markdown table cell: pipes escaped, line breaks as <br>. */
export function escapeCell(v: unknown): string {
  return String(v ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, '<br>');
}

export function resultMarkdown(title: string, result: PhaseResult): string {
  const lines = [`## ${title}: ${result.ok ? 'succeeded' : 'failed'}`, ''];
  if (result.rows.length > 0) {
    lines.push('| Stack | Item | Status | Detail |', '| --- | --- | --- | --- |');
    for (const r of result.rows) {
      lines.push(
        `| ${escapeCell(r.stack ?? '')} | ${escapeCell(r.item)} | ${STATUS_WORD[r.status]} | ${escapeCell(r.detail)} |`,
      );
    }
    lines.push('');
  }
  const outs = Object.entries(result.outputs);
  if (outs.length > 0) {
    lines.push('| Output | Value |', '| --- | --- |');
    for (const [k, v] of outs) lines.push(`| ${escapeCell(k)} | ${escapeCell(v)} |`);
    lines.push('');
  }
  if (result.markdown) lines.push(result.markdown, '');
  return lines.join('\n');
}

export function resultText(title: string, result: PhaseResult): string {
  const lines = [`${title}: ${result.ok ? 'succeeded' : 'FAILED'}`];
  const w = {
    stack: Math.max(5, ...result.rows.map((r) => (r.stack ?? '').length)),
    item: Math.max(4, ...result.rows.map((r) => r.item.length)),
  };
  for (const r of result.rows) {
    lines.push(
      `  ${(r.stack ?? '').padEnd(w.stack)}  ${r.item.padEnd(w.item)}  ${STATUS_WORD[r.status].padEnd(8)}  ${r.detail}`,
    );
  }
  for (const [k, v] of Object.entries(result.outputs)) lines.push(`  ${k} = ${v}`);
  return lines.join('\n');
}

/** One line of live progress, for the terminal and the action's log alike. */
export interface ProgressLine {
  stack?: string;
  /** The outcome or status word (done, already done, would do, FAILED, passed, waiting, ...). */
  word: string;
  /** phase/step (or phase/check). */
  what: string;
  text: string;
}

/**
 * The one step-line format: turns the engine's progress events into lines, with each step's
 * retries folded into its end line (count and last error) instead of a line per retry. Returns
 * undefined for events that print nothing by themselves (a retry, an origin).
 */
export function progressLines(
  opts: { starts?: boolean } = {},
): (e: ProgressEvent) => ProgressLine | undefined {
  const retries = new Map<string, { count: number; last: string }>();
  const key = (stack: string | undefined, phase: string, step: string) => `${stack ?? ''}/${phase}/${step}`;
  return (e) => {
    switch (e.type) {
      case 'retry': {
        const k = key(e.stack, e.phase, e.step);
        const r = retries.get(k) ?? { count: 0, last: '' };
        retries.set(k, { count: r.count + 1, last: e.reason });
        return undefined;
      }
      case 'step-start':
        return opts.starts
          ? { stack: e.stack, word: 'started', what: `${e.phase}/${e.step}`, text: e.target }
          : undefined;
      case 'step-end': {
        const r = e.record;
        const k = key(r.stack, r.phase, r.step);
        const tried = retries.get(k);
        retries.delete(k);
        const action = r.outcome === 'skipped' ? '' : (r.action ?? '');
        const folded = tried
          ? `; ${tried.count} ${tried.count === 1 ? 'retry' : 'retries'}, last: ${tried.last}`
          : '';
        const w = outcomeWord(r);
        return {
          stack: r.stack,
          word: ['failed', 'refused', 'unreachable'].includes(w) ? w.toUpperCase() : w,
          what: `${r.phase}/${r.step}`,
          text: `${r.target}${action ? `  ${action}` : ''}${r.error ? ` :: ${r.error}` : ''} (${formatMs(r.durationMs)}${folded})`,
        };
      }
      case 'check':
        return {
          stack: e.stack,
          word: STATUS_WORD[e.status as ResultRow['status']] ?? e.status,
          what: `${e.phase}/${e.item}`,
          text: e.detail,
        };
      case 'heartbeat':
        return {
          stack: e.stack,
          word: 'waiting',
          what: [e.phase, e.step].filter(Boolean).join('/') || '-',
          text: `${e.what}: ${formatMs(e.waitedMs)} so far, ${formatMs(e.leftMs)} left`,
        };
      case 'info':
        return { stack: e.stack, word: '', what: '', text: e.message };
      case 'origin':
        return { word: '', what: '', text: e.what };
    }
  };
}
