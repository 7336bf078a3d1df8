/**
 * Renders a phase result as a Markdown table (job summary) or as aligned text (CLI).
 */
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
