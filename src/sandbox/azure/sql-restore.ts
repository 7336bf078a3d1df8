/**
 * Azure SQL point-in-time restore in the sandbox (Databases - Create Or Update with `createMode`
 * PointInTimeRestore, https://learn.microsoft.com/en-us/rest/api/sql/databases/create-or-update;
 * https://learn.microsoft.com/en-us/azure/azure-sql/database/recovery-using-backups#point-in-time-restore):
 * "Point-in-time restore always creates a new database" on the server, from `sourceDatabaseId` at
 * `restorePointInTime`, within the source's retention (its CONTINUOUS restore point's
 * `earliestRestoreDate`, see sql.ts `restorePoints`) and not in the future. The new database is
 * not in the failover group: the group's listener does not follow it. It is `Creating`, then
 * `Online`. Also Databases - Get (the group's database and restored ones) and Servers - Get
 * (`fullyQualifiedDomainName`, what the application connects to). A name already taken is refused
 * (409 DatabaseAlreadyExists).
 */
import type { DbInstanceWorld } from '../dbtopology.js';
import type { ServiceContext, ServiceRequest } from '../http.js';
import { DURATIONS } from '../world.js';
import { TOPOLOGY, SANDBOX_SUBSCRIPTION } from '../estate.js';
import { type ArmState, type Route, ArmError, eq, iso, regionDown, stackOf } from './common.js';
import { AZURE_SQL_PITR_DAYS, sqlSite } from './sql.js';

const AZ = TOPOLOGY.azure;

function serverPath(rg: string, server: string): string {
  return `/subscriptions/${SANDBOX_SUBSCRIPTION}/resourceGroups/${rg}/providers/Microsoft.Sql/servers/${server}`;
}

function located(arm: ArmState, ctx: ServiceContext, r: Route) {
  const stack = stackOf(arm, ctx.world);
  const site = sqlSite(r.p.rg, r.p.server);
  const s = stack.sites[site];
  if (!s.up) throw regionDown(s, `server '${r.p.server}'`);
  const restored = (stack.database.restoredDatabases ??= new Map<string, DbInstanceWorld>());
  return { stack, site, s, restored };
}

function databaseBody(r: Route, region: string, name: string, status: string, extra: object = {}): object {
  return {
    id: `${serverPath(r.p.rg, r.p.server)}/databases/${name}`,
    name,
    type: 'Microsoft.Sql/servers/databases',
    location: region,
    sku: { name: 'GP_Gen5', tier: 'GeneralPurpose', family: 'Gen5', capacity: 2 },
    properties: { status, collation: 'SQL_Latin1_General_CP1_CI_AS', ...extra },
  };
}

export function serverBody(arm: ArmState, ctx: ServiceContext, r: Route): object {
  const { s } = located(arm, ctx, r);
  return {
    id: serverPath(r.p.rg, r.p.server),
    name: r.p.server,
    type: 'Microsoft.Sql/servers',
    location: s.region,
    properties: {
      state: 'Ready',
      version: '12.0',
      fullyQualifiedDomainName: `${r.p.server.toLowerCase()}.database.sandbox.aegis.test`,
    },
  };
}

export function getDatabase(arm: ArmState, ctx: ServiceContext, r: Route): object {
  const { s, site, restored } = located(arm, ctx, r);
  if (eq(r.p.db, AZ.sql.database)) return databaseBody(r, s.region, AZ.sql.database, 'Online');
  const db = restored.get(r.p.db.toLowerCase());
  if (!db || db.site !== site) {
    throw new ArmError(
      404,
      'ResourceNotFound',
      `The Resource 'Microsoft.Sql/servers/${r.p.server}/databases/${r.p.db}' under resource group '${r.p.rg}' was not found.`,
    );
  }
  return databaseBody(r, s.region, db.id, db.status === 'creating' ? 'Creating' : 'Online', {
    restorePointInTime: db.restoredTo !== undefined ? iso(db.restoredTo) : undefined,
    sourceDatabaseId: db.restoredFrom,
  });
}

export function putDatabase(arm: ArmState, req: ServiceRequest, ctx: ServiceContext, r: Route): object {
  const { world } = ctx;
  const { s, site, restored } = located(arm, ctx, r);
  let body: { properties?: { createMode?: string; sourceDatabaseId?: string; restorePointInTime?: string } };
  try {
    body = req.json();
  } catch {
    throw new ArmError(
      400,
      'InvalidRequestContent',
      'The request content was invalid and could not be deserialized.',
    );
  }
  const p = body.properties ?? {};
  if (p.createMode !== 'PointInTimeRestore') {
    throw new ArmError(
      400,
      'InvalidParameterValue',
      `createMode '${String(p.createMode)}' is not emulated by the sandbox: only PointInTimeRestore creates a database here.`,
    );
  }
  if (eq(r.p.db, AZ.sql.database) || restored.has(r.p.db.toLowerCase())) {
    throw new ArmError(
      409,
      'DatabaseAlreadyExists',
      `The database '${r.p.db}' already exists. Choose a different database name.`,
    );
  }
  const m = /\/servers\/([^/]+)\/databases\/([^/]+)$/i.exec(p.sourceDatabaseId ?? '');
  if (!m || !eq(m[2], AZ.sql.database)) {
    throw new ArmError(
      404,
      'SourceDatabaseNotFound',
      `The source database '${String(p.sourceDatabaseId)}' does not exist.`,
    );
  }
  const now = world.now();
  const at = p.restorePointInTime ? Date.parse(p.restorePointInTime) : NaN;
  const earliest = now - AZURE_SQL_PITR_DAYS * 86400 * 1000;
  if (Number.isNaN(at) || at < earliest || at > now) {
    throw new ArmError(
      400,
      'InvalidPointInTimeRestoreRequest',
      `The restore point in time '${String(p.restorePointInTime)}' is outside the point-in-time restore window of '${m[2]}': from ${iso(earliest)} (earliestRestoreDate) to now.`,
    );
  }
  world.monitor.mutation('arm', 'Databases_CreateOrUpdate', r.p.db);
  const db: DbInstanceWorld = {
    id: r.p.db,
    site,
    zone: s.zones[0],
    multiAZ: false,
    backupRetentionDays: AZURE_SQL_PITR_DAYS,
    encrypted: true,
    status: 'creating',
    createdAt: now,
    restoredTo: at,
    restoredFrom: p.sourceDatabaseId,
  };
  restored.set(r.p.db.toLowerCase(), db);
  world.schedule(world.duration(DURATIONS.pitrRestore), () => {
    db.status = 'available';
  });
  return databaseBody(r, s.region, db.id, 'Creating', {
    createMode: 'PointInTimeRestore',
    sourceDatabaseId: p.sourceDatabaseId,
    restorePointInTime: iso(at),
  });
}
