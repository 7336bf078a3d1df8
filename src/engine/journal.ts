/**
 * The journal: one JSON line per step, each carrying the SHA-256 of the previous record, so an
 * edited, reordered or truncated-in-the-middle journal is detected by `verifyJournal`. Records are
 * appended (and flushed) as steps finish, so a crash leaves a valid journal to resume from.
 */
import { redactDeep } from './redact.js';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from './errors.js';
import { clip } from './clip.js';
import { fileError } from './files.js';

/**
 * What a step did: `done` (acted and reached the wanted state), `skipped` (already so),
 * `would-do` (dry-run), `failed`, `refused` (unsafe move, not forced), `observed` (a recorded
 * fact), `unreachable` (the target could not be reached at all, e.g. its region is down, and the
 * step accepts that as an answer: nothing was changed there; `error` says what was seen),
 * `intent` (written just before a mutating call: a later record of the same step is its outcome;
 * an intent with none means the runner died after the call may have gone out).
 */
export type Outcome =
  'done' | 'skipped' | 'would-do' | 'failed' | 'observed' | 'refused' | 'unreachable' | 'intent';

export interface JournalEntry {
  phase: string;
  step: string;
  stack?: string;
  target: string;
  outcome: Outcome;
  /** What was done, would be done (dry-run), or why nothing was done. */
  action?: string;
  before?: unknown;
  after?: unknown;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  attempts: number;
  error?: string;
  dryRun: boolean;
  /** Free-form facts for the report: RPO, lag at promotion, forced-by, incident class... */
  data?: Record<string, unknown>;
}

export interface JournalRecord extends JournalEntry {
  seq: number;
  runId: string;
  actor?: string;
  runUrl?: string;
  prev: string;
  hash: string;
}

export const GENESIS = '0'.repeat(64);

/** Canonical JSON: keys sorted at every level, so a hash does not depend on key order. */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`)
    .join(',')}}`;
}

export function hashRecord(rec: Omit<JournalRecord, 'hash'>): string {
  return createHash('sha256').update(canonical(rec)).digest('hex');
}

export interface JournalOptions {
  /** File to append to; absent = memory only. */
  file?: string;
  runId?: string;
  actor?: string;
  runUrl?: string;
}

export class Journal {
  readonly records: JournalRecord[] = [];
  readonly runId: string;
  readonly file?: string;
  private prev = GENESIS;
  private seq = 0;
  private readonly listeners: ((r: JournalRecord) => void)[] = [];

  constructor(private readonly opts: JournalOptions = {}) {
    this.runId = opts.runId ?? randomUUID();
    this.file = opts.file ? path.resolve(opts.file) : undefined;
    if (this.file && fs.existsSync(this.file)) {
      const existing = readJournal(this.file);
      const check = verifyRecords(existing);
      if (!check.ok) {
        throw new UserError(
          `journal ${this.file} fails verification at record ${check.badSeq}: ${check.reason}; keep it as evidence and start a new journal file.`,
        );
      }
      this.records.push(...existing);
      const last = existing.at(-1);
      if (last) {
        this.prev = last.hash;
        this.seq = last.seq;
        // A writer that stopped between a whole record and its line break: end that line, so
        // the next record does not join it.
        if (!endsWithNewline(this.file)) this.write('\n');
      }
    } else if (this.file) {
      try {
        fs.mkdirSync(path.dirname(this.file), { recursive: true });
      } catch (err) {
        throw fileError(this.file, err, 'the journal', 'a file in a directory that can be created');
      }
    }
  }

  private write(text: string): void {
    try {
      fs.appendFileSync(this.file!, text);
    } catch (err) {
      throw fileError(
        this.file!,
        err,
        'the journal',
        'a file that can be appended to',
        `fix that, then run \`aegis-dr journal repair ${this.file}\` if its last line was cut, and run the phase again (it resumes from the journal)`,
      );
    }
  }

  /** Who this run's records name (the workflow's actor, the CLI user). */
  get actor(): string | undefined {
    return this.opts.actor;
  }

  onRecord(fn: (r: JournalRecord) => void): void {
    this.listeners.push(fn);
  }

  append(entry: JournalEntry): JournalRecord {
    // no secret reaches the evidence (an SDK error that echoes a request, a token in a detail)
    const body: Omit<JournalRecord, 'hash'> = {
      ...redactDeep(entry),
      seq: ++this.seq,
      runId: this.runId,
      actor: this.opts.actor,
      runUrl: this.opts.runUrl,
      prev: this.prev,
    };
    const rec: JournalRecord = { ...body, hash: hashRecord(body) };
    this.prev = rec.hash;
    this.records.push(rec);
    if (this.file) this.write(JSON.stringify(rec) + '\n');
    for (const l of this.listeners) l(rec);
    return rec;
  }

  /**
   * What this journal knows of one step's changes: its last intent that no `done` or `skipped`
   * record followed (the call may have landed without a record), and the last `done`/`skipped`.
   */
  stepHistory(key: { phase: string; step: string; stack?: string; target: string }): {
    pendingIntent?: JournalRecord;
    lastSettled?: JournalRecord;
  } {
    let pendingIntent: JournalRecord | undefined;
    let lastSettled: JournalRecord | undefined;
    for (const r of this.records) {
      if (r.phase !== key.phase || r.step !== key.step || r.stack !== key.stack || r.target !== key.target)
        continue;
      if (r.dryRun) continue;
      if (r.outcome === 'intent') pendingIntent = r;
      else if (r.outcome === 'done' || r.outcome === 'skipped') {
        pendingIntent = undefined;
        lastSettled = r;
      }
    }
    return { pendingIntent, lastSettled };
  }

  /** Records of this run only (a resumed journal also holds earlier runs). */
  thisRun(): JournalRecord[] {
    return this.records.filter((r) => r.runId === this.runId);
  }
}

function endsWithNewline(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return true;
    const last = Buffer.alloc(1);
    fs.readSync(fd, last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } finally {
    fs.closeSync(fd);
  }
}

/** The text of a journal file; a sentence naming it when it is a directory, missing or unreadable. */
export function readJournalText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UserError(
        `the journal ${clip(file, 200)} does not exist: check the path (phases append to aegis-dr-journal.jsonl in the directory they ran in, or to the file their journal input names).`,
      );
    }
    throw fileError(
      file,
      err,
      'the journal',
      'a journal file (JSON lines)',
      'give the path of the journal file itself (for a drill: journal.jsonl in its folder)',
    );
  }
}

/** A journal line that is not JSON: the file was cut or edited (the report shows it as a broken chain). */
export class JournalLineError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'JournalLineError';
  }
}

export function readJournal(file: string): JournalRecord[] {
  const lines = readJournalText(file).split('\n');
  const out: JournalRecord[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      out.push(JSON.parse(line) as JournalRecord);
    } catch {
      const last = lines.slice(i + 1).every((l) => !l.trim());
      throw new JournalLineError(
        last
          ? `journal ${file} line ${i + 1}, its last, is not complete JSON: a writer stopped in the middle of a record (a runner that died, a full disk); run \`aegis-dr journal repair ${file}\` to move the cut line aside with a record saying so, then run the phase again.`
          : `journal ${file} line ${i + 1} is not valid JSON and records follow it: the file was edited; keep it as evidence and start a new journal file.`,
      );
    }
  });
  return out;
}

export interface VerifyResult {
  ok: boolean;
  count: number;
  badSeq?: number;
  reason?: string;
  runs: string[];
  /** Repair records (`aegis-dr journal repair`): a torn tail moved aside, in journal order. */
  repairs?: JournalRecord[];
}

/** Phase and step of the record `aegis-dr journal repair` appends. */
export const REPAIR = { phase: 'journal', step: 'repair' } as const;

export function verifyRecords(records: JournalRecord[]): VerifyResult {
  let prev = GENESIS;
  const runs = new Set<string>();
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    runs.add(r.runId);
    if (r.seq !== i + 1)
      return {
        ok: false,
        count: records.length,
        badSeq: i + 1,
        reason: `sequence is ${r.seq}, expected ${i + 1} (a record was removed or reordered)`,
        runs: [...runs],
      };
    if (r.prev !== prev)
      return {
        ok: false,
        count: records.length,
        badSeq: r.seq,
        reason: 'its prev hash does not match the record before it',
        runs: [...runs],
      };
    const { hash, ...body } = r;
    if (hashRecord(body) !== hash)
      return {
        ok: false,
        count: records.length,
        badSeq: r.seq,
        reason: 'its content does not match its hash (the record was edited)',
        runs: [...runs],
      };
    prev = hash;
  }
  const repairs = records.filter((r) => r.phase === REPAIR.phase && r.step === REPAIR.step);
  return { ok: true, count: records.length, runs: [...runs], ...(repairs.length ? { repairs } : {}) };
}

export function verifyJournal(file: string): VerifyResult {
  return verifyRecords(readJournal(file));
}
