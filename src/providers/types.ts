/**
 * What phases need from a cloud. A phase talks only to these interfaces; each cloud's adapter
 * (src/providers/<cloud>/) implements them over that cloud's official SDK. An adapter never knows
 * which phase called it and never retries: the engine does (see src/engine/retry.ts), and an
 * adapter only throws errors that the engine can classify (src/engine/errors.ts).
 */
import type { SiteName } from '../plan/types.js';
import type { DatabaseTopology } from './topology.js';

export type { DatabaseInstanceView, DatabaseTopology } from './topology.js';

/** A long-running operation started by an adapter; `poll` reports whether it has finished. */
export interface Operation {
  /** Provider's id for it (RDS event time, Route 53 change id, ARM operation URL, GCP operation name). */
  id: string;
  /** Human description for the journal. */
  description: string;
}

export interface OperationStatus {
  done: boolean;
  /** Set when the operation finished in error. */
  error?: string;
  /** Raw provider status, for the journal. */
  status?: string;
}

export interface DatabaseState {
  /** Which site holds the writable primary, as far as the cloud says. */
  writer: SiteName | 'unknown';
  /** Provider status of the instance / group (available, rebooting, failing-over, ...). */
  status: string;
  /** True while an operation that changes the writer (failover, promotion, reboot) is under way. */
  busy: boolean;
  /**
   * An operation under way that does not change the writer (an automated backup, a maintenance
   * update, a modification), in words: a failover does not wait for it as if it were one, but the
   * cloud may refuse a failover until it ends.
   */
  routine?: string;
  /** Replication health by the cloud's own status (RDS StatusInfos, failover group replicationState, Cloud SQL replica state). */
  replication: { healthy: boolean; detail: string };
  /** Availability zone / location of the writer, when the cloud tells it (in-region failover moves it). */
  writerZone?: string;
  /** Whether the primary-region side answered at all. */
  primaryReachable: boolean;
  /** Newest successful backup, when the cloud tells it. */
  lastBackup?: Date;
  /** Counters of failovers this adapter can see (informational). */
  raw?: Record<string, unknown>;
  /**
   * RDS and Cloud SQL: the writer, its replicas and the orphans, discovered from the cloud on
   * every describe (Azure failover groups: undefined, the group's roles say it all).
   */
  topology?: DatabaseTopology;
}

/** What reprotect asks of a cloud whose promoted replica cannot become a replica again. */
export interface ReplicaSpec {
  /** The writer to replicate from. */
  source: string;
  /** Where the new replica goes. */
  site: SiteName;
  name: string;
  /** RDS: a KMS key of the destination region, for an encrypted source. */
  kmsKeyId?: string;
}

/** A database's restore points, where the cloud keeps them as a window rather than as backups. */
export interface RestorePoints {
  /** Start of a continuous point-in-time restore window that runs to now (Azure SQL's CONTINUOUS point). */
  continuousFrom?: Date;
  /** Newest discrete restore point, when there are any. */
  newestDiscrete?: Date;
  /** What the cloud listed, in words (for the check's message): the database and its points. */
  found: string;
}

/** Where a replication lag reading came from: the cloud's monitoring service, or the application's own metric. */
export type LagSource = 'cloudwatch' | 'cloud-monitoring' | 'failover-group' | 'app-metric';

/**
 * One replication lag datapoint as the cloud's monitoring service reports it: the newest one
 * within its lookback. Its age is what an RPO upper bound adds when the primary has vanished.
 */
export interface LagReading {
  /** Seconds the replica was behind its source at `observedAt`. */
  seconds: number;
  /** When the cloud observed it (the datapoint's timestamp). */
  observedAt: Date;
  source: LagSource;
  /** The replica the reading is about. */
  replica: string;
}

/** How far back the writer can be restored, as the cloud reports it. */
export interface RestoreWindow {
  /** The instance (RDS, Cloud SQL) or database (Azure SQL) a restore starts from: the writer. */
  source: string;
  /** RDS RestoreWindow.EarliestTime, Cloud SQL the transaction log retention, Azure earliestRestoreDate. */
  earliest?: Date;
  /** RDS LatestRestorableTime; undefined where the window runs to now. */
  latest?: Date;
  /** What the cloud said, in words, for an error message. */
  found: string;
}

/** A point-in-time restore to a new instance (or database). */
export interface RestoreSpec {
  source: string;
  name: string;
  restoreTime: Date;
}

/** An instance (or database) a point-in-time restore created, as the cloud reports it now. */
export interface RestoredDatabase {
  id: string;
  /** Provider status (creating, available, PENDING_CREATE, RUNNABLE, Online, ...). */
  status: string;
  /** Ready for the application. */
  available: boolean;
  /** The restore ended in error, in the cloud's words. */
  failed?: string;
  /** host:port the cloud gives the application to connect to, once it has one. */
  endpoint?: string;
}

export interface DatabaseProvider {
  describe(): Promise<DatabaseState>;
  /**
   * The newest replication lag datapoint the cloud's monitoring reports for the writer's replica
   * in `site` (RDS: CloudWatch AWS/RDS ReplicaLag; Cloud SQL: Cloud Monitoring
   * database/replication/replica_lag), or undefined when it reports none (no datapoint within
   * the lookback: the metric stops when replication does). Absent where the cloud's API gives no
   * lag in seconds (an Azure SQL failover group gives a replication state only).
   */
  replicationLag?(site: SiteName): Promise<LagReading | undefined>;
  /** Newest successful backup time of the primary. */
  lastBackup(): Promise<Date | undefined>;
  /**
   * The restore points of the writer's database, for a cloud whose backups are a continuous
   * window (Azure SQL Database) rather than discrete backups with a time: readiness checks the
   * window instead of `lastBackup`.
   */
  restorePoints?(): Promise<RestorePoints>;
  /**
   * Start a failover that makes `target` the writer.
   * mode in-region keeps the writer in the primary region (Multi-AZ / HA standby);
   * cross-region promotes the DR replica; planned / forced are Azure failover-group flavours.
   */
  failover(target: SiteName, mode: 'in-region' | 'cross-region' | 'planned' | 'forced'): Promise<Operation>;
  poll(op: Operation): Promise<OperationStatus>;
  /**
   * The newest failover of `mode` that the cloud's own history shows since `since` (or over all
   * the history it keeps): RDS failover-category events, Cloud SQL operations of type FAILOVER /
   * PROMOTE_REPLICA. Undefined when there is none, or when the cloud's state already tells (an
   * Azure failover group's roles).
   */
  failoverHistory(
    mode: 'in-region' | 'cross-region',
    since: Date | undefined,
  ): Promise<{ what: string; at: Date } | undefined>;
  /** Start building a cross-region replica of the writer (RDS CreateDBInstanceReadReplica, Cloud SQL instances.insert). */
  createReplica?(spec: ReplicaSpec): Promise<Operation>;
  /** Turn Multi-AZ / HA on for an instance (RDS ModifyDBInstance MultiAZ, Cloud SQL availabilityType REGIONAL). */
  enableHighAvailability?(id: string, site: SiteName): Promise<Operation>;
  /** How far back the writer can be restored (point-in-time recovery). */
  restoreWindow?(): Promise<RestoreWindow>;
  /** The instance a restore created under `name`, or undefined when there is none. */
  restored?(name: string): Promise<RestoredDatabase | undefined>;
  /**
   * Restore the writer to a point in time as a new standalone instance (RDS
   * RestoreDBInstanceToPointInTime, Cloud SQL instances.clone with pointInTime, Azure SQL
   * databases create with createMode PointInTimeRestore).
   */
  restoreToPointInTime?(spec: RestoreSpec): Promise<Operation>;
}

export interface TrafficState {
  /** Which site the record / profile sends traffic to. */
  active: SiteName | 'unknown' | 'both';
  /** Value(s) currently served. */
  values: string[];
  ttl?: number;
  /**
   * Where the switch itself is set, when traffic can go elsewhere by health alone (Route 53
   * failover records: traffic reaches dr by itself while the primary is down, and comes back by
   * itself when it recovers unless the switch holds it on dr). A switch to a site is done only
   * when both `active` and this (when given) name it.
   */
  switchedTo?: SiteName;
  /** Primary health check / endpoint status, when the service has one. */
  detail?: Record<string, unknown>;
}

export interface TrafficProvider {
  describe(): Promise<TrafficState>;
  /** Point the traffic at `target` (UPSERT, endpoint status, record patch). Health-check changes included. */
  switchTo(target: SiteName, ttlSeconds: number): Promise<Operation>;
  poll(op: Operation): Promise<OperationStatus>;
  /** The DNS name and the value it must resolve to for `target`, for the DNS confirmation. */
  expectation(target: SiteName): { name: string; type: string; value: string };
  /** Authoritative TTL of the record as the traffic service stores it. */
  /** What the switch depends on, for readiness (absent: nothing to say beyond the other checks). */
  switchPlane?(): Promise<SwitchPlane>;
}

/** Which plane a traffic switch calls, and whether the data-plane pieces it relies on exist. */
export interface SwitchPlane {
  /** Set when the switch calls a control plane: its service, the region it depends on, the call. */
  controlPlane?: { service: string; region: string; calls: string; note?: string };
  /** Data-plane pieces the switch relies on, each found or not, in words. */
  pieces: { name: string; found: boolean; detail: string }[];
}

export interface NodePoolState {
  /**
   * The size the cloud is taking the pool to, where the pool resource says it (EKS desiredSize,
   * AKS count), as a total over its zones. Absent where it does not: a GKE node pool's
   * `initialNodeCount` is its creation value, so its size is the count of its nodes.
   */
  desired?: number;
  /**
   * How many zones the pool's size is set per: a regional GKE pool's setSize is per zone, so its
   * total is a multiple of this. Absent: the size is set as a total (EKS, AKS).
   */
  zones?: number;
  /** Autoscaling / scaling bounds, as totals over the pool's zones. */
  min: number;
  max: number;
  status: string;
  busy: boolean;
}

/** Whether a site's cluster enforces NetworkPolicy, as its cloud reports the network plugin. */
export interface NetworkPolicyEnforcement {
  enforced: boolean;
  /** What the cloud says, in words (the setting read and its value). */
  detail: string;
}

/** A vCPU quota that bounds a node pool's machine family in a region. */
export interface QuotaLimit {
  /** The quota as the cloud names it (with its code): `... Standard (A, C, ...) instances (L-1216C47A)`, `standardDSv5Family`, `E2_CPUS`. */
  name: string;
  /** vCPUs allowed. */
  limit: number;
  /** vCPUs in use, where the API gives it (Azure usages, GCP region quotas); absent for AWS Service Quotas. */
  usage?: number;
}

/** What a site's region allows a node pool: its machine type, that type's vCPUs, and the quotas. */
export interface PoolCapacity {
  region: string;
  machineType: string;
  vcpusPerNode: number;
  /** Every quota the pool's nodes count against (family, regional total), most specific first. */
  quotas: QuotaLimit[];
  /** What was not read, in words (AWS: the usage). */
  note?: string;
}

export interface NodePoolProvider {
  /** The site's region quotas for the pool's machine family (readiness "DR quota"). */
  capacity?(site: SiteName): Promise<PoolCapacity>;
  describe(site: SiteName): Promise<NodePoolState>;
  /** Whether the site's cluster enforces NetworkPolicy (the network-policy fence relies on it). */
  networkPolicy(site: SiteName): Promise<NetworkPolicyEnforcement>;
  resize(site: SiteName, size: { min: number; max: number; desired: number }): Promise<Operation>;
  poll(site: SiteName, op: Operation): Promise<OperationStatus>;
}

/** Everything a phase can ask of one stack's cloud. */
export interface CloudProviders {
  database: DatabaseProvider;
  traffic: TrafficProvider;
  nodePool: NodePoolProvider;
}
