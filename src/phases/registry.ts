/**
 * Every phase the product runs, in runbook order. Phase modules are imported eagerly: they hold
 * no SDK code (providers are loaded lazily by the environment), so this stays small.
 */
import { UserError } from '../engine/errors.js';
import {
  databasePhase,
  declarePhase,
  drainPhase,
  failbackPhase,
  scalePhase,
  syncPhase,
  trafficPhase,
  verifyPhase,
} from './failover.js';
import { readinessPhase } from './readiness.js';
import { triggersPhase } from './triggers.js';
import type { PhaseDef } from './types.js';
import { validatePhase } from './validate.js';

export const PHASES: PhaseDef[] = [
  validatePhase,
  readinessPhase,
  triggersPhase,
  declarePhase,
  drainPhase,
  databasePhase,
  scalePhase,
  trafficPhase,
  verifyPhase,
  syncPhase,
  failbackPhase,
];

export function phaseNames(): string[] {
  return PHASES.map((p) => p.name);
}

export function getPhase(name: string): PhaseDef {
  const p = PHASES.find((x) => x.name === name);
  if (!p) {
    throw new UserError(`phase "${name}" does not exist: expected one of ${phaseNames().join(', ')}.`);
  }
  return p;
}
