/**
 * Which of a site's application pods can write to the database: the sandbox's answer to "is this
 * site fenced?", as the clouds would answer it, not as our phases hope.
 *
 * - A pod writes while it is Ready and its egress reaches the database.
 * - The drain annotation is advisory: an annotation on a Deployment reaches neither its pods nor a
 *   rollout (https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations/), so it
 *   stops writes only when the application watches its own Deployment (`appWatchesDeployment`).
 * - A Deployment scaled to zero has no pods, so nothing writes.
 * - A NetworkPolicy isolates the pods it selects for egress when its policyTypes include Egress
 *   (when policyTypes is omitted: Egress only if the policy has an egress section); an isolated
 *   pod may open only the connections that some egress rule of a policy selecting it allows, and
 *   an empty egress list allows nothing
 *   (https://kubernetes.io/docs/concepts/services-networking/network-policies/#the-two-sorts-of-pod-isolation,
 *   https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/).
 * - A NetworkPolicy has an effect only where the cluster's network plugin enforces it ("creating
 *   the resource without a controller that implements it will have no effect", same page): the
 *   site's `networkPolicyEnforced`, which the clouds report (EKS VPC CNI network policy, AKS
 *   networkPolicy, GKE network policy / Dataplane V2).
 * - Open connections may stay open: plugins differ on whether a new policy cuts established
 *   connections (conntrack keeps them on several), so the sandbox takes the worst case: a pod that
 *   has been Ready since before the first policy isolating it keeps its database connections. New
 *   pods (a restart, a scale-up by an HPA or a GitOps controller) are blocked.
 *
 * Limits: the database is outside the cluster at DATABASE_ADDRESS (a podSelector or
 * namespaceSelector peer never matches it; an ipBlock does when its cidr holds that address and
 * no `except` does); ports are matched by number (a named port never matches the database).
 */
import { DRAIN_ANNOTATION } from '../plan/constants.js';
import type { SiteName } from '../plan/types.js';
import { podWriteTarget } from './binding.js';
import { type LabelSelectorObject, selectsObject } from './kubernetes/selectors.js';
import type { PodState, StackWorld } from './world.js';

/** The address of every sandbox database, as a pod's egress sees it (a private address outside the pod network). */
export const DATABASE_ADDRESS = '10.200.0.10';

/** The port each engine listens on: PostgreSQL for RDS and Cloud SQL, TDS for Azure SQL. */
export function databasePort(kind: 'rds' | 'azure-sql' | 'cloud-sql'): number {
  return kind === 'azure-sql' ? 1433 : 5432;
}

export interface NetworkPolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelectorObject;
  namespaceSelector?: LabelSelectorObject;
  ipBlock?: { cidr: string; except?: string[] };
}

export interface NetworkPolicyEgressRule {
  to?: NetworkPolicyPeer[];
  ports?: NetworkPolicyPort[];
}

export interface NetworkPolicyState {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The spec as written (returned on reads). */
  spec: {
    podSelector: LabelSelectorObject;
    policyTypes?: string[];
    ingress?: unknown[];
    egress?: NetworkPolicyEgressRule[];
  };
  /** Real ms time of creation: isolation starts then for the pods it selects. */
  createdAt: number;
  uid: string;
}

/** The policy types in effect: as written, else Ingress plus Egress when an egress section is present. */
export function policyTypes(p: NetworkPolicyState): string[] {
  if (p.spec.policyTypes && p.spec.policyTypes.length > 0) return p.spec.policyTypes;
  return p.spec.egress !== undefined ? ['Ingress', 'Egress'] : ['Ingress'];
}

function ipv4(a: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(a);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((x) => x > 255)) return undefined;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

/** Whether an IPv4 CIDR holds an address (an IPv6 or malformed CIDR holds nothing here). */
export function cidrContains(cidr: string, address: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const b = ipv4(base);
  const a = ipv4(address);
  const bits = Number(bitsText ?? '32');
  if (b === undefined || a === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (a & mask) === (b & mask);
}

function peerReachesDatabase(peer: NetworkPolicyPeer): boolean {
  if (!peer.ipBlock) return false;
  if (!cidrContains(peer.ipBlock.cidr, DATABASE_ADDRESS)) return false;
  return !(peer.ipBlock.except ?? []).some((e) => cidrContains(e, DATABASE_ADDRESS));
}

function portAllows(p: NetworkPolicyPort, port: number): boolean {
  if ((p.protocol ?? 'TCP') !== 'TCP') return false;
  if (p.port === undefined) return true;
  if (typeof p.port !== 'number') return false;
  return p.endPort !== undefined ? port >= p.port && port <= p.endPort : port === p.port;
}

/** Whether one egress rule allows a connection to the database on `port`. */
export function ruleAllowsDatabase(rule: NetworkPolicyEgressRule, port: number): boolean {
  const toOk = !rule.to || rule.to.length === 0 || rule.to.some(peerReachesDatabase);
  const portOk = !rule.ports || rule.ports.length === 0 || rule.ports.some((p) => portAllows(p, port));
  return toOk && portOk;
}

/** Whether a pod of `site` reaches the database through the NetworkPolicies of its namespace. */
export function podReachesDatabase(stack: StackWorld, site: SiteName, pod: PodState): boolean {
  const s = stack.sites[site];
  if (!s.networkPolicyEnforced) return true;
  const isolating = [...s.cluster.networkPolicies.values()].filter(
    (p) => policyTypes(p).includes('Egress') && selectsObject(p.spec.podSelector, pod.labels),
  );
  if (isolating.length === 0) return true;
  const isolatedSince = Math.min(...isolating.map((p) => p.createdAt));
  if (pod.connectedSince !== undefined && pod.connectedSince < isolatedSince) return true;
  const port = databasePort(stack.database.kind);
  return isolating.some((p) => (p.spec.egress ?? []).some((r) => ruleAllowsDatabase(r, port)));
}

/**
 * The application's pods of `site` that write to the database right now (with an endpoint
 * binding: only those whose endpoint, read at start, names an instance that takes writes; binding.ts).
 */
export function writerPods(stack: StackWorld, site: SiteName, app = 'aegis-api'): PodState[] {
  const s = stack.sites[site];
  if (!s.up) return [];
  const dep = s.cluster.deployments.get(app);
  if (stack.appWatchesDeployment && dep?.annotations[DRAIN_ANNOTATION] === 'true') return [];
  return [...s.cluster.pods.values()].filter(
    (p) =>
      p.deployment === app && p.ready && podReachesDatabase(stack, site, p) && podWriteTarget(stack, p).ok,
  );
}
