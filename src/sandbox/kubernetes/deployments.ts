/** Deployments (apps/v1) with their status and scale (autoscaling/v1) subresources: get, list, watch, patch; the drain annotation. */
import type http from 'node:http';
import { DRAIN_ANNOTATION } from '../../plan/constants.js';
import { send, type ServiceRequest } from '../http.js';
import type { DeploymentState, SiteWorld, World } from '../world.js';
import { iso, uid, type Where } from './meta.js';
import { applyPatch, isObj, readReplicas, readStringMap } from './patch.js';
import type { Route } from './routes.js';
import { selects } from './selectors.js';
import { StatusError, invalid, notFound } from './status.js';
import { listOrTable, oneOrTable } from './table.js';
import { watchList } from './watch.js';

/** Annotation that starts (value "true") or cancels (removed) the connection drain of a site. */
export { DRAIN_ANNOTATION };

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
        metadata: {
          labels: { ...d.labels },
          ...(d.templateAnnotations ? { annotations: { ...d.templateAnnotations } } : {}),
        },
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

export function deployments(
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
    // a changed pod template (`kubectl rollout restart` sets kubectl.kubernetes.io/restartedAt in
    // it) starts a rolling update: new pods replace the old ones (world.ts reconcileCluster)
    // https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#updating-a-deployment
    const spec = isObj(next.spec) ? next.spec : {};
    const template = isObj(spec.template) ? spec.template : {};
    const tmeta = isObj(template.metadata) ? template.metadata : {};
    const tann = readStringMap('Deployment', d.name, 'spec.template.metadata.annotations', tmeta.annotations);
    if (JSON.stringify(tann) !== JSON.stringify(d.templateAnnotations ?? {})) {
      d.templateAnnotations = tann;
      d.templateVersion = (d.templateVersion ?? 0) + 1;
      d.generation++;
    }
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
