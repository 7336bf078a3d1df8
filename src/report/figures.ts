/**
 * The figures of one stack's incident, read from the journal (never typed by hand): when it was
 * declared, when service was restored and when it was verified (RTO, twice), the data lost
 * (RPO, measured or an upper bound with its reason), and the failback after it.
 *
 * - **Service restored**: the first healthy answer through the public name from the site failed
 *   over to: verify's `API health` check that passed (it asks the public URL, and passes only when
 *   the answer says healthy and names that site's region).
 * - **Verified**: the end of the last verify check, when every check passed or warned.
 * Both are measured from the declaration and compared with the class's RTO target.
 */
import type { JournalRecord } from '../engine/journal.js';
import { formatMs } from '../engine/step.js';
import type { IncidentClassName, Plan } from '../plan/types.js';

/** The verify check whose first pass is "service restored". */
export const RESTORED_CHECK = 'API health';

/** The data lost: measured, an upper bound (with why), or not recorded. */
export interface RpoFigure {
  seconds?: number;
  kind: 'measured' | 'upper bound' | 'not recorded' | 'none (no database failover)';
  reason: string;
}

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
  /** The first healthy answer through the public name from the target site (verify's API health). */
  restoredAt?: string;
  /** Declared to service restored. */
  restoredMs?: number;
  restoredMet?: boolean;
  /** End of the last verify check recorded after the incident. */
  verifiedAt?: string;
  /** Declared to verified, when verified. */
  rtoMs?: number;
  rtoTargetMs?: number;
  /** Replication lag at the database promotion (0 when the class fails no database over). */
  rpoSeconds?: number;
  rpo: RpoFigure;
  rpoTargetMs?: number;
  /** Verify checks recorded after the incident, in journal order. */
  checks: { item: string; status: string; detail?: string }[];
  /** At least one verify check after the incident, and every one passed or warned. */
  verified: boolean;
  /** Verified within the target (the stricter of the two RTOs). */
  rtoMet?: boolean;
  rpoMet?: boolean;
  /** A failback recorded after the incident (or anywhere, without one): when, and its verify on primary. */
  failback?: { at: string; verified: boolean; checks: number };
  result: 'pass' | 'fail' | 'warn' | 'info';
  detail: string;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** The newest declare/incident record of `stack`. */
export function incidentOf(records: JournalRecord[], stack: string): JournalRecord | undefined {
  return records.filter((r) => r.stack === stack && r.phase === 'declare' && r.step === 'incident').at(-1);
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

/**
 * The RPO of an incident from its database failover record. The lag at promotion is what the DR
 * replica had not yet applied; when the primary had vanished (unreachable at the promotion), the
 * writes it accepted after its last change reached the replica cannot be counted, so the figure
 * is an upper bound only as good as the lag's age (added when the record carries it).
 */
export function rpoOf(db: JournalRecord | undefined, failsDatabaseOver: boolean | undefined): RpoFigure {
  if (!db) {
    return failsDatabaseOver === false
      ? { seconds: 0, kind: 'none (no database failover)', reason: 'this class fails no database over' }
      : {
          kind: 'not recorded',
          reason: 'no database failover record with the replication lag in the journal',
        };
  }
  const d = db.data ?? {};
  const kind = str(d.rpoKind);
  const recorded = num(d.rpoSeconds);
  if (kind && recorded !== undefined) return recordedRpo(d, kind, recorded);
  const lag = num(d.lagSeconds) ?? num(d.rpoSeconds);
  const age = num(d.lagAgeSeconds);
  const before = (db.before ?? {}) as Record<string, unknown>;
  const vanished = before.primaryReachable === false || d.primaryReachable === false;
  if (lag === undefined) {
    return { kind: 'not recorded', reason: 'the replication lag could not be read at the promotion' };
  }
  if (vanished) {
    return {
      seconds: lag + (age ?? 0),
      kind: 'upper bound',
      reason: `the primary was unreachable at the promotion: ${lag.toFixed(1)} s of lag as the DR replica last saw it${age !== undefined ? `, ${age.toFixed(1)} s old` : ' (its age not recorded)'}; writes the primary took after that cannot be counted`,
    };
  }
  return {
    seconds: lag + (age ?? 0),
    kind: 'measured',
    reason: `replication lag at the promotion${age !== undefined ? `, read ${age.toFixed(1)} s before it` : ''}`,
  };
}

/**
 * The RPO as the database step recorded it (`rpoKind`, `rpoSource`, `lagSeconds`, `lagAgeSeconds`):
 * a measurement, or an upper bound (the last lag plus its age) once the primary had vanished.
 */
function recordedRpo(d: Record<string, unknown>, kind: string, seconds: number): RpoFigure {
  const source =
    str(d.rpoSource) === 'app-metric' ? 'the app metric' : (str(d.rpoSource) ?? 'unknown source');
  const lag = num(d.lagSeconds) ?? seconds;
  const age = num(d.lagAgeSeconds);
  if (kind === 'upper-bound') {
    return {
      seconds,
      kind: 'upper bound',
      reason: `last lag ${lag.toFixed(1)} s by ${source}${age !== undefined ? `, observed ${age.toFixed(1)} s before the promotion` : ' (its age not recorded)'}; the primary had vanished, so writes it took after that cannot be counted`,
    };
  }
  return {
    seconds,
    kind: 'measured',
    reason: `replication lag at the promotion by ${source}${age !== undefined ? `, observed ${age.toFixed(1)} s before it` : ''}`,
  };
}

/** The figures of one stack's newest incident in `records` (journal order). */
export function stackFigures(records: JournalRecord[], plan: Plan, stack: string): StackFigures {
  const incident = incidentOf(records, stack);
  if (!incident) {
    const own = records.filter((r) => r.stack === stack);
    const dry = own.filter((r) => r.dryRun).length;
    const failback = failbackOf(records, stack);
    return {
      stack,
      declared: false,
      dryRun: own.length > 0 && dry === own.length,
      checks: [],
      rpo: { kind: 'not recorded', reason: 'no incident declared' },
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
  // a re-run's declaration keeps the incident's first time (declare.ts openIncident)
  const declaredAt = str(incident.data?.declaredAt) ?? incident.startedAt;
  const t0 = Date.parse(declaredAt);
  const verifiedAt = verifyRecs.at(-1)?.endedAt;
  const rtoMs = verified && verifiedAt ? Date.parse(verifiedAt) - t0 : undefined;
  const restored = verifyRecs.find((r) => r.step === RESTORED_CHECK && r.data?.status === 'pass');
  const restoredAt = restored ? (str(restored.data?.answeredAt) ?? restored.endedAt) : undefined;
  const restoredMs = restoredAt ? Date.parse(restoredAt) - t0 : undefined;

  const db = after
    .filter((r) => r.phase === 'database' && r.step === 'failover' && r.outcome !== 'would-do')
    .at(-1);
  const rpo = rpoOf(db, phases ? phases.includes('database') : undefined);
  const rpoSeconds = rpo.seconds;
  const restoredMet =
    restoredMs !== undefined && rtoTargetMs !== undefined ? restoredMs <= rtoTargetMs : undefined;
  const rtoMet = rtoMs !== undefined && rtoTargetMs !== undefined ? rtoMs <= rtoTargetMs : undefined;
  const rpoMet =
    rpoSeconds !== undefined && rpoTargetMs !== undefined ? rpoSeconds * 1000 <= rpoTargetMs : undefined;

  const failedChecks = checks.filter((c) => c.status !== 'pass' && c.status !== 'warn');
  const badSteps = failoverPart.filter((r) => r.outcome === 'failed' || r.outcome === 'refused');
  const rpoText =
    rpoSeconds === undefined
      ? ''
      : `, RPO ${rpo.kind === 'upper bound' ? 'at most ' : ''}${rpoSeconds.toFixed(1)} s`;
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
  } else if (restoredMet === false || rtoMet === false || rpoMet === false) {
    result = 'fail';
    detail = [
      restoredMet === false
        ? `service restored after the RTO (${seconds(restoredMs!)} > ${formatMs(rtoTargetMs!)})`
        : '',
      restoredMet !== false && rtoMet === false
        ? `verified after the RTO (${seconds(rtoMs!)} > ${formatMs(rtoTargetMs!)})`
        : '',
      rpoMet === false
        ? `RPO missed (${rpo.kind === 'upper bound' ? 'up to ' : ''}${rpoSeconds!.toFixed(1)} s > ${formatMs(rpoTargetMs!)})`
        : '',
    ]
      .filter(Boolean)
      .join('; ');
  } else if (rpoSeconds === undefined) {
    result = 'warn';
    detail = `verified in ${seconds(rtoMs!)}; no RPO: ${rpo.reason}`;
  } else {
    result = 'pass';
    detail = `${restoredMs !== undefined ? `service restored in ${seconds(restoredMs)}, ` : ''}verified in ${seconds(rtoMs!)}${rpoText}, within the ${cls ?? 'class'} targets`;
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
    restoredAt,
    restoredMs,
    restoredMet,
    verifiedAt,
    rtoMs,
    rtoTargetMs,
    rpoSeconds,
    rpo,
    rpoTargetMs,
    checks,
    verified,
    rtoMet,
    rpoMet,
    result,
    detail,
  };
}
