/**
 * The DR quota of a GKE node pool: the vCPUs of its machine type (Compute `machineTypes.get`,
 * `guestCpus`, in one of the pool's zones) and the region's quotas (Compute `regions.get`,
 * `quotas[]` with `metric`, `limit` and `usage`): the machine family's own metric where the region
 * lists one (`E2_CPUS` for e2-standard-4, `N2_CPUS` for n2-...), and the regional `CPUS`
 * (https://cloud.google.com/compute/docs/reference/rest/v1/regions/get,
 * https://cloud.google.com/compute/docs/reference/rest/v1/machineTypes/get,
 * https://cloud.google.com/compute/resource-usage).
 */
import { gcp, type ProviderPermissions } from '../../permissions/types.js';
import { MachineTypesClient } from '@google-cloud/compute/build/src/v1/machine_types_client.js';
import { RegionsClient } from '@google-cloud/compute/build/src/v1/regions_client.js';
import { UserError, wrapSdkError } from '../../engine/errors.js';
import type { PoolCapacity, QuotaLimit } from '../types.js';
import { deadlineBound, gaxOptions, NO_RETRY, parseEndpoint } from './clients.js';

/** The DR quota's reads: the machine type's vCPUs, and the region's quotas. */
export const PERMISSIONS = {
  read: [gcp('machineTypes.get', 'compute.machineTypes.get'), gcp('regions.get', 'compute.regions.get')],
} satisfies ProviderPermissions;

/** The Compute Engine clients the quota read uses (endpoint override = `endpoints.compute`). */
export class GcpCapacity {
  private readonly regions: RegionsClient;
  private readonly machineTypes: MachineTypesClient;

  constructor(
    private readonly project: string,
    url?: string,
  ) {
    // the compute package pins its own google-gax; the options are the same shape
    const opts = gaxOptions(parseEndpoint('compute', url)) as ConstructorParameters<typeof RegionsClient>[0];
    this.regions = deadlineBound(new RegionsClient(opts));
    this.machineTypes = deadlineBound(new MachineTypesClient(opts));
  }

  /** The quota view of `machineType` (as in one of the pool's `zones`) in `region`. */
  async read(region: string, zone: string, machineType: string): Promise<PoolCapacity> {
    const type = machineType.replace(/^.*\//, '');
    let cpus: number | undefined;
    try {
      const [mt] = await this.machineTypes.get({ project: this.project, zone, machineType: type }, NO_RETRY);
      cpus = mt.guestCpus ?? undefined;
    } catch (err) {
      throw wrapSdkError('compute', 'machineTypes.get', err, `machine type ${type} in ${zone}`);
    }
    if (!cpus)
      throw new UserError(
        `Compute machineTypes.get gave no guestCpus for ${type} in ${zone}: check the node pool's machine type.`,
      );
    let quotas: { metric?: string | null; limit?: number | null; usage?: number | null }[];
    try {
      const [r] = await this.regions.get({ project: this.project, region }, NO_RETRY);
      quotas = r.quotas ?? [];
    } catch (err) {
      throw wrapSdkError('compute', 'regions.get', err, `region ${region} of project ${this.project}`);
    }
    const family = `${type.split('-')[0].toUpperCase()}_CPUS`;
    const pick = (metric: string): QuotaLimit | undefined => {
      const q = quotas.find((x) => String(x.metric) === metric);
      return q ? { name: metric, limit: Number(q.limit ?? 0), usage: Number(q.usage ?? 0) } : undefined;
    };
    return {
      region,
      machineType: type,
      vcpusPerNode: cpus,
      quotas: [pick(family), pick('CPUS')].filter((q): q is QuotaLimit => q !== undefined),
    };
  }
}
