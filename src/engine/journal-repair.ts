/**
 * `aegis-dr journal repair FILE`: a journal whose last line was cut (a runner that died in the
 * middle of a write, a disk that filled) stops every later phase, because a phase will not append
 * to a journal it cannot verify. The repair keeps the cut bytes (moved, byte for byte, to a side
 * file next to the journal), truncates the journal to its last whole record, and appends a record
 * saying what was removed and why, chained by hash like every other record. `journal verify`
 * then accepts the file and lists the repair; phases resume from the records that were whole.
 *
 * Only a torn *tail* is repaired: a bad line with whole records after it, or a chain that breaks
 * (an edit, a removed record), is tampering, and the journal is left as it is, as evidence.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { clip } from './clip.js';
import { UserError } from './errors.js';
import { fileError } from './files.js';
import { Journal, REPAIR, verifyRecords, type JournalRecord } from './journal.js';

export interface RepairResult {
  /** False when the journal had nothing torn: nothing was changed. */
  repaired: boolean;
  /** Whole records kept (before the repair record). */
  kept: number;
  /** Bytes moved to the side file. */
  removedBytes?: number;
  /** The side file holding the removed bytes. */
  sideFile?: string;
  /** The record appended. */
  record?: JournalRecord;
}

/** The why of a repair, as its record says it. */
export const TORN_REASON =
  'the last line was not a complete record: a writer stopped in the middle of it (a runner that died, a disk that filled)';

function sideFileFor(file: string, now: Date): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  let candidate = `${file}.torn-${stamp}`;
  for (let i = 2; fs.existsSync(candidate); i++) candidate = `${file}.torn-${stamp}-${i}`;
  return candidate;
}

/**
 * Repair the torn tail of `file` (see the module comment). `actor` goes into the repair record.
 * Throws a UserError, changing nothing, when the file is not a journal with a torn tail.
 */
export function repairJournal(file: string, opts: { actor?: string; now?: Date } = {}): RepairResult {
  const abs = path.resolve(file);
  let buf: Buffer;
  try {
    buf = fs.readFileSync(abs);
  } catch (err) {
    throw fileError(
      file,
      err,
      'the journal',
      'a journal file (JSON lines)',
      'give the path of the journal file itself',
    );
  }
  // Whole records: lines that parse, up to the first that does not.
  const records: JournalRecord[] = [];
  let goodEnd = 0; // byte offset just past the last whole record's line break
  let pos = 0;
  let tornLine: number | undefined;
  let line = 0;
  while (pos < buf.length) {
    line++;
    const nl = buf.indexOf(0x0a, pos);
    const end = nl < 0 ? buf.length : nl;
    const text = buf.subarray(pos, end).toString('utf8');
    if (text.trim()) {
      let rec: JournalRecord | undefined;
      try {
        rec = JSON.parse(text) as JournalRecord;
      } catch {
        rec = undefined;
      }
      if (!rec || typeof rec !== 'object' || typeof rec.hash !== 'string') {
        tornLine = line;
        break;
      }
      records.push(rec);
    }
    if (nl < 0) {
      // a whole record without its line break: complete the line, nothing is torn
      break;
    }
    pos = nl + 1;
    goodEnd = pos;
  }
  const check = verifyRecords(records);
  if (!check.ok) {
    throw new UserError(
      `journal ${file} fails verification at record ${check.badSeq}: ${check.reason}; that is not a torn last line, so repair changes nothing: keep the file as evidence and start a new journal file.`,
    );
  }
  if (tornLine === undefined) {
    return { repaired: false, kept: records.length };
  }
  const tail = buf.subarray(goodEnd);
  // Records after the bad line mean the file was edited, not cut.
  const after = tail
    .toString('utf8')
    .split('\n')
    .slice(1)
    .filter((l) => {
      try {
        return typeof (JSON.parse(l) as JournalRecord).hash === 'string';
      } catch {
        return false;
      }
    });
  if (after.length > 0) {
    throw new UserError(
      `journal ${file} line ${tornLine} is not valid JSON and ${after.length} whole record(s) follow it: that is an edit, not a torn last line, so repair changes nothing: keep the file as evidence and start a new journal file.`,
    );
  }

  // 1. keep the cut bytes, 2. cut the journal back to its last whole record, 3. say so in it.
  const now = opts.now ?? new Date();
  const sideFile = sideFileFor(abs, now);
  try {
    fs.writeFileSync(sideFile, tail, { flag: 'wx' });
    const fd = fs.openSync(sideFile, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.truncateSync(abs, goodEnd);
  } catch (err) {
    throw fileError(
      sideFile,
      err,
      'the side file for the torn line',
      'a new file next to the journal',
      'free space or permissions in the journal folder and run the repair again',
    );
  }
  const journal = new Journal({ file: abs, actor: opts.actor });
  const at = now.toISOString();
  const last = records.at(-1);
  const record = journal.append({
    phase: REPAIR.phase,
    step: REPAIR.step,
    target: path.basename(abs),
    outcome: 'done',
    action: `moved the torn last line (${tail.length} bytes, line ${tornLine}) to ${path.basename(sideFile)}`,
    startedAt: at,
    endedAt: at,
    durationMs: 0,
    attempts: 1,
    dryRun: false,
    data: {
      reason: TORN_REASON,
      removedBytes: tail.length,
      removedLine: tornLine,
      removedSha256: createHash('sha256').update(tail).digest('hex'),
      removedStart: clip(tail.toString('utf8'), 80),
      sideFile: path.basename(sideFile),
      afterSeq: last?.seq ?? 0,
      afterHash: last?.hash,
    },
  });
  return { repaired: true, kept: records.length, removedBytes: tail.length, sideFile, record };
}
