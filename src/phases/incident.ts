/**
 * The incident class decides the phases, for every surface at once (action, CLI, workflow): the
 * runner resolves it before a phase runs, from the phase's `incident-class` input or else from the
 * class `declare` wrote in the journal, and a phase that the class excludes does nothing but say so
 * in the journal. `declare` has no default: an incident is never silently a region outage.
 */
import { UserError } from '../engine/errors.js';
import type { Journal, JournalRecord } from '../engine/journal.js';
import type { IncidentClassName, Plan, ResolvedIncidentClass, SiteName } from '../plan/types.js';
import { INCIDENT_CLASSES } from './shared/inputs.js';
import type { PhaseResult } from './types.js';

const INCIDENT_CLASS_NAMES = INCIDENT_CLASSES;

/** Phases that need the incident class (declare requires it; the others default to the journal's). */
export const CLASS_PHASES = ['declare', 'drain', 'database', 'scale', 'traffic'];

/** Phases that take the class when there is one (verify: the site it serves from), and run without. */
export const CLASS_OPTIONAL_PHASES = ['verify', 'sync', 'failback'];

/** Phases whose work a class may exclude (the plan's `classes.<name>.phases`). */
export const CLASS_SELECTED_PHASES = ['drain', 'database', 'scale', 'traffic'];

/** Where a class leaves the service: in the DR region, or still in the primary one (in-region database failover). */
export function servingSite(cls: ResolvedIncidentClass): SiteName {
  const dbOnly = !cls.phases.includes('traffic') && cls.phases.includes('database');
  return dbOnly && ['in-region', 'point-in-time'].includes(cls.databaseMode) ? 'primary' : 'dr';
}

/** Whether a journal record is a declaration (declare's `incident` record of a stack). */
export function isDeclaration(r: JournalRecord): boolean {
  return r.phase === 'declare' && r.step === 'incident';
}

/**
 * The time origin of the live lines, the timeline and the report: the declaration of the latest
 * incident in the journal (the earliest stack's declaration of the run that declared it last).
 */
export function declarationOrigin(
  records: readonly JournalRecord[],
): { at: number; what: string } | undefined {
  const last = records.filter(isDeclaration).at(-1);
  if (!last) return undefined;
  const at = Math.min(
    ...records
      .filter((r) => isDeclaration(r) && r.runId === last.runId)
      .map((r) => Date.parse(String(r.data?.declaredAt ?? r.startedAt))),
  );
  return {
    at,
    what: `T+ counts from the declaration of the ${String(last.data?.incidentClass ?? 'incident')} at ${new Date(at).toISOString()}`,
  };
}

/** The class the latest `declare` recorded in the journal, if any. */
export function declaredClass(journal: Journal): IncidentClassName | undefined {
  const r = journal.records.filter((x) => x.phase === 'declare' && x.step === 'incident').at(-1);
  return r?.data?.incidentClass as IncidentClassName | undefined;
}

/**
 * The class a phase runs for. @throws UserError (one sentence) when declare has no class, the
 * input names no class, or a later phase finds neither an input nor a declaration.
 */
export function resolveIncidentClass(
  phase: string,
  plan: Plan,
  inputs: Record<string, string | undefined>,
  journal: Journal,
): ResolvedIncidentClass | undefined {
  if (!CLASS_PHASES.includes(phase) && !CLASS_OPTIONAL_PHASES.includes(phase)) return undefined;
  const given = inputs['incident-class']?.trim();
  if (given) {
    if (!INCIDENT_CLASS_NAMES.includes(given as IncidentClassName)) {
      throw new UserError(
        `input incident-class is "${given}": expected one of ${INCIDENT_CLASS_NAMES.join(', ')}; set it to the runbook's class of this incident.`,
      );
    }
    return plan.classes[given as IncidentClassName];
  }
  if (phase === 'declare') {
    throw new UserError(
      `input incident-class is empty: declare needs the incident's class (${INCIDENT_CLASS_NAMES.join(', ')}), which decides what fails over; set incident-class.`,
    );
  }
  const declared = declaredClass(journal);
  if (!declared && CLASS_OPTIONAL_PHASES.includes(phase)) return undefined;
  if (!declared) {
    throw new UserError(
      `input incident-class is empty and the journal${journal.file ? ` ${journal.file}` : ''} holds no declared incident: set incident-class, or run declare first with the same journal.`,
    );
  }
  return plan.classes[declared];
}

/**
 * When the class excludes the phase: a journal record per stack saying why nothing was done, and
 * the result the phase would report (passed, every stack skipped). Undefined when the phase runs.
 */
export function skipForClass(
  phase: string,
  cls: ResolvedIncidentClass | undefined,
  stacks: string[],
  journal: Journal,
  dryRun: boolean,
): PhaseResult | undefined {
  if (!cls || !CLASS_SELECTED_PHASES.includes(phase) || cls.phases.includes(phase as never)) return undefined;
  const why = `the incident class ${cls.name} excludes ${phase} (its phases: ${cls.phases.join(', ')})`;
  const t = new Date().toISOString();
  for (const stack of stacks) {
    journal.append({
      phase,
      step: 'incident-class',
      stack,
      target: stack,
      outcome: 'skipped',
      action: why,
      startedAt: t,
      endedAt: t,
      durationMs: 0,
      attempts: 1,
      dryRun,
      data: { incidentClass: cls.name, excluded: true },
    });
  }
  return {
    ok: true,
    rows: stacks.map((stack) => ({ stack, item: phase, status: 'skip' as const, detail: why })),
    outputs: { 'incident-class': cls.name, skipped: 'true' },
  };
}
