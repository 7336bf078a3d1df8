/**
 * Every phase the product runs, in runbook order. Phase modules are imported eagerly: they hold
 * no SDK code (providers are loaded lazily by the environment), so this stays small.
 */
import { databasePhase } from './database.js';
import { declarePhase } from './declare.js';
import { drainPhase } from './drain.js';
import { failbackPhase } from './failback.js';
import { escalatePhase } from './escalate.js';
import { notifyPhase } from './notify.js';
import { readinessPhase } from './readiness.js';
import { scalePhase } from './scale.js';
import { syncPhase } from './sync.js';
import { reportPhase } from './report.js';
import { reprotectPhase } from './reprotect.js';
import { trafficPhase } from './traffic.js';
import { triggersPhase } from './triggers.js';
import { checkPhaseName, PHASE_NAMES } from './names.js';
import type { PhaseDef } from './types.js';
import { validatePhase } from './validate.js';
import { verifyPhase } from './verify.js';

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
  reprotectPhase,
  notifyPhase,
  escalatePhase,
  reportPhase,
];

export function phaseNames(): string[] {
  return [...PHASE_NAMES];
}

/** The phase called `name`. @throws UserError naming the known phases when there is none. */
export function getPhase(name: string): PhaseDef {
  checkPhaseName(name);
  const p = PHASES.find((x) => x.name === name);
  if (!p) throw new Error(`phase "${name}" is in PHASE_NAMES but not in PHASES (src/phases/registry.ts).`);
  return p;
}
