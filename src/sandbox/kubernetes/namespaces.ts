/** Namespaces (core/v1): get of the cluster's one namespace. */
import type http from 'node:http';
import { send, type ServiceRequest } from '../http.js';
import { uid, type Where } from './meta.js';
import type { Route } from './routes.js';
import { methodNotAllowed, notFound } from './status.js';

export function namespaces(
  req: ServiceRequest,
  res: http.ServerResponse,
  w: Where,
  r: Route,
  createdAt: string,
): void {
  const { cluster } = w;
  const method = req.method.toUpperCase();
  const ok = (body: unknown) => send(res, 200, body as object, 'application/json');
  if (method !== 'GET') throw methodNotAllowed(method, r);
  if (r.name !== cluster.namespace) throw notFound('', 'namespaces', r.name ?? '');
  ok({
    kind: 'Namespace',
    apiVersion: 'v1',
    metadata: {
      name: r.name,
      labels: { ...cluster.namespaceLabels },
      uid: uid(`${w.key}/ns/${r.name}`),
      resourceVersion: String(cluster.resourceVersion),
      creationTimestamp: createdAt,
    },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  });
  return;
}
