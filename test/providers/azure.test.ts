/**
 * The Azure adapters (AzureDatabase, AzureTraffic, AzureNodePool) through the official SDKs over
 * HTTP on loopback against the emulated ARM: observe, start, poll to done; outages; throttling.
 */
import { classify } from '../../src/engine/errors.js';
import { Journal } from '../../src/engine/journal.js';
import { createContext } from '../../src/engine/step.js';
import { failoverDatabase } from '../../src/phases/database.js';
import type { PhaseContext } from '../../src/phases/types.js';
import type { Plan } from '../../src/plan/types.js';
import { forgetTrackedOperations } from '../../src/providers/azure/database.js';
import type { Stack } from '../../src/plan/types.js';
import { AzureNodePool } from '../../src/providers/azure/nodepool.js';
import { AKS_SCALE_DOWN_UNNEEDED_S } from '../../src/sandbox/azure/aks.js';
import { until } from '../support/wait.js';
import {
  AzureDatabase,
  armConnection,
  createAzureProviders,
  endpointType,
} from '../../src/providers/azure/index.js';
import type { CloudProviders, Operation, OperationStatus } from '../../src/providers/types.js';
import { armService } from '../../src/sandbox/azure/arm.js';
import { SANDBOX_SUBSCRIPTION, TOPOLOGY, createEstate } from '../../src/sandbox/estate.js';
import { FaultRegistry } from '../../src/sandbox/faults.js';
import { type RunningService, startService } from '../../src/sandbox/http.js';
import { World } from '../../src/sandbox/world.js';

const AZ = TOPOLOGY.azure;
const sub = SANDBOX_SUBSCRIPTION;

/** Freeze the world's clock (no transition becomes due) until the returned function releases it, so "pending" is observed deterministically. */
function holdClock(world: World): () => void {
  const t0 = Date.now();
  world.now = () => t0;
  return () => {
    world.now = () => Date.now() + 3_600_000;
  };
}

function azureStack(arm: string): Stack {
  const site = (name: 'primary' | 'dr') => ({
    region: AZ.regions[name],
    kubernetes: { context: AZ.contexts[name], namespace: 'aegis' },
    deployments: [{ name: 'aegis-api' }],
    app: { connectionsPort: 8080, connectionsPath: '/debug/connections' },
  });
  return {
    cloud: 'azure',
    primary: site('primary'),
    dr: site('dr'),
    database: {
      type: 'azure-sql',
      subscriptionId: sub,
      failoverGroup: AZ.sql.failoverGroup,
      primary: { resourceGroup: AZ.resourceGroups.primary, server: AZ.sql.servers.primary },
      dr: { resourceGroup: AZ.resourceGroups.dr, server: AZ.sql.servers.dr },
      allowDataLoss: false,
    },
    traffic: {
      type: 'traffic-manager',
      subscriptionId: sub,
      resourceGroup: AZ.trafficManager.resourceGroup,
      profile: AZ.trafficManager.profile,
      endpointType: 'azureEndpoints',
      endpoints: { ...AZ.trafficManager.endpoints },
      record: AZ.record,
      targets: { ...AZ.targets },
    },
    nodePool: {
      type: 'aks',
      subscriptionId: sub,
      resourceGroup: { ...AZ.resourceGroups },
      cluster: { ...AZ.clusters },
      pool: AZ.pool,
      min: 3,
      max: 10,
      active: 6,
      standby: 3,
    },
    endpoints: { arm },
  };
}

async function pollUntilDone(
  poll: () => Promise<OperationStatus>,
  timeoutMs = 30_000,
): Promise<{ last: OperationStatus; pending: number }> {
  const end = Date.now() + timeoutMs;
  let pending = 0;
  for (;;) {
    const s = await poll();
    if (s.done) return { last: s, pending };
    pending++;
    if (Date.now() > end) throw new Error(`operation still pending: ${s.status}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Azure providers against the emulated ARM', () => {
  let world: World;
  let faults: FaultRegistry;
  let svc: RunningService;
  let p: CloudProviders;

  beforeEach(async () => {
    world = createEstate(new World({ speed: 2000, seed: 11 }), ['azure']);
    world.start(5);
    faults = new FaultRegistry();
    svc = await startService(armService(), { world, faults });
    p = createAzureProviders(azureStack(svc.url));
  });

  afterEach(async () => {
    world.stop();
    await svc.close();
  });

  test('database describe maps the failover group roles to the writer', async () => {
    const s = await p.database.describe();
    expect(s.writer).toBe('primary');
    expect(s.busy).toBe(false);
    expect(s.primaryReachable).toBe(true);
    expect(s.replication.healthy).toBe(true);
    expect(s.replication.detail).toMatch(/CATCH_UP/);
    expect(s.writerZone).toBe(AZ.regions.primary);
    expect(world.monitor.mutations).toHaveLength(0);
  });

  test('planned failover: pending, then done; the writer is DR and a second failover is a no-op', async () => {
    const release = holdClock(world);
    const op = await p.database.failover('dr', 'planned');
    expect(op.id).toMatch(/^http:\/\/127\.0\.0\.1:[0-9]+\/.*failoverGroupAzureAsyncOperation/);
    const first = await p.database.poll(op);
    expect(first.done).toBe(false);
    expect((await p.database.describe()).busy).toBe(true);
    release();
    const { last } = await pollUntilDone(() => p.database.poll(op));
    expect(last.error).toBeUndefined();
    expect(last.status).toBe('Succeeded');
    const s = await p.database.describe();
    expect(s.writer).toBe('dr');
    expect(s.busy).toBe(false);
    expect(world.stack('azure').database.writable).toEqual({ primary: false, dr: true });
    expect(world.monitor.failovers.get(AZ.sql.failoverGroup)).toBe(1);

    const again = await p.database.failover('dr', 'planned');
    expect((await p.database.poll(again)).done).toBe(true);
    expect(world.monitor.failovers.get(AZ.sql.failoverGroup)).toBe(1);
  });

  test('a poll survives a throttled status request and a new provider resumes from the operation id alone', async () => {
    const release = holdClock(world);
    const op = await p.database.failover('dr', 'planned');
    faults.add({
      service: 'arm',
      operation: 'FailoverGroups_AsyncOperation',
      kind: 'throttle',
      nth: 1,
      retryAfterSeconds: 2,
    });
    const err = await p.database.poll(op).catch((e: unknown) => e);
    const c = classify(err);
    expect(c.kind).toBe('throttled');
    expect(c.retryAfterMs).toBe(2000);
    release();
    // a fresh provider (e.g. the CLI re-run after a crash) resumes from the id
    const fresh = createAzureProviders(azureStack(svc.url));
    const { last } = await pollUntilDone(() =>
      fresh.database.poll({ id: op.id, description: op.description }),
    );
    expect(last.status).toBe('Succeeded');
    expect(world.stack('azure').database.writer).toBe('dr');
    expect(world.monitor.failovers.get(AZ.sql.failoverGroup)).toBe(1);
  });

  test('primary outage: describe still works from the DR server; planned fails with the roles unchanged, forced succeeds', async () => {
    world.stack('azure').sites.primary.up = false;
    const s = await p.database.describe();
    expect(s.primaryReachable).toBe(false);
    expect(s.writer).toBe('primary');
    expect(s.replication.healthy).toBe(false);

    // a planned failover needs both sides: accepted, then it fails and rolls back
    const planned = await p.database.failover('dr', 'planned');
    const ended = await pollUntilDone(() => p.database.poll(planned));
    expect(ended.last.status).toBe('Failed');
    expect(ended.last.error).toMatch(/forceFailoverAllowDataLoss/);
    expect(world.stack('azure').database.writer).toBe('primary');

    const release = holdClock(world);
    const op = await p.database.failover('dr', 'forced');
    expect(op.description).toMatch(/forced/);
    expect((await p.database.poll(op)).done).toBe(false);
    release();
    const { last } = await pollUntilDone(() => p.database.poll(op));
    expect(last.status).toBe('Succeeded');
    expect((await p.database.describe()).writer).toBe('dr');
    expect(world.monitor.failovers.get(AZ.sql.failoverGroup)).toBe(1);
  });

  test('an operation that fails is reported done with the error', async () => {
    // hold the world's clock so the failover cannot finish before the primary goes down
    const release = holdClock(world);
    const op = await p.database.failover('dr', 'planned');
    expect((await p.database.poll(op)).done).toBe(false);
    world.stack('azure').sites.primary.up = false;
    release();
    const { last } = await pollUntilDone(() => p.database.poll(op));
    expect(last.status).toBe('Failed');
    expect(last.error).toMatch(/FailoverGroupPrimaryUnreachable/);
  });

  test("one failover group's running failover does not make another group busy (a plan may hold several)", async () => {
    // a second Azure estate on its own ARM endpoint: another failover group as far as the adapter knows
    const world2 = createEstate(new World({ speed: 2000, seed: 12 }), ['azure']);
    world2.start(5);
    const svc2 = await startService(armService(), { world: world2, faults: new FaultRegistry() });
    try {
      const other = createAzureProviders(azureStack(svc2.url));
      // the other group's failover is left running and never polled by its caller
      holdClock(world2);
      await other.database.failover('dr', 'planned');
      expect((await other.database.describe()).busy).toBe(true);
      const mine = await p.database.describe();
      expect(mine.busy).toBe(false);
      expect(mine.status).toBe('available');
    } finally {
      await svc2.close();
    }
  });

  test('failoverHistory reads a failover of the group from the database operations, since a time', async () => {
    const before = new Date(Date.now() - 1000);
    expect(await p.database.failoverHistory('cross-region', before)).toBeUndefined();
    const op = await p.database.failover('dr', 'planned');
    await pollUntilDone(() => p.database.poll(op));
    const found = await p.database.failoverHistory('cross-region', before);
    expect(found?.what).toMatch(/FailoverGroupFailover \(Succeeded\)/);
    expect(
      await p.database.failoverHistory('cross-region', new Date(Date.now() + 3_600_000 * 2)),
    ).toBeUndefined();
  });

  test('in-region mode is refused with a clear sentence and no call', async () => {
    await expect(p.database.failover('dr', 'in-region')).rejects.toThrow(/no in-region failover/);
    expect(world.monitor.mutations).toHaveLength(0);
  });

  test('restorePoints reads the continuous window; an Azure SQL Database has no discrete backup for lastBackup', async () => {
    const points = await p.database.restorePoints!();
    expect(points.continuousFrom).toBeInstanceOf(Date);
    expect(points.newestDiscrete).toBeUndefined();
    expect(points.found).toBe(
      `restore points of ${AZ.sql.servers.primary}/${AZ.sql.database}: CONTINUOUS from ${points.continuousFrom!.toISOString()}`,
    );
    expect(await p.database.lastBackup()).toBeUndefined();
  });

  test('traffic: describe, switch to DR (endpoint changes visible in the profile and in the served answer), re-run changes nothing', async () => {
    const stack = world.stack('azure');
    const before = await p.traffic.describe();
    expect(before.active).toBe('primary');
    expect(before.values).toEqual([AZ.targets.primary]);
    expect(before.ttl).toBe(60);

    const op = await p.traffic.switchTo('dr', 30);
    expect(op.description).toMatch(/primary-endpoint Disabled/);
    const { last } = await pollUntilDone(() => p.traffic.poll(op));
    expect(last.done).toBe(true);
    const after = await p.traffic.describe();
    expect(after.active).toBe('dr');
    expect(after.ttl).toBe(30);
    const eps = (after.detail?.endpoints as { name: string; status: string }[]).map(
      (e) => `${e.name}=${e.status}`,
    );
    expect(eps).toEqual(['primary-endpoint=Disabled', 'dr-endpoint=Enabled']);
    await pollUntilDone(async () => ({ done: stack.traffic.record.values[0] === AZ.targets.dr }));
    expect(stack.traffic.record.values).toEqual([AZ.targets.dr]);

    const mutations = world.monitor.mutations.length;
    const again = await p.traffic.switchTo('dr', 30);
    expect(again.description).toMatch(/nothing changed/);
    expect(world.monitor.mutations.length).toBe(mutations);
    expect(p.traffic.expectation('dr')).toEqual({ name: AZ.record, type: 'CNAME', value: AZ.targets.dr });

    // and back to the primary: enable it first, then disable DR
    const back = await p.traffic.switchTo('primary', 30);
    await pollUntilDone(() => p.traffic.poll(back));
    const ops = world.monitor.mutations.slice(mutations).map((m) => m.target);
    expect(ops).toEqual([
      `${AZ.trafficManager.profile}/primary-endpoint`,
      `${AZ.trafficManager.profile}/dr-endpoint`,
    ]);
  });

  test('traffic: a throttled endpoint update is classified throttled', async () => {
    faults.add({
      service: 'arm',
      operation: 'Endpoints_Update',
      kind: 'throttle',
      nth: 1,
      retryAfterSeconds: 5,
    });
    const err = await p.traffic.switchTo('dr', 60).catch((e: unknown) => e);
    const c = classify(err);
    expect(c.kind).toBe('throttled');
    expect(c.retryAfterMs).toBe(5000);
  });

  test('without an endpoint override the adapters use the public ARM endpoint and the stock bearer policy (DefaultAzureCredential)', () => {
    const stack = azureStack(svc.url);
    delete stack.endpoints;
    const conn = armConnection(undefined);
    expect(conn.endpoint).toBe('https://management.azure.com');
    expect(conn.insecure).toBe(false);
    expect(conn.credential.constructor.name).toBe('DefaultAzureCredential');
    const providers = createAzureProviders(stack);
    const policies = (providers.database as AzureDatabase).client.pipeline
      .getOrderedPolicies()
      .map((x) => x.name);
    expect(policies).toContain('bearerTokenAuthenticationPolicy');
    const sandbox = (p.database as AzureDatabase).client.pipeline.getOrderedPolicies().map((x) => x.name);
    expect(sandbox).not.toContain('bearerTokenAuthenticationPolicy');
    expect(sandbox).toContain('aegisSandboxBearerPolicy');
  });

  test('endpointType accepts any case and refuses unknown types', () => {
    expect(endpointType('azureEndpoints')).toBe('AzureEndpoints');
    expect(() => endpointType('cdnEndpoints')).toThrow(/traffic.endpointType/);
  });

  test('node pool: describe, resize to active, pending while nodes boot, then done', async () => {
    const d = await p.nodePool.describe('dr');
    expect(d).toEqual({ desired: 3, min: 3, max: 10, status: 'Succeeded', busy: false });
    const release = holdClock(world);
    const op: Operation = await p.nodePool.resize('dr', { min: 3, max: 10, desired: 6 });
    const during = await p.nodePool.describe('dr');
    expect(during.busy).toBe(true);
    expect(during.status).toBe('Scaling');
    expect((await p.nodePool.poll('dr', op)).done).toBe(false);
    release();
    const { last } = await pollUntilDone(() => p.nodePool.poll('dr', op));
    expect(last.done).toBe(true);
    expect(world.stack('azure').sites.dr.cluster.nodes.filter((n) => n.ready)).toHaveLength(6);
    // a fresh provider confirms from the pool itself
    const fresh = createAzureProviders(azureStack(svc.url));
    expect((await fresh.nodePool.poll('dr', op)).done).toBe(true);
  });

  test('node pool: the resize sends the whole pool back (labels, taints, subnet, surge kept) and, with the autoscaler on, moves minCount so the size holds', async () => {
    const client = (p.nodePool as AzureNodePool).client;
    const get = () => client.agentPools.get(AZ.resourceGroups.dr, AZ.clusters.dr, AZ.pool);
    const before = await get();
    const op = await p.nodePool.resize('dr', { min: 3, max: 10, desired: 6 });
    expect((await pollUntilDone(() => p.nodePool.poll('dr', op))).last.done).toBe(true);
    const after = await get();
    expect(after).toMatchObject({
      count: 6,
      enableAutoScaling: true,
      minCount: 6,
      maxCount: 10,
      vnetSubnetID: before.vnetSubnetID,
      nodeLabels: before.nodeLabels,
      nodeTaints: before.nodeTaints,
      upgradeSettings: before.upgradeSettings,
      maxPods: before.maxPods,
    });
    // the autoscaler's scale-down-unneeded-time passes: the size holds at the new minimum
    const t = Date.now();
    await until(
      async () => Date.now(),
      (now) => now - t > world.realMs(3 * AKS_SCALE_DOWN_UNNEEDED_S),
    );
    expect((await p.nodePool.describe('dr')).desired).toBe(6);
  });

  test('node pool: a down region fails transiently, a bad size is refused without a call', async () => {
    await expect(p.nodePool.resize('dr', { min: 3, max: 10, desired: 11 })).rejects.toThrow(
      /min <= desired <= max/,
    );
    world.stack('azure').sites.dr.up = false;
    const err = await p.nodePool.describe('dr').catch((e: unknown) => e);
    expect(classify(err).kind).toBe('transient');
    expect(world.monitor.mutations).toHaveLength(0);
  });

  test('busy is read from the cloud: a fresh process sees a failover another one started', async () => {
    const release = holdClock(world);
    const op = await p.database.failover('dr', 'planned');
    expect((await p.database.poll(op)).done).toBe(false);
    forgetTrackedOperations(); // the process that started it died
    const fresh = createAzureProviders(azureStack(svc.url));
    const s = await fresh.database.describe();
    expect(s.busy).toBe(true);
    expect(s.status).toBe('failing-over');
    expect(s.writer).toBe('primary');
    expect(s.raw?.operationInProgress).toMatch(/FailoverGroupFailover .*\(InProgress/);
    release();
    for (let i = 0; i < 500 && (await fresh.database.describe()).busy; i++)
      await new Promise((r) => setTimeout(r, 10));
    const after = await fresh.database.describe();
    expect(after).toMatchObject({ busy: false, writer: 'dr', status: 'available' });
  });

  test('the database step of a second process waits for the failover under way and starts none', async () => {
    const release = holdClock(world);
    await p.database.failover('dr', 'planned');
    forgetTrackedOperations();
    const stack = azureStack(svc.url);
    const fresh = createAzureProviders(stack);
    let busySeen = 0;
    let failoverCalls = 0;
    const database = {
      describe: async () => {
        const s = await fresh.database.describe();
        // the phase probes once, then the step observes: release the world after both saw it busy
        if (s.busy && ++busySeen === 2) release();
        return s;
      },
      lastBackup: () => fresh.database.lastBackup(),
      failover: (...a: Parameters<CloudProviders['database']['failover']>) => {
        failoverCalls++;
        return fresh.database.failover(...a);
      },
      poll: (o: Operation) => fresh.database.poll(o),
    };
    const journal = new Journal();
    const ctx = {
      plan: { stack: () => stack, limits: { deadlinesMs: { database: 30_000 } }, doc: {} } as unknown as Plan,
      stacks: ['azure'],
      run: createContext(journal, { poll: { minMs: 5, maxMs: 20, fraction: 0.1 } }),
      env: { providers: async () => ({ ...fresh, database }) },
      inputs: {},
    } as unknown as PhaseContext;
    const rows = await failoverDatabase(ctx, 'database', 'azure', 'dr', 'planned');
    expect(rows[0]).toMatchObject({ item: 'Database', status: 'done' });
    expect(failoverCalls).toBe(0);
    expect(journal.records.at(-1)).toMatchObject({
      step: 'failover',
      outcome: 'done',
      action: expect.stringMatching(/^waited for .*\(already under way\)$/),
      before: { writer: 'primary', status: 'failing-over' },
      after: { writer: 'dr', status: 'available' },
    });
    const starts = world.monitor.mutations.filter((m) =>
      /^FailoverGroups_(Force)?Failover/.test(m.operation),
    );
    expect(starts).toHaveLength(1);
    expect(world.monitor.failovers.get(AZ.sql.failoverGroup)).toBe(1);
  });
});
