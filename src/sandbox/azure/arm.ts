/**
 * The emulated Azure Resource Manager: one loopback server for the ARM calls the DR runbook makes
 * (`az sql failover-group set-primary/show`, `az network traffic-manager endpoint update / profile
 * show`, `az aks nodepool scale`), speaking the wire format of the official SDKs:
 *
 * - Microsoft.Sql failover groups (api-version 2020-11-01-preview as @azure/arm-sql sends it):
 *   GET the group from either server, POST `failover` / `forceFailoverAllowDataLoss` as long-running
 *   operations (202 + `Azure-AsyncOperation` + `Location`), the database's `restorePoints`, and its
 *   management `operations` (`az sql db op list`), where a running group failover shows InProgress.
 * - Microsoft.Network Traffic Manager profiles and endpoints (GET, PATCH, PUT).
 * - Microsoft.ContainerService agent pools (GET, PUT as a long-running operation).
 *
 * Every ARM call needs an `api-version` and a `Authorization: Bearer` header, as the real service.
 * Calls that concern a resource in a region that is down fail with 503; Traffic Manager is global.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { SiteName } from '../../plan/types.js';
import { SANDBOX_SUBSCRIPTION, TOPOLOGY } from '../estate.js';
import type { FaultHit } from '../faults.js';
import { type ServiceContext, type ServiceDef, type ServiceRequest, send } from '../http.js';
import { DURATIONS, SITES, type SiteWorld, type StackWorld, type World } from '../world.js';

const AZ = TOPOLOGY.azure;
/** api-version that @azure/arm-sql 10 sends for failover groups and restore points. */
export const SQL_API_VERSION = '2020-11-01-preview';
/** api-version that @azure/arm-trafficmanager 6 sends. */
export const TRAFFIC_MANAGER_API_VERSION = '2022-04-01';
/** api-version that @azure/arm-containerservice 25 sends. */
export const CONTAINER_SERVICE_API_VERSION = '2026-04-01';

/** ARM operation ids (as in the REST API reference), used as fault operation names and in the mutation log. */
export type ArmOperation =
  | 'FailoverGroups_Get'
  | 'FailoverGroups_Failover'
  | 'FailoverGroups_ForceFailoverAllowDataLoss'
  | 'FailoverGroups_AsyncOperation'
  | 'FailoverGroups_OperationResult'
  | 'RestorePoints_ListByDatabase'
  | 'DatabaseOperations_ListByDatabase'
  | 'Profiles_Get'
  | 'Profiles_Update'
  | 'Endpoints_Get'
  | 'Endpoints_Update'
  | 'Endpoints_CreateOrUpdate'
  | 'AgentPools_Get'
  | 'AgentPools_CreateOrUpdate'
  | 'AgentPools_AsyncOperation'
  | 'Unknown';

interface Route {
  op: ArmOperation;
  /** Path parameters, by name. */
  p: Record<string, string>;
}

const SEG = '([^/]+)';
const ROUTES: { re: RegExp; op: ArmOperation; keys: string[]; method?: string }[] = [
  {
    re: new RegExp(
      `^/subscriptions/${SEG}/resourceGroups/${SEG}/providers/Microsoft\\.Sql/servers/${SEG}/failoverGroups/${SEG}/failover$`,
      'i',
    ),
    op: 'FailoverGroups_Failover',
    keys: ['sub', 'rg', 'server', 'fog'],
    method: 'POST',
  },
  {
    re: new RegExp(
      `^/subscriptions/${SEG}/resourceGroups/${SEG}/providers/Microsoft\\.Sql/servers/${SEG}/failoverGroups/${SEG}/forceFailoverAllowDataLoss$`,
      'i',
    ),
    op: 'FailoverGroups_ForceFailoverAllowDataLoss',
    keys: ['sub', 'rg', 'server', 'fog'],
    method: 'POST',
  },
  {
    re: new RegExp(
      `^/subscriptions/${SEG}/resourceGroups/${SEG}/providers/Microsoft\\.Sql/servers/${SEG}/failoverGroups/${SEG}$`,
      'i',
    ),
    op: 'FailoverGroups_Get',
    keys: ['sub', 'rg', 'server', 'fog'],
    method: 'GET',
  },
  {
    re: new RegExp(
      `^/subscriptions/${SEG}/resourceGroups/${SEG}/providers/Microsoft\\.Sql/servers/${SEG}/databases/${SEG}/restorePoints$`,
      'i',
    ),
    op: 'RestorePoints_ListByDatabase',
    keys: ['sub', 'rg', 'server', 'db'],
    method: 'GET',
  },
  {
    re: new RegExp(
      `^/subscriptions/${SEG}/resourceGroups/${SEG}/providers/Microsoft\\.Sql/servers/${SEG}/databases/${SEG}/operations$`,
      'i',
    ),
    op: 'DatabaseOperations_ListByDatabase',
    keys: ['sub', 'rg', 'server', 'db'],
    method: 'GET',
  },
  {
    re: new RegExp(
      `^/subscriptions/${SEG}/providers/Microsoft\\.Sql/locations/${SEG}/failoverGroupAzureAsyncOperation/${SEG}$`,
      'i',
    ),
    op: 'FailoverGroups_AsyncOperation',
    keys: ['sub', 'location', 'id'],
    method: 'GET',
  },
  {
    re: new RegExp(
      `^/subscriptions/${SEG}/providers/Microsoft\\.Sql/locations/${SEG}/failoverGroupOperationResults/${SEG}$`,
      'i',
    ),
    op: 'FailoverGroups_OperationResult',
    keys: ['sub', 'location', 'id'],
    method: 'GET',
  },
  {
    re: new RegExp(
      `^/subscriptions/${SEG}/resourceGroups/${SEG}/providers/Microsoft\\.Network/trafficmanagerprofiles/${SEG}$`,
      'i',
    ),
    op: 'Profiles_Get',
    keys: ['sub', 'rg', 'profile'],
  },
  {
    re: new RegExp(
      `^/subscriptions/${SEG}/resourceGroups/${SEG}/providers/Microsoft\\.Network/trafficmanagerprofiles/${SEG}/${SEG}/${SEG}$`,
      'i',
    ),
    op: 'Endpoints_Get',
    keys: ['sub', 'rg', 'profile', 'type', 'endpoint'],
  },
  {
    re: new RegExp(
      `^/subscriptions/${SEG}/resourceGroups/${SEG}/providers/Microsoft\\.ContainerService/managedClusters/${SEG}/agentPools/${SEG}$`,
      'i',
    ),
    op: 'AgentPools_Get',
    keys: ['sub', 'rg', 'cluster', 'pool'],
  },
  {
    re: new RegExp(
      `^/subscriptions/${SEG}/providers/Microsoft\\.ContainerService/locations/${SEG}/operations/${SEG}$`,
      'i',
    ),
    op: 'AgentPools_AsyncOperation',
    keys: ['sub', 'location', 'id'],
    method: 'GET',
  },
];

/** Find the ARM operation of a request (method-aware for the resources that take several verbs). */
export function routeArm(method: string, path: string): Route {
  for (const r of ROUTES) {
    const m = r.re.exec(path);
    if (!m) continue;
    const p: Record<string, string> = {};
    r.keys.forEach((k, i) => (p[k] = decodeURIComponent(m[i + 1])));
    let op = r.op;
    if (op === 'Profiles_Get' && method === 'PATCH') op = 'Profiles_Update';
    else if (op === 'Endpoints_Get' && method === 'PATCH') op = 'Endpoints_Update';
    else if (op === 'Endpoints_Get' && method === 'PUT') op = 'Endpoints_CreateOrUpdate';
    else if (op === 'AgentPools_Get' && method === 'PUT') op = 'AgentPools_CreateOrUpdate';
    else if (r.method && r.method !== method) return { op: 'Unknown', p };
    else if (!r.method && method !== 'GET') return { op: 'Unknown', p };
    return { op, p };
  }
  return { op: 'Unknown', p: {} };
}

/** A long-running operation the emulator tracks (failover group failover, agent pool scale). */
interface ArmLro {
  id: string;
  kind: 'sql' | 'aks';
  location: string;
  site: SiteName;
  status: 'InProgress' | 'Succeeded' | 'Failed';
  startTime: string;
  endTime?: string;
  error?: { code: string; message: string };
  /** For sql: the server the group was failed over to (the final GET reads the group from it). */
  server?: string;
  /** For aks: the pool update record's id. */
  updateId?: string;
  /** For sql: forceFailoverAllowDataLoss rather than a planned failover. */
  forced?: boolean;
}

class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const eq = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

function renderArmError(
  res: http.ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  send(res, status, { error: { code, message } }, 'application/json; charset=utf-8', {
    'x-ms-request-id': randomUUID(),
    'x-ms-failure-cause': status >= 500 ? 'service' : 'gateway',
    ...headers,
  });
}

function regionDown(site: SiteWorld, what: string): ArmError {
  return new ArmError(
    503,
    'ServiceUnavailable',
    `The request for ${what} in region '${site.region}' could not be served because the region is unavailable; retry later or act on the resources of the other region.`,
  );
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Target of the endpoint Traffic Manager answers with: highest priority among Enabled endpoints whose site is up (all degraded = all online). */
export function trafficManagerAnswer(stack: StackWorld): string[] {
  const enabled = SITES.filter((s) => stack.traffic.endpointEnabled[s]);
  if (enabled.length === 0) return [];
  const online = enabled.filter((s) => stack.sites[s].up);
  const pick = online[0] ?? enabled[0];
  return [stack.sites[pick].target];
}

/** Options of the emulated ARM service. */
export interface ArmServiceOptions {
  /** Stack of the world that holds the Azure estate (default 'azure'). */
  stack?: string;
}

/**
 * The emulated Azure Resource Manager (service key `arm`), for `startService(armService(), ctx)`.
 * Names come from `TOPOLOGY.azure`; the subscription is `SANDBOX_SUBSCRIPTION`.
 */
export function armService(opts: ArmServiceOptions = {}): ServiceDef {
  const stackName = opts.stack ?? 'azure';
  const lros = new Map<string, ArmLro>();

  function stackOf(world: World): StackWorld {
    const s = world.stacks.get(stackName);
    if (!s)
      throw new ArmError(
        404,
        'SubscriptionNotFound',
        `The sandbox has no Azure stack named '${stackName}'; create the estate with the azure cloud.`,
      );
    return s;
  }

  function checkSubscription(sub: string): void {
    if (!eq(sub, SANDBOX_SUBSCRIPTION)) {
      throw new ArmError(
        404,
        'SubscriptionNotFound',
        `The subscription '${sub}' could not be found; the sandbox subscription is '${SANDBOX_SUBSCRIPTION}'.`,
      );
    }
  }

  function baseUrl(req: ServiceRequest): string {
    return `http://${req.headers.host ?? '127.0.0.1'}`;
  }

  // ---------- Microsoft.Sql ----------

  function sqlSite(rg: string, server: string): SiteName {
    for (const s of SITES) {
      if (eq(AZ.sql.servers[s], server)) {
        if (!eq(AZ.resourceGroups[s], rg)) break;
        return s;
      }
    }
    throw new ArmError(
      404,
      'ResourceNotFound',
      `The Resource 'Microsoft.Sql/servers/${server}' under resource group '${rg}' was not found.`,
    );
  }

  function serverId(site: SiteName): string {
    return `/subscriptions/${SANDBOX_SUBSCRIPTION}/resourceGroups/${AZ.resourceGroups[site]}/providers/Microsoft.Sql/servers/${AZ.sql.servers[site]}`;
  }

  function replicationState(stack: StackWorld): string {
    const db = stack.database;
    if (!db.replicating) return 'PENDING';
    if (!db.replicationHealthy || !stack.sites.primary.up || !stack.sites.dr.up) return 'SUSPENDED';
    return 'CATCH_UP';
  }

  function failoverGroupBody(stack: StackWorld, site: SiteName): object {
    const other: SiteName = site === 'primary' ? 'dr' : 'primary';
    const role = (s: SiteName) => (stack.database.writer === s ? 'Primary' : 'Secondary');
    return {
      id: `${serverId(site)}/failoverGroups/${AZ.sql.failoverGroup}`,
      name: AZ.sql.failoverGroup,
      type: 'Microsoft.Sql/servers/failoverGroups',
      location: stack.sites[site].region,
      tags: {},
      properties: {
        readWriteEndpoint: { failoverPolicy: 'Manual' },
        readOnlyEndpoint: { failoverPolicy: 'Disabled' },
        replicationRole: role(site),
        replicationState: replicationState(stack),
        partnerServers: [
          { id: serverId(other), location: stack.sites[other].region, replicationRole: role(other) },
        ],
        databases: [`${serverId(site)}/databases/${AZ.sql.database}`],
      },
    };
  }

  function checkFog(fog: string, server: string): void {
    if (!eq(fog, AZ.sql.failoverGroup)) {
      throw new ArmError(
        404,
        'ResourceNotFound',
        `The failover group '${fog}' does not exist on server '${server}'.`,
      );
    }
  }

  function startFailover(
    req: ServiceRequest,
    res: http.ServerResponse,
    ctx: ServiceContext,
    r: Route,
    forced: boolean,
  ): void {
    const stack = stackOf(ctx.world);
    const site = sqlSite(r.p.rg, r.p.server);
    checkFog(r.p.fog, r.p.server);
    const s = stack.sites[site];
    if (!s.up) throw regionDown(s, `server '${r.p.server}'`);
    const db = stack.database;
    const opName = forced ? 'FailoverGroups_ForceFailoverAllowDataLoss' : 'FailoverGroups_Failover';
    if (db.status === 'failing-over' && db.busyUntil > ctx.world.now()) {
      throw new ArmError(
        409,
        'FailoverGroupOperationInProgress',
        `Failover group '${AZ.sql.failoverGroup}' already has a failover in progress; wait for it to finish before starting another.`,
      );
    }
    ctx.world.monitor.mutation('arm', opName, `${r.p.server}/${AZ.sql.failoverGroup}`);
    if (db.writer === site) {
      // Azure: failing over to the server that is already primary is a no-op success.
      send(res, 200, failoverGroupBody(stack, site));
      return;
    }
    const oldWriter = db.writer;
    if (!forced && !stack.sites[oldWriter].up) {
      throw new ArmError(
        409,
        'FailoverGroupPrimaryUnreachable',
        `Planned failover of failover group '${AZ.sql.failoverGroup}' to server '${AZ.sql.servers[site]}' cannot proceed because the primary server '${AZ.sql.servers[oldWriter]}' in region '${stack.sites[oldWriter].region}' is unreachable; use forceFailoverAllowDataLoss to fail over with possible data loss.`,
      );
    }
    const ms = ctx.world.duration(DURATIONS.azureFailover);
    const lro: ArmLro = {
      id: randomUUID(),
      kind: 'sql',
      location: s.region,
      site,
      status: 'InProgress',
      startTime: iso(ctx.world.now()),
      server: AZ.sql.servers[site],
      forced,
    };
    lros.set(lro.id, lro);
    db.status = 'failing-over';
    db.busyUntil = ctx.world.now() + ms;
    db.events.push({
      at: ctx.world.now(),
      message: `${forced ? 'Forced' : 'Planned'} failover of ${AZ.sql.failoverGroup} to ${AZ.sql.servers[site]} started`,
    });
    const world = ctx.world;
    world.schedule(ms, () => {
      db.busyUntil = 0;
      db.status = 'available';
      lro.endTime = iso(world.now());
      if (!forced && !stack.sites[oldWriter].up) {
        lro.status = 'Failed';
        lro.error = {
          code: 'FailoverGroupPrimaryUnreachable',
          message: `Planned failover of failover group '${AZ.sql.failoverGroup}' failed because the primary server '${AZ.sql.servers[oldWriter]}' became unreachable; use forceFailoverAllowDataLoss to fail over with possible data loss.`,
        };
        db.events.push({
          at: world.now(),
          message: `Planned failover of ${AZ.sql.failoverGroup} failed: primary unreachable`,
        });
        return;
      }
      db.writer = site;
      db.writable[site] = true;
      db.writable[oldWriter] = false; // failover groups fence the old primary by themselves
      db.writerZone = stack.sites[site].zones[0];
      db.failovers++;
      world.monitor.failover(AZ.sql.failoverGroup);
      db.events.push({
        at: world.now(),
        message: `${forced ? 'Forced' : 'Planned'} failover of ${AZ.sql.failoverGroup} to ${AZ.sql.servers[site]} completed`,
      });
      lro.status = 'Succeeded';
    });
    const base = baseUrl(req);
    const prefix = `${base}/subscriptions/${SANDBOX_SUBSCRIPTION}/providers/Microsoft.Sql/locations/${s.region}`;
    send(res, 202, '', 'application/json', {
      'Azure-AsyncOperation': `${prefix}/failoverGroupAzureAsyncOperation/${lro.id}?api-version=${SQL_API_VERSION}`,
      Location: `${prefix}/failoverGroupOperationResults/${lro.id}?api-version=${SQL_API_VERSION}`,
    });
  }

  function findLro(r: Route, kind: ArmLro['kind'], world: World): ArmLro {
    const lro = lros.get(r.p.id);
    if (!lro || lro.kind !== kind || !eq(lro.location, r.p.location)) {
      throw new ArmError(
        404,
        'ResourceNotFound',
        `The operation '${r.p.id}' was not found in location '${r.p.location}'.`,
      );
    }
    const site = stackOf(world).sites[lro.site];
    if (!site.up) throw regionDown(site, `operation '${lro.id}'`);
    return lro;
  }

  function operationBody(lro: ArmLro): object {
    return {
      id: lro.id,
      name: lro.id,
      status: lro.status,
      startTime: lro.startTime,
      ...(lro.endTime ? { endTime: lro.endTime } : {}),
      ...(lro.error ? { error: lro.error } : {}),
    };
  }

  /**
   * The failover group's database named by a `.../servers/S/databases/D/...` route, on a server
   * whose region is up: its site, the site's state and its resource id; ARM's own 404 otherwise.
   */
  function groupDatabase(ctx: ServiceContext, r: Route): { site: SiteName; s: SiteWorld; dbId: string } {
    const stack = stackOf(ctx.world);
    const site = sqlSite(r.p.rg, r.p.server);
    if (!eq(r.p.db, AZ.sql.database)) {
      throw new ArmError(
        404,
        'ResourceNotFound',
        `The database '${r.p.db}' does not exist on server '${r.p.server}'.`,
      );
    }
    const s = stack.sites[site];
    if (!s.up) throw regionDown(s, `server '${r.p.server}'`);
    return { site, s, dbId: `${serverId(site)}/databases/${AZ.sql.database}` };
  }

  /**
   * `az sql db op list`: the management operations on the group's database, as read from either
   * server. A failover group failover shows on both partners' database while it runs (InProgress),
   * then as Succeeded or Failed, so a process that did not start it can see it under way.
   */
  function databaseOperations(ctx: ServiceContext, r: Route): object {
    const { dbId } = groupDatabase(ctx, r);
    const value = [...lros.values()]
      .filter((l) => l.kind === 'sql')
      .map((l) => ({
        id: `${dbId}/operations/${l.id}`,
        name: l.id,
        type: 'Microsoft.Sql/servers/databases/operations',
        properties: {
          databaseName: AZ.sql.database,
          operation: l.forced ? 'ForcedFailoverGroupFailover' : 'FailoverGroupFailover',
          operationFriendlyName: l.forced ? 'FORCED FAILOVER GROUP FAILOVER' : 'FAILOVER GROUP FAILOVER',
          percentComplete: l.status === 'InProgress' ? 50 : 100,
          serverName: r.p.server,
          startTime: l.startTime,
          state: l.status,
          ...(l.error ? { errorDescription: l.error.message } : {}),
          isUserError: false,
          isCancellable: false,
        },
      }));
    return { value };
  }

  function restorePoints(ctx: ServiceContext, r: Route): object {
    const { s, dbId } = groupDatabase(ctx, r);
    const now = ctx.world.now();
    return {
      value: [
        {
          id: `${dbId}/restorePoints/continuous`,
          name: 'continuous',
          type: 'Microsoft.Sql/servers/databases/restorePoints',
          location: s.region,
          properties: { restorePointType: 'CONTINUOUS', earliestRestoreDate: iso(now - 7 * 86400 * 1000) },
        },
        {
          id: `${dbId}/restorePoints/automated-full`,
          name: 'automated-full',
          type: 'Microsoft.Sql/servers/databases/restorePoints',
          location: s.region,
          properties: {
            restorePointType: 'DISCRETE',
            restorePointCreationDate: iso(stackOf(ctx.world).database.lastBackupAt),
            restorePointLabel: 'automated-full',
          },
        },
      ],
    };
  }

  // ---------- Microsoft.Network Traffic Manager ----------

  function profileId(): string {
    return `/subscriptions/${SANDBOX_SUBSCRIPTION}/resourceGroups/${AZ.trafficManager.resourceGroup}/providers/Microsoft.Network/trafficManagerProfiles/${AZ.trafficManager.profile}`;
  }

  function checkProfile(rg: string, profile: string): void {
    if (!eq(rg, AZ.trafficManager.resourceGroup) || !eq(profile, AZ.trafficManager.profile)) {
      throw new ArmError(
        404,
        'ResourceNotFound',
        `The Resource 'Microsoft.Network/trafficmanagerprofiles/${profile}' under resource group '${rg}' was not found.`,
      );
    }
  }

  function endpointSite(type: string, name: string): SiteName {
    if (eq(type, 'azureEndpoints')) {
      for (const s of SITES) if (eq(AZ.trafficManager.endpoints[s], name)) return s;
    }
    throw new ArmError(
      404,
      'NotFound',
      `The endpoint '${type}/${name}' does not exist in Traffic Manager profile '${AZ.trafficManager.profile}'.`,
    );
  }

  function endpointBody(stack: StackWorld, site: SiteName): object {
    const enabled = stack.traffic.endpointEnabled[site];
    return {
      id: `${profileId()}/azureEndpoints/${AZ.trafficManager.endpoints[site]}`,
      name: AZ.trafficManager.endpoints[site],
      type: 'Microsoft.Network/trafficManagerProfiles/azureEndpoints',
      properties: {
        targetResourceId: `/subscriptions/${SANDBOX_SUBSCRIPTION}/resourceGroups/${AZ.resourceGroups[site]}/providers/Microsoft.Network/publicIPAddresses/aegis-${site}-ip`,
        target: stack.sites[site].target,
        endpointStatus: enabled ? 'Enabled' : 'Disabled',
        weight: 1,
        priority: site === 'primary' ? 1 : 2,
        endpointLocation: stack.sites[site].region,
        endpointMonitorStatus: !enabled ? 'Disabled' : stack.sites[site].up ? 'Online' : 'Degraded',
        alwaysServe: 'Disabled',
      },
    };
  }

  function profileBody(stack: StackWorld): object {
    const endpoints = SITES.map((s) => endpointBody(stack, s));
    const anyOnline = SITES.some((s) => stack.traffic.endpointEnabled[s] && stack.sites[s].up);
    return {
      id: profileId(),
      name: AZ.trafficManager.profile,
      type: 'Microsoft.Network/trafficManagerProfiles',
      location: 'global',
      tags: {},
      properties: {
        profileStatus: 'Enabled',
        trafficRoutingMethod: 'Priority',
        dnsConfig: {
          relativeName: AZ.trafficManager.fqdn.split('.')[0],
          fqdn: AZ.trafficManager.fqdn,
          ttl: stack.traffic.record.ttl,
        },
        monitorConfig: {
          profileMonitorStatus: anyOnline ? 'Online' : 'Degraded',
          protocol: 'HTTPS',
          port: 443,
          path: '/health',
          intervalInSeconds: 30,
          timeoutInSeconds: 10,
          toleratedNumberOfFailures: 3,
        },
        endpoints,
        trafficViewEnrollmentStatus: 'Disabled',
      },
    };
  }

  /** Schedule the served DNS answer to follow the profile after Traffic Manager's propagation time. */
  function propagate(world: World, stack: StackWorld): void {
    const id = randomUUID();
    const ms = world.duration(DURATIONS.trafficManager);
    stack.traffic.changes.set(id, { submittedAt: world.now(), doneAt: world.now() + ms });
    world.schedule(ms, () => {
      stack.traffic.record.values = trafficManagerAnswer(stack);
    });
  }

  function updateEndpoint(req: ServiceRequest, ctx: ServiceContext, r: Route): object {
    const stack = stackOf(ctx.world);
    checkProfile(r.p.rg, r.p.profile);
    const site = endpointSite(r.p.type, r.p.endpoint);
    const body = parseBody(req);
    const props = (body.properties ?? {}) as Record<string, unknown>;
    const status = props.endpointStatus;
    if (status !== undefined && status !== 'Enabled' && status !== 'Disabled') {
      throw new ArmError(
        400,
        'BadRequest',
        `properties.endpointStatus is ${JSON.stringify(status)} for endpoint '${r.p.endpoint}': expected Enabled or Disabled.`,
      );
    }
    if (r.op === 'Endpoints_CreateOrUpdate' && status === undefined) {
      throw new ArmError(
        400,
        'BadRequest',
        `properties.endpointStatus is missing for endpoint '${r.p.endpoint}': expected Enabled or Disabled.`,
      );
    }
    ctx.world.monitor.mutation('arm', r.op, `${AZ.trafficManager.profile}/${r.p.endpoint}`);
    if (status !== undefined) stack.traffic.endpointEnabled[site] = status === 'Enabled';
    propagate(ctx.world, stack);
    return endpointBody(stack, site);
  }

  function updateProfile(req: ServiceRequest, ctx: ServiceContext, r: Route): object {
    const stack = stackOf(ctx.world);
    checkProfile(r.p.rg, r.p.profile);
    const body = parseBody(req);
    const ttl = (
      (body.properties as Record<string, unknown> | undefined)?.dnsConfig as
        Record<string, unknown> | undefined
    )?.ttl;
    if (
      ttl !== undefined &&
      !(Number.isInteger(ttl) && (ttl as number) >= 0 && (ttl as number) <= 2147483647)
    ) {
      throw new ArmError(
        400,
        'BadRequest',
        `properties.dnsConfig.ttl is ${JSON.stringify(ttl)}: expected a whole number of seconds from 0.`,
      );
    }
    ctx.world.monitor.mutation('arm', r.op, AZ.trafficManager.profile);
    if (typeof ttl === 'number') stack.traffic.record.ttl = ttl;
    return profileBody(stack);
  }

  // ---------- Microsoft.ContainerService ----------

  function aksSite(world: World, rg: string, cluster: string, pool: string): SiteWorld {
    const stack = stackOf(world);
    for (const s of SITES) {
      if (eq(AZ.resourceGroups[s], rg) && eq(AZ.clusters[s], cluster)) {
        if (!eq(pool, AZ.pool)) {
          throw new ArmError(
            404,
            'NotFound',
            `The agent pool '${pool}' was not found in managed cluster '${cluster}'.`,
          );
        }
        const site = stack.sites[s];
        if (!site.up) throw regionDown(site, `managed cluster '${cluster}'`);
        return site;
      }
    }
    throw new ArmError(
      404,
      'ResourceNotFound',
      `The Resource 'Microsoft.ContainerService/managedClusters/${cluster}' under resource group '${rg}' was not found.`,
    );
  }

  /** Whether the pool's latest scale is still under way (nodes not yet all present and Ready); settles update records. */
  function scaling(site: SiteWorld): boolean {
    const nodes = site.cluster.nodes;
    const busy = nodes.length !== site.pool.desired || nodes.some((n) => !n.ready);
    if (!busy) for (const u of site.pool.updates) if (u.status === 'InProgress') u.status = 'Successful';
    return busy && site.pool.updates.some((u) => u.status === 'InProgress');
  }

  function poolBody(site: SiteWorld): object {
    const name = site.pool.name;
    const rg = AZ.resourceGroups[site.name];
    return {
      id: `/subscriptions/${SANDBOX_SUBSCRIPTION}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${site.pool.cluster}/agentPools/${name}`,
      name,
      type: 'Microsoft.ContainerService/managedClusters/agentPools',
      properties: {
        count: site.pool.desired,
        vmSize: 'Standard_D4s_v5',
        osDiskSizeGB: 128,
        osType: 'Linux',
        osSKU: 'Ubuntu',
        type: 'VirtualMachineScaleSets',
        mode: 'System',
        maxPods: 110,
        enableAutoScaling: false,
        minCount: site.pool.min,
        maxCount: site.pool.max,
        availabilityZones: [...site.zones],
        provisioningState: scaling(site) ? 'Scaling' : 'Succeeded',
        powerState: { code: 'Running' },
        orchestratorVersion: '1.33',
        currentOrchestratorVersion: '1.33.2',
        nodeImageVersion: 'AKSUbuntu-2204gen2containerd-202611.01.0',
      },
    };
  }

  function putPool(req: ServiceRequest, res: http.ServerResponse, ctx: ServiceContext, r: Route): void {
    const site = aksSite(ctx.world, r.p.rg, r.p.cluster, r.p.pool);
    const body = parseBody(req);
    const props = (body.properties ?? {}) as Record<string, unknown>;
    const count = props.count;
    if (!(Number.isInteger(count) && (count as number) >= 0 && (count as number) <= 1000)) {
      throw new ArmError(
        400,
        'InvalidParameter',
        `properties.count is ${JSON.stringify(count)} for agent pool '${r.p.pool}': expected a whole number of nodes from 0 to 1000.`,
      );
    }
    const auto = props.enableAutoScaling === true;
    const minCount = props.minCount as number | undefined;
    const maxCount = props.maxCount as number | undefined;
    if (auto) {
      if (!(Number.isInteger(minCount) && Number.isInteger(maxCount) && minCount! <= maxCount!)) {
        throw new ArmError(
          400,
          'InvalidParameter',
          `properties.minCount/maxCount are ${JSON.stringify(minCount)}/${JSON.stringify(maxCount)} for agent pool '${r.p.pool}': with enableAutoScaling both must be whole numbers and minCount <= maxCount.`,
        );
      }
      if ((count as number) < minCount! || (count as number) > maxCount!) {
        throw new ArmError(
          400,
          'InvalidParameter',
          `properties.count is ${count} for agent pool '${r.p.pool}': with enableAutoScaling it must lie between minCount ${minCount} and maxCount ${maxCount}.`,
        );
      }
    }
    if (scaling(site)) {
      throw new ArmError(
        409,
        'OperationNotAllowed',
        `Operation is not allowed because there's an in progress scale operation on agent pool '${r.p.pool}' of managed cluster '${r.p.cluster}'; wait for it to finish.`,
      );
    }
    ctx.world.monitor.mutation('arm', 'AgentPools_CreateOrUpdate', `${r.p.cluster}/${r.p.pool}`);
    if (auto) {
      site.pool.min = minCount!;
      site.pool.max = maxCount!;
    }
    const lro: ArmLro = {
      id: randomUUID(),
      kind: 'aks',
      location: site.region,
      site: site.name,
      status: 'InProgress',
      startTime: iso(ctx.world.now()),
    };
    lro.updateId = lro.id;
    lros.set(lro.id, lro);
    site.pool.updates.push({ id: lro.id, status: 'InProgress', at: ctx.world.now() });
    site.pool.desired = count as number;
    ctx.world.settle();
    const headers = {
      'Azure-AsyncOperation': `${baseUrl(req)}/subscriptions/${SANDBOX_SUBSCRIPTION}/providers/Microsoft.ContainerService/locations/${site.region}/operations/${lro.id}?api-version=${CONTAINER_SERVICE_API_VERSION}`,
    };
    send(res, 200, poolBody(site), 'application/json', headers);
  }

  function aksOperation(ctx: ServiceContext, r: Route): object {
    const lro = findLro(r, 'aks', ctx.world);
    const site = stackOf(ctx.world).sites[lro.site];
    const update = site.pool.updates.find((u) => u.id === lro.updateId);
    scaling(site);
    if (lro.status === 'InProgress' && update && update.status !== 'InProgress') {
      lro.status = update.status === 'Successful' ? 'Succeeded' : 'Failed';
      lro.endTime = iso(ctx.world.now());
    }
    return operationBody(lro);
  }

  // ---------- service ----------

  return {
    name: 'arm',
    operation(req) {
      return routeArm(req.method, req.path).op;
    },
    handle(req, res, ctx) {
      const r = routeArm(req.method, req.path);
      try {
        if (r.op === 'Unknown') {
          throw new ArmError(
            404,
            'ResourceNotFound',
            `The sandbox ARM has no ${req.method} ${req.path}; it serves SQL failover groups, Traffic Manager profiles and AKS agent pools.`,
          );
        }
        if (!req.url.searchParams.get('api-version')) {
          throw new ArmError(
            400,
            'MissingApiVersionParameter',
            'The api-version query parameter (?api-version=) is required for all requests.',
          );
        }
        const auth = req.headers.authorization;
        if (!auth || !/^Bearer \S+/.test(auth)) {
          throw new ArmError(
            401,
            'AuthenticationFailed',
            "Authentication failed. The 'Authorization' header is missing or is not a Bearer token.",
          );
        }
        checkSubscription(r.p.sub);
        const stack = stackOf(ctx.world);
        switch (r.op) {
          case 'FailoverGroups_Get': {
            const site = sqlSite(r.p.rg, r.p.server);
            checkFog(r.p.fog, r.p.server);
            if (!stack.sites[site].up) throw regionDown(stack.sites[site], `server '${r.p.server}'`);
            return send(res, 200, failoverGroupBody(stack, site));
          }
          case 'FailoverGroups_Failover':
            return startFailover(req, res, ctx, r, false);
          case 'FailoverGroups_ForceFailoverAllowDataLoss':
            return startFailover(req, res, ctx, r, true);
          case 'FailoverGroups_AsyncOperation':
            return send(res, 200, operationBody(findLro(r, 'sql', ctx.world)));
          case 'FailoverGroups_OperationResult': {
            const lro = findLro(r, 'sql', ctx.world);
            if (lro.status === 'InProgress')
              return send(res, 202, '', 'application/json', {
                Location: `${baseUrl(req)}${req.url.pathname}${req.url.search}`,
              });
            if (lro.status === 'Failed') return renderArmError(res, 409, lro.error!.code, lro.error!.message);
            return send(res, 200, failoverGroupBody(stack, lro.site));
          }
          case 'RestorePoints_ListByDatabase':
            return send(res, 200, restorePoints(ctx, r));
          case 'DatabaseOperations_ListByDatabase':
            return send(res, 200, databaseOperations(ctx, r));
          case 'Profiles_Get':
            checkProfile(r.p.rg, r.p.profile);
            return send(res, 200, profileBody(stack));
          case 'Profiles_Update':
            return send(res, 200, updateProfile(req, ctx, r));
          case 'Endpoints_Get': {
            checkProfile(r.p.rg, r.p.profile);
            return send(res, 200, endpointBody(stack, endpointSite(r.p.type, r.p.endpoint)));
          }
          case 'Endpoints_Update':
          case 'Endpoints_CreateOrUpdate':
            return send(res, 200, updateEndpoint(req, ctx, r));
          case 'AgentPools_Get':
            return send(res, 200, poolBody(aksSite(ctx.world, r.p.rg, r.p.cluster, r.p.pool)));
          case 'AgentPools_CreateOrUpdate':
            return putPool(req, res, ctx, r);
          case 'AgentPools_AsyncOperation':
            return send(res, 200, aksOperation(ctx, r));
        }
      } catch (err) {
        if (err instanceof ArmError)
          return renderArmError(res, err.status, err.code, err.message, err.headers);
        throw err;
      }
    },
    renderThrottle(req, res, hit: FaultHit) {
      const seconds = hit.spec.retryAfterSeconds ?? 1;
      renderArmError(
        res,
        429,
        'TooManyRequests',
        `The request for operation '${routeArm(req.method, req.path).op}' was throttled because too many requests were made; retry after ${seconds} seconds.`,
        { 'Retry-After': String(seconds), 'x-ms-ratelimit-remaining-subscription-reads': '0' },
      );
    },
    renderError(req, res, hit: FaultHit) {
      const status = hit.spec.status ?? 503;
      renderArmError(
        res,
        status,
        status === 503 ? 'ServiceUnavailable' : 'InternalServerError',
        `The server encountered an internal error while processing operation '${routeArm(req.method, req.path).op}'; retry the request.`,
      );
    },
  };
}

function parseBody(req: ServiceRequest): Record<string, unknown> {
  try {
    const b = req.json<unknown>();
    if (!b || typeof b !== 'object' || Array.isArray(b)) throw new Error('not an object');
    return b as Record<string, unknown>;
  } catch {
    throw new ArmError(
      400,
      'InvalidRequestContent',
      'The request body is not a JSON object; send the resource as JSON.',
    );
  }
}
