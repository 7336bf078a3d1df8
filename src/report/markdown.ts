/**
 * The report a person reads, as Markdown, built from the journal: who ran what, per stack the
 * incident with RTO twice (service restored, verified) and RPO (measured or an upper bound, with
 * why) against the class targets, the incident as a gantt chart, the overrides, the steps that
 * failed, were refused or could not reach their target, journal repairs, and a timeline sorted by
 * time. One time origin: T+ from the declaration. No absolute path of the machine appears in it.
 */
import path from 'node:path';
import type { JournalRecord, VerifyResult } from '../engine/journal.js';
import { outcomeWord } from '../engine/outcome.js';
import { formatMs } from '../engine/step.js';
import type { Plan } from '../plan/types.js';
import { escapeCell } from '../phases/render.js';
import { approvalSection } from './approvals.js';
import { escalationSection } from './escalations.js';
import { orphanSection } from './orphans.js';
import { restoreSection } from './restores.js';
import { seconds, stackFigures, str, type StackFigures } from './figures.js';
import { ganttMarkdown, incidentGantt, type GanttChart, type GanttOptions } from './gantt.js';

/** The report built from a journal: the Markdown and the figures it shows. */
export interface JournalReport {
  markdown: string;
  stacks: StackFigures[];
  /** Records of a step that went ahead over a refusal (data.forcedBy / data.forceReason). */
  overrides: JournalRecord[];
  /** Records with outcome refused, failed or unreachable. */
  problems: JournalRecord[];
  /** The incident chart, when an incident was declared. */
  chart?: GanttChart;
  /** Epoch ms of T+0: the declaration (the earliest of the stacks'), else the first record. */
  origin: number;
}

const PROBLEM_OUTCOMES = new Set(['refused', 'failed', 'unreachable']);

/** `T+12.3 s` (or `T-4.0 s` before the declaration) of an ISO time against `origin`. */
export function tPlus(iso: string | number, origin: number): string {
  const ms = (typeof iso === 'number' ? iso : Date.parse(iso)) - origin;
  return `T${ms < 0 ? '-' : '+'}${seconds(Math.abs(ms))}`;
}

/** A record's outcome as the CLI and summaries say it, with a verify check's status. */
function outcomeCell(r: JournalRecord): string {
  const status = str(r.data?.status);
  const word = outcomeWord({ outcome: r.outcome, skippedBecause: str(r.data?.skippedBecause) });
  return `${word}${status ? ` (${status})` : ''}${r.dryRun ? ' (dry-run)' : ''}`;
}

function target(
  ms: number | undefined,
  targetMs: number | undefined,
  met: boolean | undefined,
  speed = 1,
): string {
  if (ms === undefined) return `n/a / ${targetMs !== undefined ? formatMs(targetMs) : 'n/a'}`;
  const real = speed > 1 ? ` (≈ ${formatMs(ms * speed)} at cloud speed)` : '';
  return `T+${seconds(ms)}${real} / ${targetMs !== undefined ? formatMs(targetMs) : 'n/a'}${met === false ? ' **missed**' : ''}`;
}

function rpoCell(f: StackFigures): string {
  const t = f.rpoTargetMs !== undefined ? formatMs(f.rpoTargetMs) : 'n/a';
  if (f.rpo.seconds === undefined) return `n/a / ${t} (${escapeCell(f.rpo.reason)})`;
  const v = `${f.rpo.kind === 'upper bound' ? '≤ ' : ''}${f.rpo.seconds.toFixed(1)} s`;
  return `${v} / ${t}${f.rpoMet === false ? ' **missed**' : ''} (${f.rpo.kind}: ${escapeCell(f.rpo.reason)})`;
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
  opts: { journalFile?: string } & GanttOptions = {},
): JournalReport {
  const mine = records.filter((r) => r.stack === undefined || stacks.includes(r.stack));
  const figures = stacks.map((s) => stackFigures(records, plan, s));
  const overrides = mine.filter((r) => r.data?.forcedBy !== undefined || r.data?.forceReason !== undefined);
  const problems = mine.filter((r) => PROBLEM_OUTCOMES.has(r.outcome));
  const repairs = records.filter((r) => r.phase === 'journal' && r.step === 'repair');
  const chart = incidentGantt(records, figures, opts);
  const first = records.length ? Math.min(...records.map((r) => Date.parse(r.startedAt))) : 0;
  const origin = chart?.origin ?? first;
  const originText = chart
    ? `the declaration (${new Date(origin).toISOString()})`
    : `the first record (${records.length ? new Date(origin).toISOString() : 'n/a'}): no incident was declared`;
  const rel = (iso: string) => tPlus(iso, origin);

  const md: string[] = [`## DR report: ${plan.doc.service}`, ''];
  if (!verification.ok) {
    md.push(
      `> **The journal fails verification at record ${verification.badSeq ?? '?'}: ${verification.reason ?? 'unknown reason'}.**`,
      '> It was edited, truncated, or had records removed or reordered after it was written. Keep the file as',
      '> evidence; the figures below come from records that can no longer be trusted.',
      '',
    );
  }
  const last = records.length
    ? new Date(Math.max(...records.map((r) => Date.parse(r.endedAt)))).toISOString()
    : 'n/a';
  md.push(
    `- Plan: \`${escapeCell(path.basename(plan.file))}\` (service ${escapeCell(plan.doc.service)})`,
    `- Journal: \`${escapeCell(opts.journalFile ? path.basename(opts.journalFile) : 'in memory')}\`, ${records.length} record(s) in ${verification.runs.length} run(s)`,
    `- Hash chain: ${verification.ok ? 'verified (every record carries the hash of the one before it and matches its own)' : `**BROKEN at record ${verification.badSeq ?? '?'}** (${escapeCell(verification.reason)})`}${repairs.length ? `; ${repairs.length} repair(s) of a torn last line, listed below` : ''}`,
    `- Times: T+ from ${originText}; last record ${last}`,
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
        `| ${escapeCell(r.id.slice(0, 8))} | ${escapeCell(r.actor ?? 'unknown')} | ${r.runUrl ? escapeCell(r.runUrl) : 'none (outside GitHub)'} | ${escapeCell(r.phases.join(', '))} | ${rel(r.from)} | ${rel(r.to)} | ${r.n} |`,
      );
    }
    md.push('');
  }

  md.push(...approvalSection(records));

  md.push(
    '### Stacks',
    '',
    'RTO twice: **service restored** is the first healthy answer through the public name from the site failed over to; **verified** is the end of the last verify check. Both from the declaration, against the class target.',
    '',
    ...(opts.speed && opts.speed > 1
      ? [
          `Sandbox speed ${opts.speed}: cloud durations were divided by it; "at cloud speed" multiplies the measured time back. Waits that run in real time (the error-rate window, request latency) do not shrink with the speed, so that figure overstates them; met or missed compares the measured time with the target.`,
          '',
        ]
      : []),
    '| Stack | Incident class | Reason | Declared at | Service restored / RTO target | Verified / RTO target | RPO / target | Verified | Result |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const f of figures) {
    md.push(
      `| ${escapeCell(f.stack)} | ${escapeCell(f.incidentClass ?? '-')} | ${escapeCell(f.reason ?? '-')} | ${f.declaredAt ? `${f.declaredAt} (${rel(f.declaredAt)})` : '-'} | ${target(f.restoredMs, f.rtoTargetMs, f.restoredMet, opts.speed)} | ${target(f.rtoMs, f.rtoTargetMs, f.rtoMet, opts.speed)} | ${rpoCell(f)} | ${f.verified ? 'yes' : 'no'} | ${f.result.toUpperCase()}: ${escapeCell(f.detail)} |`,
    );
  }
  md.push('');

  if (chart) {
    md.push(
      '### Incident chart',
      '',
      "Each stack's phases on one axis (T+ seconds from the declaration); red: the critical path, the chain of steps that decided when the last stack was verified; grey: the failback; diamonds: service restored and verified; the vertical line: the RTO target.",
      '',
      ganttMarkdown(chart),
      '',
    );
  }

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
        `- ${rel(r.startedAt)} ${escapeCell(r.stack ?? '-')} ${escapeCell(`${r.phase}/${r.step}`)} \`${escapeCell(r.target)}\`: **${outcomeWord(r)}**: ${escapeCell(r.error ?? 'no error recorded')}`,
      );
    }
    md.push('');
  }

  if (repairs.length > 0) {
    md.push('### Journal repairs', '');
    for (const r of repairs) {
      md.push(
        `- ${rel(r.startedAt)} record ${r.seq}, by ${escapeCell(r.actor ?? 'unknown')}: ${escapeCell(r.action ?? '')} (sha256 ${escapeCell(String(r.data?.removedSha256 ?? '').slice(0, 12))}…): ${escapeCell(r.data?.reason ?? '')}`,
      );
    }
    md.push('');
  }

  md.push(
    '### Timeline',
    '',
    `Sorted by time; T+ from ${originText}.`,
    '',
    '| Time | Stack | Phase/step | Target | Outcome | Action | Duration |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  );
  const sorted = mine
    .map((r, i) => ({ r, i }))
    .sort((a, b) => Date.parse(a.r.startedAt) - Date.parse(b.r.startedAt) || a.i - b.i)
    .map((x) => x.r);
  for (const r of sorted) {
    md.push(
      `| ${rel(r.startedAt)} | ${escapeCell(r.stack ?? '-')} | ${escapeCell(`${r.phase}/${r.step}`)} | ${escapeCell(r.target)} | ${outcomeCell(r)} | ${escapeCell(r.action ?? '')} | ${r.durationMs ? formatMs(r.durationMs) : ''} |`,
    );
  }
  md.push('');
  md.push(...restoreSection(mine));
  md.push(...orphanSection(mine));
  md.push(...escalationSection(mine));
  return { markdown: md.join('\n'), stacks: figures, overrides, problems, chart, origin };
}
