/**
 * What a drill shows a person: the timeline (one time origin, the declaration), the RTO of each
 * stack by the report's two definitions, and the summary table that ends the drill's output. The
 * benchmark figures (ratios, API calls) are text of their own, printed only by `--figures` and
 * `npm run bench`.
 *
 * RTO, as the report defines it, from the declaration of the failover:
 * - service restored: the first healthy answer through the public name from the serving site
 *   (verify's "API health" check passing);
 * - verified: the end of the last verify check.
 */
import type { JournalRecord } from '../engine/journal.js';
import { outcomeWord } from '../engine/outcome.js';
import { formatMs } from '../engine/step.js';
import type { DrillResult } from './drill.js';

/** "T+12.3s" / "T-1.0s": seconds from the declaration. */
export function tPlus(at: number, origin: number): string {
  const s = (at - origin) / 1000;
  return `T${s < 0 ? '-' : '+'}${Math.abs(s).toFixed(1)}s`;
}

/** The RTO of one stack by both definitions, from its journal records; undefined where not reached. */
export function rtoOf(
  records: JournalRecord[],
  stack: string,
  declaredAt: number,
): { restoredMs?: number; verifiedMs?: number } {
  const checks = records.filter(
    (r) => r.phase === 'verify' && r.stack === stack && r.outcome === 'observed' && !r.dryRun,
  );
  const restored = checks.find((r) => r.step === 'API health' && r.data?.status === 'pass');
  const allPassed =
    checks.length > 0 && checks.every((r) => r.data?.status === 'pass' || r.data?.status === 'warn');
  const last = Math.max(...checks.map((r) => Date.parse(r.endedAt)));
  return {
    restoredMs: restored ? Date.parse(restored.endedAt) - declaredAt : undefined,
    verifiedMs: allPassed ? last - declaredAt : undefined,
  };
}

/** The timeline of a run's step records, sorted by time, as T+ from the declaration. */
export function timeline(
  records: JournalRecord[],
  injectedAt: number,
  declaredAt: number | undefined,
): string {
  const origin = declaredAt ?? injectedAt;
  const lines = [
    declaredAt === undefined
      ? `T+0.0s  incident injected; no failover was declared`
      : `${tPlus(injectedAt, origin)}  incident injected\nT+0.0s  failover declared`,
  ];
  const shown = records
    .filter((r) => r.outcome !== 'observed' || (r.phase !== 'readiness' && r.phase !== 'verify'))
    .sort((a, b) => Date.parse(a.endedAt) - Date.parse(b.endedAt));
  for (const r of shown) {
    lines.push(
      `${tPlus(Date.parse(r.endedAt), origin).padEnd(8)} ${(r.stack ?? '-').padEnd(6)} ${`${r.phase}/${r.step}`.padEnd(26)} ${outcomeWord(r).padEnd(12)} ${r.target}${r.durationMs ? ` (${formatMs(r.durationMs)})` : ''}${r.error ? ` :: ${r.error}` : ''}`,
    );
  }
  return lines.join('\n');
}

/** A measured time: the wall time, and at a sandbox speed its real-world equivalent. */
function measured(ms: number | undefined, speed: number | undefined): string {
  if (ms === undefined) return 'n/a';
  if (!speed || speed === 1) return formatMs(ms);
  return `${formatMs(ms)} (x${speed} ~ ${formatMs(ms * speed)})`;
}

/** The verdict line: PASSED, FAILED, DRY RUN (nothing verified) or ESCALATED. */
export function verdictLine(r: DrillResult): string {
  const what = `Drill: ${r.incidentClass ?? 'no failover'}${r.scenario ? ` (scenario ${r.scenario})` : ''}`;
  switch (r.verdict) {
    case 'dry-run':
      return `${what}: DRY RUN (nothing verified, nothing changed)`;
    case 'escalated':
      return r.escalation?.rule === 'dr-unhealthy'
        ? `${what}: ESCALATED: readiness found the DR site unhealthy (no failover to it)`
        : `${what}: ESCALATED: the triggers refused to dispatch a failover (both regions unhealthy)`;
    default:
      return `${what}: ${r.ok ? 'PASSED' : 'FAILED'}`;
  }
}

/**
 * The end of a drill's output: the verdict, the table (stack, RTO, target, RPO, target, verified),
 * then where the full report is. A dry run lists what would have been done instead of figures.
 */
/**
 * The drill's summary for the terminal; `{ paths: false }` leaves out where the report and journal
 * are (for the report itself, which names no absolute path of the machine).
 */
export function summaryText(r: DrillResult, opts: { paths?: boolean } = {}): string {
  const lines = [verdictLine(r), ''];
  if (r.verdict === 'escalated') {
    for (const reason of r.escalation?.reasons ?? []) lines.push(`  ${reason}`);
    const fired = r.escalation?.fired ?? [];
    lines.push(
      fired.length
        ? `  escalation fired: ${fired.join(', ')} (each rule's channels engaged once)`
        : r.escalation?.rule === 'dr-unhealthy'
          ? '  escalation: contact the Platform team'
          : '  escalation: page the incident commander, engage the executive team, activate BCP',
      '  nothing was fenced, promoted or switched',
    );
  } else if (r.verdict === 'dry-run') {
    const would = r.rows.flatMap((s) => s.rows.filter((x) => x.status === 'would-do'));
    const changes = would.filter((w) => !w.detail.startsWith('would check'));
    lines.push(`  would do (${changes.length} changes; the read-only checks after them were not run):`);
    for (const w of changes) lines.push(`    ${(w.stack ?? '-').padEnd(6)} ${w.item}: ${w.detail}`);
    const checks = [...new Set(would.filter((w) => w.detail.startsWith('would check')).map((w) => w.item))];
    if (checks.length) lines.push(`  would then verify: ${checks.join(', ')}`);
  } else {
    const speed = r.sandbox?.speed;
    const head = [
      'stack',
      'RTO service restored',
      'RTO verified',
      'RTO target',
      'RPO',
      'RPO target',
      'verified',
    ];
    const body = r.stacks.map((s) => [
      s.stack,
      measured(s.rtoRestoredMs, speed),
      measured(s.rtoMs, speed),
      formatMs(s.rtoTargetMs),
      s.rpoSeconds === undefined ? 'n/a' : `${s.rpoSeconds.toFixed(1)} s`,
      formatMs(s.rpoTargetMs),
      `${s.verified ? 'yes' : 'NO'}${s.rtoMet ? '' : '  RTO MISSED'}${s.rpoMet ? '' : '  RPO MISSED'}`,
    ]);
    const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
    for (const cells of [head, ...body])
      lines.push(`  ${cells.map((c, i) => c.padEnd(w[i])).join('  ')}`.trimEnd());
    lines.push('');
    lines.push(
      '  RTO from the declaration: "service restored" = first healthy answer through the public name from the',
      '  serving site; "verified" = end of the last verify check (as the report defines them).',
    );
    if (speed && speed !== 1)
      lines.push(
        `  The sandbox ran at speed ${speed}: each time is the wall time, then x${speed} its real-world equivalent, an upper`,
        "  bound (request latency, the error-rate window and Route 53's 5 requests a second do not shrink with the speed);",
        '  the targets are judged on the wall time.',
      );
    if (r.sandbox?.splitBrain) lines.push('  SPLIT BRAIN: both sites accepted writes at once.');
  }
  if (opts.paths !== false) {
    lines.push('');
    lines.push(`Full report: ${r.reportFile}`);
    lines.push(`Journal:     ${r.journalFile}`);
  }
  return lines.join('\n');
}

/** The benchmark figures of a sandbox drill (`--figures`, `npm run bench`); never in the summary. */
export function figuresText(r: DrillResult, benchSpeed: number): string {
  const lines: string[] = [];
  if (r.sandbox) {
    lines.push(
      `sandbox: speed ${r.sandbox.speed}x, Prometheus ${r.sandbox.prometheus}, ${r.sandbox.mutations} data-changing calls, failovers per database ${JSON.stringify(r.sandbox.failovers)}`,
    );
  }
  const f = r.figures;
  if (!f) return lines.join('\n');
  const calls = Object.entries(f.requests.services)
    .map(([name, c]) => `${name} ${c.total}${c.mutations ? ` (${c.mutations} changing)` : ''}`)
    .join(', ');
  lines.push(
    `failover of ${f.stacks.length} stack(s): ${formatMs(f.failoverMs)}; critical path of the sandbox's durations ${formatMs(f.criticalPathMs)} (ratio ${f.criticalPathRatio.toFixed(2)}); runbook step after step ${formatMs(f.sequentialMs)} (ratio ${f.sequentialRatio.toFixed(2)}); durations: ${f.pick} of each range`,
  );
  lines.push(
    r.sandbox && r.sandbox.speed > benchSpeed
      ? `(targets: ratio <= 1.10 and <= 0.6, measured by npm run bench at speed ${benchSpeed}: at speed ${r.sandbox.speed} the real-time costs that do not shrink with the speed weigh more)`
      : `targets: critical-path ratio <= 1.10 (${f.criticalPathRatio <= 1.1 ? 'met' : 'MISSED'}), runbook ratio <= 0.6 (${f.sequentialRatio <= 0.6 ? 'met' : 'MISSED'})`,
  );
  lines.push(
    `API calls during the failover: ${calls}; Route 53 peak ${f.route53PeakPerSecond.sandbox} requests in a second (target <= 5)`,
  );
  const b = r.failbackFigures;
  if (b)
    lines.push(
      `failback of ${b.stacks.length} stack(s) (first failback step to the primary verified): ${formatMs(b.failoverMs)}; critical path of the sandbox's durations ${formatMs(b.criticalPathMs)} (ratio ${b.criticalPathRatio.toFixed(2)}); its runbook step after step ${formatMs(b.sequentialMs)} (ratio ${b.sequentialRatio.toFixed(2)})`,
    );
  return lines.join('\n');
}
