/**
 * Nodes (core/v1): get, list, watch. Each node carries its pool's label as the cloud sets it
 * (src/plan/constants.ts NODE_POOL_LABELS): the workload pool's nodes name the site's pool, the
 * system pool's nodes name the cloud's system pool (AKS: a pool of mode System, whose nodes also
 * carry `kubernetes.azure.com/mode=system`, https://learn.microsoft.com/en-us/azure/aks/use-system-pools;
 * GKE: `default-pool`; EKS: a `system` node group).
 */
import type http from 'node:http';
import { NODE_POOL_LABELS } from '../../plan/constants.js';
import { send, type ServiceRequest } from '../http.js';
import type { NodeState, World } from '../world.js';
import { iso, uid, type Where } from './meta.js';
import type { Route } from './routes.js';
import { selects } from './selectors.js';
import { methodNotAllowed, notFound } from './status.js';
import { listOrTable, oneOrTable } from './table.js';
import { watchList } from './watch.js';

const NODEPOOL_LABEL: Record<string, string> = {
  aws: NODE_POOL_LABELS.eks,
  azure: NODE_POOL_LABELS.aks,
  gcp: NODE_POOL_LABELS.gke,
};

/** The system pool's name on each cloud. */
export const SYSTEM_POOL: Record<string, string> = {
  aws: 'system',
  azure: 'systempool',
  gcp: 'default-pool',
};

/** The labels of a node of the workload pool or of the system pool. */
function poolLabels(w: Where, system: boolean): Record<string, string> {
  const cloud = w.stack.cloud;
  const key = NODEPOOL_LABEL[cloud] ?? 'aegis.io/nodepool';
  return {
    [key]: system ? (SYSTEM_POOL[cloud] ?? 'system') : w.siteWorld.pool.name,
    ...(cloud === 'azure' ? { 'kubernetes.azure.com/mode': system ? 'system' : 'user' } : {}),
  };
}

/** Every node of the cluster: the workload pool's, then the system pool's. */
function allNodes(w: Where): { node: NodeState; index: number; system: boolean }[] {
  return [
    ...w.cluster.nodes.map((node, index) => ({ node, index, system: false })),
    ...w.cluster.systemNodes.map((node, index) => ({ node, index, system: true })),
  ];
}

export function renderNode(w: Where, node: NodeState, index: number, system = false) {
  const zone = w.siteWorld.zones[index % Math.max(1, w.siteWorld.zones.length)] ?? w.siteWorld.region;
  const at = iso(node.createdAt);
  return {
    metadata: {
      name: node.name,
      uid: uid(`${w.key}/node/${node.name}`),
      resourceVersion: String(w.cluster.resourceVersion),
      creationTimestamp: at,
      labels: {
        'kubernetes.io/hostname': node.name,
        'kubernetes.io/os': 'linux',
        'topology.kubernetes.io/region': w.siteWorld.region,
        'topology.kubernetes.io/zone': zone,
        ...poolLabels(w, system),
      },
    },
    spec: {},
    status: {
      conditions: [
        {
          type: 'Ready',
          status: node.ready ? 'True' : 'False',
          reason: node.ready ? 'KubeletReady' : 'KubeletNotReady',
          message: node.ready ? 'kubelet is posting ready status' : 'container runtime network not ready',
          lastHeartbeatTime: iso(Date.now()),
          lastTransitionTime: at,
        },
      ],
      nodeInfo: {
        kubeletVersion: 'v1.33.0',
        osImage: 'sandbox',
        architecture: 'amd64',
        operatingSystem: 'linux',
      },
    },
  };
}

export function nodes(req: ServiceRequest, res: http.ServerResponse, world: World, w: Where, r: Route): void {
  const { cluster } = w;
  const method = req.method.toUpperCase();
  const q = req.url.searchParams;
  const watching = r.op.startsWith('watch');
  const ok = (body: unknown) => send(res, 200, body as object, 'application/json');
  const nodes = () => allNodes(w).map((n) => renderNode(w, n.node, n.index, n.system));
  if (method !== 'GET') throw methodNotAllowed(method, r);
  if (r.name) {
    const found = allNodes(w).find((n) => n.node.name === r.name);
    if (!found) throw notFound('', 'nodes', r.name);
    ok(
      oneOrTable(req, world, cluster.resourceVersion, {
        kind: 'Node',
        apiVersion: 'v1',
        ...renderNode(w, found.node, found.index, found.system),
      }),
    );
    return;
  }
  const sel = q.get('labelSelector');
  const filtered = () => nodes().filter((n) => selects(sel, n.metadata.labels));
  if (watching) return watchList(req, res, world, w, filtered, 'Node', 'v1');
  ok(listOrTable(req, world, 'Node', 'v1', cluster.resourceVersion, filtered()));
  return;
}
