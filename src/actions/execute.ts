/**
 * The heavy half of an action, loaded once its inputs are checked (src/actions/run.ts): run the
 * phase through the same runner as the CLI, set outputs, write the job summary and annotate the
 * rows that failed.
 */
import * as core from '@actions/core';
import { redact } from '../engine/redact.js';
import { getPhase } from '../phases/registry.js';
import { resultMarkdown } from '../phases/render.js';
import { runPhase, selectStacks } from '../phases/runner.js';
import { incidentSummary } from '../report/evidence.js';
import type { ActionInputs } from './inputs.js';
import { actionLog } from './log.js';

/** Run the phase of `inputs` as a GitHub Action step. */
export async function executeAction(inputs: ActionInputs): Promise<void> {
  const phase = getPhase(inputs.phase);
  const phaseInputs: Record<string, string | undefined> = {};
  // read raw; the runner parses every input by its declared kind (shared/inputs.ts parseInputs)
  for (const i of phase.inputs) phaseInputs[i.name] = core.getInput(i.name);
  const log = actionLog();
  const { result, plan, journal } = await runPhase({
    phase: phase.name,
    planFile: inputs.planFile,
    stack: inputs.stack,
    dryRun: inputs.dryRun,
    journalFile: inputs.journalFile,
    inputs: phaseInputs,
    actor: inputs.actor,
    runUrl: inputs.runUrl,
    force: inputs.force,
    progress: (e) => log.progress(e),
  }).finally(() => log.end());
  // GITHUB_OUTPUT and the job summary are files the runner does not mask: redact them here
  for (const [k, v] of Object.entries(result.outputs)) core.setOutput(k, redact(v));
  // the incident so far under the phase's own table (the report phase draws it in its report)
  const incident =
    phase.name === 'report' ? '' : incidentSummary(journal.records, plan, selectStacks(plan, inputs.stack));
  await core.summary.addRaw(redact(resultMarkdown(phase.title, result) + (incident ? `\n${incident}` : ''))).write();
  for (const row of result.rows.filter((r) => r.status === 'fail')) {
    core.error(redact(`${row.stack ? `${row.stack}: ` : ''}${row.item}: ${row.detail}`), { title: phase.title });
  }
  if (!result.ok) core.setFailed(`${phase.title} failed: ${result.rows.filter((r) => r.status === 'fail').length} check(s) did not pass (see the job summary).`);
}
