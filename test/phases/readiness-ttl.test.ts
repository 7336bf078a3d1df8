/**
 * Readiness on the traffic switch: the DNS TTL must have been lowered at least one old TTL before a
 * switch (resolvers keep the old one), and an AWS switch that calls the Route 53 control plane while
 * the primary is us-east-1 is a warning naming the risk, the data-plane alternatives and the zone's
 * accelerated recovery status (GetHostedZone), with the switch's data-plane pieces checked: the
 * failover records' health check, or the ARC routing controls on at least one cluster endpoint.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { ttlLoweredTooLate } from '../../src/phases/readiness.js';
import { validatePlanText } from '../../src/plan/load.js';
import { runPhase } from '../../src/phases/runner.js';
import type { Stack } from '../../src/plan/types.js';
import { hostedZone } from '../../src/sandbox/aws/route53-zone.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

const NOW = Date.parse('2026-12-02T12:00:00Z');
const stackWith = (traffic: Record<string, unknown>) =>
  ({ traffic: { type: 'route53', ...traffic } }) as unknown as Stack;

describe('ttlLoweredTooLate', () => {
  it.each([
    { why: 'no history in the plan: nothing to say', t: {}, want: undefined },
    {
      why: 'lowered from 3600 s ten minutes ago: too late, with the time it becomes safe',
      t: { ttlLoweredAt: '2026-12-02T11:50:00Z', previousTtlSeconds: 3600 },
      want: /lowered from 3600 s at 2026-12-02T11:50:00.000Z .*less than one old TTL ago: resolvers may keep the old answer until 2026-12-02T12:50:00.000Z \(3000 s from now\)/,
    },
    {
      why: 'lowered from 3600 s two hours ago: resolvers have dropped the old TTL',
      t: { ttlLoweredAt: '2026-12-02T10:00:00Z', previousTtlSeconds: 3600 },
      want: undefined,
    },
    {
      why: 'the old TTL was already within the limit: nothing to wait for',
      t: { ttlLoweredAt: '2026-12-02T11:59:00Z', previousTtlSeconds: 60 },
      want: undefined,
    },
    {
      why: 'one field without the other names the missing one',
      t: { ttlLoweredAt: '2026-12-02T11:59:00Z' },
      want: /^traffic.ttlLoweredAt is set without traffic.previousTtlSeconds: give both/,
    },
  ])('$why', ({ t, want }) => {
    const got = ttlLoweredTooLate(stackWith(t), 60, NOW);
    if (want === undefined) expect(got).toBeUndefined();
    else expect(got).toMatch(want);
  });
});

/** Write a copy of the sandbox plan with the AWS traffic block changed. */
function planWith(sb: Sandbox, dir: string, change: (traffic: Record<string, any>) => void): string {
  const doc = structuredClone(sb.planDocument);
  change(doc.stacks.aws.traffic);
  const file = path.join(dir, `plan-${Math.random().toString(36).slice(2)}.yml`);
  fs.writeFileSync(file, YAML.stringify(doc));
  return file;
}

const readiness = (planFile: string, dir: string) =>
  runPhase({
    phase: 'readiness',
    planFile,
    journalFile: path.join(dir, 'journal.jsonl'),
    run: { retry: { maxAttempts: 2, baseMs: 1, capMs: 5 } },
  });

const rowOf = <R extends { item: string; stack?: string }>(rows: R[], item: string) =>
  rows.find((r) => r.item === item && r.stack === 'aws');

describe('readiness of a Route 53 failover-record switch, primary in us-east-1', () => {
  let sb: Sandbox;
  let work: string;
  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-readiness-ttl-'));
    sb = await startSandbox({ outDir: work, speed: 1000, prometheus: 'builtin', clouds: ['aws'] });
  }, 60_000);
  afterAll(async () => {
    await sb?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('warns that the switch depends on the Route 53 control plane in us-east-1, naming the alternatives and accelerated recovery', async () => {
    const { result } = await readiness(sb.planFile!, work);
    const r = rowOf(result.rows, 'Traffic switch plane');
    expect(r).toMatchObject({ status: 'warn' });
    expect(r!.detail).toMatch(
      /calls the Route 53 control plane \(UpdateHealthCheck.*\), which depends on us-east-1, the primary's own region/,
    );
    expect(r!.detail).toMatch(/Accelerated recovery is DISABLED on hosted zone Z0SANDBOX0AWS/);
    expect(r!.detail).toMatch(/past the region-outage RTO of \d+ min/);
    expect(r!.detail).toMatch(/Route 53 ARC routing controls \(traffic.routing: arc-routing-control\)/);
    expect(r!.detail).toMatch(/health check: hc-0000sandbox0001 healthy/);
    // a warning, not a failure: readiness still passes
    expect(result.ok).toBe(true);
  }, 60_000);

  it('says so when the zone has accelerated recovery on, and still warns', async () => {
    hostedZone(sb.world.stack('aws')).acceleratedRecovery = 'ENABLED';
    const { result } = await readiness(sb.planFile!, work);
    const r = rowOf(result.rows, 'Traffic switch plane');
    expect(r).toMatchObject({ status: 'warn', detail: /Accelerated recovery is ENABLED on hosted zone/ });
  }, 60_000);

  it('fails when the health check the failover records rely on does not exist', async () => {
    const plan = planWith(sb, work, (t) => (t.healthCheckId = 'hc-0000sandbox9999'));
    const { result } = await readiness(plan, work);
    const r = rowOf(result.rows, 'Traffic switch plane');
    expect(r).toMatchObject({ status: 'fail', detail: /health check \(hc-0000sandbox9999 does not exist\)/ });
  }, 60_000);

  it('the plan refuses half a TTL history and ARC routing without its cluster, naming the line', () => {
    const doc = structuredClone(sb.planDocument);
    doc.stacks.aws.traffic.ttlLoweredAt = '2026-12-01T09:00:00Z';
    doc.stacks.aws.traffic.routing = 'arc-routing-control';
    const { plan, problems } = validatePlanText(YAML.stringify(doc), 'plan.yml');
    expect(plan).toBeUndefined();
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^stacks\.aws\.traffic\.routing: Found routing `arc-routing-control` without `arc`/,
        ),
        expect.stringMatching(/^stacks\.aws\.traffic\.ttlLoweredAt: Found ttlLoweredAt alone; expected both/),
      ]),
    );
    expect(problems.every((p) => p.line > 0)).toBe(true);
  });

  it('fails the DNS TTL check when the TTL was lowered less than one old TTL ago', async () => {
    const lowered = new Date(Date.now() - 60_000).toISOString();
    const plan = planWith(sb, work, (t) => {
      t.ttlLoweredAt = lowered;
      t.previousTtlSeconds = 86400;
    });
    const { result } = await readiness(plan, work);
    const r = rowOf(result.rows, 'DNS TTL');
    expect(r).toMatchObject({ status: 'fail' });
    expect(r!.detail).toMatch(
      /^api\.aegis\.test TTL 60 s at .* \(<= 60 s\), but it was lowered from 86400 s at/,
    );
    expect(r!.detail).toMatch(/less than one old TTL ago.*Wait until then/);
  }, 60_000);

  it('passes the DNS TTL check once one old TTL has gone by', async () => {
    const plan = planWith(sb, work, (t) => {
      t.ttlLoweredAt = new Date(Date.now() - 2 * 86400_000).toISOString();
      t.previousTtlSeconds = 86400;
    });
    const { result } = await readiness(plan, work);
    expect(rowOf(result.rows, 'DNS TTL')).toMatchObject({ status: 'pass' });
  }, 60_000);
});

describe('readiness of a Route 53 ARC routing-control switch', () => {
  let sb: Sandbox;
  let work: string;
  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-readiness-arc-'));
    sb = await startSandbox({
      outDir: work,
      speed: 1000,
      prometheus: 'builtin',
      clouds: ['aws'],
      route53: 'failover-arc',
    });
  }, 60_000);
  afterAll(async () => {
    await sb?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('passes (data plane only) with both routing controls readable on every endpoint', async () => {
    const { result } = await readiness(sb.planFile!, work);
    const r = rowOf(result.rows, 'Traffic switch plane');
    expect(r).toMatchObject({ status: 'pass' });
    expect(r!.detail).toMatch(
      /^data plane only; routing control primary: .* On read on 3 of 3 cluster endpoints/,
    );
  }, 60_000);

  it('still passes with the us-east-1 endpoint down, saying which endpoint did not answer', async () => {
    sb.world.stack('aws').sites.primary.up = false;
    try {
      const { result } = await readiness(sb.planFile!, work);
      const r = rowOf(result.rows, 'Traffic switch plane');
      expect(r).toMatchObject({
        status: 'pass',
        detail: /read on 2 of 3 cluster endpoints \(not on us-east-1: network/,
      });
    } finally {
      sb.world.stack('aws').sites.primary.up = true;
    }
  }, 60_000);

  it('fails when a routing control is not readable on any endpoint', async () => {
    const plan = planWith(sb, work, (t) => (t.arc.routingControlArns.dr += '-missing'));
    const { result } = await readiness(plan, work);
    const r = rowOf(result.rows, 'Traffic switch plane');
    expect(r).toMatchObject({
      status: 'fail',
      detail: /routing control dr \(.*-missing read on 0 of 3 cluster endpoints/,
    });
  }, 60_000);
});
