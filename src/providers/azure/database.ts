/**
 * Azure SQL failover groups (`az sql failover-group show / set-primary`) over @azure/arm-sql.
 *
 * `describe` reads the group from the DR server first (it answers during a primary-region outage)
 * and maps the replication roles to the writer site. `failover` starts `failover` (planned) or
 * `forceFailoverAllowDataLoss` (forced) on the server that must become primary and returns at once;
 * `poll` advances the SDK's poller, kept per operation id (the Azure-AsyncOperation URL) and
 * resumable from that URL alone (a new process rebuilds the poller state from it).
 *
 * `busy` is observed in the cloud, not only remembered: besides the failovers this process started,
 * a failover shown under way in the group database's management operations (`az sql db op list`,
 * DatabaseOperations_ListByDatabase, state Pending / InProgress) makes the group busy, so a second
 * process (a re-run after the runner died) waits for it instead of starting another.
 */
import { SqlManagementClient, type DatabaseOperation, type FailoverGroup } from '@azure/arm-sql';
import type { TokenCredential } from '@azure/core-auth';
import { isRestError } from '@azure/core-rest-pipeline';
import { UserError, wrapSdkError } from '../../engine/errors.js';
import { azure, type ProviderPermissions } from '../../permissions/types.js';
import type { SiteName, Stack } from '../../plan/types.js';
import type {
  DatabaseProvider,
  DatabaseState,
  Operation,
  OperationStatus,
  RestoredDatabase,
  RestorePoints,
  RestoreSpec,
  RestoreWindow,
} from '../types.js';
import { azureRestore, azureRestored, PERMISSIONS as RESTORE_PERMISSIONS } from './sql-restore.js';
import { armClientOptions, armConnection, secureClient } from './credentials.js';

/**
 * What each method may call, and the Azure resource provider operation each call needs
 * (https://learn.microsoft.com/en-us/azure/role-based-access-control/permissions/databases#microsoftsql).
 * Every read starts with the failover group of both servers; a started failover is polled on its
 * Azure-AsyncOperation URL, which ARM authorizes as a read of the location's operation.
 */
const GROUP_READS = [
  azure('FailoverGroups_Get', 'Microsoft.Sql/servers/failoverGroups/read'),
  azure('DatabaseOperations_ListByDatabase', 'Microsoft.Sql/servers/databases/operations/read'),
  azure('FailoverGroups_AsyncOperation', 'Microsoft.Sql/locations/failoverGroupAzureAsyncOperation/read'),
];
export const PERMISSIONS = {
  describe: GROUP_READS,
  lastBackup: [
    ...GROUP_READS,
    azure('RestorePoints_ListByDatabase', 'Microsoft.Sql/servers/databases/restorePoints/read'),
  ],
  restorePoints: [
    ...GROUP_READS,
    azure('RestorePoints_ListByDatabase', 'Microsoft.Sql/servers/databases/restorePoints/read'),
  ],
  failover: [
    azure('FailoverGroups_Failover', 'Microsoft.Sql/servers/failoverGroups/failover/action', true),
    azure(
      'FailoverGroups_ForceFailoverAllowDataLoss',
      'Microsoft.Sql/servers/failoverGroups/forceFailoverAllowDataLoss/action',
      true,
    ),
    azure('FailoverGroups_AsyncOperation', 'Microsoft.Sql/locations/failoverGroupAzureAsyncOperation/read'),
  ],
  poll: [
    azure('FailoverGroups_AsyncOperation', 'Microsoft.Sql/locations/failoverGroupAzureAsyncOperation/read'),
    azure('FailoverGroups_OperationResult', 'Microsoft.Sql/locations/failoverGroupOperationResults/read'),
  ],
  failoverHistory: GROUP_READS,
  restoreWindow: [
    ...GROUP_READS,
    azure('RestorePoints_ListByDatabase', 'Microsoft.Sql/servers/databases/restorePoints/read'),
    ...RESTORE_PERMISSIONS.restoreWindow,
  ],
  restored: [...GROUP_READS, ...RESTORE_PERMISSIONS.restored],
  restoreToPointInTime: [...GROUP_READS, ...RESTORE_PERMISSIONS.restoreToPointInTime],
} satisfies ProviderPermissions;

/** The plan's `stack.database` for Azure SQL. */
export type AzureSqlSpec = Extract<Stack['database'], { type: 'azure-sql' }>;

/** The subset of the SDK poller this adapter uses (core-lro 2 SimplePollerLike). */
interface SqlPoller {
  poll(): Promise<void>;
  isDone(): boolean;
  getOperationState(): { status: string; error?: Error };
  toString(): string;
}

interface Tracked {
  /** The failover group it belongs to (see AzureDatabase.group): a process may hold several. */
  group: string;
  poller?: SqlPoller;
  /** Serialized poller state after the last good poll, to resume from after a transient error. */
  saved: string;
  target: SiteName;
  forced: boolean;
  done?: OperationStatus;
}

/** Pollers by operation id, shared by every instance in this process (a re-created provider resumes them). */
const tracked = new Map<string, Tracked>();

/**
 * Forget the failovers this process started, as a new process starts: tests use it to prove that
 * `describe().busy` comes from the cloud.
 */
export function forgetTrackedOperations(): void {
  tracked.clear();
}

/** Management operation states that mean "still running" (ManagementOperationState). */
const RUNNING_STATES = new Set(['Pending', 'InProgress', 'CancelInProgress']);

const SITES: SiteName[] = ['primary', 'dr'];

function other(site: SiteName): SiteName {
  return site === 'primary' ? 'dr' : 'primary';
}

/** Serialized core-lro state for an operation known only by its Azure-AsyncOperation URL. */
function stateFromUrl(url: string): string {
  return JSON.stringify({
    state: { status: 'running', config: { metadata: { mode: 'OperationLocation' }, operationLocation: url } },
  });
}

/** DatabaseProvider for an Azure SQL failover group. */
export class AzureDatabase implements DatabaseProvider {
  readonly client: SqlManagementClient;
  /**
   * This failover group, as a key of the operations this process tracks: one plan may hold several
   * Azure stacks (and tests several sandboxes), and one group's failover must not make another busy.
   */
  private readonly group: string;

  /**
   * @param spec The plan's `stack.database` (type azure-sql).
   * @param endpoint The plan's `endpoints.arm` override (absent: public ARM, DefaultAzureCredential).
   * @param credential Optional credential instead of the default chain.
   */
  constructor(
    private readonly spec: AzureSqlSpec,
    endpoint?: string,
    credential?: TokenCredential,
  ) {
    this.group = `${endpoint ?? 'arm'}|${spec.subscriptionId}|${spec.failoverGroup}`.toLowerCase();
    const conn = armConnection(endpoint, credential);
    this.client = secureClient(
      new SqlManagementClient(conn.credential, spec.subscriptionId, armClientOptions(conn)),
      conn,
    );
  }

  private async read(site: SiteName): Promise<FailoverGroup> {
    const s = this.spec[site];
    try {
      return await this.client.failoverGroups.get(s.resourceGroup, s.server, this.spec.failoverGroup);
    } catch (err) {
      throw wrapSdkError(
        'arm',
        'FailoverGroups_Get',
        err,
        `failover group ${this.spec.failoverGroup} on server ${s.server}`,
      );
    }
  }

  /** Writer site from a group as read from `site`'s server. */
  private writerFrom(site: SiteName, fog: FailoverGroup): SiteName | 'unknown' {
    if (fog.replicationRole === 'Primary') return site;
    const partner = fog.partnerServers?.find((p) =>
      p.id.toLowerCase().endsWith(`/servers/${this.spec[other(site)].server.toLowerCase()}`),
    );
    if (
      fog.replicationRole === 'Secondary' &&
      (partner?.replicationRole === 'Primary' || partner === undefined)
    )
      return other(site);
    return 'unknown';
  }

  /**
   * A failover of the group that the cloud shows under way: a running management operation on the
   * group's first database (every database of the group fails over together) as read on `site`'s
   * server. Returns the operation's name, or undefined.
   */
  private async failoverUnderWay(site: SiteName, fog: FailoverGroup): Promise<string | undefined> {
    for (const op of await this.failoverOperations(site, fog)) {
      if (op.state && RUNNING_STATES.has(op.state)) {
        return `${op.operation ?? 'failover'} ${op.name ?? ''} (${op.state}, ${op.percentComplete ?? 0} %)`.trim();
      }
    }
    return undefined;
  }

  /**
   * The failover operations of the group's first database (every database of the group fails
   * over together) as `site`'s server lists them (DatabaseOperations_ListByDatabase, what
   * `az sql db op list` shows); none when the group has no database.
   */
  private async failoverOperations(site: SiteName, fog: FailoverGroup): Promise<DatabaseOperation[]> {
    const database = fog.databases?.[0]?.split('/').pop();
    if (!database) return [];
    const s = this.spec[site];
    const found: DatabaseOperation[] = [];
    try {
      for await (const op of this.client.databaseOperations.listByDatabase(
        s.resourceGroup,
        s.server,
        database,
      )) {
        if (/failover/i.test(`${op.operation ?? ''} ${op.operationFriendlyName ?? ''}`)) found.push(op);
      }
    } catch (err) {
      throw wrapSdkError(
        'arm',
        'DatabaseOperations_ListByDatabase',
        err,
        `operations of a database on server ${s.server}`,
      );
    }
    return found;
  }

  /**
   * Is a failover this process started still running, by Azure's own status of its long-running
   * operation (the Azure-AsyncOperation URL the SDK polls)? Each unfinished one is polled once: a
   * poller nobody polls any more (its caller gave up on it) must not keep the group busy forever.
   * A poll that fails says nothing: the operations list decides then.
   */
  private async ownUnderWay(): Promise<boolean> {
    let running = false;
    for (const [id, t] of tracked) {
      if (t.done || t.group !== this.group) continue;
      const st = await this.poll({ id, description: 'failover' }).catch(() => undefined);
      if (st && !st.done) running = true;
    }
    return running;
  }

  async describe(): Promise<DatabaseState> {
    let dr: FailoverGroup | undefined;
    let drError: unknown;
    try {
      dr = await this.read('dr');
    } catch (err) {
      drError = err;
    }
    let primary: FailoverGroup | undefined;
    try {
      primary = await this.read('primary');
    } catch {
      if (!dr) throw drError;
    }
    const [fog, from] = dr ? [dr, 'dr' as SiteName] : [primary!, 'primary' as SiteName];
    let writer = this.writerFrom(from, fog);
    if (dr && primary) {
      const w2 = this.writerFrom('primary', primary);
      if (w2 !== writer) writer = 'unknown';
    }
    const state = fog.replicationState ?? 'unknown';
    const ours = await this.ownUnderWay();
    const inCloud = await this.failoverUnderWay(from, fog);
    const busy = ours || inCloud !== undefined;
    const writerServer =
      fog.replicationRole === 'Primary'
        ? fog
        : fog.partnerServers?.find((p) => p.replicationRole === 'Primary');
    return {
      writer,
      status: busy ? 'failing-over' : 'available',
      busy,
      replication: {
        healthy: state === 'CATCH_UP',
        detail: `failover group ${this.spec.failoverGroup} replicationState ${state}; ${this.spec.dr.server} is ${dr?.replicationRole ?? 'unreachable'}, ${this.spec.primary.server} is ${primary?.replicationRole ?? 'unreachable'}`,
      },
      writerZone: writerServer?.location,
      primaryReachable: primary !== undefined,
      raw: {
        replicationRole: fog.replicationRole,
        replicationState: fog.replicationState,
        readFrom: this.spec[from].server,
        failoverPolicy: fog.readWriteEndpoint?.failoverPolicy,
        databases: fog.databases,
        operationInProgress: inCloud,
      },
    };
  }

  /** Newest DISCRETE restore point of the writer's first database, if any (an Azure SQL Database has none: see restorePoints). */
  async lastBackup(): Promise<Date | undefined> {
    return (await this.restorePoints()).newestDiscrete;
  }

  /**
   * The restore points of the writer's first database. An Azure SQL Database has one CONTINUOUS
   * point whose `earliestRestoreDate` opens its point-in-time restore window, and no DISCRETE
   * points ("For an Azure SQL Database, the restore window is continuous":
   * https://learn.microsoft.com/en-us/powershell/module/az.sql/get-azsqldatabaserestorepoint).
   */
  async restorePoints(): Promise<RestorePoints> {
    const state = await this.describe();
    const site: SiteName = state.writer === 'unknown' ? 'primary' : state.writer;
    const dbId = (state.raw?.databases as string[] | undefined)?.[0];
    const s = this.spec[site];
    if (!dbId) return { found: `failover group ${this.spec.failoverGroup} lists no database` };
    const database = dbId.split('/').pop()!;
    const out: RestorePoints = { found: '' };
    const seen: string[] = [];
    try {
      for await (const p of this.client.restorePoints.listByDatabase(s.resourceGroup, s.server, database)) {
        if (p.restorePointType === 'CONTINUOUS' && p.earliestRestoreDate) {
          out.continuousFrom = p.earliestRestoreDate;
          seen.push(`CONTINUOUS from ${p.earliestRestoreDate.toISOString()}`);
        } else if (p.restorePointCreationDate) {
          if (!out.newestDiscrete || p.restorePointCreationDate > out.newestDiscrete)
            out.newestDiscrete = p.restorePointCreationDate;
          seen.push(`${p.restorePointType ?? 'DISCRETE'} at ${p.restorePointCreationDate.toISOString()}`);
        } else {
          seen.push(`${p.restorePointType ?? 'untyped'} without a date`);
        }
      }
    } catch (err) {
      throw wrapSdkError('arm', 'RestorePoints_ListByDatabase', err);
    }
    out.found = `restore points of ${s.server}/${database}: ${seen.length ? seen.join(', ') : 'none'}`;
    return out;
  }

  /** The writer's server and the group's database on it, read from the group's roles. */
  private async writerDatabase(): Promise<{ site: SiteName; dbId?: string }> {
    const state = await this.describe();
    const site: SiteName = state.writer === 'unknown' ? 'primary' : state.writer;
    return { site, dbId: (state.raw?.databases as string[] | undefined)?.[0] };
  }

  async restoreWindow(): Promise<RestoreWindow> {
    const { dbId } = await this.writerDatabase();
    if (!dbId) {
      throw new UserError(
        `failover group ${this.spec.failoverGroup} lists no database: a point-in-time restore needs one; check database.failoverGroup.`,
      );
    }
    const points = await this.restorePoints();
    return { source: dbId, earliest: points.continuousFrom, found: points.found };
  }

  async restored(name: string): Promise<RestoredDatabase | undefined> {
    const { site } = await this.writerDatabase();
    return azureRestored(this.client, this.spec[site], name);
  }

  async restoreToPointInTime(spec: RestoreSpec): Promise<Operation> {
    const { site } = await this.writerDatabase();
    return azureRestore(this.client, this.spec[site], spec);
  }

  async failover(
    target: SiteName,
    mode: 'in-region' | 'cross-region' | 'planned' | 'forced',
  ): Promise<Operation> {
    if (mode === 'in-region') {
      throw new UserError(
        `databaseMode is in-region for Azure SQL failover group ${this.spec.failoverGroup}, which has no in-region failover: use planned (or cross-region) or forced.`,
      );
    }
    if (!SITES.includes(target))
      throw new UserError(`failover target is ${String(target)}: expected primary or dr.`);
    const forced = mode === 'forced';
    const s = this.spec[target];
    const operation = forced ? 'FailoverGroups_ForceFailoverAllowDataLoss' : 'FailoverGroups_Failover';
    let asyncUrl: string | undefined;
    const options = {
      onResponse: (raw: { headers: { get(name: string): string | undefined } }) => {
        asyncUrl ??= raw.headers.get('azure-asyncoperation') ?? raw.headers.get('location') ?? '';
      },
    };
    let poller: SqlPoller;
    try {
      poller = forced
        ? await this.client.failoverGroups.beginForceFailoverAllowDataLoss(
            s.resourceGroup,
            s.server,
            this.spec.failoverGroup,
            options,
          )
        : await this.client.failoverGroups.beginFailover(
            s.resourceGroup,
            s.server,
            this.spec.failoverGroup,
            options,
          );
    } catch (err) {
      // The operation was accepted but its first status poll failed: hand back an operation to resume.
      if (asyncUrl) {
        const id = asyncUrl;
        tracked.set(id, { group: this.group, saved: stateFromUrl(id), target, forced });
        return { id, description: this.describeOp(target, forced) };
      }
      throw wrapSdkError('arm', operation, err, `failover group ${this.spec.failoverGroup}`);
    }
    const config = (JSON.parse(poller.toString()) as { state: { config?: { operationLocation?: string } } })
      .state.config;
    const id =
      config?.operationLocation ?? asyncUrl ?? `${this.spec.failoverGroup}/${s.server}/noop/${Date.now()}`;
    const entry: Tracked = { group: this.group, poller, saved: poller.toString(), target, forced };
    tracked.set(id, entry);
    if (poller.isDone()) entry.done = this.statusOf(poller);
    return { id, description: this.describeOp(target, forced) };
  }

  private describeOp(target: SiteName, forced: boolean): string {
    return `${forced ? 'forced failover (allow data loss)' : 'planned failover'} of failover group ${this.spec.failoverGroup} to ${this.spec[target].server}`;
  }

  private statusOf(poller: SqlPoller): OperationStatus {
    const st = poller.getOperationState();
    if (st.status === 'succeeded') return { done: true, status: 'Succeeded' };
    if (st.status === 'failed' || st.status === 'canceled') {
      return {
        done: true,
        status: st.status === 'failed' ? 'Failed' : 'Canceled',
        error: st.error?.message ?? `the failover ended ${st.status}`,
      };
    }
    return { done: false, status: 'InProgress' };
  }

  /**
   * The newest failover of the group the cloud shows since `since`: a management operation of the
   * group's database (`az sql db op list`, DatabaseOperations_ListByDatabase) whose name says
   * failover and that is running or succeeded, read from the DR server first (it answers in a
   * primary-region outage), then from the primary. A failed or cancelled failover changed nothing
   * and is not evidence. The group's roles say where the writer is; this says whether a call whose
   * answer was lost started a failover (still running, or done since the intent).
   *
   * Why this and not the Activity Log: the operations list is the failover group's own record,
   * readable with the same Microsoft.Sql permissions and SDK the phase already uses; the Activity
   * Log needs Microsoft.Insights read and another SDK, and lags by minutes
   * (https://learn.microsoft.com/en-us/azure/azure-monitor/essentials/activity-log).
   */
  async failoverHistory(
    _mode: 'in-region' | 'cross-region',
    since: Date | undefined,
  ): Promise<{ what: string; at: Date } | undefined> {
    for (const site of ['dr', 'primary'] as SiteName[]) {
      let fog: FailoverGroup;
      try {
        fog = await this.read(site);
      } catch {
        continue;
      }
      const database = fog.databases?.[0]?.split('/').pop();
      if (!database) return undefined;
      let newest: { what: string; at: Date } | undefined;
      for (const op of await this.failoverOperations(site, fog)) {
        if (!op.state || !op.startTime) continue;
        if (!RUNNING_STATES.has(op.state) && op.state !== 'Succeeded') continue;
        if (since && op.startTime < since) continue;
        if (!newest || op.startTime > newest.at) {
          newest = {
            what: `Azure SQL operation ${op.operation ?? 'failover'} (${op.state}) on database ${database} of server ${this.spec[site].server}`,
            at: op.startTime,
          };
        }
      }
      return newest;
    }
    return undefined;
  }

  async poll(op: Operation): Promise<OperationStatus> {
    let entry = tracked.get(op.id);
    if (entry?.done) return entry.done;
    if (!entry) {
      if (!/^https?:\/\//.test(op.id))
        throw new UserError(
          `operation id ${op.id} is not an Azure-AsyncOperation URL of a failover group failover; start the failover again to get one.`,
        );
      entry = { group: this.group, saved: stateFromUrl(op.id), target: 'dr', forced: false };
      tracked.set(op.id, entry);
    }
    const s = this.spec[entry.target];
    try {
      if (!entry.poller) {
        // resuming polls once; either begin method polls the same URL
        entry.poller = await this.client.failoverGroups.beginFailover(
          s.resourceGroup,
          s.server,
          this.spec.failoverGroup,
          {
            resumeFrom: entry.saved,
          },
        );
      } else {
        await entry.poller.poll();
      }
    } catch (err) {
      if (!isRestError(err)) {
        // the SDK throws the operation's own failure (status Failed) as a plain Error
        entry.done = { done: true, status: 'Failed', error: (err as Error).message };
        entry.poller = undefined;
        return entry.done;
      }
      // a transient failure of the status request marks the SDK poller failed: resume a fresh one next time
      entry.poller = undefined;
      throw wrapSdkError(
        'arm',
        'FailoverGroups_AsyncOperation',
        err,
        `failover group ${this.spec.failoverGroup}`,
      );
    }
    const status = this.statusOf(entry.poller);
    if (status.done) entry.done = status;
    else entry.saved = entry.poller.toString();
    return status;
  }
}
