/** Routing: the cluster prefix `/clusters/<stack>-<site>` and the REST paths the emulator serves, mapped to client-node operation names. */
import type { SiteName } from '../../plan/types.js';
import type { ServiceRequest } from '../http.js';

/** Path prefix under which the emulator serves the cluster of `stack`/`site`. */
export function clusterPath(stack: string, site: SiteName): string {
  return `/clusters/${stack}-${site}`;
}

export interface Route {
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

export function route(req: ServiceRequest): Route {
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
    ([
      'api',
      'apis',
      'api/v1',
      'apis/apps/v1',
      'apis/batch/v1',
      'apis/autoscaling/v1',
      'apis/autoscaling/v2',
      'apis/networking.k8s.io/v1',
    ].includes(p.join('/')) ||
      (p[0] === 'apis' && p.length === 2))
  ) {
    return { ...r, op: 'discovery' };
  }
  if (p.join('/') === 'apis/authorization.k8s.io/v1/selfsubjectaccessreviews')
    return { ...r, kind: 'selfsubjectaccessreviews', op: 'createSelfSubjectAccessReview' };
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
          return {
            ...r,
            kind: 'configmaps',
            namespace: ns,
            name,
            op: method === 'PATCH' ? 'patchNamespacedConfigMap' : 'readNamespacedConfigMap',
          };
      }
      if (res === 'secrets' && p.length === 6)
        return {
          ...r,
          kind: 'secrets',
          namespace: ns,
          name,
          op: method === 'PATCH' ? 'patchNamespacedSecret' : 'readNamespacedSecret',
        };
    }
  }
  if (p[0] === 'apis' && p[1] === 'autoscaling' && p[2] === 'v2' && p[3] === 'namespaces') {
    const ns = p[4];
    if (p[5] === 'horizontalpodautoscalers' && p.length === 6)
      return {
        ...r,
        kind: 'horizontalpodautoscalers',
        namespace: ns,
        op: 'listNamespacedHorizontalPodAutoscaler',
      };
    if (p[5] === 'horizontalpodautoscalers' && p.length === 7)
      return {
        ...r,
        kind: 'horizontalpodautoscalers',
        namespace: ns,
        name: p[6],
        op:
          method === 'PATCH'
            ? 'patchNamespacedHorizontalPodAutoscaler'
            : 'readNamespacedHorizontalPodAutoscaler',
      };
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
  if (p[0] === 'apis' && p[1] === 'networking.k8s.io' && p[2] === 'v1') {
    if (p[3] === 'networkpolicies' && p.length === 4)
      return { ...r, kind: 'networkpolicies', op: 'listNetworkPolicyForAllNamespaces' };
    if (p[3] === 'namespaces' && p[5] === 'networkpolicies') {
      const ns = p[4];
      if (p.length === 6) {
        const op =
          method === 'POST'
            ? 'createNamespacedNetworkPolicy'
            : method === 'GET'
              ? 'listNamespacedNetworkPolicy'
              : `${method} networkpolicies`;
        return { ...r, kind: 'networkpolicies', namespace: ns, op };
      }
      if (p.length === 7) {
        const op =
          method === 'DELETE'
            ? 'deleteNamespacedNetworkPolicy'
            : method === 'GET'
              ? 'readNamespacedNetworkPolicy'
              : `${method} networkpolicy`;
        return { ...r, kind: 'networkpolicies', namespace: ns, name: p[6], op };
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
