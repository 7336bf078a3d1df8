/**
 * `declare` (runbook step 1): opens the failover (incident class, reason, target), fences the
 * primary with the drain annotation when the class moves the database or traffic, and starts the
 * DR node pool growing at once when the class scales.
 */
import { setDrain } from './drain.js';
import { sizePool } from './scale.js';
import { forEachStack } from './shared/context.js';
import { CLASS_INPUT, FAILED_OUTPUT, incidentClass, outputsOf } from './shared/inputs.js';
import { observe } from './shared/observe.js';
import { row } from './shared/rows.js';
import type { PhaseContext, PhaseDef, ResultRow } from './types.js';

export const declarePhase: PhaseDef = {
  name: 'declare',
  title: 'Declare failover',
  description:
    'Opens the failover (incident class, reason, target), fences the primary by setting the drain annotation on its deployments, and starts the DR node pool growing at once.',
  inputs: [
    CLASS_INPUT,
    {
      name: 'reason',
      kind: 'string',
      description: 'Why the failover is declared (journal, report, notifications).',
      default: '',
    },
  ],
  outputs: [
    { name: 'incident-class', description: 'The incident class declared.' },
    { name: 'rto', description: 'RTO target of the class, in seconds.' },
    { name: 'rpo', description: 'RPO target of the class, in seconds.' },
    FAILED_OUTPUT,
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
        rto: String(cls.rtoMs / 1000),
        rpo: String(cls.rpoMs / 1000),
        ...outputsOf(rows),
      },
      markdown: `Declared **${cls.name}** (RTO ${cls.rtoMs / 60000} min, RPO ${cls.rpoMs / 60000} min): ${reason}`,
    };
  },
};

export async function declareStack(ctx: PhaseContext, name: string): Promise<ResultRow[]> {
  const cls = incidentClass(ctx);
  observe(ctx, 'declare', 'incident', name, name, {
    incidentClass: cls.name,
    reason: ctx.inputs['reason'] || 'not given',
    target: 'dr',
    rtoMs: cls.rtoMs,
    rpoMs: cls.rpoMs,
    phases: cls.phases,
  });
  const rows: ResultRow[] = [
    row(name, 'Incident', 'info', `${cls.name}: ${ctx.inputs['reason'] || 'no reason given'}`),
  ];
  const fenceNeeded = cls.phases.includes('database') || cls.phases.includes('traffic');
  const [fence, pool] = await Promise.all([
    fenceNeeded ? setDrain(ctx, 'declare', name, 'primary', true) : Promise.resolve([]),
    cls.phases.includes('scale')
      ? sizePool(ctx, 'declare', name, 'dr', 'active', false)
      : Promise.resolve([]),
  ]);
  return [...rows, ...fence, ...pool];
}
