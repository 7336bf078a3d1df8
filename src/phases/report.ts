/**
 * The `report` phase: the runbook's evidence, built from the journal and never typed by hand.
 * It reads the journal file, verifies its hash chain, and writes a Markdown report: who ran what
 * and where, per stack the incident, RTO and RPO measured against the class targets and whether
 * verification passed, the overrides, the steps that failed, were refused or could not reach their
 * target, and a timeline. Offline: it contacts no cloud and appends nothing to the journal.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../engine/errors.js';
import { readJournal, verifyRecords, type JournalRecord, type VerifyResult } from '../engine/journal.js';
import { formatMs } from '../engine/step.js';
import type { IncidentClassName, Plan } from '../plan/types.js';
import { row } from './shared/rows.js';
import { escalationSection } from './comms/report-section.js';
import { escapeCell } from './render.js';
import type { PhaseDef, ResultRow } from './types.js';

/** Where the report is written unless the `report` input says otherwise. */
export const DEFAULT_REPORT = 'aegis-dr-report.md';

/** What the journal says about one stack's newest incident. */
export interface StackFigures {
  stack: string;
  /** False when the journal holds no declare/incident record for the stack. */
  declared: boolean;
  incidentClass?: string;
  reason?: string;
  /** The site failed over to (the declare record's `target`, "dr"). */
  target?: string;
  /** The incident was declared in dry-run: nothing was changed. */
  dryRun: boolean;
  declaredAt?: string;
  /** End of the last verify check recorded after the incident. */
  verifiedAt?: string;
  /** Declared to verified, when verified. */
  rtoMs?: number;
  rtoTargetMs?: number;
  /** Replication lag at the database promotion (0 when the class fails no database over). */
  rpoSeconds?: number;
  rpoTargetMs?: number;
  /** Verify checks recorded after the incident, in journal order. */
  checks: { item: string; status: string; detail?: string }[];
  /** At least one verify check after the incident, and every one passed or warned. */
  verified: boolean;
  rtoMet?: boolean;
  rpoMet?: boolean;
  /** A failback recorded after the incident (or anywhere, without one): when, and its verify on primary. */
  failback?: { at: string; verified: boolean; checks: number };
  result: 'pass' | 'fail' | 'warn' | 'info';
  detail: string;
}

/** The failback of `stack` in `records`: its first record, and the verify checks of primary after it. */
function failbackOf(records: JournalRecord[], stack: string): StackFigures['failback'] {
  const start = records.findIndex((r) => r.stack === stack && r.phase === 'failback');
  if (start < 0) return undefined;
  const checks = records
    .slice(start)
    .filter(
      (r) =>
        r.stack === stack &&
        r.phase === 'verify' &&
        r.outcome === 'observed' &&
        r.target === `${stack}:primary`,
    )
    .map((r) => str(r.data?.status));
  return {
    at: records[start].startedAt,
    verified: checks.length > 0 && checks.every((c) => c === 'pass' || c === 'warn'),
    checks: checks.length,
  };
}

function failbackText(f: StackFigures['failback']): string {
  if (!f) return '';
  return `; failback started ${f.at}, ${f.checks === 0 ? 'not verified on primary' : f.verified ? 'verified on primary' : 'verification on primary FAILED'}`;
}

/** The report built from a journal: the Markdown and the figures it shows. */
export interface JournalReport {
  markdown: string;
  stacks: StackFigures[];
  /** Records of a step that went ahead over a refusal (data.forcedBy / data.forceReason). */
  overrides: JournalRecord[];
  /** Records with outcome refused, failed or unreachable. */
  problems: JournalRecord[];
}

const PROBLEM_OUTCOMES = new Set(['refused', 'failed', 'unreachable']);

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** The figures of one stack's newest incident in `records` (journal order). */
export function stackFigures(records: JournalRecord[], plan: Plan, stack: string): StackFigures {
  const incident = records
    .filter((r) => r.stack === stack && r.phase === 'declare' && r.step === 'incident')
    .at(-1);
  if (!incident) {
    const own = records.filter((r) => r.stack === stack);
    const dry = own.filter((r) => r.dryRun).length;
    const failback = failbackOf(records, stack);
    return {
      stack,
      declared: false,
      dryRun: own.length > 0 && dry === own.length,
      checks: [],
      verified: false,
      failback,
      result:
        own.length > 0 && dry === own.length
          ? 'info'
          : failback && failback.checks > 0 && !failback.verified
            ? 'fail'
            : 'warn',
      detail: `no failover was declared for this stack in this journal (no declare/incident record); ${own.length} record(s) of other phases${dry > 0 ? `, ${dry} in dry-run` : ''}${failbackText(failback)}`,
    };
  }
  const d = incident.data ?? {};
  const cls = str(d.incidentClass);
  const classDef = cls ? plan.classes[cls as IncidentClassName] : undefined;
  const target = str(d.target) ?? 'dr';
  const rtoTargetMs = num(d.rtoMs) ?? classDef?.rtoMs;
  const rpoTargetMs = num(d.rpoMs) ?? classDef?.rpoMs;
  const phases = Array.isArray(d.phases) ? (d.phases as string[]) : classDef?.phases;
  const rest = records.slice(records.indexOf(incident) + 1);
  const after = rest.filter((r) => r.stack === stack);
  const failback = failbackOf(rest, stack);

  // the verify checks of the failover: of its target, before any failback began
  const failoverPart = failback
    ? after.filter((r) => Date.parse(r.startedAt) < Date.parse(failback.at))
    : after;
  const verifyRecs = failoverPart.filter(
    (r) => r.phase === 'verify' && r.outcome === 'observed' && r.target === `${stack}:${target}`,
  );
  const checks = verifyRecs.map((r) => ({
    item: r.step,
    status: str(r.data?.status) ?? 'unknown',
    detail: str(r.data?.detail),
  }));
  const verified = checks.length > 0 && checks.every((c) => c.status === 'pass' || c.status === 'warn');
  const declaredAt = incident.startedAt;
  const verifiedAt = verifyRecs.at(-1)?.endedAt;
  const rtoMs = verified && verifiedAt ? Date.parse(verifiedAt) - Date.parse(declaredAt) : undefined;

  const db = after
    .filter((r) => r.phase === 'database' && r.step === 'failover' && num(r.data?.rpoSeconds) !== undefined)
    .at(-1);
  const rpoSeconds = db ? num(db.data?.rpoSeconds) : phases && !phases.includes('database') ? 0 : undefined;
  const rtoMet = rtoMs !== undefined && rtoTargetMs !== undefined ? rtoMs <= rtoTargetMs : undefined;
  const rpoMet =
    rpoSeconds !== undefined && rpoTargetMs !== undefined ? rpoSeconds * 1000 <= rpoTargetMs : undefined;

  const failedChecks = checks.filter((c) => c.status !== 'pass' && c.status !== 'warn');
  const badSteps = failoverPart.filter((r) => r.outcome === 'failed' || r.outcome === 'refused');
  let result: StackFigures['result'];
  let detail: string;
  if (incident.dryRun) {
    result = 'info';
    detail = 'declared in dry-run: nothing was changed, nothing to measure';
  } else if (failedChecks.length > 0) {
    result = 'fail';
    detail = `verification failed: ${failedChecks.map((c) => `${c.item} (${c.detail ?? c.status})`).join('; ')}`;
  } else if (!verified) {
    result = badSteps.length > 0 ? 'fail' : 'warn';
    detail = `not verified: no verify check of ${target} recorded after the incident${badSteps.length > 0 ? `; ${badSteps.length} step(s) failed or were refused` : ''}`;
  } else if (rtoMet === false || rpoMet === false) {
    result = 'fail';
    detail = [
      rtoMet === false ? `RTO missed (${seconds(rtoMs!)} > ${formatMs(rtoTargetMs!)})` : '',
      rpoMet === false ? `RPO missed (${rpoSeconds!.toFixed(1)} s > ${formatMs(rpoTargetMs!)})` : '',
    ]
      .filter(Boolean)
      .join('; ');
  } else if (rpoSeconds === undefined) {
    result = 'warn';
    detail = `verified in ${seconds(rtoMs!)}; no RPO recorded (no database failover record with the replication lag)`;
  } else {
    result = 'pass';
    detail = `verified in ${seconds(rtoMs!)}, RPO ${rpoSeconds.toFixed(1)} s, within the ${cls ?? 'class'} targets`;
  }
  if (failback && failback.checks > 0 && !failback.verified && result !== 'info') result = 'fail';
  detail += failbackText(failback);
  return {
    stack,
    declared: true,
    failback,
    incidentClass: cls,
    reason: str(d.reason),
    target,
    dryRun: incident.dryRun,
    declaredAt,
    verifiedAt,
    rtoMs,
    rtoTargetMs,
    rpoSeconds,
    rpoTargetMs,
    checks,
    verified,
    rtoMet,
    rpoMet,
    result,
    detail,
  };
}

/**
 * Build the report of `records` (a journal, in file order) for the given stacks. `verification`
 * is the hash-chain check of those records (verifyRecords); a broken chain is shown first, and
 * the figures that follow come from records that can no longer be trusted.
 */
export function journalReport(
  records: JournalRecord[],
  verification: VerifyResult,
  plan: Plan,
  stacks: string[],
  opts: { journalFile?: string } = {},
): JournalReport {
  const mine = records.filter((r) => r.stack === undefined || stacks.includes(r.stack));
  const figures = stacks.map((s) => stackFigures(records, plan, s));
  const overrides = mine.filter((r) => r.data?.forcedBy !== undefined || r.data?.forceReason !== undefined);
  const problems = mine.filter((r) => PROBLEM_OUTCOMES.has(r.outcome));
  const t0 = records.length ? Math.min(...records.map((r) => Date.parse(r.startedAt))) : 0;
  const rel = (iso: string) => `+${seconds(Date.parse(iso) - t0)}`;

  const md: string[] = [`## DR report: ${plan.doc.service}`, ''];
  if (!verification.ok) {
    md.push(
      `> **The journal fails verification at record ${verification.badSeq ?? '?'}: ${verification.reason ?? 'unknown reason'}.**`,
      '> It was edited, truncated, or had records removed or reordered after it was written. Keep the file as',
      '> evidence; the figures below come from records that can no longer be trusted.',
      '',
    );
  }
  const first = records.length ? new Date(t0).toISOString() : 'n/a';
  const last = records.length
    ? new Date(Math.max(...records.map((r) => Date.parse(r.endedAt)))).toISOString()
    : 'n/a';
  md.push(
    `- Plan: \`${escapeCell(path.basename(plan.file))}\` (service ${escapeCell(plan.doc.service)})`,
    `- Journal: \`${escapeCell(opts.journalFile ?? 'in memory')}\`, ${records.length} record(s) in ${verification.runs.length} run(s)`,
    `- Hash chain: ${verification.ok ? 'verified (every record carries the hash of the one before it and matches its own)' : `**BROKEN at record ${verification.badSeq ?? '?'}** (${escapeCell(verification.reason)})`}`,
    `- First record: ${first}; last: ${last}`,
    `- Stacks: ${stacks.join(', ')}`,
    '',
  );

  const runs = [...new Set(records.map((r) => r.runId))].map((id) => {
    const rs = records.filter((r) => r.runId === id);
    return {
      id,
      actor: rs[0].actor,
      runUrl: rs[0].runUrl,
      from: rs[0].startedAt,
      to: rs.at(-1)!.endedAt,
      n: rs.length,
      phases: [...new Set(rs.map((r) => r.phase))],
    };
  });
  if (runs.length > 0) {
    md.push(
      '### Runs',
      '',
      '| Run | Actor | Run URL | Phases | First | Last | Records |',
      '| --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const r of runs) {
      md.push(
        `| ${escapeCell(r.id.slice(0, 8))} | ${escapeCell(r.actor ?? 'unknown')} | ${r.runUrl ? escapeCell(r.runUrl) : 'none (outside GitHub)'} | ${escapeCell(r.phases.join(', '))} | ${r.from} | ${r.to} | ${r.n} |`,
      );
    }
    md.push('');
  }

  md.push(
    '### Stacks',
    '',
    '| Stack | Incident class | Reason | Declared at | Verified at | RTO measured / target | RPO measured / target | Verified | Result |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const f of figures) {
    const rto = `${f.rtoMs !== undefined ? seconds(f.rtoMs) : 'n/a'} / ${f.rtoTargetMs !== undefined ? formatMs(f.rtoTargetMs) : 'n/a'}${f.rtoMet === false ? ' **missed**' : ''}`;
    const rpo = `${f.rpoSeconds !== undefined ? `${f.rpoSeconds.toFixed(1)} s` : 'n/a'} / ${f.rpoTargetMs !== undefined ? formatMs(f.rpoTargetMs) : 'n/a'}${f.rpoMet === false ? ' **missed**' : ''}`;
    md.push(
      `| ${escapeCell(f.stack)} | ${escapeCell(f.incidentClass ?? '-')} | ${escapeCell(f.reason ?? '-')} | ${f.declaredAt ?? '-'} | ${f.verifiedAt ?? '-'} | ${rto} | ${rpo} | ${f.verified ? 'yes' : 'no'} | ${f.result.toUpperCase()}: ${escapeCell(f.detail)} |`,
    );
  }
  md.push('');

  md.push('### Overrides', '');
  if (overrides.length === 0) md.push('None: no safety refusal was overridden.', '');
  else {
    for (const r of overrides) {
      md.push(
        `- ${rel(r.startedAt)} ${escapeCell(r.stack ?? '-')} ${escapeCell(`${r.phase}/${r.step}`)} \`${escapeCell(r.target)}\`: forced by **${escapeCell(r.data?.forcedBy ?? 'unknown')}**, reason "${escapeCell(r.data?.forceReason ?? 'not given')}"${r.data?.overrodeRefusal ? `, over the refusal "${escapeCell(r.data.overrodeRefusal)}"` : ''}`,
      );
    }
    md.push('');
  }

  md.push('### Refused, failed and unreachable steps', '');
  if (problems.length === 0) md.push('None.', '');
  else {
    for (const r of problems) {
      md.push(
        `- ${rel(r.startedAt)} ${escapeCell(r.stack ?? '-')} ${escapeCell(`${r.phase}/${r.step}`)} \`${escapeCell(r.target)}\`: **${r.outcome}**: ${escapeCell(r.error ?? 'no error recorded')}`,
      );
    }
    md.push('');
  }

  md.push(
    '### Timeline',
    '',
    `Times are relative to the first record (${first}).`,
    '',
    '| Time | Stack | Phase/step | Target | Outcome | Action | Duration |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const r of mine) {
    const status = str(r.data?.status);
    md.push(
      `| ${rel(r.startedAt)} | ${escapeCell(r.stack ?? '-')} | ${escapeCell(`${r.phase}/${r.step}`)} | ${escapeCell(r.target)} | ${r.outcome}${status ? ` (${status})` : ''}${r.dryRun ? ' (dry-run)' : ''} | ${escapeCell(r.action ?? '')} | ${r.durationMs ? formatMs(r.durationMs) : ''} |`,
    );
  }
  md.push('');
  md.push(...escalationSection(mine));
  return { markdown: md.join('\n'), stacks: figures, overrides, problems };
}

/**
 * Read a journal file for the report: its records and their hash-chain check. A line that is not
 * JSON (an edit, a truncation) is a broken chain at that record, not an exception; the records
 * before it are kept for the report.
 */
export function readForReport(file: string): { records: JournalRecord[]; verification: VerifyResult } {
  try {
    const records = readJournal(file);
    return { records, verification: verifyRecords(records) };
  } catch (err) {
    const records: JournalRecord[] = [];
    let bad = 0;
    for (const line of fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim())) {
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

function perStack(figures: StackFigures[], value: (f: StackFigures) => string | undefined): string {
  return figures
    .flatMap((f) => {
      const v = value(f);
      return v === undefined ? [] : [`${f.stack}=${v}`];
    })
    .join(',');
}

export const reportPhase: PhaseDef = {
  name: 'report',
  title: 'DR report',
  description:
    'Builds the failover report from the journal (never typed by hand): verifies its hash chain, then writes per stack the incident, RTO and RPO measured against the class targets and the verification result, the overrides, the failed steps and a timeline; fails only when the journal fails verification.',
  inputs: [
    {
      name: 'report',
      description: 'Path of the Markdown report to write (it is also the job summary).',
      default: DEFAULT_REPORT,
    },
  ],
  outputs: [
    { name: 'report', description: 'Path of the Markdown report written.' },
    {
      name: 'journal-valid',
      description:
        '"true" when the journal was read and its hash chain verified; "false" when it fails verification or does not exist.',
    },
    { name: 'records', description: 'Number of journal records read.' },
    {
      name: 'rto-seconds',
      description: 'Declared to verified, per verified stack, "stack=seconds" comma-separated.',
    },
    {
      name: 'rpo-seconds',
      description: 'Replication lag at the database promotion per stack, "stack=seconds" comma-separated.',
    },
    {
      name: 'verified',
      description: 'Comma-separated stacks whose every verify check after the incident passed.',
    },
  ],
  offline: true,
  async run(ctx) {
    const journalFile = ctx.journalFile;
    if (!journalFile) {
      throw new UserError(
        'the report phase needs the journal input (--journal FILE): the journal file to build the report from.',
      );
    }
    const reportFile = ctx.inputs['report'] || DEFAULT_REPORT;
    const write = (markdown: string) => {
      fs.mkdirSync(path.dirname(path.resolve(reportFile)), { recursive: true });
      fs.writeFileSync(reportFile, markdown.endsWith('\n') ? markdown : `${markdown}\n`);
    };

    if (!fs.existsSync(journalFile)) {
      const markdown = [
        `## DR report: ${ctx.plan.doc.service}`,
        '',
        `No journal: nothing was recorded. The journal file \`${escapeCell(journalFile)}\` does not exist, so no phase wrote a record (a run that stopped before its first step, or a journal that was not handed from job to job).`,
        '',
      ].join('\n');
      write(markdown);
      return {
        ok: true,
        rows: [row('', 'Journal', 'warn', `no journal at ${journalFile}: nothing was recorded`)],
        outputs: {
          report: reportFile,
          'journal-valid': 'false',
          records: '0',
          'rto-seconds': '',
          'rpo-seconds': '',
          verified: '',
        },
        markdown,
      };
    }

    const { records, verification } = readForReport(journalFile);
    const report = journalReport(records, verification, ctx.plan, ctx.stacks, { journalFile });
    write(report.markdown);
    const chain: ResultRow = verification.ok
      ? row(
          '',
          'Journal chain',
          'pass',
          `${records.length} record(s) in ${verification.runs.length} run(s); every hash matches`,
        )
      : row(
          '',
          'Journal chain',
          'fail',
          `journal ${journalFile} fails verification at record ${verification.badSeq ?? '?'}: ${verification.reason ?? 'unknown reason'}; keep it as evidence and start a new journal file.`,
        );
    const rows: ResultRow[] = [
      chain,
      ...report.stacks.map((f) =>
        row(f.stack, f.incidentClass ? `Failover (${f.incidentClass})` : 'Failover', f.result, f.detail),
      ),
    ];
    return {
      ok: verification.ok,
      rows,
      outputs: {
        report: reportFile,
        'journal-valid': String(verification.ok),
        records: String(records.length),
        'rto-seconds': perStack(report.stacks, (f) =>
          f.rtoMs !== undefined ? (f.rtoMs / 1000).toFixed(1) : undefined,
        ),
        'rpo-seconds': perStack(report.stacks, (f) =>
          f.rpoSeconds !== undefined ? f.rpoSeconds.toFixed(1) : undefined,
        ),
        verified: report.stacks
          .filter((f) => f.verified)
          .map((f) => f.stack)
          .join(','),
      },
      markdown: report.markdown,
    };
  },
};
