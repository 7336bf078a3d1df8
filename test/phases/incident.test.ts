/**
 * The incident class chooses the phases: resolved from the input, else from the journal's
 * declaration; declare has no default; a phase the class excludes journals why and changes
 * nothing (the environment is never built, so no cloud is contacted).
 */
import path from 'node:path';
import { UserError } from '../../src/engine/errors.js';
import { Journal } from '../../src/engine/journal.js';
import { resolveIncidentClass, servingSite } from '../../src/phases/incident.js';
import { runPhase } from '../../src/phases/runner.js';
import type { Environment } from '../../src/phases/types.js';
import { loadPlan } from '../../src/plan/load.js';
import type { Plan } from '../../src/plan/types.js';

const PLAN = path.resolve(import.meta.dirname, '../../examples/cloud-aegis.plan.yml');
let plan: Plan;
beforeAll(async () => {
  plan = await loadPlan(PLAN);
});

function declared(cls: string): Journal {
  const j = new Journal();
  const t = new Date().toISOString();
  j.append({
    phase: 'declare',
    step: 'incident',
    target: 'aws',
    stack: 'aws',
    outcome: 'observed',
    startedAt: t,
    endedAt: t,
    durationMs: 0,
    attempts: 1,
    dryRun: false,
    data: { incidentClass: cls },
  });
  return j;
}

/** An environment that fails the test if a skipped phase tries to reach a cloud. */
const untouchable: Environment = {
  providers: () => Promise.reject(new Error('a skipped phase contacted a cloud')),
  cluster: () => Promise.reject(new Error('a skipped phase contacted a cluster')),
  prometheus: () => {
    throw new Error('a skipped phase queried Prometheus');
  },
};

describe('resolveIncidentClass', () => {
  it.each<[string, string, string | undefined, string | undefined, string]>([
    ['declare', 'database-corruption', undefined, 'database-corruption', 'the input names the class'],
    ['drain', '', 'network-partition', 'network-partition', 'a later phase takes the declared class'],
    [
      'traffic',
      'compute-failure',
      'region-outage',
      'compute-failure',
      'an explicit input wins over the journal',
    ],
    ['readiness', '', undefined, undefined, 'readiness does not take a class'],
  ])('%s with input "%s" and declared %s -> %s (%s)', (phase, input, decl, want) => {
    const j = decl ? declared(decl) : new Journal();
    expect(resolveIncidentClass(phase, plan, { 'incident-class': input }, j)?.name).toBe(want);
  });

  it.each<[string, string, string | undefined, RegExp]>([
    ['declare', '', undefined, /declare needs the incident's class/],
    ['database', '', undefined, /holds no declared incident/],
    ['scale', 'meteor-strike', undefined, /input incident-class is "meteor-strike"/],
  ])('%s with input "%s" is refused in one sentence', (phase, input, decl, message) => {
    const j = decl ? declared(decl) : new Journal();
    const call = () => resolveIncidentClass(phase, plan, { 'incident-class': input }, j);
    expect(call).toThrow(UserError);
    expect(call).toThrow(message);
  });

  it.each([
    ['region-outage', 'dr'],
    ['database-corruption', 'primary'],
    ['network-partition', 'dr'],
    ['compute-failure', 'dr'],
  ])('%s serves from %s', (cls, site) => {
    expect(servingSite(plan.classes[cls as keyof Plan['classes']])).toBe(site);
  });
});

describe('a phase the class excludes', () => {
  it.each([
    ['traffic', 'database-corruption'],
    ['database', 'network-partition'],
    ['drain', 'compute-failure'],
  ])('%s under %s journals why per stack, passes, and contacts nothing', async (phase, cls) => {
    const journal = declared(cls);
    const { result } = await runPhase({ phase, planFile: PLAN, plan, env: untouchable, journal, inputs: {} });
    expect(result.ok).toBe(true);
    expect(result.outputs.passed).toBe('true');
    const results = JSON.parse(result.outputs.results);
    expect(Object.keys(results)).toEqual(plan.stackNames);
    const skips = journal.records.filter((r) => r.phase === phase && r.outcome === 'skipped');
    expect(skips.map((r) => r.stack)).toEqual(plan.stackNames);
    expect(skips[0].action).toContain(`the incident class ${cls} excludes ${phase}`);
  });
});
