/**
 * The RDS side of topology discovery: which DB instances belong to the plan's logical database,
 * read from DescribeDBInstances in both regions every time
 * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBInstance.html):
 * `ReadReplicaSourceDBInstanceIdentifier` names a replica's source (its ARN when the source is in
 * another Region), `ReadReplicaDBInstanceIdentifiers` a source's replicas. Members are the plan's
 * starting instances, the replicas reprotect created (the plan's name pattern), and every
 * instance linked to a member either way.
 */
import type { DBInstance } from '@aws-sdk/client-rds';
import type { SiteName } from '../../plan/types.js';
import { followsPattern, type DatabaseInstanceView } from '../topology.js';

/** An RDS DB instance ARN's region and id, or undefined for a plain identifier. */
export function parseRdsArn(s: string): { region: string; id: string } | undefined {
  const m = /^arn:aws[a-z-]*:rds:([a-z0-9-]+):[0-9]{12}:db:([A-Za-z0-9-]+)$/.exec(s);
  return m ? { region: m[1], id: m[2] } : undefined;
}

/** Statuses of a replica still being built. */
const BUILDING = new Set(['creating']);

export interface Listing {
  site: SiteName;
  region: string;
  /** Undefined when the region did not answer. */
  instances?: DBInstance[];
}

/** The instances of the logical database, as views, from each region's listing. */
export function membersOf(
  listings: Listing[],
  plan: { instance: string; replica?: string; pattern: string },
): { views: DatabaseInstanceView[]; raw: Map<string, DBInstance> } {
  const siteOfRegion = (region: string): SiteName | 'unknown' =>
    listings.find((l) => l.region === region)?.site ?? 'unknown';
  const all = new Map<string, { inst: DBInstance; site: SiteName; region: string }>();
  for (const l of listings)
    for (const inst of l.instances ?? [])
      if (inst.DBInstanceIdentifier)
        all.set(inst.DBInstanceIdentifier, { inst, site: l.site, region: l.region });
  const idOf = (ref: string) => parseRdsArn(ref)?.id ?? ref;
  const members = new Set<string>();
  for (const id of all.keys())
    if (id === plan.instance || id === plan.replica || followsPattern(plan.pattern, plan.instance, id))
      members.add(id);
  // the closure over replication links, both ways
  for (let grew = true; grew;) {
    grew = false;
    for (const [id, { inst }] of all) {
      const source = inst.ReadReplicaSourceDBInstanceIdentifier;
      const linked =
        (source && members.has(idOf(source))) ||
        (inst.ReadReplicaDBInstanceIdentifiers ?? []).some((r) => members.has(idOf(r)));
      if (linked && !members.has(id)) {
        members.add(id);
        grew = true;
      }
    }
  }
  const views: DatabaseInstanceView[] = [];
  const raw = new Map<string, DBInstance>();
  for (const id of members) {
    const { inst, site, region } = all.get(id)!;
    raw.set(id, inst);
    const status = inst.DBInstanceStatus ?? 'unknown';
    const source = inst.ReadReplicaSourceDBInstanceIdentifier;
    const info = inst.StatusInfos?.find((s) => s.StatusType === 'read replication');
    views.push({
      id,
      site,
      status,
      source: source ? idOf(source) : undefined,
      healthy: source
        ? status === 'available' && info?.Normal === true && info.Status === 'replicating'
        : undefined,
      building: source ? BUILDING.has(status) : undefined,
      highAvailability: inst.MultiAZ ?? false,
      backupsEnabled: (inst.BackupRetentionPeriod ?? 0) > 0,
      encrypted: inst.StorageEncrypted ?? false,
      zone: inst.AvailabilityZone,
      endpoint: inst.Endpoint?.Address,
      arn: inst.DBInstanceArn ?? `arn:aws:rds:${region}:000000000000:db:${id}`,
      reachable: true,
    });
  }
  // a source in a region that did not answer: known only by its replica's link to it
  for (const v of [...views]) {
    if (!v.source || views.some((x) => x.id === v.source)) continue;
    const ref = raw.get(v.id)!.ReadReplicaSourceDBInstanceIdentifier!;
    const arn = parseRdsArn(ref);
    views.push({
      id: v.source,
      site: arn ? siteOfRegion(arn.region) : v.site,
      status: 'unreachable',
      arn: arn ? ref : undefined,
      reachable: false,
    });
  }
  return { views, raw };
}

/** Words for a replica's replication state, from its read replication status. */
export function replicationWords(inst: DBInstance | undefined): string {
  const info = inst?.StatusInfos?.find((s) => s.StatusType === 'read replication');
  return info
    ? `read replication ${info.Status ?? 'unknown'}${info.Message ? `: ${info.Message}` : ''}`
    : `${inst?.DBInstanceIdentifier ?? 'the replica'} reports no read replication status`;
}

/**
 * RDS statuses during which the writer may be changing: a reboot (a force failover shows as
 * rebooting), a start or stop, a creation or deletion. A read replica being promoted shows
 * modifying, so the replica's modifying counts too.
 */
export const BUSY = new Set(['rebooting', 'starting', 'stopping', 'creating', 'deleting']);

/**
 * Statuses of routine work that does not move the writer: a failover does not wait for them as if
 * they were one, but RDS reboots (fails over) only an available instance
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/accessing-monitoring.html#Overview.DBInstance.Status,
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_RebootInstance.html).
 */
export const ROUTINE = new Set([
  'backing-up',
  'maintenance',
  'modifying',
  'upgrading',
  'renaming',
  'resetting-master-credentials',
  'configuring-enhanced-monitoring',
  'configuring-iam-database-auth',
  'configuring-log-exports',
  'storage-optimization',
  'moving-to-vpc',
  'converting-to-vpc',
]);

/** Statuses in which an instance will not finish an operation. */
export const FAILED = new Set([
  'failed',
  'incompatible-parameters',
  'incompatible-restore',
  'incompatible-network',
  'storage-full',
]);
