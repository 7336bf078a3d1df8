/**
 * Replication lag as the clouds' monitoring services report it (CloudWatch `AWS/RDS` `ReplicaLag`,
 * Cloud Monitoring `cloudsql.googleapis.com/database/replication/replica_lag`): world state, sampled
 * into a per-replica series the emulators (aws/cloudwatch.ts, gcp/monitoring.ts) answer from.
 *
 * - A replica that replicates (built, its source's region up, replication healthy: dbtopology.ts
 *   `replicates`) reports the world's lag (`database.lagSeconds`), 0 once nothing writes to the
 *   writer (`caughtUp`).
 * - A stalled replica (`stallReplication`, the `replication-stalled` scenario) falls behind: its
 *   lag grows by one second per second while the writer takes writes, and stops growing when the
 *   writes stop. The lag's clock is the wall clock, as the datapoints' timestamps are, so that a
 *   last lag plus its age adds two figures of the same clock.
 * - A replica whose source is down, or whose replication broke, reports nothing: no new datapoint
 *   ("If the ReplicaLag metric returns -1, then replication is currently not active",
 *   https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_MariaDB.Replication.ReadReplicas.Monitor.html;
 *   Cloud Monitoring lists no point for an interval without samples). The datapoints from before
 *   stay, with their timestamps.
 * - Both services sample once a minute of cloud time (RDS one-minute metrics,
 *   https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html; Cloud SQL "sampled
 *   every 60 seconds", https://cloud.google.com/sql/docs/postgres/admin-api/metrics), divided by
 *   the sandbox's speed like every other duration. Not emulated: the visibility delay after
 *   sampling (up to 150 s on Cloud SQL).
 */
import { replicates } from './dbtopology.js';
import type { StackWorld, World } from './world.js';

/** One sample of a replica's lag: real ms time and seconds. */
export interface LagPoint {
  at: number;
  value: number;
}

/** Cloud seconds between two samples (both clouds publish the metric once a minute). */
export const LAG_SAMPLE_CLOUD_SECONDS = 60;

/** Samples kept per replica (the oldest are dropped). */
const KEPT = 5000;

interface LagSide {
  /** `stack/instance` -> samples, oldest first. */
  series: Map<string, LagPoint[]>;
  lastSampleAt: number;
  lastSettleAt: number;
  /** Stacks whose replication is stalled. */
  stalled: Set<string>;
  stop?: () => void;
}

const sides = new WeakMap<World, LagSide>();

function side(world: World): LagSide {
  let s = sides.get(world);
  if (!s) {
    s = { series: new Map(), lastSampleAt: 0, lastSettleAt: world.now(), stalled: new Set() };
    sides.set(world, s);
  }
  return s;
}

/** Stall a stack's replication: its lag grows from now on while the writer takes writes. */
export function stallReplication(world: World, stack: StackWorld): void {
  side(world).stalled.add(stack.name);
}

/** Whether anything writes to the stack's database right now. */
function writing(world: World, stack: StackWorld): boolean {
  return world.acceptsWrites(stack, 'primary') || world.acceptsWrites(stack, 'dr');
}

/**
 * The lag a replica of the stack reports right now, or undefined when it reports none (not a
 * replica, not built, its source down, replication broken).
 */
export function reportedLag(stack: StackWorld, instanceId: string): number | undefined {
  const inst = stack.database.instances?.get(instanceId);
  if (!inst || !replicates(stack, inst)) return undefined;
  return stack.database.caughtUp ? 0 : stack.database.lagSeconds;
}

/** Advance stalled lags by the wall time since the last settle, and sample every replica once a cloud minute. */
function tick(world: World, s: LagSide): void {
  const now = world.now();
  const elapsedS = Math.max(0, now - s.lastSettleAt) / 1000;
  s.lastSettleAt = now;
  for (const stack of world.stacks.values()) {
    if (s.stalled.has(stack.name) && writing(world, stack)) stack.database.lagSeconds += elapsedS;
  }
  if (now - s.lastSampleAt < world.realMs(LAG_SAMPLE_CLOUD_SECONDS)) return;
  s.lastSampleAt = now;
  for (const stack of world.stacks.values()) {
    for (const inst of stack.database.instances?.values() ?? []) {
      const value = reportedLag(stack, inst.id);
      if (value === undefined) continue;
      const key = `${stack.name}/${inst.id}`;
      const list = s.series.get(key) ?? [];
      list.push({ at: now, value: Math.round(value * 1000) / 1000 });
      if (list.length > KEPT) list.splice(0, list.length - KEPT);
      s.series.set(key, list);
    }
  }
}

/**
 * Take a sample now (a scenario just changed the world): a scenario stands for a state the
 * estate has been in for a while, so the metric shows it at once rather than a cloud minute later.
 */
export function sampleLagNow(world: World): void {
  const s = side(world);
  s.lastSampleAt = 0;
  tick(world, s);
}

/** Start sampling (once per world; the sandbox calls it at start). Returns the stop function. */
export function startLagSampler(world: World): () => void {
  const s = side(world);
  if (!s.stop) {
    tick(world, s);
    const off = world.onChange(() => tick(world, s));
    s.stop = () => {
      off();
      s.stop = undefined;
    };
  }
  return s.stop;
}

/** The samples of one replica between `from` and `to` (real ms, inclusive), oldest first. */
export function lagSamples(
  world: World,
  stack: string,
  instanceId: string,
  from: number,
  to: number,
): LagPoint[] {
  return (side(world).series.get(`${stack}/${instanceId}`) ?? []).filter((p) => p.at >= from && p.at <= to);
}
