/**
 * Wire-level tests of the emulated GCP services through the official clients over HTTP on
 * loopback: Cloud SQL Admin and GKE (google-gax in fallback / HTTP-JSON mode) and Cloud DNS
 * (@google-cloud/dns REST client).
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ClusterManagerClient } from '@google-cloud/container';
import sql from '@google-cloud/sql';
import { classify, wrapSdkError } from '../../src/engine/errors.js';
import { dnsClient, gaxOptions, NO_RETRY, parseEndpoint } from '../../src/providers/gcp/clients.js';
import { createEstate, SANDBOX_PROJECT, TOPOLOGY } from '../../src/sandbox/estate.js';
import { FaultRegistry } from '../../src/sandbox/faults.js';
import { type RunningService, startService } from '../../src/sandbox/http.js';
import { clouddnsService } from '../../src/sandbox/gcp/clouddns.js';
import { containerService } from '../../src/sandbox/gcp/container.js';
import { sqladminService } from '../../src/sandbox/gcp/sqladmin.js';
import { World } from '../../src/sandbox/world.js';
import { caught } from '../support/wait.js';

const P = SANDBOX_PROJECT;
const T = TOPOLOGY.gcp;

/** A world whose clock moves only when the test says so: pending states can be asserted without racing. */
class ClockWorld extends World {
  private t = Date.now();
  override now(): number {
    return this.t;
  }
  /** Move the clock by `cloudSeconds` of emulated time. */
  advance(cloudSeconds: number): void {
    this.t += this.realMs(cloudSeconds);
  }
}

let world: ClockWorld;
let faults: FaultRegistry;
const running: RunningService[] = [];

beforeEach(() => {
  world = new ClockWorld({ speed: 2000 });
  createEstate(world, ['gcp']);
  faults = new FaultRegistry();
});
afterEach(async () => {
  while (running.length) await running.pop()!.close();
});

async function start(def: Parameters<typeof startService>[0]): Promise<RunningService> {
  const s = await startService(def, { world, faults });
  running.push(s);
  return s;
}

describe('Cloud SQL Admin emulator', () => {
  let instances: InstanceType<typeof sql.v1.SqlInstancesServiceClient>;
  let operations: InstanceType<typeof sql.v1.SqlOperationsServiceClient>;
  let backupRuns: InstanceType<typeof sql.v1.SqlBackupRunsServiceClient>;

  beforeEach(async () => {
    const svc = await start(sqladminService());
    const opts = gaxOptions(parseEndpoint('sqladmin', svc.url));
    instances = new sql.v1.SqlInstancesServiceClient(opts);
    operations = new sql.v1.SqlOperationsServiceClient(opts);
    backupRuns = new sql.v1.SqlBackupRunsServiceClient(opts);
  });

  it('describes the HA primary and the cross-region replica', async () => {
    const [db] = await instances.get({ project: P, instance: T.sql.instance }, NO_RETRY);
    expect(db.state).toBe('RUNNABLE');
    expect(db.region).toBe(T.regions.primary);
    expect(db.gceZone).toBe(T.zones.primary[0]);
    expect(db.secondaryGceZone).toBe(T.zones.primary[1]);
    expect(db.settings?.availabilityType).toBe('REGIONAL');
    expect(db.failoverReplica?.name).toBe(T.sql.failoverReplica);
    expect(db.failoverReplica?.available?.value).toBe(true);
    expect(db.replicaNames).toEqual([T.sql.replica]);
    expect(Number(db.settings?.settingsVersion?.value)).toBeGreaterThan(0);

    const [r] = await instances.get({ project: P, instance: T.sql.replica }, NO_RETRY);
    expect(r.instanceType).toBe('READ_REPLICA_INSTANCE');
    expect(r.masterInstanceName).toBe(T.sql.instance);
    expect(r.region).toBe(T.regions.dr);
    expect(r.settings?.databaseReplicationEnabled?.value).toBe(true);

    world.stack('gcp').database.replicationHealthy = false;
    const [r2] = await instances.get({ project: P, instance: T.sql.replica }, NO_RETRY);
    expect(r2.settings?.databaseReplicationEnabled?.value).toBe(false);

    const err = await caught(instances.get({ project: P, instance: 'nope' }, NO_RETRY));
    expect(wrapSdkError('sqladmin', 'instances.get', err).status).toBe(404);
    expect(classify(wrapSdkError('sqladmin', 'instances.get', err)).kind).toBe('permanent');
  });

  it('fails over in region: operation PENDING/RUNNING then DONE, zone flipped, stale settings version refused', async () => {
    const [db] = await instances.get({ project: P, instance: T.sql.instance }, NO_RETRY);
    const stale = await caught(
      instances.failover(
        { project: P, instance: T.sql.instance, body: { failoverContext: { settingsVersion: 1 } } },
        NO_RETRY,
      ),
    );
    expect(wrapSdkError('sqladmin', 'instances.failover', stale).status).toBe(412);
    expect(world.monitor.failovers.get(T.sql.instance)).toBeUndefined();

    const [op] = await instances.failover(
      {
        project: P,
        instance: T.sql.instance,
        body: {
          failoverContext: {
            kind: 'sql#failoverContext',
            settingsVersion: db.settings!.settingsVersion!.value,
          },
        },
      },
      NO_RETRY,
    );
    expect(op.operationType).toBe('FAILOVER');
    expect(['PENDING', 'RUNNING']).toContain(op.status);
    expect(world.monitor.failovers.get(T.sql.instance)).toBe(1);
    expect(
      world.monitor.mutations.some((m) => m.service === 'sqladmin' && m.operation === 'instances.failover'),
    ).toBe(true);

    const [during] = await instances.get({ project: P, instance: T.sql.instance }, NO_RETRY);
    expect(during.failoverReplica?.available?.value).toBe(false);
    const [list] = await operations.list({ project: P, instance: T.sql.instance }, NO_RETRY);
    expect(list.items?.[0]?.name).toBe(op.name);

    const busy = await caught(
      instances.failover(
        {
          project: P,
          instance: T.sql.instance,
          body: { failoverContext: { settingsVersion: db.settings!.settingsVersion!.value } },
        },
        NO_RETRY,
      ),
    );
    expect(wrapSdkError('sqladmin', 'instances.failover', busy).status).toBe(409);

    world.advance(5);
    const [runningOp] = await operations.get({ project: P, operation: op.name! }, NO_RETRY);
    expect(runningOp.status).toBe('RUNNING');
    world.advance(120);
    const [done] = await operations.get({ project: P, operation: op.name! }, NO_RETRY);
    expect(done.status).toBe('DONE');
    expect(done.error).toBeFalsy();
    const [after] = await instances.get({ project: P, instance: T.sql.instance }, NO_RETRY);
    expect(after.gceZone).toBe(T.zones.primary[1]);
    expect(after.secondaryGceZone).toBe(T.zones.primary[0]);
    expect(world.stack('gcp').database.writer).toBe('primary');
  });

  it('lists backup runs, newest = database.lastBackupAt', async () => {
    const [resp] = await backupRuns.list({ project: P, instance: T.sql.instance }, NO_RETRY);
    const items = resp.items ?? [];
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => i.status === 'SUCCESSFUL')).toBe(true);
    const newest = Math.max(
      ...items.map((i) => Number(i.endTime!.seconds) * 1000 + Number(i.endTime!.nanos ?? 0) / 1e6),
    );
    expect(Math.abs(newest - world.stack('gcp').database.lastBackupAt)).toBeLessThan(1000);
  });

  it('primary region down: 503 UNAVAILABLE for the primary, replica still readable and promotable', async () => {
    const stack = world.stack('gcp');
    stack.sites.primary.up = false;
    const down = await caught(instances.get({ project: P, instance: T.sql.instance }, NO_RETRY));
    const wrapped = wrapSdkError('sqladmin', 'instances.get', down);
    expect(wrapped.status).toBe(503);
    expect(classify(wrapped).kind).toBe('transient');
    const refused = await caught(
      instances.failover(
        { project: P, instance: T.sql.instance, body: { failoverContext: { settingsVersion: 12 } } },
        NO_RETRY,
      ),
    );
    expect(wrapSdkError('sqladmin', 'instances.failover', refused).status).toBe(503);
    expect(world.monitor.failovers.get(T.sql.instance)).toBeUndefined();

    const [r] = await instances.get({ project: P, instance: T.sql.replica }, NO_RETRY);
    expect(r.state).toBe('RUNNABLE');
    const [op] = await instances.promoteReplica(
      { project: P, instance: T.sql.replica, failover: false },
      NO_RETRY,
    );
    expect(op.operationType).toBe('PROMOTE_REPLICA');
    expect(world.monitor.failovers.get(T.sql.replica)).toBe(1);
    const [pending] = await operations.get({ project: P, operation: op.name! }, NO_RETRY);
    expect(pending.status).not.toBe('DONE');
    expect(stack.database.writer).toBe('primary');
    world.advance(120);
    const [o] = await operations.get({ project: P, operation: op.name! }, NO_RETRY);
    expect(o.status).toBe('DONE');
    expect(stack.database.writer).toBe('dr');
    expect(stack.database.writable).toEqual({ primary: true, dr: true });
    expect(stack.database.replicating).toBe(false);
    const [promoted] = await instances.get({ project: P, instance: T.sql.replica }, NO_RETRY);
    expect(promoted.instanceType).toBe('CLOUD_SQL_INSTANCE');
    expect(promoted.masterInstanceName).toBeFalsy();

    const again = await caught(instances.promoteReplica({ project: P, instance: T.sql.replica }, NO_RETRY));
    expect(wrapSdkError('sqladmin', 'instances.promoteReplica', again).status).toBe(400);
    expect(world.monitor.failovers.get(T.sql.replica)).toBe(1);
  });

  it('renders throttling as 429 RESOURCE_EXHAUSTED, classified throttled with Retry-After', async () => {
    faults.add({
      service: 'sqladmin',
      operation: 'instances.get',
      kind: 'throttle',
      nth: 1,
      retryAfterSeconds: 3,
    });
    const err = await caught(instances.get({ project: P, instance: T.sql.instance }, NO_RETRY));
    const wrapped = wrapSdkError('sqladmin', 'instances.get', err);
    expect(wrapped.status).toBe(429);
    expect(wrapped.message).toContain('RESOURCE_EXHAUSTED');
    const c = classify(wrapped);
    expect(c.kind).toBe('throttled');
    expect(c.retryAfterMs).toBe(3000);
    // the fault fired once; the next call passes (the SDK itself did not retry)
    const [db] = await instances.get({ project: P, instance: T.sql.instance }, NO_RETRY);
    expect(db.name).toBe(T.sql.instance);
  });
});

describe('Cloud DNS emulator', () => {
  let svc: RunningService;
  beforeEach(async () => {
    svc = await start(clouddnsService());
  });

  it('gets the zone, lists the record, changes it (pending then done)', async () => {
    const dns = dnsClient(P, svc.url);
    const zone = dns.zone(T.zone.name);
    const [meta] = await zone.getMetadata();
    expect(meta).toMatchObject({ name: T.zone.name, dnsName: `${T.zone.dnsName}.` });

    const [records] = await zone.getRecords({ name: `${T.record}.`, type: 'CNAME' });
    expect(records).toHaveLength(1);
    expect(records[0].metadata).toMatchObject({
      name: `${T.record}.`,
      ttl: 60,
      rrdatas: [`${T.targets.primary}.`],
    });
    const [all] = await zone.getRecords();
    expect(all.map((r) => r.type).sort()).toEqual(['CNAME', 'NS', 'SOA']);

    const add = zone.record('cname', { name: `${T.record}.`, ttl: 30, data: `${T.targets.dr}.` });
    const [change] = await zone.createChange({ add, delete: records });
    expect((change.metadata as { status: string }).status).toBe('pending');
    const rec = world.stack('gcp').traffic.record;
    expect(rec.values).toEqual([T.targets.dr]);
    expect(rec.ttl).toBe(30);
    expect(
      world.monitor.mutations.some((m) => m.service === 'clouddns' && m.operation === 'changes.create'),
    ).toBe(true);

    const [m1] = await zone.change(String(change.id)).getMetadata();
    expect((m1 as { status: string }).status).toBe('pending');
    world.advance(60);
    const [m2] = await zone.change(String(change.id)).getMetadata();
    expect((m2 as { status: string }).status).toBe('done');

    // a stale deletion is refused with 412 and changes nothing
    const stale = await caught(
      zone.createChange({
        add: zone.record('cname', { name: `${T.record}.`, ttl: 60, data: `${T.targets.primary}.` }),
        delete: records,
      }),
    );
    expect(wrapSdkError('clouddns', 'changes.create', stale).status).toBe(412);
    expect(rec.values).toEqual([T.targets.dr]);
    // an addition colliding with an existing rrset: 409
    const dup = await caught(
      zone.createChange({
        add: zone.record('cname', { name: `${T.record}.`, ttl: 60, data: `${T.targets.primary}.` }),
      }),
    );
    expect(wrapSdkError('clouddns', 'changes.create', dup).status).toBe(409);
  });

  it('throttling is 429 RESOURCE_EXHAUSTED, classified throttled, not retried by the SDK', async () => {
    const dns = dnsClient(P, svc.url);
    faults.add({
      service: 'clouddns',
      operation: 'resourceRecordSets.list',
      kind: 'throttle',
      nth: 1,
      retryAfterSeconds: 2,
    });
    const err = await caught(dns.zone(T.zone.name).getRecords({ name: `${T.record}.`, type: 'CNAME' }));
    const wrapped = wrapSdkError('clouddns', 'resourceRecordSets.list', err);
    expect(wrapped.status).toBe(429);
    const c = classify(wrapped);
    expect(c.kind).toBe('throttled');
    expect(c.retryAfterMs).toBe(2000);
    expect(faults.log).toHaveLength(1);
  });

  it('a region outage does not affect the global DNS API', async () => {
    world.stack('gcp').sites.primary.up = false;
    const [meta] = await dnsClient(P, svc.url).zone(T.zone.name).getMetadata();
    expect(meta.name).toBe(T.zone.name);
  });
});

describe('GKE emulator', () => {
  let client: ClusterManagerClient;
  const pool = (site: 'primary' | 'dr') =>
    `projects/${P}/locations/${T.regions[site]}/clusters/${T.clusters[site]}/nodePools/${T.pool}`;

  beforeEach(async () => {
    const svc = await start(containerService());
    client = new ClusterManagerClient(gaxOptions(parseEndpoint('container', svc.url)));
  });

  it('resizes a regional node pool per zone: RECONCILING while nodes boot, operation RUNNING then DONE; initialNodeCount stays the creation value', async () => {
    const [np] = await client.getNodePool({ name: pool('dr') }, NO_RETRY);
    expect(np).toMatchObject({ name: T.pool, initialNodeCount: 1, status: 'RUNNING' });
    expect(np.locations).toEqual([...T.zones.dr]);
    expect(np.instanceGroupUrls).toHaveLength(3);
    expect(np.autoscaling).toMatchObject({ enabled: true, totalMinNodeCount: 3, totalMaxNodeCount: 10 });

    // nodeCount is per zone: 6 in each of three zones
    const [op] = await client.setNodePoolSize({ name: pool('dr'), nodeCount: 6 }, NO_RETRY);
    expect(op).toMatchObject({
      operationType: 'SET_NODE_POOL_SIZE',
      status: 'RUNNING',
      location: T.regions.dr,
    });
    expect(world.stack('gcp').sites.dr.pool.desired).toBe(18);
    expect(
      world.monitor.mutations.some((m) => m.service === 'container' && m.operation === 'nodePools.setSize'),
    ).toBe(true);

    const [during] = await client.getNodePool({ name: pool('dr') }, NO_RETRY);
    expect(during).toMatchObject({ initialNodeCount: 1, status: 'RECONCILING' });
    const second = await caught(client.setNodePoolSize({ name: pool('dr'), nodeCount: 7 }, NO_RETRY));
    expect(wrapSdkError('container', 'nodePools.setSize', second).status).toBe(400);

    const opName = `projects/${P}/locations/${T.regions.dr}/operations/${op.name}`;
    const [o1] = await client.getOperation({ name: opName }, NO_RETRY);
    expect(o1.status).toBe('RUNNING');
    world.advance(600);
    const [o2] = await client.getOperation({ name: opName }, NO_RETRY);
    expect(o2.status).toBe('DONE');
    const nodes = world.stack('gcp').sites.dr.cluster.nodes;
    expect(nodes).toHaveLength(18);
    expect(nodes.every((n) => n.ready)).toBe(true);
    const [after] = await client.getNodePool({ name: pool('dr') }, NO_RETRY);
    expect(after).toMatchObject({ status: 'RUNNING', initialNodeCount: 1 });
  });

  it('a cluster in a down region answers 503; the other region keeps working; throttling is classified', async () => {
    world.stack('gcp').sites.primary.up = false;
    const err = await caught(client.getNodePool({ name: pool('primary') }, NO_RETRY));
    expect(classify(wrapSdkError('container', 'nodePools.get', err)).kind).toBe('transient');
    const [np] = await client.getNodePool({ name: pool('dr') }, NO_RETRY);
    expect(np.status).toBe('RUNNING');

    faults.add({ service: 'container', operation: 'nodePools.get', kind: 'throttle', nth: 1 });
    const t = await caught(client.getNodePool({ name: pool('dr') }, NO_RETRY));
    expect(classify(wrapSdkError('container', 'nodePools.get', t)).kind).toBe('throttled');

    const missing = await caught(
      client.getNodePool(
        { name: `projects/${P}/locations/${T.regions.dr}/clusters/nope/nodePools/${T.pool}` },
        NO_RETRY,
      ),
    );
    expect(wrapSdkError('container', 'nodePools.get', missing).status).toBe(404);
  });
});
