/**
 * An action's inputs, read and checked before anything heavy is loaded: a misconfigured workflow
 * (an unknown phase, a missing plan file, `dry-run: maybe`) fails within the start-up time of a
 * bare @actions/core action, and nothing is contacted. This module must stay light: it imports
 * @actions/core and small local modules only (`npm run bench` measures it).
 */
import * as core from '@actions/core';
import { UserError } from '../engine/errors.js';
import { assertPlanReadable } from '../plan/errors.js';
import { checkPhaseName } from '../phases/names.js';
import { parseBoolean } from '../phases/shared/inputs.js';

export const INPUT = {
  phase: 'phase',
  plan: 'plan',
  stack: 'stack',
  dryRun: 'dry-run',
  journal: 'journal',
  force: 'force',
  forceReason: 'force-reason',
} as const;

export const DEFAULT_PLAN = '.github/dr-plan.yml';
export const DEFAULT_JOURNAL = 'aegis-dr-journal.jsonl';

/** The inputs every action shares, checked. */
export interface ActionInputs {
  phase: string;
  planFile: string;
  stack?: string;
  /** Absent when not given: the phase's default decides (false; true for sync). */
  dryRun?: boolean;
  journalFile: string;
  force?: { by: string; reason: string };
  actor?: string;
  runUrl?: string;
}

/** A boolean input, read by the same rule as every phase input (shared/inputs.ts); empty = default. */
export function getInputAsBool(name: string, fallback: boolean): boolean {
  const raw = core.getInput(name);
  return raw.trim() === '' ? fallback : parseBoolean(name, raw);
}

function runUrl(): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id } = process.env;
  return server && repo && id ? `${server}/${repo}/actions/runs/${id}` : undefined;
}

/** `force: true` needs `force-reason`: an override nobody explained is refused before anything runs. */
function forceReason(reason: string): string {
  if (!reason.trim()) {
    throw new UserError(
      "Input 'force-reason' is empty while 'force' is true: a forced override must say why (it goes into the journal and the report); set force-reason, or remove force.",
    );
  }
  return reason.trim();
}

/**
 * Read and check the common inputs: the phase (fixed by a per-phase action, else the `phase`
 * input), the booleans, and that the plan file can be read. The plan's content is validated by
 * the phase run that follows. @throws UserError or PlanError with one clear sentence.
 */
export async function readActionInputs(fixedPhase?: string): Promise<ActionInputs> {
  const phase = checkPhaseName(fixedPhase ?? core.getInput(INPUT.phase, { required: true }).trim());
  const rawDryRun = core.getInput(INPUT.dryRun);
  const dryRun = rawDryRun.trim() === '' ? undefined : parseBoolean(INPUT.dryRun, rawDryRun);
  const force = getInputAsBool(INPUT.force, false);
  const planFile = core.getInput(INPUT.plan) || DEFAULT_PLAN;
  await assertPlanReadable(planFile);
  const actor = process.env.GITHUB_ACTOR;
  return {
    phase,
    planFile,
    stack: core.getInput(INPUT.stack) || undefined,
    dryRun,
    journalFile: core.getInput(INPUT.journal) || DEFAULT_JOURNAL,
    force: force ? { by: actor ?? 'unknown', reason: forceReason(core.getInput(INPUT.forceReason)) } : undefined,
    actor,
    runUrl: runUrl(),
  };
}
