/**
 * The compute quotas of each site's region, which the three clouds' quota emulators answer from
 * (src/sandbox/aws/quotas.ts, src/sandbox/azure/compute.ts, src/sandbox/gcp/compute.ts): a vCPU
 * limit for the node pool's machine family and a regional total, and the vCPUs in use: the pool's
 * nodes (its size times the vCPUs of its machine type) plus the rest of the region's instances
 * (the system pool and everything else the account runs there).
 */
import type { SiteWorld } from './world.js';

/** Machine type of each cloud's sandbox node pool, and its vCPUs. */
export const POOL_MACHINES = {
  aws: { type: 'm6i.xlarge', vcpus: 4, memoryMiB: 16384 },
  azure: { type: 'Standard_D4s_v5', vcpus: 4, memoryMiB: 16384, family: 'standardDSv5Family' },
  gcp: { type: 'e2-standard-4', vcpus: 4, memoryMiB: 16384, metric: 'E2_CPUS' },
} as const;

export interface SiteQuota {
  /** vCPU limit of the pool's machine family in the region (AWS L-1216C47A, Azure family, GCP E2_CPUS). */
  familyVcpus: number;
  /** Total regional vCPU limit (Azure `cores`, GCP `CPUS`). */
  regionalVcpus: number;
  /** vCPUs of the region's other instances (system pool and the rest). */
  otherVcpus: number;
}

/** A region with room: the production size fits with plenty to spare. */
export const DEFAULT_QUOTA: SiteQuota = { familyVcpus: 96, regionalVcpus: 200, otherVcpus: 8 };

const quotas = new WeakMap<SiteWorld, SiteQuota>();

/** The quota of a site's region (created with the default). */
export function quotaOf(site: SiteWorld): SiteQuota {
  let q = quotas.get(site);
  if (!q) {
    q = { ...DEFAULT_QUOTA };
    quotas.set(site, q);
  }
  return q;
}

/** vCPUs in use in the site's region for the pool's family: its nodes plus the other instances. */
export function vcpusInUse(site: SiteWorld, vcpusPerNode: number): number {
  return site.pool.desired * vcpusPerNode + quotaOf(site).otherVcpus;
}
