/**
 * Emulated Microsoft.ContainerService: the agent pool of each AKS cluster of the Azure estate, as
 * @azure/arm-containerservice 25 calls it (api-version 2026-04-01). REST API reference:
 * https://learn.microsoft.com/en-us/rest/api/aks/agent-pools/create-or-update
 *
 * - Agent pools: GET; PUT as a long-running operation (200 with provisioningState Scaling +
 *   `Azure-AsyncOperation`); a PUT while a scale is under way is refused with 409
 *   OperationNotAllowed. A PUT replaces the pool: it is the whole resource, not a patch
 *   (https://learn.microsoft.com/en-us/rest/api/aks/agent-pools/create-or-update), which is why
 *   `az aks nodepool scale` reads the pool and sends it back with a new count. A property that
 *   cannot change after creation (vmSize, osType, osSKU, osDiskSizeGB, maxPods, vnetSubnetID,
 *   type, availabilityZones) and is omitted or different is refused with 400
 *   PropertyChangeNotAllowed ("Changing property 'vmSize' is not allowed."); an omitted mutable one
 *   (nodeLabels, nodeTaints, upgradeSettings, mode, enableAutoScaling, minCount/maxCount, tags)
 *   takes its default: labels and taints are removed, the surge is the default, the autoscaler is
 *   off.
 * - The cluster autoscaler of a pool with enableAutoScaling
 *   (https://learn.microsoft.com/en-us/azure/aks/cluster-autoscaler-overview): it keeps the count
 *   within minCount..maxCount ("the minimum count prevents scale-in below the capacity you
 *   require") and removes nodes the pods do not need once they have been unneeded for the
 *   profile's scale-down-unneeded-time (10 minutes by default), down to minCount. A count set by
 *   hand above what the pods need is therefore taken back: with the autoscaler on, the lever is
 *   minCount. Scale-up: pods that cannot be scheduled for want of nodes make it add the nodes they
 *   need at its next scan (scan-interval 10 s), up to maxCount; it never grows a pool whose pods
 *   fit, so a pool reaches a size its pods do not need yet only when minCount is moved.
 * - The operation status endpoint, which follows the pool's nodes until they are all present and Ready.
 *
 * - listClusterUserCredential: a kubeconfig for an Entra ID cluster whose user runs kubelogin, as
 *   AKS answers it (https://learn.microsoft.com/en-us/rest/api/aks/managed-clusters/list-cluster-user-credentials,
 *   https://learn.microsoft.com/en-us/azure/aks/kubelogin-authentication); its server is the
 *   sandbox's emulated cluster over plain http, so it carries no certificate-authority-data.
 *
 * - Managed cluster GET, reduced to its network profile (networkPolicy: cilium where the site
 *   enforces NetworkPolicy, none where not).
 *
 * Not emulated: managed clusters themselves (create, upgrade, local accounts); creating or deleting
 * pools; more than one pool per cluster through ARM (the system pool exists only as nodes); PATCH;
 * If-Match; version upgrades; pods' resource requests (a node holds PODS_PER_NODE pods).
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { stringify as toYaml } from 'yaml';
import { AKS_SERVER_APP_ID } from '../../plan/constants.js';
import { SANDBOX_SUBSCRIPTION, TOPOLOGY } from '../estate.js';
import { clusterPath } from '../kubernetes/routes.js';
import { send, type ServiceContext, type ServiceRequest } from '../http.js';
import { PODS_PER_NODE, SITES, type SiteWorld, type World } from '../world.js';
import { POOL_MACHINES } from '../quotas.js';
import {
  type ArmLro,
  type ArmState,
  type Route,
  ArmError,
  CONTAINER_SERVICE_API_VERSION,
  baseUrl,
  eq,
  findLro,
  iso,
  operationBody,
  parseBody,
  regionDown,
  stackOf,
} from './common.js';

const AZ = TOPOLOGY.azure;

/**
 * A managed cluster as GET answers it, reduced to what the phases read: its network profile, whose
 * `networkPolicy` (azure, calico, cilium or none) says whether NetworkPolicies are enforced
 * (https://learn.microsoft.com/en-us/azure/aks/use-network-policies,
 * https://learn.microsoft.com/en-us/rest/api/aks/managed-clusters/get).
 */
export function managedCluster(arm: ArmState, world: World, rg: string, cluster: string) {
  const stack = stackOf(arm, world);
  for (const s of SITES) {
    if (!eq(AZ.resourceGroups[s], rg) || !eq(AZ.clusters[s], cluster)) continue;
    const site = stack.sites[s];
    if (!site.up) throw regionDown(site, `managed cluster '${cluster}'`);
    return {
      id: `/subscriptions/${SANDBOX_SUBSCRIPTION}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${AZ.clusters[s]}`,
      name: AZ.clusters[s],
      type: 'Microsoft.ContainerService/ManagedClusters',
      location: site.region,
      properties: {
        provisioningState: 'Succeeded',
        powerState: { code: 'Running' },
        kubernetesVersion: '1.33.2',
        networkProfile: {
          networkPlugin: 'azure',
          networkPluginMode: 'overlay',
          networkPolicy: site.networkPolicyEnforced ? 'cilium' : 'none',
          networkDataplane: site.networkPolicyEnforced ? 'cilium' : 'azure',
        },
      },
    };
  }
  throw new ArmError(
    404,
    'ResourceNotFound',
    `The Resource 'Microsoft.ContainerService/managedClusters/${cluster}' under resource group '${rg}' was not found.`,
  );
}

/** The credentialResults of listClusterUserCredential for an Entra ID cluster. */
export function clusterUserCredentials(arm: ArmState, world: World, rg: string, cluster: string) {
  const stack = stackOf(arm, world);
  for (const s of SITES) {
    if (!eq(AZ.resourceGroups[s], rg) || !eq(AZ.clusters[s], cluster)) continue;
    const site = stack.sites[s];
    if (!site.up) throw regionDown(site, `managed cluster '${cluster}'`);
    const kubeconfig = toYaml({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: AZ.clusters[s], cluster: { server: `${world.kubernetesUrl}${clusterPath(stack.name, s)}` } },
      ],
      contexts: [
        { name: AZ.clusters[s], context: { cluster: AZ.clusters[s], user: `clusterUser_${rg}_${cluster}` } },
      ],
      'current-context': AZ.clusters[s],
      users: [
        {
          name: `clusterUser_${rg}_${cluster}`,
          user: {
            exec: {
              apiVersion: 'client.authentication.k8s.io/v1beta1',
              command: 'kubelogin',
              args: ['get-token', '--login', 'devicecode', '--server-id', AKS_SERVER_APP_ID],
              interactiveMode: 'IfAvailable',
            },
          },
        },
      ],
    });
    return { kubeconfigs: [{ name: 'clusterUser', value: Buffer.from(kubeconfig).toString('base64') }] };
  }
  throw new ArmError(
    404,
    'ResourceNotFound',
    `The Resource 'Microsoft.ContainerService/managedClusters/${cluster}' under resource group '${rg}' was not found.`,
  );
}

export function aksSite(arm: ArmState, world: World, rg: string, cluster: string, pool: string): SiteWorld {
  const stack = stackOf(arm, world);
  startAutoscaler(arm, world);
  for (const s of SITES) {
    if (eq(AZ.resourceGroups[s], rg) && eq(AZ.clusters[s], cluster)) {
      if (!eq(pool, AZ.pool)) {
        throw new ArmError(
          404,
          'NotFound',
          `The agent pool '${pool}' was not found in managed cluster '${cluster}'.`,
        );
      }
      const site = stack.sites[s];
      if (!site.up) throw regionDown(site, `managed cluster '${cluster}'`);
      return site;
    }
  }
  throw new ArmError(
    404,
    'ResourceNotFound',
    `The Resource 'Microsoft.ContainerService/managedClusters/${cluster}' under resource group '${rg}' was not found.`,
  );
}

/** An agent pool's properties beyond its size (the world keeps count, min and max). */
interface AksPoolConfig {
  /** Set at creation, never changed by a PUT. */
  immutable: {
    vmSize: string;
    osType: string;
    osSKU: string;
    osDiskSizeGB: number;
    maxPods: number;
    vnetSubnetID: string;
    type: string;
    availabilityZones: string[];
  };
  mode: string;
  nodeLabels: Record<string, string>;
  nodeTaints: string[];
  upgradeSettings: Record<string, unknown>;
  enableAutoScaling: boolean;
  tags: Record<string, string>;
  /** Real ms since when the pool has had more nodes than its pods need (autoscaler scale-down). */
  unneededSince?: number;
  /** Real ms since when pods have been pending for want of nodes (autoscaler scale-up). */
  pendingSince?: number;
}

/** The cluster autoscaler profile's default scale-down-unneeded-time, in cloud seconds. */
export const AKS_SCALE_DOWN_UNNEEDED_S = 600;

/**
 * The cluster autoscaler profile's default scan-interval, in cloud seconds: how often it looks for
 * pods that cannot be scheduled ("By default, the scan interval is 10 seconds",
 * https://learn.microsoft.com/en-us/training/modules/configure-scaling-azure-kubernetes-service/3-cluster-autoscaler).
 */
export const AKS_SCAN_INTERVAL_S = 10;

const configs = new WeakMap<SiteWorld, AksPoolConfig>();
const autoscaled = new WeakSet<World>();

/** The agent pool's configuration as created: a user pool in the site's zones, the autoscaler on. */
export function aksPoolConfig(site: SiteWorld): AksPoolConfig {
  let c = configs.get(site);
  if (!c) {
    c = {
      immutable: {
        vmSize: POOL_MACHINES.azure.type,
        osType: 'Linux',
        osSKU: 'Ubuntu',
        osDiskSizeGB: 128,
        maxPods: 110,
        vnetSubnetID: `/subscriptions/${SANDBOX_SUBSCRIPTION}/resourceGroups/${AZ.resourceGroups[site.name]}/providers/Microsoft.Network/virtualNetworks/aegis-vnet/subnets/aks-nodes`,
        type: 'VirtualMachineScaleSets',
        availabilityZones: [...site.zones],
      },
      mode: 'User',
      nodeLabels: { 'aegis.io/tier': 'api' },
      nodeTaints: ['aegis.io/dedicated=api:PreferNoSchedule'],
      upgradeSettings: { maxSurge: '33%' },
      enableAutoScaling: true,
      tags: { service: 'cloud-aegis' },
    };
    configs.set(site, c);
  }
  return c;
}

/** Nodes the site's pods need (PODS_PER_NODE each), as the autoscaler's scale-down sees them. */
function nodesNeeded(site: SiteWorld): number {
  let replicas = 0;
  for (const d of site.cluster.deployments.values()) replicas += d.replicas;
  return Math.ceil(replicas / PODS_PER_NODE);
}

/** The cluster autoscaler of every autoscaled pool of the world, after each settle. */
function startAutoscaler(arm: ArmState, world: World): void {
  if (autoscaled.has(world)) return;
  autoscaled.add(world);
  world.onChange(() => {
    let stack;
    try {
      stack = stackOf(arm, world);
    } catch {
      return;
    }
    for (const s of SITES) autoscale(world, stack.sites[s]);
  });
}

/**
 * One pass of the cluster autoscaler over a pool. Scale-up: pods that cannot be scheduled for want
 * of nodes (the pool's nodes, Ready or still booting, hold fewer than the replicas) make it add the
 * nodes they need at its next scan, never above maxCount ("The maximum count limits scale-out");
 * the new nodes then take their boot time. It does not grow the pool for any other reason: a pool
 * whose pods fit stays where it is, so only minCount (or a count set by hand) brings it to a size
 * the pods do not need yet. Scale-down: see `AKS_SCALE_DOWN_UNNEEDED_S`.
 * (https://learn.microsoft.com/en-us/azure/aks/cluster-autoscaler-overview)
 */
function autoscale(world: World, site: SiteWorld): void {
  const c = aksPoolConfig(site);
  const p = site.pool;
  if (!c.enableAutoScaling || !site.up) {
    c.pendingSince = undefined;
    return;
  }
  if (p.desired < p.min || p.desired > p.max) {
    p.desired = Math.min(p.max, Math.max(p.min, p.desired));
    c.unneededSince = undefined;
    return;
  }
  const needed = nodesNeeded(site);
  if (needed > p.desired && p.desired < p.max) {
    c.unneededSince = undefined;
    c.pendingSince ??= world.now();
    if (world.now() - c.pendingSince >= world.realMs(AKS_SCAN_INTERVAL_S)) {
      p.desired = Math.min(p.max, needed);
      c.pendingSince = undefined;
    }
    return;
  }
  c.pendingSince = undefined;
  const keep = Math.max(p.min, needed);
  if (p.desired <= keep || scaling(site)) {
    c.unneededSince = undefined;
    return;
  }
  c.unneededSince ??= world.now();
  if (world.now() - c.unneededSince >= world.realMs(AKS_SCALE_DOWN_UNNEEDED_S)) {
    p.desired = keep;
    c.unneededSince = undefined;
  }
}

/** Whether the pool's latest scale is still under way (nodes not yet all present and Ready); settles update records. */
function scaling(site: SiteWorld): boolean {
  const nodes = site.cluster.nodes;
  const busy = nodes.length !== site.pool.desired || nodes.some((n) => !n.ready);
  if (!busy) for (const u of site.pool.updates) if (u.status === 'InProgress') u.status = 'Successful';
  return busy && site.pool.updates.some((u) => u.status === 'InProgress');
}

export function poolBody(site: SiteWorld): object {
  const name = site.pool.name;
  const rg = AZ.resourceGroups[site.name];
  const c = aksPoolConfig(site);
  return {
    id: `/subscriptions/${SANDBOX_SUBSCRIPTION}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${site.pool.cluster}/agentPools/${name}`,
    name,
    type: 'Microsoft.ContainerService/managedClusters/agentPools',
    properties: {
      count: site.pool.desired,
      ...c.immutable,
      availabilityZones: [...c.immutable.availabilityZones],
      mode: c.mode,
      enableAutoScaling: c.enableAutoScaling,
      ...(c.enableAutoScaling ? { minCount: site.pool.min, maxCount: site.pool.max } : {}),
      nodeLabels: { ...c.nodeLabels },
      nodeTaints: [...c.nodeTaints],
      upgradeSettings: { ...c.upgradeSettings },
      tags: { ...c.tags },
      provisioningState: scaling(site) ? 'Scaling' : 'Succeeded',
      powerState: { code: 'Running' },
      orchestratorVersion: '1.33',
      currentOrchestratorVersion: '1.33.2',
      nodeImageVersion: 'AKSUbuntu-2204gen2containerd-202611.01.0',
    },
  };
}

/** The immutable property a PUT would change (omitted counts as a change), if any. */
function changedImmutable(c: AksPoolConfig, props: Record<string, unknown>): string | undefined {
  for (const [key, value] of Object.entries(c.immutable)) {
    const given = props[key];
    const same = Array.isArray(value)
      ? Array.isArray(given) && [...given].map(String).sort().join() === [...value].sort().join()
      : typeof value === 'string' && typeof given === 'string'
        ? eq(value, given)
        : given === value;
    if (!same) return key;
  }
  return undefined;
}

export function putPool(
  arm: ArmState,
  req: ServiceRequest,
  res: http.ServerResponse,
  ctx: ServiceContext,
  r: Route,
): void {
  const site = aksSite(arm, ctx.world, r.p.rg, r.p.cluster, r.p.pool);
  const body = parseBody(req);
  const props = (body.properties ?? {}) as Record<string, unknown>;
  const config = aksPoolConfig(site);
  const count = props.count;
  if (!(Number.isInteger(count) && (count as number) >= 0 && (count as number) <= 1000)) {
    throw new ArmError(
      400,
      'InvalidParameter',
      `properties.count is ${JSON.stringify(count)} for agent pool '${r.p.pool}': expected a whole number of nodes from 0 to 1000.`,
    );
  }
  const changed = changedImmutable(config, props);
  if (changed) {
    throw new ArmError(400, 'PropertyChangeNotAllowed', `Changing property '${changed}' is not allowed.`);
  }
  const auto = props.enableAutoScaling === true;
  const minCount = props.minCount as number | undefined;
  const maxCount = props.maxCount as number | undefined;
  if (auto) {
    if (!(Number.isInteger(minCount) && Number.isInteger(maxCount) && minCount! <= maxCount!)) {
      throw new ArmError(
        400,
        'InvalidParameter',
        `properties.minCount/maxCount are ${JSON.stringify(minCount)}/${JSON.stringify(maxCount)} for agent pool '${r.p.pool}': with enableAutoScaling both must be whole numbers and minCount <= maxCount.`,
      );
    }
    if ((count as number) < minCount! || (count as number) > maxCount!) {
      throw new ArmError(
        400,
        'InvalidParameter',
        `properties.count is ${count} for agent pool '${r.p.pool}': with enableAutoScaling it must lie between minCount ${minCount} and maxCount ${maxCount}.`,
      );
    }
  }
  if (scaling(site)) {
    throw new ArmError(
      409,
      'OperationNotAllowed',
      `Operation is not allowed because there's an in progress scale operation on agent pool '${r.p.pool}' of managed cluster '${r.p.cluster}'; wait for it to finish.`,
    );
  }
  ctx.world.monitor.mutation('arm', 'AgentPools_CreateOrUpdate', `${r.p.cluster}/${r.p.pool}`);
  // the body replaces the pool: what it omits takes its default
  const obj = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});
  config.mode = typeof props.mode === 'string' ? props.mode : 'User';
  config.nodeLabels = { ...(obj(props.nodeLabels) as Record<string, string>) };
  config.nodeTaints = Array.isArray(props.nodeTaints) ? props.nodeTaints.map(String) : [];
  config.upgradeSettings = { ...obj(props.upgradeSettings) };
  config.tags = { ...(obj(body.tags) as Record<string, string>) };
  config.enableAutoScaling = auto;
  config.unneededSince = undefined;
  config.pendingSince = undefined;
  if (auto) {
    site.pool.min = minCount!;
    site.pool.max = maxCount!;
  }
  const lro: ArmLro = {
    id: randomUUID(),
    kind: 'aks',
    location: site.region,
    site: site.name,
    status: 'InProgress',
    startTime: iso(ctx.world.now()),
  };
  lro.updateId = lro.id;
  arm.lros.set(lro.id, lro);
  site.pool.updates.push({ id: lro.id, status: 'InProgress', at: ctx.world.now() });
  site.pool.desired = count as number;
  ctx.world.settle();
  const headers = {
    'Azure-AsyncOperation': `${baseUrl(req)}/subscriptions/${SANDBOX_SUBSCRIPTION}/providers/Microsoft.ContainerService/locations/${site.region}/operations/${lro.id}?api-version=${CONTAINER_SERVICE_API_VERSION}`,
  };
  send(res, 200, poolBody(site), 'application/json', headers);
}

export function aksOperation(arm: ArmState, ctx: ServiceContext, r: Route): object {
  const lro = findLro(arm, r, 'aks', ctx.world);
  const site = stackOf(arm, ctx.world).sites[lro.site];
  const update = site.pool.updates.find((u) => u.id === lro.updateId);
  scaling(site);
  if (lro.status === 'InProgress' && update && update.status !== 'InProgress') {
    lro.status = update.status === 'Successful' ? 'Succeeded' : 'Failed';
    lro.endTime = iso(ctx.world.now());
  }
  return operationBody(lro);
}
