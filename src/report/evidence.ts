/**
 * The evidence a person reads, written where they look: the drill's folder gets the report as
 * Markdown and the incident chart as its own Mermaid file; each action's job summary gets the
 * incident so far (RTO twice, RPO, the chart) under the phase's own table.
 */
import { redact } from '../engine/redact.js';
import fs from 'node:fs';
import path from 'node:path';
import { fileError } from '../engine/files.js';
import type { Journal, JournalRecord } from '../engine/journal.js';
import { formatMs } from '../engine/step.js';
import type { Plan } from '../plan/types.js';
import { escapeCell } from '../phases/render.js';
import { readForReport } from './read.js';
import { seconds, stackFigures } from './figures.js';
import { ganttMarkdown, incidentGantt, type GanttOptions } from './gantt.js';
import { journalReport } from './markdown.js';

/** Where the drill's evidence was written. */
export interface DrillEvidence {
  /** The report as Markdown (the chart inside it). */
  report: string;
  /** The incident chart alone, as Mermaid source (render it with any Mermaid tool). */
  chart?: string;
}

export const REPORT_FILE = 'report.md';
export const CHART_FILE = 'incident.mmd';

function write(file: string, text: string): void {
  try {
    fs.writeFileSync(file, redact(text.endsWith('\n') ? text : `${text}\n`));
  } catch (err) {
    throw fileError(
      file,
      err,
      'the drill report',
      'a file in the drill folder',
      'choose another --out folder',
    );
  }
}

/**
 * Write the report of `journal` (read back from its file, so the hash chain is checked as an
 * auditor would) and its incident chart into `dir`; returns the paths written. `speed` is the
 * sandbox speed: the RTO target line is drawn at the target divided by it.
 */
export function writeDrillEvidence(
  dir: string,
  journal: Journal,
  plan: Plan,
  opts: { stacks?: string[]; title?: string; preface?: string } & GanttOptions = {},
): DrillEvidence {
  const stacks = opts.stacks ?? plan.stackNames;
  const { records, verification } = journal.file
    ? readForReport(journal.file)
    : {
        records: journal.records,
        verification: { ok: true, count: journal.records.length, runs: [journal.runId] },
      };
  const report = journalReport(records, verification, plan, stacks, {
    journalFile: journal.file,
    speed: opts.speed,
  });
  fs.mkdirSync(dir, { recursive: true });
  const reportFile = path.join(dir, REPORT_FILE);
  write(
    reportFile,
    `# ${opts.title ?? 'DR drill report'}\n\n${opts.preface ? `${opts.preface}\n\n` : ''}${report.markdown}`,
  );
  let chart: string | undefined;
  if (report.chart) {
    chart = path.join(dir, CHART_FILE);
    write(chart, report.chart.mermaid);
  }
  return { report: reportFile, chart };
}

/**
 * The incident so far, for a job summary: per declared stack the two RTOs and the RPO against
 * the targets, and the chart; '' when the journal holds no declared incident for these stacks.
 */
export function incidentSummary(records: JournalRecord[], plan: Plan, stacks: string[]): string {
  const figures = stacks.map((s) => stackFigures(records, plan, s)).filter((f) => f.declared);
  const chart = incidentGantt(records, figures);
  if (!chart) return '';
  const t = (ms: number | undefined) => (ms === undefined ? 'not yet' : `T+${seconds(ms)}`);
  const lines = [
    '### Incident so far',
    '',
    '| Stack | Class | Service restored | Verified | RTO target | RPO / target |',
    '| --- | --- | --- | --- | --- | --- |',
    ...figures.map(
      (f) =>
        `| ${escapeCell(f.stack)} | ${escapeCell(f.incidentClass ?? '-')} | ${t(f.restoredMs)} | ${t(f.rtoMs)} | ${f.rtoTargetMs !== undefined ? formatMs(f.rtoTargetMs) : 'n/a'} | ${f.rpo.seconds !== undefined ? `${f.rpo.kind === 'upper bound' ? '≤ ' : ''}${f.rpo.seconds.toFixed(1)} s` : 'n/a'} / ${f.rpoTargetMs !== undefined ? formatMs(f.rpoTargetMs) : 'n/a'} |`,
    ),
    '',
    ganttMarkdown(chart),
    '',
  ];
  return lines.join('\n');
}
