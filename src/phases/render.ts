/**
 * Renders a phase result as a Markdown table (job summary) or as aligned text (CLI).
 */
import type { PhaseResult, ResultRow } from './types.js';

const ICON: Record<ResultRow['status'], string> = {
  pass: 'PASS',
  fail: 'FAIL',
  warn: 'WARN',
  skip: 'SKIP',
  info: 'INFO',
  'would-do': 'WOULD',
  done: 'DONE',
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
        `| ${escapeCell(r.stack ?? '')} | ${escapeCell(r.item)} | ${ICON[r.status]} | ${escapeCell(r.detail)} |`,
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
      `  ${(r.stack ?? '').padEnd(w.stack)}  ${r.item.padEnd(w.item)}  ${ICON[r.status].padEnd(5)}  ${r.detail}`,
    );
  }
  for (const [k, v] of Object.entries(result.outputs)) lines.push(`  ${k} = ${v}`);
  return lines.join('\n');
}
