/**
 * The `validate` phase: checks a DR plan and reports every problem. Contacts nothing.
 */
import type { Plan } from '../plan/types.js';
import { deprecatedOutput } from './results.js';
import type { PhaseDef, ResultRow } from './types.js';

const SERVICE: Record<string, string> = {
  route53: 'Route 53',
  'traffic-manager': 'Traffic Manager',
  'cloud-dns': 'Cloud DNS',
};

/**
 * Warnings for one public name claimed in the zones of two clouds: the registrar delegates a
 * domain to one set of name servers, so only one of those zones answers users and a switch in the
 * other changes nothing anyone resolves.
 */
export function sharedNameWarnings(plan: Plan): ResultRow[] {
  const byName = new Map<string, string[]>();
  for (const name of plan.stackNames) {
    const record = (plan.stack(name).traffic.record ?? '').toLowerCase().replace(/\.$/, '');
    if (!record) continue;
    byName.set(record, [...(byName.get(record) ?? []), name]);
  }
  const rows: ResultRow[] = [];
  for (const [record, stacks] of byName) {
    const services = new Set(stacks.map((s) => plan.stack(s).traffic.type));
    if (services.size < 2) continue;
    const where = stacks.map(
      (s) => `${s} (${SERVICE[plan.stack(s).traffic.type] ?? plan.stack(s).traffic.type})`,
    );
    rows.push({
      stack: stacks[0],
      item: 'Public name',
      status: 'warn',
      detail: `stacks.${stacks.join(', stacks.')}: traffic.record ${record} is in the zones of ${where.join(' and ')}; the domain is delegated to one of them, so a switch in the other changes nothing users resolve. Give each stack a name of its own (a delegated subdomain such as api.gcp.<domain>) or switch the name in one service.`,
    });
  }
  return rows;
}

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
      rows: [
        ...plan.stackNames.map((name) => {
          const s = plan.stack(name);
          return {
            stack: name,
            item: `${s.cloud} stack`,
            status: 'pass' as const,
            detail: `${s.primary.region} -> ${s.dr.region}; database ${s.database.type}, traffic ${s.traffic.type}, node pool ${s.nodePool.type}`,
          };
        }),
        ...sharedNameWarnings(plan),
      ],
    };
  },
};
