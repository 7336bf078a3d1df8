/**
 * The incident as a Mermaid gantt chart (GitHub renders a fenced ```mermaid block in Markdown and
 * in job summaries): one section per stack, one bar per phase on one time axis in seconds from
 * the declaration (T+), the failback's bars greyed, the critical path (the chain of bars that
 * decided when the last stack was verified) in red, each stack's "service restored" and
 * "verified" as milestones, and the RTO target as a vertical line.
 *
 * The axis is labelled with d3's `%s` (seconds since the epoch) over times that start at the
 * epoch: it reads T+ seconds whatever the viewer's time zone (a clock format would shift by it).
 */
import type { JournalRecord, Outcome } from '../engine/journal.js';
import { OUTCOME_WORD } from '../engine/outcome.js';
import { formatMs } from '../engine/step.js';
import { incidentOf, seconds, str, type StackFigures } from './figures.js';

/** One bar: a phase of a stack, in the failover or in the failback after it. */
export interface GanttBar {
  stack: string;
  phase: string;
  part: 'failover' | 'failback';
  /** ms from the declaration. */
  start: number;
  end: number;
  /** The outcome in the vocabulary of src/engine/outcome.ts ("verified"/"failed" for verify). */
  outcome: string;
  critical: boolean;
  records: number;
}

export interface GanttChart {
  /** The chart source, without the ``` fence. */
  mermaid: string;
  bars: GanttBar[];
  /** ms from the declaration at which the RTO target line is drawn (scaled by the speed). */
  rtoMarkerMs?: number;
  /** Epoch ms of the declaration (T+0). */
  origin: number;
}

export interface GanttOptions {
  /** Sandbox speed: cloud durations were divided by it, so the RTO target line is too. */
  speed?: number;
}

/** Worst first: the outcome a bar shows when its steps differ. */
const SEVERITY: Outcome[] = ['failed', 'refused', 'unreachable', 'would-do', 'done', 'skipped', 'observed'];

/** Text Mermaid accepts in a task or section name (":" and ";" end it, "#" starts an entity). */
function label(s: string): string {
  return s.replace(/[:;#]/g, ' ').replace(/\s+/g, ' ').trim();
}

function barOutcome(phase: string, recs: JournalRecord[]): string {
  if (phase === 'verify') {
    const statuses = recs.map((r) => str(r.data?.status));
    const bad = statuses.filter((s) => s !== 'pass' && s !== 'warn').length;
    return bad === 0 ? 'verified' : `${bad} check(s) failed`;
  }
  const worst = SEVERITY.find((o) => recs.some((r) => r.outcome === o)) ?? 'observed';
  return OUTCOME_WORD[worst];
}

/** The bars of one stack's incident: records after its declaration, grouped by part and phase. */
function stackBars(records: JournalRecord[], f: StackFigures, origin: number): GanttBar[] {
  const incident = incidentOf(records, f.stack)!;
  const after = records
    .slice(records.indexOf(incident))
    .filter((r) => r.stack === f.stack && r.phase !== 'journal');
  // the failover ends with its last verify check of the target; what starts after is the failback
  const failoverVerify = after.filter(
    (r) =>
      r.phase === 'verify' &&
      r.target === `${f.stack}:${f.target ?? 'dr'}` &&
      (!f.failback || Date.parse(r.startedAt) < Date.parse(f.failback.at)),
  );
  const boundary = failoverVerify.length
    ? Date.parse(failoverVerify.at(-1)!.endedAt)
    : f.failback
      ? Date.parse(f.failback.at)
      : Infinity;
  const groups = new Map<string, JournalRecord[]>();
  for (const r of after) {
    const part = Date.parse(r.startedAt) > boundary ? 'failback' : 'failover';
    const key = `${part}\u0000${r.phase}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const bars: GanttBar[] = [];
  for (const [key, recs] of groups) {
    const [part, phase] = key.split('\u0000') as [GanttBar['part'], string];
    let start = Math.min(...recs.map((r) => Date.parse(r.startedAt)));
    const end = Math.max(...recs.map((r) => Date.parse(r.endedAt)));
    if (phase === 'verify') {
      // verify records each check as it ends: the phase began when the step before it ended
      const first = start;
      const before = after
        .filter((r) => r.phase !== 'verify' && Date.parse(r.endedAt) <= first)
        .map((r) => Date.parse(r.endedAt));
      if (before.length) start = Math.max(...before);
    }
    bars.push({
      stack: f.stack,
      phase,
      part,
      start: start - origin,
      end: end - origin,
      outcome: barOutcome(phase, recs),
      critical: false,
      records: recs.length,
    });
  }
  return bars.sort((a, b) => a.start - b.start || a.end - b.end);
}

/**
 * Mark the critical path: from the failover bar that ended last, walk back through the bar of the
 * same stack that ended last before it started (what it waited for), until none is left.
 */
function markCritical(bars: GanttBar[]): void {
  const failover = bars.filter((b) => b.part === 'failover');
  if (failover.length === 0) return;
  let cur = failover.reduce((a, b) => (b.end > a.end ? b : a));
  // a step starts a few ms after the one it waited for ended
  const slack = 50;
  for (;;) {
    cur.critical = true;
    const c = cur;
    const prev = failover
      .filter((b) => b.stack === c.stack && b !== c && !b.critical && b.end <= c.start + slack)
      .reduce<GanttBar | undefined>((a, b) => (!a || b.end > a.end ? b : a), undefined);
    if (!prev) return;
    cur = prev;
  }
}

/**
 * The gantt chart of the incidents in `records` for the stacks of `figures` (declared ones), or
 * undefined when no stack has a declared incident.
 */
export function incidentGantt(
  records: JournalRecord[],
  figures: StackFigures[],
  opts: GanttOptions = {},
): GanttChart | undefined {
  const declared = figures.filter((f) => f.declared && f.declaredAt);
  if (declared.length === 0) return undefined;
  const origin = Math.min(...declared.map((f) => Date.parse(f.declaredAt!)));
  const bars = declared.flatMap((f) => stackBars(records, f, origin));
  markCritical(bars);
  const span = Math.max(1, ...bars.map((b) => b.end));
  const targets = declared.map((f) => f.rtoTargetMs).filter((t): t is number => t !== undefined);
  const speed = opts.speed && opts.speed > 0 ? opts.speed : 1;
  const rtoTarget = targets.length ? Math.min(...targets) : undefined;
  const rtoMarkerMs = rtoTarget !== undefined ? rtoTarget / speed : undefined;
  // a bar of a few ms would not show: draw it at least 1 % of the chart wide (its label says how long)
  const minWidth = Math.max(1, Math.round(Math.max(span, rtoMarkerMs ?? 0) / 100));

  const lines = [
    'gantt',
    `    title ${label(`Incident timeline, T+ seconds from the declaration${speed !== 1 ? ` (sandbox speed ${speed}, cloud durations divided by it)` : ''}`)}`,
    '    dateFormat x',
    '    axisFormat %s',
    '    todayMarker off',
  ];
  let n = 0;
  const id = () => `t${n++}`;
  for (const f of declared) {
    lines.push(`    section ${label(f.stack)}`);
    for (const b of bars.filter((x) => x.stack === f.stack)) {
      const tags = [b.critical ? 'crit' : b.part === 'failback' ? 'done' : ''].filter(Boolean);
      const name = `${b.part === 'failback' && b.phase !== 'failback' ? 'failback ' : ''}${b.phase} ${b.outcome} ${formatMs(b.end - b.start)}`;
      const start = Math.max(0, Math.round(b.start));
      const end = Math.max(start + minWidth, Math.round(b.end));
      lines.push(`    ${label(name)} :${[...tags, id(), String(start), String(end)].join(', ')}`);
    }
    if (f.restoredMs !== undefined)
      lines.push(
        `    ${label(`${f.stack} service restored T+${seconds(f.restoredMs)}`)} :milestone, ${id()}, ${Math.round(f.restoredMs)}, 0ms`,
      );
    if (f.rtoMs !== undefined)
      lines.push(
        `    ${label(`${f.stack} verified T+${seconds(f.rtoMs)}`)} :milestone, ${id()}, ${Math.round(f.rtoMs)}, 0ms`,
      );
  }
  if (rtoTarget !== undefined && rtoMarkerMs !== undefined) {
    lines.push(
      `    ${label(`RTO target ${formatMs(rtoTarget)}${speed !== 1 ? ` (${formatMs(rtoMarkerMs)} at speed ${speed})` : ''}`)} :vert, rto, ${Math.round(rtoMarkerMs)}, 0ms`,
    );
  }
  return { mermaid: lines.join('\n'), bars, rtoMarkerMs, origin };
}

/** The chart as a fenced Markdown block, or '' when there is no incident to draw. */
export function ganttMarkdown(chart: GanttChart | undefined): string {
  return chart ? `\`\`\`mermaid\n${chart.mermaid}\n\`\`\`` : '';
}
