/**
 * The emulated ARM through the official Azure SDK clients over HTTP on loopback: failover groups
 * (both LRO styles, planned vs forced during a primary outage), Traffic Manager endpoints and the
 * served answer after propagation, AKS agent pool scaling as an LRO, throttling and region outages.
 */
import { type AgentPool, ContainerServiceClient } from '@azure/arm-containerservice';
import { SqlManagementClient } from '@azure/arm-sql';
import { TrafficManagerManagementClient } from '@azure/arm-trafficmanager';
import { classify, wrapSdkError } from '../../src/engine/errors.js';
import { armClientOptions, armConnection, secureClient } from '../../src/providers/azure/credentials.js';
import { armService, routeArm } from '../../src/sandbox/azure/arm.js';
import { SANDBOX_SUBSCRIPTION, TOPOLOGY, createEstate } from '../../src/sandbox/estate.js';
import { FaultRegistry } from '../../src/sandbox/faults.js';
import { type RunningService, startService } from '../../src/sandbox/http.js';
import { World } from '../../src/sandbox/world.js';

const AZ = TOPOLOGY.azure;
const FOG = AZ.sql.failoverGroup;
const POLL = { updateIntervalInMs: 10 };

/** Freeze the world's clock (no transition becomes due) until the returned function releases it, so "pending" is observed deterministically. */
function holdClock(world: World): () => void {
  const t0 = Date.now();
  world.now = () => t0;
  return () => {
    world.now = () => Date.now() + 3_600_000;
  };
}

async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('sandbox ARM emulator via the Azure SDKs', () => {
  let world: World;
  let faults: FaultRegistry;
  let svc: RunningService;
  let sql: SqlManagementClient;
  let tm: TrafficManagerManagementClient;
  let aks: ContainerServiceClient;

  beforeEach(async () => {
    world = createEstate(new World({ speed: 2000, seed: 7 }), ['azure']);
    world.start(5);
    faults = new FaultRegistry();
    svc = await startService(armService(), { world, faults });
    const conn = armConnection(svc.url);
    const opts = armClientOptions(conn);
    sql = secureClient(new SqlManagementClient(conn.credential, SANDBOX_SUBSCRIPTION, opts), conn);
    tm = secureClient(new TrafficManagerManagementClient(conn.credential, SANDBOX_SUBSCRIPTION, opts), conn);
    aks = secureClient(new ContainerServiceClient(conn.credential, SANDBOX_SUBSCRIPTION, opts), conn);
  });

  afterEach(async () => {
    world.stop();
    await svc.close();
  });

  test('routes ARM paths to operation ids', () => {
    const fogPath = `/subscriptions/${SANDBOX_SUBSCRIPTION}/resourceGroups/aegis-dr-rg/providers/Microsoft.Sql/servers/aegis-dr-sql/failoverGroups/aegis-fog`;
    expect(routeArm('GET', fogPath).op).toBe('FailoverGroups_Get');
    expect(routeArm('POST', `${fogPath}/failover`).op).toBe('FailoverGroups_Failover');
    expect(routeArm('DELETE', fogPath).op).toBe('Unknown');
    const ep = `/subscriptions/${SANDBOX_SUBSCRIPTION}/resourceGroups/aegis-rg/providers/Microsoft.Network/trafficmanagerprofiles/aegis-tm/azureEndpoints/primary-endpoint`;
    expect(routeArm('PATCH', ep).op).toBe('Endpoints_Update');
    expect(routeArm('PUT', ep).op).toBe('Endpoints_CreateOrUpdate');
  });

  test('failover group reads show roles, replication state and partner from either server', async () => {
    const fromDr = await sql.failoverGroups.get(AZ.resourceGroups.dr, AZ.sql.servers.dr, FOG);
    expect(fromDr.replicationRole).toBe('Secondary');
    expect(fromDr.replicationState).toBe('CATCH_UP');
    expect(fromDr.partnerServers?.[0].replicationRole).toBe('Primary');
    expect(fromDr.partnerServers?.[0].id).toContain(`/servers/${AZ.sql.servers.primary}`);
    expect(fromDr.readWriteEndpoint?.failoverPolicy).toBe('Manual');
    const fromPrimary = await sql.failoverGroups.get(AZ.resourceGroups.primary, AZ.sql.servers.primary, FOG);
    expect(fromPrimary.replicationRole).toBe('Primary');
    expect(world.monitor.mutations).toHaveLength(0);
  });

  test('unknown failover group is a ResourceNotFound error', async () => {
    const err = await sql.failoverGroups
      .get(AZ.resourceGroups.dr, AZ.sql.servers.dr, 'nope')
      .catch((e: unknown) => e);
    expect((err as { statusCode: number }).statusCode).toBe(404);
    expect((err as { code: string }).code).toBe('ResourceNotFound');
  });

  test('planned failover: beginFailover poller is pending, then done; writer flips and the old primary is fenced', async () => {
    const release = holdClock(world);
    const poller = await sql.failoverGroups.beginFailover(AZ.resourceGroups.dr, AZ.sql.servers.dr, FOG, POLL);
    await poller.poll();
    expect(poller.isDone()).toBe(false);
    expect(world.stack('azure').database.status).toBe('failing-over');
    expect(world.stack('azure').database.writer).toBe('primary');
    release();
    const result = await poller.pollUntilDone();
    expect(result.replicationRole).toBe('Primary');
    const db = world.stack('azure').database;
    expect(db.writer).toBe('dr');
    expect(db.writable).toEqual({ primary: false, dr: true });
    expect(world.monitor.failovers.get(FOG)).toBe(1);
    expect(world.monitor.mutations.map((m) => m.operation)).toEqual(['FailoverGroups_Failover']);
    // failing over to the server that is already primary is a no-op success
    const again = await sql.failoverGroups.beginFailoverAndWait(
      AZ.resourceGroups.dr,
      AZ.sql.servers.dr,
      FOG,
      POLL,
    );
    expect(again.replicationRole).toBe('Primary');
    expect(world.monitor.failovers.get(FOG)).toBe(1);
  });

  test('beginFailoverAndWait and a poller resumed from its serialized state both work', async () => {
    const poller = await sql.failoverGroups.beginFailover(AZ.resourceGroups.dr, AZ.sql.servers.dr, FOG, POLL);
    const saved = poller.toString();
    const resumed = await sql.failoverGroups.beginFailover(AZ.resourceGroups.dr, AZ.sql.servers.dr, FOG, {
      ...POLL,
      resumeFrom: saved,
    });
    await resumed.pollUntilDone();
    expect(world.stack('azure').database.writer).toBe('dr');
    expect(world.monitor.failovers.get(FOG)).toBe(1);
    // and back again with the AndWait form from the primary server
    const back = await sql.failoverGroups.beginFailoverAndWait(
      AZ.resourceGroups.primary,
      AZ.sql.servers.primary,
      FOG,
      POLL,
    );
    expect(back.replicationRole).toBe('Primary');
    expect(world.stack('azure').database.writer).toBe('primary');
    expect(world.monitor.failovers.get(FOG)).toBe(2);
  });

  test('primary region outage: reads of the primary fail 503, the DR server answers, planned failover fails with the roles unchanged, forced works', async () => {
    world.stack('azure').sites.primary.up = false;
    const primaryRead = await sql.failoverGroups
      .get(AZ.resourceGroups.primary, AZ.sql.servers.primary, FOG)
      .catch((e: unknown) => e);
    expect((primaryRead as { statusCode: number }).statusCode).toBe(503);
    expect(classify(wrapSdkError('arm', 'FailoverGroups_Get', primaryRead)).kind).toBe('transient');
    const fromDr = await sql.failoverGroups.get(AZ.resourceGroups.dr, AZ.sql.servers.dr, FOG);
    expect(fromDr.replicationRole).toBe('Secondary');
    expect(fromDr.replicationState).toBe('SUSPENDED');

    const planned = await sql.failoverGroups
      .beginFailoverAndWait(AZ.resourceGroups.dr, AZ.sql.servers.dr, FOG, POLL)
      .catch((e: unknown) => e);
    // accepted, then the operation fails: it cannot synchronize with an unreachable primary
    expect((planned as Error).message).toMatch(/FailoverGroupPrimaryUnreachable/);
    expect((planned as Error).message).toMatch(/forceFailoverAllowDataLoss/);
    expect(world.stack('azure').database.writer).toBe('primary');

    const release = holdClock(world);
    const forced = await sql.failoverGroups.beginForceFailoverAllowDataLoss(
      AZ.resourceGroups.dr,
      AZ.sql.servers.dr,
      FOG,
      POLL,
    );
    expect(forced.isDone()).toBe(false);
    release();
    await forced.pollUntilDone();
    expect(world.stack('azure').database.writer).toBe('dr');
    expect(world.stack('azure').database.writable.primary).toBe(false);
    expect(world.monitor.failovers.get(FOG)).toBe(1);
  });

  test('a planned failover whose primary goes down before it completes fails with a clear message', async () => {
    // hold the world's clock so the failover cannot finish before the primary goes down
    const release = holdClock(world);
    const poller = await sql.failoverGroups.beginFailover(AZ.resourceGroups.dr, AZ.sql.servers.dr, FOG, POLL);
    expect(poller.isDone()).toBe(false);
    world.stack('azure').sites.primary.up = false;
    release();
    const err = await poller.pollUntilDone().catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/FailoverGroupPrimaryUnreachable/);
    expect(world.stack('azure').database.writer).toBe('primary');
    expect(world.monitor.failovers.get(FOG)).toBeUndefined();
  });

  test('an Azure SQL Database lists one CONTINUOUS restore point, opening a 7-day window, and no DISCRETE ones', async () => {
    const week = 7 * 86400 * 1000;
    const from = world.now() - week;
    const points = [];
    for await (const p of sql.restorePoints.listByDatabase(
      AZ.resourceGroups.primary,
      AZ.sql.servers.primary,
      AZ.sql.database,
    ))
      points.push(p);
    expect(points.map((p) => p.restorePointType)).toEqual(['CONTINUOUS']);
    expect(points[0].restorePointCreationDate).toBeUndefined();
    const earliest = points[0].earliestRestoreDate!.getTime();
    expect(earliest).toBeGreaterThanOrEqual(from);
    expect(earliest).toBeLessThanOrEqual(world.now() - week);
  });

  test('throttling is a 429 TooManyRequests with Retry-After, classified throttled through the SDK', async () => {
    faults.add({
      service: 'arm',
      operation: 'FailoverGroups_Get',
      kind: 'throttle',
      nth: 1,
      retryAfterSeconds: 7,
    });
    const err = await sql.failoverGroups
      .get(AZ.resourceGroups.dr, AZ.sql.servers.dr, FOG)
      .catch((e: unknown) => e);
    const wrapped = wrapSdkError('arm', 'FailoverGroups_Get', err);
    expect(wrapped.status).toBe(429);
    expect(wrapped.code).toBe('TooManyRequests');
    const c = classify(wrapped);
    expect(c.kind).toBe('throttled');
    expect(c.retryAfterMs).toBe(7000);
    // the next call goes through
    await expect(sql.failoverGroups.get(AZ.resourceGroups.dr, AZ.sql.servers.dr, FOG)).resolves.toBeDefined();
  });

  test('throttling through the modular container service client is classified throttled too', async () => {
    faults.add({
      service: 'arm',
      operation: 'AgentPools_Get',
      kind: 'throttle',
      nth: 1,
      retryAfterSeconds: 3,
    });
    const err = await aks.agentPools
      .get(AZ.resourceGroups.dr, AZ.clusters.dr, AZ.pool)
      .catch((e: unknown) => e);
    const c = classify(wrapSdkError('arm', 'AgentPools_Get', err));
    expect(c.kind).toBe('throttled');
    expect(c.retryAfterMs).toBe(3000);
  });

  test('Traffic Manager: profile shows endpoints; disabling the primary moves the served answer to DR after propagation', async () => {
    const stack = world.stack('azure');
    const profile = await tm.profiles.get(AZ.trafficManager.resourceGroup, AZ.trafficManager.profile);
    expect(profile.dnsConfig?.fqdn).toBe(AZ.trafficManager.fqdn);
    expect(profile.dnsConfig?.ttl).toBe(stack.traffic.record.ttl);
    expect(profile.trafficRoutingMethod).toBe('Priority');
    const byName = Object.fromEntries((profile.endpoints ?? []).map((e) => [e.name, e]));
    expect(byName['primary-endpoint'].endpointStatus).toBe('Enabled');
    expect(byName['primary-endpoint'].priority).toBe(1);
    expect(byName['primary-endpoint'].target).toBe(AZ.targets.primary);
    expect(byName['dr-endpoint'].endpointMonitorStatus).toBe('Online');

    const updated = await tm.endpoints.update(
      AZ.trafficManager.resourceGroup,
      AZ.trafficManager.profile,
      'AzureEndpoints',
      AZ.trafficManager.endpoints.primary,
      { endpointStatus: 'Disabled' },
    );
    expect(updated.endpointStatus).toBe('Disabled');
    const after = await tm.profiles.get(AZ.trafficManager.resourceGroup, AZ.trafficManager.profile);
    expect(after.endpoints?.find((e) => e.name === 'primary-endpoint')?.endpointStatus).toBe('Disabled');
    await until(
      () => stack.traffic.record.values[0] === AZ.targets.dr,
      'the served answer to follow the profile',
    );
    expect(world.monitor.mutations.map((m) => m.operation)).toEqual(['Endpoints_Update']);

    const ep = await tm.endpoints.get(
      AZ.trafficManager.resourceGroup,
      AZ.trafficManager.profile,
      'AzureEndpoints',
      'primary-endpoint',
    );
    expect(ep.endpointStatus).toBe('Disabled');
    // createOrUpdate (PUT) enables it again; the answer goes back to the primary
    await tm.endpoints.createOrUpdate(
      AZ.trafficManager.resourceGroup,
      AZ.trafficManager.profile,
      'AzureEndpoints',
      'primary-endpoint',
      {
        target: AZ.targets.primary,
        endpointStatus: 'Enabled',
        priority: 1,
      },
    );
    await until(
      () => stack.traffic.record.values[0] === AZ.targets.primary,
      'the answer to return to the primary',
    );
  });

  test('Traffic Manager rejects a bad endpoint status and an unknown endpoint', async () => {
    const bad = await tm.endpoints
      .update(
        AZ.trafficManager.resourceGroup,
        AZ.trafficManager.profile,
        'AzureEndpoints',
        'primary-endpoint',
        { endpointStatus: 'Off' },
      )
      .catch((e: unknown) => e);
    expect((bad as { statusCode: number }).statusCode).toBe(400);
    expect((bad as Error).message).toMatch(/endpointStatus/);
    const missing = await tm.endpoints
      .get(AZ.trafficManager.resourceGroup, AZ.trafficManager.profile, 'AzureEndpoints', 'nope')
      .catch((e: unknown) => e);
    expect((missing as { statusCode: number }).statusCode).toBe(404);
    expect(world.monitor.mutations).toHaveLength(0);
  });

  /** The pool as GET returns it, with `count` (and the autoscaler's bounds) changed: what `az aks nodepool scale` sends. */
  async function poolWith(site: 'primary' | 'dr', change: Partial<AgentPool>): Promise<AgentPool> {
    const current = await aks.agentPools.get(AZ.resourceGroups[site], AZ.clusters[site], AZ.pool);
    return { ...current, ...change };
  }

  test('AKS agent pool: get, then a scale-up of the whole pool is an LRO that stays Scaling until the new nodes are Ready', async () => {
    const pool = await aks.agentPools.get(AZ.resourceGroups.dr, AZ.clusters.dr, AZ.pool);
    expect(pool).toMatchObject({
      count: 3,
      enableAutoScaling: true,
      minCount: 3,
      maxCount: 10,
      provisioningState: 'Succeeded',
      mode: 'User',
      vmSize: 'Standard_D4s_v5',
      maxPods: 110,
      nodeLabels: { 'aegis.io/tier': 'api' },
      nodeTaints: ['aegis.io/dedicated=api:PreferNoSchedule'],
      upgradeSettings: { maxSurge: '33%' },
    });
    expect(pool.vnetSubnetID).toMatch(/\/subnets\/aks-nodes$/);

    const release = holdClock(world);
    const poller = aks.agentPools.createOrUpdate(
      AZ.resourceGroups.dr,
      AZ.clusters.dr,
      AZ.pool,
      await poolWith('dr', { count: 6, minCount: 6 }),
      POLL,
    );
    await poller.submitted();
    const during = await aks.agentPools.get(AZ.resourceGroups.dr, AZ.clusters.dr, AZ.pool);
    expect(during.provisioningState).toBe('Scaling');
    expect(during.count).toBe(6);
    await poller.poll();
    expect(poller.isDone).toBe(false);
    release();
    await poller.pollUntilDone();
    const site = world.stack('azure').sites.dr;
    expect(site.cluster.nodes.filter((n) => n.ready)).toHaveLength(6);
    const done = await aks.agentPools.get(AZ.resourceGroups.dr, AZ.clusters.dr, AZ.pool);
    expect(done).toMatchObject({
      provisioningState: 'Succeeded',
      nodeLabels: { 'aegis.io/tier': 'api' },
      nodeTaints: ['aegis.io/dedicated=api:PreferNoSchedule'],
    });
    expect(world.monitor.mutations.map((m) => m.operation)).toEqual(['AgentPools_CreateOrUpdate']);
  });

  test('AKS: a PUT replaces the pool: an omitted immutable property is refused by name, omitted mutable ones are reset', async () => {
    const subset = await aks.agentPools
      .beginCreateOrUpdateAndWait(
        AZ.resourceGroups.dr,
        AZ.clusters.dr,
        AZ.pool,
        {
          count: 4,
          vmSize: 'Standard_D4s_v5',
          osType: 'Linux',
          enableAutoScaling: true,
          minCount: 3,
          maxCount: 10,
        },
        POLL,
      )
      .catch((e: unknown) => e);
    expect((subset as { statusCode: number }).statusCode).toBe(400);
    expect((subset as { code: string }).code).toBe('PropertyChangeNotAllowed');
    expect((subset as Error).message).toMatch(
      /Changing property '(osSKU|osDiskSizeGB|maxPods|vnetSubnetID|type|availabilityZones)' is not allowed/,
    );
    expect(world.monitor.mutations).toHaveLength(0);

    const full = await poolWith('dr', {});
    const { nodeLabels: _l, nodeTaints: _t, upgradeSettings: _u, ...withoutMutable } = full;
    await aks.agentPools.beginCreateOrUpdateAndWait(
      AZ.resourceGroups.dr,
      AZ.clusters.dr,
      AZ.pool,
      withoutMutable,
      POLL,
    );
    const after = await aks.agentPools.get(AZ.resourceGroups.dr, AZ.clusters.dr, AZ.pool);
    expect(after.nodeLabels ?? {}).toEqual({});
    expect(after.nodeTaints ?? []).toEqual([]);
    expect(after.upgradeSettings?.maxSurge).toBeUndefined();
  });

  test('AKS: with the autoscaler on, a count above what the pods need is taken back to minCount after scale-down-unneeded-time', async () => {
    await aks.agentPools.beginCreateOrUpdateAndWait(
      AZ.resourceGroups.dr,
      AZ.clusters.dr,
      AZ.pool,
      await poolWith('dr', { count: 6 }),
      POLL,
    );
    const site = world.stack('azure').sites.dr;
    // 2 standby replicas need one node; minCount 3 keeps three
    await until(() => site.pool.desired === 3, 'the autoscaler to scale the pool down to minCount');
    await until(() => site.cluster.nodes.length === 3, 'the unneeded nodes to go');
    // moving minCount is what holds the size
    await aks.agentPools.beginCreateOrUpdateAndWait(
      AZ.resourceGroups.dr,
      AZ.clusters.dr,
      AZ.pool,
      await poolWith('dr', { count: 6, minCount: 6 }),
      POLL,
    );
    const held = Date.now();
    await until(() => Date.now() - held > world.realMs(3 * 600), 'three scale-down-unneeded-times');
    expect(site.pool.desired).toBe(6);
  });

  test('AKS: a down region fails the cluster calls; the other region keeps working', async () => {
    await aks.agentPools.beginCreateOrUpdateAndWait(
      AZ.resourceGroups.primary,
      AZ.clusters.primary,
      AZ.pool,
      await poolWith('primary', { count: 7 }),
      POLL,
    );
    expect(world.stack('azure').sites.primary.pool.desired).toBe(7);
    world.stack('azure').sites.primary.up = false;
    const err = await aks.agentPools
      .get(AZ.resourceGroups.primary, AZ.clusters.primary, AZ.pool)
      .catch((e: unknown) => e);
    expect((err as { statusCode: number }).statusCode).toBe(503);
    await expect(aks.agentPools.get(AZ.resourceGroups.dr, AZ.clusters.dr, AZ.pool)).resolves.toBeDefined();
  });

  test('AKS rejects a bad count with a sentence naming the field', async () => {
    const err = await aks.agentPools
      .beginCreateOrUpdateAndWait(AZ.resourceGroups.dr, AZ.clusters.dr, AZ.pool, { count: -1 }, POLL)
      .catch((e: unknown) => e);
    expect((err as { statusCode: number }).statusCode).toBe(400);
    expect((err as Error).message).toMatch(/properties\.count/);
  });

  test('requests without a bearer token are refused', async () => {
    const res = await fetch(
      `${svc.url}/subscriptions/${SANDBOX_SUBSCRIPTION}/resourceGroups/aegis-rg/providers/Microsoft.Network/trafficmanagerprofiles/aegis-tm?api-version=2022-04-01`,
    );
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('AuthenticationFailed');
  });
});
