/**
 * `sync` (failback step 2): runs the data sync from DR to primary (./aegis dr sync-from-dr) as a
 * Kubernetes Job on the primary cluster, in dry-run or execute mode; it passes only when the job
 * reports zero conflicts, and failback requires such an execute run in the journal.
 */
import { forEachStack, perStackOutput } from './shared/context.js';
import { CLASS_INPUT, FAILED_OUTPUT, outputsOf } from './shared/inputs.js';
import { runJob } from './shared/jobs.js';
import { observe } from './shared/observe.js';
import { row } from './shared/rows.js';
import type { PhaseContext, PhaseDef, ResultRow } from './types.js';

export const syncPhase: PhaseDef = {
  name: 'sync',
  title: 'Data sync from DR',
  description:
    'Runs the data sync from DR to primary as a Kubernetes Job (./aegis dr sync-from-dr): with dry-run (the default for this phase) it only reports conflicts, with dry-run false it executes; it fails unless the sync reports zero conflicts.',
  // one input decides: `dry-run`, true unless given (the safe default); `mode` is its old name
  dryRunByDefault: true,
  inputs: [
    {
      name: 'mode',
      kind: 'enum',
      choices: ['dry-run', 'execute'],
      description:
        'Deprecated: use dry-run (true reports conflicts only, false executes). Kept until 0.3.0: dry-run maps to dry-run true, execute to dry-run false; when the two disagree, the dry run wins.',
      default: '',
    },
    CLASS_INPUT,
  ],
  outputs: [
    { name: 'conflicts', description: 'Conflicts reported, per stack, "stack=N" comma-separated.' },
    {
      name: 'conflicts-total',
      description:
        'Conflicts of every stack added up, e.g. "0" (compare it with \'0\' in a workflow); "unknown" when a stack did not report its count.',
    },
    FAILED_OUTPUT,
  ],
  async run(ctx) {
    // the runner resolved dry-run (and the deprecated mode) before anything ran: see resolveDryRun
    const mode = ctx.run.dryRun ? 'dry-run' : 'execute';
    const { ok, rows } = await forEachStack(ctx, (name) => syncStack(ctx, name, mode));
    const conflicts = perStackOutput(
      ctx,
      (r) => r.phase === 'sync',
      (r) => String(r.data?.conflicts ?? 'unknown'),
    );
    return {
      ok,
      rows,
      outputs: { conflicts, 'conflicts-total': conflictsTotal(conflicts), ...outputsOf(rows) },
    };
  },
};

/** The sum of a "stack=N,..." conflicts output; "unknown" when any stack has no number (or none reported). */
export function conflictsTotal(conflicts: string): string {
  const counts = conflicts
    .split(',')
    .filter(Boolean)
    .map((kv) => kv.slice(kv.indexOf('=') + 1));
  if (counts.length === 0 || counts.some((n) => !/^\d+$/.test(n))) return 'unknown';
  return String(counts.reduce((a, n) => a + Number(n), 0));
}

export async function syncStack(
  ctx: PhaseContext,
  name: string,
  mode: 'dry-run' | 'execute',
): Promise<ResultRow[]> {
  const job = ctx.plan.doc.application.syncJob;
  const command = [...job.command, mode === 'execute' ? '--execute' : '--dry-run'];
  if (ctx.run.dryRun && mode === 'execute') {
    return [
      row(name, 'Data sync', 'would-do', `would run ${command.join(' ')} as a Job on the primary cluster`),
    ];
  }
  const r = await runJob(ctx, name, 'primary', `sync-${mode}`, job.image, command);
  const conflicts = parseConflicts(r.logs);
  observe(ctx, 'sync', mode, name, `k8s:primary/job/${r.job}`, {
    succeeded: r.succeeded,
    conflicts,
    logTail: r.logs.slice(-500),
  });
  const ok = r.succeeded && conflicts === 0;
  return [
    row(
      name,
      `Data sync (${mode})`,
      ok ? 'pass' : 'fail',
      `job ${r.job} ${r.succeeded ? 'succeeded' : 'failed'}; conflicts: ${conflicts ?? 'not reported'}${ok ? '' : ' (failback stops unless the sync reports zero conflicts)'}`,
    ),
  ];
}

/** Parse "conflicts: N" (or JSON {"conflicts": N}) from the sync job's log. */
export function parseConflicts(logs: string): number | undefined {
  const m = /"?conflicts"?\s*[:=]\s*(\d+)/i.exec(logs);
  return m ? Number(m[1]) : undefined;
}
