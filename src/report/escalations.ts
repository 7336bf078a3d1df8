/**
 * The report's "Escalations and communications" section: each escalation the journal holds (rule,
 * when, who was engaged, why, the stop and its override) and each message delivered, from the
 * escalate and notify records. Appended at the end of the report (src/report/markdown.ts).
 */
import type { JournalRecord } from '../engine/journal.js';

const cell = (v: unknown) =>
  String(v ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');

export function escalationSection(records: JournalRecord[]): string[] {
  const esc = records.filter((r) => r.phase === 'escalate' && r.outcome === 'observed');
  const md: string[] = ['### Escalations', ''];
  if (esc.length === 0) md.push('None: no escalation rule fired.', '');
  else {
    md.push('| Time | Rule | Engaged | Why | Action |', '| --- | --- | --- | --- | --- |');
    for (const r of esc) {
      if (r.step === 'override')
        md.push(
          `| ${r.endedAt} | override of the stop | ${cell(r.data?.forcedBy)} | ${cell(r.data?.forceReason)} | ran ${cell(r.target)} |`,
        );
      else
        md.push(
          `| ${r.endedAt} | ${cell(r.step)}${r.data?.when ? ` (${cell(r.data.when)})` : ''} | ${cell(((r.data?.engaged as string[]) ?? []).join(', ') || 'nobody')} | ${cell(r.data?.why)} | ${cell(r.action)}${r.data?.stop ? ' (failover stopped)' : ''} |`,
        );
    }
    md.push('');
  }
  const all = records.filter((r) => (r.phase === 'notify' || r.phase === 'escalate') && r.data?.channel);
  // an intent is shown only when no outcome followed it (the runner stopped after the post may have gone out)
  const sent = all.filter(
    (r, i) =>
      r.outcome !== 'intent' ||
      !all
        .slice(i + 1)
        .some(
          (x) =>
            x.phase === r.phase &&
            x.step === r.step &&
            x.target === r.target &&
            x.data?.incident === r.data?.incident,
        ),
  );
  md.push('### Communications', '');
  if (sent.length === 0) md.push('None: no message was sent to a channel.', '');
  else {
    md.push('| Time | Message | Channel | Outcome |', '| --- | --- | --- | --- |');
    for (const r of sent)
      md.push(
        `| ${r.endedAt} | ${cell(r.step)} | ${cell(r.target)} (${cell(r.data?.channel)}) | ${r.outcome === 'intent' ? 'intent, no outcome recorded (the post may have gone out)' : r.data?.found ? 'done (found at the channel, not posted again)' : r.outcome}${r.error ? `: ${cell(r.error)}` : ''} |`,
      );
    md.push('');
  }
  return md;
}
