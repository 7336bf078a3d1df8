/**
 * The replication lag of a Cloud SQL read replica as Cloud Monitoring reports it: the metric
 * `cloudsql.googleapis.com/database/replication/replica_lag` (GAUGE, DOUBLE, seconds: "number of
 * seconds the read replica is behind its primary"; sampled every 60 seconds, visible up to 150 s
 * later) of the monitored resource `cloudsql_database` whose `database_id` is
 * `PROJECT:INSTANCE`, read with `projects.timeSeries.list`
 * (https://cloud.google.com/sql/docs/postgres/admin-api/metrics,
 * https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.timeSeries/list). Points come
 * newest first; a series without points in the interval is not listed, so a replica whose
 * primary is gone has, after its last point, nothing newer to show.
 */
import { gcp, type ProviderPermissions } from '../../permissions/types.js';
import type { MetricServiceClient } from '@google-cloud/monitoring/build/src/v3/metric_service_client.js';
import { wrapSdkError } from '../../engine/errors.js';
import type { LagReading } from '../types.js';
import { NO_RETRY } from './clients.js';
import { timestampToDate } from './database.js';

export const REPLICA_LAG_METRIC = 'cloudsql.googleapis.com/database/replication/replica_lag';

/** How far back the newest point is looked for (Cloud Monitoring keeps these points six weeks). */
/** The Cloud Monitoring read behind GcpDatabase.replicationLag. */
export const PERMISSIONS = {
  replicaLag: [gcp('timeSeries.list', 'monitoring.timeSeries.list')],
} satisfies ProviderPermissions;

export const LAG_LOOKBACK_MS = 24 * 3600_000;

/** Reads replica_lag of Cloud SQL replicas of one project. */
export class MonitoringLag {
  constructor(
    private readonly project: string,
    private readonly client: MetricServiceClient,
  ) {}

  /** The newest replica_lag point of `instance`, or undefined when Cloud Monitoring lists none. */
  async replicaLag(instance: string, now = new Date()): Promise<LagReading | undefined> {
    const start = new Date(now.getTime() - LAG_LOOKBACK_MS);
    let series;
    try {
      [series] = await this.client.listTimeSeries(
        {
          name: `projects/${this.project}`,
          filter: `metric.type = "${REPLICA_LAG_METRIC}" AND resource.labels.database_id = "${this.project}:${instance}"`,
          interval: {
            startTime: { seconds: Math.floor(start.getTime() / 1000) },
            endTime: { seconds: Math.ceil(now.getTime() / 1000) },
          },
          view: 'FULL',
          pageSize: 10,
        },
        { ...NO_RETRY, autoPaginate: false },
      );
    } catch (err) {
      throw wrapSdkError('monitoring', 'timeSeries.list', err, `replica_lag of ${instance}`);
    }
    const points = (series ?? []).flatMap((s) =>
      (s.points ?? []).map((p) => ({
        at: timestampToDate(p.interval?.endTime as { seconds?: unknown; nanos?: unknown } | undefined),
        v:
          p.value?.doubleValue ??
          (p.value?.int64Value !== undefined ? Number(p.value.int64Value) : undefined),
      })),
    );
    const newest = points
      .filter(
        (p): p is { at: Date; v: number } =>
          p.at !== undefined && typeof p.v === 'number' && Number.isFinite(p.v),
      )
      .sort((a, b) => b.at.getTime() - a.at.getTime())[0];
    if (!newest) return undefined;
    return { seconds: newest.v, observedAt: newest.at, source: 'cloud-monitoring', replica: instance };
  }
}
