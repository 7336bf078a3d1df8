/**
 * Cloud DNS over @google-cloud/dns: the plan's `traffic` block of type `cloud-dns`. Switching is
 * one change that deletes the record set as it is now and adds it back with the target's value and
 * the plan's TTL (what `gcloud dns record-sets update` does); the change is `pending` until Cloud
 * DNS has published it, then `done`. A thin adapter: no retries, every SDK error wrapped with
 * `wrapSdkError('clouddns', ...)`.
 */
import type { DNS, Zone } from '@google-cloud/dns';
import type { SiteName, Traffic } from '../../plan/types.js';
import { UserError, wrapSdkError } from '../../engine/errors.js';
import { gcp, type ProviderPermissions } from '../../permissions/types.js';
import type { Operation, OperationStatus, TrafficProvider, TrafficState } from '../types.js';
import { policySite, policyTo, type RoutingPolicy } from './traffic-policy.js';

/**
 * What each method may call, and the IAM permission each Cloud DNS API method needs
 * (https://cloud.google.com/dns/docs/access-control#permissions_and_roles): a change that adds and
 * deletes a record set needs dns.changes.create and the record set's create and delete.
 */
export const PERMISSIONS = {
  describe: [gcp('resourceRecordSets.list', 'dns.resourceRecordSets.list')],
  switchTo: [
    gcp('resourceRecordSets.list', 'dns.resourceRecordSets.list'),
    gcp(
      'changes.create',
      ['dns.changes.create', 'dns.resourceRecordSets.create', 'dns.resourceRecordSets.delete'],
      true,
    ),
  ],
  poll: [
    gcp('changes.get', 'dns.changes.get'),
    gcp('resourceRecordSets.list', 'dns.resourceRecordSets.list'),
  ],
  expectation: [],
} satisfies ProviderPermissions;

/** The `cloud-dns` variant of the plan's traffic block. */
export type CloudDnsConfig = Extract<Traffic, { type: 'cloud-dns' }>;

const abs = (name: string): string => (name.endsWith('.') ? name : `${name}.`);
const rel = (name: string): string => (name.endsWith('.') ? name.slice(0, -1) : name);

/** Whether a record type's values are domain names (written absolute, with the trailing dot). */
function nameValued(type: string): boolean {
  return ['CNAME', 'NS', 'PTR', 'MX', 'SRV'].includes(type.toUpperCase());
}

interface RecordSet {
  name: string;
  type: string;
  ttl?: number;
  rrdatas: string[];
  routingPolicy?: RoutingPolicy;
}

/** The Cloud DNS adapter of one stack. */
export class GcpTraffic implements TrafficProvider {
  private readonly zone: Zone;
  private readonly type: string;

  constructor(
    private readonly config: CloudDnsConfig,
    dns: DNS,
  ) {
    this.zone = dns.zone(config.zone);
    this.type = (config.recordType ?? 'CNAME').toUpperCase();
  }

  private async current(): Promise<RecordSet | undefined> {
    try {
      const [records] = await this.zone.getRecords({ name: abs(this.config.record), type: this.type });
      const r = records.find(
        (x) => abs(String(x.metadata.name)) === abs(this.config.record) && x.type === this.type,
      );
      if (!r) return undefined;
      const meta = r.metadata as {
        name: string;
        ttl?: number;
        rrdatas?: string[];
        routingPolicy?: RoutingPolicy;
      };
      return {
        name: meta.name,
        type: r.type,
        ttl: meta.ttl,
        rrdatas: meta.rrdatas ?? r.data ?? [],
        routingPolicy: meta.routingPolicy,
      };
    } catch (err) {
      throw wrapSdkError(
        'clouddns',
        'resourceRecordSets.list',
        err,
        `record ${this.config.record} in zone ${this.config.zone}`,
      );
    }
  }

  private value(target: SiteName): string {
    const v = this.config.targets[target];
    return nameValued(this.type) ? abs(v) : v;
  }

  async describe(): Promise<TrafficState> {
    const r = await this.current();
    if (r?.routingPolicy) {
      const at = policySite(r.routingPolicy, abs(this.config.record), this.config.targets);
      return {
        active: at.active,
        values: at.values,
        ttl: r.ttl,
        detail: {
          zone: this.config.zone,
          record: abs(this.config.record),
          type: this.type,
          exists: true,
          routingPolicy: at.items,
        },
      };
    }
    const values = (r?.rrdatas ?? []).map(rel);
    const p = values.includes(rel(this.config.targets.primary));
    const d = values.includes(rel(this.config.targets.dr));
    return {
      active: p && d ? 'both' : p ? 'primary' : d ? 'dr' : 'unknown',
      values,
      ttl: r?.ttl,
      detail: {
        zone: this.config.zone,
        record: abs(this.config.record),
        type: this.type,
        exists: r !== undefined,
      },
    };
  }

  async switchTo(target: SiteName, ttlSeconds: number): Promise<Operation> {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 0) {
      throw new UserError(
        `The DNS TTL ${ttlSeconds} for ${this.config.record} is not a whole number of seconds >= 0: set thresholds.dnsTtlSeconds.`,
      );
    }
    const old = await this.current();
    // a record with a routing policy is replaced with the policy moved to the target (every geo
    // location, or the weights), not with plain rrdatas
    const policy = old?.routingPolicy
      ? policyTo(old.routingPolicy, abs(this.config.record), target, this.config.targets, this.value(target))
      : undefined;
    const add = this.zone.record(this.type.toLowerCase(), {
      name: abs(this.config.record),
      ttl: ttlSeconds,
      ...(policy ? { routingPolicy: policy } : { data: this.value(target) }),
    });
    const del = old
      ? [
          this.zone.record(old.type.toLowerCase(), {
            name: old.name,
            ttl: old.ttl ?? 300,
            ...(old.routingPolicy ? { routingPolicy: old.routingPolicy } : { data: old.rrdatas }),
          }),
        ]
      : [];
    try {
      const [change] = await this.zone.createChange({ add, delete: del });
      return {
        id: String(change.id),
        description: `Cloud DNS change in ${this.config.zone}: ${abs(this.config.record)} ${this.type} ${policy ? `routing policy ${policy.geo ? 'geo (every location)' : 'wrr (weights)'}` : (old?.rrdatas ?? []).join(',') || '(none)'} -> ${this.value(target)} (TTL ${ttlSeconds} s)`,
      };
    } catch (err) {
      throw wrapSdkError(
        'clouddns',
        'changes.create',
        err,
        `record ${this.config.record} in zone ${this.config.zone}`,
      );
    }
  }

  async poll(op: Operation): Promise<OperationStatus> {
    try {
      const [meta] = await this.zone.change(op.id).getMetadata();
      const status = String((meta as { status?: string }).status);
      return { done: status === 'done', status };
    } catch (err) {
      throw wrapSdkError('clouddns', 'changes.get', err, `change ${op.id} in zone ${this.config.zone}`);
    }
  }

  expectation(target: SiteName): { name: string; type: string; value: string } {
    return { name: rel(this.config.record), type: this.type, value: rel(this.config.targets[target]) };
  }
}
