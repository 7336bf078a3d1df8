/** ConfigMaps (core/v1): get, list, watch (read only). */
import type http from 'node:http';
import { send, type ServiceRequest } from '../http.js';
import type { World } from '../world.js';
import { uid, type Where } from './meta.js';
import type { Route } from './routes.js';
import { methodNotAllowed, notFound } from './status.js';
import { listOrTable, oneOrTable } from './table.js';
import { watchList } from './watch.js';

export function renderConfigMap(w: Where, name: string, data: Record<string, string>, createdAt: string) {
  return {
    metadata: {
      name,
      namespace: w.cluster.namespace,
      uid: uid(`${w.key}/configmap/${name}`),
      resourceVersion: String(w.cluster.resourceVersion),
      creationTimestamp: createdAt,
    },
    data: { ...data },
  };
}

export function configmaps(
  req: ServiceRequest,
  res: http.ServerResponse,
  world: World,
  w: Where,
  r: Route,
  createdAt: string,
): void {
  const { cluster } = w;
  const method = req.method.toUpperCase();
  const q = req.url.searchParams;
  const watching = r.op.startsWith('watch');
  const nsOk = (ns: string | undefined) => ns === undefined || ns === cluster.namespace;
  const ok = (body: unknown) => send(res, 200, body as object, 'application/json');
  if (method !== 'GET') throw methodNotAllowed(method, r);
  if (!r.name) {
    const sel = q.get('labelSelector');
    const items = () =>
      nsOk(r.namespace) && !sel
        ? [...cluster.configMaps.entries()].map(([n, d]) => renderConfigMap(w, n, d, createdAt))
        : [];
    if (watching) return watchList(req, res, world, w, items, 'ConfigMap', 'v1');
    ok(listOrTable(req, world, 'ConfigMap', 'v1', cluster.resourceVersion, items()));
    return;
  }
  const data = nsOk(r.namespace) ? cluster.configMaps.get(r.name) : undefined;
  if (!data) throw notFound('', 'configmaps', r.name);
  ok(
    oneOrTable(req, world, cluster.resourceVersion, {
      kind: 'ConfigMap',
      apiVersion: 'v1',
      ...renderConfigMap(w, r.name, data, createdAt),
    }),
  );
  return;
}
