/**
 * The sandbox's Route 53 hosted zone as Route 53 keeps it: record sets identified by name, type and
 * SetIdentifier, in the shapes real zones use, and the health checks that drive them.
 *
 * - simple records (values and a TTL, or an alias to a load balancer);
 * - alias records: `AliasTarget { HostedZoneId, DNSName, EvaluateTargetHealth }`, no TTL of their
 *   own; a load balancer alias made by the console or CDK is stored as `dualstack.<lb name>.`
 *   (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-values-alias.html);
 * - failover records: PRIMARY and SECONDARY with a SetIdentifier; Route 53 answers with the
 *   PRIMARY while it is healthy (its health check, and its target's health when
 *   EvaluateTargetHealth is on), else with the SECONDARY
 *   (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-failover.html);
 * - weighted records: a SetIdentifier and a Weight; the sandbox serves every healthy record of
 *   non-zero weight (all of them when every weight is 0), where Route 53 picks one per query.
 *
 * Health checks: a *disabled* health check is considered healthy, whatever its endpoint does
 * ("After you disable a health check, Route 53 considers the status of the health check to always
 * be healthy ... If you want to stop routing traffic to a resource, change the value of Inverted",
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_UpdateHealthCheck.html); an
 * inverted one is unhealthy when its endpoint is healthy and the reverse
 * (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-invert.html).
 *
 * What it does not do: the health checkers' interval and failure threshold (a change of the
 * endpoint's health is seen at the next settle, not after 3 x 30 s); geolocation, latency,
 * multivalue and CIDR routing; calculated and CloudWatch-alarm health checks; more than one zone.
 *
 * The answer that users get for the plan's public name is written to `stack.traffic.record` (what
 * the sandbox DNS server serves and the app reads), each time the zone or a health check changes
 * and, for a zone whose answer depends on health, after every settle of the world.
 */
import type { SiteName } from '../../plan/types.js';
import type { StackWorld, World } from '../world.js';
import { ROUTING_CONTROLS, routingControlOn } from './arc.js';

export interface AliasTarget {
  hostedZoneId: string;
  dnsName: string;
  evaluateTargetHealth: boolean;
}

/** One resource record set, as Route 53 stores it. */
export interface RecordSet {
  /** Fully qualified, lower case, with the trailing dot. */
  name: string;
  type: string;
  ttl?: number;
  values: string[];
  alias?: AliasTarget;
  setIdentifier?: string;
  failover?: 'PRIMARY' | 'SECONDARY';
  weight?: number;
  healthCheckId?: string;
}

export interface HealthCheck {
  id: string;
  /** The site whose load balancer the check requests. */
  site: SiteName;
  disabled: boolean;
  inverted: boolean;
  version: number;
  /** A RECOVERY_CONTROL health check: healthy while this Route 53 ARC routing control is On. */
  routingControlArn?: string;
}

export interface HostedZone {
  records: RecordSet[];
  healthChecks: Map<string, HealthCheck>;
  /** `Features.AcceleratedRecoveryStatus` of the zone (ENABLED, DISABLED, ...); default DISABLED. */
  acceleratedRecovery?: string;
}

/**
 * The shapes the sandbox can seed a zone with: the runbook's simple CNAME, failover aliases, or
 * failover aliases whose health checks are Route 53 ARC routing controls' (RECOVERY_CONTROL).
 */
export type ZoneShape = 'simple' | 'failover-alias' | 'failover-arc';

/** Hosted zone id of the sandbox's load balancers (as `Z35SXDOTRQ7X7K` is for us-east-1 ELBs). */
export const SANDBOX_ELB_ZONE: Record<SiteName, string> = {
  primary: 'Z0SANDBOXELB1',
  dr: 'Z0SANDBOXELB2',
};

/** The primary and DR health check ids of the sandbox. */
export const HEALTH_CHECKS: Record<SiteName, string> = {
  primary: 'hc-0000sandbox0001',
  dr: 'hc-0000sandbox0002',
};

/** Set identifiers of the seeded failover records. */
export const SET_IDS: Record<SiteName, string> = { primary: 'primary', dr: 'dr' };

/** DNS name without the trailing dot, lower case. */
export function bare(name: string): string {
  return name.trim().replace(/\.$/, '').toLowerCase();
}
export function fqdn(name: string): string {
  return `${bare(name)}.`;
}

/** The load balancer an alias points at: its DNS name without `dualstack.` and the trailing dot. */
export function aliasHost(dnsName: string): string {
  return bare(dnsName).replace(/^dualstack\./, '');
}

const zones = new WeakMap<StackWorld, HostedZone>();

/** The stack's hosted zone; seeded as a simple record from `stack.traffic.record` on first use. */
export function hostedZone(stack: StackWorld): HostedZone {
  let z = zones.get(stack);
  if (!z) {
    const r = stack.traffic.record;
    z = {
      records: r.values.length
        ? [{ name: fqdn(r.name), type: r.type, ttl: r.ttl, values: [...r.values] }]
        : [],
      healthChecks: new Map(
        (['primary', 'dr'] as SiteName[]).map((site) => [
          HEALTH_CHECKS[site],
          { id: HEALTH_CHECKS[site], site, disabled: false, inverted: false, version: 1 },
        ]),
      ),
    };
    zones.set(stack, z);
  }
  return z;
}

/**
 * Seed the stack's zone with `shape`. 'failover-alias' is what a Route 53 DR setup holds: two A
 * alias records to the sites' load balancers (`dualstack.` names), PRIMARY with the primary health
 * check and EvaluateTargetHealth, SECONDARY with the DR one; the answer then follows health at
 * every settle of the world.
 */
export function seedZone(world: World, stack: StackWorld, shape: ZoneShape): HostedZone {
  const z = hostedZone(stack);
  if (shape === 'failover-alias' || shape === 'failover-arc') {
    const name = fqdn(stack.traffic.record.name);
    z.records = (['primary', 'dr'] as SiteName[]).map((site) => ({
      name,
      type: 'A',
      values: [],
      alias: {
        hostedZoneId: SANDBOX_ELB_ZONE[site],
        dnsName: `dualstack.${bare(stack.sites[site].target)}.`,
        evaluateTargetHealth: true,
      },
      setIdentifier: SET_IDS[site],
      failover: site === 'primary' ? 'PRIMARY' : 'SECONDARY',
      healthCheckId: HEALTH_CHECKS[site],
    }));
    if (shape === 'failover-arc')
      for (const site of ['primary', 'dr'] as SiteName[])
        z.healthChecks.get(HEALTH_CHECKS[site])!.routingControlArn = ROUTING_CONTROLS[site];
    world.onChange(() => resolve(stack));
  }
  resolve(stack);
  return z;
}

/** What the health checkers see at the site's endpoint. */
export function endpointHealthy(stack: StackWorld, site: SiteName): boolean {
  const s = stack.sites[site];
  return s.up && s.healthy;
}

/** Whether Route 53 considers the health check healthy (disabled = healthy; inverted flips). */
export function checkHealthy(stack: StackWorld, hc: HealthCheck): boolean {
  if (hc.disabled) return true;
  const raw = hc.routingControlArn
    ? routingControlOn(stack, hc.routingControlArn)
    : endpointHealthy(stack, hc.site);
  return hc.inverted ? !raw : raw;
}

function siteOfHost(stack: StackWorld, host: string): SiteName | undefined {
  if (host === bare(stack.sites.primary.target)) return 'primary';
  if (host === bare(stack.sites.dr.target)) return 'dr';
  return undefined;
}

/** Whether Route 53 considers a record healthy: its health check, and its alias target's health. */
function recordHealthy(stack: StackWorld, zone: HostedZone, r: RecordSet): boolean {
  if (r.healthCheckId) {
    const hc = zone.healthChecks.get(r.healthCheckId);
    if (hc && !checkHealthy(stack, hc)) return false;
  }
  if (r.alias?.evaluateTargetHealth) {
    const site = siteOfHost(stack, aliasHost(r.alias.dnsName));
    if (site && !endpointHealthy(stack, site)) return false;
  }
  return true;
}

/** Values a record answers with (an alias answers with its load balancer's addresses). */
function answerOf(r: RecordSet): string[] {
  return r.alias ? [aliasHost(r.alias.dnsName)] : r.values.map(bare);
}

/** Load balancer aliases take the load balancer's TTL: 60 seconds for ELB. */
const ALIAS_TTL = 60;

/** Write the answer Route 53 gives for the public name into `stack.traffic.record`. */
export function resolve(stack: StackWorld): void {
  const zone = hostedZone(stack);
  const rec = stack.traffic.record;
  const at = zone.records.filter((r) => r.name === fqdn(rec.name) && ['A', 'AAAA', 'CNAME'].includes(r.type));
  let chosen: RecordSet[] = [];
  const simple = at.filter((r) => !r.setIdentifier);
  if (simple.length > 0) chosen = simple;
  else if (at.some((r) => r.failover)) {
    const primary = at.find((r) => r.failover === 'PRIMARY');
    const secondary = at.find((r) => r.failover === 'SECONDARY');
    // when both are unhealthy Route 53 answers with the primary
    chosen =
      primary && recordHealthy(stack, zone, primary)
        ? [primary]
        : secondary && recordHealthy(stack, zone, secondary)
          ? [secondary]
          : primary
            ? [primary]
            : [];
  } else if (at.length > 0) {
    const healthy = at.filter((r) => recordHealthy(stack, zone, r));
    const pool = healthy.length > 0 ? healthy : at;
    const weighted = pool.filter((r) => (r.weight ?? 0) > 0);
    chosen = weighted.length > 0 ? weighted : pool;
  }
  const values = chosen.flatMap(answerOf);
  const type = chosen[0] ? (chosen[0].alias ? 'A' : chosen[0].type) : rec.type;
  const ttl = chosen[0] ? (chosen[0].alias ? ALIAS_TTL : (chosen[0].ttl ?? rec.ttl)) : rec.ttl;
  if (rec.type !== type || rec.ttl !== ttl || rec.values.join(',') !== values.join(',')) {
    rec.type = type;
    rec.ttl = ttl;
    rec.values = values;
  }
}
