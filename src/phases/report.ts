/**
 * The `report` phase: the runbook's evidence, built from the journal and never typed by hand.
 * It reads the journal file, verifies its hash chain, and writes a Markdown report: who ran what
 * and where, per stack the incident, RTO and RPO measured against the class targets and whether
 * verification passed, the overrides, the steps that failed, were refused or could not reach their
 * target, and a timeline. Offline: it contacts no cloud and appends nothing to the journal.
 */
import { redact } from '../engine/redact.js';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../engine/errors.js';
import type { JournalRecord } from '../engine/journal.js';
import { fileError } from '../engine/files.js';
import type { StackFigures } from '../report/figures.js';
import { journalReport } from '../report/markdown.js';
import { readForReport } from '../report/read.js';
import { row } from './shared/rows.js';
import { escapeCell } from './render.js';
import type { PhaseContext, PhaseDef, ResultRow } from './types.js';

export { stackFigures, type StackFigures } from '../report/figures.js';
export { journalReport, type JournalReport } from '../report/markdown.js';
export { readForReport } from '../report/read.js';

/** Where the report is written unless the `report` input says otherwise. */
export const DEFAULT_REPORT = 'aegis-dr-report.md';

function perStack(figures: StackFigures[], value: (f: StackFigures) => string | undefined): string {
  return figures
    .flatMap((f) => {
      const v = value(f);
      return v === undefined ? [] : [`${f.stack}=${v}`];
    })
    .join(',');
}

/**
 * The status view (src/status/status.ts) for the job summary, after a stopped or failed failover:
 * only when the journal declares an incident; with `status: cloud` it also reads the cloud.
 */
async function whereItStands(
  ctx: PhaseContext,
  journalFile: string,
  records: JournalRecord[],
): Promise<string | undefined> {
  const mode = ctx.inputs['status'] || 'journal';
  if (mode === 'off' || !records.some((r) => r.phase === 'declare' && r.step === 'incident'))
    return undefined;
  const { statusOf, statusMarkdown } = await import('../status/status.js');
  // the commands it prints name the plan as the user gave it, never the machine's absolute path
  const shown = (file: string) => {
    const rel = path.relative(process.cwd(), path.resolve(file));
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : path.basename(file);
  };
  const status = await statusOf({
    plan: ctx.plan,
    planFile: shown(ctx.plan.file),
    journalFile,
    records,
    stacks: ctx.stacks,
    env: mode === 'cloud' ? ctx.env : undefined,
  });
  status.journal = shown(journalFile);
  return statusMarkdown(status).split(journalFile).join(shown(journalFile));
}

export const reportPhase: PhaseDef = {
  name: 'report',
  title: 'DR report',
  description:
    'Builds the failover report from the journal (never typed by hand): verifies its hash chain, then writes per stack the incident, RTO and RPO measured against the class targets and the verification result, the overrides, the failed steps and a timeline; fails only when the journal fails verification.',
  inputs: [
    {
      name: 'report',
      kind: 'string',
      description: 'Path of the Markdown report to write (it is also the job summary).',
      default: DEFAULT_REPORT,
    },
    {
      name: 'status',
      kind: 'enum',
      choices: ['journal', 'cloud', 'off'],
      description:
        'Where each stack of the open incident stands, phase by phase, with the next safe step (as `aegis-dr status`): journal (from the journal alone, contacts no cloud), cloud (also a read-only look at the cloud, with read-only credentials) or off.',
      default: 'journal',
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
      description:
        'Declared to verified (the last verify check), per verified stack, "stack=seconds" comma-separated.',
    },
    {
      name: 'restored-seconds',
      description:
        'Declared to service restored (the first healthy answer through the public name from the DR site), per stack, "stack=seconds" comma-separated.',
    },
    {
      name: 'rpo-seconds',
      description:
        'Data lost per stack, "stack=seconds" comma-separated: the replication lag at the database promotion, an upper bound when the primary was unreachable (the report says which).',
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
      try {
        fs.mkdirSync(path.dirname(path.resolve(reportFile)), { recursive: true });
        fs.writeFileSync(reportFile, redact(markdown.endsWith('\n') ? markdown : `${markdown}\n`));
      } catch (err) {
        throw fileError(reportFile, err, 'the report input', 'a Markdown file to write', 'give a file path');
      }
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
          'restored-seconds': '',
          'rpo-seconds': '',
          verified: '',
        },
        markdown,
      };
    }

    const { records, verification } = readForReport(journalFile);
    const report = journalReport(records, verification, ctx.plan, ctx.stacks, { journalFile });
    const where = await whereItStands(ctx, journalFile, records);
    if (where) report.markdown = `${report.markdown.trimEnd()}\n\n${where}`;
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
        'restored-seconds': perStack(report.stacks, (f) =>
          f.restoredMs !== undefined ? (f.restoredMs / 1000).toFixed(1) : undefined,
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
