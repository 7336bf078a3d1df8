/**
 * RDS adapter: the Multi-AZ primary instance in the primary region and its cross-region read
 * replica in the DR region. In-region failover = RebootDBInstance with ForceFailover; cross-region
 * = PromoteReadReplica. The adapter observes, starts and polls; it never retries nor decides.
 */
import {
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  DescribeEventsCommand,
  PromoteReadReplicaCommand,
  RDSClient,
  RebootDBInstanceCommand,
  type DBInstance,
} from '@aws-sdk/client-rds';
import { classify, UserError, wrapSdkError } from '../../engine/errors.js';
import type { SiteName } from '../../plan/types.js';
import type { DatabaseProvider, DatabaseState, Operation, OperationStatus } from '../types.js';
import { clientConfig, expectKind, type AwsProviderOptions, type Stack, deadlineBound } from './common.js';

/**
 * RDS statuses during which the writer may be changing: a reboot (a force failover shows as
 * rebooting), a start or stop, a creation or deletion. A read replica being promoted shows
 * modifying, so the replica's modifying counts too.
 */
const BUSY = new Set(['rebooting', 'starting', 'stopping', 'creating', 'deleting']);

/**
 * Statuses of routine work that does not move the writer: a failover does not wait for them as if
 * they were one, but RDS reboots (fails over) only an available instance
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/accessing-monitoring.html#Overview.DBInstance.Status,
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_RebootInstance.html).
 */
const ROUTINE = new Set([
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

/** How far back DescribeEvents reaches: RDS keeps events 14 days. */
const EVENTS_KEPT_MS = 14 * 86400_000 - 60_000;

const FAILED = new Set([
  'failed',
  'incompatible-parameters',
  'incompatible-restore',
  'incompatible-network',
  'storage-full',
]);

async function call<T>(operation: string, fn: () => Promise<T>, resource?: string): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw wrapSdkError('rds', operation, err, resource);
  }
}

/**
 * True when the error means "the region is not serving": a network failure (no HTTP status) or a
 * 5xx. A degraded region often still answers, with 503 ServiceUnavailable or 500 InternalFailure
 * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/CommonErrors.html); throwing on it
 * made the engine retry describe() to the deadline, so the DR promotion never happened. Reading
 * it as unreachable only marks the primary so (primaryReachable false), as the Azure and GCP
 * adapters do; nothing is changed there on that basis. Throttling stays the caller's to retry.
 */
function unreachable(err: unknown): boolean {
  const c = classify(err);
  const status = (err as { status?: number }).status;
  return c.kind === 'transient' && (status === undefined || status === 0 || status >= 500);
}

/** `DatabaseProvider` over Amazon RDS. */
export class AwsDatabase implements DatabaseProvider {
  private readonly instance: string;
  private readonly replica?: string;
  private readonly clients: Record<SiteName, RDSClient>;
  private readonly regions: Record<SiteName, string>;

  constructor(stack: Stack, opts: AwsProviderOptions = {}) {
    const db = expectKind(stack.database, 'rds', 'database');
    this.instance = db.instance;
    this.replica = db.replica || undefined;
    this.regions = { primary: stack.primary.region, dr: stack.dr.region };
    const endpoint = stack.endpoints?.rds;
    this.clients = {
      primary: deadlineBound(new RDSClient(clientConfig(this.regions.primary, endpoint, opts))),
      dr: deadlineBound(new RDSClient(clientConfig(this.regions.dr, endpoint, opts))),
    };
  }

  private async instanceIn(site: SiteName, id: string): Promise<DBInstance> {
    const out = await call(
      'DescribeDBInstances',
      () => this.clients[site].send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id })),
      `DB instance ${id} in ${this.regions[site]}`,
    );
    const found = out.DBInstances?.[0];
    if (!found) {
      throw new UserError(
        `RDS instance ${id} was not returned by DescribeDBInstances in ${this.regions[site]}: check database.instance / database.replica and the region.`,
      );
    }
    return found;
  }

  async describe(): Promise<DatabaseState> {
    const [p, r] = await Promise.allSettled([
      this.instanceIn('primary', this.instance),
      this.replica ? this.instanceIn('dr', this.replica) : Promise.resolve(undefined),
    ]);
    let primary: DBInstance | undefined;
    if (p.status === 'fulfilled') primary = p.value;
    else if (!unreachable(p.reason)) throw p.reason;
    if (r.status === 'rejected') throw r.reason;
    const replica = r.value;
    const primaryReachable = primary !== undefined;
    const promoted = replica !== undefined && !replica.ReadReplicaSourceDBInstanceIdentifier;

    const writer: DatabaseState['writer'] = promoted
      ? 'dr'
      : primaryReachable || replica
        ? 'primary'
        : 'unknown';
    const statuses = [primary?.DBInstanceStatus, replica?.DBInstanceStatus].filter((s): s is string => !!s);
    const replicaBusy = replica?.DBInstanceStatus === 'modifying' && !promoted;
    const busyStatus = statuses.find((s) => BUSY.has(s)) ?? (replicaBusy ? 'modifying' : undefined);
    const routineStatus =
      primary?.DBInstanceStatus && ROUTINE.has(primary.DBInstanceStatus)
        ? primary.DBInstanceStatus
        : undefined;
    const writerInstance = writer === 'dr' ? replica : primary;
    const status = busyStatus ?? writerInstance?.DBInstanceStatus ?? 'unreachable';

    let replication: DatabaseState['replication'];
    if (!this.replica) {
      replication = {
        healthy: false,
        detail: 'no cross-region read replica is configured (database.replica)',
      };
    } else if (promoted) {
      replication = {
        healthy: false,
        detail: `${this.replica} is a standalone instance (promoted): it no longer replicates`,
      };
    } else {
      const info = replica?.StatusInfos?.find((s) => s.StatusType === 'read replication');
      replication = info
        ? {
            healthy: info.Normal === true && info.Status === 'replicating',
            detail: `read replication ${info.Status ?? 'unknown'}${info.Message ? `: ${info.Message}` : ''}`,
          }
        : { healthy: false, detail: `${this.replica} reports no read replication status` };
    }

    const lastBackup = primaryReachable ? await this.lastBackup() : undefined;
    return {
      writer,
      status,
      busy: busyStatus !== undefined,
      routine: routineStatus ? `${this.instance} is ${routineStatus}` : undefined,
      replication,
      writerZone: writerInstance?.AvailabilityZone,
      primaryReachable,
      lastBackup,
      raw: {
        primary: primary
          ? {
              id: primary.DBInstanceIdentifier,
              status: primary.DBInstanceStatus,
              multiAZ: primary.MultiAZ,
              zone: primary.AvailabilityZone,
              secondaryZone: primary.SecondaryAvailabilityZone,
            }
          : { id: this.instance, reachable: false },
        replica: replica
          ? {
              id: replica.DBInstanceIdentifier,
              status: replica.DBInstanceStatus,
              source: replica.ReadReplicaSourceDBInstanceIdentifier,
              zone: replica.AvailabilityZone,
            }
          : undefined,
      },
    };
  }

  async lastBackup(): Promise<Date | undefined> {
    const out = await call(
      'DescribeDBSnapshots',
      () =>
        this.clients.primary.send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: this.instance })),
      `snapshots of ${this.instance}`,
    );
    let newest: Date | undefined;
    for (const s of out.DBSnapshots ?? []) {
      if (s.Status !== 'available' || !s.SnapshotCreateTime) continue;
      if (!newest || s.SnapshotCreateTime > newest) newest = s.SnapshotCreateTime;
    }
    return newest;
  }

  async failover(
    target: SiteName,
    mode: 'in-region' | 'cross-region' | 'planned' | 'forced',
  ): Promise<Operation> {
    if (mode === 'planned' || mode === 'forced') {
      throw new UserError(
        `databaseMode ${mode} is an Azure SQL failover-group mode; an RDS database takes in-region (Multi-AZ force failover) or cross-region (promote the read replica).`,
      );
    }
    const started = Date.now();
    if (mode === 'in-region') {
      const id = target === 'primary' ? this.instance : this.replica;
      if (!id)
        throw new UserError(
          'database.replica is not set: an in-region failover on the DR site needs its instance identifier.',
        );
      await call(
        'RebootDBInstance',
        () =>
          this.clients[target].send(
            new RebootDBInstanceCommand({ DBInstanceIdentifier: id, ForceFailover: true }),
          ),
        `DB instance ${id} in ${this.regions[target]}`,
      );
      return {
        id: `rds:reboot:${target}:${id}:${started}`,
        description: `RDS Multi-AZ force failover of ${id} in ${this.regions[target]} (RebootDBInstance --force-failover)`,
      };
    }
    if (target !== 'dr') {
      throw new UserError(
        `A cross-region failover to the primary site is not an RDS operation: after a promotion, re-create a read replica of the DR writer in ${this.regions.primary} and fail back from it.`,
      );
    }
    const replica = this.replica;
    if (!replica) {
      throw new UserError(
        'database.replica is not set: a cross-region failover needs the DR read replica identifier (e.g. aegis-db-replica).',
      );
    }
    await call(
      'PromoteReadReplica',
      () => this.clients.dr.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: replica })),
      `read replica ${replica} in ${this.regions.dr}`,
    );
    return {
      id: `rds:promote:dr:${replica}:${started}`,
      description: `RDS PromoteReadReplica of ${replica} in ${this.regions.dr}`,
    };
  }

  /**
   * RDS keeps events 14 days; a Multi-AZ failover shows in category "failover" (RDS-EVENT-0013
   * started, 0015 "failover to standby complete", 0049 completed, 0034 abandoned), a promotion in
   * "read replica" (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html).
   */
  async failoverHistory(
    mode: 'in-region' | 'cross-region',
    since: Date | undefined,
  ): Promise<{ what: string; at: Date } | undefined> {
    const site: SiteName = mode === 'in-region' ? 'primary' : 'dr';
    const id = mode === 'in-region' ? this.instance : this.replica;
    if (!id) return undefined;
    const kept = new Date(Date.now() - EVENTS_KEPT_MS);
    const out = await call('DescribeEvents', () =>
      this.clients[site].send(
        new DescribeEventsCommand({
          SourceIdentifier: id,
          SourceType: 'db-instance',
          StartTime: since && since > kept ? since : kept,
          EventCategories: [mode === 'in-region' ? 'failover' : 'read replica'],
        }),
      ),
    );
    const newest = (out.Events ?? [])
      .filter((e) => e.Date && e.Message)
      .filter((e) => mode === 'in-region' || /promot/i.test(e.Message!))
      .sort((a, b) => b.Date!.getTime() - a.Date!.getTime())[0];
    return newest ? { what: `RDS event "${newest.Message}" on ${id}`, at: newest.Date! } : undefined;
  }

  async poll(op: Operation): Promise<OperationStatus> {
    const m = /^rds:(reboot|promote):(primary|dr):([^:]+):([0-9]+)$/.exec(op.id);
    if (!m)
      throw new UserError(
        `Operation id ${op.id} is not an RDS operation id of this adapter (rds:reboot|promote:site:instance:ms).`,
      );
    const [, kind, site, id, startedRaw] = m as unknown as [
      string,
      'reboot' | 'promote',
      SiteName,
      string,
      string,
    ];
    const inst = await this.instanceIn(site, id);
    const status = inst.DBInstanceStatus ?? 'unknown';
    if (FAILED.has(status)) return { done: true, error: `RDS instance ${id} is ${status}`, status };
    if (kind === 'promote') {
      const done = status === 'available' && !inst.ReadReplicaSourceDBInstanceIdentifier;
      return { done, status: done ? 'promoted' : status };
    }
    if (status !== 'available') return { done: false, status };
    // available again: done once a documented ending follows the call, read from the failover
    // category (the API gives no event id, so the category narrows and the text tells which)
    const since = new Date(Number(startedRaw) - 60_000);
    const out = await call('DescribeEvents', () =>
      this.clients[site].send(
        new DescribeEventsCommand({
          SourceIdentifier: id,
          SourceType: 'db-instance',
          StartTime: since,
          EventCategories: ['failover'],
        }),
      ),
    );
    const ending = failoverEnding(
      (out.Events ?? [])
        .filter((e) => e.Date && e.Message)
        .map((e) => ({ message: e.Message!, at: e.Date! })),
    );
    if (ending === 'abandoned')
      return {
        done: true,
        status: 'abandoned: a failover recently occurred (RDS-EVENT-0034), the writer stays where it is',
      };
    return { done: ending === 'completed', status: ending === 'completed' ? 'failover completed' : status };
  }
}

/**
 * How a Multi-AZ failover ended, from the instance's failover-category events since the call
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html):
 * RDS-EVENT-0013 started, then RDS-EVENT-0049 "Multi-AZ instance failover completed" or
 * RDS-EVENT-0015 "Multi-AZ failover to standby complete"; RDS-EVENT-0034 "Abandoning user
 * requested failover since a failover recently occurred" ends it with no failover.
 */
export function failoverEnding(
  events: { message: string; at: Date }[],
): 'completed' | 'abandoned' | undefined {
  // the newest beginning decides: the window reaches back past the call (clock skew), so an
  // earlier failover's events may be in it too
  const sorted = [...events].sort((a, b) => a.at.getTime() - b.at.getTime());
  let ending: 'completed' | 'abandoned' | undefined;
  let started = false;
  for (const e of sorted) {
    if (/abandoning user requested failover/i.test(e.message)) {
      ending = 'abandoned';
      started = false;
    } else if (/failover (has )?started/i.test(e.message)) {
      ending = undefined;
      started = true;
    } else if (started && /failover completed|failover to standby complete/i.test(e.message)) {
      ending = 'completed';
    }
  }
  return ending;
}
