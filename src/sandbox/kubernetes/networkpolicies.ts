/**
 * NetworkPolicies (networking.k8s.io/v1): create, get, list, delete. What a policy does to the
 * application's writes is in ../writes.ts (egress isolation, enforcement by the network plugin,
 * open connections); here the API: validation as the API server does it (422 Invalid), 409
 * AlreadyExists on a second create, a Status on delete.
 * https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/
 */
import type http from 'node:http';
import { send, type ServiceRequest } from '../http.js';
import type { NetworkPolicyState } from '../writes.js';
import type { World } from '../world.js';
import { iso, uid, type Where } from './meta.js';
import { isObj, readStringMap } from './patch.js';
import type { Route } from './routes.js';
import { labelSelectorProblem, selects } from './selectors.js';
import { StatusError, invalid, methodNotAllowed, notFound, statusBody } from './status.js';
import { listOrTable, oneOrTable } from './table.js';

const GROUP = 'networking.k8s.io';
const API_VERSION = 'networking.k8s.io/v1';

function render(w: Where, p: NetworkPolicyState) {
  return {
    kind: 'NetworkPolicy',
    apiVersion: API_VERSION,
    metadata: {
      name: p.name,
      namespace: w.cluster.namespace,
      uid: p.uid,
      resourceVersion: String(w.cluster.resourceVersion),
      generation: 1,
      creationTimestamp: iso(p.createdAt),
      ...(Object.keys(p.labels).length ? { labels: { ...p.labels } } : {}),
      ...(Object.keys(p.annotations).length ? { annotations: { ...p.annotations } } : {}),
    },
    spec: structuredClone(p.spec),
  };
}

/** The API server's validation of a NetworkPolicy body; the stored state when valid. */
function parse(w: Where, body: unknown, now: number): NetworkPolicyState {
  if (!isObj(body)) throw new StatusError(400, 'BadRequest', 'the NetworkPolicy body is not a JSON object');
  const meta = isObj(body.metadata) ? body.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name) || name.length > 253)
    throw invalid('NetworkPolicy', name, 'metadata.name: Required value: a lowercase RFC 1123 subdomain');
  const spec = isObj(body.spec) ? body.spec : undefined;
  if (!spec) throw invalid('NetworkPolicy', name, 'spec: Required value');
  const problem = labelSelectorProblem(spec.podSelector ?? {}, 'spec.podSelector');
  if (problem) throw invalid('NetworkPolicy', name, problem);
  const types = spec.policyTypes;
  if (types !== undefined) {
    if (!Array.isArray(types) || types.some((t) => t !== 'Ingress' && t !== 'Egress'))
      throw invalid(
        'NetworkPolicy',
        name,
        `spec.policyTypes: Unsupported value: ${JSON.stringify(types)}: supported values: "Ingress", "Egress"`,
      );
  }
  if (spec.egress !== undefined && spec.egress !== null && !Array.isArray(spec.egress))
    throw invalid('NetworkPolicy', name, 'spec.egress: Invalid value: expected a list of egress rules');
  for (const [i, rule] of ((spec.egress as unknown[] | null) ?? []).entries()) {
    if (!isObj(rule))
      throw invalid('NetworkPolicy', name, `spec.egress[${i}]: Invalid value: expected an object`);
    for (const [j, peer] of ((rule.to as unknown[]) ?? []).entries()) {
      if (!isObj(peer)) continue;
      for (const k of ['podSelector', 'namespaceSelector'] as const) {
        const pr = labelSelectorProblem(peer[k], `spec.egress[${i}].to[${j}].${k}`);
        if (pr) throw invalid('NetworkPolicy', name, pr);
      }
    }
  }
  return {
    name,
    labels: readStringMap('NetworkPolicy', name, 'metadata.labels', meta.labels),
    annotations: readStringMap('NetworkPolicy', name, 'metadata.annotations', meta.annotations),
    spec: {
      podSelector: (spec.podSelector as NetworkPolicyState['spec']['podSelector']) ?? {},
      ...(types !== undefined ? { policyTypes: types as string[] } : {}),
      ...(spec.ingress !== undefined ? { ingress: spec.ingress as unknown[] } : {}),
      // a null egress is an absent one (JSON null of an omitempty list)
      ...(spec.egress !== undefined && spec.egress !== null
        ? { egress: spec.egress as NetworkPolicyState['spec']['egress'] }
        : {}),
    },
    createdAt: now,
    uid: uid(`${w.key}/networkpolicy/${name}/${now}`),
  };
}

export function networkpolicies(
  req: ServiceRequest,
  res: http.ServerResponse,
  world: World,
  w: Where,
  r: Route,
  mutation: (op: string, target: string) => void,
): void {
  const { cluster } = w;
  const method = req.method.toUpperCase();
  const nsOk = r.namespace === undefined || r.namespace === cluster.namespace;
  const ok = (code: number, body: unknown) => send(res, code, body as object, 'application/json');
  if (!r.name) {
    if (method === 'GET') {
      const sel = req.url.searchParams.get('labelSelector');
      const items = nsOk
        ? [...cluster.networkPolicies.values()].filter((p) => selects(sel, p.labels)).map((p) => render(w, p))
        : [];
      ok(200, listOrTable(req, world, 'NetworkPolicy', API_VERSION, cluster.resourceVersion, items));
      return;
    }
    if (method === 'POST' && r.namespace !== undefined) {
      if (!nsOk) throw notFound('', 'namespaces', r.namespace);
      let body: unknown;
      try {
        body = req.json();
      } catch {
        throw new StatusError(400, 'BadRequest', 'the body of the NetworkPolicy is not valid JSON');
      }
      const p = parse(w, body, world.now());
      if (cluster.networkPolicies.has(p.name))
        throw new StatusError(409, 'AlreadyExists', `networkpolicies.${GROUP} "${p.name}" already exists`, {
          name: p.name,
          group: GROUP,
          kind: 'networkpolicies',
        });
      cluster.networkPolicies.set(p.name, p);
      cluster.resourceVersion++;
      mutation(r.op, `networkpolicies/${p.name}`);
      world.settle();
      ok(201, render(w, p));
      return;
    }
    throw methodNotAllowed(method, r);
  }
  const p = nsOk ? cluster.networkPolicies.get(r.name) : undefined;
  if (!p) throw notFound(GROUP, 'networkpolicies', r.name);
  if (method === 'GET') {
    ok(200, oneOrTable(req, world, cluster.resourceVersion, render(w, p)));
    return;
  }
  if (method === 'DELETE') {
    cluster.networkPolicies.delete(p.name);
    cluster.resourceVersion++;
    mutation(r.op, `networkpolicies/${p.name}`);
    world.settle();
    ok(200, {
      ...statusBody(200, '', ''),
      details: { name: p.name, group: GROUP, kind: 'networkpolicies', uid: p.uid },
    });
    return;
  }
  throw methodNotAllowed(method, r);
}
