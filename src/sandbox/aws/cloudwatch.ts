/**
 * Emulated Amazon CloudWatch GetMetricData for the sandbox's AWS stack: the `AWS/RDS`
 * `ReplicaLag` metric of its instances (replication-lag.ts holds the samples).
 *
 * Wire: the AWS JSON 1.0 protocol that @aws-sdk/client-cloudwatch 3.x speaks (`POST /`,
 * `X-Amz-Target: GraniteServiceVersion20100801.GetMetricData`, `Content-Type:
 * application/x-amz-json-1.0`, timestamps as epoch seconds), with the Query-compatible error
 * header `x-amzn-query-error: Code;Sender`
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html).
 * Metrics are regional: a request signed for a region that is down has its socket destroyed; an
 * instance of another region has no datapoints there.
 *
 * GetMetricData returns, per query, the aggregated datapoints of each period that holds samples
 * (a period with none is absent), newest first with ScanBy TimestampDescending, at most
 * MaxDatapoints. A Period is cloud seconds, divided by the sandbox's speed like every duration;
 * a datapoint's timestamp is the start of its period, periods aligned to the clock. Supported: MetricStat queries with the
 * statistics Maximum, Minimum, Average, SampleCount and Sum; not Expression (metric math).
 */
import type http from 'node:http';
import type { FaultHit } from '../faults.js';
import { send, type ServiceContext, type ServiceDef, type ServiceRequest } from '../http.js';
import { lagSamples, type LagPoint } from '../replication-lag.js';
import type { World } from '../world.js';
import { awsStack, dropConnection, faultError, regionDown, signedRegion } from './common.js';

const TARGET_PREFIX = 'GraniteServiceVersion20100801.';

class CloudWatchError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly type: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
  }
}

function sendError(res: http.ServerResponse, e: CloudWatchError): void {
  send(
    res,
    e.status,
    { __type: `com.amazonaws.cloudwatch#${e.code}`, message: e.message },
    'application/x-amz-json-1.0',
    { 'x-amzn-query-error': `${e.code};${e.type}` },
  );
}

function operationOf(req: ServiceRequest): string {
  const t = req.headers['x-amz-target'];
  return typeof t === 'string' && t.startsWith(TARGET_PREFIX) ? t.slice(TARGET_PREFIX.length) : 'Unknown';
}

interface MetricStat {
  Metric?: { Namespace?: string; MetricName?: string; Dimensions?: { Name?: string; Value?: string }[] };
  Period?: number;
  Stat?: string;
}

interface Query {
  Id?: string;
  MetricStat?: MetricStat;
  Expression?: string;
  Label?: string;
  ReturnData?: boolean;
}

const STATS: Record<string, (v: number[]) => number> = {
  Maximum: (v) => Math.max(...v),
  Minimum: (v) => Math.min(...v),
  Average: (v) => v.reduce((a, b) => a + b, 0) / v.length,
  SampleCount: (v) => v.length,
  Sum: (v) => v.reduce((a, b) => a + b, 0),
};

function invalid(message: string): CloudWatchError {
  return new CloudWatchError(400, 'InvalidParameterValue', message);
}

/** Epoch seconds (the JSON protocol's timestamp) to real ms. */
function timeOf(v: unknown, field: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v * 1000;
  if (typeof v === 'string' && Number.isFinite(Date.parse(v))) return Date.parse(v);
  throw new CloudWatchError(400, 'MissingParameter', `The parameter ${field} is required.`);
}

/** The samples a metric of a query selects in the request's region. */
function samplesOf(
  world: World,
  region: string | undefined,
  stat: MetricStat,
  from: number,
  to: number,
): LagPoint[] {
  const m = stat.Metric ?? {};
  if (m.Namespace !== 'AWS/RDS' || m.MetricName !== 'ReplicaLag') return [];
  const dims = m.Dimensions ?? [];
  const id = dims.find((d) => d.Name === 'DBInstanceIdentifier')?.Value;
  if (!id || dims.length !== 1) return [];
  const stack = awsStack(world);
  const inst = stack.database.instances?.get(id);
  if (!inst || (region !== undefined && stack.sites[inst.site].region !== region)) return [];
  return lagSamples(world, stack.name, id, from, to);
}

function getMetricData(world: World, req: ServiceRequest) {
  let body: {
    MetricDataQueries?: Query[];
    StartTime?: unknown;
    EndTime?: unknown;
    ScanBy?: string;
    MaxDatapoints?: number;
  };
  try {
    body = req.json();
  } catch {
    throw invalid('The request body is not valid JSON.');
  }
  const queries = body.MetricDataQueries;
  if (!Array.isArray(queries) || queries.length === 0)
    throw new CloudWatchError(400, 'MissingParameter', 'The parameter MetricDataQueries is required.');
  const from = timeOf(body.StartTime, 'StartTime');
  const to = timeOf(body.EndTime, 'EndTime');
  if (to <= from) throw invalid('The parameter StartTime must be less than the parameter EndTime.');
  const descending = (body.ScanBy ?? 'TimestampDescending') === 'TimestampDescending';
  const max = typeof body.MaxDatapoints === 'number' && body.MaxDatapoints > 0 ? body.MaxDatapoints : 100_800;
  const region = signedRegion(req);
  const results = [];
  for (const q of queries) {
    if (!q.Id || !/^[a-z][a-zA-Z0-9_]*$/.test(q.Id))
      throw invalid(
        `The value ${JSON.stringify(q.Id ?? '')} for parameter MetricDataQueries.member.Id is invalid: it must start with a lower-case letter.`,
      );
    if (q.Expression !== undefined)
      throw invalid('Metric math expressions are not supported by the sandbox.');
    const stat = q.MetricStat;
    if (
      !stat ||
      typeof stat.Period !== 'number' ||
      stat.Period <= 0 ||
      (stat.Period >= 60 && stat.Period % 60 !== 0)
    )
      throw invalid(
        `The parameter MetricDataQueries.member.MetricStat.Period of ${q.Id} must be 1, 5, 10, 30 or a multiple of 60.`,
      );
    const fn = STATS[stat.Stat ?? ''];
    if (!fn)
      throw invalid(
        `The statistic ${JSON.stringify(stat.Stat ?? '')} of ${q.Id} is not supported: use Maximum, Minimum, Average, SampleCount or Sum.`,
      );
    if (q.ReturnData === false) continue;
    const bucketMs = world.realMs(stat.Period);
    const buckets = new Map<number, number[]>();
    for (const p of samplesOf(world, region, stat, from, to)) {
      // periods are aligned to the clock (a one-minute period starts on the minute)
      const start = Math.floor(p.at / bucketMs) * bucketMs;
      const list = buckets.get(start) ?? [];
      list.push(p.value);
      buckets.set(start, list);
    }
    const points = [...buckets.entries()]
      .map(([at, v]) => ({ at, value: fn(v) }))
      .sort((a, b) => (descending ? b.at - a.at : a.at - b.at))
      .slice(0, max);
    results.push({
      Id: q.Id,
      Label: q.Label ?? stat.Metric?.MetricName ?? q.Id,
      Timestamps: points.map((p) => p.at / 1000),
      Values: points.map((p) => p.value),
      StatusCode: 'Complete',
    });
  }
  return { MetricDataResults: results, Messages: [] };
}

/** The CloudWatch service definition for `startService`. */
export function cloudwatchService(): ServiceDef {
  return {
    name: 'cloudwatch',
    operation: operationOf,
    handle(req: ServiceRequest, res: http.ServerResponse, ctx: ServiceContext) {
      const { world } = ctx;
      if (regionDown(world, req)) {
        dropConnection(req);
        return;
      }
      try {
        const op = operationOf(req);
        if (req.method !== 'POST' || op !== 'GetMetricData')
          throw new CloudWatchError(
            400,
            'InvalidAction',
            `The action ${op} is not valid for this web service (the sandbox emulates GetMetricData).`,
          );
        return send(res, 200, getMetricData(world, req), 'application/x-amz-json-1.0');
      } catch (err) {
        if (err instanceof CloudWatchError) return sendError(res, err);
        throw err;
      }
    },
    renderThrottle(_req, res, hit: FaultHit) {
      const headers: Record<string, string> = {
        'x-amzn-query-error': 'Throttling;Sender',
      };
      if (hit.spec.retryAfterSeconds !== undefined)
        headers['retry-after'] = String(hit.spec.retryAfterSeconds);
      send(
        res,
        400,
        { __type: 'com.amazonaws.cloudwatch#Throttling', message: 'Rate exceeded' },
        'application/x-amz-json-1.0',
        headers,
      );
    },
    renderError(req, res, hit: FaultHit) {
      const e = faultError(
        hit.spec.status ?? 503,
        `cloudwatch:${operationOf(req)}`,
        { code: 'ResourceNotFound', message: 'The named resource does not exist.' },
        false,
      );
      sendError(res, new CloudWatchError(e.status, e.code, e.message, e.type));
    },
  };
}
