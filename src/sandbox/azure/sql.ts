/**
 * Emulated Microsoft.Sql: the failover group of the Azure estate, as @azure/arm-sql 10 calls it
 * (api-version 2020-11-01-preview). REST API reference:
 * https://learn.microsoft.com/en-us/rest/api/sql/failovergroups/failover
 *
 * - Failover groups: GET from either server; POST `failover` (planned) and
 *   `forceFailoverAllowDataLoss` as long-running operations (202 + `Azure-AsyncOperation` +
 *   `Location`); failing over to the server that is already primary is a 200 no-op; a planned
 *   failover with the primary unreachable is accepted and then fails with the roles unchanged.
 * - The group's database: `restorePoints` (its one CONTINUOUS point, see `restorePoints`) and its
 *   management `operations` (`az sql db op list`), where a running group failover shows InProgress.
 *
 * Not emulated: creating, updating or deleting failover groups, servers or databases (except a
 * point-in-time restore to a new database, sql-restore.ts); more than one
 * failover group or database; read-only listener endpoints; `tryPlannedBeforeForcedFailover`;
 * automatic (grace-period) failover policy; cancelling database operations.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { SiteName } from '../../plan/types.js';
import { SANDBOX_SUBSCRIPTION, TOPOLOGY } from '../estate.js';
import { send, type ServiceContext, type ServiceRequest } from '../http.js';
import { DURATIONS, SITES, type SiteWorld, type StackWorld } from '../world.js';
import {
  type ArmLro,
  type ArmState,
  type Route,
  ArmError,
  SQL_API_VERSION,
  baseUrl,
  eq,
  iso,
  regionDown,
  stackOf,
} from './common.js';

const AZ = TOPOLOGY.azure;

export function sqlSite(rg: string, server: string): SiteName {
  for (const s of SITES) {
    if (eq(AZ.sql.servers[s], server)) {
      if (!eq(AZ.resourceGroups[s], rg)) break;
      return s;
    }
  }
  throw new ArmError(
    404,
    'ResourceNotFound',
    `The Resource 'Microsoft.Sql/servers/${server}' under resource group '${rg}' was not found.`,
  );
}

function serverId(site: SiteName): string {
  return `/subscriptions/${SANDBOX_SUBSCRIPTION}/resourceGroups/${AZ.resourceGroups[site]}/providers/Microsoft.Sql/servers/${AZ.sql.servers[site]}`;
}

function replicationState(stack: StackWorld): string {
  const db = stack.database;
  if (!db.replicating) return 'PENDING';
  if (!db.replicationHealthy || !stack.sites.primary.up || !stack.sites.dr.up) return 'SUSPENDED';
  return 'CATCH_UP';
}

export function failoverGroupBody(stack: StackWorld, site: SiteName): object {
  const other: SiteName = site === 'primary' ? 'dr' : 'primary';
  const role = (s: SiteName) => (stack.database.writer === s ? 'Primary' : 'Secondary');
  return {
    id: `${serverId(site)}/failoverGroups/${AZ.sql.failoverGroup}`,
    name: AZ.sql.failoverGroup,
    type: 'Microsoft.Sql/servers/failoverGroups',
    location: stack.sites[site].region,
    tags: {},
    properties: {
      readWriteEndpoint: { failoverPolicy: 'Manual' },
      readOnlyEndpoint: { failoverPolicy: 'Disabled' },
      replicationRole: role(site),
      replicationState: replicationState(stack),
      partnerServers: [
        { id: serverId(other), location: stack.sites[other].region, replicationRole: role(other) },
      ],
      databases: [`${serverId(site)}/databases/${AZ.sql.database}`],
    },
  };
}

export function checkFog(fog: string, server: string): void {
  if (!eq(fog, AZ.sql.failoverGroup)) {
    throw new ArmError(
      404,
      'ResourceNotFound',
      `The failover group '${fog}' does not exist on server '${server}'.`,
    );
  }
}

export function startFailover(
  arm: ArmState,
  req: ServiceRequest,
  res: http.ServerResponse,
  ctx: ServiceContext,
  r: Route,
  forced: boolean,
): void {
  const stack = stackOf(arm, ctx.world);
  const site = sqlSite(r.p.rg, r.p.server);
  checkFog(r.p.fog, r.p.server);
  const s = stack.sites[site];
  if (!s.up) throw regionDown(s, `server '${r.p.server}'`);
  const db = stack.database;
  const opName = forced ? 'FailoverGroups_ForceFailoverAllowDataLoss' : 'FailoverGroups_Failover';
  if (db.status === 'failing-over' && db.busyUntil > ctx.world.now()) {
    throw new ArmError(
      409,
      'FailoverGroupOperationInProgress',
      `Failover group '${AZ.sql.failoverGroup}' already has a failover in progress; wait for it to finish before starting another.`,
    );
  }
  ctx.world.monitor.mutation('arm', opName, `${r.p.server}/${AZ.sql.failoverGroup}`);
  if (db.writer === site) {
    // Azure: failing over to the server that is already primary is a no-op success.
    send(res, 200, failoverGroupBody(stack, site));
    return;
  }
  const oldWriter = db.writer;
  // A planned failover synchronizes the primary and the secondary before the roles switch, so it
  // needs both sides; with the primary unreachable it cannot, and it fails and rolls back (the
  // roles stay as they were): "a best effort failover operation that will either succeed without
  // losing data or fail and roll back"
  // (https://learn.microsoft.com/en-us/powershell/module/az.sql/switch-azsqldatabasefailovergroup;
  // https://learn.microsoft.com/en-us/azure/azure-sql/database/failover-group-sql-db: "Planned
  // failover performs full data synchronization between primary and secondary databases before
  // the secondary switches to the primary role"). The request is accepted (202) and the operation
  // fails when its synchronization gives up, so a caller learns it only by polling, after a while.
  const ms = ctx.world.duration(DURATIONS.azureFailover);
  const lro: ArmLro = {
    id: randomUUID(),
    kind: 'sql',
    location: s.region,
    site,
    status: 'InProgress',
    startTime: iso(ctx.world.now()),
    server: AZ.sql.servers[site],
    forced,
  };
  arm.lros.set(lro.id, lro);
  db.status = 'failing-over';
  db.busyUntil = ctx.world.now() + ms;
  db.events.push({
    at: ctx.world.now(),
    message: `${forced ? 'Forced' : 'Planned'} failover of ${AZ.sql.failoverGroup} to ${AZ.sql.servers[site]} started`,
  });
  const world = ctx.world;
  world.schedule(ms, () => {
    db.busyUntil = 0;
    db.status = 'available';
    lro.endTime = iso(world.now());
    if (!forced && !stack.sites[oldWriter].up) {
      lro.status = 'Failed';
      lro.error = {
        code: 'FailoverGroupPrimaryUnreachable',
        message: `Planned failover of failover group '${AZ.sql.failoverGroup}' failed because the primary server '${AZ.sql.servers[oldWriter]}' in region '${stack.sites[oldWriter].region}' is unreachable and the databases could not be synchronized; the roles are unchanged; use forceFailoverAllowDataLoss to fail over with possible data loss.`,
      };
      db.events.push({
        at: world.now(),
        message: `Planned failover of ${AZ.sql.failoverGroup} failed: primary unreachable`,
      });
      return;
    }
    db.writer = site;
    db.writable[site] = true;
    db.writable[oldWriter] = false; // failover groups fence the old primary by themselves
    db.writerZone = stack.sites[site].zones[0];
    db.failovers++;
    world.monitor.failover(AZ.sql.failoverGroup);
    db.events.push({
      at: world.now(),
      message: `${forced ? 'Forced' : 'Planned'} failover of ${AZ.sql.failoverGroup} to ${AZ.sql.servers[site]} completed`,
    });
    lro.status = 'Succeeded';
  });
  const base = baseUrl(req);
  const prefix = `${base}/subscriptions/${SANDBOX_SUBSCRIPTION}/providers/Microsoft.Sql/locations/${s.region}`;
  send(res, 202, '', 'application/json', {
    'Azure-AsyncOperation': `${prefix}/failoverGroupAzureAsyncOperation/${lro.id}?api-version=${SQL_API_VERSION}`,
    Location: `${prefix}/failoverGroupOperationResults/${lro.id}?api-version=${SQL_API_VERSION}`,
  });
}

/**
 * The failover group's database named by a `.../servers/S/databases/D/...` route, on a server
 * whose region is up: its site, the site's state and its resource id; ARM's own 404 otherwise.
 */
function groupDatabase(
  arm: ArmState,
  ctx: ServiceContext,
  r: Route,
): { site: SiteName; s: SiteWorld; dbId: string } {
  const stack = stackOf(arm, ctx.world);
  const site = sqlSite(r.p.rg, r.p.server);
  if (!eq(r.p.db, AZ.sql.database)) {
    throw new ArmError(
      404,
      'ResourceNotFound',
      `The database '${r.p.db}' does not exist on server '${r.p.server}'.`,
    );
  }
  const s = stack.sites[site];
  if (!s.up) throw regionDown(s, `server '${r.p.server}'`);
  return { site, s, dbId: `${serverId(site)}/databases/${AZ.sql.database}` };
}

/**
 * `az sql db op list`: the management operations on the group's database, as read from either
 * server. A failover group failover shows on both partners' database while it runs (InProgress),
 * then as Succeeded or Failed, so a process that did not start it can see it under way.
 */
export function databaseOperations(arm: ArmState, ctx: ServiceContext, r: Route): object {
  const { dbId } = groupDatabase(arm, ctx, r);
  const value = [...arm.lros.values()]
    .filter((l) => l.kind === 'sql')
    .map((l) => ({
      id: `${dbId}/operations/${l.id}`,
      name: l.id,
      type: 'Microsoft.Sql/servers/databases/operations',
      properties: {
        databaseName: AZ.sql.database,
        operation: l.forced ? 'ForcedFailoverGroupFailover' : 'FailoverGroupFailover',
        operationFriendlyName: l.forced ? 'FORCED FAILOVER GROUP FAILOVER' : 'FAILOVER GROUP FAILOVER',
        percentComplete: l.status === 'InProgress' ? 50 : 100,
        serverName: r.p.server,
        startTime: l.startTime,
        state: l.status,
        ...(l.error ? { errorDescription: l.error.message } : {}),
        isUserError: false,
        isCancellable: false,
      },
    }));
  return { value };
}

/** Days of point-in-time restore an Azure SQL Database keeps by default. */
export const AZURE_SQL_PITR_DAYS = 7;

/**
 * An Azure SQL Database's restore points: one CONTINUOUS point whose `earliestRestoreDate` opens the
 * point-in-time restore window, and no DISCRETE points (those are a dedicated SQL pool's / data
 * warehouse's). "For an Azure SQL Database, the restore window is continuous. This means that any
 * point in time in the backup retention period of the database can be used as a restore point":
 * https://learn.microsoft.com/en-us/powershell/module/az.sql/get-azsqldatabaserestorepoint,
 * https://learn.microsoft.com/en-us/rest/api/sql/restore-points/list-by-database.
 * The window is the default retention (AZURE_SQL_PITR_DAYS); `database.lastBackupAt` has no
 * counterpart here (the service keeps no newest-backup time to read).
 */
export function restorePoints(arm: ArmState, ctx: ServiceContext, r: Route): object {
  const { s, dbId } = groupDatabase(arm, ctx, r);
  const now = ctx.world.now();
  return {
    value: [
      {
        id: `${dbId}/restorePoints/continuous`,
        name: 'continuous',
        type: 'Microsoft.Sql/servers/databases/restorePoints',
        location: s.region,
        properties: {
          restorePointType: 'CONTINUOUS',
          earliestRestoreDate: iso(now - AZURE_SQL_PITR_DAYS * 86400 * 1000),
        },
      },
    ],
  };
}
