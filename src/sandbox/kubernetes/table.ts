/** Server-side printing: kubectl get asks for a meta.k8s.io/v1 Table (Accept: ...;as=Table). */
import type { ServiceRequest } from '../http.js';
import type { World } from '../world.js';
import { list } from './meta.js';

/** A list, or kubectl's Table of it when the request asks for one. */
export function listOrTable(
  req: ServiceRequest,
  world: World,
  kind: string,
  apiVersion: string,
  rv: number,
  items: unknown[],
): object {
  if (!wantsTable(req)) return list(`${kind}List`, apiVersion, rv, items);
  return toTable(
    kind,
    items.map((o) => ({ kind, apiVersion, ...(o as object) })),
    rv,
    world,
  );
}

/** One object, or kubectl's Table of it when the request asks for one. */
export function oneOrTable(
  req: ServiceRequest,
  world: World,
  rv: number,
  obj: { kind: string; apiVersion: string },
): object {
  return wantsTable(req) ? toTable(obj.kind, [obj], rv, world) : obj;
}

export function wantsTable(req: ServiceRequest): boolean {
  return /as=Table/.test(String(req.headers.accept ?? ''));
}

function age(fromIso: string | undefined, world: World): string {
  const secs = Math.max(0, Math.floor((world.now() - Date.parse(fromIso ?? '')) / 1000)) || 0;
  if (secs < 120) return `${secs}s`;
  if (secs < 3600) return `${Math.floor(secs / 60)}m`;
  if (secs < 48 * 3600) return `${Math.floor(secs / 3600)}h`;
  return `${Math.floor(secs / 86400)}d`;
}

type Obj = Record<string, any>;

const COLUMNS: Record<string, { names: string[]; cells: (o: Obj, world: World) => unknown[] }> = {
  Node: {
    names: ['Name', 'Status', 'Roles', 'Age', 'Version'],
    cells: (o, world) => [
      o.metadata.name,
      o.status.conditions.some((c: Obj) => c.type === 'Ready' && c.status === 'True') ? 'Ready' : 'NotReady',
      '<none>',
      age(o.metadata.creationTimestamp, world),
      o.status.nodeInfo.kubeletVersion,
    ],
  },
  Pod: {
    names: ['Name', 'Ready', 'Status', 'Restarts', 'Age'],
    cells: (o, world) => [
      o.metadata.name,
      `${o.status.containerStatuses.filter((c: Obj) => c.ready).length}/${o.status.containerStatuses.length}`,
      o.status.phase === 'Succeeded'
        ? 'Completed'
        : o.status.phase === 'Failed'
          ? 'Error'
          : o.status.phase === 'Pending'
            ? 'ContainerCreating'
            : o.status.phase,
      0,
      age(o.metadata.creationTimestamp, world),
    ],
  },
  Deployment: {
    names: ['Name', 'Ready', 'Up-to-date', 'Available', 'Age'],
    cells: (o, world) => [
      o.metadata.name,
      `${o.status.readyReplicas ?? 0}/${o.spec.replicas}`,
      o.status.updatedReplicas ?? 0,
      o.status.availableReplicas ?? 0,
      age(o.metadata.creationTimestamp, world),
    ],
  },
  Job: {
    names: ['Name', 'Status', 'Completions', 'Age'],
    cells: (o, world) => [
      o.metadata.name,
      o.status.succeeded ? 'Complete' : o.status.failed ? 'Failed' : 'Running',
      `${o.status.succeeded ?? 0}/1`,
      age(o.metadata.creationTimestamp, world),
    ],
  },
  ConfigMap: {
    names: ['Name', 'Data', 'Age'],
    cells: (o, world) => [
      o.metadata.name,
      Object.keys(o.data ?? {}).length,
      age(o.metadata.creationTimestamp, world),
    ],
  },
};

export function toTable(kind: string, items: unknown[], rv: number, world: World): object {
  const cols = COLUMNS[kind];
  if (!cols) return list(`${kind}List`, 'v1', rv, items);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: String(rv) },
    columnDefinitions: cols.names.map((name, i) => ({
      name,
      type: 'string',
      format: i === 0 ? 'name' : '',
      description: '',
      priority: 0,
    })),
    rows: items.map((o) => ({ cells: cols.cells(o as Obj, world), object: o })),
  };
}
