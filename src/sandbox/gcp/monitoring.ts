/**
 * Emulated Cloud Monitoring `projects.timeSeries.list` (v3, REST) for the sandbox's GCP stack:
 * the Cloud SQL metric `cloudsql.googleapis.com/database/replication/replica_lag` of its
 * instances (replication-lag.ts holds the samples).
 *
 * `GET /v3/projects/{project}/timeSeries?filter=...&interval.startTime=...&interval.endTime=...`
 * (https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.timeSeries/list). The filter
 * must name one metric type (`metric.type = "..."`) and may restrict `resource.type` and
 * `resource.labels.<label>` with `=` clauses joined by AND (the subset of the filter language
 * https://cloud.google.com/monitoring/api/v3/filters that a metric read needs); anything else is
 * 400 INVALID_ARGUMENT. A series is listed only when it has points in the interval; points come
 * newest first, each a GAUGE point whose interval has startTime = endTime. The monitored resource
 * is `cloudsql_database` with `database_id` = `PROJECT:INSTANCE`
 * (https://cloud.google.com/sql/docs/postgres/admin-api/metrics). Cloud Monitoring is a global
 * service: it answers during a region outage; the replica's metric simply stops there.
 */
import type http from 'node:http';
import { SANDBOX_PROJECT } from '../estate.js';
import { send, type ServiceContext, type ServiceDef, type ServiceRequest } from '../http.js';
import { lagSamples } from '../replication-lag.js';
import type { World } from '../world.js';
import {
  gcpStack,
  googleError,
  rejectRequest,
  renderGoogleError,
  renderGoogleThrottle,
  rfc3339,
} from './common.js';

const REPLICA_LAG = 'cloudsql.googleapis.com/database/replication/replica_lag';
const ROUTE = /^\/v3\/projects\/([^/]+)\/timeSeries$/;

class FilterError extends Error {}

/** Parse `a = "x" AND b = "y"` into a map; anything else is a FilterError. */
function parseFilter(filter: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const clause of filter.split(/\s+AND\s+/)) {
    const m = /^\s*([a-zA-Z_.]+)\s*=\s*"([^"]*)"\s*$/.exec(clause);
    if (!m)
      throw new FilterError(
        `Invalid filter clause ${JSON.stringify(clause.trim())}: the sandbox reads key = "value" clauses joined by AND.`,
      );
    out.set(m[1], m[2]);
  }
  return out;
}

/** A query time: RFC 3339, as the REST API takes it. */
function timeParam(req: ServiceRequest, name: string): number | undefined {
  const v = req.url.searchParams.get(name);
  if (v === null || v === '') return undefined;
  const t = Date.parse(v);
  if (!Number.isFinite(t))
    throw new FilterError(
      `Invalid value at '${name}' (type.googleapis.com/google.protobuf.Timestamp), "${v}".`,
    );
  return t;
}

function listTimeSeries(world: World, req: ServiceRequest, project: string) {
  const filter = req.url.searchParams.get('filter');
  if (!filter)
    throw new FilterError('Field filter had an invalid value: a filter naming a metric.type is required.');
  const f = parseFilter(filter);
  const type = f.get('metric.type');
  if (!type) throw new FilterError('The filter must name exactly one metric.type.');
  const end = timeParam(req, 'interval.endTime');
  if (end === undefined)
    throw new FilterError('Field interval.endTime had an invalid value: it is required.');
  const start = timeParam(req, 'interval.startTime') ?? end;
  if (start > end) throw new FilterError('The interval startTime is later than its endTime.');
  for (const k of f.keys())
    if (k !== 'metric.type' && k !== 'resource.type' && !k.startsWith('resource.labels.'))
      throw new FilterError(
        `The sandbox does not filter on ${k}: use metric.type, resource.type and resource.labels.*.`,
      );
  if (type !== REPLICA_LAG) return { timeSeries: [], unit: '' };
  if (f.has('resource.type') && f.get('resource.type') !== 'cloudsql_database')
    return { timeSeries: [], unit: 's' };
  const stack = gcpStack(world);
  const series = [];
  for (const inst of stack.database.instances?.values() ?? []) {
    const labels: Record<string, string> = {
      project_id: project,
      database_id: `${project}:${inst.id}`,
      region: stack.sites[inst.site].region,
    };
    if ([...f.entries()].some(([k, v]) => k.startsWith('resource.labels.') && labels[k.slice(16)] !== v))
      continue;
    const points = lagSamples(world, stack.name, inst.id, start, end)
      .sort((a, b) => b.at - a.at)
      .map((p) => ({
        interval: { startTime: rfc3339(p.at), endTime: rfc3339(p.at) },
        value: { doubleValue: p.value },
      }));
    if (points.length === 0) continue;
    series.push({
      metric: { type: REPLICA_LAG, labels: {} },
      resource: { type: 'cloudsql_database', labels },
      metricKind: 'GAUGE',
      valueType: 'DOUBLE',
      points,
      unit: 's',
    });
  }
  return { timeSeries: series, unit: 's' };
}

/** The Cloud Monitoring service definition for `startService`. */
export function monitoringService(): ServiceDef {
  return {
    name: 'monitoring',
    operation: (req) => (ROUTE.test(req.path) && req.method === 'GET' ? 'timeSeries.list' : 'Unknown'),
    handle(req: ServiceRequest, res: http.ServerResponse, ctx: ServiceContext) {
      const m = req.method === 'GET' ? ROUTE.exec(req.path) : null;
      const project = m ? decodeURIComponent(m[1]) : undefined;
      if (rejectRequest(req, res, m !== null, project)) return;
      try {
        return send(res, 200, listTimeSeries(ctx.world, req, project ?? SANDBOX_PROJECT));
      } catch (err) {
        if (err instanceof FilterError) return googleError(res, 400, err.message);
        throw err;
      }
    },
    renderThrottle: (req, res, hit) => renderGoogleThrottle(req, res, hit, 'monitoring.googleapis.com'),
    renderError: renderGoogleError,
  };
}
