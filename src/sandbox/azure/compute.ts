/**
 * Emulated Microsoft.Compute reads for the DR quota check, as @azure/arm-compute calls them:
 * - Usage - List (`GET /subscriptions/S/providers/Microsoft.Compute/locations/L/usages`): the
 *   region's compute quotas with `currentValue` and `limit`, unit Count: the total regional vCPUs
 *   (`cores`, "Total Regional vCPUs"), the AKS pool's VM family (`standardDSv5Family`, "Standard
 *   DSv5 Family vCPUs") and the VM count (https://learn.microsoft.com/en-us/rest/api/compute/usage/list,
 *   https://learn.microsoft.com/en-us/azure/virtual-machines/quotas);
 * - Resource Skus - List (`GET /subscriptions/S/providers/Microsoft.Compute/skus?$filter=location eq 'L'`):
 *   the virtualMachines SKUs offered in the location, with `family` and the `vCPUs` capability
 *   (https://learn.microsoft.com/en-us/rest/api/compute/resource-skus/list).
 * The usage is the world's: the pool's nodes times their vCPUs plus the region's other instances
 * (../quotas.ts). A location outside the estate has no usage and the default limits. A down
 * region answers as the other regional ARM resources do.
 */
import { POOL_MACHINES, quotaOf, vcpusInUse } from '../quotas.js';
import { SITES, type World } from '../world.js';
import { type ArmState, eq, regionDown, stackOf } from './common.js';

const AZ_POOL = POOL_MACHINES.azure;

/** The SKUs the sandbox offers: the pool's size and a neighbour of another family. */
const SKUS = [
  { name: AZ_POOL.type, family: AZ_POOL.family, size: 'D4s_v5', vcpus: AZ_POOL.vcpus, memoryGB: 16 },
  { name: 'Standard_D8s_v5', family: AZ_POOL.family, size: 'D8s_v5', vcpus: 8, memoryGB: 32 },
  { name: 'Standard_E4s_v5', family: 'standardESv5Family', size: 'E4s_v5', vcpus: 4, memoryGB: 32 },
];

function siteAt(arm: ArmState, world: World, location: string) {
  const stack = stackOf(arm, world);
  const name = SITES.find((s) => eq(stack.sites[s].region, location));
  const site = name ? stack.sites[name] : undefined;
  if (site && !site.up) throw regionDown(site, `compute usages of '${location}'`);
  return site;
}

/** The body of Usage - List for `location`. */
export function computeUsages(arm: ArmState, world: World, location: string): object {
  const site = siteAt(arm, world, location);
  const q = site ? quotaOf(site) : { familyVcpus: 96, regionalVcpus: 200, otherVcpus: 0 };
  const used = site ? vcpusInUse(site, AZ_POOL.vcpus) : 0;
  const usage = (value: string, localizedValue: string, currentValue: number, limit: number) => ({
    unit: 'Count',
    currentValue,
    limit,
    name: { value, localizedValue },
  });
  return {
    value: [
      usage('availabilitySets', 'Availability Sets', 0, 2500),
      usage('cores', 'Total Regional vCPUs', used, q.regionalVcpus),
      usage('virtualMachines', 'Virtual Machines', Math.ceil(used / AZ_POOL.vcpus), 25000),
      usage('virtualMachineScaleSets', 'Virtual Machine Scale Sets', site ? 2 : 0, 2500),
      usage(AZ_POOL.family, 'Standard DSv5 Family vCPUs', used, q.familyVcpus),
      usage('standardESv5Family', 'Standard ESv5 Family vCPUs', 0, 10),
    ],
  };
}

/** The body of Resource Skus - List, for a `$filter` of `location eq 'L'` (or every location). */
export function computeSkus(arm: ArmState, world: World, filter: string | null): object {
  const stack = stackOf(arm, world);
  const m = filter ? /location\s+eq\s+'([^']+)'/i.exec(filter) : null;
  const locations = m ? [m[1].toLowerCase()] : SITES.map((s) => stack.sites[s].region);
  return {
    value: locations.flatMap((location) =>
      SKUS.map((s) => ({
        resourceType: 'virtualMachines',
        name: s.name,
        tier: 'Standard',
        size: s.size,
        family: s.family,
        locations: [location],
        locationInfo: [{ location, zones: ['1', '2', '3'] }],
        capabilities: [
          { name: 'vCPUs', value: String(s.vcpus) },
          { name: 'MemoryGB', value: String(s.memoryGB) },
          { name: 'vCPUsAvailable', value: String(s.vcpus) },
        ],
        restrictions: [],
      })),
    ),
  };
}
