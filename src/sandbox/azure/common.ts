/**
 * Pieces shared by the emulated Azure Resource Manager services (as aws/common.ts and gcp/common.ts
 * are for theirs), kept apart from arm.ts so that the service files do not import the dispatcher:
 * the api-versions, operation names and routes' shape; the ARM error format
 * (`{"error":{"code","message"}}` with `x-ms-request-id`); the long-running operations the services
 * start and the polling endpoints read (Azure-AsyncOperation status bodies, as
 * https://learn.microsoft.com/en-us/azure/azure-resource-manager/management/async-operations
 * describes them); the lookup of the Azure stack and of the subscription.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { SiteName } from '../../plan/types.js';
import { SANDBOX_SUBSCRIPTION } from '../estate.js';
import { send, type ServiceRequest } from '../http.js';
import type { SiteWorld, StackWorld, World } from '../world.js';

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
  | 'Databases_Get'
  | 'Databases_CreateOrUpdate'
  | 'Servers_Get'
  | 'DatabaseOperations_ListByDatabase'
  | 'Profiles_Get'
  | 'Profiles_Update'
  | 'Endpoints_Get'
  | 'Endpoints_Update'
  | 'Endpoints_CreateOrUpdate'
  | 'AgentPools_Get'
  | 'AgentPools_CreateOrUpdate'
  | 'AgentPools_AsyncOperation'
  | 'ManagedClusters_Get'
  | 'ManagedClusters_ListClusterUserCredentials'
  | 'Usage_List'
  | 'ResourceSkus_List'
  | 'Unknown';

export interface Route {
  op: ArmOperation;
  /** Path parameters, by name. */
  p: Record<string, string>;
}

/** The state of one emulated ARM service: the stack that holds the Azure estate and its long-running operations. */
export interface ArmState {
  stackName: string;
  lros: Map<string, ArmLro>;
}

/** The Azure stack of the world; SubscriptionNotFound when the world has none. */
export function stackOf(arm: ArmState, world: World): StackWorld {
  const s = world.stacks.get(arm.stackName);
  if (!s)
    throw new ArmError(
      404,
      'SubscriptionNotFound',
      `The sandbox has no Azure stack named '${arm.stackName}'; create the estate with the azure cloud.`,
    );
  return s;
}

export function checkSubscription(sub: string): void {
  if (!eq(sub, SANDBOX_SUBSCRIPTION)) {
    throw new ArmError(
      404,
      'SubscriptionNotFound',
      `The subscription '${sub}' could not be found; the sandbox subscription is '${SANDBOX_SUBSCRIPTION}'.`,
    );
  }
}

/** Base URL of this server as the client addressed it, for the LRO polling headers. */
export function baseUrl(req: ServiceRequest): string {
  return `http://${req.headers.host ?? '127.0.0.1'}`;
}

/** A long-running operation the emulator tracks (failover group failover, agent pool scale). */
export interface ArmLro {
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

export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const eq = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

export function renderArmError(
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

export function regionDown(site: SiteWorld, what: string): ArmError {
  return new ArmError(
    503,
    'ServiceUnavailable',
    `The request for ${what} in region '${site.region}' could not be served because the region is unavailable; retry later or act on the resources of the other region.`,
  );
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function parseBody(req: ServiceRequest): Record<string, unknown> {
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

export function findLro(arm: ArmState, r: Route, kind: ArmLro['kind'], world: World): ArmLro {
  const lro = arm.lros.get(r.p.id);
  if (!lro || lro.kind !== kind || !eq(lro.location, r.p.location)) {
    throw new ArmError(
      404,
      'ResourceNotFound',
      `The operation '${r.p.id}' was not found in location '${r.p.location}'.`,
    );
  }
  const site = stackOf(arm, world).sites[lro.site];
  if (!site.up) throw regionDown(site, `operation '${lro.id}'`);
  return lro;
}

export function operationBody(lro: ArmLro): object {
  return {
    id: lro.id,
    name: lro.id,
    status: lro.status,
    startTime: lro.startTime,
    ...(lro.endTime ? { endTime: lro.endTime } : {}),
    ...(lro.error ? { error: lro.error } : {}),
  };
}
