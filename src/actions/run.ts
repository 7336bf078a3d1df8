/**
 * The GitHub Action runtime shared by every action entry: read inputs, run the phase through the
 * same runner as the CLI, set outputs, write the job summary, and fail through one funnel with
 * one clear sentence (never a stack trace for a user's mistake).
 */
import * as core from '@actions/core';
import { UserError } from '../engine/errors.js';
import { StepFailed } from '../engine/step.js';
import { PlanError } from '../plan/load.js';
import { getPhase } from '../phases/registry.js';
import { resultMarkdown } from '../phases/render.js';
import { runPhase } from '../phases/runner.js';

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

/** A boolean input: true/false/yes/no/1/0, empty = default; anything else is a clear error. */
export function getInputAsBool(name: string, fallback: boolean): boolean {
  const raw = core.getInput(name).trim().toLowerCase();
  if (raw === '') return fallback;
  if (['true', 'yes', '1', 'on'].includes(raw)) return true;
  if (['false', 'no', '0', 'off'].includes(raw)) return false;
  throw new UserError(`input "${name}" is "${raw}": expected true or false.`);
}

function runUrl(): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id } = process.env;
  return server && repo && id ? `${server}/${repo}/actions/runs/${id}` : undefined;
}

export async function runAction(fixedPhase?: string): Promise<void> {
  try {
    const phaseName = fixedPhase ?? core.getInput(INPUT.phase, { required: true }).trim();
    const phase = getPhase(phaseName);
    const planFile = core.getInput(INPUT.plan) || DEFAULT_PLAN;
    const dryRun = getInputAsBool(INPUT.dryRun, false);
    const force = getInputAsBool(INPUT.force, false);
    const actor = process.env.GITHUB_ACTOR;
    const inputs: Record<string, string | undefined> = {};
    for (const i of phase.inputs) inputs[i.name] = core.getInput(i.name) || i.default;
    const { result } = await runPhase({
      phase: phase.name,
      planFile,
      stack: core.getInput(INPUT.stack) || undefined,
      dryRun,
      journalFile: core.getInput(INPUT.journal) || DEFAULT_JOURNAL,
      inputs,
      actor,
      runUrl: runUrl(),
      force: force ? { by: actor ?? 'unknown', reason: core.getInput(INPUT.forceReason) || 'no reason given' } : undefined,
      progress: (e) => {
        if (e.type === 'step-end') {
          const r = e.record;
          core.info(`${r.stack ? `[${r.stack}] ` : ''}${r.phase}/${r.step} ${r.target}: ${r.outcome}${r.action ? ` (${r.action})` : ''}${r.error ? `: ${r.error}` : ''}`);
        } else if (e.type === 'retry') {
          core.info(`${e.stack ? `[${e.stack}] ` : ''}${e.phase}/${e.step}: retry ${e.attempt} in ${e.delayMs} ms after ${e.reason}`);
        } else if (e.type === 'info') {
          core.info(`${e.stack ? `[${e.stack}] ` : ''}${e.message}`);
        }
      },
    });
    for (const [k, v] of Object.entries(result.outputs)) core.setOutput(k, v);
    await core.summary.addRaw(resultMarkdown(phase.title, result)).write();
    for (const row of result.rows.filter((r) => r.status === 'fail')) {
      core.error(`${row.stack ? `${row.stack}: ` : ''}${row.item}: ${row.detail}`, { title: phase.title });
    }
    if (!result.ok) core.setFailed(`${phase.title} failed: ${result.rows.filter((r) => r.status === 'fail').length} check(s) did not pass (see the job summary).`);
  } catch (err) {
    await fail(err);
  }
}

async function fail(err: unknown): Promise<void> {
  if (err instanceof PlanError) {
    for (const p of err.problems) {
      core.error(`${p.path ? `${p.path}: ` : ''}${p.message}`, {
        title: 'DR plan problem',
        file: p.file,
        startLine: p.line,
        startColumn: p.column,
      });
    }
    const rows = err.problems.map((p) => `| ${p.line}:${p.column} | \`${p.path}\` | ${p.message.replace(/\|/g, '\\|')} |`);
    await core.summary
      .addRaw(['## DR plan is invalid', '', '| Line | Field | Problem |', '| --- | --- | --- |', ...rows, ''].join('\n'))
      .write()
      .catch(() => undefined);
    core.setFailed(`The DR plan ${err.problems[0]?.file ?? ''} has ${err.problems.length} problem(s); each is annotated on its line.`);
    return;
  }
  if (err instanceof UserError || err instanceof StepFailed) {
    core.setFailed(err.message);
    return;
  }
  const e = err as Error;
  core.debug(e?.stack ?? String(err));
  core.setFailed(e?.message ?? String(err));
}
