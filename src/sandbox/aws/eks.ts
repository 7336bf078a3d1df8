/**
 * Emulated Amazon EKS managed node groups (REST-JSON) for the sandbox's AWS stack:
 * UpdateNodegroupConfig, DescribeNodegroup and DescribeUpdate. The cluster is found by name in
 * TOPOLOGY.aws.clusters and must live in the request's SigV4 region; a region that is down has its
 * socket destroyed.
 *
 * A scaling update is InProgress at once; the new desired size reaches the pool after 30 cloud
 * seconds, and the update becomes Successful once the pool's nodes all exist and are Ready.
 */
import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { SiteName } from '../../plan/types.js';
import type { FaultHit } from '../faults.js';
import { send, type ServiceContext, type ServiceDef, type ServiceRequest } from '../http.js';
import { SITES, type SiteWorld, type World } from '../world.js';
import { POOL_MACHINES } from '../quotas.js';
import { clusterPath } from '../kubernetes/routes.js';
import { SANDBOX_ACCOUNT, awsStack, dropConnection, faultError, regionDown, signedRegion } from './common.js';

/** Cloud seconds before an UpdateNodegroupConfig changes the node group's desired size. */
export const NODEGROUP_UPDATE_CLOUD_SECONDS = 30;

/** An EKS error: status, the x-amzn-errortype code and a message. */
export class EksError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Scaling {
  minSize: number;
  maxSize: number;
  desiredSize: number;
}

interface UpdateRecord {
  id: string;
  site: SiteName;
  scaling: Scaling;
  applied: boolean;
  createdAt: number;
  status: 'InProgress' | 'Successful' | 'Failed';
}

interface EksSide {
  updates: Map<string, UpdateRecord>;
  createdAt: number;
}

const sides = new WeakMap<World, EksSide>();

function side(world: World): EksSide {
  let s = sides.get(world);
  if (!s) {
    const created: EksSide = { updates: new Map(), createdAt: Date.now() - 200 * 86400_000 };
    s = created;
    sides.set(world, s);
    // complete updates as soon as the pool's nodes are all Ready, whoever triggers the settle
    world.onChange(() => completeUpdates(world, created));
  }
  return s;
}

function completeUpdates(world: World, s: EksSide): void {
  let stack;
  try {
    stack = awsStack(world);
  } catch {
    return;
  }
  for (const u of s.updates.values()) {
    if (u.status !== 'InProgress' || !u.applied) continue;
    const site = stack.sites[u.site];
    const nodes = site.cluster.nodes;
    if (nodes.length === site.pool.desired && nodes.every((n) => n.ready)) {
      u.status = 'Successful';
      const rec = site.pool.updates.find((x) => x.id === u.id);
      if (rec) rec.status = 'Successful';
      site.pool.busyUntil = Date.now();
    }
  }
}

function sendError(res: http.ServerResponse, e: EksError): void {
  send(res, e.status, { message: e.message }, 'application/json', { 'x-amzn-errortype': e.code });
}

const ROUTES: { method: string; re: RegExp; op: string }[] = [
  {
    method: 'POST',
    re: /^\/clusters\/([^/]+)\/node-groups\/([^/]+)\/update-config$/,
    op: 'UpdateNodegroupConfig',
  },
  { method: 'GET', re: /^\/clusters\/([^/]+)\/node-groups\/([^/]+)$/, op: 'DescribeNodegroup' },
  { method: 'GET', re: /^\/clusters\/([^/]+)\/updates\/([^/]+)$/, op: 'DescribeUpdate' },
  { method: 'GET', re: /^\/clusters\/([^/]+)\/addons\/([^/]+)$/, op: 'DescribeAddon' },
  { method: 'GET', re: /^\/clusters\/([^/]+)$/, op: 'DescribeCluster' },
];

function route(req: ServiceRequest): { op: string; a: string; b: string } | undefined {
  for (const r of ROUTES) {
    const m = r.method === req.method ? r.re.exec(req.path) : null;
    if (m) return { op: r.op, a: decodeURIComponent(m[1]), b: decodeURIComponent(m[2] ?? '') };
  }
  return undefined;
}

function findCluster(world: World, req: ServiceRequest, name: string): { name: SiteName; site: SiteWorld } {
  const stack = awsStack(world);
  const region = signedRegion(req) ?? stack.sites.primary.region;
  for (const s of SITES) {
    const site = stack.sites[s];
    if (site.pool.cluster === name && site.region === region) return { name: s, site };
  }
  throw new EksError(404, 'ResourceNotFoundException', `No cluster found for name: ${name}.`);
}

function findNodegroup(world: World, req: ServiceRequest, cluster: string, nodegroup: string) {
  const found = findCluster(world, req, cluster);
  if (found.site.pool.name !== nodegroup) {
    throw new EksError(404, 'ResourceNotFoundException', `No node group found for name: ${nodegroup}.`);
  }
  return found;
}

function pendingUpdate(world: World, site: SiteName): UpdateRecord | undefined {
  for (const u of side(world).updates.values()) if (u.site === site && u.status === 'InProgress') return u;
  return undefined;
}

function scalingOf(world: World, name: SiteName, site: SiteWorld): Scaling {
  const p = pendingUpdate(world, name);
  if (p) return { ...p.scaling };
  return { minSize: site.pool.min, maxSize: site.pool.max, desiredSize: site.pool.desired };
}

function updateJson(u: UpdateRecord) {
  return {
    id: u.id,
    status: u.status,
    type: 'ConfigUpdate',
    params: [
      { type: 'MinSize', value: String(u.scaling.minSize) },
      { type: 'MaxSize', value: String(u.scaling.maxSize) },
      { type: 'DesiredSize', value: String(u.scaling.desiredSize) },
    ],
    createdAt: u.createdAt / 1000,
    errors: [],
  };
}

function nodegroupJson(world: World, name: SiteName, site: SiteWorld) {
  const region = site.region;
  const busy = pendingUpdate(world, name) !== undefined;
  return {
    nodegroup: {
      nodegroupName: site.pool.name,
      nodegroupArn: `arn:aws:eks:${region}:${SANDBOX_ACCOUNT}:nodegroup/${site.pool.cluster}/${site.pool.name}/sandbox`,
      clusterName: site.pool.cluster,
      version: '1.31',
      releaseVersion: '1.31.0-20261101',
      createdAt: side(world).createdAt / 1000,
      modifiedAt: Date.now() / 1000,
      status: busy ? 'UPDATING' : site.up ? 'ACTIVE' : 'DEGRADED',
      capacityType: 'ON_DEMAND',
      scalingConfig: scalingOf(world, name, site),
      instanceTypes: [POOL_MACHINES.aws.type],
      subnets: site.zones.map((z) => `subnet-sandbox-${z}`),
      amiType: 'AL2023_x86_64_STANDARD',
      nodeRole: `arn:aws:iam::${SANDBOX_ACCOUNT}:role/aegis-node`,
      labels: {},
      health: { issues: [] },
      updateConfig: { maxUnavailable: 1 },
      tags: {},
    },
  };
}

function int(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new EksError(
      400,
      'InvalidParameterException',
      `scalingConfig.${field} is ${JSON.stringify(v)}: expected a whole number from 0.`,
    );
  }
  return v;
}

function updateConfig(world: World, req: ServiceRequest, cluster: string, nodegroup: string) {
  const { name, site } = findNodegroup(world, req, cluster, nodegroup);
  let body: { scalingConfig?: Record<string, unknown> };
  try {
    body = req.json();
  } catch {
    throw new EksError(
      400,
      'InvalidParameterException',
      'The request body is not valid JSON: expected {"scalingConfig": {...}}.',
    );
  }
  const sc = body.scalingConfig;
  if (!sc || typeof sc !== 'object') {
    throw new EksError(
      400,
      'InvalidParameterException',
      'No changes were requested: give scalingConfig (minSize, maxSize, desiredSize).',
    );
  }
  if (pendingUpdate(world, name)) {
    throw new EksError(
      409,
      'ResourceInUseException',
      `Nodegroup ${nodegroup} of cluster ${cluster} is currently UPDATING: wait for the update in progress to finish, then retry.`,
    );
  }
  const cur = scalingOf(world, name, site);
  const next: Scaling = {
    minSize: int(sc.minSize, 'minSize') ?? cur.minSize,
    maxSize: int(sc.maxSize, 'maxSize') ?? cur.maxSize,
    desiredSize: int(sc.desiredSize, 'desiredSize') ?? cur.desiredSize,
  };
  if (next.maxSize < 1)
    throw new EksError(
      400,
      'InvalidParameterException',
      `Maximum capacity ${next.maxSize} must be at least 1.`,
    );
  if (next.minSize > next.maxSize) {
    throw new EksError(
      400,
      'InvalidParameterException',
      `Minimum capacity ${next.minSize} can't be greater than maximum capacity ${next.maxSize}.`,
    );
  }
  if (next.desiredSize > next.maxSize) {
    throw new EksError(
      400,
      'InvalidParameterException',
      `Desired capacity ${next.desiredSize} can't be greater than max size ${next.maxSize}.`,
    );
  }
  if (next.desiredSize < next.minSize) {
    throw new EksError(
      400,
      'InvalidParameterException',
      `Minimum capacity ${next.minSize} can't be greater than desired size ${next.desiredSize}.`,
    );
  }
  const u: UpdateRecord = {
    id: randomUUID(),
    site: name,
    scaling: next,
    applied: false,
    createdAt: Date.now(),
    status: 'InProgress',
  };
  const s = side(world);
  s.updates.set(u.id, u);
  site.pool.updates.push({ id: u.id, status: 'InProgress', at: u.createdAt });
  site.pool.busyUntil = Number.MAX_SAFE_INTEGER;
  world.monitor.mutation('eks', 'UpdateNodegroupConfig', `${cluster}/${nodegroup}`);
  world.schedule(world.realMs(NODEGROUP_UPDATE_CLOUD_SECONDS), () => {
    site.pool.min = next.minSize;
    site.pool.max = next.maxSize;
    site.pool.desired = next.desiredSize;
    u.applied = true;
  });
  return { update: updateJson(u) };
}

function describeUpdate(world: World, req: ServiceRequest, cluster: string, id: string) {
  const { name, site } = findCluster(world, req, cluster);
  const ng = req.url.searchParams.get('nodegroupName');
  if (ng !== null && ng !== site.pool.name) {
    throw new EksError(404, 'ResourceNotFoundException', `No node group found for name: ${ng}.`);
  }
  const u = side(world).updates.get(id);
  if (!u || u.site !== name)
    throw new EksError(404, 'ResourceNotFoundException', `No update found for ID: ${id}.`);
  return { update: updateJson(u) };
}

/**
 * DescribeCluster's cluster: the API server endpoint is the sandbox's emulated cluster (plain http
 * on loopback, so no certificateAuthority data: the sandbox makes no CA), authentication mode API
 * (access entries). https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeCluster.html
 */
function clusterJson(world: World, name: SiteName, site: SiteWorld) {
  return {
    name: site.pool.cluster,
    arn: `arn:aws:eks:${site.region}:${SANDBOX_ACCOUNT}:cluster/${site.pool.cluster}`,
    createdAt: side(world).createdAt / 1000,
    version: '1.33',
    endpoint: `${world.kubernetesUrl}${clusterPath(awsStack(world).name, name)}`,
    status: site.up ? 'ACTIVE' : 'FAILED',
    accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
  };
}

/**
 * DescribeAddon of the Amazon VPC CNI add-on, the only one the sandbox's clusters run: its
 * configuration values carry `enableNetworkPolicy`, "true" where the site enforces NetworkPolicy
 * (https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html,
 * https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeAddon.html).
 */
function addonJson(site: SiteWorld, addon: string) {
  if (addon !== 'vpc-cni')
    throw new EksError(
      404,
      'ResourceNotFoundException',
      `No addon: ${addon} found in cluster: ${site.pool.cluster}`,
    );
  return {
    addonName: 'vpc-cni',
    clusterName: site.pool.cluster,
    status: 'ACTIVE',
    addonVersion: 'v1.19.5-eksbuild.1',
    health: { issues: [] },
    addonArn: `arn:aws:eks:${site.region}:${SANDBOX_ACCOUNT}:addon/${site.pool.cluster}/vpc-cni/sandbox`,
    configurationValues: JSON.stringify({ enableNetworkPolicy: String(site.networkPolicyEnforced) }),
  };
}

/** The EKS service definition for `startService`. */
export function eksService(): ServiceDef {
  return {
    name: 'eks',
    operation(req) {
      return route(req)?.op ?? 'Unknown';
    },
    handle(req: ServiceRequest, res: http.ServerResponse, ctx: ServiceContext) {
      const { world } = ctx;
      if (regionDown(world, req)) {
        dropConnection(req);
        return;
      }
      side(world);
      try {
        const r = route(req);
        if (!r)
          throw new EksError(
            404,
            'UnknownOperationException',
            `No operation matches ${req.method} ${req.path}.`,
          );
        switch (r.op) {
          case 'UpdateNodegroupConfig':
            return send(res, 200, updateConfig(world, req, r.a, r.b));
          case 'DescribeNodegroup': {
            const { name, site } = findNodegroup(world, req, r.a, r.b);
            return send(res, 200, nodegroupJson(world, name, site));
          }
          case 'DescribeUpdate':
            return send(res, 200, describeUpdate(world, req, r.a, r.b));
          case 'DescribeCluster': {
            const { name, site } = findCluster(world, req, r.a);
            return send(res, 200, { cluster: clusterJson(world, name, site) });
          }
          case 'DescribeAddon': {
            const { site } = findCluster(world, req, r.a);
            return send(res, 200, { addon: addonJson(site, r.b) });
          }
        }
      } catch (err) {
        if (err instanceof EksError) return sendError(res, err);
        throw err;
      }
    },
    renderThrottle(_req, res, hit: FaultHit) {
      const headers: Record<string, string> = { 'x-amzn-errortype': 'ThrottlingException' };
      if (hit.spec.retryAfterSeconds !== undefined)
        headers['retry-after'] = String(hit.spec.retryAfterSeconds);
      send(res, 429, { message: 'Rate exceeded' }, 'application/json', headers);
    },
    renderError(req, res, hit: FaultHit) {
      const r = route(req);
      const e = faultError(
        hit.spec.status ?? 503,
        `eks:${r?.op ?? 'DescribeNodegroup'}`,
        { code: 'ResourceNotFoundException', message: `No node group found for name: ${r?.b ?? ''}.` },
        true,
      );
      sendError(res, new EksError(e.status, e.code, e.message));
    },
  };
}
