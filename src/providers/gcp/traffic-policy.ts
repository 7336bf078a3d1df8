/**
 * Cloud DNS record sets with a routing policy (geo, weighted round robin): where they send users,
 * and the policy that sends every user to one site. The record set is replaced as a whole (one
 * change that deletes it as it is and adds it back), as for a record with rrdatas.
 * https://cloud.google.com/dns/docs/reference/rest/v1/resourceRecordSets (routingPolicy)
 *
 * - geo: every location's item answers with the target (a geo policy has no "default" item: a
 *   location left on the old site keeps its users there).
 * - wrr: the items whose rrdatas are the target's get weight 1 when they had 0 (a weight they had
 *   is kept), every other item weight 0.
 * - primaryBackup: not driven here. It fails over by the primary targets' health by itself; the
 *   adapter refuses it with a sentence rather than guess a lever (the API has no "force backup").
 */
import { UserError } from '../../engine/errors.js';
import type { SiteName } from '../../plan/types.js';

export interface PolicyItem {
  location?: string;
  weight?: number;
  rrdatas?: string[];
  healthCheckedTargets?: unknown;
  [k: string]: unknown;
}

export interface RoutingPolicy {
  geo?: { items?: PolicyItem[]; [k: string]: unknown };
  wrr?: { items?: PolicyItem[]; [k: string]: unknown };
  primaryBackup?: unknown;
  [k: string]: unknown;
}

const rel = (name: string): string => (name.endsWith('.') ? name.slice(0, -1) : name);

/** The policy's kind and items, or a UserError for a shape the adapter does not drive. */
export function policyItems(p: RoutingPolicy, record: string): { kind: 'geo' | 'wrr'; items: PolicyItem[] } {
  if (p.primaryBackup !== undefined) {
    throw new UserError(
      `The Cloud DNS record ${record} has a primaryBackup (failover) routing policy: it fails over by its primary targets' health without a call, and aegis-dr does not switch it. Replace it with a geo or weighted round robin policy, or plain rrdatas, to let the traffic phase move it.`,
    );
  }
  const kind = p.geo ? 'geo' : p.wrr ? 'wrr' : undefined;
  const items = kind ? p[kind]?.items : undefined;
  if (!kind || !Array.isArray(items) || items.length === 0) {
    throw new UserError(
      `The Cloud DNS record ${record} has a routing policy with no geo or wrr items (found ${Object.keys(p).join(', ') || 'nothing'}); expected geo.items or wrr.items with rrdatas.`,
    );
  }
  const checked = items.find((it) => it.healthCheckedTargets !== undefined && !it.rrdatas?.length);
  if (checked) {
    throw new UserError(
      `The Cloud DNS record ${record} routes ${checked.location ?? 'an item'} to health-checked load balancer targets, not rrdatas; aegis-dr switches items by their rrdatas only.`,
    );
  }
  return { kind, items };
}

/** The site an item answers with, from the plan's targets. */
function siteOf(item: PolicyItem, targets: Record<SiteName, string>): SiteName | 'other' {
  const v = (item.rrdatas ?? []).map(rel);
  if (v.includes(rel(targets.primary))) return 'primary';
  if (v.includes(rel(targets.dr))) return 'dr';
  return 'other';
}

/** Where the policy sends users: one site when every serving item says it, else both / unknown. */
export function policySite(
  p: RoutingPolicy,
  record: string,
  targets: Record<SiteName, string>,
): { active: SiteName | 'both' | 'unknown'; values: string[]; items: string[] } {
  const { kind, items } = policyItems(p, record);
  const serving = kind === 'wrr' ? items.filter((it) => (it.weight ?? 0) > 0) : items;
  const sites = new Set((serving.length ? serving : items).map((it) => siteOf(it, targets)));
  const active =
    sites.size === 1 && !sites.has('other')
      ? ([...sites][0] as SiteName)
      : sites.size > 1
        ? 'both'
        : 'unknown';
  return {
    active,
    values: [...new Set(serving.flatMap((it) => (it.rrdatas ?? []).map(rel)))],
    items: items.map(
      (it) =>
        `${kind === 'geo' ? it.location : `weight ${it.weight ?? 0}`}: ${(it.rrdatas ?? []).map(rel).join(',')}`,
    ),
  };
}

/** The policy that sends every user to `value` (the target's rrdata). */
export function policyTo(
  p: RoutingPolicy,
  record: string,
  target: SiteName,
  targets: Record<SiteName, string>,
  value: string,
): RoutingPolicy {
  const { kind, items } = policyItems(p, record);
  if (kind === 'geo') {
    return { ...p, geo: { ...p.geo, items: items.map((it) => ({ ...it, rrdatas: [value] })) } };
  }
  if (!items.some((it) => siteOf(it, targets) === target)) {
    throw new UserError(
      `The Cloud DNS record ${record} has a weighted round robin policy with no item answering ${targets[target]} (items: ${items.map((it) => (it.rrdatas ?? []).join(',')).join('; ')}); add an item for the ${target} site with weight 0.`,
    );
  }
  return {
    ...p,
    wrr: {
      ...p.wrr,
      items: items.map((it) =>
        siteOf(it, targets) === target
          ? { ...it, weight: (it.weight ?? 0) > 0 ? it.weight : 1 }
          : { ...it, weight: 0 },
      ),
    },
  };
}
