/**
 * The DR quota of an AKS agent pool: the vCPUs and family of its vmSize from the region's compute
 * resource SKUs (`capabilities` vCPUs, `family`), and the region's compute usages: the VM family's
 * vCPU quota (`standardDSv5Family`) and the total regional vCPUs (`cores`), each with its
 * `currentValue` and `limit`
 * (https://learn.microsoft.com/en-us/rest/api/compute/usage/list,
 * https://learn.microsoft.com/en-us/rest/api/compute/resource-skus/list,
 * https://learn.microsoft.com/en-us/azure/virtual-machines/quotas).
 */
import { azure, type ProviderPermissions } from '../../permissions/types.js';
import { ComputeManagementClient } from '@azure/arm-compute';
import type { TokenCredential } from '@azure/core-auth';
import { UserError, wrapSdkError } from '../../engine/errors.js';
import type { PoolCapacity, QuotaLimit } from '../types.js';
import { armClientOptions, armConnection, secureClient } from './credentials.js';

/** The DR quota's reads: the VM size's vCPUs and family, and the region's compute usages. */
export const PERMISSIONS = {
  read: [
    azure('ResourceSkus_List', 'Microsoft.Compute/skus/read'),
    azure('Usage_List', 'Microsoft.Compute/locations/usages/read'),
  ],
} satisfies ProviderPermissions;

/** Compute usages and SKUs of one subscription. */
export class AzureCapacity {
  private readonly client: ComputeManagementClient;

  constructor(subscriptionId: string, endpoint?: string, credential?: TokenCredential) {
    const conn = armConnection(endpoint, credential);
    this.client = secureClient(
      new ComputeManagementClient(conn.credential, subscriptionId, armClientOptions(conn)),
      conn,
    );
  }

  /** The quota view of `vmSize` in `location`. */
  async read(location: string, vmSize: string): Promise<PoolCapacity> {
    let sku: { family?: string; vcpus?: number } | undefined;
    try {
      for await (const s of this.client.resourceSkus.list({ filter: `location eq '${location}'` })) {
        if (s.resourceType !== 'virtualMachines' || s.name?.toLowerCase() !== vmSize.toLowerCase()) continue;
        const v = s.capabilities?.find((c) => c.name === 'vCPUs')?.value;
        sku = { family: s.family, vcpus: v ? Number(v) : undefined };
        break;
      }
    } catch (err) {
      throw wrapSdkError('arm', 'ResourceSkus_List', err, `compute SKUs of ${location}`);
    }
    if (!sku?.vcpus || !sku.family)
      throw new UserError(
        `the agent pool's vmSize ${vmSize} is not among the compute SKUs of ${location} (no vCPUs or family listed): check the pool's vmSize and that it is offered in ${location}.`,
      );
    const wanted = [sku.family.toLowerCase(), 'cores'];
    const found = new Map<string, QuotaLimit>();
    try {
      for await (const u of this.client.usage.list(location)) {
        const key = u.name?.value?.toLowerCase() ?? '';
        if (!wanted.includes(key)) continue;
        found.set(key, {
          name: `${u.name?.localizedValue ?? u.name?.value} (${u.name?.value})`,
          limit: u.limit,
          usage: u.currentValue,
        });
      }
    } catch (err) {
      throw wrapSdkError('arm', 'Usage_List', err, `compute usages of ${location}`);
    }
    return {
      region: location,
      machineType: vmSize,
      vcpusPerNode: sku.vcpus,
      quotas: wanted.map((k) => found.get(k)).filter((q): q is QuotaLimit => q !== undefined),
    };
  }
}
