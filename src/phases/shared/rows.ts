/** Result rows: the one shape every phase reports, and the text of an error in a row. */
import { messageOf, UserError } from '../../engine/errors.js';
import { StepFailed, type StepResult } from '../../engine/step.js';
import type { ResultRow } from '../types.js';

export function row(stack: string, item: string, status: ResultRow['status'], detail: string): ResultRow {
  return { stack, item, status, detail };
}

/** The row of an engine step: done, would do, or "already done" when the state was already right. */
export function outcomeRow(stack: string, item: string, r: StepResult<unknown>, detail: string): ResultRow {
  const status = r.outcome === 'would-do' ? 'would-do' : r.outcome === 'skipped' ? 'pass' : 'done';
  return row(stack, item, status, r.outcome === 'skipped' ? `already done: ${detail}` : detail);
}

export function errorText(err: unknown): string {
  if (err instanceof StepFailed || err instanceof UserError) return err.message;
  return messageOf(err);
}
