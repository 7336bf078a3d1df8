/**
 * The report's "Orphaned databases" section: each old writer a promotion left standalone (journal
 * records of step `orphan`), with its region and the time from which it may hold writes that
 * never replicated. The tool never deletes them: reconcile and retire them by hand
 * (docs/DATABASE.md).
 */
import type { JournalRecord } from '../engine/journal.js';

const cell = (v: unknown) =>
  String(v ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');

export function orphanSection(records: JournalRecord[]): string[] {
  const orphans = records.filter((r) => r.step === 'orphan' && r.outcome === 'observed');
  if (orphans.length === 0) return [];
  const md = [
    '### Orphaned databases',
    '',
    'Old writers a promotion left standalone: they still accept writes, which replicate nowhere. Never deleted by this tool: reconcile their writes since the time shown, then stop or delete them.',
    '',
    '| Stack | Instance | Region | May hold unreplicated writes since | Writer now | Phase |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of orphans)
    md.push(
      `| ${cell(r.stack)} | ${cell(r.data?.instance)} | ${cell(r.data?.region)} | ${cell(r.data?.since)} | ${cell(r.data?.writer)} | ${cell(r.phase)} |`,
    );
  md.push('');
  return md;
}
