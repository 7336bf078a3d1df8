/**
 * The plan's error type, light enough for an action's first moments: an action checks that its
 * plan file can be read before it loads the YAML parser, the validator or anything else.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { UserError } from '../engine/errors.js';
import type { PlanProblem } from './types.js';

/** The file name used for plans that do not come from a file. */
export const INLINE = '<inline>';

/** Format one problem as `file:line:column: path: message`. */
export function formatProblem(p: PlanProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

/** A plan file that cannot be used; `problems` holds every problem found, in file order. */
export class PlanError extends UserError {
  readonly problems: PlanProblem[];

  constructor(problems: PlanProblem[]) {
    const file = problems[0]?.file ?? INLINE;
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`The DR plan ${file} has ${count}:\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'PlanError';
    this.problems = problems;
  }
}

/** The error for a plan file that cannot be read (`err` from the fs call). */
export function unreadablePlan(file: string, err: unknown): PlanError {
  const code = (err as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT'
      ? 'the file does not exist'
      : code === 'EISDIR'
        ? 'it is a directory'
        : (err as Error).message;
  return new PlanError([
    {
      file,
      line: 1,
      column: 1,
      path: '',
      message: `Cannot read the plan file: ${reason}; expected a readable YAML file (see examples/cloud-aegis.plan.yml).`,
    },
  ]);
}

/** Check that a plan file exists and is readable. @throws PlanError when it is not. */
export async function assertPlanReadable(file: string): Promise<void> {
  try {
    await access(file, constants.R_OK);
  } catch (err) {
    throw unreadablePlan(file, err);
  }
}
