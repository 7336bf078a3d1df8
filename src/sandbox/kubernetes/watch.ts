/** Watches (?watch=true): newline-delimited watch events (ADDED, MODIFIED, DELETED) of a list, diffed on every change of the world. */
import type http from 'node:http';
import type { ServiceRequest } from '../http.js';
import type { World } from '../world.js';
import type { Where } from './meta.js';
import { toTable, wantsTable } from './table.js';

export function watchList(
  req: ServiceRequest,
  res: http.ServerResponse,
  world: World,
  w: Where,
  items: () => { metadata: { name: string; resourceVersion?: string } }[],
  kind: string,
  apiVersion: string,
): void {
  const table = wantsTable(req);
  const timeoutSeconds = Number(req.url.searchParams.get('timeoutSeconds') ?? '') || 300;
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
  const known = new Map<string, { key: string; obj: unknown }>();
  const fingerprint = (o: { metadata: { resourceVersion?: string } }) =>
    JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } }, (k, v) =>
      k === 'lastHeartbeatTime' ||
      k === 'lastUpdateTime' ||
      k === 'lastTransitionTime' ||
      k === 'lastProbeTime'
        ? undefined
        : v,
    );
  let closed = false;
  const emit = (type: string, object: unknown) => {
    if (closed) return;
    const full = { kind, apiVersion, ...(object as object) };
    res.write(
      JSON.stringify({
        type,
        object: table ? toTable(kind, [full], w.cluster.resourceVersion, world) : full,
      }) + '\n',
    );
  };
  const diff = () => {
    if (closed) return;
    if (!w.siteWorld.up) {
      cleanup();
      req.raw.socket.destroy();
      return;
    }
    const seen = new Set<string>();
    for (const item of items()) {
      const name = item.metadata.name;
      seen.add(name);
      const key = fingerprint(item);
      const prev = known.get(name);
      if (!prev) emit('ADDED', item);
      else if (prev.key !== key) emit('MODIFIED', item);
      known.set(name, { key, obj: item });
    }
    for (const [name, prev] of known) {
      if (!seen.has(name)) {
        emit('DELETED', prev.obj);
        known.delete(name);
      }
    }
  };
  // a watch that resumes from a list's resourceVersion only gets what changes after it
  const since = req.url.searchParams.get('resourceVersion');
  if (since && since !== '0') {
    for (const item of items()) known.set(item.metadata.name, { key: fingerprint(item), obj: item });
  }
  const off = world.onChange(diff);
  const timer = setTimeout(() => {
    cleanup();
    res.end();
  }, timeoutSeconds * 1000);
  timer.unref();
  function cleanup() {
    closed = true;
    off();
    clearTimeout(timer);
  }
  res.on('close', cleanup);
  diff();
}
