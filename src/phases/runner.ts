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
import { parseInputs } from './shared/inputs.js';
import { registerPlanSecrets } from './shared/secrets.js';
import type { Plan } from '../plan/types.js';
import { createEnvironment } from './environment.js';
import { declarationOrigin, isDeclaration, resolveIncidentClass, skipForClass } from './incident.js';
import { activeStop } from './escalate.js';
import { getPhase } from './registry.js';
import type { Environment, PhaseDef, PhaseResult, ResultRow } from './types.js';
import { clip } from '../engine/clip.js';
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

/** Phases that change the estate: a data integrity stop holds them until an override. */
export const MUTATING_PHASES = new Set([
  'declare',
  'drain',
  'database',
  'scale',
  'traffic',
  'sync',
  'failback',
]);

/**
 * A data integrity failure escalated by `escalate` stops the failover: a mutating phase refuses
 * to start, with the reason, until an operator forces it with a reason, which is journaled as the
 * override (and shows in the report). Checked here, so the action, the CLI and every workflow
 * refuse alike.
 */
export function refuseWhileStopped(
  phase: string,
  journal: Journal,
  force?: { by: string; reason: string },
): void {
  if (!MUTATING_PHASES.has(phase)) return;
  const stop = activeStop(journal.records);
  if (!stop) return;
  if (!force || !hasReason(force)) {
    throw new UserError(
      `The failover is stopped: ${String(stop.data?.why ?? 'a data integrity failure')} (escalated at ${stop.endedAt} to ${(stop.data?.engaged as string[] | undefined)?.join(', ') || 'nobody'}); phase ${phase} refuses to start until an operator who has checked the data overrides with a reason (--force "<why>" or the force and force-reason inputs).`,
    );
  }
  const t = new Date().toISOString();
  journal.append({
    phase: 'escalate',
    step: 'override',
    target: phase,
    outcome: 'observed',
    action: `override the data integrity stop to run ${phase}`,
    startedAt: t,
    endedAt: t,
    durationMs: 0,
    attempts: 1,
    dryRun: false,
    data: { forcedBy: force.by, forceReason: force.reason, overrodeRefusal: String(stop.data?.why ?? '') },
  });
}

/**
 * Whether a run is a dry run: the common `dry-run` input when given, else the phase's default
 * (false; true for sync). Sync's deprecated `mode` input stands for dry-run (dry-run = true,
 * execute = false); when it and a given dry-run disagree, the dry run wins (a rehearsal that passes
 * `dry-run: true` to every step never executes a sync written with `mode: execute`).
 */
export function resolveDryRun(
  phase: Pick<PhaseDef, 'name' | 'dryRunByDefault' | 'inputs'>,
  given: boolean | undefined,
  inputs: Record<string, string | undefined>,
): boolean {
  const mode = phase.inputs.some((i) => i.name === 'mode' && i.description.startsWith('Deprecated'))
    ? inputs['mode']
    : undefined;
  const fromMode = mode === 'execute' ? false : mode === 'dry-run' ? true : undefined;
  if (given === true || fromMode === true) return true;
  if (given === false || fromMode === false) return false;
  return phase.dryRunByDefault ?? false;
}

export async function runPhase(opts: RunPhaseOptions): Promise<RunPhaseOutcome> {
  const phase = getPhase(opts.phase);
  if (opts.force && !hasReason(opts.force)) {
    throw new UserError(
      'A forced override was asked for without a reason: a force must say why (it goes into the journal and the report); give one (--force "<why>" or the force-reason input).',
    );
  }
  // every input checked by its declared kind before the plan loads (booleans become "true"/"false")
  const parsed = parseInputs(phase.inputs, opts.inputs ?? {});
  const plan = opts.plan ?? (await loadPlan(opts.planFile));
  registerPlanSecrets(plan);
  const stacks = selectStacks(plan, opts.stack);
  const journal =
    opts.journal ??
    new Journal({
      file: phase.offline ? undefined : opts.journalFile,
      actor: opts.actor,
      runUrl: opts.runUrl,
    });
  refuseWhileStopped(phase.name, journal, opts.force);
  const run = createContext(journal, {
    dryRun: resolveDryRun(phase, opts.dryRun, parsed),
    progress: opts.progress,
    force: opts.force,
    ...opts.run,
  });
  announceOrigin(journal, run);
  // The class decides the phases: resolved (input, else the journal's declaration) before anything
  // is contacted, and a phase the class excludes only journals why.
  const cls = resolveIncidentClass(phase.name, plan, parsed, journal);
  const inputs = { ...parsed, ...(cls ? { 'incident-class': cls.name } : {}) };
  const skipped = skipForClass(phase.name, cls, stacks, journal, run.dryRun);
  if (skipped) return { plan, journal, result: withCommonOutputs(skipped, stacks, phase.outputs) };
  const env = opts.env ?? createEnvironment(plan);
  const result = await phase.run({
    plan,
    stacks,
    run,
    env,
    inputs,
    journalFile: opts.journalFile,
  });
  if (!phase.offline) journalUnrecordedFailures(run, phase.name, result.rows);
  return { plan, journal, result: withCommonOutputs(result, stacks, phase.outputs) };
}

/**
 * One time origin for the live lines (T+ from the declaration), as the drill has: the journal's
 * declaration when there is one, else the declaration this run writes (declare), when it writes it.
 */
function announceOrigin(journal: Journal, run: RunContext): void {
  const origin = declarationOrigin(journal.records);
  if (origin) {
    run.progress({ type: 'origin', ...origin });
    return;
  }
  let told = false;
  journal.onRecord((r) => {
    if (told || !isDeclaration(r)) return;
    told = true;
    const now = declarationOrigin(journal.records);
    if (now) run.progress({ type: 'origin', ...now });
  });
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
