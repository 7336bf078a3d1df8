/**
 * Emulated Microsoft.Network Traffic Manager: the Priority-routed profile of the Azure estate and its
 * two azureEndpoints, as @azure/arm-trafficmanager 6 calls them (api-version 2022-04-01). REST API
 * reference: https://learn.microsoft.com/en-us/rest/api/trafficmanager/endpoints (and /profiles).
 *
 * - Profiles: GET, PATCH (dnsConfig.ttl). Endpoints: GET, PATCH and PUT (endpointStatus).
 * - Traffic Manager is global: it answers whatever region is down. A change reaches the served DNS
 *   answer after the propagation time; the answer is the highest-priority Enabled endpoint whose
 *   site is up (all Degraded: all are served, as Traffic Manager does when every endpoint fails).
 *
 * Not emulated: creating or deleting profiles and endpoints; routing methods other than Priority;
 * externalEndpoints and nestedEndpoints; custom headers, subnets, geo mapping; real health probes
 * (monitor status follows the site's up/down state).
 */
import { randomUUID } from 'node:crypto';
import type { SiteName } from '../../plan/types.js';
import { SANDBOX_SUBSCRIPTION, TOPOLOGY } from '../estate.js';
import type { ServiceContext, ServiceRequest } from '../http.js';
import { DURATIONS, SITES, type StackWorld, type World } from '../world.js';
import { type ArmState, type Route, ArmError, eq, parseBody, stackOf } from './common.js';

const AZ = TOPOLOGY.azure;

/** Target of the endpoint Traffic Manager answers with: highest priority among Enabled endpoints whose site is up (all degraded = all online). */
export function trafficManagerAnswer(stack: StackWorld): string[] {
  const enabled = SITES.filter((s) => stack.traffic.endpointEnabled[s]);
  if (enabled.length === 0) return [];
  const online = enabled.filter((s) => stack.sites[s].up);
  const pick = online[0] ?? enabled[0];
  return [stack.sites[pick].target];
}

function profileId(): string {
  return `/subscriptions/${SANDBOX_SUBSCRIPTION}/resourceGroups/${AZ.trafficManager.resourceGroup}/providers/Microsoft.Network/trafficManagerProfiles/${AZ.trafficManager.profile}`;
}

export function checkProfile(rg: string, profile: string): void {
  if (!eq(rg, AZ.trafficManager.resourceGroup) || !eq(profile, AZ.trafficManager.profile)) {
    throw new ArmError(
      404,
      'ResourceNotFound',
      `The Resource 'Microsoft.Network/trafficmanagerprofiles/${profile}' under resource group '${rg}' was not found.`,
    );
  }
}

export function endpointSite(type: string, name: string): SiteName {
  if (eq(type, 'azureEndpoints')) {
    for (const s of SITES) if (eq(AZ.trafficManager.endpoints[s], name)) return s;
  }
  throw new ArmError(
    404,
    'NotFound',
    `The endpoint '${type}/${name}' does not exist in Traffic Manager profile '${AZ.trafficManager.profile}'.`,
  );
}

export function endpointBody(stack: StackWorld, site: SiteName): object {
  const enabled = stack.traffic.endpointEnabled[site];
  return {
    id: `${profileId()}/azureEndpoints/${AZ.trafficManager.endpoints[site]}`,
    name: AZ.trafficManager.endpoints[site],
    type: 'Microsoft.Network/trafficManagerProfiles/azureEndpoints',
    properties: {
      targetResourceId: `/subscriptions/${SANDBOX_SUBSCRIPTION}/resourceGroups/${AZ.resourceGroups[site]}/providers/Microsoft.Network/publicIPAddresses/aegis-${site}-ip`,
      target: stack.sites[site].target,
      endpointStatus: enabled ? 'Enabled' : 'Disabled',
      weight: 1,
      priority: site === 'primary' ? 1 : 2,
      endpointLocation: stack.sites[site].region,
      endpointMonitorStatus: !enabled ? 'Disabled' : stack.sites[site].up ? 'Online' : 'Degraded',
      alwaysServe: 'Disabled',
    },
  };
}

export function profileBody(stack: StackWorld): object {
  const endpoints = SITES.map((s) => endpointBody(stack, s));
  const anyOnline = SITES.some((s) => stack.traffic.endpointEnabled[s] && stack.sites[s].up);
  return {
    id: profileId(),
    name: AZ.trafficManager.profile,
    type: 'Microsoft.Network/trafficManagerProfiles',
    location: 'global',
    tags: {},
    properties: {
      profileStatus: 'Enabled',
      trafficRoutingMethod: 'Priority',
      dnsConfig: {
        relativeName: AZ.trafficManager.fqdn.split('.')[0],
        fqdn: AZ.trafficManager.fqdn,
        ttl: stack.traffic.record.ttl,
      },
      monitorConfig: {
        profileMonitorStatus: anyOnline ? 'Online' : 'Degraded',
        protocol: 'HTTPS',
        port: 443,
        path: '/health',
        intervalInSeconds: 30,
        timeoutInSeconds: 10,
        toleratedNumberOfFailures: 3,
      },
      endpoints,
      trafficViewEnrollmentStatus: 'Disabled',
    },
  };
}

/** Schedule the served DNS answer to follow the profile after Traffic Manager's propagation time. */
function propagate(world: World, stack: StackWorld): void {
  const id = randomUUID();
  const ms = world.duration(DURATIONS.trafficManager);
  stack.traffic.changes.set(id, { submittedAt: world.now(), doneAt: world.now() + ms });
  world.schedule(ms, () => {
    stack.traffic.record.values = trafficManagerAnswer(stack);
  });
}

export function updateEndpoint(arm: ArmState, req: ServiceRequest, ctx: ServiceContext, r: Route): object {
  const stack = stackOf(arm, ctx.world);
  checkProfile(r.p.rg, r.p.profile);
  const site = endpointSite(r.p.type, r.p.endpoint);
  const body = parseBody(req);
  const props = (body.properties ?? {}) as Record<string, unknown>;
  const status = props.endpointStatus;
  if (status !== undefined && status !== 'Enabled' && status !== 'Disabled') {
    throw new ArmError(
      400,
      'BadRequest',
      `properties.endpointStatus is ${JSON.stringify(status)} for endpoint '${r.p.endpoint}': expected Enabled or Disabled.`,
    );
  }
  if (r.op === 'Endpoints_CreateOrUpdate' && status === undefined) {
    throw new ArmError(
      400,
      'BadRequest',
      `properties.endpointStatus is missing for endpoint '${r.p.endpoint}': expected Enabled or Disabled.`,
    );
  }
  ctx.world.monitor.mutation('arm', r.op, `${AZ.trafficManager.profile}/${r.p.endpoint}`);
  if (status !== undefined) stack.traffic.endpointEnabled[site] = status === 'Enabled';
  propagate(ctx.world, stack);
  return endpointBody(stack, site);
}

export function updateProfile(arm: ArmState, req: ServiceRequest, ctx: ServiceContext, r: Route): object {
  const stack = stackOf(arm, ctx.world);
  checkProfile(r.p.rg, r.p.profile);
  const body = parseBody(req);
  const ttl = (
    (body.properties as Record<string, unknown> | undefined)?.dnsConfig as Record<string, unknown> | undefined
  )?.ttl;
  if (
    ttl !== undefined &&
    !(Number.isInteger(ttl) && (ttl as number) >= 0 && (ttl as number) <= 2147483647)
  ) {
    throw new ArmError(
      400,
      'BadRequest',
      `properties.dnsConfig.ttl is ${JSON.stringify(ttl)}: expected a whole number of seconds from 0.`,
    );
  }
  ctx.world.monitor.mutation('arm', r.op, AZ.trafficManager.profile);
  if (typeof ttl === 'number') stack.traffic.record.ttl = ttl;
  return profileBody(stack);
}
