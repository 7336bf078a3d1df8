/**
 * GKE node pools over @google-cloud/container (ClusterManagerClient, v1): the plan's `nodePool`
 * block of type `gke`. A resize is `nodePools.setSize` (what `gcloud container clusters resize
 * --node-pool P --num-nodes N` does); its Operation runs until the new nodes are Ready and is
 * polled with `operations.get`. The autoscaling limits are read, not changed: setSize leaves them
 * as they are, like the runbook's command.
 *
 * Sizes are totals over the pool's zones, as for EKS and AKS; GKE's are per zone. A regional pool
 * spans its `locations` (three zones by default) and setSize's `nodeCount` is the count in each
 * of them (`--num-nodes 6` on a three-zone pool is 18 nodes), so a total of 6 is sent as 2; a
 * total that is not a multiple of the zones is rounded up to one (7 over 3 zones is 3 per zone,
 * 9 nodes), and `describe` says how many zones (`zones`) so the phase can do the same arithmetic:
 * https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters.nodePools/setSize,
 * https://cloud.google.com/kubernetes-engine/docs/concepts/regional-clusters.
 * The pool resource keeps no current size: `initialNodeCount` is the creation value (per zone) and
 * never follows a resize, so `describe` gives no `desired`; the phase counts the Kubernetes nodes
 * that carry `cloud.google.com/gke-nodepool=<pool>`. A thin adapter: no retries, errors wrapped
 * with `wrapSdkError('container', ...)`.
 */
import type { ClusterManagerClient } from '@google-cloud/container/build/src/v1/cluster_manager_client.js';
import type { NodePool, SiteName } from '../../plan/types.js';
import { UserError, wrapSdkError } from '../../engine/errors.js';
import { gcp, type ProviderPermissions } from '../../permissions/types.js';
import type {
  NetworkPolicyEnforcement,
  NodePoolProvider,
  NodePoolState,
  Operation,
  OperationStatus,
  PoolCapacity,
} from '../types.js';
import { PERMISSIONS as CAPACITY_PERMISSIONS, type GcpCapacity } from './capacity.js';
import { NO_RETRY } from './clients.js';

/**
 * What each method may call, and the IAM permission each GKE API method needs
 * (https://cloud.google.com/kubernetes-engine/docs/reference/api-permissions: a node pool is read
 * with container.clusters.get and changed with container.clusters.update).
 */
export const PERMISSIONS = {
  describe: [gcp('nodePools.get', 'container.clusters.get')],
  networkPolicy: [gcp('clusters.get', 'container.clusters.get')],
  resize: [
    gcp('nodePools.get', 'container.clusters.get'),
    gcp('nodePools.setSize', 'container.clusters.update', true),
  ],
  poll: [gcp('operations.get', 'container.operations.get')],
  capacity: [gcp('nodePools.get', 'container.clusters.get'), ...CAPACITY_PERMISSIONS.read],
} satisfies ProviderPermissions;

/** The `gke` variant of the plan's nodePool block. */
export type GkePoolConfig = Extract<NodePool, { type: 'gke' }>;

/** The GKE node-pool adapter of one stack. */
export class GcpNodePool implements NodePoolProvider {
  constructor(
    private readonly config: GkePoolConfig,
    /** Location (region) of each site's cluster: the plan's `primary.region` / `dr.region`. */
    private readonly regions: Record<SiteName, string>,
    private readonly client: ClusterManagerClient,
    /** Compute Engine reads for the DR quota check (absent: not checked). */
    private readonly capacityReader?: GcpCapacity,
  ) {}

  /** Resource name of a site's node pool. */
  poolName(site: SiteName): string {
    const { project, cluster, pool } = this.config;
    return `projects/${project}/locations/${this.regions[site]}/clusters/${cluster[site]}/nodePools/${pool}`;
  }

  private async get(site: SiteName) {
    try {
      const [np] = await this.client.getNodePool({ name: this.poolName(site) }, NO_RETRY);
      return np;
    } catch (err) {
      throw wrapSdkError('container', 'nodePools.get', err, `node pool ${this.poolName(site)}`);
    }
  }

  /** The pool's machine type (its config, in its first zone) against the region's CPU quotas. */
  async capacity(site: SiteName): Promise<PoolCapacity> {
    if (!this.capacityReader)
      throw new UserError(
        `no Compute Engine client for GKE pool ${this.config.pool}: the DR quota cannot be checked here.`,
      );
    const np = await this.get(site);
    const machineType = np.config?.machineType;
    const zone = np.locations?.[0];
    if (!machineType || !zone)
      throw new UserError(
        `node pool ${this.poolName(site)} gave no machine type or zone: the DR quota cannot be checked; check the pool's config.`,
      );
    return this.capacityReader.read(this.regions[site], zone, machineType);
  }

  async describe(site: SiteName): Promise<NodePoolState> {
    const np = await this.get(site);
    const status = String(np.status ?? 'STATUS_UNSPECIFIED');
    const zones = Math.max(1, np.locations?.length ?? 1);
    const a = np.autoscaling;
    // per-zone limits (minNodeCount) or total ones (totalMinNodeCount), reported as totals
    const limit = (total: unknown, perZone: unknown, plan: number) =>
      total ? Number(total) : perZone ? Number(perZone) * zones : plan;
    return {
      zones,
      min: limit(a?.totalMinNodeCount, a?.minNodeCount, this.config.min),
      max: limit(a?.totalMaxNodeCount, a?.maxNodeCount, this.config.max),
      status,
      busy: status === 'RECONCILING' || status === 'PROVISIONING' || status === 'STOPPING',
    };
  }

  /**
   * GKE enforces NetworkPolicy with network policy enforcement on (networkPolicy.enabled) or on
   * GKE Dataplane V2 (networkConfig.datapathProvider ADVANCED_DATAPATH)
   * (https://cloud.google.com/kubernetes-engine/docs/how-to/network-policy).
   */
  async networkPolicy(site: SiteName): Promise<NetworkPolicyEnforcement> {
    const { project, cluster } = this.config;
    const name = `projects/${project}/locations/${this.regions[site]}/clusters/${cluster[site]}`;
    try {
      const [c] = await this.client.getCluster({ name }, NO_RETRY);
      const datapath = String(c.networkConfig?.datapathProvider ?? 'DATAPATH_PROVIDER_UNSPECIFIED');
      const enabled = c.networkPolicy?.enabled === true;
      return {
        enforced: enabled || datapath === 'ADVANCED_DATAPATH',
        detail: `GKE cluster ${cluster[site]}: networkPolicy.enabled ${enabled}, datapathProvider ${datapath}`,
      };
    } catch (err) {
      throw wrapSdkError('container', 'clusters.get', err, `cluster ${name}`);
    }
  }

  async resize(site: SiteName, size: { min: number; max: number; desired: number }): Promise<Operation> {
    if (!Number.isInteger(size.desired) || size.desired < 0) {
      throw new UserError(
        `The node count ${size.desired} for GKE pool ${this.config.pool} of ${this.config.cluster[site]} is not a whole number >= 0: check nodePool.active / standby.`,
      );
    }
    const zones = Math.max(1, (await this.get(site)).locations?.length ?? 1);
    const perZone = Math.ceil(size.desired / zones);
    try {
      const [op] = await this.client.setNodePoolSize(
        { name: this.poolName(site), nodeCount: perZone },
        NO_RETRY,
      );
      const location = op.location || this.regions[site];
      return {
        id: `projects/${this.config.project}/locations/${location}/operations/${String(op.name)}`,
        description: `GKE resize of ${this.config.cluster[site]}/${this.config.pool} to ${perZone} nodes per zone in ${zones} zone${zones === 1 ? '' : 's'} (${perZone * zones} nodes)`,
      };
    } catch (err) {
      throw wrapSdkError('container', 'nodePools.setSize', err, `node pool ${this.poolName(site)}`);
    }
  }

  async poll(_site: SiteName, op: Operation): Promise<OperationStatus> {
    try {
      const [o] = await this.client.getOperation({ name: op.id }, NO_RETRY);
      const status = String(o.status ?? 'STATUS_UNSPECIFIED');
      const error = o.error?.message || undefined;
      return { done: status === 'DONE', status, ...(error ? { error } : {}) };
    } catch (err) {
      throw wrapSdkError('container', 'operations.get', err);
    }
  }
}
