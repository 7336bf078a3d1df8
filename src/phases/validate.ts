/**
 * The `validate` phase: checks a DR plan and reports every problem. Contacts nothing.
 */
import { deprecatedOutput } from './results.js';
import type { PhaseDef } from './types.js';

export const validatePhase: PhaseDef = {
  name: 'validate',
  title: 'Validate the DR plan',
  description:
    'Validates a DR plan file against the schema and the runbook rules, reporting every problem with its file, line and column; contacts no cloud.',
  inputs: [],
  outputs: [
    deprecatedOutput('valid', 'passed'),
    { name: 'stacks', description: 'Comma-separated stack names of the plan.' },
  ],
  offline: true,
  async run(ctx) {
    const { plan } = ctx;
    return {
      ok: true,
      outputs: { stacks: plan.stackNames.join(',') },
      rows: plan.stackNames.map((name) => {
        const s = plan.stack(name);
        return {
          stack: name,
          item: `${s.cloud} stack`,
          status: 'pass' as const,
          detail: `${s.primary.region} -> ${s.dr.region}; database ${s.database.type}, traffic ${s.traffic.type}, node pool ${s.nodePool.type}`,
        };
      }),
    };
  },
};
