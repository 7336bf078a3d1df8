/**
 * Inputs and outputs several phases declare alike (incident class, target, failed items) and the
 * readers that check them, each refusal one sentence naming the input.
 */
import { UserError } from '../../engine/errors.js';
import type { IncidentClassName, ResolvedIncidentClass, SiteName } from '../../plan/types.js';
import type { InputDef, PhaseContext, ResultRow } from '../types.js';

export const INCIDENT_CLASSES: IncidentClassName[] = [
  'region-outage',
  'database-corruption',
  'network-partition',
  'compute-failure',
];

/**
 * The incident class: required by declare (no default: an incident is never silently a region
 * outage); every later phase defaults to the class declared in the journal (src/phases/incident.ts).
 */
export const CLASS_INPUT: InputDef = {
  name: 'incident-class',
  description:
    'region-outage, database-corruption, network-partition or compute-failure: selects the phases (an excluded phase journals why and changes nothing), the database mode and the RTO/RPO targets. Required by declare; later phases default to the class declared in the journal.',
  default: '',
};

export const TARGET_INPUT: InputDef = {
  name: 'target',
  description: 'The site to move to: dr (failover) or primary (failback).',
  default: 'dr',
};

export const FAILED_OUTPUT = {
  name: 'failed-items',
  description: 'Comma-separated stack/item names that failed.',
};

/** The `failed-items` output of a phase's rows. */
export function outputsOf(rows: ResultRow[]): Record<string, string> {
  return {
    'failed-items': rows
      .filter((r) => r.status === 'fail')
      .map((r) => `${r.stack}/${r.item}`)
      .join(','),
  };
}

/** The class of this run, as the runner resolved it (input, else the journal's declaration). */
export function incidentClass(ctx: PhaseContext): ResolvedIncidentClass {
  const name = (ctx.inputs['incident-class'] ?? '') as IncidentClassName;
  if (!name) {
    throw new UserError(
      'input incident-class is empty and no incident was declared: set incident-class, or run declare first with the same journal.',
    );
  }
  if (!INCIDENT_CLASSES.includes(name)) {
    throw new UserError(`input incident-class is "${name}": expected one of ${INCIDENT_CLASSES.join(', ')}.`);
  }
  return ctx.plan.classes[name];
}

/** The site a phase moves toward: "dr" for a failover (default), "primary" for a failback. */
export function targetSite(ctx: PhaseContext): SiteName {
  const t = ctx.inputs['target'] || 'dr';
  if (t !== 'dr' && t !== 'primary') throw new UserError(`input target is "${t}": expected dr or primary.`);
  return t;
}
