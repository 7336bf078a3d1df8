/**
 * What the phases do in a site's Kubernetes cluster, as RBAC names it: one row per verb on a
 * resource (and subresource), in the plan's namespace unless `namespaced` is false. The one list
 * of them: the readiness check "Cluster access" asks the API server about each row
 * (SelfSubjectAccessReview), and a permissions table (a Role to apply, an access policy to
 * associate) can be generated from it. When a phase starts a new kind of Kubernetes call
 * (src/providers/kubernetes/cluster.ts), add its row here.
 *
 * The verbs are the RBAC request verbs of the HTTP methods the client sends
 * (https://kubernetes.io/docs/reference/access-authn-authz/authorization/#determine-the-request-verb):
 * GET of one object is `get`, of a collection `list`; PATCH is `patch`; POST `create`; DELETE
 * `delete`; a GET through the pod proxy (a connect subresource) is `get` on `pods/proxy`.
 */

/** One permission the phases need in a cluster. */
export interface KubernetesPermission {
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';
  /** API group: '' for the core group. */
  group: string;
  resource: string;
  subresource?: string;
  /** false for a cluster-scoped resource (nodes). */
  namespaced: boolean;
  /** The phases whose calls need it, and what for. */
  phases: string[];
  why: string;
}

export const KUBERNETES_PERMISSIONS: readonly KubernetesPermission[] = [
  {
    verb: 'list',
    group: '',
    resource: 'nodes',
    namespaced: false,
    phases: ['readiness', 'scale', 'failback'],
    why: "count the pool's Ready nodes",
  },
  {
    verb: 'list',
    group: '',
    resource: 'pods',
    namespaced: true,
    phases: ['drain', 'verify', 'sync'],
    why: 'find the application pods and the pods of a Job',
  },
  {
    verb: 'get',
    group: '',
    resource: 'pods',
    subresource: 'proxy',
    namespaced: true,
    phases: ['drain'],
    why: "read a pod's /debug/connections",
  },
  {
    verb: 'get',
    group: '',
    resource: 'pods',
    subresource: 'log',
    namespaced: true,
    phases: ['verify', 'sync'],
    why: "read a Job's output",
  },
  {
    verb: 'get',
    group: '',
    resource: 'configmaps',
    namespaced: true,
    phases: ['readiness'],
    why: 'compare the DR configmap with the primary one',
  },
  {
    verb: 'get',
    group: 'apps',
    resource: 'deployments',
    namespaced: true,
    phases: ['readiness', 'declare', 'drain', 'database', 'scale', 'verify', 'failback'],
    why: 'read replicas, rollout and the drain annotation',
  },
  {
    verb: 'patch',
    group: 'apps',
    resource: 'deployments',
    namespaced: true,
    phases: ['declare', 'readiness', 'failback'],
    why: 'set or remove the drain annotation, the fence',
  },
  {
    verb: 'patch',
    group: 'apps',
    resource: 'deployments',
    subresource: 'scale',
    namespaced: true,
    phases: ['scale', 'declare', 'failback'],
    why: 'scale a deployment, and the scale-to-zero fence',
  },
  {
    verb: 'list',
    group: 'autoscaling',
    resource: 'horizontalpodautoscalers',
    namespaced: true,
    phases: ['scale', 'failback'],
    why: "find a deployment's HPA",
  },
  {
    verb: 'patch',
    group: 'autoscaling',
    resource: 'horizontalpodautoscalers',
    namespaced: true,
    phases: ['scale', 'failback'],
    why: "move an HPA's minReplicas",
  },
  {
    verb: 'create',
    group: 'batch',
    resource: 'jobs',
    namespaced: true,
    phases: ['verify', 'sync'],
    why: 'run the integrity check and the data sync',
  },
  {
    verb: 'get',
    group: 'batch',
    resource: 'jobs',
    namespaced: true,
    phases: ['verify', 'sync'],
    why: 'wait for a Job',
  },
  {
    verb: 'get',
    group: 'networking.k8s.io',
    resource: 'networkpolicies',
    namespaced: true,
    phases: ['declare', 'readiness', 'database'],
    why: 'read the network-policy fence',
  },
  {
    verb: 'create',
    group: 'networking.k8s.io',
    resource: 'networkpolicies',
    namespaced: true,
    phases: ['declare', 'readiness'],
    why: 'apply the network-policy fence',
  },
  {
    verb: 'delete',
    group: 'networking.k8s.io',
    resource: 'networkpolicies',
    namespaced: true,
    phases: ['failback'],
    why: 'lift the network-policy fence',
  },
];

/** A permission in words: `patch deployments/scale in apps`, `list nodes` (core group). */
export function permissionText(
  p: Pick<KubernetesPermission, 'verb' | 'group' | 'resource' | 'subresource'>,
): string {
  const res = p.subresource ? `${p.resource}/${p.subresource}` : p.resource;
  return `${p.verb} ${res}${p.group ? ` in ${p.group}` : ''}`;
}
