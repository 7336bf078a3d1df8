/**
 * Cloud SQL over @google-cloud/sql (Cloud SQL Admin API v1): the plan's `database` block of type
 * `cloud-sql`. In-region failover is `instances.failover` of the HA primary (with the settings
 * version the API requires); cross-region failover is `instances.promoteReplica` of the DR read
 * replica. Operations are polled with `operations.get`. A thin adapter: it never retries or sleeps,
 * and wraps every SDK error with `wrapSdkError('sqladmin', ...)`.
 */
import type { Database, SiteName } from '../../plan/types.js';
import { PERMISSIONS as MONITORING_PERMISSIONS } from './monitoring-lag.js';
import { UserError, classify, wrapSdkError } from '../../engine/errors.js';
import { gcp, type ProviderPermissions } from '../../permissions/types.js';
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
import type { MonitoringLag } from './monitoring-lag.js';
import {
  PERMISSIONS as RESTORE_PERMISSIONS,
  sqlRestore,
  sqlRestored,
  sqlRestoreWindow,
} from './sql-restore.js';
import { sqlMembersOf } from './sql-topology.js';
import { NO_RETRY, type SqlClients } from './clients.js';

/**
 * What each method may call, and the IAM permission each Cloud SQL Admin API method needs
 * (https://cloud.google.com/sql/docs/mysql/iam-permissions: operations.get and operations.list
 * are authorized by cloudsql.instances.get). Every read discovers the topology first (instances.list,
 * instances.get, the operations of each instance).
 */
const TOPOLOGY_READS = [
  gcp('instances.list', 'cloudsql.instances.list'),
  gcp('instances.get', 'cloudsql.instances.get'),
  gcp('operations.list', 'cloudsql.instances.get'),
];
export const PERMISSIONS = {
  describe: [...TOPOLOGY_READS, gcp('backupRuns.list', 'cloudsql.backupRuns.list')],
  lastBackup: [...TOPOLOGY_READS, gcp('backupRuns.list', 'cloudsql.backupRuns.list')],
  failover: [
    ...TOPOLOGY_READS,
    gcp('instances.failover', 'cloudsql.instances.failover', true),
    gcp('instances.promoteReplica', 'cloudsql.instances.promoteReplica', true),
    // advanced DR (database.advancedDr); the Cloud SQL IAM list names no switchover permission of
    // its own, the failover one is assumed: check it against your role before relying on it
    gcp(
      'instances.switchover',
      'cloudsql.instances.failover',
      true,
      'advanced DR switchover (assumed: no permission of its own is documented)',
    ),
  ],
  restoreWindow: [...TOPOLOGY_READS, ...RESTORE_PERMISSIONS.restoreWindow],
  restored: [...TOPOLOGY_READS, ...RESTORE_PERMISSIONS.restored],
  restoreToPointInTime: [...TOPOLOGY_READS, ...RESTORE_PERMISSIONS.restoreToPointInTime],
  // the read itself is Cloud Monitoring's: see src/providers/gcp/monitoring-lag.ts
  replicationLag: [...TOPOLOGY_READS, ...MONITORING_PERMISSIONS.replicaLag],
  poll: [gcp('operations.get', 'cloudsql.instances.get')],
  failoverHistory: TOPOLOGY_READS,
  createReplica: [...TOPOLOGY_READS, gcp('instances.insert', 'cloudsql.instances.create', true)],
  enableHighAvailability: [gcp('instances.patch', 'cloudsql.instances.update', true)],
} satisfies ProviderPermissions;

/** The `cloud-sql` variant of the plan's database block. */
export type CloudSqlConfig = Extract<Database, { type: 'cloud-sql' }>;

/** A Cloud SQL instance as the v1 client decodes it (the fields this adapter reads). */
export interface Instance {
  name?: string | null;
  state?: string | number | null;
  instanceType?: string | number | null;
  masterInstanceName?: string | null;
  gceZone?: string | null;
  secondaryGceZone?: string | null;
  region?: string | null;
  replicaNames?: string[] | null;
  ipAddresses?: { type?: string | number | null; ipAddress?: string | null }[] | null;
  failoverReplica?: { name?: string | null; available?: { value?: boolean | null } | null } | null;
  /** Advanced DR: a primary's designated DR replica, or on a replica whether it is one. */
  replicationCluster?: { failoverDrReplicaName?: string | null; drReplica?: boolean | null } | null;
  settings?: {
    edition?: string | number | null;
    settingsVersion?: { value?: unknown } | null;
    availabilityType?: string | number | null;
    databaseReplicationEnabled?: { value?: boolean | null } | null;
    backupConfiguration?: { enabled?: unknown } | null;
    tier?: string | null;
  } | null;
}

interface SqlOperation {
  name?: string | null;
  status?: string | number | null;
  operationType?: string | number | null;
  error?: { errors?: { code?: string | null; message?: string | null }[] | null } | null;
}

/** Cloud SQL operation types that move the writer to another region. */
const MOVES_ACROSS = new Set(['PROMOTE_REPLICA', 'SWITCHOVER']);

/** Cloud SQL operation types that change which instance (or zone) is the writer. */
const WRITER_OPS = new Set(['FAILOVER', 'PROMOTE_REPLICA', 'SWITCHOVER', 'RESTART']);

type Read<T> = { ok: true; value: T } | { ok: false; unreachable: boolean; error: Error };

/** Seconds/nanos of a decoded protobuf Timestamp to a Date. */
export function timestampToDate(
  ts: { seconds?: unknown; nanos?: unknown } | null | undefined,
): Date | undefined {
  if (!ts || ts.seconds === undefined || ts.seconds === null) return undefined;
  const ms = Number(String(ts.seconds)) * 1000 + Number(ts.nanos ?? 0) / 1e6;
  return Number.isFinite(ms) ? new Date(ms) : undefined;
}

/** A decoded BoolValue (`{ value }`) or a plain boolean. */
function boolOf(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v && typeof v === 'object' && 'value' in v) return (v as { value?: boolean | null }).value ?? undefined;
  return undefined;
}

/** The Cloud SQL adapter of one stack. */
export class GcpDatabase implements DatabaseProvider {
  private readonly pattern: string;
  constructor(
    private readonly config: CloudSqlConfig,
    private readonly clients: SqlClients,
    private readonly regions: Record<SiteName, string> = { primary: '', dr: '' },
    private readonly lag?: MonitoringLag,
  ) {
    this.pattern = config.replicaNamePattern ?? DEFAULT_REPLICA_PATTERN;
  }

  /**
   * Cloud Monitoring's replica_lag of the writer's replica in `site` (by the cloud's topology;
   * when that cannot be read, the plan's `database.replica` for DR), or undefined when Cloud
   * Monitoring lists no point for it.
   */
  async replicationLag(site: SiteName): Promise<LagReading | undefined> {
    if (!this.lag) return undefined;
    let id: string | undefined;
    try {
      id = replicaIn((await this.topology()).topology, site)?.id;
    } catch {
      id = undefined;
    }
    id ??= site === 'dr' ? this.config.replica : undefined;
    if (!id) return undefined;
    return this.lag.replicaLag(id);
  }

  private async read<T>(operation: string, fn: () => Promise<T>, resource?: string): Promise<Read<T>> {
    try {
      return { ok: true, value: await fn() };
    } catch (err) {
      const wrapped = wrapSdkError('sqladmin', operation, err, resource);
      // throttling and permanent errors are the caller's to see; an unavailable region is a state
      if (classify(wrapped).kind !== 'transient' && wrapped.status !== 404) throw wrapped;
      return { ok: false, unreachable: wrapped.status !== 404, error: wrapped };
    }
  }

  private async getInstance(instance: string): Promise<Read<Instance>> {
    return this.read(
      'instances.get',
      async () => {
        const [inst] = await this.clients.instances.get({ project: this.config.project, instance }, NO_RETRY);
        return inst as Instance;
      },
      `instance ${instance}`,
    );
  }

  private async operationsOf(
    instance: string,
    maxResults = 20,
  ): Promise<(SqlOperation & { insertTime?: unknown; endTime?: unknown })[]> {
    try {
      const [resp] = await this.clients.operations.list(
        { project: this.config.project, instance, maxResults },
        NO_RETRY,
      );
      return (resp.items ?? []) as (SqlOperation & { insertTime?: unknown })[];
    } catch (err) {
      throw wrapSdkError('sqladmin', 'operations.list', err, `operations of instance ${instance}`);
    }
  }

  private async runningOps(instance: string): Promise<SqlOperation[]> {
    return (await this.operationsOf(instance)).filter((op) => String(op.status) !== 'DONE');
  }

  private async listAll(): Promise<Instance[]> {
    const out: Instance[] = [];
    let pageToken: string | undefined;
    try {
      do {
        const [resp] = await this.clients.instances.list(
          { project: this.config.project, maxResults: 500, pageToken },
          NO_RETRY,
        );
        out.push(...((resp.items ?? []) as Instance[]));
        pageToken = resp.nextPageToken || undefined;
      } while (pageToken);
    } catch (err) {
      throw wrapSdkError(
        'sqladmin',
        'instances.list',
        err,
        `instance ${this.config.instance} and its replicas in project ${this.config.project}`,
      );
    }
    return out;
  }

  /** When the operations list of `instance` shows its newest finished promotion. */
  private async promotedAt(instance: string): Promise<Date | undefined> {
    const ops = await this.operationsOf(instance, 100);
    return ops
      .filter((o) => String(o.operationType) === 'PROMOTE_REPLICA' && String(o.status) === 'DONE')
      .filter((o) => !(o.error?.errors ?? []).length)
      .map((o) => timestampToDate(o.insertTime as { seconds?: unknown; nanos?: unknown }))
      .filter((d): d is Date => d !== undefined)
      .sort((a, b) => b.getTime() - a.getTime())[0];
  }

  /** The logical database's instances and which one is the writer, from the cloud. */
  async topology(): Promise<{ topology: DatabaseTopology; raw: Map<string, Instance> }> {
    const { views, raw } = sqlMembersOf(await this.listAll(), this.regions, {
      instance: this.config.instance,
      replica: this.config.replica,
      pattern: this.pattern,
    });
    if (views.length === 0) {
      throw new UserError(
        `Cloud SQL instance ${this.config.instance} was not returned by instances.list in project ${this.config.project}, nor any replica of it: check database.project and database.instance.`,
      );
    }
    const standalone = views.filter((v) => !v.source && v.reachable);
    const withReplicas = standalone.filter((v) => views.some((r) => r.source === v.id));
    const dates = new Map<string, Date | undefined>();
    if (standalone.length > 1 && withReplicas.length !== 1) {
      await Promise.all(standalone.map(async (v) => dates.set(v.id, await this.promotedAt(v.id))));
    }
    return { topology: buildTopology(views, this.config.instance, (id) => dates.get(id)), raw };
  }

  async describe(): Promise<DatabaseState> {
    const { topology, raw } = await this.topology();
    const w = topology.writer;
    const writer: SiteName | 'unknown' = w && w.site !== 'unknown' ? w.site : 'unknown';
    const other: SiteName = writer === 'dr' ? 'primary' : 'dr';
    const known = [w, ...topology.replicas, ...topology.orphans].filter(
      (v): v is DatabaseInstanceView => !!v,
    );
    const primaryReachable = known.some((v) => v.site === 'primary' && v.reachable);
    // Only operations that move the writer make the database busy: on the writer or on one of its
    // replicas (a promotion); a backup or maintenance of the writer is routine; building a new
    // replica is neither (types: https://cloud.google.com/sql/docs/mysql/admin-api/rest/v1/operations).
    const watched = [w, ...topology.replicas].filter((v): v is DatabaseInstanceView => !!v && v.reachable);
    const opsBy = await Promise.all(watched.map(async (v) => ({ v, ops: await this.runningOps(v.id) })));
    const all = opsBy.flatMap((x) => x.ops);
    const running = all.filter((o) => WRITER_OPS.has(String(o.operationType)));
    const routineOps = opsBy
      .filter((x) => x.v === w)
      .flatMap((x) => x.ops)
      .filter((o) => !WRITER_OPS.has(String(o.operationType)));
    const busyType = running[0] ? String(running[0].operationType) : undefined;
    const status =
      busyType === 'FAILOVER'
        ? 'failing-over'
        : busyType === 'PROMOTE_REPLICA'
          ? 'promoting'
          : busyType === 'SWITCHOVER'
            ? 'switching-over'
            : w?.reachable
              ? w.status
              : 'unreachable';

    const there = topology.replicas.filter((r) => r.site === other);
    const chosen = replicaIn(topology, other) ?? there[0];
    let replication: DatabaseState['replication'];
    if (!this.config.replica && !chosen)
      replication = { healthy: false, detail: 'no cross-region replica is configured (database.replica)' };
    else if (!chosen) {
      const orphanReplica = topology.orphans.find((o) => o.id === this.config.replica);
      replication = {
        healthy: false,
        detail: orphanReplica
          ? `replica ${orphanReplica.id} has been promoted and no longer replicates; ${w?.id ?? this.config.instance} has no replica in ${this.regions[other] || other}: run reprotect`
          : `${w?.id ?? this.config.instance} has no replica in ${this.regions[other] || other}: run reprotect`,
      };
    } else if (chosen.building) {
      replication = { healthy: false, detail: `replica ${chosen.id} is being built (${chosen.status})` };
    } else if (
      this.config.advancedDr &&
      w?.reachable &&
      raw.get(w.id)?.replicationCluster?.failoverDrReplicaName !== chosen.id
    ) {
      replication = {
        healthy: false,
        detail: `database.advancedDr is set but ${w.id} does not name ${chosen.id} as its DR replica (replicationCluster.failoverDrReplicaName: ${raw.get(w.id)?.replicationCluster?.failoverDrReplicaName || 'none'}): designate it (gcloud sql instances patch ${w.id} --failover-dr-replica-name=${chosen.id})`,
      };
    } else {
      const r = raw.get(chosen.id);
      const enabled = boolOf(r?.settings?.databaseReplicationEnabled);
      replication = {
        healthy: chosen.healthy === true,
        detail: `replica ${chosen.id} state ${chosen.status}, replication ${enabled === false ? 'stopped' : 'enabled'}, master ${chosen.source}${w?.reachable ? '' : ' (primary unreachable)'}`,
      };
    }

    const lastBackup = w?.reachable ? await this.lastBackupOf(w.id) : undefined;
    const rawOf = (id: string | undefined) => {
      const i = id ? raw.get(id) : undefined;
      return i
        ? {
            state: String(i.state),
            instanceType: String(i.instanceType),
            masterInstanceName: i.masterInstanceName ?? undefined,
            gceZone: i.gceZone,
            secondaryGceZone: i.secondaryGceZone,
            availabilityType: String(i.settings?.availabilityType),
            failoverReplicaAvailable: i.failoverReplica?.available?.value ?? undefined,
            settingsVersion: String(i.settings?.settingsVersion?.value ?? ''),
            replicaNames: i.replicaNames ?? [],
          }
        : undefined;
    };
    return {
      writer,
      status,
      busy: running.length > 0,
      routine: routineOps.length
        ? routineOps
            .map((o) => `${String(o.operationType)} operation ${o.name} (${String(o.status)})`)
            .join(', ')
        : undefined,
      replication,
      writerZone: w?.zone,
      primaryReachable,
      lastBackup,
      topology,
      raw: {
        primary: rawOf(this.config.instance) ?? { error: `${this.config.instance} unreachable` },
        replica: rawOf(this.config.replica),
        writer: w?.id,
        writerBasis: topology.basis,
        runningOperations: all.map((o) => ({
          name: o.name,
          type: String(o.operationType),
          status: String(o.status),
        })),
      },
    };
  }

  async lastBackup(): Promise<Date | undefined> {
    const { topology } = await this.topology();
    const w = topology.writer;
    return this.lastBackupOf(w?.reachable ? w.id : this.config.instance);
  }

  private async lastBackupOf(instance: string): Promise<Date | undefined> {
    try {
      const [resp] = await this.clients.backupRuns.list(
        { project: this.config.project, instance, maxResults: 20 },
        NO_RETRY,
      );
      let newest: Date | undefined;
      for (const run of resp.items ?? []) {
        if (String(run.status) !== 'SUCCESSFUL') continue;
        const end = timestampToDate(run.endTime as { seconds?: unknown; nanos?: unknown } | null | undefined);
        if (end && (!newest || end > newest)) newest = end;
      }
      return newest;
    } catch (err) {
      throw wrapSdkError('sqladmin', 'backupRuns.list', err, `backups of instance ${instance}`);
    }
  }

  async failover(
    target: SiteName,
    mode: 'in-region' | 'cross-region' | 'planned' | 'forced',
  ): Promise<Operation> {
    const { project } = this.config;
    if (mode === 'planned' || mode === 'forced') {
      throw new UserError(
        `databaseMode ${mode} is an Azure SQL failover-group mode: for Cloud SQL use in-region or cross-region.`,
      );
    }
    const { topology, raw } = await this.topology();
    const w = topology.writer;
    if (mode === 'in-region') {
      if (!w || w.site !== target) {
        throw new UserError(
          `Cloud SQL in-region failover keeps the writer where it is, but the writer is ${w ? `${w.id} on ${w.site}` : 'unknown'} and the target ${target}: use databaseMode cross-region.`,
        );
      }
      let inst = raw.get(w.id);
      if (!inst) {
        // not listed: its region does not answer; ask it directly so the caller sees why
        const got = await this.getInstance(w.id);
        if (!got.ok) throw got.error;
        inst = got.value;
      }
      const version = inst.settings?.settingsVersion?.value;
      if (version === undefined || version === null) {
        throw new UserError(
          `Cloud SQL instance ${w.id} reported no settings.settingsVersion, which instances.failover requires: check that it is a REGIONAL (HA) instance.`,
        );
      }
      try {
        const [op] = await this.clients.instances.failover(
          {
            project,
            instance: w.id,
            body: { failoverContext: { kind: 'sql#failoverContext', settingsVersion: String(version) } },
          },
          NO_RETRY,
        );
        return {
          id: String(op.name),
          description: `Cloud SQL HA failover of ${w.id} from zone ${inst.gceZone ?? '?'} to ${inst.secondaryGceZone ?? 'its standby'}`,
        };
      } catch (err) {
        throw wrapSdkError('sqladmin', 'instances.failover', err, `instance ${w.id}`);
      }
    }
    // Cross-region: promote the writer's replica in the target region. A promotion that landed
    // (the writer is there) or is under way (a PROMOTE_REPLICA operation runs) is not asked again:
    // Cloud SQL refuses a second one ("not a read replica").
    if (w && w.site === target) {
      const ops = await this.operationsOf(w.id, 100);
      const done = ops.find((o) => MOVES_ACROSS.has(String(o.operationType)));
      if (done?.name)
        return { id: String(done.name), description: `Cloud SQL promotion of ${w.id} (already landed)` };
      throw new UserError(`The writer ${w.id} is already on ${target}: there is nothing to promote there.`);
    }
    const there = topology.replicas.filter((r) => r.site === target && !r.building);
    for (const r of there) {
      const underway = (await this.runningOps(r.id)).find((o) => MOVES_ACROSS.has(String(o.operationType)));
      if (underway?.name)
        return {
          id: String(underway.name),
          description: `Cloud SQL promotion of replica ${r.id} (under way)`,
        };
    }
    if (this.config.advancedDr) return this.advancedDrMove(w, there, raw, target);
    const replica = there.find((r) => r.id === this.config.replica) ?? there[0];
    if (!replica) {
      throw new UserError(
        `${w?.id ?? this.config.instance} has no replica in ${this.regions[target] || target} to promote: run reprotect and wait until it reports the replica healthy, then run this again.`,
      );
    }
    try {
      const [op] = await this.clients.instances.promoteReplica(
        { project, instance: replica.id, failover: false },
        NO_RETRY,
      );
      return {
        id: String(op.name),
        description: `Cloud SQL promotion of replica ${replica.id} to a standalone primary`,
      };
    } catch (err) {
      throw wrapSdkError('sqladmin', 'instances.promoteReplica', err, `replica ${replica.id}`);
    }
  }

  /**
   * Advanced DR (Enterprise Plus, https://cloud.google.com/sql/docs/postgres/use-advanced-disaster-recovery):
   * to the designated DR replica, by switchover while the writer answers (the roles are reversed
   * with zero data loss) and by replica failover when it does not (promoteReplica failover=true: the
   * old primary is added as a replica of the promoted one when it comes back online).
   */
  private async advancedDrMove(
    w: DatabaseInstanceView | undefined,
    there: DatabaseInstanceView[],
    raw: Map<string, Instance>,
    target: SiteName,
  ): Promise<Operation> {
    const named = w ? raw.get(w.id)?.replicationCluster?.failoverDrReplicaName : undefined;
    const dr = there.find((r) =>
      named ? r.id === named : raw.get(r.id)?.replicationCluster?.drReplica === true,
    );
    const writer = w?.id ?? this.config.instance;
    if (!dr) {
      throw new UserError(
        `database.advancedDr is set but ${writer} has no designated DR replica in ${this.regions[target] || target}${named ? ` (it names ${named}, which is not a healthy replica there)` : ''}: designate one (gcloud sql instances patch ${writer} --failover-dr-replica-name=<replica>), or remove advancedDr from the plan.`,
      );
    }
    const { project } = this.config;
    if (w?.reachable) {
      try {
        const [op] = await this.clients.instances.switchover({ project, instance: dr.id }, NO_RETRY);
        return {
          id: String(op.name),
          description: `Cloud SQL switchover to DR replica ${dr.id} (zero data loss: ${dr.id} becomes the primary, ${writer} its DR replica)`,
        };
      } catch (err) {
        throw wrapSdkError('sqladmin', 'instances.switchover', err, `DR replica ${dr.id}`);
      }
    }
    try {
      const [op] = await this.clients.instances.promoteReplica(
        { project, instance: dr.id, failover: true },
        NO_RETRY,
      );
      return {
        id: String(op.name),
        description: `Cloud SQL replica failover to DR replica ${dr.id} (${writer} rejoins as its replica when its region is back)`,
      };
    } catch (err) {
      throw wrapSdkError('sqladmin', 'instances.promoteReplica', err, `DR replica ${dr.id}`);
    }
  }

  /**
   * instances.insert of a read replica: `masterInstanceName` and the destination `region`
   * (https://cloud.google.com/sql/docs/postgres/admin-api/rest/v1/instances/insert,
   * https://cloud.google.com/sql/docs/postgres/replication/create-replica).
   */
  async createReplica(spec: ReplicaSpec): Promise<Operation> {
    const { raw } = await this.topology();
    const master = raw.get(spec.source);
    try {
      const [op] = await this.clients.instances.insert(
        {
          project: this.config.project,
          body: {
            name: spec.name,
            region: this.regions[spec.site],
            masterInstanceName: spec.source,
            databaseVersion: (master as { databaseVersion?: never } | undefined)?.databaseVersion,
            settings: { tier: (master?.settings as { tier?: string } | undefined)?.tier ?? undefined },
          },
        },
        NO_RETRY,
      );
      return {
        id: String(op.name),
        description: `Cloud SQL read replica ${spec.name} of ${spec.source} in ${this.regions[spec.site]}`,
      };
    } catch (err) {
      throw wrapSdkError('sqladmin', 'instances.insert', err, `replica ${spec.name}`);
    }
  }

  async restoreWindow(): Promise<RestoreWindow> {
    const { topology, raw } = await this.topology();
    const w = topology.writer;
    if (!w || !w.reachable) {
      throw new UserError(
        `the Cloud SQL writer of ${this.config.instance} is ${w ? `${w.id}, whose region does not answer` : 'unknown'}: a point-in-time clone needs it; run the database phase again once it answers.`,
      );
    }
    return sqlRestoreWindow(w.id, raw.get(w.id) as Parameters<typeof sqlRestoreWindow>[1]);
  }

  restored(name: string): Promise<RestoredDatabase | undefined> {
    return sqlRestored(this.clients, this.config.project, name);
  }

  restoreToPointInTime(spec: RestoreSpec): Promise<Operation> {
    return sqlRestore(this.clients, this.config.project, spec);
  }

  /** instances.patch availabilityType REGIONAL (https://cloud.google.com/sql/docs/postgres/configure-ha). */
  async enableHighAvailability(id: string): Promise<Operation> {
    try {
      const [op] = await this.clients.instances.patch(
        { project: this.config.project, instance: id, body: { settings: { availabilityType: 'REGIONAL' } } },
        NO_RETRY,
      );
      return { id: String(op.name), description: `Cloud SQL HA (REGIONAL) for ${id}` };
    } catch (err) {
      throw wrapSdkError('sqladmin', 'instances.patch', err, `instance ${id}`);
    }
  }

  /**
   * Cloud SQL's operations list of the instance: an HA failover is an operation of type FAILOVER,
   * a promotion PROMOTE_REPLICA (https://cloud.google.com/sql/docs/mysql/admin-api/rest/v1/operations).
   */
  async failoverHistory(
    mode: 'in-region' | 'cross-region',
    since: Date | undefined,
  ): Promise<{ what: string; at: Date } | undefined> {
    const instance =
      mode === 'in-region'
        ? ((await this.topology()).topology.writer?.id ?? this.config.instance)
        : this.config.replica;
    if (!instance) return undefined;
    const type = mode === 'in-region' ? 'FAILOVER' : 'PROMOTE_REPLICA';
    let items: (SqlOperation & { insertTime?: unknown })[];
    try {
      const [resp] = await this.clients.operations.list(
        { project: this.config.project, instance, maxResults: 100 },
        NO_RETRY,
      );
      items = (resp.items ?? []) as typeof items;
    } catch (err) {
      throw wrapSdkError('sqladmin', 'operations.list', err);
    }
    const found = items
      .filter((o) => String(o.operationType) === type && !(o.error?.errors ?? []).length)
      .map((o) => ({ o, at: timestampToDate(o.insertTime as { seconds?: unknown; nanos?: unknown }) }))
      .filter((x): x is { o: SqlOperation; at: Date } => x.at !== undefined && (!since || x.at >= since))
      .sort((a, b) => b.at.getTime() - a.at.getTime())[0];
    return found
      ? {
          what: `Cloud SQL operation ${type} ${found.o.name} on ${instance} (${String(found.o.status)})`,
          at: found.at,
        }
      : undefined;
  }

  async poll(op: Operation): Promise<OperationStatus> {
    let o: SqlOperation;
    try {
      [o] = (await this.clients.operations.get(
        { project: this.config.project, operation: op.id },
        NO_RETRY,
      )) as [SqlOperation, ...unknown[]];
    } catch (err) {
      throw wrapSdkError('sqladmin', 'operations.get', err, `operation ${op.id}`);
    }
    const status = String(o.status);
    const errors = o.error?.errors ?? [];
    return {
      done: status === 'DONE',
      status,
      ...(errors.length
        ? { error: errors.map((e) => `${e.code ?? 'ERROR'}: ${e.message ?? ''}`).join('; ') }
        : {}),
    };
  }
}
