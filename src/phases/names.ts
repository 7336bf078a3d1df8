/**
 * The names of the phases, in runbook order, without the phase modules: an action checks its
 * `phase` input against this list before it loads anything heavy. The registry holds the phases
 * themselves and a test keeps the two in step.
 */
import { UserError } from '../engine/errors.js';
import { clip } from '../engine/clip.js';

export const PHASE_NAMES = [
  'validate',
  'readiness',
  'triggers',
  'declare',
  'drain',
  'database',
  'scale',
  'traffic',
  'verify',
  'sync',
  'failback',
  'reprotect',
  'notify',
  'escalate',
  'report',
] as const;

/** @throws UserError naming the known phases when `name` is not one of them. */
export function checkPhaseName(name: string): string {
  if (!(PHASE_NAMES as readonly string[]).includes(name)) {
    throw new UserError(`phase "${clip(name)}" does not exist: expected one of ${PHASE_NAMES.join(', ')}.`);
  }
  return name;
}
