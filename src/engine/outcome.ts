/**
 * One vocabulary for what a step did, shared by the live CLI lines, the job summaries and the
 * report, so that one word means one thing everywhere: done, already done, skipped (with why),
 * would do, failed; plus the two outcomes a safety rule or an outage gives (refused, unreachable)
 * and a plain observation (observed).
 */
import type { JournalRecord, Outcome } from './journal.js';

export const OUTCOME_WORD: Record<Outcome, string> = {
  done: 'done',
  // The engine records 'skipped' when it observed the wanted state already in place.
  skipped: 'already done',
  'would-do': 'would do',
  failed: 'failed',
  refused: 'refused',
  unreachable: 'unreachable',
  observed: 'observed',
  intent: 'about to act',
};

/** The word for a journal record's outcome; a record that says why it skipped reads "skipped (why)". */
export function outcomeWord(record: Pick<JournalRecord, 'outcome'> & { skippedBecause?: string }): string {
  if (record.skippedBecause) return `skipped (${record.skippedBecause})`;
  return OUTCOME_WORD[record.outcome];
}
