/**
 * Route 53 adapter: the plan's record in its hosted zone, in the shape the zone really holds it.
 *
 * - `routing: simple`: one record set (values, or an alias to the target's load balancer);
 *   switchTo = UPSERT to the target; poll = GetChange INSYNC.
 * - `routing: failover`: PRIMARY and SECONDARY records with health checks, which Route 53 answers
 *   from health on its data plane. switchTo inverts the primary health check (to dr) or clears the
 *   inversion (to primary) and never disables it: a disabled health check is considered healthy
 *   (https://docs.aws.amazon.com/Route53/latest/APIReference/API_UpdateHealthCheck.html, "Disabled";
 *   https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-invert.html). The
 *   records are not touched; poll = the answer as the health check now makes it.
 * - `routing: weighted`: the target's record gets weight 100 and the other 0, both UPSERT in one
 *   batch with everything else they hold kept.
 * Alias names come back as `dualstack.<load balancer>.`; they are compared without the prefix.
 * Every request takes a token from one limiter per endpoint shared by all stacks of the process,
 * so the account never sees more than ROUTE53_REQUESTS_PER_SECOND requests in any second.
 */
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHealthCheckCommand,
  GetHostedZoneCommand,
  GetHealthCheckStatusCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  UpdateHealthCheckCommand,
  type Change,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { UserError, wrapSdkError } from '../../engine/errors.js';
import { aws, type ProviderPermissions } from '../../permissions/types.js';
import { sharedLimiter, type RateLimiter } from '../../engine/ratelimit.js';
import type { SiteName } from '../../plan/types.js';
import type { Operation, OperationStatus, SwitchPlane, TrafficProvider, TrafficState } from '../types.js';
import {
  bareName,
  clientConfig,
  expectKind,
  type AwsProviderOptions,
  type Stack,
  deadlineBound,
} from './common.js';

async function call<T>(operation: string, fn: () => Promise<T>, resource?: string): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw wrapSdkError('route53', operation, err, resource);
  }
}

/**
 * What each method may call, and the IAM action of each call
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonroute53.html):
 * record sets are authorized on the hosted zone, health checks on the health check, GetChange on
 * change/*. switchTo reads the records and the health check before it changes them.
 */
const RECORD_READS = [
  aws('route53', 'ListResourceRecordSets', { scope: 'route53-hostedzone' }),
  aws('route53', 'GetHealthCheck', { scope: 'route53-healthcheck' }),
  aws('route53', 'GetHealthCheckStatus', { scope: 'route53-healthcheck' }),
];
export const PERMISSIONS = {
  describe: RECORD_READS,
  switchTo: [
    ...RECORD_READS,
    aws('route53', 'ChangeResourceRecordSets', { mutates: true, scope: 'route53-hostedzone' }),
    aws('route53', 'UpdateHealthCheck', { mutates: true, scope: 'route53-healthcheck' }),
  ],
  poll: [...RECORD_READS, aws('route53', 'GetChange', { scope: 'route53-change' })],
  expectation: [],
  // readiness: the switch's data-plane pieces, and the zone's accelerated recovery
  switchPlane: [...RECORD_READS, aws('route53', 'GetHostedZone', { scope: 'route53-hostedzone' })],
} satisfies ProviderPermissions;

/** Route 53's API limit: five requests a second per AWS account. */
export const ROUTE53_REQUESTS_PER_SECOND = 5;

/**
 * The limiter all Route 53 calls to `endpoint` (undefined = the public one) go through: at most 5
 * calls in any 1.1 s, so network jitter between our clock and Route 53's cannot squeeze a sixth
 * request into any one-second window.
 */
export function route53Limiter(endpoint?: string): RateLimiter {
  return sharedLimiter(
    `route53 ${endpoint ?? 'https://route53.amazonaws.com'}`,
    ROUTE53_REQUESTS_PER_SECOND,
    1100,
  );
}

/** A load balancer alias or a value as it compares: no `dualstack.`, no trailing dot, lower case. */
export function recordHost(name: string): string {
  return bareName(name).replace(/^dualstack\./, '');
}

type Routing = 'simple' | 'failover' | 'weighted';

/** Prefix of the id of a health-check switch (failover routing), which has no change id. */
const HEALTH_OP = 'healthcheck:';

/** `TrafficProvider` over Amazon Route 53. */
export class AwsTraffic implements TrafficProvider {
  private readonly client: Route53Client;
  private readonly zoneId: string;
  private readonly record: string;
  private readonly recordType: string;
  private readonly targets: Record<SiteName, string>;
  private readonly healthCheckId?: string;
  private readonly routing: Routing;
  private readonly alias?: { hostedZoneIds: Record<SiteName, string>; evaluateTargetHealth: boolean };
  private readonly setIdentifiers?: Record<SiteName, string>;
  private readonly limiter: RateLimiter;

  constructor(stack: Stack, opts: AwsProviderOptions = {}) {
    const t = expectKind(stack.traffic, 'route53', 'traffic');
    this.zoneId = t.hostedZoneId;
    this.record = t.record;
    this.recordType = t.recordType ?? 'CNAME';
    this.targets = { primary: t.targets.primary, dr: t.targets.dr };
    this.healthCheckId = t.healthCheckId || undefined;
    if (t.routing === 'arc-routing-control')
      throw new UserError(
        'traffic.routing is arc-routing-control: the Route 53 record adapter does not drive routing controls; build the providers with createAwsProviders.',
      );
    this.routing = t.routing ?? 'simple';
    this.alias = t.alias
      ? { hostedZoneIds: t.alias.hostedZoneIds, evaluateTargetHealth: t.alias.evaluateTargetHealth ?? true }
      : undefined;
    this.setIdentifiers = t.setIdentifiers;
    // Route 53 is global: its control plane is signed for us-east-1
    this.client = deadlineBound(new Route53Client(clientConfig('us-east-1', stack.endpoints?.route53, opts)));
    this.limiter = route53Limiter(stack.endpoints?.route53);
  }

  /** One Route 53 call, once a token of the shared limiter is free; SDK errors become ours. */
  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    await this.limiter.take();
    return call(operation, fn, `record ${this.record} in hosted zone ${this.zoneId}`);
  }

  /** The record sets at the plan's name and type (every SetIdentifier). */
  private async recordSets(): Promise<ResourceRecordSet[]> {
    const out = await this.call('ListResourceRecordSets', () =>
      this.client.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: this.zoneId,
          StartRecordName: this.record,
          StartRecordType: this.recordType as never,
          MaxItems: 10,
        }),
      ),
    );
    return (out.ResourceRecordSets ?? []).filter(
      (r) => bareName(r.Name ?? '') === bareName(this.record) && r.Type === this.recordType,
    );
  }

  private siteOf(values: string[]): TrafficState['active'] {
    const hosts = values.map(recordHost);
    const p = hosts.includes(recordHost(this.targets.primary));
    const d = hosts.includes(recordHost(this.targets.dr));
    return p && d ? 'both' : p ? 'primary' : d ? 'dr' : 'unknown';
  }

  /** The failover pair, or a UserError naming what the zone holds instead. */
  private failoverPair(sets: ResourceRecordSet[]): {
    primary: ResourceRecordSet;
    secondary?: ResourceRecordSet;
  } {
    const primary = sets.find((r) => r.Failover === 'PRIMARY');
    if (!primary) {
      throw new UserError(
        `traffic.routing is failover but hosted zone ${this.zoneId} holds no PRIMARY failover record ${this.record} ${this.recordType} (found ${sets.length ? sets.map(describeSet).join(', ') : 'none'}); create the PRIMARY and SECONDARY records with a health check on the primary, or set traffic.routing to the shape the zone has.`,
      );
    }
    return { primary, secondary: sets.find((r) => r.Failover === 'SECONDARY') };
  }

  /** The health check that moves a failover pair: the plan's, else the PRIMARY record's. */
  private failoverCheck(primary: ResourceRecordSet): string {
    const id = this.healthCheckId ?? primary.HealthCheckId;
    if (!id) {
      throw new UserError(
        `traffic.healthCheckId is not set and the PRIMARY record ${this.record} in hosted zone ${this.zoneId} has no health check; associate a health check with the PRIMARY record and name it in traffic.healthCheckId.`,
      );
    }
    return id;
  }

  async describe(): Promise<TrafficState> {
    const sets = await this.recordSets();
    const detail: Record<string, unknown> = {
      hostedZoneId: this.zoneId,
      record: this.record,
      type: this.recordType,
      routing: this.routing,
    };
    if (this.routing === 'failover') {
      const { primary, secondary } = this.failoverPair(sets);
      const hc = await this.healthCheck(this.failoverCheck(primary));
      detail.healthCheck = hc;
      // Route 53 answers with the PRIMARY while it is considered healthy: its health check, and
      // with EvaluateTargetHealth its load balancer's health, which the checkers' own reports
      // stand for here (an inverted check on a dead primary is "healthy", its target is not)
      const targetDown = primary.AliasTarget?.EvaluateTargetHealth === true && !hc.disabled && !hc.healthy;
      const chosen = (hc.considered && !targetDown) || !secondary ? primary : secondary;
      const values = valuesOf(chosen);
      return {
        active: this.siteOf(values),
        switchedTo: hc.inverted && !hc.disabled ? 'dr' : 'primary',
        values,
        ttl: chosen.TTL,
        detail,
      };
    }
    if (this.healthCheckId) detail.healthCheck = await this.healthCheck(this.healthCheckId);
    if (this.routing === 'weighted') {
      const ids = this.weightedIds();
      const mine = sets.filter((r) => r.SetIdentifier === ids.primary || r.SetIdentifier === ids.dr);
      const live = mine.filter((r) => (r.Weight ?? 0) > 0);
      const values = (live.length ? live : mine).flatMap(valuesOf);
      detail.weights = Object.fromEntries(mine.map((r) => [r.SetIdentifier, r.Weight]));
      return { active: this.siteOf(values), values, ttl: mine[0]?.TTL, detail };
    }
    const set = sets.find((r) => !r.SetIdentifier);
    const values = set ? valuesOf(set) : [];
    return { active: this.siteOf(values), values, ttl: set?.TTL, detail };
  }

  private weightedIds(): Record<SiteName, string> {
    if (!this.setIdentifiers) {
      throw new UserError(
        "traffic.setIdentifiers is missing while traffic.routing is weighted; give the SetIdentifier of each site's record as setIdentifiers.primary and setIdentifiers.dr.",
      );
    }
    return this.setIdentifiers;
  }

  private async healthCheck(id: string) {
    const hc = await this.call('GetHealthCheck', () =>
      this.client.send(new GetHealthCheckCommand({ HealthCheckId: id })),
    );
    const st = await this.call('GetHealthCheckStatus', () =>
      this.client.send(new GetHealthCheckStatusCommand({ HealthCheckId: id })),
    );
    const observations = (st.HealthCheckObservations ?? []).map((o) => ({
      region: o.Region,
      status: o.StatusReport?.Status ?? '',
    }));
    const config = hc.HealthCheck?.HealthCheckConfig;
    const disabled = config?.Disabled === true;
    const inverted = config?.Inverted === true;
    // what the checkers see at the endpoint
    const healthy = observations.length > 0 && observations.every((o) => o.status.startsWith('Success'));
    return {
      id,
      version: hc.HealthCheck?.HealthCheckVersion,
      disabled,
      inverted,
      healthy,
      // what Route 53 routes by: a disabled check is healthy; an inverted one flips
      considered: disabled || (inverted ? !healthy : healthy),
      observations,
    };
  }

  async switchTo(target: SiteName, ttlSeconds: number): Promise<Operation> {
    if (this.routing === 'failover') return this.invert(target);
    const changes =
      this.routing === 'weighted'
        ? await this.weightChanges(target)
        : [this.simpleChange(target, ttlSeconds)];
    const out = await this.call('ChangeResourceRecordSets', () =>
      this.client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: this.zoneId,
          ChangeBatch: { Comment: `aegis-dr: route ${this.record} to the ${target} site`, Changes: changes },
        }),
      ),
    );
    const value = this.targets[target];
    return {
      id: out.ChangeInfo?.Id ?? '',
      description:
        this.routing === 'weighted'
          ? `Route 53 UPSERT ${this.record} ${this.recordType} weights: ${target} 100, the other 0`
          : `Route 53 UPSERT ${this.record} ${this.recordType} ${this.alias ? 'alias ' : ''}${value}${this.alias ? '' : ` TTL ${ttlSeconds}`}`,
    };
  }

  private simpleChange(target: SiteName, ttlSeconds: number): Change {
    const value = this.targets[target];
    return {
      Action: 'UPSERT',
      ResourceRecordSet: this.alias
        ? {
            Name: this.record,
            Type: this.recordType as never,
            AliasTarget: {
              HostedZoneId: this.alias.hostedZoneIds[target],
              DNSName: value,
              EvaluateTargetHealth: this.alias.evaluateTargetHealth,
            },
          }
        : {
            Name: this.record,
            Type: this.recordType as never,
            TTL: ttlSeconds,
            ResourceRecords: [{ Value: value }],
          },
    };
  }

  /** Both weighted records UPSERT with the weights moved, everything else they hold kept. */
  private async weightChanges(target: SiteName): Promise<Change[]> {
    const ids = this.weightedIds();
    const sets = await this.recordSets();
    return (['primary', 'dr'] as SiteName[]).map((site) => {
      const set = sets.find((r) => r.SetIdentifier === ids[site]);
      if (!set) {
        throw new UserError(
          `traffic.setIdentifiers.${site} is ${ids[site]} but hosted zone ${this.zoneId} holds no ${this.record} ${this.recordType} record with that SetIdentifier (found ${sets.map(describeSet).join(', ') || 'none'}); correct the identifier or create the weighted record.`,
        );
      }
      return { Action: 'UPSERT', ResourceRecordSet: { ...set, Weight: site === target ? 100 : 0 } };
    });
  }

  /** Failover routing: invert the primary health check to send traffic to dr; clear it to come back. */
  private async invert(target: SiteName): Promise<Operation> {
    const { primary } = this.failoverPair(await this.recordSets());
    const id = this.failoverCheck(primary);
    const hc = await this.call('GetHealthCheck', () =>
      this.client.send(new GetHealthCheckCommand({ HealthCheckId: id })),
    );
    await this.call('UpdateHealthCheck', () =>
      this.client.send(
        new UpdateHealthCheckCommand({
          HealthCheckId: id,
          HealthCheckVersion: hc.HealthCheck?.HealthCheckVersion,
          Inverted: target === 'dr',
          // a disabled health check is considered healthy whatever Inverted says
          Disabled: false,
        }),
      ),
    );
    return {
      id: `${HEALTH_OP}${id}:${target}`,
      description: `Route 53 health check ${id} of the PRIMARY record ${target === 'dr' ? 'inverted' : 'no longer inverted'} (enabled); the failover records send ${this.record} to ${target}`,
    };
  }

  async poll(op: Operation): Promise<OperationStatus> {
    if (op.id.startsWith(HEALTH_OP)) {
      const target = op.id.slice(op.id.lastIndexOf(':') + 1);
      const { active, switchedTo } = await this.describe();
      return { done: active === target && switchedTo === target, status: `answer ${active}` };
    }
    const out = await this.call('GetChange', () => this.client.send(new GetChangeCommand({ Id: op.id })));
    const status = out.ChangeInfo?.Status ?? 'unknown';
    return { done: status === 'INSYNC', status };
  }

  expectation(target: SiteName): { name: string; type: string; value: string } {
    return { name: this.record, type: this.recordType, value: this.targets[target] };
  }

  /**
   * Every shape of this adapter calls the Route 53 control plane, which depends on us-east-1: a
   * record UPSERT, or for failover records the health-check inversion that pins traffic on dr.
   * Whether the zone has accelerated recovery (its control plane fails over to us-west-2 within
   * about 60 minutes) is `HostedZone.Features.AcceleratedRecoveryStatus` of GetHostedZone
   * (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/accelerated-recovery.html).
   * Failover records' data-plane pieces: the PRIMARY and SECONDARY records and the health check.
   */
  async switchPlane(): Promise<SwitchPlane> {
    const zone = await this.call('GetHostedZone', () =>
      this.client.send(new GetHostedZoneCommand({ Id: this.zoneId })),
    );
    const status = zone.HostedZone?.Features?.AcceleratedRecoveryStatus;
    const note = status
      ? `accelerated recovery is ${status} on hosted zone ${this.zoneId}`
      : `hosted zone ${this.zoneId} reports no accelerated recovery status (not enabled)`;
    const pieces: SwitchPlane['pieces'] = [];
    if (this.routing === 'failover') {
      const sets = await this.recordSets();
      const primary = sets.find((r) => r.Failover === 'PRIMARY');
      const secondary = sets.find((r) => r.Failover === 'SECONDARY');
      for (const [name, set] of [
        ['PRIMARY failover record', primary],
        ['SECONDARY failover record', secondary],
      ] as const)
        pieces.push({
          name,
          found: set !== undefined,
          detail: set
            ? `${this.record} ${this.recordType} ${valuesOf(set).join(', ')}`
            : `none at ${this.record} ${this.recordType}`,
        });
      const id = this.healthCheckId ?? primary?.HealthCheckId;
      if (!id)
        pieces.push({
          name: 'health check',
          found: false,
          detail: 'the PRIMARY record has none and traffic.healthCheckId is not set',
        });
      else {
        try {
          const hc = await this.healthCheck(id);
          pieces.push({
            name: 'health check',
            found: true,
            detail: `${id} ${hc.disabled ? 'disabled (considered healthy: traffic never fails over by health)' : hc.healthy ? 'healthy' : 'unhealthy'}${hc.inverted ? ', inverted' : ''}`,
          });
        } catch (err) {
          if ((err as { code?: string }).code !== 'NoSuchHealthCheck') throw err;
          pieces.push({ name: 'health check', found: false, detail: `${id} does not exist` });
        }
      }
    }
    return {
      controlPlane: {
        service: 'Route 53',
        region: 'us-east-1',
        calls:
          this.routing === 'failover'
            ? 'UpdateHealthCheck, the inversion that holds traffic on dr (the records fail over by health without it)'
            : 'ChangeResourceRecordSets, the record UPSERT',
        note,
      },
      pieces,
    };
  }
}

/** What a record set answers with: its alias target (without `dualstack.`) or its values. */
function valuesOf(set: ResourceRecordSet): string[] {
  return set.AliasTarget?.DNSName
    ? [recordHost(set.AliasTarget.DNSName)]
    : (set.ResourceRecords ?? []).map((r) => r.Value ?? '');
}

function describeSet(r: ResourceRecordSet): string {
  const policy = r.Failover ? ` ${r.Failover}` : r.Weight !== undefined ? ` weight ${r.Weight}` : '';
  return `${r.SetIdentifier ? `${r.SetIdentifier}:` : ''}${r.Type}${policy}`;
}
