/**
 * AKS agent pools (`az aks nodepool scale`) over @azure/arm-containerservice. `resize` reads the
 * whole pool and sends it back with only its size changed, as the SDK's long-running
 * createOrUpdate, and returns once ARM accepted it. A PUT replaces the pool
 * (https://learn.microsoft.com/en-us/rest/api/aks/agent-pools/create-or-update): a body built by
 * hand would be refused for the immutable properties it leaves out (vmSize, osSKU, vnetSubnetID,
 * maxPods...) and would reset the mutable ones (labels, taints, surge, tags). With the cluster
 * autoscaler on, the count is the autoscaler's, which takes back nodes the pods do not need down
 * to minCount (https://learn.microsoft.com/en-us/azure/aks/cluster-autoscaler-overview): the size
 * is held by moving minCount to it (and maxCount to at least it), with the count set to it so the
 * nodes come at once. `poll` advances the
 * SDK poller when this process holds it, and otherwise reads the pool: done when provisioningState
 * is Succeeded and the count is the one asked for.
 */
import { type AgentPool, ContainerServiceClient } from '@azure/arm-containerservice';
import type { TokenCredential } from '@azure/core-auth';
import { isRestError } from '@azure/core-rest-pipeline';
import { UserError, wrapSdkError } from '../../engine/errors.js';
import { azure, type ProviderPermissions } from '../../permissions/types.js';
import type { SiteName, Stack } from '../../plan/types.js';
import type {
  NetworkPolicyEnforcement,
  NodePoolProvider,
  NodePoolState,
  Operation,
  OperationStatus,
  PoolCapacity,
} from '../types.js';
import { AzureCapacity, PERMISSIONS as CAPACITY_PERMISSIONS } from './capacity.js';
import { armClientOptions, armConnection, secureClient } from './credentials.js';

/**
 * What each method may call, and the Azure resource provider operation each call needs
 * (https://learn.microsoft.com/en-us/azure/role-based-access-control/permissions/containers#microsoftcontainerservice).
 * A resize reads the whole agent pool and PUTs it back; its long-running operation is polled on
 * the location's operations.
 */
export const PERMISSIONS = {
  describe: [azure('AgentPools_Get', 'Microsoft.ContainerService/managedClusters/agentPools/read')],
  networkPolicy: [azure('ManagedClusters_Get', 'Microsoft.ContainerService/managedClusters/read')],
  resize: [
    azure('AgentPools_Get', 'Microsoft.ContainerService/managedClusters/agentPools/read'),
    azure('AgentPools_CreateOrUpdate', 'Microsoft.ContainerService/managedClusters/agentPools/write', true),
  ],
  poll: [
    azure('AgentPools_AsyncOperation', 'Microsoft.ContainerService/locations/operations/read'),
    azure('AgentPools_Get', 'Microsoft.ContainerService/managedClusters/agentPools/read'),
  ],
  capacity: [
    azure('AgentPools_Get', 'Microsoft.ContainerService/managedClusters/agentPools/read'),
    azure('ManagedClusters_Get', 'Microsoft.ContainerService/managedClusters/read'),
    ...CAPACITY_PERMISSIONS.read,
  ],
} satisfies ProviderPermissions;

/** The plan's `stack.nodePool` for AKS. */
export type AksPoolSpec = Extract<Stack['nodePool'], { type: 'aks' }>;

/** The subset of the core-lro 3 PollerLike this adapter uses. */
interface PoolPoller {
  poll(): Promise<unknown>;
  readonly isDone: boolean;
  readonly operationState?: { status: string; error?: Error };
}

const pollers = new Map<string, PoolPoller>();
let seq = 0;

const BUSY_STATES = [
  'Creating',
  'Updating',
  'Scaling',
  'Upgrading',
  'Deleting',
  'Starting',
  'Stopping',
  'Canceling',
];

/** NodePoolProvider for one AKS agent pool per site. */
export class AzureNodePool implements NodePoolProvider {
  readonly client: ContainerServiceClient;

  /**
   * @param spec The plan's `stack.nodePool` (type aks).
   * @param endpoint The plan's `endpoints.arm` override.
   * @param credential Optional credential instead of the default chain.
   */
  private capacityReader?: AzureCapacity;

  constructor(
    private readonly spec: AksPoolSpec,
    private readonly endpoint?: string,
    private readonly credential?: TokenCredential,
  ) {
    const conn = armConnection(endpoint, credential);
    this.client = secureClient(
      new ContainerServiceClient(conn.credential, spec.subscriptionId, armClientOptions(conn)),
      conn,
    );
  }

  /**
   * The cluster's network profile: networkPolicy azure, calico or cilium enforces NetworkPolicy,
   * none (or absent) does not (https://learn.microsoft.com/en-us/azure/aks/use-network-policies).
   */
  /** The pool's vmSize in its cluster's location, against the region's compute quotas. */
  async capacity(site: SiteName): Promise<PoolCapacity> {
    const cluster = this.spec.cluster[site];
    const [pool, mc] = await Promise.all([
      this.get(site),
      this.client.managedClusters.get(this.spec.resourceGroup[site], cluster).catch((err: unknown) => {
        throw wrapSdkError('arm', 'ManagedClusters_Get', err, `AKS cluster ${cluster}`);
      }),
    ]);
    if (!pool.vmSize || !mc.location)
      throw new UserError(
        `agent pool ${cluster}/${this.spec.pool} gave no vmSize or location: the DR quota cannot be checked; check the pool in the Azure portal.`,
      );
    this.capacityReader ??= new AzureCapacity(this.spec.subscriptionId, this.endpoint, this.credential);
    return this.capacityReader.read(mc.location, pool.vmSize);
  }

  async networkPolicy(site: SiteName): Promise<NetworkPolicyEnforcement> {
    const cluster = this.spec.cluster[site];
    try {
      const mc = await this.client.managedClusters.get(this.spec.resourceGroup[site], cluster);
      const policy = mc.networkProfile?.networkPolicy ?? 'none';
      return {
        enforced: ['azure', 'calico', 'cilium'].includes(String(policy).toLowerCase()),
        detail: `AKS cluster ${cluster}: networkProfile.networkPolicy ${policy}`,
      };
    } catch (err) {
      throw wrapSdkError('arm', 'ManagedClusters_Get', err, `AKS cluster ${cluster}`);
    }
  }

  private async get(site: SiteName): Promise<AgentPool> {
    try {
      return await this.client.agentPools.get(
        this.spec.resourceGroup[site],
        this.spec.cluster[site],
        this.spec.pool,
      );
    } catch (err) {
      throw wrapSdkError(
        'arm',
        'AgentPools_Get',
        err,
        `agent pool ${this.spec.pool} of AKS cluster ${this.spec.cluster[site]}`,
      );
    }
  }

  async describe(site: SiteName): Promise<NodePoolState> {
    const p = await this.get(site);
    const status = p.provisioningState ?? 'Unknown';
    return {
      desired: p.count ?? 0,
      min: p.minCount ?? this.spec.min,
      max: p.maxCount ?? this.spec.max,
      status,
      busy: BUSY_STATES.includes(status),
    };
  }

  async resize(site: SiteName, size: { min: number; max: number; desired: number }): Promise<Operation> {
    if (!(
      Number.isInteger(size.desired) &&
      size.desired >= 0 &&
      size.min <= size.desired &&
      size.desired <= size.max
    )) {
      throw new UserError(
        `node pool size for ${this.spec.cluster[site]}/${this.spec.pool} is desired ${size.desired} with min ${size.min} and max ${size.max}: expected a whole number with min <= desired <= max.`,
      );
    }
    const current = await this.get(site);
    const body: AgentPool = {
      ...current,
      count: size.desired,
      ...(current.enableAutoScaling
        ? { minCount: size.desired, maxCount: Math.max(size.max, current.maxCount ?? 0, size.desired) }
        : {}),
    };
    const poller = this.client.agentPools.createOrUpdate(
      this.spec.resourceGroup[site],
      this.spec.cluster[site],
      this.spec.pool,
      body,
    );
    try {
      await poller.submitted();
    } catch (err) {
      throw wrapSdkError('arm', 'AgentPools_CreateOrUpdate', err);
    }
    const id = `aks/${this.spec.cluster[site]}/${this.spec.pool}/count=${size.desired}/${Date.now()}-${++seq}`;
    pollers.set(id, poller as unknown as PoolPoller);
    return {
      id,
      description: `scale AKS agent pool ${this.spec.cluster[site]}/${this.spec.pool} from ${current.count ?? '?'} to ${size.desired} nodes${current.enableAutoScaling ? ` (cluster autoscaler on: minCount ${body.minCount}, maxCount ${body.maxCount})` : ''}`,
    };
  }

  async poll(site: SiteName, op: Operation): Promise<OperationStatus> {
    const m = /\/count=([0-9]+)\//.exec(op.id);
    if (!m)
      throw new UserError(
        `operation id ${op.id} is not an AKS agent pool scale of this adapter; resize again to get one.`,
      );
    const want = Number(m[1]);
    const poller = pollers.get(op.id);
    if (poller && !poller.isDone) {
      try {
        await poller.poll();
      } catch (err) {
        pollers.delete(op.id);
        if (!isRestError(err)) return { done: true, status: 'Failed', error: (err as Error).message };
        throw wrapSdkError('arm', 'AgentPools_AsyncOperation', err);
      }
      const st = poller.operationState?.status;
      if (st === 'failed' || st === 'canceled') {
        pollers.delete(op.id);
        return {
          done: true,
          status: st,
          error: poller.operationState?.error?.message ?? `the scale ended ${st}`,
        };
      }
      if (!poller.isDone) return { done: false, status: 'InProgress' };
    }
    // confirm from the pool itself (also the path after a restart, when no poller is held)
    const p = await this.get(site);
    const state = p.provisioningState ?? 'Unknown';
    if (state === 'Failed')
      return {
        done: true,
        status: state,
        error: `agent pool ${this.spec.cluster[site]}/${this.spec.pool} is in provisioningState Failed`,
      };
    const done = state === 'Succeeded' && p.count === want;
    if (done) pollers.delete(op.id);
    return { done, status: `${state}, count ${p.count ?? '?'}` };
  }
}
