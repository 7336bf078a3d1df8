/**
 * RDS point-in-time recovery: the writer's restore window (DescribeDBInstanceAutomatedBackups
 * `RestoreWindow`, https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreWindow.html;
 * an instance's `LatestRestorableTime` when no automated backup is listed), the restore itself
 * (RestoreDBInstanceToPointInTime to a new instance in the writer's Region,
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBInstanceToPointInTime.html)
 * and the restored instance as DescribeDBInstances shows it.
 */
import { aws, type ProviderPermissions } from '../../permissions/types.js';
import {
  DescribeDBInstanceAutomatedBackupsCommand,
  DescribeDBInstancesCommand,
  RestoreDBInstanceToPointInTimeCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';
import { wrapSdkError } from '../../engine/errors.js';
import type { Operation, RestoredDatabase, RestoreSpec, RestoreWindow } from '../types.js';
import { FAILED } from './rds-topology.js';

async function call<T>(operation: string, fn: () => Promise<T>, resource?: string): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw wrapSdkError('rds', operation, err, resource);
  }
}

/**
 * The RDS calls of a point-in-time restore, by the provider method that makes them (the target
 * instance is named from database.restoreNamePattern, {instance}-pitr-{n}: the rds-db scope's
 * `<instance>-*` covers it).
 */
export const PERMISSIONS = {
  restoreWindow: [aws('rds', 'DescribeDBInstanceAutomatedBackups'), aws('rds', 'DescribeDBInstances')],
  restored: [aws('rds', 'DescribeDBInstances')],
  restoreToPointInTime: [aws('rds', 'RestoreDBInstanceToPointInTime', { mutates: true, scope: 'rds-db' })],
} satisfies ProviderPermissions;

/** The restore window of `id` (the writer) in `region`. */
export async function rdsRestoreWindow(
  client: RDSClient,
  id: string,
  region: string,
): Promise<RestoreWindow> {
  const out = await call(
    'DescribeDBInstanceAutomatedBackups',
    () => client.send(new DescribeDBInstanceAutomatedBackupsCommand({ DBInstanceIdentifier: id })),
    `automated backups of DB instance ${id} in ${region}`,
  );
  const backup = out.DBInstanceAutomatedBackups?.find(
    (b) => b.DBInstanceIdentifier === id && b.Status === 'active',
  );
  const earliest = backup?.RestoreWindow?.EarliestTime;
  let latest = backup?.RestoreWindow?.LatestTime;
  if (!latest) {
    const inst = await call(
      'DescribeDBInstances',
      () => client.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id })),
      `DB instance ${id} in ${region}`,
    );
    latest = inst.DBInstances?.[0]?.LatestRestorableTime;
  }
  return {
    source: id,
    earliest,
    latest,
    found: backup
      ? `RDS RestoreWindow ${earliest?.toISOString() ?? '?'} to ${latest?.toISOString() ?? '?'}`
      : `no active automated backup of ${id} in ${region}${latest ? `; LatestRestorableTime ${latest.toISOString()}` : ''}`,
  };
}

/** The instance `name` in `region`, or undefined when RDS does not know it. */
export async function rdsRestored(
  client: RDSClient,
  name: string,
  region: string,
): Promise<RestoredDatabase | undefined> {
  try {
    const out = await client.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: name }));
    const inst = out.DBInstances?.[0];
    if (!inst) return undefined;
    const status = inst.DBInstanceStatus ?? 'unknown';
    return {
      id: name,
      status,
      available: status === 'available',
      failed: FAILED.has(status) ? `status ${status}` : undefined,
      endpoint: inst.Endpoint?.Address ? `${inst.Endpoint.Address}:${inst.Endpoint.Port ?? 5432}` : undefined,
    };
  } catch (err) {
    const e = err as { name?: string; Code?: string };
    if (e.name === 'DBInstanceNotFoundFault' || e.name === 'DBInstanceNotFound') return undefined;
    throw wrapSdkError('rds', 'DescribeDBInstances', err, `DB instance ${name} in ${region}`);
  }
}

export async function rdsRestore(client: RDSClient, spec: RestoreSpec, region: string): Promise<Operation> {
  await call(
    'RestoreDBInstanceToPointInTime',
    () =>
      client.send(
        new RestoreDBInstanceToPointInTimeCommand({
          SourceDBInstanceIdentifier: spec.source,
          TargetDBInstanceIdentifier: spec.name,
          RestoreTime: spec.restoreTime,
        }),
      ),
    `restore of ${spec.source} to ${spec.restoreTime.toISOString()} as ${spec.name} in ${region}`,
  );
  return {
    id: `rds:restore:${spec.name}`,
    description: `RDS RestoreDBInstanceToPointInTime ${spec.source} -> ${spec.name} at ${spec.restoreTime.toISOString()} in ${region}`,
  };
}
