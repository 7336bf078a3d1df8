/**
 * The Cloud SQL side of topology discovery: which instances of the project belong to the plan's
 * logical database, from instances.list every time
 * (https://cloud.google.com/sql/docs/postgres/admin-api/rest/v1/instances#DatabaseInstance):
 * `masterInstanceName` names a replica's primary, `replicaNames` a primary's replicas,
 * `instanceType` READ_REPLICA_INSTANCE / CLOUD_SQL_INSTANCE tells a replica from a standalone
 * instance (a promoted replica is CLOUD_SQL_INSTANCE for good).
 */
import type { SiteName } from '../../plan/types.js';
import { followsPattern, type DatabaseInstanceView } from '../topology.js';
import type { Instance } from './database.js';

function boolOf(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v && typeof v === 'object' && 'value' in v) return (v as { value?: boolean | null }).value ?? undefined;
  return undefined;
}

export function sqlMembersOf(
  items: Instance[],
  regions: Record<SiteName, string>,
  plan: { instance: string; replica?: string; pattern: string },
): { views: DatabaseInstanceView[]; raw: Map<string, Instance> } {
  const all = new Map<string, Instance>();
  for (const i of items) if (i.name) all.set(i.name, i);
  const members = new Set<string>();
  for (const id of all.keys())
    if (id === plan.instance || id === plan.replica || followsPattern(plan.pattern, plan.instance, id))
      members.add(id);
  for (let grew = true; grew;) {
    grew = false;
    for (const [id, inst] of all) {
      const linked =
        (inst.masterInstanceName && members.has(inst.masterInstanceName)) ||
        (inst.replicaNames ?? []).some((r) => members.has(r));
      if (linked && !members.has(id)) {
        members.add(id);
        grew = true;
      }
    }
  }
  const siteOf = (region: string | null | undefined): SiteName | 'unknown' =>
    region === regions.primary ? 'primary' : region === regions.dr ? 'dr' : 'unknown';
  const views: DatabaseInstanceView[] = [];
  const raw = new Map<string, Instance>();
  for (const id of members) {
    const inst = all.get(id)!;
    raw.set(id, inst);
    const replica = String(inst.instanceType) === 'READ_REPLICA_INSTANCE' || !!inst.masterInstanceName;
    const state = String(inst.state ?? 'UNKNOWN');
    views.push({
      id,
      site: siteOf(inst.region),
      status: state,
      source: replica ? (inst.masterInstanceName ?? undefined) : undefined,
      healthy: replica
        ? state === 'RUNNABLE' && boolOf(inst.settings?.databaseReplicationEnabled) !== false
        : undefined,
      building: replica ? state === 'PENDING_CREATE' : undefined,
      highAvailability: String(inst.settings?.availabilityType) === 'REGIONAL',
      backupsEnabled: boolOf(inst.settings?.backupConfiguration?.enabled) === true,
      zone: inst.gceZone ?? undefined,
      // the private IP an endpoint binding holds (IpMapping type PRIVATE)
      endpoint: (inst.ipAddresses ?? []).find((a) => String(a.type) === 'PRIVATE')?.ipAddress ?? undefined,
      reachable: true,
    });
  }
  // a primary not listed (its region does not answer): known only by its replicas' link to it
  for (const v of [...views]) {
    if (!v.source || views.some((x) => x.id === v.source)) continue;
    views.push({
      id: v.source,
      site: v.source === plan.instance ? 'primary' : 'unknown',
      status: 'unreachable',
      reachable: false,
    });
  }
  return { views, raw };
}
