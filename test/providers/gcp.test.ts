/**
 * Integration tests of the GCP adapters: the official Cloud SQL, Cloud DNS and GKE clients over
 * HTTP on loopback against the sandbox's emulators, built through `createGcpProviders` from a plan
 * stack whose endpoints point at the sandbox.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { classify, ProviderError, UserError } from '../../src/engine/errors.js';
import type { Stack } from '../../src/plan/types.js';
import {
  createGcpProviders,
  dnsClient,
  parseEndpoint,
  timestampToDate,
} from '../../src/providers/gcp/index.js';
import { gaxOptions } from '../../src/providers/gcp/clients.js';
import type { CloudProviders, Operation } from '../../src/providers/types.js';
import { createEstate, SANDBOX_PROJECT, TOPOLOGY } from '../../src/sandbox/estate.js';
import { FaultRegistry } from '../../src/sandbox/faults.js';
import { clouddnsService } from '../../src/sandbox/gcp/clouddns.js';
import { containerService } from '../../src/sandbox/gcp/container.js';
import { sqladminService } from '../../src/sandbox/gcp/sqladmin.js';
import { startService, type RunningService } from '../../src/sandbox/http.js';
import { World } from '../../src/sandbox/world.js';
import { caught } from '../support/wait.js';

const T = TOPOLOGY.gcp;
const P = SANDBOX_PROJECT;

/** A world whose clock moves only when the test says so. */
class ClockWorld extends World {
  private t = Date.now();
  override now(): number {
    return this.t;
  }
  advance(cloudSeconds: number): void {
    this.t += this.realMs(cloudSeconds);
  }
}

function gcpStack(endpoints: { sqladmin: string; clouddns: string; container: string }): Stack {
  const site = (s: 'primary' | 'dr') => ({
    region: T.regions[s],
    kubernetes: { context: T.contexts[s], namespace: 'aegis' },
    deployments: [{ name: 'aegis-api' }],
    app: { connectionsPort: 8080, connectionsPath: '/debug/connections' },
  });
  return {
    cloud: 'gcp',
    primary: site('primary'),
    dr: site('dr'),
    database: {
      type: 'cloud-sql',
      project: P,
      instance: T.sql.instance,
      failoverReplica: T.sql.failoverReplica,
      replica: T.sql.replica,
    },
    traffic: {
      type: 'cloud-dns',
      project: P,
      zone: T.zone.name,
      record: T.record,
      recordType: 'CNAME',
      targets: { ...T.targets },
    },
    nodePool: {
      type: 'gke',
      project: P,
      cluster: { ...T.clusters },
      pool: T.pool,
      min: 3,
      max: 10,
      active: 6,
      standby: 3,
    },
    endpoints,
  };
}

let world: ClockWorld;
let faults: FaultRegistry;
let services: RunningService[];
let providers: CloudProviders;

beforeEach(async () => {
  world = new ClockWorld({ speed: 2000 });
  createEstate(world, ['gcp']);
  faults = new FaultRegistry();
  services = await Promise.all(
    [sqladminService(), clouddnsService(), containerService()].map((d) => startService(d, { world, faults })),
  );
  const [sqladmin, clouddns, container] = services.map((s) => s.url);
  providers = createGcpProviders(gcpStack({ sqladmin, clouddns, container }));
});
afterEach(async () => {
  for (const s of services) await s.close();
});

describe('GcpDatabase (Cloud SQL)', () => {
  it('describes the estate: writer primary, replication healthy, backup time', async () => {
    const s = await providers.database.describe();
    expect(s).toMatchObject({
      writer: 'primary',
      status: 'RUNNABLE',
      busy: false,
      primaryReachable: true,
      writerZone: T.zones.primary[0],
      replication: { healthy: true },
    });
    expect(Math.abs(s.lastBackup!.getTime() - world.stack('gcp').database.lastBackupAt)).toBeLessThan(1000);
    const last = await providers.database.lastBackup();
    expect(last?.getTime()).toBe(s.lastBackup?.getTime());

    world.stack('gcp').database.replicationHealthy = false;
    const bad = await providers.database.describe();
    expect(bad.replication.healthy).toBe(false);
    expect(bad.replication.detail).toContain('stopped');
  });

  it('in-region failover: pending, busy, then done with the writer zone flipped', async () => {
    const op = await providers.database.failover('primary', 'in-region');
    expect(op.id).toBeTruthy();
    expect(op.description).toContain(T.zones.primary[0]);
    const busy = await providers.database.describe();
    expect(busy).toMatchObject({ busy: true, status: 'failing-over' });
    const pending = await providers.database.poll(op);
    expect(pending.done).toBe(false);
    expect(['PENDING', 'RUNNING']).toContain(pending.status);

    world.advance(120);
    const done = await providers.database.poll(op);
    expect(done).toEqual({ done: true, status: 'DONE' });
    const after = await providers.database.describe();
    expect(after).toMatchObject({ writer: 'primary', busy: false, writerZone: T.zones.primary[1] });
    expect(world.monitor.failovers.get(T.sql.instance)).toBe(1);
  });

  it('refuses modes that do not exist for Cloud SQL, with a UserError', async () => {
    await expect(providers.database.failover('dr', 'in-region')).rejects.toBeInstanceOf(UserError);
    await expect(providers.database.failover('primary', 'cross-region')).rejects.toBeInstanceOf(UserError);
    await expect(providers.database.failover('dr', 'forced')).rejects.toBeInstanceOf(UserError);
    expect(world.monitor.mutations).toHaveLength(0);
  });

  it('primary region down: primary unreachable, in-region failover refused (transient), replica promoted', async () => {
    const stack = world.stack('gcp');
    stack.sites.primary.up = false;
    const s = await providers.database.describe();
    expect(s).toMatchObject({
      primaryReachable: false,
      writer: 'primary',
      busy: false,
      lastBackup: undefined,
    });
    expect(s.replication.detail).toContain('primary unreachable');

    const refused = await caught(providers.database.failover('primary', 'in-region'));
    expect(refused).toBeInstanceOf(ProviderError);
    expect((refused as ProviderError).status).toBe(503);
    expect(classify(refused).kind).toBe('transient');
    expect(world.monitor.failovers.get(T.sql.instance)).toBeUndefined();

    const op = await providers.database.failover('dr', 'cross-region');
    expect(await providers.database.describe()).toMatchObject({
      busy: true,
      status: 'promoting',
      writer: 'primary',
    });
    expect((await providers.database.poll(op)).done).toBe(false);
    world.advance(120);
    expect((await providers.database.poll(op)).done).toBe(true);
    const after = await providers.database.describe();
    expect(after).toMatchObject({
      writer: 'dr',
      busy: false,
      writerZone: T.zones.dr[0],
      replication: { healthy: false },
    });
    expect(stack.database.writable.dr).toBe(true);
    expect(world.monitor.failovers.get(T.sql.replica)).toBe(1);
  });

  it('an operation that fails reports its error', async () => {
    const op = await providers.database.failover('dr', 'cross-region');
    world.stack('gcp').sites.dr.up = false;
    world.advance(120);
    world.settle(); // the operation ends while the DR region is down
    world.stack('gcp').sites.dr.up = true;
    const st = await providers.database.poll(op);
    expect(st.done).toBe(true);
    expect(st.error).toMatch(/INTERNAL_ERROR/);
    expect(world.stack('gcp').database.writer).toBe('primary');
  });

  it('throttling (429 RESOURCE_EXHAUSTED) and resets are classified, and the SDK does not retry them', async () => {
    faults.add({
      service: 'sqladmin',
      // describe() discovers the database's instances with instances.list
      operation: 'instances.list',
      kind: 'throttle',
      nth: 1,
      retryAfterSeconds: 4,
    });
    const t = await caught(providers.database.describe());
    expect(t).toBeInstanceOf(ProviderError);
    expect(classify(t)).toMatchObject({ kind: 'throttled', retryAfterMs: 4000 });

    faults.clear();
    faults.add({ service: 'sqladmin', operation: 'operations.get', kind: 'reset', nth: 1 });
    const op: Operation = { id: 'no-such-op', description: 'x' };
    const r = await caught(providers.database.poll(op));
    expect(classify(r).kind).toBe('transient');
    // a second call reaches the emulator (404): the first one was not silently retried
    const nf = await caught(providers.database.poll(op));
    expect((nf as ProviderError).status).toBe(404);
  });
});

describe('GcpTraffic (Cloud DNS)', () => {
  it('describes, switches to DR with the plan TTL (pending then done), and states the expectation', async () => {
    const before = await providers.traffic.describe();
    expect(before).toMatchObject({ active: 'primary', values: [T.targets.primary], ttl: 60 });

    const op = await providers.traffic.switchTo('dr', 30);
    expect(op.description).toContain(T.targets.dr);
    expect(await providers.traffic.poll(op)).toEqual({ done: false, status: 'pending' });
    const mid = await providers.traffic.describe();
    expect(mid).toMatchObject({ active: 'dr', values: [T.targets.dr], ttl: 30 });
    world.advance(60);
    expect(await providers.traffic.poll(op)).toEqual({ done: true, status: 'done' });

    expect(providers.traffic.expectation('dr')).toEqual({
      name: T.record,
      type: 'CNAME',
      value: T.targets.dr,
    });
    expect(world.stack('gcp').traffic.record.values).toEqual([T.targets.dr]);
  });

  it('throttling is classified throttled', async () => {
    faults.add({ service: 'clouddns', operation: 'changes.create', kind: 'throttle', nth: 1 });
    const t = await caught(providers.traffic.switchTo('dr', 60));
    expect(classify(t).kind).toBe('throttled');
    expect(world.stack('gcp').traffic.record.values).toEqual([T.targets.primary]);
  });

  it('a reset is transient and not retried by the SDK', async () => {
    faults.add({ service: 'clouddns', operation: 'resourceRecordSets.list', kind: 'reset', nth: 1 });
    const r = await caught(providers.traffic.describe());
    expect(classify(r).kind).toBe('transient');
    expect(faults.log).toHaveLength(1);
  });
});

describe('GcpNodePool (GKE)', () => {
  it('resizes the regional DR pool to a total of 6 nodes (2 per zone): running until the nodes are Ready, then done', async () => {
    // the pool holds 3 nodes, one in each of its three zones (initialNodeCount is 1, its creation value)
    // its resource keeps no size (the phase counts the pool's nodes); it says the pool spans 3 zones
    expect(await providers.nodePool.describe('dr')).toEqual({
      zones: 3,
      min: 3,
      max: 10,
      status: 'RUNNING',
      busy: false,
    });
    const op = await providers.nodePool.resize('dr', { min: 3, max: 10, desired: 6 });
    expect(op.id).toContain(`/locations/${T.regions.dr}/operations/`);
    expect(await providers.nodePool.describe('dr')).toMatchObject({ status: 'RECONCILING', busy: true });
    expect(await providers.nodePool.poll('dr', op)).toEqual({ done: false, status: 'RUNNING' });
    world.advance(600);
    expect(await providers.nodePool.poll('dr', op)).toEqual({ done: true, status: 'DONE' });
    expect(op.description).toContain('2 nodes per zone in 3 zones (6 nodes)');
    expect(world.stack('gcp').sites.dr.cluster.nodes).toHaveLength(6);
    expect(await providers.nodePool.describe('dr')).toMatchObject({ zones: 3, busy: false });
  });

  it('a down region is transient for its cluster only; throttling is classified', async () => {
    world.stack('gcp').sites.primary.up = false;
    expect(classify(await caught(providers.nodePool.describe('primary'))).kind).toBe('transient');
    expect((await providers.nodePool.describe('dr')).status).toBe('RUNNING');
    faults.add({ service: 'container', operation: 'nodePools.setSize', kind: 'throttle', nth: 1 });
    expect(
      classify(await caught(providers.nodePool.resize('dr', { min: 3, max: 10, desired: 6 }))).kind,
    ).toBe('throttled');
    expect(world.stack('gcp').sites.dr.pool.desired).toBe(3);
  });
});

describe('createGcpProviders and helpers', () => {
  it('rejects a stack of another cloud type with a clear sentence', () => {
    const s = gcpStack({
      sqladmin: 'http://127.0.0.1:1',
      clouddns: 'http://127.0.0.1:1',
      container: 'http://127.0.0.1:1',
    });
    const bad = { ...s, database: { type: 'rds', instance: 'x' } } as Stack;
    expect(() => createGcpProviders(bad)).toThrow(/database.type cloud-sql/);
  });

  it('without endpoint overrides, builds the clients for the public endpoints and ADC without any network call', () => {
    const s = gcpStack({
      sqladmin: 'http://127.0.0.1:1',
      clouddns: 'http://127.0.0.1:1',
      container: 'http://127.0.0.1:1',
    });
    const { endpoints: _e, ...noOverrides } = s;
    const p = createGcpProviders(noOverrides as Stack);
    expect(p.traffic.expectation('primary')).toEqual({
      name: T.record,
      type: 'CNAME',
      value: T.targets.primary,
    });
    expect(gaxOptions(undefined)).toEqual({ fallback: true });
    expect(dnsClient(P).baseUrl).toBe('https://dns.googleapis.com/dns/v1');
    expect(gaxOptions(parseEndpoint('sqladmin', 'https://private.sqladmin.test:8443'))).toEqual({
      fallback: true,
      apiEndpoint: 'private.sqladmin.test',
      port: 8443,
      protocol: 'https',
    });
  });

  it('parses endpoint overrides and rejects non-URLs', () => {
    expect(parseEndpoint('sqladmin', 'http://127.0.0.1:8080')).toEqual({
      protocol: 'http',
      host: '127.0.0.1',
      port: 8080,
      insecure: true,
    });
    expect(parseEndpoint('sqladmin', 'https://sqladmin.example.test')).toMatchObject({
      protocol: 'https',
      port: 443,
      insecure: false,
    });
    expect(parseEndpoint('sqladmin', undefined)).toBeUndefined();
    expect(() => parseEndpoint('clouddns', 'ftp://x')).toThrow(UserError);
  });

  it('converts protobuf timestamps', () => {
    expect(timestampToDate({ seconds: '1700000000', nanos: 500000000 })?.toISOString()).toBe(
      '2023-11-14T22:13:20.500Z',
    );
    expect(timestampToDate(undefined)).toBeUndefined();
  });
});
