/**
 * The report's "Point-in-time restores" section: each restore of a corrupted database to a point
 * in time (journal records of step `restore` that are done or found done), with the instance it
 * created, the time restored to and the data window lost (writes after the restore time, up to the
 * declaration, are not in the restored database). See docs/DATABASE.md, Point-in-time recovery.
 */
import type { JournalRecord } from '../engine/journal.js';

const cell = (v: unknown) =>
  String(v ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');

export function restoreSection(records: JournalRecord[]): string[] {
  const restores = records.filter(
    (r) =>
      r.step === 'restore' &&
      r.data?.mode === 'point-in-time' &&
      (r.outcome === 'done' || r.outcome === 'skipped'),
  );
  if (restores.length === 0) return [];
  const md = [
    '### Point-in-time restores',
    '',
    'Databases restored to a point in time (logical corruption): writes made after the restore time are not in the restored database. Bind the application to the new instance; the corrupted one is left alone.',
    '',
    '| Stack | Restored instance | Endpoint | From | Restore time | Data window lost | Window ends at |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of restores) {
    const d = r.data!;
    md.push(
      `| ${cell(r.stack)} | ${cell(d.writerInstance)} | ${cell(d.writerEndpoint)} | ${cell(d.restoredFrom)} | ${cell(d.restoreTime)} | ${cell(d.dataWindowLostSeconds)} s | ${cell(d.dataWindowEnd)} (${cell(d.dataWindowEndBasis)}) |`,
    );
  }
  md.push('');
  return md;
}
