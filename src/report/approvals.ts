/**
 * The report's "Approvals" section: each environment review the actions read from the GitHub API
 * after the approval (src/actions/approvals.ts): who, what they decided, their comment, and whether
 * administrators could bypass the rule. The API gives no review time: "observed" is when the
 * approved job first read it, before any change.
 */
import type { JournalRecord } from '../engine/journal.js';
import { escapeCell } from '../phases/render.js';

export function approvalSection(records: JournalRecord[]): string[] {
  const reviews = records.filter((r) => r.step === 'approval' && r.outcome === 'observed');
  const md: string[] = ['### Approvals', ''];
  if (reviews.length === 0) {
    md.push(
      'None journaled: no environment review was read (outside GitHub, no job behind a required reviewer, or no `actions: read`).',
      '',
    );
    return md;
  }
  md.push(
    '| Observed | Environment | Reviewer | Decision | Comment | Admins could bypass | Run (attempt) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const r of reviews) {
    const d = r.data ?? {};
    const bypass = Object.entries((d.adminsCanBypass as Record<string, boolean | null>) ?? {})
      .map(([e, v]) => `${e}: ${v === null ? 'unknown' : v ? 'yes' : 'no'}`)
      .join(', ');
    md.push(
      `| ${r.endedAt} | ${escapeCell(((d.environments as string[]) ?? []).join(', '))} | **${escapeCell(String(d.reviewer ?? 'unknown'))}** | ${escapeCell(String(d.state ?? ''))} | ${escapeCell(String(d.comment ?? '')) || '-'} | ${escapeCell(bypass || 'unknown')} | ${escapeCell(String(d.githubRunId ?? ''))} (${escapeCell(String(d.runAttempt ?? ''))}) |`,
    );
  }
  md.push('');
  return md;
}
