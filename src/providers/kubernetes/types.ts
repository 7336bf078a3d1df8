/**
 * What phases need from one Kubernetes cluster. src/providers/kubernetes/cluster.ts implements
 * it over @kubernetes/client-node.
 */
export interface DeploymentStatus {
  name: string;
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
  updatedReplicas: number;
  observedGeneration: number;
  generation: number;
  annotations: Record<string, string>;
  /** status.replicas: every pod of the deployment, old template included (kubectl's "old replicas are pending termination"). */
  currentReplicas?: number;
  /** Annotations of the pod template (spec.template.metadata.annotations). */
  templateAnnotations?: Record<string, string>;
}

export interface JobSpec {
  name: string;
  image: string;
  command: string[];
  labels?: Record<string, string>;
  env?: Record<string, string>;
  /** The pod's service account (spec.serviceAccountName); the namespace's default when absent. */
  serviceAccount?: string;
}

export interface JobStatus {
  done: boolean;
  succeeded: boolean;
  logs?: string;
}

/** A HorizontalPodAutoscaler's bounds (autoscaling/v2). */
export interface AutoscalerStatus {
  name: string;
  minReplicas: number;
  maxReplicas: number;
}

/** The NetworkPolicy of the network-policy fence, as read back. */
export interface EgressFence {
  name: string;
  /** The values of the `app` label its podSelector selects. */
  apps: string[];
  /** Whether it allows no egress at all (an empty egress list). */
  denies: boolean;
}

/** The attributes of a SelfSubjectAccessReview: may the caller do `verb` on the resource? */
export interface AccessQuestion {
  verb: string;
  /** API group: '' for the core group. */
  group: string;
  resource: string;
  subresource?: string;
  /** false for a cluster-scoped resource: asked without a namespace. */
  namespaced: boolean;
}

export interface AccessAnswer {
  allowed: boolean;
  /** The authorizer's reason, when it gives one (RBAC names the binding that allows). */
  reason?: string;
  /** Set when the authorizer could not evaluate the question. */
  evaluationError?: string;
}

export interface Cluster {
  /** Ask the API server whether the caller may do this (SelfSubjectAccessReview, kubectl auth can-i). */
  canI(q: AccessQuestion): Promise<AccessAnswer>;
  /** Nodes, optionally only those a label selector picks (`cloud.google.com/gke-nodepool=pool`). */
  nodes(selector?: string): Promise<{ name: string; ready: boolean }[]>;
  pods(
    selector?: string,
  ): Promise<{ name: string; phase: string; ready: boolean; labels: Record<string, string> }[]>;
  deployment(name: string): Promise<DeploymentStatus | undefined>;
  scale(name: string, replicas: number): Promise<void>;
  /** The HPA that scales the Deployment `deployment`, if any. */
  autoscaler(deployment: string): Promise<AutoscalerStatus | undefined>;
  /** Move an HPA's minReplicas / maxReplicas. */
  setAutoscalerBounds(name: string, minReplicas: number, maxReplicas: number): Promise<void>;
  annotate(name: string, annotations: Record<string, string | null>): Promise<void>;
  configMap(name: string): Promise<Record<string, string> | undefined>;
  /** A ConfigMap's or Secret's data (a Secret's decoded), in `namespace` (default: the cluster's); undefined when it does not exist. */
  objectData(
    kind: 'configmap' | 'secret',
    name: string,
    namespace?: string,
  ): Promise<Record<string, string> | undefined>;
  /** Set one key of a ConfigMap or Secret (merge patch of `data`). */
  setObjectKey(
    kind: 'configmap' | 'secret',
    name: string,
    key: string,
    value: string,
    namespace?: string,
  ): Promise<void>;
  /** `kubectl rollout restart`: set kubectl.kubernetes.io/restartedAt (and `annotations`) on the pod template. */
  restart(name: string, at: string, annotations?: Record<string, string>): Promise<void>;
  podProxyGet(pod: string, port: number, path: string): Promise<string>;
  runJob(spec: JobSpec): Promise<void>;
  job(name: string): Promise<JobStatus | undefined>;
  deleteJob(name: string): Promise<void>;
  egressFence(name: string): Promise<EgressFence | undefined>;
  createEgressFence(name: string, apps: string[]): Promise<void>;
  deleteEgressFence(name: string): Promise<void>;
}
