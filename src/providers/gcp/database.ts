/**
 * Cloud SQL over @google-cloud/sql (Cloud SQL Admin API v1): the plan's `database` block of type
 * `cloud-sql`. In-region failover is `instances.failover` of the HA primary (with the settings
 * version the API requires); cross-region failover is `instances.promoteReplica` of the DR read
 * replica. Operations are polled with `operations.get`. A thin adapter: it never retries or sleeps,
 * and wraps every SDK error with `wrapSdkError('sqladmin', ...)`.
 */
import type { Database, SiteName } from '../../plan/types.js';
import { UserError, classify, wrapSdkError } from '../../engine/errors.js';
import type { DatabaseProvider, DatabaseState, Operation, OperationStatus } from '../types.js';
import { NO_RETRY, type SqlClients } from './clients.js';

/** The `cloud-sql` variant of the plan's database block. */
export type CloudSqlConfig = Extract<Database, { type: 'cloud-sql' }>;

/** A Cloud SQL instance as the v1 client decodes it (the fields this adapter reads). */
interface Instance {
  name?: string | null;
  state?: string | number | null;
  instanceType?: string | number | null;
  masterInstanceName?: string | null;
  gceZone?: string | null;
  secondaryGceZone?: string | null;
  region?: string | null;
  replicaNames?: string[] | null;
  failoverReplica?: { name?: string | null; available?: { value?: boolean | null } | null } | null;
  settings?: {
    settingsVersion?: { value?: unknown } | null;
    availabilityType?: string | number | null;
    databaseReplicationEnabled?: { value?: boolean | null } | null;
  } | null;
}

interface SqlOperation {
  name?: string | null;
  status?: string | number | null;
  operationType?: string | number | null;
  error?: { errors?: { code?: string | null; message?: string | null }[] | null } | null;
}

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

/** The Cloud SQL adapter of one stack. */
export class GcpDatabase implements DatabaseProvider {
  constructor(
    private readonly config: CloudSqlConfig,
    private readonly clients: SqlClients,
  ) {}

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

  private async runningOps(instance: string): Promise<SqlOperation[]> {
    try {
      const [resp] = await this.clients.operations.list(
        { project: this.config.project, instance, maxResults: 20 },
        NO_RETRY,
      );
      return ((resp.items ?? []) as SqlOperation[]).filter((op) => String(op.status) !== 'DONE');
    } catch (err) {
      throw wrapSdkError('sqladmin', 'operations.list', err, `operations of instance ${instance}`);
    }
  }

  async describe(): Promise<DatabaseState> {
    const { instance, replica } = this.config;
    const [primary, dr] = await Promise.all([
      this.getInstance(instance),
      replica ? this.getInstance(replica) : Promise.resolve(undefined),
    ]);
    // a primary that does not exist is a plan mistake, not an outage
    if (!primary.ok && !primary.unreachable) throw primary.error;
    const [primaryOps, drOps] = await Promise.all([
      primary.ok ? this.runningOps(instance) : Promise.resolve([]),
      replica && dr?.ok ? this.runningOps(replica) : Promise.resolve([]),
    ]);
    const p = primary.ok ? primary.value : undefined;
    const r = dr?.ok ? dr.value : undefined;
    const promoted =
      r !== undefined && !r.masterInstanceName && String(r.instanceType) !== 'READ_REPLICA_INSTANCE';
    const writer: SiteName | 'unknown' = promoted
      ? 'dr'
      : p
        ? 'primary'
        : r?.masterInstanceName === instance
          ? 'primary'
          : 'unknown';
    // Only operations that move the writer make the database busy; a backup or maintenance is
    // routine (types: https://cloud.google.com/sql/docs/mysql/admin-api/rest/v1/operations).
    const all = [...primaryOps, ...drOps];
    const running = all.filter((o) => WRITER_OPS.has(String(o.operationType)));
    const routineOps = all.filter((o) => !WRITER_OPS.has(String(o.operationType)));
    const busyType = running[0] ? String(running[0].operationType) : undefined;
    const writerInst = writer === 'dr' ? r : p;
    const status =
      busyType === 'FAILOVER'
        ? 'failing-over'
        : busyType === 'PROMOTE_REPLICA'
          ? 'promoting'
          : writerInst
            ? String(writerInst.state ?? 'UNKNOWN')
            : 'unreachable';

    let replication: DatabaseState['replication'];
    if (!replica)
      replication = { healthy: false, detail: 'no cross-region replica is configured (database.replica)' };
    else if (!dr || !dr.ok) {
      replication = {
        healthy: false,
        detail:
          dr && !dr.unreachable
            ? `replica ${replica} does not exist`
            : `replica ${replica} is unreachable: ${dr?.ok === false ? dr.error.message : ''}`,
      };
    } else if (promoted)
      replication = {
        healthy: false,
        detail: `replica ${replica} has been promoted and no longer replicates`,
      };
    else {
      const state = String(r!.state);
      const enabled = r!.settings?.databaseReplicationEnabled?.value;
      const healthy = state === 'RUNNABLE' && enabled !== false;
      replication = {
        healthy,
        detail: `replica ${replica} state ${state}, replication ${enabled === false ? 'stopped' : 'enabled'}, master ${r!.masterInstanceName}${p ? '' : ' (primary unreachable)'}`,
      };
    }

    const lastBackup = p ? await this.lastBackup() : undefined;
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
      writerZone: writerInst?.gceZone ?? undefined,
      primaryReachable: primary.ok,
      lastBackup,
      raw: {
        primary: p
          ? {
              state: String(p.state),
              gceZone: p.gceZone,
              secondaryGceZone: p.secondaryGceZone,
              availabilityType: String(p.settings?.availabilityType),
              failoverReplicaAvailable: p.failoverReplica?.available?.value ?? undefined,
              settingsVersion: String(p.settings?.settingsVersion?.value ?? ''),
              replicaNames: p.replicaNames ?? [],
            }
          : { error: primary.ok ? undefined : primary.error.message },
        replica: r
          ? {
              state: String(r.state),
              instanceType: String(r.instanceType),
              masterInstanceName: r.masterInstanceName ?? undefined,
              gceZone: r.gceZone,
            }
          : dr && !dr.ok
            ? { error: dr.error.message }
            : undefined,
        runningOperations: all.map((o) => ({
          name: o.name,
          type: String(o.operationType),
          status: String(o.status),
        })),
      },
    };
  }

  async lastBackup(): Promise<Date | undefined> {
    try {
      const [resp] = await this.clients.backupRuns.list(
        { project: this.config.project, instance: this.config.instance, maxResults: 20 },
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
      throw wrapSdkError('sqladmin', 'backupRuns.list', err, `backups of instance ${this.config.instance}`);
    }
  }

  async failover(
    target: SiteName,
    mode: 'in-region' | 'cross-region' | 'planned' | 'forced',
  ): Promise<Operation> {
    const { project, instance, replica } = this.config;
    if (mode === 'in-region') {
      if (target !== 'primary') {
        throw new UserError(
          `Cloud SQL in-region failover keeps the writer in the primary region, but the target is ${target}: use databaseMode cross-region to promote the DR replica.`,
        );
      }
      let inst: Instance;
      try {
        [inst] = (await this.clients.instances.get({ project, instance }, NO_RETRY)) as [
          Instance,
          ...unknown[],
        ];
      } catch (err) {
        throw wrapSdkError('sqladmin', 'instances.get', err, `instance ${instance}`);
      }
      const version = inst.settings?.settingsVersion?.value;
      if (version === undefined || version === null) {
        throw new UserError(
          `Cloud SQL instance ${instance} reported no settings.settingsVersion, which instances.failover requires: check that it is a REGIONAL (HA) instance.`,
        );
      }
      try {
        const [op] = await this.clients.instances.failover(
          {
            project,
            instance,
            body: { failoverContext: { kind: 'sql#failoverContext', settingsVersion: String(version) } },
          },
          NO_RETRY,
        );
        return {
          id: String(op.name),
          description: `Cloud SQL HA failover of ${instance} from zone ${inst.gceZone ?? '?'} to ${inst.secondaryGceZone ?? 'its standby'}`,
        };
      } catch (err) {
        throw wrapSdkError('sqladmin', 'instances.failover', err, `instance ${instance}`);
      }
    }
    if (mode === 'cross-region') {
      if (target !== 'dr') {
        throw new UserError(
          `Cloud SQL cross-region failover promotes the DR replica, but the target is ${target}: failback to the primary region needs a new replica of the DR instance, which this pipeline does not create.`,
        );
      }
      if (!replica) {
        throw new UserError(
          `database.replica is not set for Cloud SQL instance ${instance}: name the cross-region read replica to promote.`,
        );
      }
      try {
        const [op] = await this.clients.instances.promoteReplica(
          { project, instance: replica, failover: false },
          NO_RETRY,
        );
        return {
          id: String(op.name),
          description: `Cloud SQL promotion of replica ${replica} to a standalone primary`,
        };
      } catch (err) {
        throw wrapSdkError('sqladmin', 'instances.promoteReplica', err, `replica ${replica}`);
      }
    }
    throw new UserError(
      `databaseMode ${mode} is an Azure SQL failover-group mode: for Cloud SQL use in-region or cross-region.`,
    );
  }

  /**
   * Cloud SQL's operations list of the instance: an HA failover is an operation of type FAILOVER,
   * a promotion PROMOTE_REPLICA (https://cloud.google.com/sql/docs/mysql/admin-api/rest/v1/operations).
   */
  async failoverHistory(
    mode: 'in-region' | 'cross-region',
    since: Date | undefined,
  ): Promise<{ what: string; at: Date } | undefined> {
    const instance = mode === 'in-region' ? this.config.instance : this.config.replica;
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
