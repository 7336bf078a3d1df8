/**
 * Dispatch inputs checked and typed as GitHub does when a workflow_dispatch is created
 * (https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows#workflow_dispatch),
 * and a run's log job by job.
 */
import type { ParsedWorkflow } from './parse.js';
import type { WorkflowRun } from './run.js';

/** Check and type the dispatch inputs as GitHub does when a workflow_dispatch is created. */
export function dispatchInputs(
  wf: ParsedWorkflow,
  given: Record<string, string | boolean>,
): Record<string, string | boolean> {
  const defs = (wf.template.events.workflow_dispatch?.inputs ?? {}) as Record<
    string,
    { type: string; required?: boolean; default?: string | boolean; options?: string[] }
  >;
  if (!('workflow_dispatch' in wf.template.events))
    throw new Error('the workflow has no workflow_dispatch trigger');
  const out: Record<string, string | boolean> = {};
  for (const k of Object.keys(given))
    if (!(k in defs)) throw new Error(`Unexpected inputs provided: ["${k}"]`);
  for (const [k, d] of Object.entries(defs)) {
    const v = k in given ? given[k] : d.default;
    if ((v === undefined || v === '') && d.required) throw new Error(`Required input '${k}' not provided`);
    if (d.type === 'boolean') out[k] = v === true || v === 'true';
    else if (d.type === 'choice') {
      const s = String(v ?? d.options?.[0] ?? '');
      if (!d.options?.includes(s))
        throw new Error(`Provided value '${s}' for input '${k}' not in the list of allowed values`);
      out[k] = s;
    } else out[k] = v === undefined ? '' : String(v);
  }
  return out;
}

export function runLog(run: WorkflowRun): string {
  return Object.values(run.jobs)
    .map(
      (j) =>
        `== job ${j.id}: ${j.result}\n` +
        j.steps.map((s) => `-- step ${s.name}: ${s.outcome}\n${s.log.slice(-4000)}`).join('\n'),
    )
    .join('\n');
}
