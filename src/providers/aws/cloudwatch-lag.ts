/**
 * The replication lag of an RDS read replica as Amazon CloudWatch reports it: the `ReplicaLag`
 * metric of namespace `AWS/RDS`, dimension `DBInstanceIdentifier` = the replica, in the replica's
 * region, read with GetMetricData (the newest one-minute Maximum).
 *
 * RDS publishes ReplicaLag in seconds for a read replica
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html); "When the ReplicaLag
 * metric reaches 0, the replica has caught up to the source DB instance. If the ReplicaLag metric
 * returns -1, then replication is currently not active"
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_MariaDB.Replication.ReadReplicas.Monitor.html).
 * A -1 is therefore "not reported", not a lag. When the source is gone no new datapoint arrives:
 * the newest one left is the last lag observed, with its timestamp.
 */
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { aws, type ProviderPermissions } from '../../permissions/types.js';
import { wrapSdkError } from '../../engine/errors.js';
import type { LagReading } from '../types.js';
import { clientConfig, deadlineBound, type AwsProviderOptions } from './common.js';

/** How far back the newest datapoint is looked for: CloudWatch keeps one-minute data 15 days. */
/** The CloudWatch read behind AwsDatabase.replicationLag (GetMetricData takes no resource ARN: "*"). */
export const PERMISSIONS = {
  replicaLag: [aws('cloudwatch', 'GetMetricData')],
} satisfies ProviderPermissions;

export const LAG_LOOKBACK_MS = 24 * 3600_000;

/** Reads ReplicaLag per region (one CloudWatch client per region, metrics are regional). */
export class CloudWatchLag {
  private readonly clients = new Map<string, CloudWatchClient>();

  constructor(
    private readonly endpoint: string | undefined,
    private readonly opts: AwsProviderOptions,
  ) {}

  private client(region: string): CloudWatchClient {
    let c = this.clients.get(region);
    if (!c) {
      c = deadlineBound(new CloudWatchClient(clientConfig(region, this.endpoint, this.opts)));
      this.clients.set(region, c);
    }
    return c;
  }

  /** The newest ReplicaLag datapoint of `replica` in `region`, or undefined when there is none. */
  async replicaLag(replica: string, region: string, now = new Date()): Promise<LagReading | undefined> {
    let out;
    try {
      out = await this.client(region).send(
        new GetMetricDataCommand({
          MetricDataQueries: [
            {
              Id: 'lag',
              MetricStat: {
                Metric: {
                  Namespace: 'AWS/RDS',
                  MetricName: 'ReplicaLag',
                  Dimensions: [{ Name: 'DBInstanceIdentifier', Value: replica }],
                },
                Period: 60,
                Stat: 'Maximum',
              },
              ReturnData: true,
            },
          ],
          StartTime: new Date(now.getTime() - LAG_LOOKBACK_MS),
          EndTime: now,
          ScanBy: 'TimestampDescending',
          MaxDatapoints: 5,
        }),
      );
    } catch (err) {
      throw wrapSdkError('cloudwatch', 'GetMetricData', err, `ReplicaLag of ${replica} in ${region}`);
    }
    const r = out.MetricDataResults?.find((x) => x.Id === 'lag');
    const points = (r?.Timestamps ?? [])
      .map((t, i) => ({ at: t, v: r?.Values?.[i] }))
      .filter((p): p is { at: Date; v: number } => p.v !== undefined && Number.isFinite(p.v))
      .sort((a, b) => b.at.getTime() - a.at.getTime());
    const newest = points[0];
    if (!newest || newest.v < 0) return undefined;
    return { seconds: newest.v, observedAt: newest.at, source: 'cloudwatch', replica };
  }
}
