/**
 * RDS adapter: the logical database's instances, discovered on every describe (the plan's Multi-AZ
 * primary and DR read replica to start with; see rds-topology.ts). In-region failover =
 * RebootDBInstance with ForceFailover of the writer; cross-region = PromoteReadReplica of the
 * writer's replica in the target region; reprotect = CreateDBInstanceReadReplica and
 * ModifyDBInstance MultiAZ. The adapter observes, starts and polls; it never retries nor decides.
 */
import {
  CreateDBInstanceReadReplicaCommand,
  DescribeDBInstancesCommand,
  ModifyDBInstanceCommand,
  DescribeDBSnapshotsCommand,
  DescribeEventsCommand,
  PromoteReadReplicaCommand,
  RDSClient,
  RebootDBInstanceCommand,
  type DBInstance,
} from '@aws-sdk/client-rds';
import { classify, UserError, wrapSdkError } from '../../engine/errors.js';
import { aws, type ProviderPermissions } from '../../permissions/types.js';
import type { SiteName } from '../../plan/types.js';
import {
  buildTopology,
  DEFAULT_REPLICA_PATTERN,
  replicaIn,
  type DatabaseInstanceView,
  type DatabaseTopology,
} from '../topology.js';
import type {
  DatabaseProvider,
  DatabaseState,
  LagReading,
  Operation,
  OperationStatus,
  ReplicaSpec,
  RestoredDatabase,
  RestoreSpec,
  RestoreWindow,
} from '../types.js';
import { CloudWatchLag, PERMISSIONS as CLOUDWATCH_PERMISSIONS } from './cloudwatch-lag.js';
import { failoverEnding } from './rds-events.js';
import {
  rdsRestore,
  rdsRestored,
  rdsRestoreWindow,
  PERMISSIONS as RESTORE_PERMISSIONS,
} from './rds-restore.js';
import { BUSY, FAILED, membersOf, replicationWords, ROUTINE } from './rds-topology.js';

export { failoverEnding };
import { clientConfig, expectKind, type AwsProviderOptions, type Stack, deadlineBound } from './common.js';

/**
 * What each method may call, and the IAM action of each call
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html).
 * Every method reads the topology first (DescribeDBInstances of both regions, DescribeEvents for
 * the promotion dates). DescribeDBInstances is called without an identifier to list a region's
 * instances, and DescribeEvents has no resource type: both need "*". A cross-region replica of an
 * encrypted instance needs the destination key (kms:CreateGrant, kms:DescribeKey: "Creating a read
 * replica in a different AWS Region", https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.XRgn.html).
 */
const TOPOLOGY_READS = [aws('rds', 'DescribeDBInstances'), aws('rds', 'DescribeEvents')];
export const PERMISSIONS = {
  // DescribeDBSnapshots is authorized on the snapshots as well as the instance: "*"
  describe: [...TOPOLOGY_READS, aws('rds', 'DescribeDBSnapshots')],
  lastBackup: [...TOPOLOGY_READS, aws('rds', 'DescribeDBSnapshots')],
  failover: [
    ...TOPOLOGY_READS,
    aws('rds', 'RebootDBInstance', { mutates: true, scope: 'rds-db' }),
    aws('rds', 'PromoteReadReplica', { mutates: true, scope: 'rds-db' }),
  ],
  poll: [...TOPOLOGY_READS],
  failoverHistory: [...TOPOLOGY_READS],
  createReplica: [
    ...TOPOLOGY_READS,
    aws('rds', 'CreateDBInstanceReadReplica', {
      mutates: true,
      extra: ['kms:CreateGrant', 'kms:DescribeKey'],
      why: 'an encrypted cross-region replica uses a KMS key of its region',
    }),
  ],
  enableHighAvailability: [aws('rds', 'ModifyDBInstance', { mutates: true, scope: 'rds-db' })],
  restoreWindow: [...TOPOLOGY_READS, ...RESTORE_PERMISSIONS.restoreWindow],
  restored: [...TOPOLOGY_READS, ...RESTORE_PERMISSIONS.restored],
  restoreToPointInTime: [...TOPOLOGY_READS, ...RESTORE_PERMISSIONS.restoreToPointInTime],
  // the read itself is CloudWatch's: see src/providers/aws/cloudwatch-lag.ts
  replicationLag: [...TOPOLOGY_READS, ...CLOUDWATCH_PERMISSIONS.replicaLag],
} satisfies ProviderPermissions;

/** How far back DescribeEvents reaches: RDS keeps events 14 days. */
const EVENTS_KEPT_MS = 14 * 86400_000 - 60_000;

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
  private readonly pattern: string;
  private readonly clients: Record<SiteName, RDSClient>;
  private readonly regions: Record<SiteName, string>;
  private readonly lag: CloudWatchLag;

  constructor(stack: Stack, opts: AwsProviderOptions = {}) {
    const db = expectKind(stack.database, 'rds', 'database');
    this.instance = db.instance;
    this.replica = db.replica || undefined;
    this.pattern = db.replicaNamePattern ?? DEFAULT_REPLICA_PATTERN;
    this.regions = { primary: stack.primary.region, dr: stack.dr.region };
    const endpoint = stack.endpoints?.rds;
    this.clients = {
      primary: deadlineBound(new RDSClient(clientConfig(this.regions.primary, endpoint, opts))),
      dr: deadlineBound(new RDSClient(clientConfig(this.regions.dr, endpoint, opts))),
    };
    this.lag = new CloudWatchLag(stack.endpoints?.cloudwatch, opts);
  }

  /**
   * CloudWatch's ReplicaLag of the writer's replica in `site` (by the cloud's topology; with the
   * writer's region gone, the plan's `database.replica` in DR), or undefined when CloudWatch
   * holds no datapoint for it.
   */
  async replicationLag(site: SiteName): Promise<LagReading | undefined> {
    let id: string | undefined;
    try {
      id = replicaIn((await this.topology()).topology, site)?.id;
    } catch {
      id = undefined;
    }
    id ??= site === 'dr' ? this.replica : undefined;
    if (!id) return undefined;
    return this.lag.replicaLag(id, this.regions[site]);
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

  /** Every DB instance of a region (paginated), or undefined when the region does not answer. */
  private async listIn(site: SiteName): Promise<DBInstance[] | undefined> {
    const out: DBInstance[] = [];
    let marker: string | undefined;
    try {
      do {
        const page = await call(
          'DescribeDBInstances',
          () => this.clients[site].send(new DescribeDBInstancesCommand({ Marker: marker, MaxRecords: 100 })),
          `DB instance ${this.instance} and its replicas in ${this.regions[site]}`,
        );
        out.push(...(page.DBInstances ?? []));
        marker = page.Marker;
      } while (marker);
    } catch (err) {
      if (site === 'primary' && unreachable(err)) return undefined;
      throw err;
    }
    return out;
  }

  /** When the cloud's events show `id` promoted last (category "read replica", kept 14 days). */
  private async promotedAt(site: SiteName, id: string): Promise<Date | undefined> {
    const out = await call('DescribeEvents', () =>
      this.clients[site].send(
        new DescribeEventsCommand({
          SourceIdentifier: id,
          SourceType: 'db-instance',
          StartTime: new Date(Date.now() - EVENTS_KEPT_MS),
          EventCategories: ['read replica'],
        }),
      ),
    );
    return (out.Events ?? [])
      .filter((e) => e.Date && /has been promoted/i.test(e.Message ?? ''))
      .map((e) => e.Date!)
      .sort((a, b) => b.getTime() - a.getTime())[0];
  }

  /** The logical database's instances and which one is the writer, from the cloud. */
  async topology(): Promise<{
    topology: DatabaseTopology;
    raw: Map<string, DBInstance>;
    primaryReachable: boolean;
  }> {
    const [p, d] = await Promise.all([this.listIn('primary'), this.listIn('dr')]);
    const { views, raw } = membersOf(
      [
        { site: 'primary', region: this.regions.primary, instances: p },
        { site: 'dr', region: this.regions.dr, instances: d },
      ],
      { instance: this.instance, replica: this.replica, pattern: this.pattern },
    );
    if (views.length === 0) {
      throw new UserError(
        `RDS instance ${this.instance} was not returned by DescribeDBInstances in ${p ? `${this.regions.primary} or ` : ''}${this.regions.dr}, nor any replica of it: check database.instance / database.replica and the regions.`,
      );
    }
    // the cloud's history is asked only when the live fields cannot tell the writer
    const standalone = views.filter((v) => !v.source && v.reachable);
    const withReplicas = standalone.filter((v) => views.some((r) => r.source === v.id));
    const dates = new Map<string, Date | undefined>();
    if (standalone.length > 1 && withReplicas.length !== 1) {
      await Promise.all(
        standalone.map(async (v) =>
          dates.set(v.id, v.site === 'unknown' ? undefined : await this.promotedAt(v.site, v.id)),
        ),
      );
    }
    return {
      topology: buildTopology(views, this.instance, (id) => dates.get(id)),
      raw,
      primaryReachable: p !== undefined,
    };
  }

  async describe(): Promise<DatabaseState> {
    const { topology, raw, primaryReachable } = await this.topology();
    const w = topology.writer;
    const writer: DatabaseState['writer'] = w && w.site !== 'unknown' ? w.site : 'unknown';
    const other: SiteName = writer === 'dr' ? 'primary' : 'dr';
    // Only what moves the writer is busy: the writer rebooting, or a replica of it promoted
    // (modifying); a replica being built (creating) is not.
    const busyStatus =
      w && BUSY.has(w.status) && w.status !== 'creating'
        ? w.status
        : topology.replicas.some((r) => r.status === 'modifying')
          ? 'modifying'
          : undefined;
    const routineStatus = w && ROUTINE.has(w.status) ? w.status : undefined;
    const status = busyStatus ?? (w?.reachable ? w.status : 'unreachable');

    const there = topology.replicas.filter((r) => r.site === other);
    const chosen = replicaIn(topology, other) ?? there[0];
    let replication: DatabaseState['replication'];
    if (!chosen) {
      replication = {
        healthy: false,
        detail: this.replica
          ? `${w?.id ?? this.instance} has no read replica in ${this.regions[other]}${topology.orphans.some((o) => o.id === this.replica) ? ` (${this.replica} is a standalone instance (promoted): it no longer replicates)` : ''}: run reprotect`
          : 'no cross-region read replica is configured (database.replica)',
      };
    } else if (chosen.building) {
      replication = { healthy: false, detail: `replica ${chosen.id} is being built (${chosen.status})` };
    } else {
      replication = { healthy: chosen.healthy === true, detail: replicationWords(raw.get(chosen.id)) };
    }

    const lastBackup = w?.reachable ? await this.lastBackupOf(w) : undefined;
    const view = (id: string | undefined) => {
      const i = id ? raw.get(id) : undefined;
      return i
        ? {
            id: i.DBInstanceIdentifier,
            status: i.DBInstanceStatus,
            multiAZ: i.MultiAZ,
            zone: i.AvailabilityZone,
            secondaryZone: i.SecondaryAvailabilityZone,
            source: i.ReadReplicaSourceDBInstanceIdentifier,
          }
        : undefined;
    };
    return {
      writer,
      status,
      busy: busyStatus !== undefined,
      routine: routineStatus ? `${w!.id} is ${routineStatus}` : undefined,
      replication,
      writerZone: w?.zone,
      primaryReachable,
      lastBackup,
      topology,
      raw: {
        primary: view(this.instance) ?? { id: this.instance, reachable: primaryReachable },
        replica: view(this.replica),
        writer: w?.id,
        writerBasis: topology.basis,
      },
    };
  }

  private async lastBackupOf(w: DatabaseInstanceView): Promise<Date | undefined> {
    if (w.site === 'unknown') return undefined;
    const site = w.site;
    const out = await call(
      'DescribeDBSnapshots',
      () => this.clients[site].send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: w.id })),
      `snapshots of ${w.id}`,
    );
    let newest: Date | undefined;
    for (const s of out.DBSnapshots ?? []) {
      if (s.Status !== 'available' || !s.SnapshotCreateTime) continue;
      if (!newest || s.SnapshotCreateTime > newest) newest = s.SnapshotCreateTime;
    }
    return newest;
  }

  async lastBackup(): Promise<Date | undefined> {
    const { topology } = await this.topology();
    const w = topology.writer;
    // a writer whose region did not answer: ask it anyway, so the caller sees why
    return this.lastBackupOf(
      w?.reachable ? w : { id: this.instance, site: 'primary', status: '?', reachable: false },
    );
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
    const { topology } = await this.topology();
    const w = topology.writer;
    if (mode === 'in-region') {
      if (!w || w.site !== target) {
        throw new UserError(
          `An in-region failover on ${target} needs the writer there, but it is ${w ? `${w.id} on ${w.site}` : 'unknown'}: use databaseMode cross-region.`,
        );
      }
      await call(
        'RebootDBInstance',
        () =>
          this.clients[target].send(
            new RebootDBInstanceCommand({ DBInstanceIdentifier: w.id, ForceFailover: true }),
          ),
        `DB instance ${w.id} in ${this.regions[target]}`,
      );
      return {
        id: `rds:reboot:${target}:${w.id}:${started}`,
        description: `RDS Multi-AZ force failover of ${w.id} in ${this.regions[target]} (RebootDBInstance --force-failover)`,
      };
    }
    // Cross-region: promote the writer's replica in the target region. A promotion that already
    // landed (the writer is there) or is under way (the replica is modifying) is not asked again:
    // a second PromoteReadReplica is refused with "is not a read replica".
    if (w && w.site === target) {
      return {
        id: `rds:promote:${target}:${w.id}:${started}`,
        description: `RDS PromoteReadReplica of ${w.id} in ${this.regions[target]} (already landed)`,
      };
    }
    const there = topology.replicas.filter((r) => r.site === target);
    const underway = there.find((r) => r.status === 'modifying');
    const replica =
      underway ?? there.find((r) => r.id === this.replica && !r.building) ?? there.find((r) => !r.building);
    if (!replica) {
      throw new UserError(
        `${w?.id ?? this.instance} has no read replica in ${this.regions[target]} to promote${there.length ? ` (${there.map((r) => `${r.id} ${r.status}`).join(', ')})` : ''}: run reprotect and wait until it reports the replica healthy, then run this again.`,
      );
    }
    if (!underway) {
      await call(
        'PromoteReadReplica',
        () => this.clients[target].send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: replica.id })),
        `read replica ${replica.id} in ${this.regions[target]}`,
      );
    }
    return {
      id: `rds:promote:${target}:${replica.id}:${started}`,
      description: `RDS PromoteReadReplica of ${replica.id} in ${this.regions[target]}`,
    };
  }

  /**
   * CreateDBInstanceReadReplica, sent to the destination Region with the source named by its ARN
   * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html,
   * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.XRgn.html). `SourceRegion`
   * lets the SDK sign the PreSignedUrl an encrypted cross-Region copy needs.
   */
  async createReplica(spec: ReplicaSpec): Promise<Operation> {
    const started = Date.now();
    const { topology } = await this.topology();
    const source = topology.writer?.id === spec.source ? topology.writer : undefined;
    if (!source || source.site === 'unknown') {
      throw new UserError(
        `RDS instance ${spec.source} is not the writer of the database any more (the writer is ${topology.writer?.id ?? 'unknown'}): run reprotect again.`,
      );
    }
    const cross = source.site !== spec.site;
    await call(
      'CreateDBInstanceReadReplica',
      () =>
        this.clients[spec.site].send(
          new CreateDBInstanceReadReplicaCommand({
            DBInstanceIdentifier: spec.name,
            SourceDBInstanceIdentifier: cross ? source.arn : source.id,
            ...(cross ? { SourceRegion: this.regions[source.site as SiteName] } : {}),
            ...(spec.kmsKeyId ? { KmsKeyId: spec.kmsKeyId } : {}),
          }),
        ),
      `read replica ${spec.name} of ${source.id} in ${this.regions[spec.site]}`,
    );
    return {
      id: `rds:create:${spec.site}:${spec.name}:${started}`,
      description: `RDS CreateDBInstanceReadReplica ${spec.name} of ${source.id} in ${this.regions[spec.site]}`,
    };
  }

  /** The writer's site: a point-in-time restore lands in the writer's Region. */
  private async writerSite(): Promise<SiteName> {
    const w = (await this.topology()).topology.writer;
    return w && w.site !== 'unknown' ? w.site : 'primary';
  }

  async restoreWindow(): Promise<RestoreWindow> {
    const w = (await this.topology()).topology.writer;
    if (!w || w.site === 'unknown' || !w.reachable) {
      throw new UserError(
        `the RDS writer of ${this.instance} is ${w ? `${w.id}, whose region does not answer` : 'unknown'}: a point-in-time restore needs it; run the database phase again once its region answers.`,
      );
    }
    return rdsRestoreWindow(this.clients[w.site], w.id, this.regions[w.site]);
  }

  async restored(name: string): Promise<RestoredDatabase | undefined> {
    const site = await this.writerSite();
    return rdsRestored(this.clients[site], name, this.regions[site]);
  }

  async restoreToPointInTime(spec: RestoreSpec): Promise<Operation> {
    const site = await this.writerSite();
    return rdsRestore(this.clients[site], spec, this.regions[site]);
  }

  /** ModifyDBInstance MultiAZ=true, applied immediately. */
  async enableHighAvailability(id: string, site: SiteName): Promise<Operation> {
    const started = Date.now();
    await call(
      'ModifyDBInstance',
      () =>
        this.clients[site].send(
          new ModifyDBInstanceCommand({ DBInstanceIdentifier: id, MultiAZ: true, ApplyImmediately: true }),
        ),
      `DB instance ${id} in ${this.regions[site]}`,
    );
    return {
      id: `rds:modify:${site}:${id}:${started}`,
      description: `RDS ModifyDBInstance MultiAZ=true of ${id} in ${this.regions[site]}`,
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
    let site: SiteName;
    let id: string | undefined;
    if (mode === 'in-region') {
      const w = (await this.topology()).topology.writer;
      if (!w || w.site === 'unknown') return undefined;
      site = w.site;
      id = w.id;
    } else {
      site = 'dr';
      id = this.replica;
    }
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
    const m = /^rds:(reboot|promote|create|modify):(primary|dr):([^:]+):([0-9]+)$/.exec(op.id);
    if (!m)
      throw new UserError(
        `Operation id ${op.id} is not an RDS operation id of this adapter (rds:reboot|promote|create|modify:site:instance:ms).`,
      );
    const [, kind, site, id, startedRaw] = m as unknown as [
      string,
      'reboot' | 'promote' | 'create' | 'modify',
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
    if (kind === 'create') return { done: status === 'available', status };
    if (kind === 'modify') {
      const done = status === 'available' && inst.MultiAZ === true;
      return { done, status: done ? 'Multi-AZ' : status };
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
