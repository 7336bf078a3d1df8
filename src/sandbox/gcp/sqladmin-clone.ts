/**
 * Cloud SQL `instances.clone` in the sandbox
 * (https://cloud.google.com/sql/docs/postgres/admin-api/rest/v1/instances/clone,
 * https://cloud.google.com/sql/docs/postgres/backup-recovery/pitr): `cloneContext` names the new
 * instance (`destinationInstanceName`) and, for a point-in-time recovery, the `pointInTime` (an
 * RFC 3339 timestamp). The clone is an independent instance in the source's region ("an
 * independent copy of the source instance"), PENDING_CREATE while it is built (operation CLONE),
 * then RUNNABLE. Refused: a destination name already taken (409), a source with point-in-time
 * recovery off, or a time outside its transaction log retention (before it, or in the future)
 * (400). The clone holds the data of its point in time (dbtopology.ts `dataCorrupted`).
 */
import type http from 'node:http';
import type { DbInstanceWorld } from '../dbtopology.js';
import { send, type ServiceContext, type ServiceRequest } from '../http.js';
import type { StackWorld } from '../world.js';
import { googleError } from './common.js';
import { renderOperation, startOperation } from './sqladmin.js';

/** Days of transaction logs a Cloud SQL instance keeps by default (point-in-time recovery on). */
const LOG_RETENTION_DAYS = 7;

function timeOf(v: unknown): number | undefined {
  if (typeof v === 'string') return Date.parse(v);
  if (v && typeof v === 'object' && 'seconds' in v) {
    const t = v as { seconds?: unknown; nanos?: unknown };
    return Number(t.seconds) * 1000 + Math.floor(Number(t.nanos ?? 0) / 1e6);
  }
  return undefined;
}

export function cloneInstance(
  ctx: ServiceContext,
  req: ServiceRequest,
  res: http.ServerResponse,
  stack: StackWorld,
  source: DbInstanceWorld,
): void {
  const { world } = ctx;
  let body: { cloneContext?: { destinationInstanceName?: string; pointInTime?: unknown } };
  try {
    body = req.json();
  } catch {
    googleError(res, 400, 'The request body is not valid JSON: expected {"cloneContext":{...}}.');
    return;
  }
  const dest = body.cloneContext?.destinationInstanceName;
  if (!dest) {
    googleError(res, 400, 'Invalid request: cloneContext.destinationInstanceName is required.', {
      reason: 'invalid',
    });
    return;
  }
  const all = stack.database.instances!;
  if (all.has(dest)) {
    googleError(res, 409, `The Cloud SQL instance ${dest} already exists.`, {
      reason: 'instanceAlreadyExists',
    });
    return;
  }
  const raw = body.cloneContext?.pointInTime;
  const now = Date.now();
  const at = raw === undefined ? now : timeOf(raw);
  if (raw !== undefined && source.backupRetentionDays === 0) {
    googleError(
      res,
      400,
      `Point-in-time recovery is not enabled for instance ${source.id}: it cannot be cloned to a point in time.`,
      { reason: 'invalidRequest' },
    );
    return;
  }
  const earliest = Math.max(source.createdAt, now - LOG_RETENTION_DAYS * 86400_000);
  if (at === undefined || Number.isNaN(at) || at < earliest || at > now) {
    googleError(
      res,
      400,
      `The point in time ${typeof raw === 'string' ? raw : JSON.stringify(raw)} is outside the point-in-time recovery window of ${source.id}: from ${new Date(earliest).toISOString()} to now.`,
      { reason: 'invalidRequest' },
    );
    return;
  }
  world.monitor.mutation('sqladmin', 'instances.clone', dest);
  const inst: DbInstanceWorld = {
    id: dest,
    site: source.site,
    zone: source.zone,
    multiAZ: source.multiAZ,
    backupRetentionDays: source.backupRetentionDays,
    encrypted: source.encrypted,
    status: 'creating',
    createdAt: now,
    restoredTo: at,
    restoredFrom: source.id,
  };
  all.set(dest, inst);
  const op = startOperation(ctx, stack, dest, 'CLONE', () => {
    if (inst.status === 'creating') inst.status = 'available';
  });
  send(res, 200, renderOperation(op));
}
