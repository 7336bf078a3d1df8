/**
 * Emulated Cloud SQL Admin API v1, in the HTTP/1.1 JSON form that `@google-cloud/sql` speaks with
 * `{ fallback: true, apiEndpoint: '127.0.0.1', port, protocol: 'http' }`.
 *
 * Instances (names from TOPOLOGY.gcp.sql, project SANDBOX_PROJECT):
 * - `aegis-db` in the primary region: REGIONAL (HA), `gceZone` = `database.writerZone`,
 *   `secondaryGceZone` = the other primary zone, `failoverReplica {name, available}`, `replicaNames`.
 * - `aegis-db-dr-replica` in the DR region: `instanceType` READ_REPLICA_INSTANCE with
 *   `masterInstanceName` and `replicaConfiguration` while replicating, CLOUD_SQL_INSTANCE after
 *   promotion. Replication health is rendered in `settings.databaseReplicationEnabled` (the real
 *   field that says whether a read replica replicates), false when `database.replicationHealthy`
 *   is false.
 *
 * The instances are the stack's database instances (../dbtopology.ts). Routes: GET instances,
 * POST instances (a read replica: `masterInstanceName`), PATCH instances/{i} (availabilityType,
 * backups), GET instances/{i}, POST instances/{i}/failover (requires the current `settingsVersion`
 * in `failoverContext`), POST instances/{i}/promoteReplica (`failover=true`: advanced DR replica
 * failover), POST instances/{i}/switchover (advanced DR), GET instances/{i}/backupRuns,
 * GET operations/{op}, GET operations?instance=I, POST instances/{i}/clone (sqladmin-clone.ts).
 * Fault operation names: instances.get, instances.failover, instances.promoteReplica,
 * instances.switchover, instances.clone, backupRuns.list, operations.get, operations.list.
 *
 * Operations go PENDING -> RUNNING -> DONE; the effect lands when DONE, after
 * `world.duration(DURATIONS.cloudSqlFailover)`. If the instance's region goes down before then,
 * the operation ends DONE with an `error`. Every call about an instance whose region is down
 * answers 503 UNAVAILABLE. Enum fields are rendered as names (the client decodes names and numbers).
 */
import { instanceHost } from '../binding.js';
import type http from 'node:http';
import type { SiteName } from '../../plan/types.js';
import { SANDBOX_PROJECT, TOPOLOGY } from '../estate.js';
import { send, type ServiceContext, type ServiceDef, type ServiceRequest } from '../http.js';
import {
  designatedDrReplica,
  promoteInstance,
  replicaFailover,
  replicasOf,
  replicates,
  switchoverInstance,
  type DbInstanceWorld,
} from '../dbtopology.js';
import { DURATIONS, type StackWorld, type World } from '../world.js';
import { cloneInstance } from './sqladmin-clone.js';
import {
  gcpStack,
  googleError,
  hexId,
  regionDown,
  rejectRequest,
  renderGoogleError,
  renderGoogleThrottle,
  rfc3339,
} from './common.js';

export type SqlOpType =
  | 'FAILOVER'
  | 'PROMOTE_REPLICA'
  | 'SWITCHOVER'
  | 'BACKUP_VOLUME'
  | 'MAINTENANCE'
  | 'CREATE_REPLICA'
  | 'UPDATE'
  | 'CLONE';

export interface SqlOperation {
  name: string;
  instance: string;
  site: SiteName;
  type: SqlOpType;
  status: 'PENDING' | 'RUNNING' | 'DONE';
  insertTime: number;
  startTime?: number;
  endTime?: number;
  error?: { code: string; message: string };
}

interface SqlState {
  settingsVersion: Record<string, number>;
  operations: Map<string, SqlOperation>;
}

const states = new WeakMap<World, SqlState>();

function stateOf(world: World): SqlState {
  let s = states.get(world);
  if (!s) {
    s = {
      settingsVersion: { [TOPOLOGY.gcp.sql.instance]: 12, [TOPOLOGY.gcp.sql.replica]: 5 },
      operations: new Map(),
    };
    states.set(world, s);
  }
  return s;
}

/** An instance of the stack's database by name, or undefined for an unknown instance. */
function instanceOf(stack: StackWorld, name: string): DbInstanceWorld | undefined {
  return stack.database.instances?.get(name);
}

function settingsVersionOf(state: SqlState, name: string): number {
  state.settingsVersion[name] ??= 1;
  return state.settingsVersion[name];
}

const BASE = '/v1/projects/';

/** Split a path into its Cloud SQL parts. */
function route(path: string): { project: string; kind: string; id?: string; action?: string } | undefined {
  if (!path.startsWith(BASE)) return undefined;
  const parts = path.slice(BASE.length).split('/').map(decodeURIComponent);
  const [project, kind, id, action, extra] = parts;
  if (!project || !kind || extra !== undefined) return undefined;
  return { project, kind, id, action };
}

function opName(req: ServiceRequest): string {
  const r = route(req.path);
  if (!r) return 'unknown';
  if (r.kind === 'instances' && !r.id) {
    if (req.method === 'GET') return 'instances.list';
    if (req.method === 'POST') return 'instances.insert';
    return 'instances.unsupported';
  }
  if (r.kind === 'instances' && r.id) {
    if (!r.action)
      return req.method === 'GET'
        ? 'instances.get'
        : req.method === 'PATCH'
          ? 'instances.patch'
          : 'instances.unsupported';
    if (r.action === 'failover' && req.method === 'POST') return 'instances.failover';
    if (r.action === 'promoteReplica' && req.method === 'POST') return 'instances.promoteReplica';
    if (r.action === 'switchover' && req.method === 'POST') return 'instances.switchover';
    if (r.action === 'clone' && req.method === 'POST') return 'instances.clone';
    if (r.action === 'backupRuns' && req.method === 'GET') return 'backupRuns.list';
    return 'instances.unsupported';
  }
  if (r.kind === 'operations' && req.method === 'GET') return r.id ? 'operations.get' : 'operations.list';
  return 'unknown';
}

export function renderOperation(op: SqlOperation): Record<string, unknown> {
  const link = `https://sqladmin.googleapis.com/v1/projects/${SANDBOX_PROJECT}`;
  return {
    kind: 'sql#operation',
    name: op.name,
    targetLink: `${link}/instances/${op.instance}`,
    selfLink: `${link}/operations/${op.name}`,
    status: op.status,
    user: 'aegis-dr@aegis-sandbox.iam.gserviceaccount.test',
    insertTime: rfc3339(op.insertTime),
    ...(op.startTime !== undefined ? { startTime: rfc3339(op.startTime) } : {}),
    ...(op.endTime !== undefined ? { endTime: rfc3339(op.endTime) } : {}),
    ...(op.error
      ? { error: { kind: 'sql#operationErrors', errors: [{ kind: 'sql#operationError', ...op.error }] } }
      : {}),
    operationType: op.type,
    targetId: op.instance,
    targetProject: SANDBOX_PROJECT,
  };
}

/**
 * The world's routine backup or maintenance of the primary as a Cloud SQL operation (types
 * BACKUP_VOLUME, MAINTENANCE: https://cloud.google.com/sql/docs/mysql/admin-api/rest/v1/operations),
 * RUNNING until it ends, DONE after.
 */
function routineOp(stack: StackWorld): SqlOperation | undefined {
  const r = stack.database.routine;
  if (!r) return undefined;
  const running = r.until > Date.now();
  return {
    name: `${r.id}-0000-0000-0000-000000000000`,
    instance: TOPOLOGY.gcp.sql.instance,
    site: 'primary',
    type: r.kind === 'backup' ? 'BACKUP_VOLUME' : 'MAINTENANCE',
    status: running ? 'RUNNING' : 'DONE',
    insertTime: r.since,
    startTime: r.since,
    ...(running ? {} : { endTime: r.until }),
  };
}

/** Operations of the instance, the routine one included. */
function allOperations(state: SqlState, stack: StackWorld): SqlOperation[] {
  const routine = routineOp(stack);
  return [...state.operations.values(), ...(routine ? [routine] : [])];
}

/** Any operation still running on the instance: Cloud SQL runs one at a time and refuses another (409). */
function busyOp(state: SqlState, instance: string, stack?: StackWorld): SqlOperation | undefined {
  const ops = stack ? allOperations(state, stack) : [...state.operations.values()];
  for (const op of ops) if (op.instance === instance && op.status !== 'DONE') return op;
  return undefined;
}

/**
 * An instance as instances.get renders it
 * (https://cloud.google.com/sql/docs/postgres/admin-api/rest/v1/instances#DatabaseInstance):
 * `instanceType` READ_REPLICA_INSTANCE with `masterInstanceName` on a replica,
 * CLOUD_SQL_INSTANCE on a standalone one (a promoted replica too); `replicaNames` on a source;
 * `state` PENDING_CREATE while a new replica is built, then RUNNABLE; `availabilityType`
 * REGIONAL for HA; `settings.databaseReplicationEnabled` on a replica.
 */
function renderInstance(world: World, stack: StackWorld, inst: DbInstanceWorld): Record<string, unknown> {
  const state = stateOf(world);
  const db = stack.database;
  const name = inst.id;
  const s = stack.sites[inst.site];
  const settingsVersion = String(settingsVersionOf(state, name));
  const backupConfiguration = {
    kind: 'sql#backupConfiguration',
    enabled: inst.backupRetentionDays > 0,
    pointInTimeRecoveryEnabled: inst.backupRetentionDays > 0,
    ...(inst.backupRetentionDays > 0 ? { transactionLogRetentionDays: 7 } : {}),
    startTime: '03:00',
    ...(inst.backupRetentionDays > 0
      ? { backupRetentionSettings: { retentionUnit: 'COUNT', retainedBackups: inst.backupRetentionDays } }
      : {}),
  };
  const replica = inst.source !== undefined;
  const other = s.zones.find((z) => z !== inst.zone) ?? s.zones[0];
  const zone = inst.site === 'primary' && inst.id === TOPOLOGY.gcp.sql.instance ? db.writerZone : inst.zone;
  return {
    kind: 'sql#instance',
    name,
    project: SANDBOX_PROJECT,
    connectionName: `${SANDBOX_PROJECT}:${s.region}:${name}`,
    createTime: rfc3339(inst.createdAt),
    // private IP (https://cloud.google.com/sql/docs/postgres/admin-api/rest/v1/instances#IpMapping)
    ipAddresses: [{ type: 'PRIVATE', ipAddress: instanceHost(stack, inst) }],
    selfLink: `https://sqladmin.googleapis.com/v1/projects/${SANDBOX_PROJECT}/instances/${name}`,
    databaseVersion: 'POSTGRES_16',
    backendType: 'SECOND_GEN',
    region: s.region,
    state:
      inst.status === 'creating'
        ? 'PENDING_CREATE'
        : inst.status === 'modifying'
          ? 'MAINTENANCE'
          : 'RUNNABLE',
    etag: `${name}-${settingsVersion}`,
    instanceType: replica ? 'READ_REPLICA_INSTANCE' : 'CLOUD_SQL_INSTANCE',
    gceZone: zone,
    ...(inst.multiAZ ? { secondaryGceZone: s.zones.find((z) => z !== zone) ?? other } : {}),
    ...(replica
      ? {
          masterInstanceName: inst.source,
          replicaConfiguration: {
            kind: 'sql#replicaConfiguration',
            failoverTarget: false,
            cascadableReplica: false,
          },
        }
      : {}),
    // advanced DR: a primary names its DR replica, the replica says it is one
    ...(!replica && inst.drReplica
      ? { replicationCluster: { failoverDrReplicaName: inst.drReplica, drReplica: false } }
      : replica && instanceOf(stack, inst.source!)?.drReplica === inst.id
        ? { replicationCluster: { drReplica: true } }
        : {}),
    settings: {
      kind: 'sql#settings',
      settingsVersion,
      edition: inst.edition ?? 'ENTERPRISE',
      tier: 'db-custom-4-16384',
      availabilityType: inst.multiAZ ? 'REGIONAL' : 'ZONAL',
      activationPolicy: 'ALWAYS',
      dataDiskSizeGb: '100',
      backupConfiguration,
      ...(replica ? { databaseReplicationEnabled: replicates(stack, inst) } : {}),
    },
    ...(inst.multiAZ
      ? {
          failoverReplica: {
            name:
              inst.id === TOPOLOGY.gcp.sql.instance ? TOPOLOGY.gcp.sql.failoverReplica : `${name}-failover`,
            available: busyOp(state, name)?.type !== 'FAILOVER' && db.status !== 'failing-over',
          },
        }
      : {}),
    replicaNames: replicasOf(stack, name).map((r) => r.id),
  };
}

export function startOperation(
  ctx: ServiceContext,
  stack: StackWorld,
  instance: string,
  type: SqlOpType,
  apply: () => void,
): SqlOperation {
  const { world } = ctx;
  const state = stateOf(world);
  const site = instanceOf(stack, instance)!.site;
  const now = world.now();
  const op: SqlOperation = {
    name: `${hexId(world, 8)}-${hexId(world, 4)}-${hexId(world, 4)}-${hexId(world, 4)}-${hexId(world, 12)}`,
    instance,
    site,
    type,
    status: 'PENDING',
    insertTime: now,
  };
  state.operations.set(op.name, op);
  const total = world.duration(
    type === 'CREATE_REPLICA'
      ? DURATIONS.replicaBuild
      : type === 'CLONE'
        ? DURATIONS.pitrRestore
        : type === 'UPDATE'
          ? DURATIONS.haModify
          : DURATIONS.cloudSqlFailover,
  );
  const db = stack.database;
  const movesWriter = type === 'FAILOVER' || type === 'PROMOTE_REPLICA' || type === 'SWITCHOVER';
  if (movesWriter) {
    db.status = type === 'FAILOVER' ? 'failing-over' : 'promoting';
    db.busyUntil = now + total;
  }
  db.events.push({ at: now, message: `${type} of ${instance} started (operation ${op.name})` });
  world.schedule(Math.min(total / 10, world.realMs(2)), () => {
    if (op.status === 'PENDING') {
      op.status = 'RUNNING';
      op.startTime = world.now();
    }
  });
  world.schedule(total, () => {
    op.startTime ??= world.now();
    op.status = 'DONE';
    op.endTime = world.now();
    if (movesWriter) {
      db.status = 'available';
      db.busyUntil = 0;
    }
    if (!stack.sites[site].up) {
      op.error = {
        code: 'INTERNAL_ERROR',
        message: `The ${type} operation of ${instance} failed because region ${stack.sites[site].region} became unavailable.`,
      };
      db.events.push({ at: world.now(), message: `${type} of ${instance} failed: region down` });
      return;
    }
    apply();
    db.events.push({ at: world.now(), message: `${type} of ${instance} done` });
  });
  return op;
}

function handle(req: ServiceRequest, res: http.ServerResponse, ctx: ServiceContext): void {
  const { world } = ctx;
  const r = route(req.path);
  const name = opName(req);
  if (
    rejectRequest(
      req,
      res,
      r !== undefined && !(name === 'unknown' || name === 'instances.unsupported'),
      r?.project,
      'projectDoesNotExist',
    ) ||
    !r
  )
    return;
  const stack = gcpStack(world);
  const state = stateOf(world);

  if (r.kind === 'operations') {
    if (r.id) {
      const op = state.operations.get(r.id) ?? allOperations(state, stack).find((o) => o.name === r.id);
      if (!op) {
        googleError(res, 404, `The Cloud SQL operation ${r.id} does not exist.`, {
          reason: 'operationDoesNotExist',
        });
        return;
      }
      if (!stack.sites[op.site].up) return regionDown(res, stack.sites[op.site].region);
      send(res, 200, renderOperation(op));
      return;
    }
    const instance = req.url.searchParams.get('instance') ?? undefined;
    const items = allOperations(state, stack)
      .filter((op) => !instance || op.instance === instance)
      .filter((op) => stack.sites[op.site].up)
      .sort((a, b) => b.insertTime - a.insertTime)
      .map(renderOperation);
    send(res, 200, { kind: 'sql#operationsList', items });
    return;
  }

  if (name === 'instances.list') {
    const items = [...(stack.database.instances?.values() ?? [])]
      .filter((i) => stack.sites[i.site].up)
      .map((i) => renderInstance(world, stack, i));
    send(res, 200, { kind: 'sql#instancesList', items });
    return;
  }
  if (name === 'instances.insert') return insertReplica(ctx, req, res, stack);

  const instance = r.id!;
  const inst = instanceOf(stack, instance);
  const site = inst?.site;
  if (!inst || !site) {
    googleError(
      res,
      404,
      `The Cloud SQL instance ${instance} does not exist in project ${SANDBOX_PROJECT}.`,
      {
        reason: 'instanceDoesNotExist',
      },
    );
    return;
  }
  const siteWorld = stack.sites[site];
  if (!siteWorld.up) return regionDown(res, siteWorld.region);
  const db = stack.database;

  switch (name) {
    case 'instances.get':
      send(res, 200, renderInstance(world, stack, inst));
      return;
    case 'instances.patch':
      return patchInstance(ctx, req, res, stack, inst);
    case 'instances.clone':
      return cloneInstance(ctx, req, res, stack, inst);
    case 'backupRuns.list': {
      if (inst.source || inst.backupRetentionDays === 0) {
        send(res, 200, { kind: 'sql#backupRunsList', items: [] });
        return;
      }
      const since = inst.promotedAt ?? inst.createdAt;
      const items = [0, 1, 2]
        .filter((i) => db.lastBackupAt - i * 24 * 3600 * 1000 >= since)
        .map((i) => {
          const end = db.lastBackupAt - i * 24 * 3600 * 1000;
          const start = end - 4 * 60 * 1000;
          return {
            kind: 'sql#backupRun',
            id: String(1700000000000 + Math.floor(end / 1000)),
            status: 'SUCCESSFUL',
            type: 'AUTOMATED',
            backupKind: 'SNAPSHOT',
            instance,
            location: 'us',
            enqueuedTime: rfc3339(start),
            startTime: rfc3339(start),
            endTime: rfc3339(end),
            windowStartTime: rfc3339(start),
            selfLink: `https://sqladmin.googleapis.com/v1/projects/${SANDBOX_PROJECT}/instances/${instance}/backupRuns/${i}`,
          };
        });
      send(res, 200, { kind: 'sql#backupRunsList', items });
      return;
    }
    case 'instances.failover': {
      if (!inst.multiAZ) {
        googleError(
          res,
          400,
          `The instance ${instance} is not a high-availability (REGIONAL) instance, so it cannot fail over.`,
          {
            reason: 'invalidOperation',
          },
        );
        return;
      }
      let body: { failoverContext?: { settingsVersion?: string | number } };
      try {
        body = req.json();
      } catch {
        googleError(
          res,
          400,
          'The request body is not valid JSON: expected {"failoverContext":{"settingsVersion":N}}.',
        );
        return;
      }
      const given = body.failoverContext?.settingsVersion;
      const current = settingsVersionOf(state, instance);
      if (given === undefined || Number(given) !== current) {
        googleError(
          res,
          412,
          `The settings version ${given === undefined ? '(missing)' : String(given)} in failoverContext does not match the current settings version ${current} of ${instance}: read the instance again and retry with its settingsVersion.`,
          { reason: 'staleData' },
        );
        return;
      }
      if (busyOp(state, instance, stack) || db.status === 'promoting') {
        googleError(res, 409, 'Operation failed because another operation was already in progress.', {
          reason: 'operationInProgress',
        });
        return;
      }
      world.monitor.mutation('sqladmin', 'instances.failover', instance);
      world.monitor.failover(instance);
      const op = startOperation(ctx, stack, instance, 'FAILOVER', () => {
        const zones = stack.sites[inst.site].zones;
        if (instance === TOPOLOGY.gcp.sql.instance) {
          db.writerZone = zones.find((z) => z !== db.writerZone) ?? db.writerZone;
        }
        inst.zone = zones.find((z) => z !== inst.zone) ?? inst.zone;
        db.failovers++;
      });
      send(res, 200, renderOperation(op));
      return;
    }
    case 'instances.promoteReplica': {
      // promoteReplica (https://cloud.google.com/sql/docs/postgres/admin-api/rest/v1/instances/promoteReplica):
      // a replica becomes a standalone instance for good and its old primary is not touched; with
      // failover=true (advanced DR: the designated DR replica of an Enterprise Plus primary) the old
      // primary is added as a replica of the promoted one when it comes back online
      if (!inst.source) {
        googleError(res, 400, `The instance ${instance} is not a read replica, so it cannot be promoted.`, {
          reason: 'instanceNotReplica',
        });
        return;
      }
      const failover = req.url.searchParams.get('failover') === 'true';
      const source = instanceOf(stack, inst.source);
      if (failover && (!source || designatedDrReplica(stack, source) !== inst)) {
        googleError(
          res,
          400,
          `The instance ${instance} is not the designated DR replica of an Enterprise Plus primary, so a replica failover is not possible.`,
          { reason: 'invalidDrReplica' },
        );
        return;
      }
      if (busyOp(state, instance)) {
        googleError(res, 409, 'Operation failed because another operation was already in progress.', {
          reason: 'operationInProgress',
        });
        return;
      }
      world.monitor.mutation('sqladmin', 'instances.promoteReplica', instance);
      world.monitor.failover(instance);
      const op = startOperation(ctx, stack, instance, 'PROMOTE_REPLICA', () => {
        if (failover) replicaFailover(stack, inst);
        else promoteInstance(stack, inst);
        state.settingsVersion[instance] = settingsVersionOf(state, instance) + 1;
      });
      send(res, 200, renderOperation(op));
      return;
    }
    case 'instances.switchover': {
      // switchover (https://cloud.google.com/sql/docs/postgres/admin-api/rest/v1/instances/switchover,
      // https://cloud.google.com/sql/docs/postgres/use-advanced-disaster-recovery): called on the DR
      // replica, it reverses the roles of the primary and the replica with zero data loss; the
      // primary must answer (it is a planned operation, not an outage's)
      const source = inst.source ? instanceOf(stack, inst.source) : undefined;
      if (!source || designatedDrReplica(stack, source) !== inst) {
        googleError(
          res,
          400,
          `The instance ${instance} is not the designated DR replica of an Enterprise Plus primary, so it cannot be switched over to.`,
          { reason: 'invalidDrReplica' },
        );
        return;
      }
      if (!stack.sites[source.site].up) return regionDown(res, stack.sites[source.site].region);
      if (busyOp(state, instance) || busyOp(state, source.id)) {
        googleError(res, 409, 'Operation failed because another operation was already in progress.', {
          reason: 'operationInProgress',
        });
        return;
      }
      world.monitor.mutation('sqladmin', 'instances.switchover', instance);
      world.monitor.failover(instance);
      const op = startOperation(ctx, stack, instance, 'SWITCHOVER', () => {
        switchoverInstance(stack, inst);
        state.settingsVersion[instance] = settingsVersionOf(state, instance) + 1;
        state.settingsVersion[source.id] = settingsVersionOf(state, source.id) + 1;
      });
      send(res, 200, renderOperation(op));
      return;
    }
  }
}

/**
 * instances.insert of a read replica (https://cloud.google.com/sql/docs/postgres/admin-api/rest/v1/instances/insert,
 * https://cloud.google.com/sql/docs/postgres/replication/create-replica): the body names the
 * replica, its `region` and its `masterInstanceName`; the primary must meet the requirements for
 * primary instances (automated backups on) and must not itself be a replica. The replica is
 * PENDING_CREATE while it is built (operation CREATE_REPLICA), then RUNNABLE and replicating.
 */
function insertReplica(
  ctx: ServiceContext,
  req: ServiceRequest,
  res: http.ServerResponse,
  stack: StackWorld,
): void {
  const { world } = ctx;
  let body: {
    name?: string;
    region?: string;
    masterInstanceName?: string;
    settings?: { availabilityType?: string };
  };
  try {
    body = req.json();
  } catch {
    googleError(res, 400, 'The request body is not valid JSON.');
    return;
  }
  const all = stack.database.instances!;
  if (!body.name || !body.masterInstanceName || !body.region) {
    googleError(
      res,
      400,
      `Missing ${!body.name ? 'name' : !body.region ? 'region' : 'masterInstanceName'}: the sandbox creates read replicas only.`,
      { reason: 'invalidRequest' },
    );
    return;
  }
  if (all.has(body.name)) {
    googleError(res, 409, 'The Cloud SQL instance already exists.', { reason: 'instanceAlreadyExists' });
    return;
  }
  const master = all.get(body.masterInstanceName);
  if (!master) {
    googleError(res, 404, `The Cloud SQL instance ${body.masterInstanceName} does not exist.`, {
      reason: 'instanceDoesNotExist',
    });
    return;
  }
  const site = (['primary', 'dr'] as const).find((x) => stack.sites[x].region === body.region);
  if (!site) {
    googleError(res, 400, `Region ${body.region} is not served by the sandbox.`, {
      reason: 'invalidRequest',
    });
    return;
  }
  if (!stack.sites[master.site].up) return regionDown(res, stack.sites[master.site].region);
  if (master.source) {
    googleError(
      res,
      400,
      `The instance ${master.id} is a read replica: a replica of a replica is not created here.`,
      {
        reason: 'invalidOperation',
      },
    );
    return;
  }
  if (master.backupRetentionDays === 0) {
    googleError(
      res,
      400,
      `The primary instance ${master.id} does not have automated backups enabled, which read replicas require.`,
      { reason: 'backupsDisabled' },
    );
    return;
  }
  world.monitor.mutation('sqladmin', 'instances.insert', body.name);
  const inst: DbInstanceWorld = {
    id: body.name,
    site,
    zone: stack.sites[site].zones[0],
    source: master.id,
    multiAZ:
      (body.settings?.availabilityType as unknown) === 'REGIONAL' ||
      (body.settings?.availabilityType as unknown) === 2,
    backupRetentionDays: 0,
    encrypted: master.encrypted,
    status: 'creating',
    createdAt: world.now(),
  };
  all.set(inst.id, inst);
  const op = startOperation(ctx, stack, inst.id, 'CREATE_REPLICA', () => {
    inst.status = 'available';
  });
  send(res, 200, renderOperation(op));
}

/**
 * instances.patch (https://cloud.google.com/sql/docs/postgres/admin-api/rest/v1/instances/patch)
 * of the settings reprotect changes: `availabilityType` (REGIONAL turns HA on) and
 * `backupConfiguration.enabled`. One operation at a time (409 otherwise).
 */
function patchInstance(
  ctx: ServiceContext,
  req: ServiceRequest,
  res: http.ServerResponse,
  stack: StackWorld,
  inst: DbInstanceWorld,
): void {
  const state = stateOf(ctx.world);
  let body: { settings?: { availabilityType?: string; backupConfiguration?: { enabled?: boolean } } };
  try {
    body = req.json();
  } catch {
    googleError(res, 400, 'The request body is not valid JSON.');
    return;
  }
  if (busyOp(state, inst.id, stack) || inst.status !== 'available') {
    googleError(res, 409, 'Operation failed because another operation was already in progress.', {
      reason: 'operationInProgress',
    });
    return;
  }
  ctx.world.monitor.mutation('sqladmin', 'instances.patch', inst.id);
  const settings = body.settings ?? {};
  const op = startOperation(ctx, stack, inst.id, 'UPDATE', () => {
    // the client may send the enum by name or by number (SqlAvailabilityType REGIONAL = 2)
    const ha = settings.availabilityType as string | number | undefined;
    if (ha !== undefined) inst.multiAZ = ha === 'REGIONAL' || ha === 2;
    if (settings.backupConfiguration?.enabled !== undefined)
      inst.backupRetentionDays = settings.backupConfiguration.enabled ? 7 : 0;
    state.settingsVersion[inst.id] = settingsVersionOf(state, inst.id) + 1;
  });
  send(res, 200, renderOperation(op));
}

/** The Cloud SQL Admin v1 emulator (service key and fault key `sqladmin`). */
export function sqladminService(): ServiceDef {
  return {
    name: 'sqladmin',
    operation: opName,
    handle,
    renderThrottle: (req, res, hit) => renderGoogleThrottle(req, res, hit, 'sqladmin.googleapis.com'),
    renderError: renderGoogleError,
  };
}
