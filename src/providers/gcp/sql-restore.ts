/**
 * Cloud SQL point-in-time recovery: `instances.clone` of the writer with
 * `cloneContext.pointInTime` (https://cloud.google.com/sql/docs/postgres/admin-api/rest/v1/instances/clone,
 * https://cloud.google.com/sql/docs/postgres/backup-recovery/pitr) creates a new, independent
 * instance holding the writer's data as of that time. The window is the writer's transaction log
 * retention (`settings.backupConfiguration.transactionLogRetentionDays`, point-in-time recovery
 * on) from its creation, up to now.
 */
import { gcp, type ProviderPermissions } from '../../permissions/types.js';
import { UserError, wrapSdkError } from '../../engine/errors.js';
import type { Operation, RestoredDatabase, RestoreSpec, RestoreWindow } from '../types.js';
import { NO_RETRY, type SqlClients } from './clients.js';
import { timestampToDate } from './database.js';

/** The parts of a Cloud SQL instance the restore reads. */
interface SqlInstance {
  name?: string | null;
  state?: string | number | null;
  createTime?: { seconds?: unknown; nanos?: unknown } | null;
  ipAddresses?: { ipAddress?: string | null; type?: string | number | null }[] | null;
  databaseVersion?: string | number | null;
  settings?: {
    backupConfiguration?: {
      pointInTimeRecoveryEnabled?: boolean | { value?: boolean | null } | null;
      transactionLogRetentionDays?: number | { value?: number | null } | null;
    } | null;
  } | null;
}

const unwrap = <T>(v: T | { value?: T | null } | null | undefined): T | undefined =>
  v !== null && typeof v === 'object' && 'value' in (v as object)
    ? ((v as { value?: T | null }).value ?? undefined)
    : ((v as T | null | undefined) ?? undefined);

/** The Cloud SQL calls of a point-in-time clone, by the provider method that makes them. */
export const PERMISSIONS = {
  restoreWindow: [],
  restored: [gcp('instances.get', 'cloudsql.instances.get')],
  restoreToPointInTime: [gcp('instances.clone', 'cloudsql.instances.clone', true)],
} satisfies ProviderPermissions;

/** The restore window of the writer `id` (its instance as instances.get / list returned it). */
export function sqlRestoreWindow(id: string, inst: SqlInstance | undefined): RestoreWindow {
  const backups = inst?.settings?.backupConfiguration;
  if (!unwrap(backups?.pointInTimeRecoveryEnabled)) {
    throw new UserError(
      `Cloud SQL instance ${id} has point-in-time recovery off (settings.backupConfiguration.pointInTimeRecoveryEnabled), so it cannot be cloned to a point in time: restore a backup by hand, and turn point-in-time recovery on for next time.`,
    );
  }
  const days = unwrap(backups?.transactionLogRetentionDays) ?? 7;
  const created = timestampToDate(inst?.createTime ?? undefined);
  const kept = Date.now() - days * 86400_000;
  const earliest = new Date(Math.max(kept, created?.getTime() ?? kept));
  return {
    source: id,
    earliest,
    found: `transaction logs kept ${days} day(s)${created ? `, instance created ${created.toISOString()}` : ''}`,
  };
}

/** The instance `name`, or undefined when Cloud SQL does not know it. */
export async function sqlRestored(
  clients: SqlClients,
  project: string,
  name: string,
): Promise<RestoredDatabase | undefined> {
  let inst: SqlInstance;
  try {
    [inst] = (await clients.instances.get({ project, instance: name }, NO_RETRY)) as unknown as [SqlInstance];
  } catch (err) {
    const wrapped = wrapSdkError('sqladmin', 'instances.get', err, `instance ${name}`);
    if (wrapped.status === 404) return undefined;
    throw wrapped;
  }
  const state = String(inst.state ?? 'unknown');
  const ip = (inst.ipAddresses ?? []).find((a) => String(a.type) === 'PRIVATE') ?? inst.ipAddresses?.[0];
  const port = String(inst.databaseVersion ?? '').startsWith('MYSQL')
    ? 3306
    : String(inst.databaseVersion ?? '').startsWith('SQLSERVER')
      ? 1433
      : 5432;
  return {
    id: name,
    status: state,
    available: state === 'RUNNABLE',
    failed: state === 'FAILED' ? `state ${state}` : undefined,
    endpoint: ip?.ipAddress ? `${ip.ipAddress}:${port}` : undefined,
  };
}

export async function sqlRestore(
  clients: SqlClients,
  project: string,
  spec: RestoreSpec,
): Promise<Operation> {
  const ms = spec.restoreTime.getTime();
  try {
    const [op] = await clients.instances.clone(
      {
        project,
        instance: spec.source,
        body: {
          cloneContext: {
            kind: 'sql#cloneContext',
            destinationInstanceName: spec.name,
            pointInTime: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 },
          },
        },
      },
      NO_RETRY,
    );
    return {
      id: String(op.name),
      description: `Cloud SQL clone of ${spec.source} at ${spec.restoreTime.toISOString()} as ${spec.name}`,
    };
  } catch (err) {
    throw wrapSdkError('sqladmin', 'instances.clone', err, `clone of ${spec.source} as ${spec.name}`);
  }
}
