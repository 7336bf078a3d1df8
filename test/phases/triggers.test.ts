/**
 * The replication-lag trigger: lag above the threshold alone pages (RPO at risk) and never
 * dispatches a failover; with the primary unhealthy it raises the incident's expected RPO. The
 * decision as a table, then the whole path through the real Prometheus (Debian's binary scraping
 * the sandbox) to the escalate phase's page.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getPhase } from '../../src/phases/registry.js';
import { runPhase } from '../../src/phases/runner.js';
import { decide, type Evaluation } from '../../src/phases/triggers.js';
import type { PhaseContext } from '../../src/phases/types.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { requirePrometheus } from '../support/prometheus.js';
import { until } from '../support/wait.js';

const ctx = {
  plan: {
    limits: {
      triggers: {
        healthScoreBelow: 0.3,
        healthCheckFailuresAbove: 5,
        replicationLagAbove: 120,
        consecutive: 3,
      },
    },
    doc: { prometheus: { queries: { healthScore: 'h', healthCheckFailures: 'f', replicationLag: 'l' } } },
    stack: () => ({ primary: { region: 'east' }, dr: { region: 'west' } }),
  },
} as unknown as PhaseContext;

const held = (v: number | undefined, holds: boolean) =>
  v === undefined ? undefined : { held: holds, last: v };

function evaluation(o: { primaryScore?: number; drScore?: number; lag?: number }): Evaluation {
  return {
    stack: 'aws',
    held: {
      'health-score': {
        primary: held(o.primaryScore ?? 1, (o.primaryScore ?? 1) < 0.3),
        dr: held(o.drScore ?? 1, (o.drScore ?? 1) < 0.3),
      },
      'health-check-failures': { primary: held(0, false), dr: held(0, false) },
      'replication-lag': { dr: held(o.lag ?? 1, (o.lag ?? 1) > 120) },
    },
  };
}

describe('the replication-lag trigger, case by case', () => {
  it.each([
    {
      why: 'lag alone: the primary serves, so page (RPO at risk) and never fail over',
      e: { lag: 150 },
      fire: false,
      risk: ['aws'],
      rpo: {},
    },
    {
      why: 'lag with the primary unhealthy: a region outage whose expected RPO is the lag',
      e: { lag: 150, primaryScore: 0.1 },
      fire: true,
      risk: [],
      rpo: { aws: 150 },
    },
    {
      why: 'the primary unhealthy with lag below the threshold: a region outage, no raised RPO',
      e: { lag: 3, primaryScore: 0.1 },
      fire: true,
      risk: [],
      rpo: {},
    },
    {
      why: 'both regions unhealthy with lag: a two-region failure, escalated, nothing dispatched',
      e: { lag: 150, primaryScore: 0.1, drScore: 0.1 },
      fire: false,
      risk: [],
      rpo: {},
    },
    { why: 'nothing wrong: nothing fires, nothing pages', e: { lag: 2 }, fire: false, risk: [], rpo: {} },
  ])('$why', ({ e, fire, risk, rpo }) => {
    const d = decide(ctx, [evaluation(e)]);
    expect(d.fire).toBe(fire);
    expect(d.rpoAtRisk).toEqual(risk);
    expect(d.expectedRpoSeconds).toEqual(rpo);
    // never the database-corruption class (an in-region HA failover does not shorten cross-region lag)
    expect(d.incidentClass).not.toBe('database-corruption');
  });
});

const binary = requirePrometheus();
const maybe = binary ? describe : describe.skip;

maybe('through the real Prometheus', () => {
  let sb: Sandbox;
  let work: string;
  const saved: Record<string, string | undefined> = {};
  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-triggers-'));
    sb = await startSandbox({ outDir: work, speed: 1000, prometheus: 'real', clouds: ['aws'] });
    for (const [k, v] of Object.entries(sb.comms.env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  }, 90_000);
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await sb?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  const phase = (name: string, inputs: Record<string, string> = {}) =>
    runPhase({
      phase: name,
      planFile: sb.planFile!,
      journalFile: path.join(work, 'journal.jsonl'),
      inputs: Object.fromEntries(
        Object.entries(inputs).filter(([k]) => getPhase(name).inputs.some((i) => i.name === k)),
      ),
      run: { retry: { maxAttempts: 3, baseMs: 1, capMs: 5 } },
    });

  it('lag alone pages the DBA on-call once and dispatches nothing; with the primary down it raises the expected RPO', async () => {
    sb.applyScenario('replication-lag-high');
    const t = await until(
      () => phase('triggers'),
      (o) => o.result.outputs['rpo-at-risk'] === 'aws',
      60_000,
    );
    expect(t.result.outputs.fire).toBe('false');
    expect(t.result.outputs['incident-class']).toBe('');
    expect(t.result.outputs.reasons).toMatch(/RPO at risk/);
    const esc = await phase('escalate', { 'time-scale': '1000' });
    expect(esc.result.outputs.escalated).toBe('rpo-at-risk');
    expect((await phase('escalate', { 'time-scale': '1000' })).result.outputs.escalated).toBe('');
    const comms = (await (await fetch(`${sb.endpoints.control}/_sandbox/comms`)).json()) as {
      pagerduty: { alerts: { service: string; summary: string }[] };
    };
    expect(comms.pagerduty.alerts.map((a) => a.service)).toEqual(['aegis-dba']);
    expect(comms.pagerduty.alerts[0].summary).toContain('RPO at risk');

    // now the primary region fails too, while the replica still reports its lag
    sb.world.stacks.get('aws')!.sites.primary.up = false;
    const f = await until(
      () => phase('triggers'),
      (o) => o.result.outputs.fire === 'true',
      60_000,
    );
    expect(f.result.outputs['incident-class']).toBe('region-outage');
    expect(f.result.outputs['expected-rpo-seconds']).toMatch(/^aws=1[45]\d$/);
    const record = f.journal.records.filter((r) => r.phase === 'triggers' && r.step === 'evaluate').at(-1);
    expect(record?.data?.expectedRpoSeconds).toEqual({ aws: expect.any(Number) });
  }, 180_000);
});
