/** Pods (core/v1) with their subresources: get, list, watch, log, and the pod proxy (GET /debug/connections of the api pods). */
import type http from 'node:http';
import { activeConnections, connectionShare } from '../connections.js';
import { send, type ServiceRequest } from '../http.js';
import type { JobState, PodState, World } from '../world.js';
import { firstContainer, jobImage } from './jobs.js';
import { iso, uid, type Where } from './meta.js';
import type { Route } from './routes.js';
import { selects } from './selectors.js';
import { StatusError, methodNotAllowed, notFound } from './status.js';
import { listOrTable, oneOrTable } from './table.js';
import { watchList } from './watch.js';

function podIp(name: string): string {
  const u = uid(name);
  return `10.${parseInt(u.slice(0, 2), 16)}.${parseInt(u.slice(2, 4), 16)}.${parseInt(u.slice(4, 6), 16) || 1}`;
}

export function renderPod(w: Where, pod: PodState) {
  const job = pod.job ? w.cluster.jobs.get(pod.job) : undefined;
  const ownerReferences = pod.job
    ? [
        {
          apiVersion: 'batch/v1',
          kind: 'Job',
          name: pod.job,
          uid: uid(`${w.key}/job/${pod.job}`),
          controller: true,
        },
      ]
    : pod.deployment
      ? [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: `${pod.deployment}-7d9f8c6b5`,
            uid: uid(`${w.key}/rs/${pod.deployment}`),
            controller: true,
          },
        ]
      : undefined;
  const container = pod.job
    ? (firstContainer(job ?? ({ spec: undefined } as JobState))?.name ?? pod.job)
    : 'api';
  const image = pod.job
    ? (jobImage(job ?? ({ spec: undefined } as JobState)) ?? 'busybox')
    : 'registry.aegis.test/aegis-api:2026.11.1';
  const running = pod.phase === 'Running';
  return {
    metadata: {
      name: pod.name,
      namespace: w.cluster.namespace,
      uid: uid(`${w.key}/pod/${pod.name}`),
      resourceVersion: String(w.cluster.resourceVersion),
      creationTimestamp: iso(pod.createdAt),
      labels: { ...pod.labels },
      ...(ownerReferences ? { ownerReferences } : {}),
    },
    spec: {
      ...(pod.node ? { nodeName: pod.node } : {}),
      restartPolicy: pod.job ? 'Never' : 'Always',
      containers: [
        {
          name: container,
          image,
          ...(pod.deployment ? { ports: [{ containerPort: 8080, protocol: 'TCP' }] } : {}),
        },
      ],
    },
    status: {
      phase: pod.phase,
      conditions: [
        { type: 'PodScheduled', status: pod.node ? 'True' : 'False' },
        { type: 'Ready', status: pod.ready ? 'True' : 'False' },
        { type: 'ContainersReady', status: pod.ready ? 'True' : 'False' },
      ],
      ...(pod.node ? { podIP: podIp(`${w.key}/${pod.name}`), hostIP: podIp(`${w.key}/${pod.node}`) } : {}),
      startTime: iso(pod.createdAt),
      containerStatuses: [
        {
          name: container,
          image,
          imageID: '',
          ready: pod.ready,
          restartCount: 0,
          started: running,
          state: running
            ? { running: { startedAt: iso(pod.createdAt) } }
            : pod.phase === 'Pending'
              ? { waiting: { reason: 'ContainerCreating' } }
              : {
                  terminated: {
                    exitCode: pod.phase === 'Succeeded' ? 0 : 1,
                    reason: pod.phase === 'Succeeded' ? 'Completed' : 'Error',
                  },
                },
        },
      ],
    },
  };
}

function podProxy(req: ServiceRequest, res: http.ServerResponse, world: World, w: Where, r: Route): void {
  // name may be "pod", "pod:port" or "scheme:pod:port"
  const bits = (r.name ?? '').split(':');
  const podName = bits.length === 3 ? bits[1] : bits[0];
  const pod = r.namespace === w.cluster.namespace ? w.cluster.pods.get(podName) : undefined;
  if (!pod) throw notFound('', 'pods', podName);
  if (req.method.toUpperCase() !== 'GET') {
    throw new StatusError(
      405,
      'MethodNotAllowed',
      `the sandbox pod proxy only serves GET (got ${req.method} ${r.rest})`,
    );
  }
  if (!pod.ready || !pod.deployment) {
    throw new StatusError(
      503,
      'ServiceUnavailable',
      `error trying to reach service: pod "${pod.name}" is not running and ready`,
    );
  }
  if (r.rest === '/debug/connections') {
    const peers = [...w.cluster.pods.values()]
      .filter((p) => p.deployment === pod.deployment && p.ready)
      .map((p) => p.name)
      .sort();
    const total = activeConnections(world, w.siteWorld);
    send(
      res,
      200,
      { active: connectionShare(total, peers.length, peers.indexOf(pod.name)) },
      'application/json',
    );
    return;
  }
  send(res, 404, '404 page not found\n', 'text/plain; charset=utf-8');
}

export function pods(req: ServiceRequest, res: http.ServerResponse, world: World, w: Where, r: Route): void {
  const { cluster } = w;
  const method = req.method.toUpperCase();
  const q = req.url.searchParams;
  const watching = r.op.startsWith('watch');
  const nsOk = (ns: string | undefined) => ns === undefined || ns === cluster.namespace;
  const ok = (body: unknown) => send(res, 200, body as object, 'application/json');
  if (method !== 'GET') throw methodNotAllowed(method, r);
  if (!r.name) {
    const sel = q.get('labelSelector');
    const pods = () =>
      nsOk(r.namespace)
        ? [...cluster.pods.values()].filter((p) => selects(sel, p.labels)).map((p) => renderPod(w, p))
        : [];
    if (watching) return watchList(req, res, world, w, pods, 'Pod', 'v1');
    ok(listOrTable(req, world, 'Pod', 'v1', cluster.resourceVersion, pods()));
    return;
  }
  if (r.sub === 'proxy') return podProxy(req, res, world, w, r);
  const pod = nsOk(r.namespace) ? cluster.pods.get(r.name) : undefined;
  if (!pod) throw notFound('', 'pods', r.name);
  if (r.sub === 'log') {
    if (pod.phase === 'Pending') {
      const container = pod.job ? (firstContainer(cluster.jobs.get(pod.job)!)?.name ?? pod.job) : 'api';
      throw new StatusError(
        400,
        'BadRequest',
        `container "${container}" in pod "${pod.name}" is waiting to start: ContainerCreating`,
      );
    }
    const job = pod.job ? cluster.jobs.get(pod.job) : undefined;
    const text = pod.job ? (job?.logs ?? '') : `aegis-api listening on :8080 (${w.key})\n`;
    send(res, 200, text, 'text/plain');
    return;
  }
  ok(
    oneOrTable(req, world, cluster.resourceVersion, {
      kind: 'Pod',
      apiVersion: 'v1',
      ...renderPod(w, pod),
    }),
  );
  return;
}
