/**
 * Runs one phase from a plan file: load and validate the plan (nothing is contacted before it is
 * valid), open the journal, build the environment, run the phase. Shared by the Action entries
 * and the CLI so both behave the same.
 */
import { UserError } from '../engine/errors.js';
import { Journal } from '../engine/journal.js';
import { createContext, hasReason, type ProgressEvent, type RunContext } from '../engine/step.js';
import { loadPlan } from '../plan/load.js';
import type { Plan } from '../plan/types.js';
import { createEnvironment } from './environment.js';
import { resolveIncidentClass, skipForClass } from './incident.js';
import { getPhase } from './registry.js';
import type { Environment, PhaseResult } from './types.js';
import { withCommonOutputs } from './results.js';

export interface RunPhaseOptions {
  phase: string;
  planFile: string;
  /** One stack, or all of the plan's. */
  stack?: string;
  dryRun?: boolean;
  journalFile?: string;
  inputs?: Record<string, string | undefined>;
  actor?: string;
  runUrl?: string;
  force?: { by: string; reason: string };
  progress?: (e: ProgressEvent) => void;
  /** Tests and the drill may pass a plan and environment they built. */
  plan?: Plan;
  env?: Environment;
  journal?: Journal;
  run?: Partial<RunContext>;
}

export interface RunPhaseOutcome {
  plan: Plan;
  journal: Journal;
  result: PhaseResult;
}

export function selectStacks(plan: Plan, stack?: string): string[] {
  if (!stack || stack === 'all') return plan.stackNames;
  const wanted = stack
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of wanted) {
    if (!plan.stackNames.includes(s)) {
      throw new UserError(
        `stack "${s}" is not in the plan ${plan.file}: expected one of ${plan.stackNames.join(', ')}.`,
      );
    }
  }
  return wanted;
}

export async function runPhase(opts: RunPhaseOptions): Promise<RunPhaseOutcome> {
  const phase = getPhase(opts.phase);
  if (opts.force && !hasReason(opts.force)) {
    throw new UserError(
      'A forced override was asked for without a reason: a force must say why (it goes into the journal and the report); give one (--force "<why>" or the force-reason input).',
    );
  }
  const plan = opts.plan ?? (await loadPlan(opts.planFile));
  const stacks = selectStacks(plan, opts.stack);
  const journal =
    opts.journal ??
    new Journal({
      file: phase.offline ? undefined : opts.journalFile,
      actor: opts.actor,
      runUrl: opts.runUrl,
    });
  const run = createContext(journal, {
    dryRun: opts.dryRun ?? false,
    progress: opts.progress,
    force: opts.force,
    ...opts.run,
  });
  // The class decides the phases: resolved (input, else the journal's declaration) before anything
  // is contacted, and a phase the class excludes only journals why.
  const cls = resolveIncidentClass(phase.name, plan, opts.inputs ?? {}, journal);
  const inputs = { ...(opts.inputs ?? {}), ...(cls ? { 'incident-class': cls.name } : {}) };
  const skipped = skipForClass(phase.name, cls, stacks, journal, run.dryRun);
  if (skipped) return { plan, journal, result: withCommonOutputs(skipped, stacks) };
  const env = opts.env ?? createEnvironment(plan);
  const result = await phase.run({
    plan,
    stacks,
    run,
    env,
    inputs,
    journalFile: opts.journalFile,
  });
  return { plan, journal, result: withCommonOutputs(result, stacks) };
}
