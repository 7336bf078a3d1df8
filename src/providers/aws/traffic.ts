/**
 * Route 53 adapter: the plan's record in its hosted zone and the primary health check.
 * switchTo = UPSERT of the record to the target's value with the plan's TTL, then the primary
 * health check disabled (moving to dr) or enabled again (moving back). poll = GetChange INSYNC.
 * Every request takes a token from one limiter per endpoint shared by all stacks of the process,
 * so the account never sees more than ROUTE53_REQUESTS_PER_SECOND requests in any second.
 */
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHealthCheckCommand,
  GetHealthCheckStatusCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  UpdateHealthCheckCommand,
} from '@aws-sdk/client-route-53';
import { wrapSdkError } from '../../engine/errors.js';
import { sharedLimiter, type RateLimiter } from '../../engine/ratelimit.js';
import type { SiteName } from '../../plan/types.js';
import type { Operation, OperationStatus, TrafficProvider, TrafficState } from '../types.js';
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

/** `TrafficProvider` over Amazon Route 53. */
export class AwsTraffic implements TrafficProvider {
  private readonly client: Route53Client;
  private readonly zoneId: string;
  private readonly record: string;
  private readonly recordType: string;
  private readonly targets: Record<SiteName, string>;
  private readonly healthCheckId?: string;
  private readonly limiter: RateLimiter;

  constructor(stack: Stack, opts: AwsProviderOptions = {}) {
    const t = expectKind(stack.traffic, 'route53', 'traffic');
    this.zoneId = t.hostedZoneId;
    this.record = t.record;
    this.recordType = t.recordType ?? 'CNAME';
    this.targets = { primary: t.targets.primary, dr: t.targets.dr };
    this.healthCheckId = t.healthCheckId || undefined;
    // Route 53 is global: its control plane is signed for us-east-1
    this.client = deadlineBound(new Route53Client(clientConfig('us-east-1', stack.endpoints?.route53, opts)));
    this.limiter = route53Limiter(stack.endpoints?.route53);
  }

  /** One Route 53 call, once a token of the shared limiter is free; SDK errors become ours. */
  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    await this.limiter.take();
    return call(operation, fn, `record ${this.record} in hosted zone ${this.zoneId}`);
  }

  async describe(): Promise<TrafficState> {
    const out = await this.call('ListResourceRecordSets', () =>
      this.client.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: this.zoneId,
          StartRecordName: this.record,
          StartRecordType: this.recordType as never,
          MaxItems: 1,
        }),
      ),
    );
    const set = (out.ResourceRecordSets ?? []).find(
      (r) => bareName(r.Name ?? '') === bareName(this.record) && r.Type === this.recordType,
    );
    const values = set
      ? set.AliasTarget?.DNSName
        ? [set.AliasTarget.DNSName]
        : (set.ResourceRecords ?? []).map((r) => r.Value ?? '')
      : [];
    const bare = values.map(bareName);
    const p = bare.includes(bareName(this.targets.primary));
    const d = bare.includes(bareName(this.targets.dr));
    const active: TrafficState['active'] = p && d ? 'both' : p ? 'primary' : d ? 'dr' : 'unknown';
    const detail: Record<string, unknown> = {
      hostedZoneId: this.zoneId,
      record: this.record,
      type: this.recordType,
    };
    if (this.healthCheckId) detail.healthCheck = await this.healthCheck(this.healthCheckId);
    return { active, values, ttl: set?.TTL, detail };
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
    return {
      id,
      disabled: hc.HealthCheck?.HealthCheckConfig?.Disabled === true,
      healthy: observations.length > 0 && observations.every((o) => o.status.startsWith('Success')),
      observations,
    };
  }

  async switchTo(target: SiteName, ttlSeconds: number): Promise<Operation> {
    const value = this.targets[target];
    const out = await this.call('ChangeResourceRecordSets', () =>
      this.client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: this.zoneId,
          ChangeBatch: {
            Comment: `aegis-dr: route ${this.record} to the ${target} site`,
            Changes: [
              {
                Action: 'UPSERT',
                ResourceRecordSet: {
                  Name: this.record,
                  Type: this.recordType as never,
                  TTL: ttlSeconds,
                  ResourceRecords: [{ Value: value }],
                },
              },
            ],
          },
        }),
      ),
    );
    if (this.healthCheckId) {
      const id = this.healthCheckId;
      await this.call('UpdateHealthCheck', () =>
        this.client.send(new UpdateHealthCheckCommand({ HealthCheckId: id, Disabled: target === 'dr' })),
      );
    }
    const changeId = out.ChangeInfo?.Id ?? '';
    return {
      id: changeId,
      description: `Route 53 UPSERT ${this.record} ${this.recordType} ${value} TTL ${ttlSeconds}${
        this.healthCheckId
          ? `; health check ${this.healthCheckId} ${target === 'dr' ? 'disabled' : 'enabled'}`
          : ''
      }`,
    };
  }

  async poll(op: Operation): Promise<OperationStatus> {
    const out = await this.call('GetChange', () => this.client.send(new GetChangeCommand({ Id: op.id })));
    const status = out.ChangeInfo?.Status ?? 'unknown';
    return { done: status === 'INSYNC', status };
  }

  expectation(target: SiteName): { name: string; type: string; value: string } {
    return { name: this.record, type: this.recordType, value: this.targets[target] };
  }
}
