/**
 * Inputs and outputs several phases declare alike (incident class, target, failed items) and the
 * readers that check them, each refusal one sentence naming the input.
 */
import { UserError } from '../../engine/errors.js';
import type { IncidentClassName, ResolvedIncidentClass, SiteName } from '../../plan/types.js';
import type { InputDef, PhaseContext, ResultRow } from '../types.js';
import { clip } from '../../engine/clip.js';

export const INCIDENT_CLASSES: IncidentClassName[] = [
  'region-outage',
  'database-corruption',
  'network-partition',
  'compute-failure',
];

export const CLASS_INPUT: InputDef = {
  name: 'incident-class',
  description:
    'region-outage, database-corruption, network-partition or compute-failure (selects phases, database mode, RTO/RPO).',
  default: 'region-outage',
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

export function incidentClass(ctx: PhaseContext): ResolvedIncidentClass {
  const name = (ctx.inputs['incident-class'] || 'region-outage') as IncidentClassName;
  if (!INCIDENT_CLASSES.includes(name)) {
    throw new UserError(
      `input incident-class is "${clip(name)}": expected one of ${INCIDENT_CLASSES.join(', ')}.`,
    );
  }
  return ctx.plan.classes[name];
}

/** The site a phase moves toward: "dr" for a failover (default), "primary" for a failback. */
export function targetSite(ctx: PhaseContext): SiteName {
  const t = ctx.inputs['target'] || 'dr';
  if (t !== 'dr' && t !== 'primary')
    throw new UserError(`input target is "${clip(t)}": expected dr or primary.`);
  return t;
}
