/**
 * The emulated Kubernetes API server: every cluster of the world on one port, each under the path
 * prefix `/clusters/<stack>-<site>` (so a kubeconfig cluster `server` is
 * `http://127.0.0.1:PORT/clusters/aws-primary`). It serves what `@kubernetes/client-node` 2.x and
 * kubectl call during the runbook: nodes (with watch), pods (label selectors, logs, the pod proxy),
 * deployments (merge / strategic-merge / JSON patch, the scale subresource), configmaps and jobs.
 * Errors are Kubernetes `Status` objects; an unreachable site's API server resets the connection.
 */
import type http from 'node:http';
import { stringify as toYaml } from 'yaml';
import type { SiteName } from '../plan/types.js';
import type { FaultHit } from './faults.js';
import type { ServiceContext, ServiceDef, ServiceRequest } from './http.js';
import { send } from './http.js';
import { activeConnections, connectionShare } from './connections.js';
import {
  type ClusterState,
  type DeploymentState,
  type JobState,
  type NodeState,
  type PodState,
  type SiteWorld,
  type StackWorld,
  type World,
  DURATIONS,
  SITES,
} from './world.js';

/** Bearer token of the sandbox kubeconfig user (any bearer token is accepted). */
export const SANDBOX_KUBE_TOKEN = 'aegis-sandbox-token';

/** Annotation that starts (value "true") or cancels (removed) the connection drain of a site. */
export const DRAIN_ANNOTATION = 'aegis.io/drain';

/** What a job handler learns about where the job runs. */
export interface JobContext {
  world: World;
  stack: StackWorld;
  site: SiteName;
  siteWorld: SiteWorld;
}

/** Result of a job: whether it succeeded and the text its pod logged. */
export interface JobResult {
  succeeded: boolean;
  logs: string;
}

interface JobHandler {
  match: (job: JobState) => boolean;
  run: (job: JobState, ctx: JobContext) => JobResult;
}

const jobHandlers: JobHandler[] = [];

/**
 * Plug in what a job does when it finishes (integrity check, data sync, ...). The newest handler
 * whose `match` accepts the job decides its result; without one the job succeeds and logs "ok".
 * `run` is called when the job's run time is over, so it sees the world as it is then; a `run`
 * that throws fails the job with the error message as its log. Returns a function that removes
 * the handler again.
 */
export function registerJobHandler(
  match: (job: JobState) => boolean,
  run: (job: JobState, ctx: JobContext) => JobResult,
): () => void {
  const h: JobHandler = { match, run };
  jobHandlers.unshift(h);
  return () => {
    const i = jobHandlers.indexOf(h);
    if (i >= 0) jobHandlers.splice(i, 1);
  };
}

interface ContainerSpec {
  name?: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string }[];
}

function firstContainer(job: JobState): ContainerSpec | undefined {
  const spec = job.spec as { spec?: { template?: { spec?: { containers?: ContainerSpec[] } } } } | undefined;
  return spec?.spec?.template?.spec?.containers?.[0];
}

/** The command (command + args) of a job's first container, for job handlers. */
export function jobCommand(job: JobState): string[] {
  const c = firstContainer(job);
  return [...(c?.command ?? []), ...(c?.args ?? [])];
}

/** The environment of a job's first container as a plain map, for job handlers. */
export function jobEnv(job: JobState): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of firstContainer(job)?.env ?? []) out[e.name] = e.value ?? '';
  return out;
}

/** The image of a job's first container. */
export function jobImage(job: JobState): string | undefined {
  return firstContainer(job)?.image;
}

/** Path prefix under which the emulator serves the cluster of `stack`/`site`. */
export function clusterPath(stack: string, site: SiteName): string {
  return `/clusters/${stack}-${site}`;
}

/**
 * Kubeconfig YAML with one cluster, user binding and context per stack and site of the world
 * (contexts named `<stack>-<site>`, e.g. aws-primary, as TOPOLOGY's `contexts`), all served by the
 * emulator at `baseUrl` (`http://127.0.0.1:PORT`), with a static bearer token user.
 */
export function writeKubeconfig(baseUrl: string, world: World): string {
  const base = baseUrl.replace(/\/+$/, '');
  const clusters: unknown[] = [];
  const contexts: unknown[] = [];
  for (const stack of world.stacks.values()) {
    for (const site of SITES) {
      const name = `${stack.name}-${site}`;
      clusters.push({
        name,
        cluster: { server: `${base}${clusterPath(stack.name, site)}`, 'insecure-skip-tls-verify': true },
      });
      contexts.push({
        name,
        context: { cluster: name, user: 'aegis-sandbox', namespace: stack.sites[site].cluster.namespace },
      });
    }
  }
  const first = contexts[0] as { name: string } | undefined;
  return toYaml({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters,
    users: [{ name: 'aegis-sandbox', user: { token: SANDBOX_KUBE_TOKEN } }],
    contexts,
    'current-context': first?.name ?? '',
  });
}

// ---------------------------------------------------------------------------------------------
// Routing

interface Route {
  op: string;
  stack?: string;
  site?: SiteName;
  /** Path segments after the cluster prefix, decoded. */
  parts: string[];
  /** Resource kind addressed, for handlers. */
  kind?: string;
  namespace?: string;
  name?: string;
  sub?: string;
  /** Rest of the path for the pod proxy. */
  rest?: string;
}

const PREFIX = /^\/clusters\/([^/]+)-(primary|dr)(\/.*)?$/;

function route(req: ServiceRequest): Route {
  const m = PREFIX.exec(req.path);
  if (!m) return { op: 'unknown', parts: [] };
  const stack = m[1];
  const site = m[2] as SiteName;
  const raw = (m[3] ?? '/').split('/').filter((s) => s.length > 0);
  const parts = raw.map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  const r: Route = { op: 'unknown', stack, site, parts };
  const method = req.method.toUpperCase();
  const watch = req.url.searchParams.get('watch') === 'true' || req.url.searchParams.get('watch') === '1';
  const verb = (list: string, kind: string) => (watch ? `watch${kind}` : list);
  const p = parts;
  if (p.length === 1 && p[0] === 'version') return { ...r, op: 'getCode' };
  if (
    method === 'GET' &&
    (['api', 'apis', 'api/v1', 'apis/apps/v1', 'apis/batch/v1', 'apis/autoscaling/v1'].includes(
      p.join('/'),
    ) ||
      (p[0] === 'apis' && p.length === 2))
  ) {
    return { ...r, op: 'discovery' };
  }
  // core v1
  if (p[0] === 'api' && p[1] === 'v1') {
    if (p[2] === 'nodes') {
      if (p.length === 3) return { ...r, kind: 'nodes', op: verb('listNode', 'Node') };
      if (p.length === 4) return { ...r, kind: 'nodes', name: p[3], op: 'readNode' };
    }
    if (p[2] === 'namespaces' && p.length === 4)
      return { ...r, kind: 'namespaces', name: p[3], op: 'readNamespace' };
    if (p[2] === 'pods' && p.length === 3)
      return { ...r, kind: 'pods', op: verb('listPodForAllNamespaces', 'Pod') };
    if (p[2] === 'namespaces' && p.length >= 5) {
      const ns = p[3];
      const res = p[4];
      const name = p[5];
      const sub = p[6];
      if (res === 'pods') {
        if (p.length === 5)
          return { ...r, kind: 'pods', namespace: ns, op: verb('listNamespacedPod', 'Pod') };
        if (p.length === 6) return { ...r, kind: 'pods', namespace: ns, name, op: 'readNamespacedPod' };
        if (sub === 'log' && p.length === 7)
          return { ...r, kind: 'pods', namespace: ns, name, sub, op: 'readNamespacedPodLog' };
        if (sub === 'proxy') {
          // keep the rest as sent: the client encodes "/" in the path as %2F
          const restRaw = raw.slice(7).map((s) => {
            try {
              return decodeURIComponent(s);
            } catch {
              return s;
            }
          });
          const rest = '/' + restRaw.join('/').replace(/^\/+/, '');
          return {
            ...r,
            kind: 'pods',
            namespace: ns,
            name,
            sub,
            rest,
            op: 'connectGetNamespacedPodProxyWithPath',
          };
        }
      }
      if (res === 'configmaps') {
        if (p.length === 5)
          return {
            ...r,
            kind: 'configmaps',
            namespace: ns,
            op: verb('listNamespacedConfigMap', 'ConfigMap'),
          };
        if (p.length === 6)
          return { ...r, kind: 'configmaps', namespace: ns, name, op: 'readNamespacedConfigMap' };
      }
    }
  }
  if (p[0] === 'apis' && p[1] === 'apps' && p[2] === 'v1') {
    if (p[3] === 'deployments' && p.length === 4) {
      return { ...r, kind: 'deployments', op: verb('listDeploymentForAllNamespaces', 'Deployment') };
    }
    if (p[3] === 'namespaces' && p[5] === 'deployments') {
      const ns = p[4];
      const name = p[6];
      const sub = p[7];
      if (p.length === 6)
        return {
          ...r,
          kind: 'deployments',
          namespace: ns,
          op: verb('listNamespacedDeployment', 'Deployment'),
        };
      if (p.length === 7) {
        const op =
          method === 'PATCH'
            ? 'patchNamespacedDeployment'
            : method === 'GET'
              ? 'readNamespacedDeployment'
              : `${method} deployment`;
        return { ...r, kind: 'deployments', namespace: ns, name, op };
      }
      if (p.length === 8 && sub === 'scale') {
        const op =
          method === 'PATCH'
            ? 'patchNamespacedDeploymentScale'
            : method === 'PUT'
              ? 'replaceNamespacedDeploymentScale'
              : method === 'GET'
                ? 'readNamespacedDeploymentScale'
                : `${method} deployment scale`;
        return { ...r, kind: 'deployments', namespace: ns, name, sub, op };
      }
      if (p.length === 8 && sub === 'status') {
        return { ...r, kind: 'deployments', namespace: ns, name, sub, op: 'readNamespacedDeploymentStatus' };
      }
    }
  }
  if (p[0] === 'apis' && p[1] === 'batch' && p[2] === 'v1') {
    if (p[3] === 'jobs' && p.length === 4)
      return { ...r, kind: 'jobs', op: verb('listJobForAllNamespaces', 'Job') };
    if (p[3] === 'namespaces' && p[5] === 'jobs') {
      const ns = p[4];
      const name = p[6];
      if (p.length === 6) {
        const op =
          method === 'POST'
            ? 'createNamespacedJob'
            : method === 'GET'
              ? verb('listNamespacedJob', 'Job')
              : `${method} jobs`;
        return { ...r, kind: 'jobs', namespace: ns, op };
      }
      if (p.length === 7) {
        const op =
          method === 'DELETE'
            ? 'deleteNamespacedJob'
            : method === 'GET'
              ? 'readNamespacedJob'
              : `${method} job`;
        return { ...r, kind: 'jobs', namespace: ns, name, op };
      }
      if (p.length === 8 && p[7] === 'status')
        return { ...r, kind: 'jobs', namespace: ns, name, sub: 'status', op: 'readNamespacedJobStatus' };
    }
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Discovery (kubectl reads it before anything else)

function resource(name: string, kind: string, namespaced: boolean, verbs: string[], shortNames?: string[]) {
  return {
    name,
    singularName: name.includes('/') ? '' : kind.toLowerCase(),
    namespaced,
    kind,
    verbs,
    ...(shortNames ? { shortNames } : {}),
  };
}

function discovery(path: string): object | undefined {
  const group = (name: string, version: string) => ({
    name,
    versions: [{ groupVersion: `${name}/${version}`, version }],
    preferredVersion: { groupVersion: `${name}/${version}`, version },
  });
  switch (path) {
    case 'api':
      return {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }],
      };
    case 'apis':
      return {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: [group('apps', 'v1'), group('batch', 'v1'), group('autoscaling', 'v1')],
      };
    case 'apis/apps':
      return { kind: 'APIGroup', apiVersion: 'v1', ...group('apps', 'v1') };
    case 'apis/batch':
      return { kind: 'APIGroup', apiVersion: 'v1', ...group('batch', 'v1') };
    case 'apis/autoscaling':
      return { kind: 'APIGroup', apiVersion: 'v1', ...group('autoscaling', 'v1') };
    case 'api/v1':
      return {
        kind: 'APIResourceList',
        groupVersion: 'v1',
        resources: [
          resource('nodes', 'Node', false, ['get', 'list', 'watch'], ['no']),
          resource('namespaces', 'Namespace', false, ['get'], ['ns']),
          resource('pods', 'Pod', true, ['get', 'list', 'watch'], ['po']),
          resource('pods/log', 'Pod', true, ['get']),
          resource('pods/proxy', 'PodProxyOptions', true, ['get']),
          resource('configmaps', 'ConfigMap', true, ['get', 'list', 'watch'], ['cm']),
        ],
      };
    case 'apis/apps/v1':
      return {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: 'apps/v1',
        resources: [
          {
            ...resource('deployments', 'Deployment', true, ['get', 'list', 'patch', 'watch'], ['deploy']),
            categories: ['all'],
          },
          {
            ...resource('deployments/scale', 'Scale', true, ['get', 'patch', 'update']),
            group: 'autoscaling',
            version: 'v1',
          },
          resource('deployments/status', 'Deployment', true, ['get']),
        ],
      };
    case 'apis/batch/v1':
      return {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: 'batch/v1',
        resources: [
          {
            ...resource('jobs', 'Job', true, ['create', 'delete', 'get', 'list', 'watch']),
            categories: ['all'],
          },
          resource('jobs/status', 'Job', true, ['get']),
        ],
      };
    case 'apis/autoscaling/v1':
      return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'autoscaling/v1', resources: [] };
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Status errors

class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

function statusBody(code: number, reason: string, message: string, details?: Record<string, unknown>) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: code < 400 ? 'Success' : 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

function sendStatus(res: http.ServerResponse, e: StatusError): void {
  send(res, e.code, statusBody(e.code, e.reason, e.message, e.details), 'application/json', e.headers);
}

function notFound(group: string, kind: string, name: string): StatusError {
  const qualified = group ? `${kind}.${group}` : kind;
  return new StatusError(404, 'NotFound', `${qualified} "${name}" not found`, {
    name,
    group: group || undefined,
    kind,
  });
}

function invalid(kind: string, name: string, message: string): StatusError {
  return new StatusError(422, 'Invalid', `${kind} "${name}" is invalid: ${message}`, { name, kind });
}

// ---------------------------------------------------------------------------------------------
// Rendering

function uid(key: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < key.length; i++) {
    h1 = Math.imul(h1 ^ key.charCodeAt(i), 16777619) >>> 0;
    h2 = Math.imul(h2 ^ key.charCodeAt(i), 2246822519) >>> 0;
  }
  const hex = (h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0')).slice(0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8000-${hex.padEnd(12, '0').slice(0, 12)}`;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const NODEPOOL_LABEL: Record<string, string> = {
  aws: 'eks.amazonaws.com/nodegroup',
  azure: 'kubernetes.azure.com/agentpool',
  gcp: 'cloud.google.com/gke-nodepool',
};

interface Where {
  key: string;
  stack: StackWorld;
  site: SiteName;
  siteWorld: SiteWorld;
  cluster: ClusterState;
}

function renderNode(w: Where, node: NodeState, index: number) {
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

function podIp(name: string): string {
  const u = uid(name);
  return `10.${parseInt(u.slice(0, 2), 16)}.${parseInt(u.slice(2, 4), 16)}.${parseInt(u.slice(4, 6), 16) || 1}`;
}

function renderPod(w: Where, pod: PodState) {
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

function deploymentReplicas(w: Where, d: DeploymentState) {
  let existing = 0;
  let ready = 0;
  for (const p of w.cluster.pods.values()) {
    if (p.deployment !== d.name) continue;
    existing++;
    if (p.ready) ready++;
  }
  return { existing, ready };
}

function renderDeployment(w: Where, d: DeploymentState, createdAt: string) {
  const { existing, ready } = deploymentReplicas(w, d);
  const updated = Math.min(d.updatedReplicas, existing);
  const maxUnavailable = Math.floor(d.replicas * 0.25);
  const available = ready >= d.replicas - maxUnavailable;
  const complete = ready === d.replicas && existing === d.replicas && d.observedGeneration >= d.generation;
  const now = iso(Date.now());
  return {
    metadata: {
      name: d.name,
      namespace: w.cluster.namespace,
      uid: uid(`${w.key}/deployment/${d.name}`),
      resourceVersion: String(w.cluster.resourceVersion),
      generation: d.generation,
      creationTimestamp: createdAt,
      labels: { ...d.labels },
      annotations: { 'deployment.kubernetes.io/revision': '1', ...d.annotations },
    },
    spec: {
      replicas: d.replicas,
      selector: { matchLabels: { app: d.labels.app ?? d.name } },
      template: {
        metadata: { labels: { ...d.labels } },
        spec: {
          containers: [
            {
              name: 'api',
              image: 'registry.aegis.test/aegis-api:2026.11.1',
              ports: [{ containerPort: 8080, protocol: 'TCP' }],
            },
          ],
        },
      },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: {
      observedGeneration: d.observedGeneration,
      replicas: existing,
      updatedReplicas: updated,
      readyReplicas: ready,
      availableReplicas: ready,
      ...(existing - ready > 0 ? { unavailableReplicas: existing - ready } : {}),
      conditions: [
        {
          type: 'Available',
          status: available ? 'True' : 'False',
          reason: available ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
          message: available
            ? 'Deployment has minimum availability.'
            : 'Deployment does not have minimum availability.',
          lastUpdateTime: now,
          lastTransitionTime: now,
        },
        {
          type: 'Progressing',
          status: 'True',
          reason: complete ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
          message: complete
            ? `ReplicaSet "${d.name}-7d9f8c6b5" has successfully progressed.`
            : `ReplicaSet "${d.name}-7d9f8c6b5" is progressing.`,
          lastUpdateTime: now,
          lastTransitionTime: now,
        },
      ],
    },
  };
}

function renderScale(w: Where, d: DeploymentState, createdAt: string) {
  const { existing } = deploymentReplicas(w, d);
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: d.name,
      namespace: w.cluster.namespace,
      uid: uid(`${w.key}/deployment/${d.name}`),
      resourceVersion: String(w.cluster.resourceVersion),
      creationTimestamp: createdAt,
    },
    spec: { replicas: d.replicas },
    status: {
      replicas: existing,
      selector: Object.entries(d.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    },
  };
}

function renderConfigMap(w: Where, name: string, data: Record<string, string>, createdAt: string) {
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

interface JobExtra {
  startedAt: number;
  completedAt?: number;
}
const jobTimes = new WeakMap<JobState, JobExtra>();

function renderJob(w: Where, job: JobState) {
  const body = (job.spec ?? {}) as {
    metadata?: { annotations?: Record<string, string> };
    spec?: Record<string, unknown>;
  };
  const times = jobTimes.get(job) ?? { startedAt: job.createdAt };
  const finished = job.status !== 'running';
  const at = iso(times.completedAt ?? Date.now());
  const conditions = !finished
    ? []
    : job.status === 'succeeded'
      ? [
          {
            type: 'SuccessCriteriaMet',
            status: 'True',
            reason: 'CompletionsReached',
            message: 'Reached expected number of succeeded pods',
            lastProbeTime: at,
            lastTransitionTime: at,
          },
          {
            type: 'Complete',
            status: 'True',
            reason: 'CompletionsReached',
            message: 'Reached expected number of succeeded pods',
            lastProbeTime: at,
            lastTransitionTime: at,
          },
        ]
      : [
          {
            type: 'FailureTarget',
            status: 'True',
            reason: 'BackoffLimitExceeded',
            message: 'Job has reached the specified backoff limit',
            lastProbeTime: at,
            lastTransitionTime: at,
          },
          {
            type: 'Failed',
            status: 'True',
            reason: 'BackoffLimitExceeded',
            message: 'Job has reached the specified backoff limit',
            lastProbeTime: at,
            lastTransitionTime: at,
          },
        ];
  const spec = { ...(body.spec ?? {}) };
  const template = (spec.template ?? {}) as { metadata?: { labels?: Record<string, string> } };
  spec.template = {
    ...template,
    metadata: {
      ...(template.metadata ?? {}),
      labels: {
        ...(template.metadata?.labels ?? {}),
        'job-name': job.name,
        'batch.kubernetes.io/job-name': job.name,
      },
    },
  };
  return {
    metadata: {
      name: job.name,
      namespace: w.cluster.namespace,
      uid: uid(`${w.key}/job/${job.name}`),
      resourceVersion: String(w.cluster.resourceVersion),
      generation: 1,
      creationTimestamp: iso(job.createdAt),
      labels: { ...job.labels },
      ...(body.metadata?.annotations ? { annotations: { ...body.metadata.annotations } } : {}),
    },
    spec: {
      backoffLimit: 6,
      completions: 1,
      parallelism: 1,
      ...spec,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid(`${w.key}/job/${job.name}`) } },
    },
    status: {
      startTime: iso(times.startedAt),
      ...(job.status === 'running' ? { active: 1, ready: 1 } : {}),
      ...(job.status === 'succeeded' ? { succeeded: 1, completionTime: at } : {}),
      ...(job.status === 'failed' ? { failed: 1 } : {}),
      ...(conditions.length ? { conditions } : {}),
      terminating: 0,
      uncountedTerminatedPods: {},
    },
  };
}

function list(kind: string, apiVersion: string, rv: number, items: unknown[]) {
  return { kind, apiVersion, metadata: { resourceVersion: String(rv) }, items };
}

// ---------------------------------------------------------------------------------------------
// Server-side printing (kubectl get asks for meta.k8s.io/v1 Table)

/** A list, or kubectl's Table of it when the request asks for one. */
function listOrTable(
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
function oneOrTable(
  req: ServiceRequest,
  world: World,
  rv: number,
  obj: { kind: string; apiVersion: string },
): object {
  return wantsTable(req) ? toTable(obj.kind, [obj], rv, world) : obj;
}

function wantsTable(req: ServiceRequest): boolean {
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

function toTable(kind: string, items: unknown[], rv: number, world: World): object {
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

// ---------------------------------------------------------------------------------------------
// Label selectors

type Requirement = (labels: Record<string, string>) => boolean;

/** Parse a Kubernetes label selector (=, ==, !=, in, notin, exists, !exists). */
export function parseLabelSelector(selector: string): Requirement[] {
  const reqs: Requirement[] = [];
  const terms: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(cur);
      cur = '';
    } else cur += ch;
  }
  terms.push(cur);
  for (const raw of terms) {
    const t = raw.trim();
    if (!t) continue;
    let m: RegExpExecArray | null;
    if ((m = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(t))) {
      const key = m[1];
      const values = m[3].split(',').map((v) => v.trim());
      const neg = m[2] === 'notin';
      reqs.push((l) => (neg ? !(key in l) || !values.includes(l[key]) : key in l && values.includes(l[key])));
    } else if ((m = /^([^\s!=]+)\s*!=\s*(\S*)$/.exec(t))) {
      const [, key, value] = m;
      reqs.push((l) => l[key] !== value);
    } else if ((m = /^([^\s!=]+)\s*==?\s*(\S*)$/.exec(t))) {
      const [, key, value] = m;
      reqs.push((l) => l[key] === value);
    } else if ((m = /^!\s*([^\s!=]+)$/.exec(t))) {
      const key = m[1];
      reqs.push((l) => !(key in l));
    } else if ((m = /^([^\s!=(),]+)$/.exec(t))) {
      const key = m[1];
      reqs.push((l) => key in l);
    } else {
      throw new StatusError(
        400,
        'BadRequest',
        `unable to parse requirement: labelSelector term ${JSON.stringify(t)} is not a valid label selector`,
      );
    }
  }
  return reqs;
}

function selects(selector: string | null, labels: Record<string, string>): boolean {
  if (!selector) return true;
  return parseLabelSelector(selector).every((r) => r(labels));
}

// ---------------------------------------------------------------------------------------------
// Patches

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return patch;
  const out: Record<string, unknown> = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k.startsWith('$setElementOrder') || k.startsWith('$retainKeys')) continue;
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new Error(`JSON pointer ${JSON.stringify(path)} must start with "/"`);
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** RFC 6902 JSON patch (add, remove, replace, move, copy, test). */
export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new Error('a JSON patch must be an array of operations');
  let root: unknown = structuredClone(doc);
  const parentOf = (segs: string[]): { parent: unknown; key: string } => {
    let cur: unknown = root;
    for (const s of segs.slice(0, -1)) {
      if (Array.isArray(cur)) cur = cur[Number(s)];
      else if (isObj(cur)) cur = cur[s];
      else cur = undefined;
      if (cur === undefined) throw new Error(`path /${segs.join('/')} does not exist (missing ${s})`);
    }
    return { parent: cur, key: segs[segs.length - 1] };
  };
  const get = (segs: string[]): unknown => {
    let cur: unknown = root;
    for (const s of segs) {
      if (Array.isArray(cur)) cur = cur[Number(s)];
      else if (isObj(cur)) cur = cur[s];
      else return undefined;
    }
    return cur;
  };
  const remove = (segs: string[]): unknown => {
    const { parent, key } = parentOf(segs);
    if (Array.isArray(parent)) return parent.splice(Number(key), 1)[0];
    if (isObj(parent) && key in parent) {
      const v = parent[key];
      delete parent[key];
      return v;
    }
    throw new Error(`path /${segs.join('/')} does not exist`);
  };
  const add = (segs: string[], value: unknown) => {
    if (segs.length === 0) {
      root = value;
      return;
    }
    const { parent, key } = parentOf(segs);
    if (Array.isArray(parent)) {
      if (key === '-') parent.push(value);
      else parent.splice(Number(key), 0, value);
    } else if (isObj(parent)) parent[key] = value;
    else throw new Error(`path /${segs.join('/')} has no parent object`);
  };
  for (const op of ops as { op?: string; path?: string; from?: string; value?: unknown }[]) {
    const segs = pointer(String(op.path ?? ''));
    switch (op.op) {
      case 'add':
        add(segs, structuredClone(op.value));
        break;
      case 'remove':
        remove(segs);
        break;
      case 'replace':
        if (get(segs) === undefined) throw new Error(`replace: path ${op.path} does not exist`);
        if (segs.length === 0) root = structuredClone(op.value);
        else {
          const { parent, key } = parentOf(segs);
          if (Array.isArray(parent)) parent[Number(key)] = structuredClone(op.value);
          else (parent as Record<string, unknown>)[key] = structuredClone(op.value);
        }
        break;
      case 'move':
        add(segs, remove(pointer(String(op.from ?? ''))));
        break;
      case 'copy':
        add(segs, structuredClone(get(pointer(String(op.from ?? '')))));
        break;
      case 'test':
        if (JSON.stringify(get(segs)) !== JSON.stringify(op.value))
          throw new Error(`test failed at ${op.path}`);
        break;
      default:
        throw new Error(`unknown JSON patch operation ${JSON.stringify(op.op)}`);
    }
  }
  return root;
}

function applyPatch(req: ServiceRequest, kind: string, name: string, doc: unknown): Record<string, unknown> {
  const ct = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  let body: unknown;
  try {
    body = req.json();
  } catch (err) {
    throw new StatusError(
      400,
      'BadRequest',
      `the body of the ${kind} "${name}" patch is not valid JSON: ${(err as Error).message}`,
    );
  }
  let out: unknown;
  try {
    if (ct === 'application/merge-patch+json' || ct === 'application/strategic-merge-patch+json')
      out = mergePatch(doc, body);
    else if (ct === 'application/json-patch+json') out = jsonPatch(doc, body);
    else {
      throw new StatusError(
        415,
        'UnsupportedMediaType',
        `the patch Content-Type ${JSON.stringify(ct)} is not supported: use application/merge-patch+json, application/strategic-merge-patch+json or application/json-patch+json`,
      );
    }
  } catch (err) {
    if (err instanceof StatusError) throw err;
    throw invalid(kind, name, (err as Error).message);
  }
  if (!isObj(out)) throw invalid(kind, name, 'the patched object is not a JSON object');
  return out;
}

function readReplicas(kind: string, name: string, spec: unknown): number {
  const replicas = isObj(spec) ? spec.replicas : undefined;
  if (replicas === undefined) return NaN;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw invalid(
      kind,
      name,
      `spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be a whole number greater than or equal to 0`,
    );
  }
  return replicas;
}

function readStringMap(kind: string, name: string, field: string, v: unknown): Record<string, string> {
  if (v === undefined) return {};
  if (!isObj(v)) throw invalid(kind, name, `${field}: Invalid value: expected a map of strings`);
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string')
      throw invalid(kind, name, `${field}[${k}]: Invalid value: ${JSON.stringify(x)}: must be a string`);
  }
  return { ...(v as Record<string, string>) };
}

// ---------------------------------------------------------------------------------------------
// The service

const NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Start the drain clock of a site when a deployment carries the drain annotation; stop it when none does. */
function syncDrain(world: World, site: SiteWorld): void {
  const draining = [...site.cluster.deployments.values()].some(
    (d) => d.annotations[DRAIN_ANNOTATION] === 'true',
  );
  if (draining && site.drainStartedAt === undefined) {
    site.drainStartedAt = world.now();
    site.connectionsAtDrain = site.connections;
  } else if (!draining && site.drainStartedAt !== undefined) {
    site.drainStartedAt = undefined;
    site.connectionsAtDrain = undefined;
  }
}

function finishJob(world: World, w: Where, job: JobState): void {
  if (job.status !== 'running' || w.cluster.jobs.get(job.name) !== job) return;
  let result: JobResult;
  const handler = jobHandlers.find((h) => {
    try {
      return h.match(job);
    } catch {
      return false;
    }
  });
  try {
    result = handler
      ? handler.run(job, { world, stack: w.stack, site: w.site, siteWorld: w.siteWorld })
      : { succeeded: true, logs: 'ok' };
  } catch (err) {
    result = { succeeded: false, logs: `job ${job.name} failed: ${(err as Error).message}` };
  }
  job.status = result.succeeded ? 'succeeded' : 'failed';
  job.logs = result.logs;
  const extra = jobTimes.get(job);
  if (extra) extra.completedAt = world.now();
  const pod = w.cluster.pods.get(job.pod);
  if (pod) {
    pod.phase = result.succeeded ? 'Succeeded' : 'Failed';
    pod.ready = false;
  }
  w.cluster.resourceVersion++;
}

function watchList(
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

/** The emulated Kubernetes API of every cluster of the world, on one port (service key 'kubernetes'). */
export function kubernetesService(): ServiceDef {
  const createdAt = iso(Date.now());
  return {
    name: 'kubernetes',
    operation: (req) => route(req).op,
    renderThrottle(_req, res, hit: FaultHit) {
      const secs = hit.spec.retryAfterSeconds ?? 1;
      sendStatus(
        res,
        new StatusError(
          429,
          'TooManyRequests',
          'Too many requests, please try again later.',
          { retryAfterSeconds: secs },
          { 'retry-after': String(secs) },
        ),
      );
    },
    renderError(_req, res, hit: FaultHit) {
      const code = hit.spec.status ?? 503;
      const reason = code === 503 ? 'ServiceUnavailable' : code === 504 ? 'Timeout' : 'InternalError';
      const message =
        code === 503
          ? 'the server is currently unable to handle the request'
          : code === 504
            ? 'the server was unable to return a response in the time allotted, but may still be processing the request'
            : 'an error on the server ("sandbox fault") has prevented the request from succeeding';
      sendStatus(
        res,
        new StatusError(
          code,
          reason,
          message,
          { retryAfterSeconds: 1 },
          code === 503 ? { 'retry-after': '1' } : {},
        ),
      );
    },
    handle(req, res, ctx) {
      try {
        handle(req, res, ctx, createdAt);
      } catch (err) {
        if (err instanceof StatusError) sendStatus(res, err);
        else
          sendStatus(
            res,
            new StatusError(
              500,
              'InternalError',
              `an error on the server ("${(err as Error).message}") has prevented the request from succeeding`,
            ),
          );
      }
    },
  };
}

function handle(req: ServiceRequest, res: http.ServerResponse, ctx: ServiceContext, createdAt: string): void {
  const { world } = ctx;
  const r = route(req);
  if (!r.stack || !r.site) {
    throw new StatusError(
      404,
      'NotFound',
      `the path ${req.path} is not served here: cluster URLs look like /clusters/<stack>-<primary|dr>/api/v1/...`,
    );
  }
  const stack = world.stacks.get(r.stack);
  if (!stack) {
    const known = [...world.stacks.keys()].flatMap((s) => SITES.map((x) => `${s}-${x}`)).join(', ');
    throw new StatusError(
      404,
      'NotFound',
      `the sandbox has no cluster ${r.stack}-${r.site}: expected one of ${known}`,
    );
  }
  const siteWorld = stack.sites[r.site];
  if (!siteWorld.up) {
    // the region is down: its API server does not answer
    req.raw.socket.destroy();
    return;
  }
  // Any caller is admitted: the sandbox kubeconfig carries a bearer token, but kubectl (client-go)
  // does not send credentials over plain http, and the sandbox only listens on loopback.
  const cluster = siteWorld.cluster;
  const w: Where = { key: `${stack.name}-${r.site}`, stack, site: r.site, siteWorld, cluster };
  const method = req.method.toUpperCase();
  const q = req.url.searchParams;
  const watching = r.op.startsWith('watch');
  const nsOk = (ns: string | undefined) => ns === undefined || ns === cluster.namespace;
  const ok = (body: unknown) => send(res, 200, body as object, 'application/json');
  const mutation = (op: string, target: string) =>
    world.monitor.mutation('kubernetes', op, `${w.key}/${target}`);

  if (r.op === 'getCode') {
    ok({ major: '1', minor: '33', gitVersion: 'v1.33.0-aegis-sandbox', platform: 'linux/amd64' });
    return;
  }
  if (r.op === 'discovery') {
    const doc = discovery(r.parts.join('/'));
    if (!doc)
      throw new StatusError(
        404,
        'NotFound',
        `the server could not find the requested resource (GET /${r.parts.join('/')})`,
      );
    ok(doc);
    return;
  }

  switch (r.kind) {
    case 'nodes': {
      const nodes = () => cluster.nodes.map((n, i) => renderNode(w, n, i));
      if (method !== 'GET') break;
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
    case 'pods': {
      if (method !== 'GET') break;
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
    case 'configmaps': {
      if (method !== 'GET') break;
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
    case 'namespaces': {
      if (method !== 'GET') break;
      if (r.name !== cluster.namespace) throw notFound('', 'namespaces', r.name ?? '');
      ok({
        kind: 'Namespace',
        apiVersion: 'v1',
        metadata: {
          name: r.name,
          uid: uid(`${w.key}/ns/${r.name}`),
          resourceVersion: String(cluster.resourceVersion),
          creationTimestamp: createdAt,
        },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      });
      return;
    }
    case 'deployments':
      return deployments(req, res, world, w, r, createdAt, mutation);
    case 'jobs':
      return jobs(req, res, world, w, r, mutation);
    default:
      throw new StatusError(
        404,
        'NotFound',
        `the server could not find the requested resource (${method} ${r.parts.join('/')})`,
      );
  }
  throw new StatusError(
    405,
    'MethodNotAllowed',
    `the server does not allow this method on the requested resource (${method} ${r.parts.join('/')})`,
  );
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

function deployments(
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
  const ok = (body: unknown) => send(res, 200, body as object, 'application/json');
  const nsOk = r.namespace === undefined || r.namespace === cluster.namespace;
  if (!r.name) {
    if (method !== 'GET')
      throw new StatusError(405, 'MethodNotAllowed', `the sandbox does not allow ${method} on deployments`);
    const sel = req.url.searchParams.get('labelSelector');
    const items = () =>
      nsOk
        ? [...cluster.deployments.values()]
            .filter((d) => selects(sel, d.labels))
            .map((d) => renderDeployment(w, d, createdAt))
        : [];
    if (r.op.startsWith('watch')) return watchList(req, res, world, w, items, 'Deployment', 'apps/v1');
    ok(listOrTable(req, world, 'Deployment', 'apps/v1', cluster.resourceVersion, items()));
    return;
  }
  const d = nsOk ? cluster.deployments.get(r.name) : undefined;
  if (!d) throw notFound('apps', 'deployments', r.name);
  const setReplicas = (n: number) => {
    if (Number.isNaN(n) || n === d.replicas) return;
    d.replicas = n;
    d.generation++;
  };
  if (r.sub === 'scale') {
    if (method === 'GET') return ok(renderScale(w, d, createdAt));
    let next: Record<string, unknown>;
    if (method === 'PATCH') next = applyPatch(req, 'Scale', d.name, renderScale(w, d, createdAt));
    else if (method === 'PUT') {
      try {
        next = req.json();
      } catch {
        throw new StatusError(
          400,
          'BadRequest',
          `the body of the Scale "${d.name}" update is not valid JSON`,
        );
      }
    } else throw new StatusError(405, 'MethodNotAllowed', `the scale subresource does not allow ${method}`);
    const n = readReplicas('Scale', d.name, next.spec);
    if (Number.isNaN(n)) throw invalid('Scale', d.name, 'spec.replicas: Required value');
    setReplicas(n);
    cluster.resourceVersion++;
    mutation(r.op, `deployments/${d.name}/scale`);
    return ok(renderScale(w, d, createdAt));
  }
  if (r.sub === 'status')
    return ok({ kind: 'Deployment', apiVersion: 'apps/v1', ...renderDeployment(w, d, createdAt) });
  if (method === 'GET')
    return ok(
      oneOrTable(req, world, cluster.resourceVersion, {
        kind: 'Deployment',
        apiVersion: 'apps/v1',
        ...renderDeployment(w, d, createdAt),
      }),
    );
  if (method === 'PATCH') {
    const before = { kind: 'Deployment', apiVersion: 'apps/v1', ...renderDeployment(w, d, createdAt) };
    const next = applyPatch(req, 'Deployment', d.name, before);
    const meta = isObj(next.metadata) ? next.metadata : {};
    if (meta.name !== undefined && meta.name !== d.name) {
      throw new StatusError(
        400,
        'BadRequest',
        `the name of the object (${String(meta.name)}) does not match the name on the URL (${d.name})`,
      );
    }
    const annotations = readStringMap('Deployment', d.name, 'metadata.annotations', meta.annotations);
    const labels = readStringMap('Deployment', d.name, 'metadata.labels', meta.labels);
    const n = readReplicas('Deployment', d.name, next.spec);
    delete annotations['deployment.kubernetes.io/revision'];
    d.annotations = annotations;
    if (isObj(meta.labels)) d.labels = labels;
    setReplicas(Number.isNaN(n) ? d.replicas : n);
    syncDrain(world, w.siteWorld);
    cluster.resourceVersion++;
    mutation(r.op, `deployments/${d.name}`);
    return ok({ kind: 'Deployment', apiVersion: 'apps/v1', ...renderDeployment(w, d, createdAt) });
  }
  throw new StatusError(
    405,
    'MethodNotAllowed',
    `the sandbox does not allow ${method} on deployment "${d.name}"; use PATCH`,
  );
}

function jobs(
  req: ServiceRequest,
  res: http.ServerResponse,
  world: World,
  w: Where,
  r: Route,
  mutation: (op: string, target: string) => void,
): void {
  const { cluster } = w;
  const method = req.method.toUpperCase();
  const ok = (body: unknown, code = 200) => send(res, code, body as object, 'application/json');
  const nsOk = r.namespace === undefined || r.namespace === cluster.namespace;
  if (!r.name) {
    if (method === 'GET') {
      const sel = req.url.searchParams.get('labelSelector');
      const items = () =>
        nsOk
          ? [...cluster.jobs.values()].filter((j) => selects(sel, j.labels)).map((j) => renderJob(w, j))
          : [];
      if (r.op.startsWith('watch')) return watchList(req, res, world, w, items, 'Job', 'batch/v1');
      return ok(listOrTable(req, world, 'Job', 'batch/v1', cluster.resourceVersion, items()));
    }
    if (method !== 'POST')
      throw new StatusError(405, 'MethodNotAllowed', `the sandbox does not allow ${method} on jobs`);
    const ct = String(req.headers['content-type'] ?? 'application/json')
      .split(';')[0]
      .trim();
    if (ct !== 'application/json') {
      throw new StatusError(
        415,
        'UnsupportedMediaType',
        `the sandbox accepts Job bodies as application/json only, not ${ct}`,
      );
    }
    let body: Record<string, unknown>;
    try {
      body = req.json();
    } catch {
      throw new StatusError(400, 'BadRequest', 'the Job body is not valid JSON');
    }
    const meta = (isObj(body.metadata) ? body.metadata : {}) as {
      name?: unknown;
      labels?: unknown;
      namespace?: unknown;
    };
    const name = typeof meta.name === 'string' ? meta.name : '';
    if (!name) throw invalid('Job', '', 'metadata.name: Required value: name is required');
    if (name.length > 63 || !NAME_RE.test(name)) {
      throw invalid(
        'Job',
        name,
        `metadata.name: Invalid value: ${JSON.stringify(name)}: a lowercase RFC 1123 subdomain of at most 63 characters is expected`,
      );
    }
    if (!nsOk || (meta.namespace !== undefined && meta.namespace !== r.namespace)) {
      throw new StatusError(
        404,
        'NotFound',
        `namespaces "${String(meta.namespace ?? r.namespace)}" not found`,
      );
    }
    const spec = isObj(body.spec) ? body.spec : {};
    const containers = (spec.template as { spec?: { containers?: unknown } } | undefined)?.spec?.containers;
    if (!Array.isArray(containers) || containers.length === 0) {
      throw invalid(
        'Job',
        name,
        'spec.template.spec.containers: Required value: at least one container is expected',
      );
    }
    if (cluster.jobs.has(name)) {
      throw new StatusError(409, 'AlreadyExists', `jobs.batch "${name}" already exists`, {
        name,
        group: 'batch',
        kind: 'jobs',
      });
    }
    const labels = readStringMap('Job', name, 'metadata.labels', meta.labels);
    const now = world.now();
    const podName = `${name}-${Math.floor(world.random() * 0xffffff)
      .toString(36)
      .padStart(5, '0')
      .slice(0, 5)}`;
    const ready = cluster.nodes.filter((n) => n.ready);
    const job: JobState = {
      name,
      spec: body,
      labels,
      status: 'running',
      logs: '',
      createdAt: now,
      pod: podName,
    };
    jobTimes.set(job, { startedAt: now });
    cluster.jobs.set(name, job);
    const templateLabels = ((spec.template as { metadata?: { labels?: Record<string, string> } }).metadata
      ?.labels ?? {}) as Record<string, string>;
    cluster.pods.set(podName, {
      name: podName,
      job: name,
      node: ready.length ? ready[Math.floor(world.random() * ready.length)].name : undefined,
      phase: 'Running',
      ready: true,
      labels: {
        ...templateLabels,
        'job-name': name,
        'batch.kubernetes.io/job-name': name,
        'controller-uid': uid(`${w.key}/job/${name}`),
      },
      createdAt: now,
    });
    cluster.resourceVersion++;
    world.schedule(world.duration(DURATIONS.job), () => finishJob(world, w, job));
    mutation(r.op, `jobs/${name}`);
    return ok({ kind: 'Job', apiVersion: 'batch/v1', ...renderJob(w, job) }, 201);
  }
  const job = nsOk ? cluster.jobs.get(r.name) : undefined;
  if (!job) throw notFound('batch', 'jobs', r.name);
  if (method === 'GET')
    return ok(
      oneOrTable(req, world, cluster.resourceVersion, {
        kind: 'Job',
        apiVersion: 'batch/v1',
        ...renderJob(w, job),
      }),
    );
  if (method === 'DELETE') {
    let policy = req.url.searchParams.get('propagationPolicy') ?? undefined;
    if (req.body.length) {
      try {
        const opts = req.json<{ propagationPolicy?: string }>();
        policy = opts.propagationPolicy ?? policy;
      } catch {
        throw new StatusError(400, 'BadRequest', 'the DeleteOptions body is not valid JSON');
      }
    }
    if (policy !== undefined && !['Orphan', 'Background', 'Foreground'].includes(policy)) {
      throw new StatusError(
        400,
        'BadRequest',
        `propagationPolicy ${JSON.stringify(policy)} is not valid: expected Orphan, Background or Foreground`,
      );
    }
    const rendered = renderJob(w, job);
    cluster.jobs.delete(job.name);
    // batch/v1 jobs orphan their pods unless told otherwise (kubectl sends Background)
    if (policy === 'Background' || policy === 'Foreground') cluster.pods.delete(job.pod);
    cluster.resourceVersion++;
    mutation(r.op, `jobs/${job.name}`);
    if (policy === 'Foreground') return ok({ kind: 'Job', apiVersion: 'batch/v1', ...rendered });
    return ok({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: job.name, group: 'batch', kind: 'jobs', uid: rendered.metadata.uid },
    });
  }
  throw new StatusError(405, 'MethodNotAllowed', `the sandbox does not allow ${method} on job "${job.name}"`);
}
