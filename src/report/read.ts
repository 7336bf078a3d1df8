/** A journal file read for the report: its records and their hash-chain check, never a crash. */
import {
  readJournal,
  readJournalText,
  verifyRecords,
  type JournalRecord,
  type VerifyResult,
  JournalLineError,
} from '../engine/journal.js';
import { UserError } from '../engine/errors.js';

/**
 * Read a journal file for the report: its records and their hash-chain check. A line that is not
 * JSON (an edit, a truncation) is a broken chain at that record, not an exception; the records
 * before it are kept for the report.
 */
export function readForReport(file: string): { records: JournalRecord[]; verification: VerifyResult } {
  const text = readJournalText(file); // a path that is a directory or unreadable: one sentence naming it
  try {
    const records = readJournal(file);
    return { records, verification: verifyRecords(records) };
  } catch (err) {
    // no journal at all: one sentence, not a broken chain; a line that is not JSON: a broken chain
    if (err instanceof UserError && !(err instanceof JournalLineError)) throw err;
    const records: JournalRecord[] = [];
    let bad = 0;
    for (const line of text.split('\n').filter((l) => l.trim())) {
      try {
        records.push(JSON.parse(line) as JournalRecord);
      } catch {
        bad = records.length + 1;
        break;
      }
    }
    const head = verifyRecords(records);
    return {
      records,
      verification: {
        ok: false,
        count: records.length,
        badSeq: head.ok ? bad : head.badSeq,
        reason: head.ok ? `it is not valid JSON (${(err as Error).message})` : head.reason,
        runs: head.runs,
      },
    };
  }
}
