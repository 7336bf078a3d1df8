/**
 * The GitHub Action runtime shared by every action entry: check the inputs (light, see
 * inputs.ts), then load and run the phase (execute.ts), and fail through one funnel with one clear
 * sentence (never a stack trace for a user's mistake). Only what this file imports statically is
 * loaded before the inputs are checked.
 */
import * as core from '@actions/core';
import { UserError } from '../engine/errors.js';
import { onSecret, redact, registerEnvSecrets } from '../engine/redact.js';
import { StepFailed } from '../engine/step.js';
import { PlanError } from '../plan/errors.js';
import { readActionInputs } from './inputs.js';

/** Run an action: the phase is fixed by a per-phase entry, or read from the `phase` input. */
export async function runAction(fixedPhase?: string): Promise<void> {
  // every secret known now or found later (the plan's, a minted cluster token) is masked by the
  // runner in the log (core.setSecret) and by our own redaction everywhere else
  registerEnvSecrets();
  const stop = onSecret((s) => core.setSecret(s));
  try {
    const inputs = await readActionInputs(fixedPhase);
    const { executeAction } = await import('./execute.js');
    await executeAction(inputs);
  } catch (err) {
    await fail(err);
  } finally {
    stop();
  }
}

async function fail(err: unknown): Promise<void> {
  if (err instanceof PlanError) {
    for (const p of err.problems) {
      core.error(redact(`${p.path ? `${p.path}: ` : ''}${p.message}`), {
        title: 'DR plan problem',
        file: p.file,
        startLine: p.line,
        startColumn: p.column,
      });
    }
    const rows = err.problems.map(
      (p) => `| ${p.line}:${p.column} | \`${p.path}\` | ${redact(p.message).replace(/\|/g, '\\|')} |`,
    );
    await core.summary
      .addRaw(['## DR plan is invalid', '', '| Line | Field | Problem |', '| --- | --- | --- |', ...rows, ''].join('\n'))
      .write()
      .catch(() => undefined);
    core.setFailed(`The DR plan ${err.problems[0]?.file ?? ''} has ${err.problems.length} problem(s); each is annotated on its line.`);
    return;
  }
  if (err instanceof UserError || err instanceof StepFailed) {
    core.setFailed(redact(err.message));
    return;
  }
  const e = err as Error;
  core.debug(redact(e?.stack ?? String(err)));
  core.setFailed(redact(e?.message ?? String(err)));
}
