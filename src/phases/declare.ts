/**
 * `declare` (runbook step 1): opens the failover (incident class, reason, target), fences the
 * primary with the plan's fences (drain annotation, scale to zero, NetworkPolicy: `applyFence` in
 * drain.ts) when the class moves the database or traffic, and starts the DR node pool growing at
 * once when the class scales.
 */
import type { JournalRecord } from '../engine/journal.js';
import { applyFence } from './drain.js';
import { servingSite } from './incident.js';
import { sizePool } from './scale.js';
import { allSteps, forEachStack } from './shared/context.js';
import { CLASS_INPUT, FAILED_OUTPUT, incidentClass, outputsOf } from './shared/inputs.js';
import { deprecatedOutput } from './results.js';
import { observe } from './shared/observe.js';
import { row } from './shared/rows.js';
import type { PhaseContext, PhaseDef, ResultRow } from './types.js';

export const declarePhase: PhaseDef = {
  name: 'declare',
  title: 'Declare failover',
  description:
    "Opens the failover (incident class, reason, target), fences the primary with the plan's fences (drain annotation, scale to zero, a NetworkPolicy denying egress), and starts the DR node pool growing at once.",
  inputs: [
    { ...CLASS_INPUT, required: true },
    {
      name: 'reason',
      kind: 'string',
      description: 'Why the failover is declared (journal, report, notifications).',
      default: '',
    },
  ],
  outputs: [
    { name: 'incident-class', description: 'The incident class declared.' },
    { name: 'rto-target-seconds', description: 'RTO target of the class, in seconds.' },
    { name: 'rpo-target-seconds', description: 'RPO target of the class, in seconds.' },
    FAILED_OUTPUT,
    deprecatedOutput('rto', 'rto-target-seconds'),
    deprecatedOutput('rpo', 'rpo-target-seconds'),
  ],
  async run(ctx) {
    const cls = incidentClass(ctx);
    const reason = ctx.inputs['reason'] || 'not given';
    const { ok, rows } = await forEachStack(ctx, (name) => declareStack(ctx, name));
    return {
      ok,
      rows,
      outputs: {
        'incident-class': cls.name,
        'rto-target-seconds': String(cls.rtoMs / 1000),
        'rpo-target-seconds': String(cls.rpoMs / 1000),
        ...outputsOf(rows),
      },
      markdown: `Declared **${cls.name}** (RTO ${cls.rtoMs / 60000} min, RPO ${cls.rpoMs / 60000} min): ${reason}`,
    };
  },
};

/**
 * The incident this stack already has open in the journal: declared (not in dry-run) with the same
 * class and not closed by a failback since. A re-run of the job, or a new attempt of the run,
 * finds it and keeps its first declaration time, so the RTO counts from the real start.
 */
export function openIncident(
  records: JournalRecord[],
  stack: string,
  cls: string,
): JournalRecord | undefined {
  const last = records
    .filter((r) => r.stack === stack && r.phase === 'declare' && r.step === 'incident' && !r.dryRun)
    .at(-1);
  if (!last || last.data?.incidentClass !== cls) return undefined;
  const closed = records.some(
    (r) =>
      r.seq > last.seq && r.stack === stack && r.phase === 'failback' && r.outcome === 'done' && !r.dryRun,
  );
  return closed ? undefined : last;
}

export async function declareStack(ctx: PhaseContext, name: string): Promise<ResultRow[]> {
  const cls = incidentClass(ctx);
  const earlier = ctx.run.dryRun ? undefined : openIncident(ctx.run.journal.records, name, cls.name);
  const declaredAt =
    (typeof earlier?.data?.declaredAt === 'string' ? earlier.data.declaredAt : earlier?.startedAt) ??
    new Date().toISOString();
  observe(ctx, 'declare', 'incident', name, name, {
    declaredAt,
    ...(earlier ? { redeclaredAfterSeq: earlier.seq } : {}),
    incidentClass: cls.name,
    reason: ctx.inputs['reason'] || 'not given',
    target: 'dr',
    rtoMs: cls.rtoMs,
    rpoMs: cls.rpoMs,
    phases: cls.phases,
  });
  const rows: ResultRow[] = [
    row(
      name,
      'Incident',
      'info',
      `${cls.name}: ${ctx.inputs['reason'] || 'no reason given'}${earlier ? ` (already declared at ${declaredAt}: the RTO counts from then)` : ''}`,
    ),
  ];
  const fenceNeeded = cls.phases.includes('database') || cls.phases.includes('traffic');
  const [fence, pool] = await allSteps<[ResultRow[], ResultRow[]]>([
    // A class that keeps serving from the primary region (database-corruption: an in-region HA
    // failover keeps one writer behind one endpoint, so no split brain is possible) stops new
    // writes with the annotation only: scaling to zero or cutting egress would turn a short write
    // outage into a full one, and the database phase lifts the fence once it is done.
    fenceNeeded
      ? applyFence(
          ctx,
          'declare',
          name,
          'primary',
          servingSite(cls) === 'primary' ? ['annotation'] : undefined,
        )
      : Promise.resolve([]),
    cls.phases.includes('scale')
      ? sizePool(ctx, 'declare', name, 'dr', 'active', false)
      : Promise.resolve([]),
  ]);
  return [...rows, ...fence, ...pool];
}
