/**
 * The database of an RDS or Cloud SQL stack as the cloud holds it: instances, each in a region,
 * each either replicating from a source instance or standalone. The RDS and Cloud SQL emulators
 * render these instances; the world's older per-stack fields (`writer`, `writable`,
 * `replicating`) are derived from them on every settle, so the app, the metrics and the
 * split-brain monitor follow the topology.
 *
 * What the clouds document and this model keeps:
 * - A promoted replica is a standalone instance and never becomes a replica again; its old source
 *   stays writable (an orphan) (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Promote.html,
 *   https://cloud.google.com/sql/docs/postgres/replication/manage-replicas#promote-replica).
 * - Going back needs a new replica of the new writer, which takes time to build (RDS status
 *   `creating`, Cloud SQL state `PENDING_CREATE`) and then replicates.
 * - Read replicas are created with backups disabled; a promotion turns them on (RDS
 *   PromoteReadReplica `BackupRetentionPeriod`, default 1:
 *   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html).
 *
 * Limits: one logical database per stack; a replica of a replica is not modelled; the lag is one
 * number for every replica (`database.lagSeconds`), 0 once nothing writes to the writer.
 */
import type { SiteName } from '../plan/types.js';
import type { StackWorld, World } from './world.js';

export interface DbInstanceWorld {
  id: string;
  site: SiteName;
  zone: string;
  /** The instance it replicates from; undefined for a standalone instance. */
  source?: string;
  /** RDS Multi-AZ / Cloud SQL HA (REGIONAL). */
  multiAZ: boolean;
  /** Days of automated backups; 0 is off (a new read replica starts at 0). */
  backupRetentionDays: number;
  encrypted: boolean;
  kmsKeyId?: string;
  status: 'creating' | 'available' | 'modifying';
  createdAt: number;
  /** Real ms time a promotion made it standalone. */
  promotedAt?: number;
  /** Cloud SQL edition (settings.edition); advanced DR needs ENTERPRISE_PLUS. */
  edition?: 'ENTERPRISE' | 'ENTERPRISE_PLUS';
  /** Cloud SQL advanced DR: on a primary, its designated DR replica (replicationCluster.failoverDrReplicaName). */
  drReplica?: string;
  /** Cloud SQL replica failover: the writer this old primary becomes a replica of once its region is back. */
  rejoinAsReplicaOf?: string;
  /**
   * A point-in-time restore (RDS RestoreDBInstanceToPointInTime, Cloud SQL clone at a point in
   * time): the real ms time its data was restored to, and the instance it was restored from. A
   * restored instance is standalone, in the source's region, and replicates nothing.
   */
  restoredTo?: number;
  restoredFrom?: string;
}

/**
 * Whether an instance's data holds the corruption: a restored instance holds the data of its
 * restore time, so it is clean when that is before the logical corruption was written (a storage
 * fault is not in the transaction log it is rebuilt from); any other instance carries what the
 * writer carries (a synchronous standby and the replicas receive the same writes).
 */
export function dataCorrupted(stack: StackWorld, inst: DbInstanceWorld): boolean {
  const at = stack.database.logicalCorruptionAt;
  if (inst.restoredTo !== undefined) return at !== undefined && inst.restoredTo >= at;
  return stack.database.corrupted;
}

/** The instances of a stack's database (RDS and Cloud SQL stacks only). */
export function instancesOf(stack: StackWorld): Map<string, DbInstanceWorld> | undefined {
  return stack.database.instances;
}

/** The instance the application writes to (the logical database's writer). */
export function writerInstance(stack: StackWorld): DbInstanceWorld | undefined {
  const db = stack.database;
  return db.writerId ? db.instances?.get(db.writerId) : undefined;
}

export function replicasOf(stack: StackWorld, id: string): DbInstanceWorld[] {
  return [...(stack.database.instances?.values() ?? [])].filter((i) => i.source === id);
}

/** A replica that has finished building and whose source's region is up replicates. */
export function replicates(stack: StackWorld, inst: DbInstanceWorld): boolean {
  const source = inst.source ? stack.database.instances?.get(inst.source) : undefined;
  return (
    source !== undefined &&
    inst.status !== 'creating' &&
    stack.database.replicationHealthy &&
    stack.sites[source.site].up
  );
}

/**
 * The instance a site's application is bound to: the writer in its own site; else a built
 * replica of the writer there (reads local, writes forwarded to the writer); else a standalone
 * instance there (an orphan: the old endpoint still takes writes).
 */
export function boundInstance(stack: StackWorld, site: SiteName): DbInstanceWorld | undefined {
  const w = writerInstance(stack);
  if (!w) return undefined;
  if (w.site === site) return w;
  const all = [...(stack.database.instances?.values() ?? [])].filter((i) => i.site === site);
  return (
    all.find((i) => i.source === w.id && i.status !== 'creating') ??
    all.find((i) => !i.source && i.status !== 'creating')
  );
}

/** Standalone instances that are not the writer: they accept writes nobody replicates. */
export function orphansOf(stack: StackWorld): DbInstanceWorld[] {
  const w = writerInstance(stack);
  return [...(stack.database.instances?.values() ?? [])].filter((i) => !i.source && i !== w);
}

/** Derive the world's per-site database fields from the instances (called on every settle). */
export function syncTopology(world: World, stack: StackWorld): void {
  const db = stack.database;
  const w = writerInstance(stack);
  if (!db.instances || !w) return;
  // Cloud SQL replica failover: the old primary rejoins as a replica of the promoted DR replica
  // when it comes back online (SqlInstancesPromoteReplicaRequest.failover,
  // https://cloud.google.com/sql/docs/postgres/admin-api/rest/v1/instances/promoteReplica)
  for (const i of db.instances.values()) {
    if (i.rejoinAsReplicaOf && stack.sites[i.site].up && db.instances.has(i.rejoinAsReplicaOf)) {
      i.source = i.rejoinAsReplicaOf;
      i.rejoinAsReplicaOf = undefined;
    }
  }
  db.writer = w.site;
  // once the application writes to a restored instance, the data it sees is that instance's
  if (w.restoredTo !== undefined) db.corrupted = dataCorrupted(stack, w);
  for (const site of ['primary', 'dr'] as const) {
    const bound = boundInstance(stack, site);
    db.writable[site] = bound !== undefined && !bound.source;
  }
  db.replicating = replicasOf(stack, w.id).some((r) => r.site !== w.site && r.status !== 'creating');
  // With nothing writing to the writer (both sites fenced, or drained) and its region up, an
  // asynchronous replica catches up: lag 0. While the writer's region is down the last lag stays.
  db.caughtUp =
    stack.sites[w.site].up && !world.acceptsWrites(stack, 'primary') && !world.acceptsWrites(stack, 'dr');
}

/** The sandbox's starting instances of a stack: the Multi-AZ / HA primary and its DR replica. */
export function startingInstances(
  primary: { id: string; zone: string },
  replica: { id: string; zone: string },
): Map<string, DbInstanceWorld> {
  const at = Date.now() - 400 * 86400_000;
  return new Map([
    [
      primary.id,
      {
        id: primary.id,
        site: 'primary',
        zone: primary.zone,
        multiAZ: true,
        backupRetentionDays: 7,
        encrypted: true,
        kmsKeyId: 'alias/aws/rds',
        status: 'available',
        createdAt: at,
      },
    ],
    [
      replica.id,
      {
        id: replica.id,
        site: 'dr',
        zone: replica.zone,
        source: primary.id,
        multiAZ: false,
        backupRetentionDays: 0,
        encrypted: true,
        kmsKeyId: 'alias/aws/rds',
        status: 'available',
        createdAt: at,
      },
    ],
  ]);
}

/**
 * Promote a replica: standalone from now on, backups on (RDS default retention 1), and the
 * application's writer when it replicated from the writer. The old source is left as it is: it
 * keeps accepting writes.
 */
export function promoteInstance(stack: StackWorld, inst: DbInstanceWorld, retentionDays = 1): void {
  const db = stack.database;
  const wasWriterReplica = inst.source === db.writerId;
  inst.source = undefined;
  inst.promotedAt = Date.now();
  if (inst.backupRetentionDays === 0) inst.backupRetentionDays = retentionDays;
  if (wasWriterReplica) db.writerId = inst.id;
  db.failovers++;
}

/**
 * Cloud SQL advanced DR (https://cloud.google.com/sql/docs/postgres/use-advanced-disaster-recovery):
 * the designated DR replica of the writer, when the writer is Enterprise Plus and names one.
 */
export function designatedDrReplica(stack: StackWorld, writer: DbInstanceWorld): DbInstanceWorld | undefined {
  const r = writer.drReplica ? stack.database.instances?.get(writer.drReplica) : undefined;
  return writer.edition === 'ENTERPRISE_PLUS' && r?.source === writer.id ? r : undefined;
}

/**
 * Replica failover (promoteReplica with failover=true): the DR replica becomes the writer, and its
 * old primary becomes its replica (now if its region answers, else when it comes back online),
 * designated as the new writer's DR replica.
 */
export function replicaFailover(stack: StackWorld, inst: DbInstanceWorld): void {
  const old = inst.source ? stack.database.instances?.get(inst.source) : undefined;
  promoteInstance(stack, inst);
  inst.edition = 'ENTERPRISE_PLUS';
  if (!old) return;
  inst.drReplica = old.id;
  old.drReplica = undefined;
  if (stack.sites[old.site].up) old.source = inst.id;
  else old.rejoinAsReplicaOf = inst.id;
}

/**
 * Switchover: the roles of the primary and its DR replica are reversed with zero data loss (the
 * replica takes over once it has applied everything); the old primary is the new DR replica.
 */
export function switchoverInstance(stack: StackWorld, replica: DbInstanceWorld): void {
  const db = stack.database;
  const old = replica.source ? db.instances?.get(replica.source) : undefined;
  if (!old) return;
  replica.source = undefined;
  replica.promotedAt = Date.now();
  if (replica.backupRetentionDays === 0) replica.backupRetentionDays = old.backupRetentionDays || 1;
  old.source = replica.id;
  replica.drReplica = old.id;
  old.drReplica = undefined;
  if (db.writerId === old.id) db.writerId = replica.id;
  db.failovers++;
}
