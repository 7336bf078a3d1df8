/**
 * Runs one phase from a plan file: load and validate the plan (nothing is contacted before it is
 * valid), open the journal, build the environment, run the phase. Shared by the Action entries
 * and the CLI so both behave the same.
 */
import { didYouMean, UserError } from '../engine/errors.js';
import { Journal } from '../engine/journal.js';
import {
  createContext,
  hasReason,
  recordFailure,
  type ProgressEvent,
  type RunContext,
} from '../engine/step.js';
import { loadPlan } from '../plan/load.js';
import type { Plan } from '../plan/types.js';
import { createEnvironment } from './environment.js';
import { getPhase } from './registry.js';
import type { Environment, PhaseResult, ResultRow } from './types.js';
import { clip } from '../engine/clip.js';

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
  return pickStacks(plan.stackNames, stack, `the plan ${plan.file}`);
}

/**
 * The stacks a `stack` option names (a comma list; empty or "all" = every one of `available`),
 * checked against `available` before anything is contacted; `where` names their source.
 */
export function pickStacks(available: readonly string[], stack: string | undefined, where: string): string[] {
  if (!stack || stack === 'all') return [...available];
  const wanted = stack
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of wanted) {
    if (!available.includes(s)) {
      const guess = didYouMean(s, available);
      throw new UserError(
        `stack "${clip(s)}" is not in ${where}: ${guess ? `did you mean "${guess}"? ` : ''}expected one of ${available.join(', ')}.`,
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
  const env = opts.env ?? createEnvironment(plan);
  const result = await phase.run({
    plan,
    stacks,
    run,
    env,
    inputs: opts.inputs ?? {},
    journalFile: opts.journalFile,
  });
  if (!phase.offline) journalUnrecordedFailures(run, phase.name, result.rows);
  return { plan, journal, result };
}

/**
 * A stack whose phase failed outside any step (reading the cloud before a step could start: no
 * credentials, a missing kube context) has a fail row but no journal record of it: record the
 * failure, so the evidence shows the attempt. A stack with a failed, refused or unreachable step,
 * or a failed check, in this run of the phase is already on record.
 */
function journalUnrecordedFailures(run: RunContext, phase: string, rows: ResultRow[]): void {
  const onRecord = new Set(
    run.journal
      .thisRun()
      .filter(
        (r) =>
          r.phase === phase &&
          (['failed', 'refused', 'unreachable'].includes(r.outcome) ||
            (r.data as { status?: string } | undefined)?.status === 'fail'),
      )
      .map((r) => r.stack),
  );
  for (const r of rows) {
    if (r.status !== 'fail' || !r.stack || onRecord.has(r.stack)) continue;
    recordFailure(run, { phase, step: r.item, stack: r.stack, target: r.stack }, r.detail);
    onRecord.add(r.stack);
  }
}
