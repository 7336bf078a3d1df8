/**
 * One Kubernetes cluster (one site's `kubernetes` block of the plan) over the official
 * @kubernetes/client-node 2.x client. A thin adapter: it reads, starts changes and polls; it never
 * retries or sleeps, and every error it throws is a ProviderError from `wrapSdkError`, so the engine
 * can tell throttling (429 + Retry-After) and unreachable API servers from permanent failures.
 */
import {
  ApiException,
  AppsV1Api,
  AuthorizationV1Api,
  AutoscalingV2Api,
  BatchV1Api,
  CoreV1Api,
  createConfiguration,
  KubeConfig,
  NetworkingV1Api,
  PatchStrategy,
  ServerConfiguration,
  setHeaderMiddleware,
  setHeaderOptions,
  type Middleware,
  type RequestContext,
  type ResponseContext,
  type V1Job,
  type V1NetworkPolicy,
} from '@kubernetes/client-node';
import { registerSecret } from '../../engine/redact.js';
import { joinCallSignal } from '../../engine/cancel.js';
import {
  adviceFor,
  messageOf,
  ProviderError,
  serviceMessage,
  UserError,
  wrapSdkError,
} from '../../engine/errors.js';
import type {
  AccessAnswer,
  AccessQuestion,
  AutoscalerStatus,
  Cluster,
  DeploymentStatus,
  EgressFence,
  JobSpec,
  JobStatus,
} from './types.js';
import type { ClusterAccess } from './access.js';
import { kube, type ProviderPermissions } from '../../permissions/types.js';

export type { Cluster, DeploymentStatus, EgressFence, JobSpec, JobStatus } from './types.js';

/**
 * What each method may call, and the RBAC rule (verb on group/resource/subresource) each call
 * needs (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources;
 * verbs of a request: https://kubernetes.io/docs/reference/access-authn-authz/authorization/#determine-the-request-verb).
 * A merge patch is the verb patch; the pod proxy is get on pods/proxy; logs are get on pods/log;
 * a Job deleted with background propagation leaves its pods to the garbage collector.
 */
export const PERMISSIONS = {
  nodes: [kube('listNode', 'list', '', 'nodes', true)],
  // readiness's cluster access check (every authenticated user may ask by default: system:basic-user)
  canI: [
    kube('createSelfSubjectAccessReview', 'create', 'authorization.k8s.io', 'selfsubjectaccessreviews', true),
  ],
  pods: [kube('listNamespacedPod', 'list', '', 'pods')],
  deployment: [kube('readNamespacedDeployment', 'get', 'apps', 'deployments')],
  scale: [kube('patchNamespacedDeploymentScale', 'patch', 'apps', 'deployments/scale')],
  autoscaler: [
    kube('listNamespacedHorizontalPodAutoscaler', 'list', 'autoscaling', 'horizontalpodautoscalers'),
  ],
  setAutoscalerBounds: [
    kube('patchNamespacedHorizontalPodAutoscaler', 'patch', 'autoscaling', 'horizontalpodautoscalers'),
  ],
  annotate: [kube('patchNamespacedDeployment', 'patch', 'apps', 'deployments')],
  configMap: [kube('readNamespacedConfigMap', 'get', '', 'configmaps')],
  podProxyGet: [kube('connectGetNamespacedPodProxyWithPath', 'get', '', 'pods/proxy')],
  runJob: [kube('createNamespacedJob', 'create', 'batch', 'jobs')],
  job: [
    kube('readNamespacedJob', 'get', 'batch', 'jobs'),
    kube('listNamespacedPod', 'list', '', 'pods'),
    kube('readNamespacedPodLog', 'get', '', 'pods/log'),
  ],
  egressFence: [kube('readNamespacedNetworkPolicy', 'get', 'networking.k8s.io', 'networkpolicies')],
  createEgressFence: [
    kube('createNamespacedNetworkPolicy', 'create', 'networking.k8s.io', 'networkpolicies'),
  ],
  deleteEgressFence: [
    kube('deleteNamespacedNetworkPolicy', 'delete', 'networking.k8s.io', 'networkpolicies'),
  ],
  deleteJob: [kube('deleteNamespacedJob', 'delete', 'batch', 'jobs')],
  // the endpoint binding (database.binding): read and set the writer key, then a rollout restart
  objectData: [
    kube('readNamespacedConfigMap', 'get', '', 'configmaps'),
    kube('readNamespacedSecret', 'get', '', 'secrets'),
  ],
  setObjectKey: [
    kube('patchNamespacedConfigMap', 'patch', '', 'configmaps'),
    kube('patchNamespacedSecret', 'patch', '', 'secrets'),
  ],
  restart: [kube('patchNamespacedDeployment', 'patch', 'apps', 'deployments')],
} satisfies ProviderPermissions;

/** How to reach a cluster: the plan's `sites.<site>.kubernetes` block. */
export interface KubernetesClusterOptions {
  /** Kubeconfig file; absent = $KUBECONFIG, ~/.kube/config or the in-cluster service account. */
  kubeconfig?: string;
  /** Context of the kubeconfig; absent = its current context. */
  context?: string;
  namespace: string;
  /** The cluster as its cloud gives it (server, CA, refreshing token); when set, no kubeconfig is read. */
  access?: ClusterAccess;
}

/** A pod as phases see it. */
export interface PodSummary {
  name: string;
  phase: string;
  ready: boolean;
  labels: Record<string, string>;
  node?: string;
}

/**
 * Whether a deployment's rollout is complete, as `kubectl rollout status` decides it: the
 * controller has observed the newest generation, and every desired replica is updated, ready and
 * available (no old or surplus pods left).
 */
export function rolloutComplete(status: DeploymentStatus): boolean {
  return (
    status.observedGeneration >= status.generation &&
    status.updatedReplicas === status.replicas &&
    status.availableReplicas === status.replicas &&
    status.readyReplicas === status.replicas &&
    (status.currentReplicas === undefined || status.currentReplicas === status.updatedReplicas)
  );
}

interface Apis {
  core: CoreV1Api;
  apps: AppsV1Api;
  batch: BatchV1Api;
  autoscaling: AutoscalingV2Api;
  networking: NetworkingV1Api;
  authorization: AuthorizationV1Api;
}

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function httpStatus(err: unknown): number | undefined {
  return err instanceof ApiException ? (err.code as number) : undefined;
}

/** The `message` of the Kubernetes Status object an ApiException carries, when there is one. */
function statusMessage(err: unknown): { message?: string; reason?: string } {
  if (!(err instanceof ApiException)) return {};
  let body: unknown = err.body;
  if (typeof body === 'string') {
    const text = body;
    try {
      body = JSON.parse(text);
    } catch {
      return { message: text.trim().slice(0, 300) || undefined };
    }
  }
  if (body && typeof body === 'object') {
    const b = body as { message?: unknown; reason?: unknown };
    return {
      message: typeof b.message === 'string' ? b.message : undefined,
      reason: typeof b.reason === 'string' && b.reason ? b.reason : undefined,
    };
  }
  return {};
}

/** wrapSdkError, with the Status message and reason of the API server in the sentence. */
function wrap(operation: string, err: unknown, target: string): ProviderError {
  if (err instanceof ProviderError) return err;
  const base = wrapSdkError('kubernetes', operation, err);
  const { message, reason } = statusMessage(err);
  let text: string;
  if (base.status !== undefined) {
    const what = reason ? `${base.status} ${reason}` : `HTTP ${base.status}`;
    text = `Kubernetes API ${operation} of ${target} failed with ${what}: ${(message ?? 'no message').replace(/[.\s]+$/, '')}; ${adviceFor(base.status, reason, operation)}.`;
  } else {
    const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
    const detail = [serviceMessage(messageOf(err)).message, cause?.code ?? cause?.message]
      // an aborted request carries an empty object as its message: nothing to show
      .filter((part) => part && !/^[{}[\]\s]*$/.test(String(part)))
      .join(': ');
    text = `Kubernetes API ${operation} of ${target} failed before the API server answered (${detail || 'no answer'}); check that the cluster is reachable.`;
  }
  const netCode = base.status === undefined && base.code === 'TypeError' ? networkCode(err) : undefined;
  return new ProviderError({
    service: 'kubernetes',
    operation,
    status: base.status,
    code: reason ?? netCode ?? base.code,
    retryAfterMs: base.retryAfterMs,
    message: text,
    cause: err,
  });
}

function networkCode(err: unknown, depth = 0): string | undefined {
  if (!err || typeof err !== 'object' || depth > 5) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code)) return code;
  return networkCode((err as { cause?: unknown }).cause, depth + 1);
}

/**
 * A middleware that hands each request the engine's call signal (the per-request timeout, the phase
 * deadline and the run's abort as one AbortSignal): the client's fetch (undici) aborts the request
 * in flight when it fires, where the client itself has no timeout at all.
 */
const DEADLINE_MIDDLEWARE: Middleware = {
  pre: async (ctx: RequestContext) => {
    ctx.setSignal(joinCallSignal(ctx.getSignal()));
    return ctx;
  },
  post: async (ctx: ResponseContext) => ctx,
};

/**
 * What `kc.makeApiClient(type)` builds (the current cluster's server, the kubeconfig as
 * authentication), with a user agent of ours and the deadline middleware.
 */
function apiClient<T>(kc: KubeConfig, type: new (config: ReturnType<typeof createConfiguration>) => T): T {
  const config = createConfiguration({
    baseServer: new ServerConfiguration(kc.getCurrentCluster()!.server, {}),
    authMethods: { default: kc },
    middleware: [setHeaderMiddleware('User-Agent', 'aegis-dr (kubernetes-client-javascript)')],
    promiseMiddleware: [DEADLINE_MIDDLEWARE],
  });
  return new type(config);
}

function labelsToSelector(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/**
 * A KubeConfig held in memory for a cluster reached from a cloud identity: the server and CA the
 * cloud gave, and a bearer token asked of the access before every request (so a token near its
 * expiry is replaced, never sent stale). Nothing is written to disk and no exec plugin runs.
 */
class TokenKubeConfig extends KubeConfig {
  constructor(private readonly access: ClusterAccess) {
    super();
    this.loadFromClusterAndUser(
      {
        name: access.label,
        server: access.server,
        caData: access.caData,
        skipTLSVerify: access.server.startsWith('http://'),
      },
      { name: 'cloud-identity' },
    );
  }

  override async applySecurityAuthentication(
    context: Parameters<KubeConfig['applySecurityAuthentication']>[0],
  ): Promise<void> {
    await super.applySecurityAuthentication(context);
    context.setHeaderParam('Authorization', `Bearer ${await this.access.token()}`);
  }
}

function tokenKubeConfig(access: ClusterAccess): KubeConfig {
  return new TokenKubeConfig(access);
}

/** One cluster's API, for phases (implements `Cluster`). */
export class KubernetesCluster implements Cluster {
  readonly namespace: string;
  private readonly opts: KubernetesClusterOptions;
  private apisCache?: Apis;

  constructor(opts: KubernetesClusterOptions) {
    this.opts = opts;
    this.namespace = opts.namespace;
  }

  /** A readable name of this cluster for messages: the context (or "current context") and namespace. */
  get label(): string {
    if (this.opts.access) return `${this.opts.access.label}/${this.namespace}`;
    return `${this.opts.context ?? 'current context'}/${this.namespace}`;
  }

  private apis(): Apis {
    if (this.apisCache) return this.apisCache;
    const kc = this.opts.access ? tokenKubeConfig(this.opts.access) : this.fileKubeConfig();
    this.apisCache = {
      core: apiClient(kc, CoreV1Api),
      apps: apiClient(kc, AppsV1Api),
      batch: apiClient(kc, BatchV1Api),
      autoscaling: apiClient(kc, AutoscalingV2Api),
      networking: apiClient(kc, NetworkingV1Api),
      authorization: apiClient(kc, AuthorizationV1Api),
    };
    return this.apisCache;
  }

  private fileKubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    try {
      if (this.opts.kubeconfig) kc.loadFromFile(this.opts.kubeconfig);
      else kc.loadFromDefault();
    } catch (err) {
      throw new UserError(
        `kubernetes.kubeconfig ${JSON.stringify(this.opts.kubeconfig ?? '$KUBECONFIG or ~/.kube/config')} could not be read (${(err as Error).message}); point it at a readable kubeconfig file.`,
      );
    }
    if (this.opts.context) {
      const names = kc.getContexts().map((c) => c.name);
      if (!names.includes(this.opts.context)) {
        throw new UserError(
          `kubernetes.context ${JSON.stringify(this.opts.context)} is not in the kubeconfig ${this.opts.kubeconfig ?? '(default)'}: expected one of ${names.join(', ') || '(none)'}.`,
        );
      }
      kc.setCurrentContext(this.opts.context);
    }
    // the kubeconfig's credentials never reach a log, an error or the journal (src/engine/redact.ts)
    for (const u of kc.getUsers()) {
      registerSecret(u.token);
      registerSecret(u.password);
      registerSecret(u.keyData);
    }
    if (!kc.getCurrentCluster()) {
      throw new UserError(
        `the kubeconfig ${this.opts.kubeconfig ?? '(default)'} has no current cluster: set kubernetes.context in the plan to one of its contexts.`,
      );
    }
    return kc;
  }

  private async call<T>(operation: string, target: string, fn: (apis: Apis) => Promise<T>): Promise<T> {
    const apis = this.apis();
    try {
      return await fn(apis);
    } catch (err) {
      throw wrap(operation, err, `${target} in ${this.label}`);
    }
  }

  /** Like `call`, but a 404 answers `undefined`. */
  private async find<T>(
    operation: string,
    target: string,
    fn: (apis: Apis) => Promise<T>,
  ): Promise<T | undefined> {
    const apis = this.apis();
    try {
      return await fn(apis);
    } catch (err) {
      if (httpStatus(err) === 404) return undefined;
      throw wrap(operation, err, `${target} in ${this.label}`);
    }
  }

  /**
   * `kubectl auth can-i`: a SelfSubjectAccessReview of the caller's own identity
   * (https://kubernetes.io/docs/reference/access-authn-authz/authorization/#checking-api-access).
   */
  async canI(q: AccessQuestion): Promise<AccessAnswer> {
    const what = `${q.verb} ${q.subresource ? `${q.resource}/${q.subresource}` : q.resource}`;
    const review = await this.call('createSelfSubjectAccessReview', `access review (${what})`, (a) =>
      a.authorization.createSelfSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: {
            resourceAttributes: {
              verb: q.verb,
              group: q.group,
              resource: q.resource,
              ...(q.subresource ? { subresource: q.subresource } : {}),
              ...(q.namespaced ? { namespace: this.namespace } : {}),
            },
          },
        },
      }),
    );
    const st = review.status;
    return {
      allowed: st?.allowed === true && st?.denied !== true,
      ...(st?.reason ? { reason: st.reason } : {}),
      ...(st?.evaluationError ? { evaluationError: st.evaluationError } : {}),
    };
  }

  /** Every node (or those a label selector picks) and whether its Ready condition is True. */
  async nodes(selector?: string): Promise<{ name: string; ready: boolean }[]> {
    const list = await this.call('listNode', `nodes${selector ? ` (${selector})` : ''}`, (a) =>
      a.core.listNode(selector ? { labelSelector: selector } : {}),
    );
    return list.items.map((n) => ({
      name: n.metadata?.name ?? '',
      ready: (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    }));
  }

  /** Pods of the namespace, optionally filtered by a label selector (`app=aegis-api`). */
  async pods(selector?: string): Promise<PodSummary[]> {
    const list = await this.call('listNamespacedPod', `pods${selector ? ` (${selector})` : ''}`, (a) =>
      a.core.listNamespacedPod({ namespace: this.namespace, labelSelector: selector }),
    );
    return list.items.map((p) => ({
      name: p.metadata?.name ?? '',
      phase: p.status?.phase ?? 'Unknown',
      ready: (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
      labels: { ...(p.metadata?.labels ?? {}) },
      ...(p.spec?.nodeName ? { node: p.spec.nodeName } : {}),
    }));
  }

  /** A deployment's generation, replica counts and annotations; undefined when it does not exist. */
  async deployment(name: string): Promise<DeploymentStatus | undefined> {
    const d = await this.find('readNamespacedDeployment', `deployment ${name}`, (a) =>
      a.apps.readNamespacedDeployment({ name, namespace: this.namespace }),
    );
    if (!d) return undefined;
    return {
      name,
      replicas: d.spec?.replicas ?? 1,
      readyReplicas: d.status?.readyReplicas ?? 0,
      availableReplicas: d.status?.availableReplicas ?? 0,
      updatedReplicas: d.status?.updatedReplicas ?? 0,
      observedGeneration: d.status?.observedGeneration ?? 0,
      generation: d.metadata?.generation ?? 0,
      annotations: { ...(d.metadata?.annotations ?? {}) },
      currentReplicas: d.status?.replicas ?? 0,
      templateAnnotations: { ...(d.spec?.template?.metadata?.annotations ?? {}) },
    };
  }

  /** Set a deployment's replicas (merge patch of the scale subresource, as `kubectl scale`). */
  async scale(name: string, replicas: number): Promise<void> {
    await this.call('patchNamespacedDeploymentScale', `deployment ${name}`, (a) =>
      a.apps.patchNamespacedDeploymentScale(
        { name, namespace: this.namespace, body: { spec: { replicas } } },
        MERGE_PATCH,
      ),
    );
  }

  /** The HorizontalPodAutoscaler (autoscaling/v2) whose scaleTargetRef is the Deployment `deployment`, if any. */
  async autoscaler(deployment: string): Promise<AutoscalerStatus | undefined> {
    const list = await this.call('listNamespacedHorizontalPodAutoscaler', 'horizontalpodautoscalers', (a) =>
      a.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace: this.namespace }),
    );
    const h = list.items.find(
      (x) => x.spec?.scaleTargetRef.kind === 'Deployment' && x.spec.scaleTargetRef.name === deployment,
    );
    if (!h?.metadata?.name || !h.spec) return undefined;
    return { name: h.metadata.name, minReplicas: h.spec.minReplicas ?? 1, maxReplicas: h.spec.maxReplicas };
  }

  /** Move an HPA's bounds with a merge patch. */
  async setAutoscalerBounds(name: string, minReplicas: number, maxReplicas: number): Promise<void> {
    await this.call('patchNamespacedHorizontalPodAutoscaler', `horizontalpodautoscaler ${name}`, (a) =>
      a.autoscaling.patchNamespacedHorizontalPodAutoscaler(
        { name, namespace: this.namespace, body: { spec: { minReplicas, maxReplicas } } },
        MERGE_PATCH,
      ),
    );
  }

  /** Set (string) or remove (null) annotations of a deployment with a merge patch. */
  async annotate(name: string, annotations: Record<string, string | null>): Promise<void> {
    await this.call('patchNamespacedDeployment', `deployment ${name}`, (a) =>
      a.apps.patchNamespacedDeployment(
        { name, namespace: this.namespace, body: { metadata: { annotations } } },
        MERGE_PATCH,
      ),
    );
  }

  /** A configmap's data; undefined when it does not exist. */
  async configMap(name: string): Promise<Record<string, string> | undefined> {
    const cm = await this.find('readNamespacedConfigMap', `configmap ${name}`, (a) =>
      a.core.readNamespacedConfigMap({ name, namespace: this.namespace }),
    );
    return cm ? { ...(cm.data ?? {}) } : undefined;
  }

  async objectData(
    kind: 'configmap' | 'secret',
    name: string,
    namespace = this.namespace,
  ): Promise<Record<string, string> | undefined> {
    if (kind === 'configmap') {
      const cm = await this.find('readNamespacedConfigMap', `configmap ${name}`, (a) =>
        a.core.readNamespacedConfigMap({ name, namespace }),
      );
      return cm ? { ...(cm.data ?? {}) } : undefined;
    }
    const sec = await this.find('readNamespacedSecret', `secret ${name}`, (a) =>
      a.core.readNamespacedSecret({ name, namespace }),
    );
    if (!sec) return undefined;
    return Object.fromEntries(
      Object.entries(sec.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
    );
  }

  async setObjectKey(
    kind: 'configmap' | 'secret',
    name: string,
    key: string,
    value: string,
    namespace = this.namespace,
  ): Promise<void> {
    if (kind === 'configmap') {
      await this.call('patchNamespacedConfigMap', `configmap ${name}`, (a) =>
        a.core.patchNamespacedConfigMap({ name, namespace, body: { data: { [key]: value } } }, MERGE_PATCH),
      );
      return;
    }
    const data = { [key]: Buffer.from(value, 'utf8').toString('base64') };
    await this.call('patchNamespacedSecret', `secret ${name}`, (a) =>
      a.core.patchNamespacedSecret({ name, namespace, body: { data } }, MERGE_PATCH),
    );
  }

  /**
   * `kubectl rollout restart`: a patch of the pod template's kubectl.kubernetes.io/restartedAt
   * annotation, which starts a rolling update
   * (https://kubernetes.io/docs/reference/kubectl/generated/kubectl_rollout/kubectl_rollout_restart/).
   */
  async restart(name: string, at: string, annotations: Record<string, string> = {}): Promise<void> {
    const body = {
      spec: {
        template: { metadata: { annotations: { ...annotations, 'kubectl.kubernetes.io/restartedAt': at } } },
      },
    };
    await this.call('patchNamespacedDeployment', `deployment ${name}`, (a) =>
      a.apps.patchNamespacedDeployment({ name, namespace: this.namespace, body }, MERGE_PATCH),
    );
  }

  /** GET `path` on a pod's port through the API server's pod proxy; the response body as text. */
  async podProxyGet(pod: string, port: number, path: string): Promise<string> {
    const body: unknown = await this.call(
      'connectGetNamespacedPodProxyWithPath',
      `pod ${pod}:${port}${path}`,
      (a) =>
        a.core.connectGetNamespacedPodProxyWithPath({
          name: `${pod}:${port}`,
          namespace: this.namespace,
          path: path.replace(/^\/+/, ''),
        }),
    );
    return typeof body === 'string' ? body : JSON.stringify(body);
  }

  /** Create a run-once job; a job of that name that already exists is left alone (idempotent). */
  async runJob(spec: JobSpec): Promise<void> {
    const labels = { 'app.kubernetes.io/managed-by': 'aegis-dr', ...(spec.labels ?? {}) };
    const job: V1Job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: spec.name, namespace: this.namespace, labels },
      spec: {
        backoffLimit: 0,
        ttlSecondsAfterFinished: 86400,
        template: {
          metadata: { labels },
          // Pod Security "restricted" (https://kubernetes.io/docs/concepts/security/pod-security-standards/):
          // a hardened namespace refuses the pod of a Job without these, and the Job never runs.
          spec: {
            restartPolicy: 'Never',
            ...(spec.serviceAccount ? { serviceAccountName: spec.serviceAccount } : {}),
            securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: spec.name.slice(0, 63),
                image: spec.image,
                command: spec.command,
                env: Object.entries(spec.env ?? {}).map(([name, value]) => ({ name, value })),
                securityContext: {
                  allowPrivilegeEscalation: false,
                  capabilities: { drop: ['ALL'] },
                },
              },
            ],
          },
        },
      },
    };
    const apis = this.apis();
    try {
      await apis.batch.createNamespacedJob({ namespace: this.namespace, body: job });
    } catch (err) {
      if (httpStatus(err) === 409) return;
      throw wrap('createNamespacedJob', err, `job ${spec.name} in ${this.label}`);
    }
  }

  /** A job's outcome; once it is done, the logs of its newest pod. Undefined when there is no such job. */
  async job(name: string): Promise<JobStatus | undefined> {
    const j = await this.find('readNamespacedJob', `job ${name}`, (a) =>
      a.batch.readNamespacedJob({ name, namespace: this.namespace }),
    );
    if (!j) return undefined;
    const cond = (type: string) =>
      (j.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
    const succeeded =
      cond('Complete') || (!cond('Failed') && (j.status?.succeeded ?? 0) > 0 && !j.status?.active);
    const failed = cond('Failed');
    const done = succeeded || failed;
    if (!done) return { done: false, succeeded: false };
    return { done: true, succeeded, logs: await this.jobLogs(name) };
  }

  private async jobLogs(name: string): Promise<string | undefined> {
    const pods = await this.call('listNamespacedPod', `pods of job ${name}`, (a) =>
      a.core.listNamespacedPod({
        namespace: this.namespace,
        labelSelector: labelsToSelector({ 'job-name': name }),
      }),
    );
    const newest = [...pods.items].sort(
      (x, y) =>
        (y.metadata?.creationTimestamp?.getTime?.() ?? 0) - (x.metadata?.creationTimestamp?.getTime?.() ?? 0),
    )[0];
    const podName = newest?.metadata?.name;
    if (!podName) return undefined;
    const logs = await this.find('readNamespacedPodLog', `logs of pod ${podName}`, (a) =>
      a.core.readNamespacedPodLog({ name: podName, namespace: this.namespace }),
    );
    return logs === undefined ? undefined : String(logs);
  }

  /** The egress fence NetworkPolicy of that name; undefined when it does not exist. */
  async egressFence(name: string): Promise<EgressFence | undefined> {
    const p = await this.find('readNamespacedNetworkPolicy', `networkpolicy ${name}`, (a) =>
      a.networking.readNamespacedNetworkPolicy({ name, namespace: this.namespace }),
    );
    if (!p) return undefined;
    const apps = (p.spec?.podSelector?.matchExpressions ?? []).find((e) => e.key === 'app')?.values ?? [];
    return { name, apps: [...apps], denies: (p.spec?.egress ?? []).length === 0 };
  }

  /**
   * Create a NetworkPolicy that isolates the pods labelled app in `apps` for egress and allows
   * them nothing (an empty egress list); one that already exists is left alone (idempotent).
   * https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-egress-traffic
   */
  async createEgressFence(name: string, apps: string[]): Promise<void> {
    const body: V1NetworkPolicy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name,
        namespace: this.namespace,
        labels: { 'app.kubernetes.io/managed-by': 'aegis-dr' },
      },
      spec: {
        podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: apps }] },
        policyTypes: ['Egress'],
        egress: [],
      },
    };
    const apis = this.apis();
    try {
      await apis.networking.createNamespacedNetworkPolicy({ namespace: this.namespace, body });
    } catch (err) {
      if (httpStatus(err) === 409) return;
      throw wrap('createNamespacedNetworkPolicy', err, `networkpolicy ${name} in ${this.label}`);
    }
  }

  /** Delete the NetworkPolicy; one that is already gone is fine. */
  async deleteEgressFence(name: string): Promise<void> {
    await this.find('deleteNamespacedNetworkPolicy', `networkpolicy ${name}`, (a) =>
      a.networking.deleteNamespacedNetworkPolicy({ name, namespace: this.namespace }),
    );
  }

  /** Delete a job and its pods (background propagation); a job that is already gone is fine. */
  async deleteJob(name: string): Promise<void> {
    await this.find('deleteNamespacedJob', `job ${name}`, (a) =>
      a.batch.deleteNamespacedJob({ name, namespace: this.namespace, propagationPolicy: 'Background' }),
    );
  }
}
