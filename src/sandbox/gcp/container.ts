/**
 * Emulated GKE API v1 (container.googleapis.com), in the HTTP/1.1 JSON form that
 * `@google-cloud/container`'s ClusterManagerClient speaks with `fallback: true`.
 *
 * Clusters are TOPOLOGY.gcp.clusters (`aegis` in the primary region, `aegis-dr` in the DR region),
 * each regional with one node pool TOPOLOGY.gcp.pool. Routes (project SANDBOX_PROJECT, location =
 * the cluster's region or one of its zones):
 * - GET .../clusters/{c} (currentNodeCount = nodes that exist),
 * - GET .../clusters/{c}/nodePools/{np}: the pool of a regional cluster, spread over the region's
 *   zones (`locations`, three by default). `initialNodeCount` is the creation value per zone and
 *   never changes after a resize, as on GKE ("The initial node count for the pool"; a resize changes
 *   the pool's managed instance groups, one per zone, listed in `instanceGroupUrls`):
 *   https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters.nodePools#NodePool
 *   The pool's size is read from its nodes (label `cloud.google.com/gke-nodepool`) or its instance
 *   groups, not from this resource. `autoscaling` carries total limits (`totalMinNodeCount`,
 *   `totalMaxNodeCount`, location policy ANY) and `status` is RECONCILING while a resize is under
 *   way, RUNNING otherwise,
 * - POST .../nodePools/{np}:setSize {nodeCount} -> Operation SET_NODE_POOL_SIZE. `nodeCount` is per
 *   zone: a pool in three zones set to 6 gets 18 nodes ("The new size will be used for all
 *   replicas", https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters.nodePools/setSize;
 *   `gcloud container clusters resize --num-nodes` is "the number of nodes per zone" for a regional
 *   cluster, https://cloud.google.com/sdk/gcloud/reference/container/clusters/resize). The
 *   operation is RUNNING until every node of the new size is Ready (node boot takes
 *   DURATIONS.nodeReady), then DONE,
 * - POST .../nodePools/{np}:setAutoscaling {autoscaling} -> Operation UPDATE_CLUSTER (DONE at once),
 * - GET .../operations/{op}.
 * A second operation while one runs on the cluster answers 400 FAILED_PRECONDITION as GKE does.
 * Calls about a cluster whose region is down answer 503 UNAVAILABLE.
 * Fault operation names: clusters.get, nodePools.get, nodePools.setSize, nodePools.setAutoscaling,
 * operations.get.
 */
import type http from 'node:http';
import type { SiteName } from '../../plan/types.js';
import { SANDBOX_PROJECT, TOPOLOGY } from '../estate.js';
import { clusterPath } from '../kubernetes/routes.js';
import { send, type ServiceContext, type ServiceDef, type ServiceRequest } from '../http.js';
import type { SiteWorld, StackWorld, World } from '../world.js';
import { POOL_MACHINES } from '../quotas.js';
import {
  gcpStack,
  googleError,
  rejectRequest,
  hexId,
  locationOfSite,
  regionDown,
  renderGoogleError,
  renderGoogleThrottle,
  rfc3339,
  siteOfCluster,
} from './common.js';

interface GkeOperation {
  name: string;
  site: SiteName;
  location: string;
  cluster: string;
  pool: string;
  type: 'SET_NODE_POOL_SIZE' | 'UPDATE_CLUSTER';
  status: 'RUNNING' | 'DONE';
  startTime: number;
  endTime?: number;
  /** For SET_NODE_POOL_SIZE: the pool's total size to reach (nodes in every zone). */
  target?: number;
  /** For SET_NODE_POOL_SIZE: the nodeCount asked for, per zone. */
  perZone?: number;
  updateId?: string;
}

/**
 * The pool's `initialNodeCount`: what it was created with, per zone (one node in each of three
 * zones). A resize never changes it.
 */
export const GKE_INITIAL_NODE_COUNT_PER_ZONE = 1;

interface GkeState {
  operations: Map<string, GkeOperation>;
}

const states = new WeakMap<World, GkeState>();

function stateOf(world: World): GkeState {
  let s = states.get(world);
  if (!s) {
    s = { operations: new Map() };
    states.set(world, s);
  }
  return s;
}

interface Route {
  project: string;
  location: string;
  collection: 'clusters' | 'operations';
  id: string;
  pool?: string;
  verb?: string;
}

const BASE = '/v1/projects/';

function route(path: string): Route | undefined {
  if (!path.startsWith(BASE)) return undefined;
  const parts = path.slice(BASE.length).split('/').map(decodeURIComponent);
  const [project, locs, location, collection, id, np, poolAndVerb, extra] = parts;
  if (!project || locs !== 'locations' || !location || !id || extra !== undefined) return undefined;
  if (collection === 'operations')
    return np === undefined ? { project, location, collection, id } : undefined;
  if (collection !== 'clusters') return undefined;
  if (np === undefined) return { project, location, collection, id };
  if (np !== 'nodePools' || !poolAndVerb) return undefined;
  const [pool, verb] = poolAndVerb.split(':');
  return { project, location, collection, id, pool, verb };
}

function opName(req: ServiceRequest): string {
  const r = route(req.path);
  if (!r) return 'unknown';
  if (r.collection === 'operations') return req.method === 'GET' ? 'operations.get' : 'unknown';
  if (!r.pool) return req.method === 'GET' ? 'clusters.get' : 'unknown';
  if (!r.verb) return req.method === 'GET' ? 'nodePools.get' : 'unknown';
  if (req.method === 'POST' && r.verb === 'setSize') return 'nodePools.setSize';
  if (req.method === 'POST' && r.verb === 'setAutoscaling') return 'nodePools.setAutoscaling';
  return 'unknown';
}

const link = (path: string): string =>
  `https://container.googleapis.com/v1/projects/${SANDBOX_PROJECT}/${path}`;

/** Finish operations whose condition holds now. */
function refresh(world: World, stack: StackWorld, state: GkeState): void {
  for (const op of state.operations.values()) {
    if (op.status === 'DONE') continue;
    const site = stack.sites[op.site];
    if (!site.up) continue;
    if (op.type === 'SET_NODE_POOL_SIZE') {
      const nodes = site.cluster.nodes;
      if (nodes.length === op.target && nodes.every((n) => n.ready)) {
        op.status = 'DONE';
        op.endTime = world.now();
        site.pool.busyUntil = 0;
        const u = site.pool.updates.find((x) => x.id === op.updateId);
        if (u) u.status = 'Successful';
      }
    } else {
      op.status = 'DONE';
      op.endTime = world.now();
    }
  }
}

function runningOp(state: GkeState, cluster: string): GkeOperation | undefined {
  for (const op of state.operations.values()) if (op.cluster === cluster && op.status !== 'DONE') return op;
  return undefined;
}

function renderOp(op: GkeOperation): Record<string, unknown> {
  return {
    name: op.name,
    zone: op.location,
    location: op.location,
    operationType: op.type,
    status: op.status,
    selfLink: link(`locations/${op.location}/operations/${op.name}`),
    targetLink: link(`locations/${op.location}/clusters/${op.cluster}/nodePools/${op.pool}`),
    startTime: rfc3339(op.startTime),
    ...(op.endTime !== undefined ? { endTime: rfc3339(op.endTime) } : {}),
    ...(op.perZone !== undefined
      ? { detail: `Resizing node pool ${op.pool} to ${op.perZone} nodes per zone (${op.target} nodes).` }
      : {}),
  };
}

function renderPool(site: SiteWorld, location: string, busy: boolean): Record<string, unknown> {
  const p = site.pool;
  return {
    name: p.name,
    config: { machineType: POOL_MACHINES.gcp.type, diskSizeGb: 100, imageType: 'COS_CONTAINERD' },
    initialNodeCount: GKE_INITIAL_NODE_COUNT_PER_ZONE,
    locations: [...site.zones],
    autoscaling: {
      enabled: true,
      totalMinNodeCount: p.min,
      totalMaxNodeCount: p.max,
      locationPolicy: 'ANY',
    },
    management: { autoUpgrade: true, autoRepair: true },
    status: busy ? 'RECONCILING' : 'RUNNING',
    version: '1.33.5-gke.1000',
    selfLink: link(`locations/${location}/clusters/${p.cluster}/nodePools/${p.name}`),
    instanceGroupUrls: site.zones.map(
      (z) =>
        `https://www.googleapis.com/compute/v1/projects/${SANDBOX_PROJECT}/zones/${z}/instanceGroupManagers/gke-${p.cluster}-${p.name}-${z}-grp`,
    ),
  };
}

function handle(req: ServiceRequest, res: http.ServerResponse, ctx: ServiceContext): void {
  const { world } = ctx;
  const r = route(req.path);
  const name = opName(req);
  if (rejectRequest(req, res, r !== undefined && name !== 'unknown', r?.project) || !r) return;
  const stack = gcpStack(world);
  const state = stateOf(world);
  refresh(world, stack, state);

  if (r.collection === 'operations') {
    const op = state.operations.get(r.id);
    if (!op || op.location !== r.location) {
      googleError(
        res,
        404,
        `Operation "projects/${r.project}/locations/${r.location}/operations/${r.id}" not found.`,
      );
      return;
    }
    const site = stack.sites[op.site];
    if (!site.up) return regionDown(res, site.region);
    send(res, 200, renderOp(op));
    return;
  }

  const siteName = siteOfCluster(r.id);
  const site = siteName ? stack.sites[siteName] : undefined;
  if (!siteName || !site || !locationOfSite(site, r.location)) {
    googleError(
      res,
      404,
      `Cluster "projects/${r.project}/locations/${r.location}/clusters/${r.id}" not found; the sandbox clusters are ${TOPOLOGY.gcp.clusters.primary} (${stack.sites.primary.region}) and ${TOPOLOGY.gcp.clusters.dr} (${stack.sites.dr.region}).`,
    );
    return;
  }
  if (!site.up) return regionDown(res, site.region);
  if (name === 'clusters.get') {
    send(res, 200, {
      name: r.id,
      location: site.region,
      locations: site.zones,
      status: runningOp(state, r.id) ? 'RECONCILING' : 'RUNNING',
      currentNodeCount: site.cluster.nodes.length + site.cluster.systemNodes.length,
      currentMasterVersion: '1.33.5-gke.1000',
      // A real cluster's endpoint is the control plane's IP, served over https with
      // masterAuth.clusterCaCertificate; the sandbox's is host:port/path over plain http (no CA).
      // https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters#Cluster
      endpoint: `${world.kubernetesUrl.replace(/^https?:\/\//, '')}${clusterPath(stack.name, siteName)}`,
      masterAuth: {},
      // NetworkPolicy is enforced with network policy enforcement (Calico) or GKE Dataplane V2;
      // the sandbox's enforcing clusters run Dataplane V2
      // (https://cloud.google.com/kubernetes-engine/docs/how-to/network-policy)
      networkConfig: {
        datapathProvider: site.networkPolicyEnforced ? 'ADVANCED_DATAPATH' : 'LEGACY_DATAPATH',
      },
      networkPolicy: {},
      selfLink: link(`locations/${site.region}/clusters/${r.id}`),
      nodePools: [renderPool(site, r.location, runningOp(state, r.id)?.type === 'SET_NODE_POOL_SIZE')],
    });
    return;
  }
  if (r.pool !== site.pool.name) {
    googleError(
      res,
      404,
      `Node pool "${r.pool}" not found in cluster ${r.id}; the sandbox pool is ${site.pool.name}.`,
    );
    return;
  }
  if (name === 'nodePools.get') {
    send(res, 200, renderPool(site, r.location, runningOp(state, r.id)?.type === 'SET_NODE_POOL_SIZE'));
    return;
  }
  let body: {
    nodeCount?: number;
    autoscaling?: {
      enabled?: boolean;
      minNodeCount?: number;
      maxNodeCount?: number;
      totalMinNodeCount?: number;
      totalMaxNodeCount?: number;
    };
  };
  try {
    body = req.json();
  } catch {
    googleError(res, 400, 'The request body is not valid JSON.');
    return;
  }
  const busy = runningOp(state, r.id);
  if (busy) {
    googleError(res, 400, `Cluster is running incompatible operation ${busy.name}.`, {
      status: 'FAILED_PRECONDITION',
      reason: 'failedPrecondition',
    });
    return;
  }
  const now = world.now();
  const opId = `operation-${now}-${hexId(world, 8)}`;
  if (name === 'nodePools.setSize') {
    const count = Number(body.nodeCount ?? NaN);
    if (!Number.isInteger(count) || count < 0 || count > 1000) {
      googleError(
        res,
        400,
        `Invalid value for field 'nodeCount': ${JSON.stringify(body.nodeCount)}; expected a whole number from 0 to 1000.`,
      );
      return;
    }
    world.monitor.mutation('container', 'nodePools.setSize', `${r.id}/${r.pool}`);
    const updateId = opId;
    // nodeCount is per zone: every zone of the pool gets that many nodes
    const total = count * site.zones.length;
    site.pool.desired = total;
    site.pool.busyUntil = Number.MAX_SAFE_INTEGER;
    site.pool.updates.push({ id: updateId, status: 'InProgress', at: now });
    const op: GkeOperation = {
      name: opId,
      site: siteName,
      location: r.location,
      cluster: r.id,
      pool: r.pool,
      type: 'SET_NODE_POOL_SIZE',
      status: 'RUNNING',
      startTime: now,
      target: total,
      perZone: count,
      updateId,
    };
    state.operations.set(op.name, op);
    // nodes are added by the world's reconcile; the operation finishes when they are Ready
    world.settle();
    send(res, 200, renderOp(op));
    return;
  }
  // setAutoscaling
  // minNodeCount / maxNodeCount are per zone, the total_* limits for the whole pool
  const a = body.autoscaling ?? {};
  const zones = site.zones.length;
  const min = a.totalMinNodeCount ?? (a.minNodeCount !== undefined ? a.minNodeCount * zones : site.pool.min);
  const max = a.totalMaxNodeCount ?? (a.maxNodeCount !== undefined ? a.maxNodeCount * zones : site.pool.max);
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < 1 || min > max) {
    googleError(
      res,
      400,
      `Invalid autoscaling limits min ${String(min)} / max ${String(max)}: expected whole numbers with 0 <= min <= max and max >= 1.`,
    );
    return;
  }
  world.monitor.mutation('container', 'nodePools.setAutoscaling', `${r.id}/${r.pool}`);
  site.pool.min = min;
  site.pool.max = max;
  const op: GkeOperation = {
    name: opId,
    site: siteName,
    location: r.location,
    cluster: r.id,
    pool: r.pool,
    type: 'UPDATE_CLUSTER',
    status: 'DONE',
    startTime: now,
    endTime: now,
  };
  state.operations.set(op.name, op);
  send(res, 200, renderOp(op));
}

/** The GKE v1 emulator (service key and fault key `container`). */
export function containerService(): ServiceDef {
  return {
    name: 'container',
    operation: opName,
    handle,
    renderThrottle: (req, res, hit) => renderGoogleThrottle(req, res, hit, 'container.googleapis.com'),
    renderError: renderGoogleError,
  };
}
