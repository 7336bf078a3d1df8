/**
 * HorizontalPodAutoscalers (autoscaling/v2): get, list, patch, and the controller that acts on
 * them after every settle, as the Kubernetes documentation describes it
 * (https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/):
 * - the HPA owns its target's `replicas`: it keeps them within minReplicas..maxReplicas, scaling
 *   up at once to minReplicas and down only after the scale-down stabilization window (300 s by
 *   default: "the highest recommendation within the window") has passed;
 * - the sandbox's pods report no CPU load (no metrics are emulated), so the metric-based
 *   recommendation is always the minimum: replicas set by hand above minReplicas are taken back
 *   once the window has passed;
 * - a target scaled to 0 while minReplicas > 0 deactivates the HPA ("implicit maintenance-mode
 *   deactivation"): it leaves the target alone until its replicas are set above 0 again.
 * Not emulated: metrics and behavior policies, scale-up stabilization, watch, create/delete,
 * autoscaling/v1 HPAs.
 */
import type http from 'node:http';
import { send, type ServiceRequest } from '../http.js';
import type { ClusterState, World } from '../world.js';
import { iso, list, uid, type Where } from './meta.js';
import { applyPatch, isObj } from './patch.js';
import type { Route } from './routes.js';
import { invalid, methodNotAllowed, notFound } from './status.js';

/** The default scale-down stabilization window, in cloud seconds. */
export const HPA_SCALE_DOWN_STABILIZATION_S = 300;

export interface HpaState {
  name: string;
  /** The Deployment it scales (scaleTargetRef kind Deployment). */
  target: string;
  minReplicas: number;
  maxReplicas: number;
  /** Real ms since when the target has had more replicas than the recommendation. */
  aboveSince?: number;
  generation: number;
}

const hpas = new WeakMap<ClusterState, Map<string, HpaState>>();

/** The HPAs of a cluster (created empty). */
export function hpasOf(cluster: ClusterState): Map<string, HpaState> {
  let m = hpas.get(cluster);
  if (!m) {
    m = new Map();
    hpas.set(cluster, m);
  }
  return m;
}

/** The HPA controller's pass over one cluster: returns whether it changed a deployment. */
export function reconcileHpas(world: World, cluster: ClusterState): boolean {
  let changed = false;
  for (const h of hpasOf(cluster).values()) {
    const d = cluster.deployments.get(h.target);
    if (!d || d.replicas === 0) {
      h.aboveSince = undefined;
      continue;
    }
    let want = d.replicas;
    if (d.replicas < h.minReplicas) want = h.minReplicas;
    else if (d.replicas > h.maxReplicas) want = h.maxReplicas;
    else if (d.replicas > h.minReplicas) {
      // idle pods: the recommendation is the minimum, applied once the window has passed
      h.aboveSince ??= world.now();
      if (world.now() - h.aboveSince >= world.realMs(HPA_SCALE_DOWN_STABILIZATION_S)) want = h.minReplicas;
    } else h.aboveSince = undefined;
    if (want !== d.replicas) {
      d.replicas = want;
      d.generation++;
      h.aboveSince = undefined;
      changed = true;
    }
  }
  if (changed) cluster.resourceVersion++;
  return changed;
}

function render(w: Where, h: HpaState, createdAt: string) {
  const d = w.cluster.deployments.get(h.target);
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {
      name: h.name,
      namespace: w.cluster.namespace,
      uid: uid(`${w.key}/hpa/${h.name}`),
      resourceVersion: String(w.cluster.resourceVersion),
      generation: h.generation,
      creationTimestamp: createdAt,
    },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: h.target },
      minReplicas: h.minReplicas,
      maxReplicas: h.maxReplicas,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
      ],
    },
    status: {
      observedGeneration: h.generation,
      currentReplicas: d?.readyReplicas ?? 0,
      desiredReplicas: d?.replicas ?? 0,
      conditions: [
        {
          type: 'ScalingActive',
          status: d && d.replicas > 0 ? 'True' : 'False',
          reason: d && d.replicas > 0 ? 'ValidMetricFound' : 'ScalingDisabled',
          lastTransitionTime: iso(Date.now()),
        },
      ],
    },
  };
}

/** GET list/read and PATCH of horizontalpodautoscalers in the cluster's namespace. */
export function horizontalPodAutoscalers(
  req: ServiceRequest,
  res: http.ServerResponse,
  world: World,
  w: Where,
  r: Route,
  createdAt: string,
  mutation: (op: string, target: string) => void,
): void {
  const method = req.method.toUpperCase();
  const all = hpasOf(w.cluster);
  const ok = (body: unknown) => send(res, 200, body as object, 'application/json');
  if (r.namespace !== undefined && r.namespace !== w.cluster.namespace) {
    if (!r.name)
      return ok(list('HorizontalPodAutoscalerList', 'autoscaling/v2', w.cluster.resourceVersion, []));
    throw notFound('autoscaling', 'horizontalpodautoscalers', r.name);
  }
  if (!r.name) {
    if (method !== 'GET') throw methodNotAllowed(method, r);
    return ok(
      list(
        'HorizontalPodAutoscalerList',
        'autoscaling/v2',
        w.cluster.resourceVersion,
        [...all.values()].map((h) => render(w, h, createdAt)),
      ),
    );
  }
  const h = all.get(r.name);
  if (!h) throw notFound('autoscaling', 'horizontalpodautoscalers', r.name);
  if (method === 'GET') return ok(render(w, h, createdAt));
  if (method !== 'PATCH') throw methodNotAllowed(method, r);
  const patched = applyPatch(req, 'HorizontalPodAutoscaler', r.name, render(w, h, createdAt));
  const spec = isObj(patched.spec) ? patched.spec : {};
  const min = spec.minReplicas;
  const max = spec.maxReplicas;
  if (!(Number.isInteger(min) && (min as number) >= 1)) {
    throw invalid(
      'HorizontalPodAutoscaler',
      r.name,
      `spec.minReplicas: Invalid value: ${JSON.stringify(min)}: must be greater than or equal to 1`,
    );
  }
  if (!(Number.isInteger(max) && (max as number) >= (min as number))) {
    throw invalid(
      'HorizontalPodAutoscaler',
      r.name,
      `spec.maxReplicas: Invalid value: ${JSON.stringify(max)}: must be greater than or equal to minReplicas (${String(min)})`,
    );
  }
  mutation('patchNamespacedHorizontalPodAutoscaler', `hpa/${r.name}`);
  h.minReplicas = min as number;
  h.maxReplicas = max as number;
  h.generation++;
  w.cluster.resourceVersion++;
  world.settle();
  ok(render(w, h, createdAt));
}
