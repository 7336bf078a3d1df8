/**
 * Azure Traffic Manager (`az network traffic-manager endpoint update / profile show`) over
 * @azure/arm-trafficmanager. Switching to a site enables that site's endpoint first and then
 * disables the other one (so the profile never has no enabled endpoint), and sets the profile TTL.
 * Only endpoints whose status differs are changed, so a re-run changes nothing.
 */
import type { TokenCredential } from '@azure/core-auth';
import {
  type Endpoint,
  type EndpointType,
  type Profile,
  TrafficManagerManagementClient,
} from '@azure/arm-trafficmanager';
import { UserError, wrapSdkError } from '../../engine/errors.js';
import { azure, type ProviderPermissions } from '../../permissions/types.js';
import type { SiteName, Stack } from '../../plan/types.js';
import type { Operation, OperationStatus, TrafficProvider, TrafficState } from '../types.js';
import { armClientOptions, armConnection, secureClient } from './credentials.js';

/** The plan's `stack.traffic` for Traffic Manager. */
export type TrafficManagerSpec = Extract<Stack['traffic'], { type: 'traffic-manager' }>;

const SITES: SiteName[] = ['primary', 'dr'];
const ENDPOINT_TYPES: EndpointType[] = ['AzureEndpoints', 'ExternalEndpoints', 'NestedEndpoints'];

/** The SDK's endpoint type for the plan's `endpointType` (the plan takes any case: azureEndpoints). */
export function endpointType(value: string): EndpointType {
  const t = ENDPOINT_TYPES.find((e) => e.toLowerCase() === value.toLowerCase());
  if (!t) {
    throw new UserError(
      `traffic.endpointType is ${JSON.stringify(value)}: expected one of azureEndpoints, externalEndpoints, nestedEndpoints.`,
    );
  }
  return t;
}

/**
 * What a Priority profile answers: the target of the highest-priority Enabled endpoint that its
 * monitor sees Online (when every enabled endpoint is degraded, Traffic Manager answers as if all were online).
 */
export function priorityAnswer(profile: Profile): string[] {
  const enabled = (profile.endpoints ?? [])
    .filter((e) => e.endpointStatus === 'Enabled')
    .sort((a, b) => (a.priority ?? Number.MAX_SAFE_INTEGER) - (b.priority ?? Number.MAX_SAFE_INTEGER));
  if (enabled.length === 0) return [];
  const online = enabled.filter(
    (e) =>
      e.endpointMonitorStatus === undefined ||
      ['Online', 'CheckingEndpoint'].includes(e.endpointMonitorStatus),
  );
  const pick = online[0] ?? enabled[0];
  return pick.target ? [pick.target] : [];
}

/**
 * What each method may call, and the Azure resource provider operation each call needs
 * (https://learn.microsoft.com/en-us/azure/role-based-access-control/permissions/networking#microsoftnetwork).
 * An endpoint is written under its type: `{endpointType}` is the plan's traffic.endpointType.
 */
export const PERMISSIONS = {
  describe: [azure('Profiles_Get', 'Microsoft.Network/trafficManagerProfiles/read')],
  switchTo: [
    azure('Profiles_Get', 'Microsoft.Network/trafficManagerProfiles/read'),
    azure('Profiles_Update', 'Microsoft.Network/trafficManagerProfiles/write', true),
    azure('Endpoints_Update', 'Microsoft.Network/trafficManagerProfiles/{endpointType}/write', true),
  ],
  poll: [azure('Profiles_Get', 'Microsoft.Network/trafficManagerProfiles/read')],
  expectation: [],
} satisfies ProviderPermissions;

/** TrafficProvider for an Azure Traffic Manager profile with one endpoint per site. */
export class AzureTraffic implements TrafficProvider {
  readonly client: TrafficManagerManagementClient;
  private readonly type: EndpointType;
  private lastProfile?: Profile;

  /**
   * @param spec The plan's `stack.traffic` (type traffic-manager).
   * @param endpoint The plan's `endpoints.arm` override.
   * @param credential Optional credential instead of the default chain.
   */
  constructor(
    private readonly spec: TrafficManagerSpec,
    endpoint?: string,
    credential?: TokenCredential,
  ) {
    const conn = armConnection(endpoint, credential);
    this.client = secureClient(
      new TrafficManagerManagementClient(conn.credential, spec.subscriptionId, armClientOptions(conn)),
      conn,
    );
    this.type = endpointType(spec.endpointType ?? 'azureEndpoints');
  }

  private async profile(): Promise<Profile> {
    try {
      const p = await this.client.profiles.get(this.spec.resourceGroup, this.spec.profile);
      this.lastProfile = p;
      return p;
    } catch (err) {
      throw wrapSdkError('arm', 'Profiles_Get', err, `Traffic Manager profile ${this.spec.profile}`);
    }
  }

  private endpointOf(profile: Profile, site: SiteName): Endpoint {
    const name = this.spec.endpoints[site];
    const e = (profile.endpoints ?? []).find((x) => x.name?.toLowerCase() === name.toLowerCase());
    if (!e) {
      throw new UserError(
        `traffic.endpoints.${site} is ${name}, but Traffic Manager profile ${this.spec.profile} has no such endpoint (it has ${(profile.endpoints ?? []).map((x) => x.name).join(', ') || 'none'}); fix the plan.`,
      );
    }
    return e;
  }

  /** Target of `site`: from the plan's targets, else the endpoint's target in the profile. */
  private targetOf(site: SiteName, profile?: Profile): string | undefined {
    return this.spec.targets?.[site] ?? (profile ? this.endpointOf(profile, site).target : undefined);
  }

  async describe(): Promise<TrafficState> {
    const p = await this.profile();
    const values = priorityAnswer(p);
    // Where the operator sent traffic: the runbook disables the primary endpoint to fail over and
    // enables it again to fail back. (Priority routing prefers the primary while it is enabled;
    // the served answer may already differ while Traffic Manager's own probes see an outage.)
    const enabled = (s: SiteName) => this.endpointOf(p, s).endpointStatus === 'Enabled';
    const active = enabled('primary') ? 'primary' : enabled('dr') ? 'dr' : 'unknown';
    return {
      active,
      values,
      ttl: p.dnsConfig?.ttl,
      detail: {
        fqdn: p.dnsConfig?.fqdn,
        profileMonitorStatus: p.monitorConfig?.profileMonitorStatus,
        endpoints: SITES.map((s) => {
          const e = this.endpointOf(p, s);
          return {
            site: s,
            name: e.name,
            status: e.endpointStatus,
            monitor: e.endpointMonitorStatus,
            priority: e.priority,
            target: e.target,
          };
        }),
      },
    };
  }

  async switchTo(target: SiteName, ttlSeconds: number): Promise<Operation> {
    const p = await this.profile();
    const changes: string[] = [];
    if (p.dnsConfig?.ttl !== ttlSeconds) {
      try {
        await this.client.profiles.update(this.spec.resourceGroup, this.spec.profile, {
          dnsConfig: { ttl: ttlSeconds },
        });
      } catch (err) {
        throw wrapSdkError('arm', 'Profiles_Update', err, `Traffic Manager profile ${this.spec.profile}`);
      }
      changes.push(`ttl ${p.dnsConfig?.ttl ?? '?'} -> ${ttlSeconds}`);
    }
    const want: Record<SiteName, 'Enabled' | 'Disabled'> =
      target === 'dr' ? { dr: 'Enabled', primary: 'Disabled' } : { primary: 'Enabled', dr: 'Disabled' };
    // enable the target first, then disable the other: never an empty profile
    for (const site of [target, target === 'dr' ? 'primary' : 'dr'] as SiteName[]) {
      const e = this.endpointOf(p, site);
      if (e.endpointStatus === want[site]) continue;
      try {
        await this.client.endpoints.update(
          this.spec.resourceGroup,
          this.spec.profile,
          this.type,
          this.spec.endpoints[site],
          {
            endpointStatus: want[site],
          },
        );
      } catch (err) {
        throw wrapSdkError(
          'arm',
          'Endpoints_Update',
          err,
          `an endpoint of Traffic Manager profile ${this.spec.profile}`,
        );
      }
      changes.push(`${this.spec.endpoints[site]} ${want[site]}`);
    }
    return {
      id: `traffic-manager/${this.spec.profile}/${target}/${Date.now()}`,
      description: changes.length
        ? `Traffic Manager ${this.spec.profile}: ${changes.join(', ')}`
        : `Traffic Manager ${this.spec.profile} already sends traffic to ${target}; nothing changed`,
    };
  }

  async poll(op: Operation): Promise<OperationStatus> {
    const m = /^traffic-manager\/[^/]+\/(primary|dr)\//.exec(op.id);
    if (!m)
      throw new UserError(
        `operation id ${op.id} is not a Traffic Manager switch of this adapter; switch again to get one.`,
      );
    const target = m[1] as SiteName;
    const p = await this.profile();
    const other: SiteName = target === 'dr' ? 'primary' : 'dr';
    const t = this.endpointOf(p, target);
    const o = this.endpointOf(p, other);
    const statusOk = t.endpointStatus === 'Enabled' && o.endpointStatus === 'Disabled';
    const want = this.targetOf(target, p);
    const answer = priorityAnswer(p);
    const answerOk = want !== undefined && answer.length === 1 && answer[0] === want;
    return {
      done: statusOk && answerOk,
      status: `${t.name} ${t.endpointStatus}/${t.endpointMonitorStatus}, ${o.name} ${o.endpointStatus}/${o.endpointMonitorStatus}; profile answers ${answer.join(',') || 'nothing'}`,
    };
  }

  expectation(target: SiteName): { name: string; type: string; value: string } {
    const value = this.targetOf(target, this.lastProfile);
    if (!value) {
      throw new UserError(
        `traffic.targets.${target} is missing and the profile has not been read yet: add traffic.targets to the plan so the DNS check knows what ${this.spec.profile} must resolve to.`,
      );
    }
    const name =
      this.spec.record ?? this.lastProfile?.dnsConfig?.fqdn ?? `${this.spec.profile}.trafficmanager.net`;
    return { name, type: 'CNAME', value };
  }
}
