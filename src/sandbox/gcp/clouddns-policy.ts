/**
 * Cloud DNS record sets with a routing policy, as the sandbox's Cloud DNS keeps them: a record set
 * carries either `rrdatas` or a `routingPolicy`, never both
 * (https://cloud.google.com/dns/docs/reference/rest/v1/resourceRecordSets, "routingPolicy:
 * Configures dynamic query responses based on either the geo location of the querying user or a
 * weighted round robin based routing policy. A valid ResourceRecordSet contains only rrdata (for
 * static resolution) or a routing_policy (for dynamic resolution)").
 *
 * - `geo.items[]`: `{ location, rrdatas }`; Cloud DNS answers with the item nearest the querier
 *   (https://cloud.google.com/dns/docs/routing-policies-overview, geolocation policy). The sandbox
 *   answers as a querier in `querierLocation` (the primary site's region: the users near it),
 *   else with the first item.
 * - `wrr.items[]`: `{ weight, rrdatas }`; Cloud DNS picks an item per query by weight; the sandbox
 *   serves every item of non-zero weight (all of them when every weight is 0).
 * - `primaryBackup`: primary targets with health checks and a geo backup. Not emulated (no health
 *   checking of targets here): a change that adds one is rejected, so nothing pretends to serve it.
 * Items with `healthCheckedTargets` instead of rrdatas (internal load balancers) are not emulated
 * either, and are rejected the same way.
 */

export interface PolicyItem {
  location?: string;
  weight?: number;
  rrdatas?: string[];
  healthCheckedTargets?: unknown;
}

export interface RoutingPolicy {
  geo?: { items?: PolicyItem[]; enableFencing?: boolean };
  wrr?: { items?: PolicyItem[] };
  primaryBackup?: unknown;
  healthCheck?: string;
}

/** A problem with a record set's routing policy (a 400 `invalid` message), or undefined. */
export function policyProblem(
  set: { rrdatas?: unknown; routingPolicy?: RoutingPolicy },
  where: string,
): string | undefined {
  const p = set.routingPolicy;
  if (p === undefined) return undefined;
  if (Array.isArray(set.rrdatas) && set.rrdatas.length > 0)
    return `Invalid value for '${where}': a record set has either rrdatas or a routingPolicy, not both.`;
  if (p.primaryBackup !== undefined)
    return `Invalid value for '${where}.routingPolicy.primaryBackup': the sandbox does not emulate primary-backup policies (health-checked targets).`;
  const kinds = (['geo', 'wrr'] as const).filter((k) => p[k] !== undefined);
  if (kinds.length !== 1)
    return `Invalid value for '${where}.routingPolicy': expected exactly one of geo, wrr, primaryBackup.`;
  const items = p[kinds[0]]?.items;
  if (!Array.isArray(items) || items.length === 0)
    return `Invalid value for '${where}.routingPolicy.${kinds[0]}.items': expected at least one item.`;
  for (const [i, it] of items.entries()) {
    const at = `${where}.routingPolicy.${kinds[0]}.items[${i}]`;
    if (it.healthCheckedTargets !== undefined)
      return `Invalid value for '${at}.healthCheckedTargets': the sandbox does not emulate health-checked targets.`;
    if (!Array.isArray(it.rrdatas) || it.rrdatas.length === 0)
      return `Invalid value for '${at}.rrdatas': expected at least one value.`;
    if (kinds[0] === 'geo' && (typeof it.location !== 'string' || it.location === ''))
      return `Invalid value for '${at}.location': expected a Google Cloud region.`;
    if (kinds[0] === 'wrr' && !(typeof it.weight === 'number' && it.weight >= 0))
      return `Invalid value for '${at}.weight': expected a number >= 0.`;
  }
  if (kinds[0] === 'geo') {
    const locations = items.map((it) => it.location);
    if (new Set(locations).size !== locations.length)
      return `Invalid value for '${where}.routingPolicy.geo.items': a location appears twice.`;
  }
  return undefined;
}

/** What Cloud DNS answers with for a querier in `querierLocation`. */
export function policyAnswer(p: RoutingPolicy, querierLocation: string): string[] {
  if (p.geo?.items?.length) {
    const item = p.geo.items.find((it) => it.location === querierLocation) ?? p.geo.items[0];
    return [...(item.rrdatas ?? [])];
  }
  if (p.wrr?.items?.length) {
    const live = p.wrr.items.filter((it) => (it.weight ?? 0) > 0);
    return (live.length ? live : p.wrr.items).flatMap((it) => it.rrdatas ?? []);
  }
  return [];
}

/** A canonical text of a policy, to compare a deletion with the stored record set. */
export function policyKey(p: RoutingPolicy | undefined): string {
  if (!p) return '';
  const sortKeys = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sortKeys)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>)
              .filter(([k]) => k !== 'kind')
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, x]) => [k, sortKeys(x)]),
          )
        : v;
  return JSON.stringify(sortKeys(p));
}
