/**
 * RPO evidence: the replication lag of the replica that is promoted, from the cloud's own
 * monitoring where its API gives one (CloudWatch `ReplicaLag`, Cloud Monitoring `replica_lag`),
 * else the plan's Prometheus query (the application's metric), else none.
 *
 * With the primary still reachable the newest lag is a measurement. Once the primary has vanished
 * (unreachable at the promotion, or the cloud's newest datapoint is stale: the metric stops when
 * replication does) the writes it took after the last datapoint cannot be counted: the RPO is an
 * upper bound, the last lag plus the age of its observation.
 */
import type { SiteName } from '../../plan/types.js';
import type { LagReading, LagSource } from '../../providers/types.js';
import type { PhaseContext } from '../types.js';
import { probe, sampleFor } from './observe.js';
import { errorText } from './rows.js';

/**
 * A datapoint older than this is not a current measurement: both clouds sample once a minute and
 * Cloud SQL's points become visible up to 150 s after sampling
 * (https://cloud.google.com/sql/docs/postgres/admin-api/metrics).
 */
export const LAG_STALE_MS = 5 * 60_000;

/** What the database step records about the RPO (journal `data`). */
export interface RpoEvidence {
  rpoSeconds: number;
  rpoKind: 'measured' | 'upper-bound';
  rpoSource: LagSource;
  /** When the lag used was observed (the cloud's datapoint time), when known. */
  rpoObservedAt?: string;
  /** The lag observed, and how old it was at the promotion (seconds), when known. */
  lagSeconds: number;
  lagAgeSeconds?: number;
  /** The replica the lag is of (cloud readings). */
  replica?: string;
  /** Why the cloud's lag was not used, when it was not. */
  cloudNote?: string;
}

/** The app metric's replication lag of a stack (the plan's Prometheus query), or undefined. */
export async function appMetricLag(
  ctx: PhaseContext,
  name: string,
  site: SiteName = 'dr',
): Promise<number | undefined> {
  if (!ctx.plan.doc.prometheus) return undefined;
  try {
    const samples = await probe(ctx, () =>
      ctx.env.prometheus().query(ctx.plan.doc.prometheus!.queries.replicationLag),
    );
    const own = samples.filter((s) =>
      site === 'primary' ? s.labels.site === 'primary' : s.labels.site !== 'primary',
    );
    return sampleFor(own, name, ctx.plan.stack(name))?.value;
  } catch {
    return undefined;
  }
}

/**
 * The cloud's newest replication lag datapoint of the writer's replica in `site`, or why there is
 * none (the cloud reports none, the API gives no lag, the read failed).
 */
export async function cloudLag(
  ctx: PhaseContext,
  name: string,
  site: SiteName,
): Promise<{ reading?: LagReading; note?: string }> {
  const providers = await ctx.env.providers(name);
  const read = providers.database.replicationLag?.bind(providers.database);
  if (!read)
    return { note: `the ${ctx.plan.stack(name).database.type} API gives no replication lag in seconds` };
  try {
    const reading = await probe(ctx, () => read(site));
    return reading ? { reading } : { note: 'the cloud reported no replication lag datapoint' };
  } catch (err) {
    return { note: `the cloud's replication lag could not be read (${errorText(err).replace(/\.$/, '')})` };
  }
}

/**
 * The RPO evidence of promoting the replica in `target`, read just before the promotion:
 * `primaryReachable` is what the step's read of the database said.
 */
export async function rpoEvidence(
  ctx: PhaseContext,
  name: string,
  target: SiteName,
  primaryReachable: boolean,
  at = new Date(),
): Promise<RpoEvidence | undefined> {
  const { reading, note } = await cloudLag(ctx, name, target);
  if (reading) {
    const ageMs = Math.max(0, at.getTime() - reading.observedAt.getTime());
    const age = Math.round(ageMs) / 1000;
    const vanished = !primaryReachable || ageMs > LAG_STALE_MS;
    return {
      rpoSeconds: vanished ? reading.seconds + age : reading.seconds,
      rpoKind: vanished ? 'upper-bound' : 'measured',
      rpoSource: reading.source,
      rpoObservedAt: reading.observedAt.toISOString(),
      lagSeconds: reading.seconds,
      lagAgeSeconds: age,
      replica: reading.replica,
    };
  }
  const lag = await appMetricLag(ctx, name, target === 'primary' ? 'primary' : 'dr');
  if (lag === undefined) return undefined;
  // The app metric carries no observation time here: with the primary gone it is the last value
  // the replica exported, an upper bound whose age is not known.
  return {
    rpoSeconds: lag,
    rpoKind: primaryReachable ? 'measured' : 'upper-bound',
    rpoSource: 'app-metric',
    lagSeconds: lag,
    cloudNote: note,
  };
}

/** The RPO in words, for a result row. */
export function rpoText(e: RpoEvidence): string {
  const by = e.rpoSource === 'app-metric' ? 'the app metric' : e.rpoSource;
  if (e.rpoKind === 'measured')
    return `RPO ${e.rpoSeconds.toFixed(1)} s (replication lag at promotion, by ${by})`;
  return `RPO ≤ ${e.rpoSeconds.toFixed(1)} s (last lag ${e.lagSeconds.toFixed(1)} s by ${by}${e.lagAgeSeconds !== undefined ? `, observed ${e.lagAgeSeconds.toFixed(1)} s before the promotion` : ', its age unknown'}; the primary had vanished)`;
}
