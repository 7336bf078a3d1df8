/**
 * Authorization of the emulated API servers: a per-cluster RBAC model, enforced on every request
 * and answered by SelfSubjectAccessReview (authorization.k8s.io/v1), as the API server does
 * (https://kubernetes.io/docs/reference/access-authn-authz/authorization/#checking-api-access).
 *
 * The model: the job's identity (`SANDBOX_KUBE_USER`) is bound to a role that allows everything
 * except the rules a scenario removes from it (`denyAccess`): a cluster whose access entry / role
 * binding lacks a permission. The request's attributes are RBAC's: the verb from the HTTP method
 * (GET of one object `get`, of a collection `list`, `watch` with ?watch, POST `create`, PATCH
 * `patch`, PUT `update`, DELETE `delete`), the API group, the resource and the subresource
 * (https://kubernetes.io/docs/reference/access-authn-authz/authorization/#determine-the-request-verb).
 * A rule on `deployments` does not cover `deployments/scale`: RBAC names subresources apart
 * (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources).
 * A denied request is a 403 Forbidden Status worded as RBAC words it; a SelfSubjectAccessReview
 * is always allowed (system:basic-user) and answers 201 with `status.allowed` and, when allowed,
 * the binding in `status.reason`; a denial by RBAC alone carries no reason, as the API server's.
 *
 * Not emulated: roles and bindings as API objects, groups, impersonation, nonResourceAttributes
 * (answered not allowed), SelfSubjectRulesReview.
 */
import type http from 'node:http';
import { send, type ServiceRequest } from '../http.js';
import type { ClusterState } from '../world.js';
import type { Route } from './routes.js';
import { StatusError } from './status.js';

/** The user the sandbox's API servers see for the job's identity. */
export const SANDBOX_KUBE_USER = 'aegis-dr';

/** One RBAC permission: verb on group/resource[/subresource]. */
export interface AccessRule {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
}

const denied = new WeakMap<ClusterState, AccessRule[]>();

/** Remove permissions from the identity's role in a cluster (a scenario's restriction). */
export function denyAccess(cluster: ClusterState, rules: AccessRule[]): void {
  denied.set(cluster, [...(denied.get(cluster) ?? []), ...rules]);
}

function matches(rule: AccessRule, a: AccessRule): boolean {
  return (
    (rule.verb === '*' || rule.verb === a.verb) &&
    rule.group === a.group &&
    rule.resource === a.resource &&
    (rule.subresource ?? '') === (a.subresource ?? '')
  );
}

/** Whether the identity may do `a` in the cluster. */
export function allowed(cluster: ClusterState, a: AccessRule): boolean {
  return !(denied.get(cluster) ?? []).some((rule) => matches(rule, a));
}

/** The RBAC attributes of a request the router understood. */
export function requestAttributes(req: ServiceRequest, r: Route): AccessRule & { namespace?: string } {
  const method = req.method.toUpperCase();
  const watch = ['true', '1'].includes(req.url.searchParams.get('watch') ?? '');
  const verb =
    method === 'GET'
      ? watch
        ? 'watch'
        : r.name
          ? 'get'
          : 'list'
      : (({ POST: 'create', PATCH: 'patch', PUT: 'update', DELETE: 'delete' } as Record<string, string>)[
          method
        ] ?? method.toLowerCase());
  return {
    verb,
    group: r.parts[0] === 'api' ? '' : (r.parts[1] ?? ''),
    resource: r.kind ?? '',
    ...(r.sub ? { subresource: r.sub } : {}),
    ...(r.namespace ? { namespace: r.namespace } : {}),
  };
}

/** Throw RBAC's 403 when the identity may not make this request. */
export function authorize(cluster: ClusterState, req: ServiceRequest, r: Route): void {
  const a = requestAttributes(req, r);
  if (allowed(cluster, a)) return;
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const qualified = a.group ? `${a.resource}.${a.group}` : a.resource;
  throw new StatusError(
    403,
    'Forbidden',
    `${qualified}${r.name ? ` "${r.name}"` : ''} is forbidden: User "${SANDBOX_KUBE_USER}" cannot ${a.verb} resource "${res}" in API group "${a.group}"${a.namespace ? ` in the namespace "${a.namespace}"` : ' at the cluster scope'}`,
    { name: r.name, group: a.group, kind: a.resource },
  );
}

/** POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews */
export function selfSubjectAccessReview(
  req: ServiceRequest,
  res: http.ServerResponse,
  cluster: ClusterState,
): void {
  if (req.method.toUpperCase() !== 'POST')
    throw new StatusError(
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource (selfsubjectaccessreviews are created only)',
    );
  let body: { spec?: { resourceAttributes?: Record<string, unknown>; nonResourceAttributes?: unknown } };
  try {
    body = req.json();
  } catch {
    throw new StatusError(400, 'BadRequest', 'the request body is not JSON');
  }
  const ra = body?.spec?.resourceAttributes;
  if (!ra && !body?.spec?.nonResourceAttributes)
    throw new StatusError(
      422,
      'Invalid',
      'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
    );
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const a: AccessRule = {
    verb: str(ra?.verb),
    group: str(ra?.group),
    resource: str(ra?.resource),
    ...(str(ra?.subresource) ? { subresource: str(ra?.subresource) } : {}),
  };
  const ok = ra ? allowed(cluster, a) : false;
  send(
    res,
    201,
    {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: body.spec,
      status: ok
        ? {
            allowed: true,
            reason: `RBAC: allowed by ClusterRoleBinding "aegis-dr" of ClusterRole "aegis-dr" to User "${SANDBOX_KUBE_USER}"`,
          }
        : { allowed: false },
    },
    'application/json',
  );
}
