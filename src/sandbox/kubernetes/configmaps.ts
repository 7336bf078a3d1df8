/**
 * ConfigMaps (core/v1): get, list, watch, patch (of `data`); Secrets (core/v1): get, patch (of
 * `data`, base64, or `stringData`). A changed value reaches only pods started afterwards: the
 * application reads its binding as an environment variable (../binding.ts).
 */
import type http from 'node:http';
import { send, type ServiceRequest } from '../http.js';
import type { World } from '../world.js';
import { uid, type Where } from './meta.js';
import type { Route } from './routes.js';
import { applyPatch, isObj, readStringMap } from './patch.js';
import { invalid, methodNotAllowed, notFound } from './status.js';
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
  mutation: (op: string, target: string) => void,
): void {
  const { cluster } = w;
  const method = req.method.toUpperCase();
  const q = req.url.searchParams;
  if (method === 'PATCH' && r.name) {
    const data = r.namespace === cluster.namespace ? cluster.configMaps.get(r.name) : undefined;
    if (!data) throw notFound('', 'configmaps', r.name);
    const before = { kind: 'ConfigMap', apiVersion: 'v1', ...renderConfigMap(w, r.name, data, createdAt) };
    const next = applyPatch(req, 'ConfigMap', r.name, before);
    cluster.configMaps.set(r.name, readStringMap('ConfigMap', r.name, 'data', next.data));
    cluster.resourceVersion++;
    mutation(r.op, `configmaps/${r.name}`);
    send(res, 200, {
      kind: 'ConfigMap',
      apiVersion: 'v1',
      ...renderConfigMap(w, r.name, cluster.configMaps.get(r.name)!, createdAt),
    });
    return;
  }
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

function renderSecret(w: Where, name: string, data: Record<string, string>, createdAt: string) {
  return {
    kind: 'Secret',
    apiVersion: 'v1',
    metadata: {
      name,
      namespace: w.cluster.namespace,
      uid: uid(`${w.key}/secret/${name}`),
      resourceVersion: String(w.cluster.resourceVersion),
      creationTimestamp: createdAt,
    },
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

/** Secrets: get and patch one by name (`data` is base64; `stringData` is merged into it, as the API server does). */
export function secrets(
  req: ServiceRequest,
  res: http.ServerResponse,
  w: Where,
  r: Route,
  createdAt: string,
  mutation: (op: string, target: string) => void,
): void {
  const { cluster } = w;
  const method = req.method.toUpperCase();
  const data = r.namespace === cluster.namespace && r.name ? cluster.secrets.get(r.name) : undefined;
  if (!data || !r.name) throw notFound('', 'secrets', r.name ?? '');
  if (method === 'GET') {
    send(res, 200, renderSecret(w, r.name, data, createdAt));
    return;
  }
  if (method !== 'PATCH') throw methodNotAllowed(method, r);
  const next = applyPatch(req, 'Secret', r.name, renderSecret(w, r.name, data, createdAt));
  const encoded = readStringMap('Secret', r.name, 'data', next.data);
  const decoded: Record<string, string> = {};
  for (const [k, v] of Object.entries(encoded)) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v))
      throw invalid('Secret', r.name, `data[${k}]: Invalid value: illegal base64 data`);
    decoded[k] = Buffer.from(v, 'base64').toString('utf8');
  }
  const plain = isObj(next.stringData) ? readStringMap('Secret', r.name, 'stringData', next.stringData) : {};
  cluster.secrets.set(r.name, { ...decoded, ...plain });
  cluster.resourceVersion++;
  mutation(r.op, `secrets/${r.name}`);
  send(res, 200, renderSecret(w, r.name, cluster.secrets.get(r.name)!, createdAt));
}
