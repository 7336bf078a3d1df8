/** Nodes (core/v1): get, list, watch, with the node pool label of each cloud. */
import type http from 'node:http';
import { send, type ServiceRequest } from '../http.js';
import type { NodeState, World } from '../world.js';
import { iso, uid, type Where } from './meta.js';
import type { Route } from './routes.js';
import { selects } from './selectors.js';
import { methodNotAllowed, notFound } from './status.js';
import { listOrTable, oneOrTable } from './table.js';
import { watchList } from './watch.js';

const NODEPOOL_LABEL: Record<string, string> = {
  aws: 'eks.amazonaws.com/nodegroup',
  azure: 'kubernetes.azure.com/agentpool',
  gcp: 'cloud.google.com/gke-nodepool',
};

export function renderNode(w: Where, node: NodeState, index: number) {
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
        [NODEPOOL_LABEL[w.stack.cloud] ?? 'aegis.io/nodepool']: w.siteWorld.pool.name,
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
  const nodes = () => cluster.nodes.map((n, i) => renderNode(w, n, i));
  if (method !== 'GET') throw methodNotAllowed(method, r);
  if (r.name) {
    const i = cluster.nodes.findIndex((n) => n.name === r.name);
    if (i < 0) throw notFound('', 'nodes', r.name);
    ok(
      oneOrTable(req, world, cluster.resourceVersion, {
        kind: 'Node',
        apiVersion: 'v1',
        ...renderNode(w, cluster.nodes[i], i),
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
