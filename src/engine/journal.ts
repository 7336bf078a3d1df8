/**
 * The journal: one JSON line per step, each carrying the SHA-256 of the previous record, so an
 * edited, reordered or truncated-in-the-middle journal is detected by `verifyJournal`. Records are
 * appended (and flushed) as steps finish, so a crash leaves a valid journal to resume from.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

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
        throw new Error(
          `journal ${this.file} fails verification at record ${check.badSeq}: ${check.reason}; keep it as evidence and start a new journal file.`,
        );
      }
      this.records.push(...existing);
      const last = existing.at(-1);
      if (last) {
        this.prev = last.hash;
        this.seq = last.seq;
      }
    } else if (this.file) {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
    }
  }

  onRecord(fn: (r: JournalRecord) => void): void {
    this.listeners.push(fn);
  }

  append(entry: JournalEntry): JournalRecord {
    const body: Omit<JournalRecord, 'hash'> = {
      ...entry,
      seq: ++this.seq,
      runId: this.runId,
      actor: this.opts.actor,
      runUrl: this.opts.runUrl,
      prev: this.prev,
    };
    const rec: JournalRecord = { ...body, hash: hashRecord(body) };
    this.prev = rec.hash;
    this.records.push(rec);
    if (this.file) fs.appendFileSync(this.file, JSON.stringify(rec) + '\n');
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

export function readJournal(file: string): JournalRecord[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: JournalRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      out.push(JSON.parse(line) as JournalRecord);
    } catch {
      throw new Error(`journal ${file} line ${i + 1} is not valid JSON: the file was edited or truncated.`);
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
}

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
  return { ok: true, count: records.length, runs: [...runs] };
}

export function verifyJournal(file: string): VerifyResult {
  return verifyRecords(readJournal(file));
}
