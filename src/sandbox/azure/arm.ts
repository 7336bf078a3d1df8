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
 * This file routes the calls, checks the api-version and the bearer token, and dispatches to
 * sql.ts, trafficmanager.ts and aks.ts; common.ts holds the ARM error format and the long-running
 * operations. Not emulated anywhere here: Azure AD token validation (any bearer token is admitted),
 * RBAC, resource locks, ARM throttling headers beyond the injected faults, other resource providers.
 */
import type { FaultHit } from '../faults.js';
import { type ServiceDef, send } from '../http.js';
import { aksOperation, aksSite, clusterUserCredentials, managedCluster, poolBody, putPool } from './aks.js';
import {
  type ArmLro,
  type ArmOperation,
  type ArmState,
  type Route,
  ArmError,
  checkSubscription,
  findLro,
  operationBody,
  renderArmError,
  regionDown,
  stackOf,
  baseUrl,
} from './common.js';
import { computeSkus, computeUsages } from './compute.js';
import {
  checkFog,
  databaseOperations,
  failoverGroupBody,
  restorePoints,
  sqlSite,
  startFailover,
} from './sql.js';
import {
  checkProfile,
  endpointBody,
  endpointSite,
  profileBody,
  updateEndpoint,
  updateProfile,
} from './trafficmanager.js';

export {
  type ArmOperation,
  CONTAINER_SERVICE_API_VERSION,
  SQL_API_VERSION,
  TRAFFIC_MANAGER_API_VERSION,
} from './common.js';
export { trafficManagerAnswer } from './trafficmanager.js';
import { getDatabase, putDatabase, serverBody } from './sql-restore.js';

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
      `^/subscriptions/${SEG}/resourceGroups/${SEG}/providers/Microsoft\\.Sql/servers/${SEG}/databases/${SEG}$`,
      'i',
    ),
    op: 'Databases_Get',
    keys: ['sub', 'rg', 'server', 'db'],
  },
  {
    re: new RegExp(
      `^/subscriptions/${SEG}/resourceGroups/${SEG}/providers/Microsoft\\.Sql/servers/${SEG}$`,
      'i',
    ),
    op: 'Servers_Get',
    keys: ['sub', 'rg', 'server'],
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
      `^/subscriptions/${SEG}/resourceGroups/${SEG}/providers/Microsoft\\.ContainerService/managedClusters/${SEG}$`,
      'i',
    ),
    op: 'ManagedClusters_Get',
    keys: ['sub', 'rg', 'cluster'],
    method: 'GET',
  },
  {
    re: new RegExp(
      `^/subscriptions/${SEG}/resourceGroups/${SEG}/providers/Microsoft\\.ContainerService/managedClusters/${SEG}/listClusterUserCredential$`,
      'i',
    ),
    op: 'ManagedClusters_ListClusterUserCredentials',
    keys: ['sub', 'rg', 'cluster'],
    method: 'POST',
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
  {
    re: new RegExp(`^/subscriptions/${SEG}/providers/Microsoft\\.Compute/locations/${SEG}/usages$`, 'i'),
    op: 'Usage_List',
    keys: ['sub', 'location'],
    method: 'GET',
  },
  {
    re: new RegExp(`^/subscriptions/${SEG}/providers/Microsoft\\.Compute/skus$`, 'i'),
    op: 'ResourceSkus_List',
    keys: ['sub'],
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
    else if (op === 'Databases_Get' && method === 'PUT') op = 'Databases_CreateOrUpdate';
    else if (r.method && r.method !== method) return { op: 'Unknown', p };
    else if (!r.method && method !== 'GET') return { op: 'Unknown', p };
    return { op, p };
  }
  return { op: 'Unknown', p: {} };
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
  const arm: ArmState = { stackName: opts.stack ?? 'azure', lros: new Map<string, ArmLro>() };

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
            `The sandbox ARM has no ${req.method} ${req.path}; it serves SQL failover groups, Traffic Manager profiles, AKS agent pools and compute usages and SKUs.`,
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
        const stack = stackOf(arm, ctx.world);
        switch (r.op) {
          case 'FailoverGroups_Get': {
            const site = sqlSite(r.p.rg, r.p.server);
            checkFog(r.p.fog, r.p.server);
            if (!stack.sites[site].up) throw regionDown(stack.sites[site], `server '${r.p.server}'`);
            return send(res, 200, failoverGroupBody(stack, site));
          }
          case 'FailoverGroups_Failover':
            return startFailover(arm, req, res, ctx, r, false);
          case 'FailoverGroups_ForceFailoverAllowDataLoss':
            return startFailover(arm, req, res, ctx, r, true);
          case 'FailoverGroups_AsyncOperation':
            return send(res, 200, operationBody(findLro(arm, r, 'sql', ctx.world)));
          case 'FailoverGroups_OperationResult': {
            const lro = findLro(arm, r, 'sql', ctx.world);
            if (lro.status === 'InProgress')
              return send(res, 202, '', 'application/json', {
                Location: `${baseUrl(req)}${req.url.pathname}${req.url.search}`,
              });
            if (lro.status === 'Failed') return renderArmError(res, 409, lro.error!.code, lro.error!.message);
            return send(res, 200, failoverGroupBody(stack, lro.site));
          }
          case 'RestorePoints_ListByDatabase':
            return send(res, 200, restorePoints(arm, ctx, r));
          case 'Databases_Get':
            return send(res, 200, getDatabase(arm, ctx, r));
          case 'Databases_CreateOrUpdate':
            return send(res, 201, putDatabase(arm, req, ctx, r));
          case 'Servers_Get':
            return send(res, 200, serverBody(arm, ctx, r));
          case 'DatabaseOperations_ListByDatabase':
            return send(res, 200, databaseOperations(arm, ctx, r));
          case 'Profiles_Get':
            checkProfile(r.p.rg, r.p.profile);
            return send(res, 200, profileBody(stack));
          case 'Profiles_Update':
            return send(res, 200, updateProfile(arm, req, ctx, r));
          case 'Endpoints_Get': {
            checkProfile(r.p.rg, r.p.profile);
            return send(res, 200, endpointBody(stack, endpointSite(r.p.type, r.p.endpoint)));
          }
          case 'Endpoints_Update':
          case 'Endpoints_CreateOrUpdate':
            return send(res, 200, updateEndpoint(arm, req, ctx, r));
          case 'AgentPools_Get':
            return send(res, 200, poolBody(aksSite(arm, ctx.world, r.p.rg, r.p.cluster, r.p.pool)));
          case 'AgentPools_CreateOrUpdate':
            return putPool(arm, req, res, ctx, r);
          case 'AgentPools_AsyncOperation':
            return send(res, 200, aksOperation(arm, ctx, r));
          case 'ManagedClusters_Get':
            return send(res, 200, managedCluster(arm, ctx.world, r.p.rg, r.p.cluster));
          case 'ManagedClusters_ListClusterUserCredentials':
            return send(res, 200, clusterUserCredentials(arm, ctx.world, r.p.rg, r.p.cluster));
          case 'Usage_List':
            return send(res, 200, computeUsages(arm, ctx.world, r.p.location));
          case 'ResourceSkus_List':
            return send(res, 200, computeSkus(arm, ctx.world, req.url.searchParams.get('$filter')));
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
      const op = routeArm(req.method, req.path).op;
      // ARM's own wording: https://learn.microsoft.com/en-us/azure/role-based-access-control/troubleshooting
      // (AuthorizationFailed) and https://learn.microsoft.com/en-us/azure/azure-resource-manager/troubleshooting/error-not-found
      if (status === 403) {
        renderArmError(
          res,
          403,
          'AuthorizationFailed',
          `The client '00000000-0000-0000-0000-00000000a11d' with object id '00000000-0000-0000-0000-00000000a11d' does not have authorization to perform action '${op}' over scope '${req.path}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
        );
        return;
      }
      if (status === 404) {
        renderArmError(
          res,
          404,
          'ResourceNotFound',
          `The Resource '${req.path}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
        );
        return;
      }
      renderArmError(
        res,
        status,
        status === 503 ? 'ServiceUnavailable' : 'InternalServerError',
        `The server encountered an internal error while processing operation '${routeArm(req.method, req.path).op}'; retry the request.`,
      );
    },
  };
}
