/**
 * RDS point-in-time recovery in the sandbox:
 * - RestoreDBInstanceToPointInTime
 *   (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBInstanceToPointInTime.html):
 *   restores a DB instance "to any point in time before the time identified by the
 *   LatestRestorableTime property", within the backup retention, as a NEW instance
 *   (`TargetDBInstanceIdentifier`): standalone, single-AZ unless `MultiAZ` is asked for, in the
 *   source's Region, `creating` while the backup is restored and the logs replayed. Errors:
 *   DBInstanceAlreadyExists (the target name is taken), DBInstanceNotFound,
 *   PointInTimeRestoreNotEnabled (the source has BackupRetentionPeriod 0), InvalidParameterValue
 *   (a restore time outside the restore window), InvalidParameterCombination (RestoreTime with
 *   UseLatestRestorableTime).
 * - DescribeDBInstanceAutomatedBackups
 *   (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBInstanceAutomatedBackup.html):
 *   the instance's `RestoreWindow` (`EarliestTime`, `LatestTime`,
 *   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreWindow.html).
 *
 * The restored instance holds the data of its restore time: logical corruption written later is
 * not in it (dbtopology.ts `dataCorrupted`).
 */
import { SITES, DURATIONS, type StackWorld, type World } from '../world.js';
import type { DbInstanceWorld } from '../dbtopology.js';
import { list, SANDBOX_ACCOUNT, type XmlNode } from './common.js';
import { addEvent, findInstance, instanceXml, instancesIn, RdsError } from './rds.js';

/** RDS's transaction logs reach about five minutes back from now (LatestRestorableTime). */
const LOG_UPLOAD_MS = 5 * 60_000;

/** The restore window of an instance with automated backups, by its retention and creation. */
export function restorableWindow(
  _stack: StackWorld,
  inst: DbInstanceWorld,
): { earliest: Date; latest: Date } {
  const now = Date.now();
  const kept = now - inst.backupRetentionDays * 86400_000;
  const earliest = Math.max(
    kept,
    inst.restoredTo !== undefined ? inst.createdAt : (inst.promotedAt ?? inst.createdAt),
  );
  const latest = Math.max(earliest, now - LOG_UPLOAD_MS);
  return { earliest: new Date(earliest), latest: new Date(latest) };
}

export function describeDBInstanceAutomatedBackups(
  stack: StackWorld,
  region: string,
  p: URLSearchParams,
): XmlNode {
  const id = p.get('DBInstanceIdentifier');
  const found = [...instancesIn(stack).values()].filter(
    (i) =>
      stack.sites[i.site].region === region &&
      (!id || i.id === id) &&
      i.backupRetentionDays > 0 &&
      !i.source &&
      i.status !== 'creating',
  );
  return {
    DBInstanceAutomatedBackups: list(
      'DBInstanceAutomatedBackup',
      found.map((i) => {
        const w = restorableWindow(stack, i);
        return {
          DBInstanceArn: `arn:aws:rds:${region}:${SANDBOX_ACCOUNT}:db:${i.id}`,
          DbiResourceId: `db-SANDBOX${i.id.toUpperCase().replace(/[^A-Z0-9]/g, '')}`,
          Region: region,
          DBInstanceIdentifier: i.id,
          RestoreWindow: { EarliestTime: w.earliest, LatestTime: w.latest },
          Status: 'active',
          Engine: 'postgres',
          BackupRetentionPeriod: i.backupRetentionDays,
          Encrypted: i.encrypted,
        };
      }),
    ),
  };
}

export function restoreDBInstanceToPointInTime(
  world: World,
  stack: StackWorld,
  region: string,
  p: URLSearchParams,
): XmlNode {
  const target = p.get('TargetDBInstanceIdentifier');
  if (!target) {
    throw new RdsError(
      400,
      'MissingParameter',
      'The request must contain the parameter TargetDBInstanceIdentifier.',
    );
  }
  const source = findInstance(stack, region, p.get('SourceDBInstanceIdentifier'));
  const all = instancesIn(stack);
  if (all.has(target)) throw new RdsError(400, 'DBInstanceAlreadyExists', 'DB instance already exists');
  const latestAsked = p.get('UseLatestRestorableTime') === 'true';
  const timeRaw = p.get('RestoreTime');
  if (latestAsked && timeRaw) {
    throw new RdsError(
      400,
      'InvalidParameterCombination',
      'Cannot specify both RestoreTime and UseLatestRestorableTime.',
    );
  }
  if (source.backupRetentionDays === 0 || source.source) {
    throw new RdsError(
      400,
      'PointInTimeRestoreNotEnabled',
      `SourceDBInstanceIdentifier refers to a DB instance with BackupRetentionPeriod equal to 0: ${source.id}.`,
    );
  }
  const w = restorableWindow(stack, source);
  const at = latestAsked ? w.latest : timeRaw ? new Date(timeRaw) : undefined;
  if (!at || Number.isNaN(at.getTime())) {
    throw new RdsError(
      400,
      'InvalidParameterValue',
      'RestoreTime or UseLatestRestorableTime must be specified.',
    );
  }
  if (at < w.earliest || at > w.latest) {
    throw new RdsError(
      400,
      'InvalidParameterValue',
      `The restore time ${at.toISOString()} is outside the restorable window of DB instance ${source.id}: between ${w.earliest.toISOString()} and ${w.latest.toISOString()}.`,
    );
  }
  const site = SITES.find((x) => stack.sites[x].region === region)!;
  world.monitor.mutation('rds', 'RestoreDBInstanceToPointInTime', target);
  const inst: DbInstanceWorld = {
    id: target,
    site,
    zone: stack.sites[site].zones[0],
    multiAZ: p.get('MultiAZ') === 'true',
    backupRetentionDays: source.backupRetentionDays,
    encrypted: source.encrypted,
    kmsKeyId: source.kmsKeyId,
    status: 'creating',
    createdAt: Date.now(),
    restoredTo: at.getTime(),
    restoredFrom: source.id,
  };
  all.set(target, inst);
  addEvent(world, target, 'DB instance created');
  world.schedule(world.duration(DURATIONS.pitrRestore), () => {
    if (inst.status === 'creating') inst.status = 'available';
    addEvent(world, target, `Restored from DB instance ${source.id} to ${at.toISOString()}.`);
  });
  return { DBInstance: instanceXml(world, stack, inst) };
}
