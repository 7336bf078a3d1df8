/**
 * Emulated Microsoft.ContainerService: the agent pool of each AKS cluster of the Azure estate, as
 * @azure/arm-containerservice 25 calls it (api-version 2026-04-01). REST API reference:
 * https://learn.microsoft.com/en-us/rest/api/aks/agent-pools/create-or-update
 *
 * - Agent pools: GET; PUT (count, enableAutoScaling with minCount/maxCount) as a long-running
 *   operation (200 with provisioningState Scaling + `Azure-AsyncOperation`); a PUT while a scale is
 *   under way is refused with 409 OperationNotAllowed.
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
 * pools; more than one pool per cluster; PATCH/tags; If-Match; VM sizes, OS or version changes;
 * the cluster autoscaler acting on minCount/maxCount.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { stringify as toYaml } from 'yaml';
import { AKS_SERVER_APP_ID } from '../../plan/constants.js';
import { SANDBOX_SUBSCRIPTION, TOPOLOGY } from '../estate.js';
import { clusterPath } from '../kubernetes/routes.js';
import { send, type ServiceContext, type ServiceRequest } from '../http.js';
import { SITES, type SiteWorld, type World } from '../world.js';
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
  return {
    id: `/subscriptions/${SANDBOX_SUBSCRIPTION}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${site.pool.cluster}/agentPools/${name}`,
    name,
    type: 'Microsoft.ContainerService/managedClusters/agentPools',
    properties: {
      count: site.pool.desired,
      vmSize: 'Standard_D4s_v5',
      osDiskSizeGB: 128,
      osType: 'Linux',
      osSKU: 'Ubuntu',
      type: 'VirtualMachineScaleSets',
      mode: 'System',
      maxPods: 110,
      enableAutoScaling: false,
      minCount: site.pool.min,
      maxCount: site.pool.max,
      availabilityZones: [...site.zones],
      provisioningState: scaling(site) ? 'Scaling' : 'Succeeded',
      powerState: { code: 'Running' },
      orchestratorVersion: '1.33',
      currentOrchestratorVersion: '1.33.2',
      nodeImageVersion: 'AKSUbuntu-2204gen2containerd-202611.01.0',
    },
  };
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
  const count = props.count;
  if (!(Number.isInteger(count) && (count as number) >= 0 && (count as number) <= 1000)) {
    throw new ArmError(
      400,
      'InvalidParameter',
      `properties.count is ${JSON.stringify(count)} for agent pool '${r.p.pool}': expected a whole number of nodes from 0 to 1000.`,
    );
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
