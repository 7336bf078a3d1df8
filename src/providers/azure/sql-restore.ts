/**
 * Azure SQL point-in-time restore: a new database on the writer's server, created with
 * `createMode: PointInTimeRestore` from the failover group's database (`sourceDatabaseId`) at
 * `restorePointInTime` (https://learn.microsoft.com/en-us/rest/api/sql/databases/create-or-update,
 * https://learn.microsoft.com/en-us/azure/azure-sql/database/recovery-using-backups#point-in-time-restore).
 * The window opens at the database's CONTINUOUS restore point (`earliestRestoreDate`) and runs to
 * now. The restored database is outside the failover group: the group's read-write listener does
 * not follow it, so the application must be bound to the server's own name
 * (`fullyQualifiedDomainName`, port 1433).
 */
import { azure, type ProviderPermissions } from '../../permissions/types.js';
import type { SqlManagementClient } from '@azure/arm-sql';
import { wrapSdkError } from '../../engine/errors.js';
import type { Operation, RestoredDatabase, RestoreSpec } from '../types.js';

export interface ServerRef {
  resourceGroup: string;
  server: string;
}

/** The Azure SQL calls of a point-in-time restore, by the provider method that makes them. */
export const PERMISSIONS = {
  restoreWindow: [],
  restored: [
    azure('Databases_Get', 'Microsoft.Sql/servers/databases/read'),
    azure('Servers_Get', 'Microsoft.Sql/servers/read'),
  ],
  restoreToPointInTime: [
    azure('Servers_Get', 'Microsoft.Sql/servers/read'),
    azure('Databases_CreateOrUpdate', 'Microsoft.Sql/servers/databases/write', true),
  ],
} satisfies ProviderPermissions;

/** The database `name` on the server, or undefined when Azure does not know it. */
export async function azureRestored(
  client: SqlManagementClient,
  s: ServerRef,
  name: string,
): Promise<RestoredDatabase | undefined> {
  let status: string;
  try {
    const db = await client.databases.get(s.resourceGroup, s.server, name);
    status = db.status ?? 'unknown';
  } catch (err) {
    const e = wrapSdkError('arm', 'Databases_Get', err, `database ${s.server}/${name}`);
    if (e.status === 404) return undefined;
    throw e;
  }
  let endpoint: string | undefined;
  if (status === 'Online') {
    try {
      const server = await client.servers.get(s.resourceGroup, s.server);
      endpoint = server.fullyQualifiedDomainName ? `${server.fullyQualifiedDomainName}:1433` : undefined;
    } catch (err) {
      throw wrapSdkError('arm', 'Servers_Get', err, `server ${s.server}`);
    }
  }
  return {
    id: name,
    status,
    available: status === 'Online',
    failed: ['Offline', 'Disabled', 'Inaccessible', 'EmergencyMode'].includes(status)
      ? `status ${status}`
      : undefined,
    endpoint,
  };
}

/** Start the restore (the first request of the long-running create; its end is read by azureRestored). */
export async function azureRestore(
  client: SqlManagementClient,
  s: ServerRef,
  spec: RestoreSpec,
): Promise<Operation> {
  try {
    const server = await client.servers.get(s.resourceGroup, s.server);
    await client.databases.beginCreateOrUpdate(s.resourceGroup, s.server, spec.name, {
      location: server.location ?? '',
      createMode: 'PointInTimeRestore',
      sourceDatabaseId: spec.source,
      restorePointInTime: spec.restoreTime,
    });
  } catch (err) {
    throw wrapSdkError(
      'arm',
      'Databases_CreateOrUpdate',
      err,
      `restore of ${spec.source} as ${s.server}/${spec.name}`,
    );
  }
  return {
    id: `azure:restore:${s.server}/${spec.name}`,
    description: `Azure SQL point-in-time restore of ${spec.source} at ${spec.restoreTime.toISOString()} as ${s.server}/${spec.name}`,
  };
}
