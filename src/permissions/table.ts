/**
 * The declaration table, gathered: each provider module's `PERMISSIONS` (loaded lazily: they sit
 * next to SDK code) and each phase's provider methods (src/phases/provider-calls.ts), joined into
 * the needs of one identity on one cloud.
 */
import { UserError } from '../engine/errors.js';
import { clip } from '../engine/clip.js';
import {
  OPTIONAL_CALLS,
  PHASE_PROVIDER_CALLS,
  providerCallsOf,
  READ_ONLY_PHASES,
  type ProviderCall,
} from '../phases/provider-calls.js';
import type { Need, PermissionCloud, ProviderPermissions } from './types.js';

export type Identity = 'failover' | 'read-only';
export const IDENTITIES: readonly Identity[] = ['failover', 'read-only'];
export const CLOUDS: readonly PermissionCloud[] = ['aws', 'azure', 'gcp', 'kubernetes'];

/** Per cloud, per provider role (database, traffic, nodePool, clusterAccess, cluster), its table. */
export type DeclarationTable = Record<PermissionCloud, Partial<Record<string, ProviderPermissions>>>;

/** Every provider module's PERMISSIONS, by cloud and role. */
export async function loadDeclarations(): Promise<DeclarationTable> {
  const [awsDb, awsTraffic, awsPool, awsAccess] = await Promise.all([
    import('../providers/aws/database.js'),
    import('../providers/aws/traffic.js'),
    import('../providers/aws/nodepool.js'),
    import('../providers/aws/cluster-access.js'),
  ]);
  const [azDb, azTraffic, azPool, azAccess] = await Promise.all([
    import('../providers/azure/database.js'),
    import('../providers/azure/traffic.js'),
    import('../providers/azure/nodepool.js'),
    import('../providers/azure/cluster-access.js'),
  ]);
  const [gDb, gTraffic, gPool, gAccess] = await Promise.all([
    import('../providers/gcp/database.js'),
    import('../providers/gcp/traffic.js'),
    import('../providers/gcp/nodepool.js'),
    import('../providers/gcp/cluster-access.js'),
  ]);
  const k8s = await import('../providers/kubernetes/cluster.js');
  // a plan's AWS traffic is Route 53 records or ARC routing controls: the role holds both
  const arc = await import('../providers/aws/arc.js');
  // the replication-lag readers the database providers delegate to (their rows are also in the
  // database tables' replicationLag; merged here so every method of theirs is declared)
  const [awsCapacity, azCapacity, gCapacity] = await Promise.all([
    import('../providers/aws/capacity.js'),
    import('../providers/azure/capacity.js'),
    import('../providers/gcp/capacity.js'),
  ]);
  const [cloudwatch, monitoring] = await Promise.all([
    import('../providers/aws/cloudwatch-lag.js'),
    import('../providers/gcp/monitoring-lag.js'),
  ]);
  return {
    aws: {
      database: union(awsDb.PERMISSIONS, cloudwatch.PERMISSIONS),
      traffic: union(awsTraffic.PERMISSIONS, arc.PERMISSIONS),
      nodePool: union(awsPool.PERMISSIONS, awsCapacity.PERMISSIONS),
      clusterAccess: awsAccess.PERMISSIONS,
    },
    azure: {
      database: azDb.PERMISSIONS,
      traffic: azTraffic.PERMISSIONS,
      nodePool: union(azPool.PERMISSIONS, azCapacity.PERMISSIONS),
      clusterAccess: azAccess.PERMISSIONS,
    },
    gcp: {
      database: union(gDb.PERMISSIONS, monitoring.PERMISSIONS),
      traffic: gTraffic.PERMISSIONS,
      nodePool: union(gPool.PERMISSIONS, gCapacity.PERMISSIONS),
      clusterAccess: gAccess.PERMISSIONS,
    },
    kubernetes: { cluster: k8s.PERMISSIONS },
  };
}

/** Two tables of one role, method by method. */
function union(a: ProviderPermissions, b: ProviderPermissions): ProviderPermissions {
  const out: ProviderPermissions = { ...a };
  for (const [method, needs] of Object.entries(b)) out[method] = [...(out[method] ?? []), ...needs];
  return out;
}

/** What to generate: one cloud, one identity, optionally one phase. */
export interface Selection {
  cloud: PermissionCloud;
  identity: Identity;
  /** One phase (or `status`) instead of the identity's phases. */
  phase?: string;
  /** Whether sites reach their clusters by their cloud (kubernetes.cluster): adds clusterAccess.connect. */
  clusterAccess?: boolean;
}

/** The phases an identity covers: every phase for failover, the read-only ones for read-only. */
export function phasesOf(sel: Pick<Selection, 'identity' | 'phase'>): string[] {
  if (sel.phase !== undefined) {
    if (!(sel.phase in PHASE_PROVIDER_CALLS)) {
      throw new UserError(
        `--phase is "${clip(sel.phase)}": expected one of ${Object.keys(PHASE_PROVIDER_CALLS).join(', ')}.`,
      );
    }
    return [sel.phase];
  }
  return sel.identity === 'failover' ? Object.keys(PHASE_PROVIDER_CALLS) : [...READ_ONLY_PHASES];
}

/** A need with the provider method that declares it. */
export interface DeclaredNeed {
  need: Need;
  call: ProviderCall;
}

/**
 * The needs of one selection: the provider methods of its phases, looked up in the cloud's
 * tables; for read-only, only the calls that change nothing.
 */
export function needsOf(table: DeclarationTable, sel: Selection): DeclaredNeed[] {
  const calls = providerCallsOf(phasesOf(sel));
  const withAccess =
    (sel.clusterAccess ?? true) && calls.some((c) => c.startsWith('cluster.'))
      ? [...calls, 'clusterAccess.connect' as ProviderCall]
      : calls;
  const out: DeclaredNeed[] = [];
  for (const call of withAccess) {
    const [role, method] = call.split('.') as [string, string];
    const isCluster = role === 'cluster';
    if (isCluster !== (sel.cloud === 'kubernetes')) continue;
    const needs = table[sel.cloud][role]?.[method];
    if (needs === undefined) {
      // an optional method this cloud's adapter does not have (Azure SQL has no createReplica)
      if (OPTIONAL_CALLS.includes(call)) continue;
      // a method without a row would be a call nobody declared: refuse rather than under-grant
      throw new Error(
        `provider method ${call} has no PERMISSIONS entry for ${sel.cloud}: add ${method} to the PERMISSIONS table of src/providers/${sel.cloud}/ (${role}).`,
      );
    }
    for (const need of needs) {
      if (sel.identity === 'read-only' && need.mutates) continue;
      out.push({ need, call });
    }
  }
  return out;
}
