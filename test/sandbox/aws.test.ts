/**
 * Wire-level tests of the emulated AWS services through the official AWS SDK v3 clients over HTTP
 * on loopback: RDS (Query), Route 53 (REST-XML) and EKS (REST-JSON).
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  DescribeEventsCommand,
  PromoteReadReplicaCommand,
  RDSClient,
  RebootDBInstanceCommand,
} from '@aws-sdk/client-rds';
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHealthCheckCommand,
  GetHealthCheckStatusCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  UpdateHealthCheckCommand,
} from '@aws-sdk/client-route-53';
import {
  DescribeNodegroupCommand,
  DescribeUpdateCommand,
  EKSClient,
  UpdateNodegroupConfigCommand,
} from '@aws-sdk/client-eks';
import { classify, wrapSdkError } from '../../src/engine/errors.js';
import { createEstate, TOPOLOGY } from '../../src/sandbox/estate.js';
import { FaultRegistry } from '../../src/sandbox/faults.js';
import { startService, type RunningService } from '../../src/sandbox/http.js';
import { rdsService } from '../../src/sandbox/aws/rds.js';
import { route53Service } from '../../src/sandbox/aws/route53.js';
import { eksService } from '../../src/sandbox/aws/eks.js';
import { World } from '../../src/sandbox/world.js';
import { caught, until as waitUntil } from '../support/wait.js';

/** AWS operations in these tests settle within 20 s. */
const until = <T>(fn: () => Promise<T>, ok: (v: T) => boolean) => waitUntil(fn, ok, 20_000);

const credentials = { accessKeyId: 'AKIASANDBOX0000000000', secretAccessKey: 'sandbox-secret' };
const T = TOPOLOGY.aws;

let world: World;
let faults: FaultRegistry;
const services: RunningService[] = [];

beforeEach(() => {
  world = createEstate(new World({ speed: 2000 }), ['aws']);
  world.start(5);
  faults = new FaultRegistry();
});

afterEach(async () => {
  world.stop();
  while (services.length) await services.pop()!.close();
});

async function start(def: Parameters<typeof startService>[0]): Promise<string> {
  const s = await startService(def, { world, faults });
  services.push(s);
  return s.url;
}

describe('RDS emulator', () => {
  let primary: RDSClient;
  let dr: RDSClient;
  beforeEach(async () => {
    const endpoint = await start(rdsService());
    primary = new RDSClient({ region: T.regions.primary, endpoint, credentials, maxAttempts: 1 });
    dr = new RDSClient({ region: T.regions.dr, endpoint, credentials, maxAttempts: 1 });
  });

  it('describes the Multi-AZ primary and the cross-region replica', async () => {
    const p = await primary.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: T.db.instance }));
    const i = p.DBInstances![0];
    expect(i.DBInstanceStatus).toBe('available');
    expect(i.MultiAZ).toBe(true);
    expect(i.AvailabilityZone).toBe('us-east-1a');
    expect(i.SecondaryAvailabilityZone).toBe('us-east-1b');
    expect(i.ReadReplicaDBInstanceIdentifiers).toEqual([
      `arn:aws:rds:us-west-2:000000000000:db:${T.db.replica}`,
    ]);
    const r = (await dr.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: T.db.replica })))
      .DBInstances![0];
    expect(r.ReadReplicaSourceDBInstanceIdentifier).toBe(
      `arn:aws:rds:us-east-1:000000000000:db:${T.db.instance}`,
    );
    expect(r.StatusInfos).toEqual([
      expect.objectContaining({ StatusType: 'read replication', Normal: true, Status: 'replicating' }),
    ]);
  });

  it('answers DBInstanceNotFound for an instance of another region, classified permanent', async () => {
    const err = await caught(
      dr.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: T.db.instance })),
    );
    expect(err.name).toBe('DBInstanceNotFoundFault');
    expect(err.$metadata.httpStatusCode).toBe(404);
    expect(classify(wrapSdkError('rds', 'DescribeDBInstances', err)).kind).toBe('permanent');
  });

  it('lists automated snapshots with the newest at lastBackupAt', async () => {
    const out = await primary.send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: T.db.instance }));
    const newest = Math.max(...out.DBSnapshots!.map((s) => s.SnapshotCreateTime!.getTime()));
    expect(newest).toBe(world.stack('aws').database.lastBackupAt);
    expect(out.DBSnapshots![0].SnapshotType).toBe('automated');
  });

  it('force failover reboots, then flips the writer zone and logs events', async () => {
    const out = await primary.send(
      new RebootDBInstanceCommand({ DBInstanceIdentifier: T.db.instance, ForceFailover: true }),
    );
    expect(out.DBInstance!.DBInstanceStatus).toBe('rebooting');
    const done = await until(
      () => primary.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: T.db.instance })),
      (o) => o.DBInstances![0].DBInstanceStatus === 'available',
    );
    expect(done.DBInstances![0].AvailabilityZone).toBe('us-east-1b');
    expect(done.DBInstances![0].SecondaryAvailabilityZone).toBe('us-east-1a');
    expect(world.monitor.failovers.get(T.db.instance)).toBe(1);
    expect(world.monitor.mutations.map((m) => m.operation)).toEqual(['RebootDBInstance']);
    const ev = await primary.send(
      new DescribeEventsCommand({ SourceIdentifier: T.db.instance, SourceType: 'db-instance', Duration: 60 }),
    );
    expect(ev.Events!.map((e) => e.Message)).toEqual(
      expect.arrayContaining([
        'Multi-AZ instance failover started.',
        'Multi-AZ instance failover completed.',
      ]),
    );
    expect(ev.Events![0].SourceIdentifier).toBe(T.db.instance);
    // the documented category filter: only the failover events, each in category "failover"
    const failovers = await primary.send(
      new DescribeEventsCommand({
        SourceIdentifier: T.db.instance,
        SourceType: 'db-instance',
        Duration: 60,
        EventCategories: ['failover'],
      }),
    );
    expect(failovers.Events!.map((e) => [e.Message, e.EventCategories])).toEqual([
      ['Multi-AZ instance failover started.', ['failover']],
      ['Multi-AZ instance failover completed.', ['failover']],
    ]);
  });

  it('promotes the replica without fencing the old primary', async () => {
    const out = await dr.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: T.db.replica }));
    expect(out.DBInstance!.DBInstanceStatus).toBe('modifying');
    const r = await until(
      () => dr.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: T.db.replica })),
      (o) =>
        o.DBInstances![0].DBInstanceStatus === 'available' &&
        !o.DBInstances![0].ReadReplicaSourceDBInstanceIdentifier,
    );
    expect(r.DBInstances![0].StatusInfos ?? []).toEqual([]);
    const db = world.stack('aws').database;
    expect(db.writer).toBe('dr');
    expect(db.writable).toEqual({ primary: true, dr: true });
    expect(world.monitor.failovers.get(T.db.replica)).toBe(1);
    const again = await caught(
      dr.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: T.db.replica })),
    );
    expect(again.name).toBe('InvalidDBInstanceStateFault');
    expect(again.message).toMatch(/not a read replica/);
  });

  it('drops the connection when the region is down and keeps the other region readable', async () => {
    world.stack('aws').sites.primary.up = false;
    const err = await caught(
      primary.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: T.db.instance })),
    );
    expect(classify(wrapSdkError('rds', 'DescribeDBInstances', err)).kind).toBe('transient');
    const r = (await dr.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: T.db.replica })))
      .DBInstances![0];
    expect(r.StatusInfos![0]).toEqual(expect.objectContaining({ Normal: false, Status: 'error' }));
  });

  it('renders throttling as the real 400 Throttling that classify() calls throttled', async () => {
    faults.add({ service: 'rds', operation: 'DescribeDBInstances', kind: 'throttle', nth: 1 });
    const err = await caught(primary.send(new DescribeDBInstancesCommand({})));
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(classify(wrapSdkError('rds', 'DescribeDBInstances', err)).kind).toBe('throttled');
    faults.add({ service: 'rds', kind: 'error', nth: 1 });
    const err5 = await caught(primary.send(new DescribeDBInstancesCommand({})));
    expect(classify(wrapSdkError('rds', 'DescribeDBInstances', err5)).kind).toBe('transient');
  });
});

describe('Route 53 emulator', () => {
  let r53: Route53Client;
  beforeEach(async () => {
    const endpoint = await start(route53Service());
    r53 = new Route53Client({ region: 'us-east-1', endpoint, credentials, maxAttempts: 1 });
  });

  const upsert = (value: string, ttl = 60) =>
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: T.zone.id,
      ChangeBatch: {
        Comment: 'aegis failover',
        Changes: [
          {
            Action: 'UPSERT',
            ResourceRecordSet: {
              Name: T.record,
              Type: 'CNAME',
              TTL: ttl,
              ResourceRecords: [{ Value: value }],
            },
          },
        ],
      },
    });

  it('lists the record set from a start name and type', async () => {
    const out = await r53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: T.zone.id,
        StartRecordName: T.record,
        StartRecordType: 'CNAME',
        MaxItems: 1,
      }),
    );
    expect(out.ResourceRecordSets).toEqual([
      expect.objectContaining({
        Name: `${T.record}.`,
        Type: 'CNAME',
        TTL: 60,
        ResourceRecords: [{ Value: T.targets.primary }],
      }),
    ]);
    const all = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: T.zone.id }));
    expect(all.ResourceRecordSets!.map((r) => r.Type)).toEqual(['NS', 'SOA', 'CNAME']);
  });

  it('applies an UPSERT at once and reports PENDING, then INSYNC', async () => {
    const out = await r53.send(upsert(T.targets.dr, 30));
    expect(out.ChangeInfo!.Status).toBe('PENDING');
    expect(out.ChangeInfo!.Id).toMatch(/^\/change\/C[A-Z2-7]{13}$/);
    const rec = world.stack('aws').traffic.record;
    expect(rec.values).toEqual([T.targets.dr]);
    expect(rec.ttl).toBe(30);
    const done = await until(
      () => r53.send(new GetChangeCommand({ Id: out.ChangeInfo!.Id })),
      (c) => c.ChangeInfo!.Status === 'INSYNC',
    );
    expect(done.ChangeInfo!.Comment).toBe('aegis failover');
    expect(world.monitor.mutations).toEqual([
      expect.objectContaining({ service: 'route53', operation: 'ChangeResourceRecordSets' }),
    ]);
  });

  it('refuses a CREATE of an existing record as InvalidChangeBatch, permanent, changing nothing', async () => {
    const err = await caught(
      r53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: T.zone.id,
          ChangeBatch: {
            Changes: [
              {
                Action: 'CREATE',
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
      ),
    );
    expect(err.name).toBe('InvalidChangeBatch');
    expect(classify(wrapSdkError('route53', 'ChangeResourceRecordSets', err)).kind).toBe('permanent');
    expect(world.stack('aws').traffic.record.values).toEqual([T.targets.primary]);
    const nz = await caught(r53.send(new GetChangeCommand({ Id: '/change/CNOSUCHCHANGE00' })));
    expect(nz.name).toBe('NoSuchChange');
  });

  it('reports what the checkers see; Disabled and Inverted change the config, not the reports', async () => {
    const ok = await r53.send(new GetHealthCheckStatusCommand({ HealthCheckId: T.healthCheckId }));
    expect(ok.HealthCheckObservations![0].StatusReport!.Status).toMatch(/^Success: HTTP Status Code 200/);
    const up = await r53.send(
      new UpdateHealthCheckCommand({ HealthCheckId: T.healthCheckId, Disabled: true }),
    );
    expect(up.HealthCheck!.HealthCheckConfig!.Disabled).toBe(true);
    const got = await r53.send(new GetHealthCheckCommand({ HealthCheckId: T.healthCheckId }));
    expect(got.HealthCheck!.HealthCheckConfig).toEqual(
      expect.objectContaining({ Disabled: true, Inverted: false }),
    );
    expect(got.HealthCheck!.HealthCheckVersion).toBe(2);
    await r53.send(new UpdateHealthCheckCommand({ HealthCheckId: T.healthCheckId, Disabled: false }));
    world.stack('aws').sites.primary.up = false;
    const down = await r53.send(new GetHealthCheckStatusCommand({ HealthCheckId: T.healthCheckId }));
    expect(down.HealthCheckObservations![0].StatusReport!.Status).toMatch(/^Failure: Connection timed out/);
    const stale = await caught(
      r53.send(
        new UpdateHealthCheckCommand({
          HealthCheckId: T.healthCheckId,
          HealthCheckVersion: 1,
          Inverted: true,
        }),
      ),
    );
    expect(stale.name).toBe('HealthCheckVersionMismatch');
    const missing = await caught(r53.send(new GetHealthCheckStatusCommand({ HealthCheckId: 'hc-none' })));
    expect(missing.name).toBe('NoSuchHealthCheck');
  });

  it('renders Throttling and PriorRequestNotComplete that classify() calls throttled', async () => {
    faults.add({ service: 'route53', operation: 'ListResourceRecordSets', kind: 'throttle', nth: 1 });
    const err = await caught(r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: T.zone.id })));
    expect(err.name).toBe('Throttling');
    expect(classify(wrapSdkError('route53', 'ListResourceRecordSets', err)).kind).toBe('throttled');
    faults.add({ service: 'route53', operation: 'ChangeResourceRecordSets', kind: 'throttle', nth: 1 });
    const prior = await caught(r53.send(upsert(T.targets.dr)));
    expect(prior.name).toBe('PriorRequestNotComplete');
    expect(classify(wrapSdkError('route53', 'ChangeResourceRecordSets', prior)).kind).toBe('throttled');
    expect(world.stack('aws').traffic.record.values).toEqual([T.targets.primary]);
  });
});

describe('EKS emulator', () => {
  let eksDr: EKSClient;
  let eksPrimary: EKSClient;
  beforeEach(async () => {
    const endpoint = await start(eksService());
    eksDr = new EKSClient({ region: T.regions.dr, endpoint, credentials, maxAttempts: 1 });
    eksPrimary = new EKSClient({ region: T.regions.primary, endpoint, credentials, maxAttempts: 1 });
  });

  it('scales the DR node group: InProgress, then Successful once the nodes are Ready', async () => {
    const before = await eksDr.send(
      new DescribeNodegroupCommand({ clusterName: T.clusters.dr, nodegroupName: T.nodegroup }),
    );
    expect(before.nodegroup!.status).toBe('ACTIVE');
    expect(before.nodegroup!.scalingConfig).toEqual({ minSize: 3, maxSize: 10, desiredSize: 3 });
    const out = await eksDr.send(
      new UpdateNodegroupConfigCommand({
        clusterName: T.clusters.dr,
        nodegroupName: T.nodegroup,
        scalingConfig: { minSize: 3, maxSize: 10, desiredSize: 6 },
      }),
    );
    expect(out.update!.status).toBe('InProgress');
    const done = await until(
      () =>
        eksDr.send(
          new DescribeUpdateCommand({
            name: T.clusters.dr,
            nodegroupName: T.nodegroup,
            updateId: out.update!.id,
          }),
        ),
      (u) => u.update!.status !== 'InProgress',
    );
    expect(done.update!.status).toBe('Successful');
    const nodes = world.stack('aws').sites.dr.cluster.nodes;
    expect(nodes).toHaveLength(6);
    expect(nodes.every((n) => n.ready)).toBe(true);
    const after = await eksDr.send(
      new DescribeNodegroupCommand({ clusterName: T.clusters.dr, nodegroupName: T.nodegroup }),
    );
    expect(after.nodegroup!.status).toBe('ACTIVE');
    expect(world.monitor.mutations.map((m) => m.operation)).toEqual(['UpdateNodegroupConfig']);
  });

  it('rejects desired > max as InvalidParameterException, permanent', async () => {
    const err = await caught(
      eksDr.send(
        new UpdateNodegroupConfigCommand({
          clusterName: T.clusters.dr,
          nodegroupName: T.nodegroup,
          scalingConfig: { minSize: 3, maxSize: 10, desiredSize: 12 },
        }),
      ),
    );
    expect(err.name).toBe('InvalidParameterException');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(classify(wrapSdkError('eks', 'UpdateNodegroupConfig', err)).kind).toBe('permanent');
    expect(world.stack('aws').sites.dr.pool.desired).toBe(3);
  });

  it('does not find the DR cluster in the primary region, and drops calls to a region that is down', async () => {
    const nf = await caught(
      eksPrimary.send(
        new DescribeNodegroupCommand({ clusterName: T.clusters.dr, nodegroupName: T.nodegroup }),
      ),
    );
    expect(nf.name).toBe('ResourceNotFoundException');
    world.stack('aws').sites.primary.up = false;
    const down = await caught(
      eksPrimary.send(
        new DescribeNodegroupCommand({ clusterName: T.clusters.primary, nodegroupName: T.nodegroup }),
      ),
    );
    expect(classify(wrapSdkError('eks', 'DescribeNodegroup', down)).kind).toBe('transient');
    const dr = await eksDr.send(
      new DescribeNodegroupCommand({ clusterName: T.clusters.dr, nodegroupName: T.nodegroup }),
    );
    expect(dr.nodegroup!.status).toBe('ACTIVE');
  });

  it('renders 429 ThrottlingException that classify() calls throttled', async () => {
    faults.add({ service: 'eks', kind: 'throttle', nth: 1, retryAfterSeconds: 2 });
    const err = await caught(
      eksDr.send(new DescribeNodegroupCommand({ clusterName: T.clusters.dr, nodegroupName: T.nodegroup })),
    );
    expect(err.name).toBe('ThrottlingException');
    const c = classify(wrapSdkError('eks', 'DescribeNodegroup', err));
    expect(c.kind).toBe('throttled');
    expect(c.retryAfterMs).toBe(2000);
  });
});

describe('operations under way (speed 1: nothing completes during these tests)', () => {
  beforeEach(() => {
    world.stop();
    world = createEstate(new World({ speed: 1 }), ['aws']);
  });

  it('refuses a second force failover while the first is rebooting', async () => {
    const endpoint = await start(rdsService());
    const primary = new RDSClient({ region: T.regions.primary, endpoint, credentials, maxAttempts: 1 });
    await primary.send(
      new RebootDBInstanceCommand({ DBInstanceIdentifier: T.db.instance, ForceFailover: true }),
    );
    const again = await caught(
      primary.send(new RebootDBInstanceCommand({ DBInstanceIdentifier: T.db.instance, ForceFailover: true })),
    );
    expect(again.name).toBe('InvalidDBInstanceStateFault');
    expect(again.$metadata.httpStatusCode).toBe(400);
    const d = await primary.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: T.db.instance }));
    expect(d.DBInstances![0].DBInstanceStatus).toBe('rebooting');
    expect(world.monitor.failovers.get(T.db.instance)).toBe(1);
  });

  it('shows a node group UPDATING with the new size and refuses a second update', async () => {
    const endpoint = await start(eksService());
    const eksDr = new EKSClient({ region: T.regions.dr, endpoint, credentials, maxAttempts: 1 });
    const ng = { clusterName: T.clusters.dr, nodegroupName: T.nodegroup };
    await eksDr.send(
      new UpdateNodegroupConfigCommand({ ...ng, scalingConfig: { minSize: 3, maxSize: 10, desiredSize: 6 } }),
    );
    const during = await eksDr.send(new DescribeNodegroupCommand(ng));
    expect(during.nodegroup!.status).toBe('UPDATING');
    expect(during.nodegroup!.scalingConfig!.desiredSize).toBe(6);
    const busy = await caught(
      eksDr.send(new UpdateNodegroupConfigCommand({ ...ng, scalingConfig: { desiredSize: 5 } })),
    );
    expect(busy.name).toBe('ResourceInUseException');
    expect(classify(wrapSdkError('eks', 'UpdateNodegroupConfig', busy)).kind).toBe('permanent');
  });

  it('reports a fresh Route 53 change PENDING', async () => {
    const endpoint = await start(route53Service());
    const r53 = new Route53Client({ region: 'us-east-1', endpoint, credentials, maxAttempts: 1 });
    const out = await r53.send(
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
    const got = await r53.send(new GetChangeCommand({ Id: out.ChangeInfo!.Id }));
    expect(got.ChangeInfo!.Status).toBe('PENDING');
  });
});

describe('Route 53 zone shapes (failover alias records driven by health checks)', () => {
  let r53: Route53Client;
  beforeEach(async () => {
    world.stop();
    world = createEstate(new World({ speed: 2000 }), ['aws'], { route53: 'failover-alias' });
    world.start(5);
    const endpoint = await start(route53Service());
    r53 = new Route53Client({ region: 'us-east-1', endpoint, credentials, maxAttempts: 1 });
  });

  const setsAt = async () =>
    (
      await r53.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: T.zone.id,
          StartRecordName: T.record,
          StartRecordType: 'A',
        }),
      )
    ).ResourceRecordSets!.filter((r) => r.Name === `${T.record}.`);

  it('lists PRIMARY and SECONDARY alias records with dualstack names and health checks', async () => {
    expect(await setsAt()).toEqual([
      expect.objectContaining({
        Type: 'A',
        SetIdentifier: 'dr',
        Failover: 'SECONDARY',
        AliasTarget: expect.objectContaining({
          DNSName: `dualstack.${T.targets.dr}.`,
          EvaluateTargetHealth: true,
        }),
      }),
      expect.objectContaining({
        Type: 'A',
        SetIdentifier: 'primary',
        Failover: 'PRIMARY',
        HealthCheckId: T.healthCheckId,
        AliasTarget: expect.objectContaining({ DNSName: `dualstack.${T.targets.primary}.` }),
      }),
    ]);
    expect((await setsAt())[0].TTL).toBeUndefined();
    expect(world.stack('aws').traffic.record).toEqual(
      expect.objectContaining({ type: 'A', values: [T.targets.primary] }),
    );
  });

  it('keeps answering with the primary when its health check is disabled, even with the primary down', async () => {
    await r53.send(new UpdateHealthCheckCommand({ HealthCheckId: T.healthCheckId, Disabled: true }));
    expect(world.stack('aws').traffic.record.values).toEqual([T.targets.primary]);
    // the evaluation of the alias target's health still moves it when the site is really down
    world.stack('aws').sites.primary.healthy = false;
    world.settle();
    expect(world.stack('aws').traffic.record.values).toEqual([T.targets.dr]);
  });

  it('answers with the secondary once the primary health check is inverted, and back when it is not', async () => {
    await r53.send(new UpdateHealthCheckCommand({ HealthCheckId: T.healthCheckId, Inverted: true }));
    expect(world.stack('aws').traffic.record.values).toEqual([T.targets.dr]);
    await r53.send(new UpdateHealthCheckCommand({ HealthCheckId: T.healthCheckId, Inverted: false }));
    expect(world.stack('aws').traffic.record.values).toEqual([T.targets.primary]);
  });

  it('refuses a simple CNAME at a name that holds failover A records, changing nothing', async () => {
    const err = await caught(
      r53.send(
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
      ),
    );
    expect(err.name).toBe('InvalidChangeBatch');
    expect(err.message).toMatch(/conflicting RRSet of type A/);
    expect(await setsAt()).toHaveLength(2);
  });

  it('writes weighted alias records with set identifiers, and refuses a simple record beside them', async () => {
    const alias = (site: 'primary' | 'dr', weight: number) => ({
      Action: 'CREATE' as const,
      ResourceRecordSet: {
        Name: `www.${T.zone.name}`,
        Type: 'A' as const,
        SetIdentifier: site,
        Weight: weight,
        AliasTarget: { HostedZoneId: 'Z0SANDBOXELB1', DNSName: T.targets[site], EvaluateTargetHealth: false },
      },
    });
    await r53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: T.zone.id,
        ChangeBatch: { Changes: [alias('primary', 0), alias('dr', 100)] },
      }),
    );
    const www = (
      await r53.send(
        new ListResourceRecordSetsCommand({ HostedZoneId: T.zone.id, StartRecordName: `www.${T.zone.name}` }),
      )
    ).ResourceRecordSets!.filter((r) => r.Name === `www.${T.zone.name}.`);
    expect(www.map((r) => [r.SetIdentifier, r.Weight])).toEqual([
      ['dr', 100],
      ['primary', 0],
    ]);
    const noId = await caught(
      r53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: T.zone.id,
          ChangeBatch: {
            Changes: [
              {
                Action: 'CREATE',
                ResourceRecordSet: {
                  Name: `www.${T.zone.name}`,
                  Type: 'A',
                  TTL: 60,
                  ResourceRecords: [{ Value: '192.0.2.1' }],
                },
              },
            ],
          },
        }),
      ),
    );
    expect(noId.name).toBe('InvalidChangeBatch');
  });
});
