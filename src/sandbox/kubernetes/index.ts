/**
 * The emulated Kubernetes API server: every cluster of the world on one port, each under the path
 * prefix `/clusters/<stack>-<site>` (so a kubeconfig cluster `server` is
 * `http://127.0.0.1:PORT/clusters/aws-primary`). It serves what `@kubernetes/client-node` 2.x and
 * kubectl call during the runbook: nodes (with watch), pods (label selectors, logs, the pod proxy),
 * deployments (merge / strategic-merge / JSON patch, the scale subresource), configmaps, jobs and
 * networkpolicies (the fence; what they do to the application's writes is ../writes.ts).
 * Errors are Kubernetes `Status` objects; an unreachable site's API server resets the connection.
 * This file only dispatches; each resource kind lives in its own file with its subresources.
 *
 * Current limitations (what a real API server does and this one does not):
 * - One namespace per cluster (the estate's); other namespaces are NotFound, and namespaces are read only.
 * - Authentication checks a token's shape only (auth.ts), and a request with no token is admitted
 *   (kubectl does not send a bearer token over plain http). Authorization: a per-cluster RBAC model
 *   that allows everything a scenario has not denied (rbac.ts, with SelfSubjectAccessReview), and,
 *   when the sandbox enforces permissions, the generated Roles of the token's identity (../iam.ts);
 *   never an EKS access entry; no webhooks, no defaulting beyond what the renderers print.
 * - Group-versions served: core v1, apps/v1, batch/v1, networking.k8s.io/v1 (NetworkPolicy),
 *   autoscaling/v1 (the Scale subresource only) and autoscaling/v2 (HorizontalPodAutoscalers: get,
 *   list, patch; the controller in hpa.ts);
 *   JSON only (no protobuf, no YAML bodies), no server-side apply, no dry-run.
 * - Verbs: nodes and pods are read only; configmaps are get/list/watch/patch, secrets get/patch
 *   (the endpoint binding); deployments are get/list/watch/patch (no create,
 *   update or delete); jobs are create/get/list/watch/delete; networkpolicies create/get/list/delete
 *   (no patch, update or watch). No ReplicaSets or Services are served.
 * - Strategic merge patch is applied as a JSON merge patch (lists are replaced, not merged by key).
 * - No optimistic concurrency: a metadata.resourceVersion in a patch is not checked; the
 *   resourceVersion is one counter per cluster.
 * - Lists take labelSelector only (no fieldSelector, no limit/continue); watches send no bookmarks
 *   and one given a resourceVersion other than "0" starts from the current state, not from that version.
 */
import type http from 'node:http';
import type { FaultHit } from '../faults.js';
import { send, type ServiceContext, type ServiceDef, type ServiceRequest } from '../http.js';
import { SITES } from '../world.js';
import { configmaps, secrets } from './configmaps.js';
import { deployments } from './deployments.js';
import { discovery } from './discovery.js';
import { horizontalPodAutoscalers } from './hpa.js';
import { jobs } from './jobs.js';
import { iso, type Where } from './meta.js';
import { namespaces } from './namespaces.js';
import { networkpolicies } from './networkpolicies.js';
import { nodes } from './nodes.js';
import { pods } from './pods.js';
import { route } from './routes.js';
import { StatusError, sendStatus } from './status.js';
import { authenticate } from './auth.js';
import { authorize, selfSubjectAccessReview } from './rbac.js';

export { DRAIN_ANNOTATION } from './deployments.js';
export { type JobContext, type JobResult, jobCommand, jobEnv, jobImage, registerJobHandler } from './jobs.js';
export { SANDBOX_KUBE_TOKEN, writeKubeconfig } from './kubeconfig.js';
export { EKS_TOKEN_MAX_AGE_S, SANDBOX_CLOUD_TOKEN, eksTokenProblem } from './auth.js';
export { jsonPatch, mergePatch } from './patch.js';
export { clusterPath } from './routes.js';
export { type AccessRule, SANDBOX_KUBE_USER, denyAccess } from './rbac.js';
export { parseLabelSelector } from './selectors.js';

/** The emulated Kubernetes API of every cluster of the world, on one port (service key 'kubernetes'). */
export function kubernetesService(): ServiceDef {
  const createdAt = iso(Date.now());
  return {
    name: 'kubernetes',
    operation: (req) => route(req).op,
    // faults aimed at one cluster (the primary and DR API servers fail apart)
    target: (req) => {
      const r = route(req);
      return r.stack && r.site ? `${r.stack}-${r.site}` : undefined;
    },
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
    renderError(req, res, hit: FaultHit) {
      const code = hit.spec.status ?? 503;
      if (code === 403 || code === 404) {
        sendStatus(res, accessError(req, code));
        return;
      }
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

/**
 * The Status of an injected 403 or 404 as an API server words it: RBAC's Forbidden
 * (`<resource> is forbidden: User "..." cannot <verb> resource ...`) and NotFound
 * (`<resource> "<name>" not found`); https://kubernetes.io/docs/reference/access-authn-authz/rbac/
 * and https://kubernetes.io/docs/reference/using-api/api-concepts/ (Status objects).
 */
function accessError(req: ServiceRequest, code: 403 | 404): StatusError {
  const r = route(req);
  const parts = req.path.split('/').filter(Boolean);
  const ns = parts.indexOf('namespaces');
  const resource = ns >= 0 ? (parts[ns + 2] ?? 'namespaces') : (parts.at(-1) ?? 'resources');
  const name = ns >= 0 ? parts[ns + 3] : undefined;
  const verb =
    req.method === 'GET'
      ? name
        ? 'get'
        : 'list'
      : req.method === 'PATCH'
        ? 'patch'
        : req.method.toLowerCase();
  if (code === 404) return new StatusError(404, 'NotFound', `${resource} "${name ?? ''}" not found`);
  return new StatusError(
    403,
    'Forbidden',
    `${resource}${name ? ` "${name}"` : ''} is forbidden: User "system:serviceaccount:aegis:aegis-dr" cannot ${verb} resource "${resource}" in the namespace "${ns >= 0 ? parts[ns + 1] : ''}" (${r.op})`,
  );
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
  authenticate(req, stack.cloud, world.now());
  const cluster = siteWorld.cluster;
  const w: Where = { key: `${stack.name}-${r.site}`, stack, site: r.site, siteWorld, cluster };
  const method = req.method.toUpperCase();
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

  if (r.kind === 'selfsubjectaccessreviews') return selfSubjectAccessReview(req, res, cluster);
  if (r.kind) authorize(cluster, req, r);
  switch (r.kind) {
    case 'nodes':
      return nodes(req, res, world, w, r);
    case 'pods':
      return pods(req, res, world, w, r);
    case 'configmaps':
      return configmaps(req, res, world, w, r, createdAt, mutation);
    case 'secrets':
      return secrets(req, res, w, r, createdAt, mutation);
    case 'namespaces':
      return namespaces(req, res, w, r, createdAt);
    case 'deployments':
      return deployments(req, res, world, w, r, createdAt, mutation);
    case 'jobs':
      return jobs(req, res, world, w, r, mutation);
    case 'horizontalpodautoscalers':
      return horizontalPodAutoscalers(req, res, world, w, r, createdAt, mutation);
    case 'networkpolicies':
      return networkpolicies(req, res, world, w, r, mutation);
    default:
      throw new StatusError(
        404,
        'NotFound',
        `the server could not find the requested resource (${method} ${r.parts.join('/')})`,
      );
  }
}
