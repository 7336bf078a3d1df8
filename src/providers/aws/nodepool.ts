/**
 * EKS adapter: the managed node group of each site's cluster (UpdateNodegroupConfig,
 * DescribeNodegroup, DescribeUpdate), one client per region.
 */
import {
  DescribeAddonCommand,
  DescribeNodegroupCommand,
  DescribeUpdateCommand,
  EKSClient,
  UpdateNodegroupConfigCommand,
} from '@aws-sdk/client-eks';
import { UserError, wrapSdkError } from '../../engine/errors.js';
import { aws, type ProviderPermissions } from '../../permissions/types.js';
import { AwsCapacity, PERMISSIONS as CAPACITY_PERMISSIONS } from './capacity.js';
import type { SiteName } from '../../plan/types.js';
import type {
  NetworkPolicyEnforcement,
  NodePoolProvider,
  NodePoolState,
  Operation,
  OperationStatus,
  PoolCapacity,
} from '../types.js';
import { clientConfig, expectKind, type AwsProviderOptions, type Stack, deadlineBound } from './common.js';

async function call<T>(operation: string, fn: () => Promise<T>, resource?: string): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw wrapSdkError('eks', operation, err, resource);
  }
}

const BUSY = new Set(['UPDATING', 'CREATING', 'DELETING']);

/**
 * What each method may call, and the IAM action of each call
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelastickubernetesservice.html):
 * node group calls are authorized on the node group, DescribeAddon on the add-on.
 */
export const PERMISSIONS = {
  describe: [aws('eks', 'DescribeNodegroup', { scope: 'eks-nodegroup' })],
  networkPolicy: [aws('eks', 'DescribeAddon', { scope: 'eks-addon' })],
  resize: [aws('eks', 'UpdateNodegroupConfig', { mutates: true, scope: 'eks-nodegroup' })],
  poll: [aws('eks', 'DescribeUpdate', { scope: 'eks-nodegroup' })],
  capacity: [aws('eks', 'DescribeNodegroup', { scope: 'eks-nodegroup' }), ...CAPACITY_PERMISSIONS.read],
} satisfies ProviderPermissions;

/** `NodePoolProvider` over Amazon EKS managed node groups. */
export class AwsNodePool implements NodePoolProvider {
  private readonly clients: Record<SiteName, EKSClient>;
  private readonly clusters: Record<SiteName, string>;
  private readonly nodegroup: string;
  private readonly capacities: Record<SiteName, AwsCapacity>;

  constructor(stack: Stack, opts: AwsProviderOptions = {}) {
    const np = expectKind(stack.nodePool, 'eks', 'nodePool');
    this.clusters = { primary: np.cluster.primary, dr: np.cluster.dr };
    this.nodegroup = np.nodegroup;
    const endpoint = stack.endpoints?.eks;
    this.clients = {
      primary: deadlineBound(new EKSClient(clientConfig(stack.primary.region, endpoint, opts))),
      dr: deadlineBound(new EKSClient(clientConfig(stack.dr.region, endpoint, opts))),
    };
    const e = { ec2: stack.endpoints?.ec2, servicequotas: stack.endpoints?.servicequotas };
    this.capacities = {
      primary: new AwsCapacity(stack.primary.region, e, opts),
      dr: new AwsCapacity(stack.dr.region, e, opts),
    };
  }

  /** DescribeNodegroup of the site's node group. */
  private nodegroupOf(site: SiteName) {
    return call(
      'DescribeNodegroup',
      () =>
        this.clients[site].send(
          new DescribeNodegroupCommand({ clusterName: this.clusters[site], nodegroupName: this.nodegroup }),
        ),
      `node group ${this.nodegroup} of cluster ${this.clusters[site]}`,
    );
  }

  /** The node group's instance type (its first, as DescribeNodegroup lists them) against the region's On-Demand vCPU quota. */
  async capacity(site: SiteName): Promise<PoolCapacity> {
    const out = await this.nodegroupOf(site);
    const type = out.nodegroup?.instanceTypes?.[0];
    if (!type)
      throw new UserError(
        `node group ${this.nodegroup} of cluster ${this.clusters[site]} lists no instance type (a launch template sets it): the DR quota cannot be checked; check the On-Demand vCPU quota of its family by hand.`,
      );
    return this.capacities[site].read(type);
  }

  async describe(site: SiteName): Promise<NodePoolState> {
    const out = await this.nodegroupOf(site);
    const ng = out.nodegroup;
    const status = ng?.status ?? 'unknown';
    return {
      desired: ng?.scalingConfig?.desiredSize ?? 0,
      min: ng?.scalingConfig?.minSize ?? 0,
      max: ng?.scalingConfig?.maxSize ?? 0,
      status,
      busy: BUSY.has(status),
    };
  }

  /**
   * The Amazon VPC CNI add-on enforces NetworkPolicy when its configuration values set
   * enableNetworkPolicy to "true" (https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html);
   * a cluster without the managed add-on (a self-managed CNI, Calico, Cilium) cannot be told from here.
   */
  async networkPolicy(site: SiteName): Promise<NetworkPolicyEnforcement> {
    const cluster = this.clusters[site];
    let values: string;
    try {
      const out = await this.clients[site].send(
        new DescribeAddonCommand({ clusterName: cluster, addonName: 'vpc-cni' }),
      );
      values = out.addon?.configurationValues ?? '';
    } catch (err) {
      const e = wrapSdkError('eks', 'DescribeAddon', err, `add-on vpc-cni of cluster ${cluster}`);
      if ((err as { name?: string }).name === 'ResourceNotFoundException')
        return {
          enforced: false,
          detail: `cluster ${cluster} has no managed vpc-cni add-on (a self-managed CNI cannot be read here)`,
        };
      throw e;
    }
    // configuration values are JSON or YAML
    const enforced = /["']?enableNetworkPolicy["']?\s*:\s*["']?true["']?/.test(values);
    return {
      enforced,
      detail: `vpc-cni add-on of ${cluster}: enableNetworkPolicy ${enforced ? '"true"' : 'not "true"'}`,
    };
  }

  async resize(site: SiteName, size: { min: number; max: number; desired: number }): Promise<Operation> {
    const cluster = this.clusters[site];
    const out = await call(
      'UpdateNodegroupConfig',
      () =>
        this.clients[site].send(
          new UpdateNodegroupConfigCommand({
            clusterName: cluster,
            nodegroupName: this.nodegroup,
            scalingConfig: { minSize: size.min, maxSize: size.max, desiredSize: size.desired },
          }),
        ),
      `node group ${this.nodegroup} of cluster ${this.clusters[site]}`,
    );
    return {
      id: out.update?.id ?? '',
      description: `EKS UpdateNodegroupConfig ${cluster}/${this.nodegroup} minSize=${size.min},maxSize=${size.max},desiredSize=${size.desired}`,
    };
  }

  async poll(site: SiteName, op: Operation): Promise<OperationStatus> {
    const out = await call(
      'DescribeUpdate',
      () =>
        this.clients[site].send(
          new DescribeUpdateCommand({
            name: this.clusters[site],
            nodegroupName: this.nodegroup,
            updateId: op.id,
          }),
        ),
      `node group ${this.nodegroup} of cluster ${this.clusters[site]}`,
    );
    const status = out.update?.status ?? 'unknown';
    if (status === 'Failed' || status === 'Cancelled') {
      const why = (out.update?.errors ?? [])
        .map((e) => `${e.errorCode ?? ''} ${e.errorMessage ?? ''}`.trim())
        .join('; ');
      return {
        done: true,
        status,
        error: `EKS update ${op.id} ${status.toLowerCase()}${why ? `: ${why}` : ''}`,
      };
    }
    return { done: status === 'Successful', status };
  }
}
