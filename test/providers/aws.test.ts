/**
 * Integration tests of the AWS adapters: the real AWS SDK v3 clients over HTTP on loopback
 * against the sandbox's emulated RDS, Route 53 and EKS.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { PromoteReadReplicaCommand, RDSClient } from '@aws-sdk/client-rds';
import { classify, ProviderError, UserError } from '../../src/engine/errors.js';
import type { Stack } from '../../src/plan/types.js';
import { createAwsProviders } from '../../src/providers/aws/index.js';
import type { CloudProviders, OperationStatus } from '../../src/providers/types.js';
import { eksService } from '../../src/sandbox/aws/eks.js';
import { rdsService, setRdsFailoverCompletion, setRdsRegionDownAnswer } from '../../src/sandbox/aws/rds.js';
import { route53Service } from '../../src/sandbox/aws/route53.js';
import { hostedZone, type ZoneShape } from '../../src/sandbox/aws/route53-zone.js';
import { createEstate, TOPOLOGY } from '../../src/sandbox/estate.js';
import { FaultRegistry } from '../../src/sandbox/faults.js';
import { startService, type RunningService } from '../../src/sandbox/http.js';
import { World } from '../../src/sandbox/world.js';
import { caught } from '../support/wait.js';

const T = TOPOLOGY.aws;
const credentials = { accessKeyId: 'AKIASANDBOX0000000000', secretAccessKey: 'sandbox-secret' };

function awsStack(
  endpoints: { rds: string; route53: string; eks: string },
  traffic: Record<string, unknown> = {},
): Stack {
  const site = (s: 'primary' | 'dr') => ({
    region: T.regions[s],
    kubernetes: { context: T.contexts[s], namespace: 'aegis' },
    deployments: [{ name: 'aegis-api' }],
    app: { connectionsPort: 8080, connectionsPath: '/debug/connections' },
  });
  return {
    cloud: 'aws',
    primary: site('primary'),
    dr: site('dr'),
    database: { type: 'rds', instance: T.db.instance, replica: T.db.replica },
    traffic: {
      type: 'route53',
      hostedZoneId: T.zone.id,
      record: T.record,
      recordType: 'CNAME',
      targets: { primary: T.targets.primary, dr: T.targets.dr },
      healthCheckId: T.healthCheckId,
      ...traffic,
    },
    nodePool: {
      type: 'eks',
      cluster: { ...T.clusters },
      nodegroup: T.nodegroup,
      min: 3,
      max: 10,
      active: 6,
      standby: 3,
    },
    endpoints,
  } as Stack;
}

async function pollUntilDone(
  poll: () => Promise<OperationStatus>,
  timeoutMs = 20000,
): Promise<OperationStatus[]> {
  const seen: OperationStatus[] = [];
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = await poll();
    seen.push(s);
    if (s.done) return seen;
    if (Date.now() > end) throw new Error(`operation not done; last ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let world: World;
let faults: FaultRegistry;
let services: RunningService[] = [];
let aws: CloudProviders;

/** A fresh sandbox at `speed` with the three AWS services and the adapters pointed at them. */
async function useWorld(speed: number, shape: ZoneShape = 'simple'): Promise<void> {
  if (services.length) await teardown();
  world = createEstate(new World({ speed }), ['aws'], { route53: shape });
  world.start(5);
  faults = new FaultRegistry();
  services = await Promise.all(
    [rdsService(), route53Service(), eksService()].map((d) => startService(d, { world, faults })),
  );
  const [rds, route53, eks] = services.map((s) => s.url);
  const traffic = shape === 'failover-alias' ? { recordType: 'A', routing: 'failover' } : {};
  aws = createAwsProviders(awsStack({ rds, route53, eks }, traffic), { credentials });
}

async function teardown(): Promise<void> {
  world.stop();
  await Promise.all(services.map((s) => s.close()));
  services = [];
}

// fast world: a 120 s cloud operation takes 60 ms, so operations complete within a test
beforeEach(() => useWorld(2000));
afterEach(teardown);

describe('operations under way (speed 1: nothing completes during these tests)', () => {
  beforeEach(() => useWorld(1));

  it('an in-region failover shows busy/rebooting, is not done, and is refused a second time', async () => {
    const op = await aws.database.failover('primary', 'in-region');
    const s = await aws.database.describe();
    expect(s.busy).toBe(true);
    expect(s.status).toBe('rebooting');
    expect(await aws.database.poll(op)).toEqual({ done: false, status: 'rebooting' });
    const again = await caught(aws.database.failover('primary', 'in-region'));
    expect(classify(again).kind).toBe('permanent');
    expect(world.monitor.failovers.get(T.db.instance)).toBe(1);
  });

  it('a promotion shows the replica modifying and is not done', async () => {
    const op = await aws.database.failover('dr', 'cross-region');
    expect(await aws.database.poll(op)).toEqual({ done: false, status: 'modifying' });
    expect((await aws.database.describe()).busy).toBe(true);
  });

  it('a Route 53 change is PENDING while the record already points at dr', async () => {
    const op = await aws.traffic.switchTo('dr', 60);
    expect(await aws.traffic.poll(op)).toEqual({ done: false, status: 'PENDING' });
    expect((await aws.traffic.describe()).active).toBe('dr');
  });

  it('a node group update is InProgress and the group UPDATING', async () => {
    const op = await aws.nodePool.resize('dr', { min: 3, max: 10, desired: 6 });
    expect(await aws.nodePool.poll('dr', op)).toEqual({ done: false, status: 'InProgress' });
    expect(await aws.nodePool.describe('dr')).toEqual({
      desired: 6,
      min: 3,
      max: 10,
      status: 'UPDATING',
      busy: true,
    });
  });
});

describe('AwsDatabase', () => {
  it('describes the healthy estate', async () => {
    const s = await aws.database.describe();
    expect(s).toEqual(
      expect.objectContaining({
        writer: 'primary',
        status: 'available',
        busy: false,
        writerZone: 'us-east-1a',
        primaryReachable: true,
        replication: { healthy: true, detail: 'read replication replicating' },
      }),
    );
    expect(s.lastBackup!.getTime()).toBe(world.stack('aws').database.lastBackupAt);
  });

  it('runs an in-region force failover to completion: busy while rebooting, then the zone flipped', async () => {
    const op = await aws.database.failover('primary', 'in-region');
    expect(op.description).toMatch(/force failover of aegis-db/);
    const seen = await pollUntilDone(() => aws.database.poll(op));
    expect(seen.at(-1)).toEqual({ done: true, status: 'failover completed' });
    const after = await aws.database.describe();
    expect(after.writerZone).toBe('us-east-1b');
    expect(after.busy).toBe(false);
    expect(world.monitor.failovers.get(T.db.instance)).toBe(1);
  });

  it.each([
    ['RDS-EVENT-0049 "Multi-AZ instance failover completed."', 'completed'],
    ['RDS-EVENT-0015 "Multi-AZ failover to standby complete"', 'standby-complete'],
  ] as const)('an in-region failover is done on %s', async (_event, completion) => {
    setRdsFailoverCompletion(world, completion);
    const op = await aws.database.failover('primary', 'in-region');
    const seen = await pollUntilDone(() => aws.database.poll(op));
    expect(seen.at(-1)).toEqual({ done: true, status: 'failover completed' });
    expect((await aws.database.describe()).writerZone).toBe('us-east-1b');
  });

  it('a forced failover RDS abandons (RDS-EVENT-0034, a failover recently occurred) is done, and says so', async () => {
    const first = await aws.database.failover('primary', 'in-region');
    await pollUntilDone(() => aws.database.poll(first));
    const second = await aws.database.failover('primary', 'in-region');
    const seen = await pollUntilDone(() => aws.database.poll(second));
    expect(seen.at(-1)).toEqual({
      done: true,
      status: expect.stringMatching(/abandoned.*failover recently occurred/i),
    });
    // the writer stays where the first failover put it
    expect((await aws.database.describe()).writerZone).toBe('us-east-1b');
    expect(world.monitor.failovers.get(T.db.instance)).toBe(1);
  });

  it('promotes the DR replica cross-region; the writer becomes dr', async () => {
    const op = await aws.database.failover('dr', 'cross-region');
    const seen = await pollUntilDone(() => aws.database.poll(op));
    expect(seen.at(-1)).toEqual({ done: true, status: 'promoted' });
    const s = await aws.database.describe();
    expect(s.writer).toBe('dr');
    expect(s.replication.healthy).toBe(false);
    expect(world.stack('aws').database.writable).toEqual({ primary: true, dr: true });
  });

  it('reports primaryReachable false during a primary region outage while the replica stays readable', async () => {
    setRdsRegionDownAnswer(world, 'drop');
    world.stack('aws').sites.primary.up = false;
    const s = await aws.database.describe();
    expect(s.primaryReachable).toBe(false);
    expect(s.writer).toBe('primary');
    expect(s.replication.healthy).toBe(false);
    expect(s.lastBackup).toBeUndefined();
    expect((s.raw!.replica as { id: string }).id).toBe(T.db.replica);
    // the promotion in the DR region still works
    const op = await aws.database.failover('dr', 'cross-region');
    await pollUntilDone(() => aws.database.poll(op));
    expect((await aws.database.describe()).writer).toBe('dr');
  });

  it.each(['503', 'alternate'] as const)(
    'a primary region that answers %s while down is unreachable, and the DR promotion goes on',
    async (answer) => {
      setRdsRegionDownAnswer(world, answer);
      world.stack('aws').sites.primary.up = false;
      for (let i = 0; i < 2; i++) {
        const s = await aws.database.describe();
        expect(s.primaryReachable).toBe(false);
        expect(s.writer).toBe('primary');
      }
      const op = await aws.database.failover('dr', 'cross-region');
      await pollUntilDone(() => aws.database.poll(op));
      expect((await aws.database.describe()).writer).toBe('dr');
    },
  );

  it('wraps RDS throttling as a throttled ProviderError', async () => {
    faults.add({ service: 'rds', operation: 'DescribeDBInstances', kind: 'throttle', nth: 1 });
    const err = await caught(aws.database.describe());
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.code).toBe('Throttling');
    expect(classify(err).kind).toBe('throttled');
  });

  it('never asks for a promotion that landed (RDS would refuse it: not a read replica); refuses modes RDS does not have', async () => {
    const op = await aws.database.failover('dr', 'cross-region');
    await pollUntilDone(() => aws.database.poll(op));
    // the topology shows the writer on dr: the promotion landed, nothing is sent again
    const again = await aws.database.failover('dr', 'cross-region');
    expect(again.description).toMatch(/already landed/);
    expect(await aws.database.poll(again)).toEqual({ done: true, status: 'promoted' });
    expect(world.monitor.mutations.filter((m) => m.operation === 'PromoteReadReplica')).toHaveLength(1);
    // RDS itself refuses a second promotion, permanently
    const direct = await caught(
      new RDSClient({ region: T.regions.dr, endpoint: services[0].url, credentials }).send(
        new PromoteReadReplicaCommand({ DBInstanceIdentifier: T.db.replica }),
      ),
    );
    expect((direct as { name?: string }).name).toBe('InvalidDBInstanceStateFault');
    await expect(aws.database.failover('dr', 'planned')).rejects.toBeInstanceOf(UserError);
    // no replica of the new writer in the primary region yet: reprotect first
    await expect(aws.database.failover('primary', 'cross-region')).rejects.toThrow(/reprotect/);
    expect(world.monitor.failovers.get(T.db.replica)).toBe(1);
  });
});

describe('request timeout', () => {
  it('turns a call that never answers into a transient error instead of hanging', async () => {
    faults.add({ service: 'rds', kind: 'timeout', nth: 1 });
    const stack = awsStack({ rds: services[0].url, route53: services[1].url, eks: services[2].url });
    const quick = createAwsProviders(stack, { credentials, requestTimeoutMs: 300 });
    // (describe() and lastBackup() read a primary region that does not answer as unreachable)
    const err = await caught(
      quick.database.poll({ id: `rds:create:dr:${T.db.replica}:0`, description: 'a replica build' }),
    );
    expect(err).toBeInstanceOf(ProviderError);
    expect(classify(err).kind).toBe('transient');
  });
});

describe('AwsTraffic', () => {
  it('switches a simple record to dr with the TTL, leaves the health check alone, and polls to INSYNC', async () => {
    const before = await aws.traffic.describe();
    expect(before).toEqual(
      expect.objectContaining({ active: 'primary', values: [T.targets.primary], ttl: 60 }),
    );
    expect(before.detail!.healthCheck).toEqual(
      expect.objectContaining({ disabled: false, inverted: false, healthy: true, considered: true }),
    );
    const op = await aws.traffic.switchTo('dr', 60);
    expect(op.id).toMatch(/^\/change\/C/);
    const seen = await pollUntilDone(() => aws.traffic.poll(op));
    expect(seen.at(-1)).toEqual({ done: true, status: 'INSYNC' });
    const after = await aws.traffic.describe();
    expect(after.active).toBe('dr');
    // disabling a health check makes Route 53 consider it healthy: a switch never does it
    expect(hostedZone(world.stack('aws')).healthChecks.get(T.healthCheckId)!.disabled).toBe(false);
    expect(aws.traffic.expectation('dr')).toEqual({ name: T.record, type: 'CNAME', value: T.targets.dr });
    const back = await aws.traffic.switchTo('primary', 60);
    await pollUntilDone(() => aws.traffic.poll(back));
    expect((await aws.traffic.describe()).active).toBe('primary');
  });

  it('writes a simple alias record to the target load balancer and reads its dualstack name back', async () => {
    const { route53, rds, eks } = { rds: services[0].url, route53: services[1].url, eks: services[2].url };
    // an alias A record cannot sit beside the CNAME: remove the CNAME as an operator would first
    hostedZone(world.stack('aws')).records = [];
    const alias = createAwsProviders(
      awsStack(
        { rds, route53, eks },
        {
          recordType: 'A',
          alias: {
            hostedZoneIds: { primary: 'Z0SANDBOXELB1', dr: 'Z0SANDBOXELB2' },
            evaluateTargetHealth: true,
          },
        },
      ),
      { credentials },
    );
    const op = await alias.traffic.switchTo('dr', 60);
    await pollUntilDone(() => alias.traffic.poll(op));
    expect(world.stack('aws').traffic.record).toEqual(
      expect.objectContaining({ type: 'A', values: [T.targets.dr] }),
    );
    // the console stores load balancer aliases as dualstack.<name>.: they read as the same site
    hostedZone(world.stack('aws')).records[0].alias!.dnsName = `dualstack.${T.targets.dr}.`;
    expect((await alias.traffic.describe()).active).toBe('dr');
  });

  it('wraps PriorRequestNotComplete as throttled and leaves the record unchanged', async () => {
    faults.add({ service: 'route53', operation: 'ChangeResourceRecordSets', kind: 'throttle', nth: 1 });
    const err = await caught(aws.traffic.switchTo('dr', 60));
    expect(classify(err).kind).toBe('throttled');
    expect((await aws.traffic.describe()).active).toBe('primary');
  });
});

describe('AwsTraffic on a zone of failover alias records (PRIMARY / SECONDARY with health checks)', () => {
  beforeEach(() => useWorld(2000, 'failover-alias'));

  it('moves the answer to dr and back by inverting the primary health check, never disabling it', async () => {
    expect((await aws.traffic.describe()).active).toBe('primary');
    const op = await aws.traffic.switchTo('dr', 60);
    await pollUntilDone(() => aws.traffic.poll(op));
    expect((await aws.traffic.describe()).active).toBe('dr');
    expect(world.stack('aws').traffic.record.values).toEqual([T.targets.dr]);
    const hc = hostedZone(world.stack('aws')).healthChecks.get(T.healthCheckId)!;
    expect(hc).toEqual(expect.objectContaining({ inverted: true, disabled: false }));
    // the failover records themselves are not touched: no control-plane record change
    expect(world.monitor.mutations.map((m) => m.operation)).toEqual(['UpdateHealthCheck']);
    const back = await aws.traffic.switchTo('primary', 60);
    await pollUntilDone(() => aws.traffic.poll(back));
    expect(world.stack('aws').traffic.record.values).toEqual([T.targets.primary]);
  });

  it('holds traffic on dr after an outage: Route 53 fails over by itself, the switch pins it', async () => {
    const primary = world.stack('aws').sites.primary;
    primary.up = false;
    world.settle();
    const down = await aws.traffic.describe();
    // data-plane failover: no call made, traffic already on dr, but nothing holds it there
    expect([down.active, down.switchedTo]).toEqual(['dr', 'primary']);
    const op = await aws.traffic.switchTo('dr', 60);
    await pollUntilDone(() => aws.traffic.poll(op));
    primary.up = true;
    world.settle();
    // the recovered primary's check passes; inverted, Route 53 keeps answering with dr
    expect(world.stack('aws').traffic.record.values).toEqual([T.targets.dr]);
    expect(await aws.traffic.describe()).toEqual(expect.objectContaining({ active: 'dr', switchedTo: 'dr' }));
  });

  it('re-enables a health check someone disabled, since Route 53 would call it healthy', async () => {
    hostedZone(world.stack('aws')).healthChecks.get(T.healthCheckId)!.disabled = true;
    const s = await aws.traffic.describe();
    expect(s.detail!.healthCheck).toEqual(expect.objectContaining({ disabled: true, considered: true }));
    expect(s.active).toBe('primary');
    const op = await aws.traffic.switchTo('dr', 60);
    await pollUntilDone(() => aws.traffic.poll(op));
    expect((await aws.traffic.describe()).active).toBe('dr');
  });

  it('names the missing PRIMARY record when the plan says failover and the zone holds a simple record', async () => {
    const z = hostedZone(world.stack('aws'));
    z.records = [{ name: `${T.record}.`, type: 'A', ttl: 60, values: ['192.0.2.7'] }];
    const err = await caught(aws.traffic.describe());
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/holds no PRIMARY failover record api\.aegis\.test A \(found A\)/);
  });
});

describe('AwsTraffic with weighted records', () => {
  it('moves the weights in one batch and keeps the rest of each record', async () => {
    const { route53, rds, eks } = { rds: services[0].url, route53: services[1].url, eks: services[2].url };
    const z = hostedZone(world.stack('aws'));
    z.records = (['primary', 'dr'] as const).map((site) => ({
      name: `${T.record}.`,
      type: 'CNAME',
      ttl: 30,
      values: [T.targets[site]],
      setIdentifier: site,
      weight: site === 'primary' ? 100 : 0,
      healthCheckId: site === 'primary' ? T.healthCheckId : undefined,
    }));
    const weighted = createAwsProviders(
      awsStack(
        { rds, route53, eks },
        { routing: 'weighted', setIdentifiers: { primary: 'primary', dr: 'dr' } },
      ),
      { credentials },
    );
    expect((await weighted.traffic.describe()).active).toBe('primary');
    const op = await weighted.traffic.switchTo('dr', 60);
    await pollUntilDone(() => weighted.traffic.poll(op));
    expect((await weighted.traffic.describe()).active).toBe('dr');
    expect(z.records.map((r) => [r.setIdentifier, r.weight, r.ttl, r.healthCheckId])).toEqual([
      ['primary', 0, 30, T.healthCheckId],
      ['dr', 100, 30, undefined],
    ]);
  });
});

describe('AwsNodePool', () => {
  it('resizes the DR node group and polls the update to Successful', async () => {
    expect(await aws.nodePool.describe('dr')).toEqual({
      desired: 3,
      min: 3,
      max: 10,
      status: 'ACTIVE',
      busy: false,
    });
    const op = await aws.nodePool.resize('dr', { min: 3, max: 10, desired: 6 });
    const seen = await pollUntilDone(() => aws.nodePool.poll('dr', op));
    expect(seen.at(-1)).toEqual({ done: true, status: 'Successful' });
    expect(await aws.nodePool.describe('dr')).toEqual({
      desired: 6,
      min: 3,
      max: 10,
      status: 'ACTIVE',
      busy: false,
    });
    expect(world.stack('aws').sites.dr.cluster.nodes.filter((n) => n.ready)).toHaveLength(6);
  });

  it('classifies invalid sizes as permanent and throttling as throttled', async () => {
    const bad = await caught(aws.nodePool.resize('dr', { min: 3, max: 10, desired: 12 }));
    expect(bad).toBeInstanceOf(ProviderError);
    expect(classify(bad).kind).toBe('permanent');
    expect(bad.message).toMatch(/Desired capacity 12/);
    faults.add({ service: 'eks', kind: 'throttle', nth: 1 });
    expect(classify(await caught(aws.nodePool.describe('dr'))).kind).toBe('throttled');
  });

  it('fails with a transient network error for a site whose region is down', async () => {
    world.stack('aws').sites.primary.up = false;
    const err = await caught(aws.nodePool.describe('primary'));
    expect(classify(err).kind).toBe('transient');
    expect((await aws.nodePool.describe('dr')).status).toBe('ACTIVE');
  });
});

describe('createAwsProviders without endpoint overrides', () => {
  it('leaves the SDK default endpoints and credential chain, with SDK retries off', async () => {
    const stack = awsStack({ rds: 'http://x.test', route53: 'http://x.test', eks: 'http://x.test' });
    delete stack.endpoints;
    const p = createAwsProviders(stack) as unknown as Record<string, any>;
    for (const client of [
      p.database.clients.primary,
      p.database.clients.dr,
      p.traffic.client,
      p.nodePool.clients.dr,
    ]) {
      expect(client.config.endpoint).toBeUndefined();
      expect(await client.config.maxAttempts()).toBe(1);
    }
    expect(await p.database.clients.dr.config.region()).toBe('us-west-2');
  });

  it('refuses a stack whose sections are not the AWS kinds', () => {
    const stack = awsStack({ rds: 'http://x.test', route53: 'http://x.test', eks: 'http://x.test' });
    (stack as any).database = { type: 'cloud-sql', project: 'p', instance: 'i' };
    expect(() => createAwsProviders(stack)).toThrow(
      /database.type is "cloud-sql" but the AWS adapter needs "rds"/,
    );
  });
});
