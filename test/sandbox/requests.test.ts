/**
 * Request accounting: every request an emulated service receives is counted per service and
 * operation, read or data-changing, throttled or not, and the sandbox reports the busiest sliding
 * second. Driven through the official Route 53 client and plain HTTP on loopback.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { createEstate, TOPOLOGY } from '../../src/sandbox/estate.js';
import { FaultRegistry } from '../../src/sandbox/faults.js';
import { startService, type RunningService } from '../../src/sandbox/http.js';
import { route53Service } from '../../src/sandbox/aws/route53.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { peakInWindow } from '../../src/engine/ratelimit.js';
import { RequestLog } from '../../src/sandbox/requests.js';
import { World } from '../../src/sandbox/world.js';

const credentials = { accessKeyId: 'AKIASANDBOX0000000000', secretAccessKey: 'sandbox-secret' };
const T = TOPOLOGY.aws;

describe('peakInWindow', () => {
  it('counts the most timestamps within any window [t, t + 1000)', () => {
    expect(peakInWindow([])).toBe(0);
    expect(peakInWindow([5])).toBe(1);
    // 0..800 are five within one second; 1000 starts a new window with 200..800
    expect(peakInWindow([0, 200, 400, 600, 800, 1000])).toBe(5);
    expect(peakInWindow([0, 200, 400, 600, 800, 999])).toBe(6);
    expect(peakInWindow([0, 10, 20, 2000, 2001, 2002, 2003, 2999])).toBe(5);
    expect(peakInWindow([0, 100, 200], 150)).toBe(2);
  });
});

describe('RequestLog', () => {
  it('summarises per service and operation within a time span, keeping arrival order', () => {
    const log = new RequestLog();
    log.record({
      at: 2000,
      service: 'rds',
      operation: 'RebootDBInstance',
      outcome: 'ok',
      status: 200,
      mutating: true,
    });
    log.record({
      at: 1000,
      service: 'rds',
      operation: 'DescribeDBInstances',
      outcome: 'ok',
      status: 200,
      mutating: false,
    });
    log.record({
      at: 1500,
      service: 'route53',
      operation: 'GetChange',
      outcome: 'throttle',
      status: 400,
      mutating: false,
    });
    log.record({
      at: 1600,
      service: 'route53',
      operation: 'GetChange',
      outcome: 'server-error',
      status: 503,
      mutating: false,
    });
    expect(log.records.map((r) => r.at)).toEqual([1000, 1500, 1600, 2000]);
    const all = log.summary();
    expect(all.total).toBe(4);
    expect(all.mutations).toBe(1);
    expect(all.services.rds).toEqual({
      total: 2,
      reads: 1,
      mutations: 1,
      throttled: 0,
      errors: 0,
      peakPerSecond: 1,
      operations: { DescribeDBInstances: 1, RebootDBInstance: 1 },
    });
    expect(all.services.route53).toMatchObject({ total: 2, throttled: 1, errors: 1, peakPerSecond: 2 });
    const span = log.summary(1500, 2000);
    expect(span.total).toBe(2);
    expect(Object.keys(span.services)).toEqual(['route53']);
  });
});

describe('request accounting on the wire', () => {
  let world: World;
  let faults: FaultRegistry;
  let svc: RunningService;
  let client: Route53Client;

  beforeEach(async () => {
    world = createEstate(new World({ speed: 600 }), ['aws']);
    faults = new FaultRegistry(world.random);
    svc = await startService(route53Service(), { world, faults });
    client = new Route53Client({ region: 'us-east-1', endpoint: svc.url, credentials, maxAttempts: 1 });
  });
  afterEach(async () => {
    client.destroy();
    await svc.close();
  });

  const list = () =>
    client.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: T.zone.id, StartRecordName: T.record, MaxItems: 1 }),
    );
  const upsert = () =>
    client.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: T.zone.id,
        ChangeBatch: {
          Changes: [
            {
              Action: 'UPSERT',
              ResourceRecordSet: {
                Name: T.record,
                Type: 'CNAME',
                TTL: 60,
                ResourceRecords: [{ Value: T.targets.dr }],
              },
            },
          ],
        },
      }),
    );
  // Requests are counted when their exchange closes, a moment after the client has its answer.
  const settled = async (n: number) => {
    for (let i = 0; i < 100 && world.requests.records.length < n; i++)
      await new Promise((r) => setTimeout(r, 10));
  };

  it('counts reads, data-changing calls and throttled calls per operation', async () => {
    await list();
    await list();
    await upsert();
    faults.add({ service: 'route53', kind: 'throttle', operation: 'ListResourceRecordSets', nth: 1 });
    await expect(list()).rejects.toThrow();
    await settled(4);
    const s = world.requests.summary().services.route53;
    expect(s.total).toBe(4);
    expect(s.mutations).toBe(1);
    expect(s.reads).toBe(3);
    expect(s.throttled).toBe(1);
    expect(s.errors).toBe(0);
    expect(s.operations).toEqual({ ListResourceRecordSets: 3, ChangeResourceRecordSets: 1 });
    expect(world.monitor.mutations.filter((m) => m.service === 'route53')).toHaveLength(1);
    const throttled = world.requests.records.find((r) => r.outcome === 'throttle');
    expect(throttled?.status).toBe(400);
  });

  it('reports the peak within a sliding second: a burst of 8 at once, then 3 spaced past the window', async () => {
    await Promise.all(Array.from({ length: 8 }, () => list()));
    await settled(8);
    const burstEnd = world.requests.records.at(-1)!.at;
    // wait until the whole burst is more than a second behind, then three more
    await new Promise((r) => setTimeout(r, Math.max(0, burstEnd + 1100 - Date.now())));
    for (let i = 0; i < 3; i++) await list();
    await settled(11);
    const s = world.requests.summary().services.route53;
    expect(s.total).toBe(11);
    expect(s.peakPerSecond).toBe(8);
    const later = world.requests.summary(burstEnd + 1).services.route53;
    expect(later.total).toBe(3);
    expect(later.peakPerSecond).toBe(3);
  });
});

describe('the sandbox control API', () => {
  it('serves the request accounting in /_sandbox/state and /_sandbox/requests, without counting itself', async () => {
    const sb = await startSandbox({ clouds: ['aws'], prometheus: 'builtin' });
    try {
      const before = Date.now();
      const r = await fetch(`${sb.endpoints.app}/sites/aws/dr/health`);
      await r.text();
      for (let i = 0; i < 100 && !sb.world.requests.records.some((x) => x.service === 'app'); i++) {
        await new Promise((res) => setTimeout(res, 10));
      }
      const state = (await (await fetch(`${sb.endpoints.control}/_sandbox/state`)).json()) as any;
      expect(state.requests.services.app.total).toBeGreaterThanOrEqual(1);
      expect(state.requests.services.control).toBeUndefined();
      expect(state.durations).toBe('random');
      const span = (await (
        await fetch(`${sb.endpoints.control}/_sandbox/requests?from=${before}`)
      ).json()) as any;
      expect(span.from).toBe(before);
      expect(span.services.app.operations).toBeDefined();
      const bad = await fetch(`${sb.endpoints.control}/_sandbox/requests?from=yesterday`);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as any).error).toMatch(
        /from is "yesterday": expected epoch milliseconds or an ISO date/,
      );
    } finally {
      await sb.close();
    }
  });
});
