/**
 * Permission enforcement of the sandbox (`startSandbox({ enforcePermissions })`, `aegis-dr sandbox
 * --enforce-permissions`, always in `aegis-dr drill`). Each identity the sandbox plan can hand out
 * (the failover credentials, and a read-only one per cloud) gets the documents `aegis-dr
 * permissions` generated for it: an IAM policy, an Azure custom role, a GCP custom role, Kubernetes
 * Roles/ClusterRoles. Each request is mapped to the permission the cloud documents for it, from the
 * service and operation the sandbox already names (its request log), and a request outside the
 * identity's documents gets the cloud's own denial (./iam-errors.ts).
 *
 * The mapping lives here, on the witness side, as each cloud documents it, and not in the
 * providers' declarations: a provider that declares the wrong permission is caught here.
 * - AWS: the action is `<service>:<Operation>` (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html).
 * - Azure: the resource provider operation of the ARM request (https://learn.microsoft.com/en-us/azure/role-based-access-control/resource-provider-operations).
 * - GCP: the permission each method lists (Cloud SQL: https://cloud.google.com/sql/docs/mysql/iam-permissions;
 *   Cloud DNS: https://cloud.google.com/dns/docs/access-control; GKE: https://cloud.google.com/kubernetes-engine/docs/reference/api-permissions).
 * - Kubernetes: the request's verb, API group, resource and subresource, checked against RBAC rules
 *   (https://kubernetes.io/docs/reference/access-authn-authz/authorization/#review-your-request-attributes).
 *
 * What is not emulated: AWS resource ARNs and conditions in a policy (the Action decides), Deny
 * statements, Azure scopes of the assignment, GCP resource hierarchy; RBAC resourceNames.
 */
import type { ServiceRequest } from './http.js';
import { routeArm } from './azure/arm.js';
import { SANDBOX_READ_ONLY_TOKEN } from './kubernetes/auth.js';
import { route as kubeRoute } from './kubernetes/routes.js';

export type SandboxIdentity = 'failover' | 'read-only';

/** The access key the AWS providers use on a plain-http endpoint (src/providers/aws/common.ts SANDBOX_CREDENTIALS). */
export const SANDBOX_FAILOVER_ACCESS_KEY = 'AKIDSANDBOX0000000000';
/** The read-only identity's AWS access key (its secret is not checked, like the failover one's). */
export const SANDBOX_READ_ONLY_ACCESS_KEY = 'AKIDSANDBOXREADONLY0';
/** The bearer the sandbox's Azure, GCP and Kubernetes credentials hand out (kubeconfig, ARM, Google). */
export const SANDBOX_FAILOVER_TOKEN = 'aegis-sandbox-token';
/** The read-only identity's bearer token for ARM, the Google APIs and the API servers. */
export { SANDBOX_READ_ONLY_TOKEN };

/** The documents of one identity, as `aegis-dr permissions` prints them. */
export interface GrantDocuments {
  aws?: { Statement: { Effect: string; Action: string | string[] }[] };
  azure?: { Actions: string[]; NotActions?: string[] };
  gcp?: { includedPermissions: string[] };
  kubernetes?: {
    kind: string;
    metadata: { name: string; namespace?: string };
    rules: { apiGroups?: string[]; resources?: string[]; verbs: string[] }[];
  }[];
}
export type Grants = Partial<Record<SandboxIdentity, GrantDocuments>>;

/** A refused request: what it needed, who asked, on what. */
export interface Denial {
  cloud: 'aws' | 'azure' | 'gcp' | 'kubernetes';
  permission: string;
  identity?: SandboxIdentity;
  /** Kubernetes: the request's attributes, for the RBAC message. */
  kube?: { verb: string; group: string; resource: string; sub?: string; name?: string; namespace?: string };
}

const AWS_SERVICES = new Set(['rds', 'route53', 'eks', 'cloudwatch', 'ec2', 'servicequotas']);
const GOOGLE_SERVICES = new Set(['sqladmin', 'clouddns', 'container', 'monitoring', 'compute']);
/** The ARC cluster's regional endpoints are services of their own (arc-<region>); one IAM prefix. */
const ARC_PREFIX = 'arc-';
const isAws = (service: string) => AWS_SERVICES.has(service) || service.startsWith(ARC_PREFIX);
const iamPrefix = (service: string) =>
  service.startsWith(ARC_PREFIX) ? 'route53-recovery-cluster' : service;

const ARM: Record<string, string> = {
  FailoverGroups_Get: 'Microsoft.Sql/servers/failoverGroups/read',
  FailoverGroups_Failover: 'Microsoft.Sql/servers/failoverGroups/failover/action',
  FailoverGroups_ForceFailoverAllowDataLoss:
    'Microsoft.Sql/servers/failoverGroups/forceFailoverAllowDataLoss/action',
  FailoverGroups_AsyncOperation: 'Microsoft.Sql/locations/failoverGroupAzureAsyncOperation/read',
  FailoverGroups_OperationResult: 'Microsoft.Sql/locations/failoverGroupOperationResults/read',
  RestorePoints_ListByDatabase: 'Microsoft.Sql/servers/databases/restorePoints/read',
  Databases_Get: 'Microsoft.Sql/servers/databases/read',
  Databases_CreateOrUpdate: 'Microsoft.Sql/servers/databases/write',
  Servers_Get: 'Microsoft.Sql/servers/read',
  ResourceSkus_List: 'Microsoft.Compute/skus/read',
  Usage_List: 'Microsoft.Compute/locations/usages/read',
  DatabaseOperations_ListByDatabase: 'Microsoft.Sql/servers/databases/operations/read',
  Profiles_Get: 'Microsoft.Network/trafficManagerProfiles/read',
  Profiles_Update: 'Microsoft.Network/trafficManagerProfiles/write',
  ManagedClusters_Get: 'Microsoft.ContainerService/managedClusters/read',
  ManagedClusters_ListClusterUserCredentials:
    'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action',
  AgentPools_Get: 'Microsoft.ContainerService/managedClusters/agentPools/read',
  AgentPools_CreateOrUpdate: 'Microsoft.ContainerService/managedClusters/agentPools/write',
  AgentPools_AsyncOperation: 'Microsoft.ContainerService/locations/operations/read',
};

const GOOGLE: Record<string, Record<string, string>> = {
  sqladmin: {
    'instances.list': 'cloudsql.instances.list',
    'instances.get': 'cloudsql.instances.get',
    'instances.insert': 'cloudsql.instances.create',
    'instances.patch': 'cloudsql.instances.update',
    'instances.failover': 'cloudsql.instances.failover',
    'instances.promoteReplica': 'cloudsql.instances.promoteReplica',
    'instances.switchover': 'cloudsql.instances.failover',
    'instances.clone': 'cloudsql.instances.clone',
    'backupRuns.list': 'cloudsql.backupRuns.list',
    'operations.get': 'cloudsql.instances.get',
    'operations.list': 'cloudsql.instances.get',
  },
  clouddns: {
    'managedZones.list': 'dns.managedZones.list',
    'managedZones.get': 'dns.managedZones.get',
    'resourceRecordSets.list': 'dns.resourceRecordSets.list',
    'changes.create': 'dns.changes.create',
    'changes.get': 'dns.changes.get',
    'changes.list': 'dns.changes.list',
  },
  monitoring: { 'timeSeries.list': 'monitoring.timeSeries.list' },
  compute: { 'machineTypes.get': 'compute.machineTypes.get', 'regions.get': 'compute.regions.get' },
  container: {
    'clusters.get': 'container.clusters.get',
    'nodePools.get': 'container.clusters.get',
    'nodePools.setSize': 'container.clusters.update',
    'nodePools.setAutoscaling': 'container.clusters.update',
    'operations.get': 'container.operations.get',
  },
};

/** The permissions a request needs (all of them), or undefined when the sandbox does not serve it (its own 404 answers). */
export function requiredPermissions(service: string, req: ServiceRequest, op: string): string[] | undefined {
  if (isAws(service)) return /^[A-Z][A-Za-z]+$/.test(op) ? [`${iamPrefix(service)}:${op}`] : undefined;
  if (service === 'arm') {
    if (op === 'Endpoints_Update' || op === 'Endpoints_CreateOrUpdate' || op === 'Endpoints_Get') {
      const type = routeArm(req.method, req.path).p.type ?? 'azureEndpoints';
      const name = ['azureEndpoints', 'externalEndpoints', 'nestedEndpoints'].find(
        (t) => t.toLowerCase() === type.toLowerCase(),
      );
      return [
        `Microsoft.Network/trafficManagerProfiles/${name ?? type}/${op === 'Endpoints_Get' ? 'read' : 'write'}`,
      ];
    }
    return ARM[op] ? [ARM[op]] : undefined;
  }
  if (GOOGLE_SERVICES.has(service)) {
    const p = GOOGLE[service][op];
    if (!p) return undefined;
    if (service === 'clouddns' && op === 'changes.create') {
      // a change needs the record sets' create and delete too, for what it adds and deletes
      let body: { additions?: unknown[]; deletions?: unknown[] } = {};
      try {
        body = req.json();
      } catch {
        /* the service answers a malformed body itself */
      }
      return [
        p,
        ...(body.additions?.length ? ['dns.resourceRecordSets.create'] : []),
        ...(body.deletions?.length ? ['dns.resourceRecordSets.delete'] : []),
      ];
    }
    return [p];
  }
  return undefined;
}

/** The identity of a request by its credentials: AWS access key, or bearer token (an EKS token by its signing key). */
export function identityOf(service: string, req: ServiceRequest): SandboxIdentity | undefined {
  const auth = String(req.headers.authorization ?? '');
  const byKey = (key: string | undefined) =>
    key === SANDBOX_FAILOVER_ACCESS_KEY
      ? 'failover'
      : key === SANDBOX_READ_ONLY_ACCESS_KEY
        ? 'read-only'
        : undefined;
  if (isAws(service)) return byKey(/Credential=([^/,\s]+)\//.exec(auth)?.[1]);
  const token = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
  if (token === SANDBOX_FAILOVER_TOKEN) return 'failover';
  if (token === SANDBOX_READ_ONLY_TOKEN) return 'read-only';
  if (token?.startsWith('k8s-aws-v1.')) {
    try {
      const url = new URL(Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString('utf8'));
      return byKey(url.searchParams.get('X-Amz-Credential')?.split('/')[0]);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** IAM action match: case-insensitive, `*` and `?` wildcards. */
function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return re.test(value);
}

function allowed(docs: GrantDocuments | undefined, cloud: Denial['cloud'], permission: string): boolean {
  if (!docs) return false;
  if (cloud === 'aws')
    return (docs.aws?.Statement ?? []).some(
      (s) => s.Effect === 'Allow' && [s.Action].flat().some((a) => globMatch(a, permission)),
    );
  if (cloud === 'azure')
    return (
      (docs.azure?.Actions ?? []).some((a) => globMatch(a, permission)) &&
      !(docs.azure?.NotActions ?? []).some((a) => globMatch(a, permission))
    );
  return (docs.gcp?.includedPermissions ?? []).includes(permission);
}

function kubeAllowed(docs: GrantDocuments | undefined, k: NonNullable<Denial['kube']>): boolean {
  const resource = k.sub ? `${k.resource}/${k.sub}` : k.resource;
  return (docs?.kubernetes ?? []).some(
    (o) =>
      (o.kind === 'ClusterRole' || (o.kind === 'Role' && o.metadata.namespace === k.namespace)) &&
      o.rules.some(
        (r) =>
          (r.apiGroups ?? []).some((g) => g === '*' || g === k.group) &&
          (r.resources ?? []).some((x) => x === '*' || x === resource) &&
          r.verbs.some((v) => v === '*' || v === k.verb),
      ),
  );
}

/** The RBAC attributes of an API server request; undefined for discovery and /version (every user may read them). */
function kubeAttributes(req: ServiceRequest): Denial['kube'] {
  const r = kubeRoute(req);
  if (!r.kind || r.op === 'discovery' || r.op === 'getCode') return undefined;
  const p = r.parts;
  const group = p[0] === 'api' ? '' : (p[1] ?? '');
  const method = req.method.toUpperCase();
  const watch = /^(true|1)$/.test(req.url.searchParams.get('watch') ?? '');
  const verb =
    method === 'GET'
      ? r.name
        ? 'get'
        : watch
          ? 'watch'
          : 'list'
      : method === 'POST'
        ? 'create'
        : method === 'PUT'
          ? 'update'
          : method.toLowerCase();
  return { verb, group, resource: r.kind, sub: r.sub, name: r.name, namespace: r.namespace };
}

/** Checks each request against the grants of its identity. */
export class PermissionEnforcer {
  constructor(public grants: Grants) {}

  /** The denial of a request, or undefined when it is allowed (or is not one the sandbox maps). */
  check(service: string, req: ServiceRequest, op: string): Denial | undefined {
    const identity = identityOf(service, req);
    const docs = identity ? this.grants[identity] : undefined;
    if (service === 'kubernetes') {
      const kube = kubeAttributes(req);
      if (!kube) return undefined;
      if (kubeAllowed(docs, kube)) return undefined;
      return {
        cloud: 'kubernetes',
        permission: `${kube.verb} ${kube.sub ? `${kube.resource}/${kube.sub}` : kube.resource}`,
        identity,
        kube,
      };
    }
    const needed = requiredPermissions(service, req, op);
    if (!needed) return undefined;
    const cloud = isAws(service) ? 'aws' : service === 'arm' ? 'azure' : 'gcp';
    const missing = needed.find((p) => !allowed(docs, cloud, p));
    return missing ? { cloud, permission: missing, identity } : undefined;
  }
}
