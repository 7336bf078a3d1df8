/**
 * How fast a region-outage failover can possibly be in the sandbox, from the sandbox's own
 * durations (one source of truth: the constants the emulators schedule with), and how long the
 * runbook takes done step after step. The drill and `npm run bench` put the measured failover
 * time next to both.
 *
 * A stack's failover is a graph of operations, each lasting so many cloud seconds:
 *   node pool (request applied, nodes Ready)  ||  deployments rolled out  ||  drain -> database
 *   -> traffic (after the database is promoted and the DR deployments are available) -> verify.
 * The critical path of a stack is the longest path through that graph; stacks fail over in
 * parallel, so the critical path of all stacks is the longest of theirs. The runbook done by hand
 * runs every operation one after another, and one stack after another, so it is the sum of all.
 */
import { SCAN_QUEUED_CLOUD_SECONDS, SCAN_RUNNING_CLOUD_SECONDS } from '../sandbox/app.js';
import { NODEGROUP_UPDATE_CLOUD_SECONDS } from '../sandbox/aws/eks.js';
import { DRAIN_CLOUD_SECONDS } from '../sandbox/connections.js';
import { DURATIONS, pickDuration, type CloudKind, type DurationMode } from '../sandbox/world.js';

/** One operation of a stack's failover. */
export interface FailoverOperation {
  /** Short name ("database", "nodes"). */
  name: string;
  /** What it is, in the runbook's terms. */
  description: string;
  /** Cloud seconds it takes in the sandbox. */
  cloudSeconds: number;
  /** Operations that must end before this one starts (the pipeline's dependencies). */
  after: string[];
}

/** The durations' pick: which end of each service's range (the world's `durations` option). */
export type DurationPick = Exclude<DurationMode, 'random'>;

export interface FailoverOptions {
  /** Which end of each duration range to use; 'mean' for a world whose durations are random. */
  pick?: DurationPick;
  /**
   * Whether the primary site answers. In a region outage it does not: fencing and draining it
   * end at once (recorded as unreachable) and the database is promoted cross-region.
   */
  primaryReachable?: boolean;
  /**
   * The verify error-rate window in real ms (the plan's `thresholds.errorRateWindow`): verify
   * measures the 5xx rate over that much time after the switch. The app's metrics flow in real
   * time, so the window does not shrink with the sandbox speed. Default: none.
   */
  errorWindowMs?: number;
  /**
   * Failback only: cloud seconds still left, when failback starts, until the recovered region's
   * nodes are Ready (a real failback waits hours of primary health first; a sandbox drill does not).
   */
  regionRecoveryCloudSeconds?: number;
}

const DATABASE: Record<CloudKind, { range: readonly [number, number]; what: string }> = {
  aws: { range: DURATIONS.rdsPromote, what: 'RDS PromoteReadReplica of the DR replica' },
  azure: { range: DURATIONS.azureFailover, what: 'Azure SQL failover group set-primary (forced)' },
  gcp: { range: DURATIONS.cloudSqlFailover, what: 'Cloud SQL promoteReplica' },
};

const TRAFFIC: Record<CloudKind, { range: readonly [number, number]; what: string }> = {
  aws: { range: DURATIONS.route53Insync, what: 'Route 53 UPSERT until INSYNC' },
  azure: { range: DURATIONS.trafficManager, what: 'Traffic Manager endpoints until the profile answers DR' },
  gcp: { range: DURATIONS.cloudDnsChange, what: 'Cloud DNS change until done' },
};

/**
 * The operations of one stack's region-outage failover with their sandbox durations, in the
 * runbook's order (declare, drain, database, DNS, scale, verify).
 */
export function failoverOperations(
  cloud: CloudKind,
  opts: FailoverOptions & { errorWindowCloudSeconds?: number } = {},
): FailoverOperation[] {
  const pick = opts.pick ?? 'mean';
  const d = (range: readonly [number, number]) => pickDuration(range, pick);
  const reachable = opts.primaryReachable ?? false;
  return [
    {
      name: 'fence',
      description: 'drain annotation on the primary deployments',
      cloudSeconds: 0,
      after: [],
    },
    {
      name: 'drain',
      description: reachable ? 'primary connections drain to zero' : 'primary unreachable: nothing to drain',
      cloudSeconds: reachable ? DRAIN_CLOUD_SECONDS : 0,
      after: ['fence'],
    },
    {
      name: 'database',
      description: DATABASE[cloud].what,
      cloudSeconds: d(DATABASE[cloud].range),
      after: ['drain'],
    },
    {
      name: 'pool-request',
      description:
        cloud === 'aws' ? 'EKS UpdateNodegroupConfig reaches the node group' : 'node pool resize accepted',
      cloudSeconds: cloud === 'aws' ? NODEGROUP_UPDATE_CLOUD_SECONDS : 0,
      after: [],
    },
    {
      name: 'nodes',
      description: 'new DR nodes Ready',
      cloudSeconds: d(DURATIONS.nodeReady),
      after: ['pool-request'],
    },
    {
      name: 'rollout',
      description: 'DR deployments scaled to production replicas and available',
      cloudSeconds: d(DURATIONS.podReady),
      after: [],
    },
    ...switchAndVerify(cloud, d, opts.errorWindowCloudSeconds, ['database', 'nodes', 'rollout'], 'DR'),
  ];
}

/**
 * The traffic switch (after `after`), then verify's checks that wait on it: the data integrity Job
 * in the serving cluster, the end-to-end scan, and the 5xx rate over the error-rate window.
 */
function switchAndVerify(
  cloud: CloudKind,
  d: (range: readonly [number, number]) => number,
  errorWindowCloudSeconds: number | undefined,
  after: string[],
  serving: 'DR' | 'primary',
): FailoverOperation[] {
  return [
    { name: 'traffic', description: TRAFFIC[cloud].what, cloudSeconds: d(TRAFFIC[cloud].range), after },
    {
      name: 'integrity',
      description: `data integrity Job in the ${serving} cluster`,
      cloudSeconds: d(DURATIONS.job),
      after: ['traffic'],
    },
    {
      name: 'scan',
      description: 'end-to-end scan queued and completed',
      cloudSeconds: SCAN_QUEUED_CLOUD_SECONDS + SCAN_RUNNING_CLOUD_SECONDS,
      after: ['traffic'],
    },
    {
      name: 'error-window',
      description: 'the 5xx rate measured over the error-rate window after the switch',
      cloudSeconds: errorWindowCloudSeconds ?? 0,
      after: ['traffic'],
    },
  ];
}

const SWITCHOVER: Record<CloudKind, { range: readonly [number, number]; what: string }> = {
  aws: { range: DURATIONS.rdsPromote, what: 'RDS PromoteReadReplica of the primary-region replica' },
  azure: { range: DURATIONS.azureFailover, what: 'Azure SQL failover group planned failover back' },
  gcp: { range: DURATIONS.cloudSqlFailover, what: 'Cloud SQL promoteReplica of the primary-region replica' },
};

/**
 * The operations of one stack's failback (src/phases/failback.ts, after the gate and the data
 * sync): the recovered primary is fenced and scaled up while DR serves, then DR is fenced and
 * drained, the primary-region replica catches up with nothing writing and is promoted, the
 * primary is unfenced, traffic moves back and the primary is verified. DR back to standby comes
 * after the verification and is not part of the measured span.
 */
export function failbackOperations(
  cloud: CloudKind,
  opts: Pick<FailoverOptions, 'pick' | 'regionRecoveryCloudSeconds'> & {
    errorWindowCloudSeconds?: number;
  } = {},
): FailoverOperation[] {
  const d = (range: readonly [number, number]) => pickDuration(range, opts.pick ?? 'mean');
  return [
    { name: 'fence-primary', description: 'the recovered primary fenced', cloudSeconds: 0, after: [] },
    {
      name: 'primary-nodes',
      description:
        "the recovered region's nodes Ready (what was left of the region's recovery when failback started)",
      cloudSeconds: opts.regionRecoveryCloudSeconds ?? 0,
      after: [],
    },
    {
      name: 'primary-rollout',
      description: 'primary deployments scaled to production replicas and available',
      cloudSeconds: d(DURATIONS.podReady),
      after: ['fence-primary', 'primary-nodes'],
    },
    {
      name: 'drain-dr',
      description: 'DR fenced, its connections drain to zero',
      cloudSeconds: DRAIN_CLOUD_SECONDS,
      after: ['primary-rollout'],
    },
    {
      name: 'database',
      description: SWITCHOVER[cloud].what,
      cloudSeconds: d(SWITCHOVER[cloud].range),
      after: ['drain-dr'],
    },
    ...switchAndVerify(cloud, d, opts.errorWindowCloudSeconds, ['database'], 'primary'),
  ];
}

/** Longest path through the operations' dependency graph, in cloud seconds. */
export function longestPath(ops: FailoverOperation[]): number {
  const byName = new Map(ops.map((o) => [o.name, o]));
  const end = new Map<string, number>();
  const finish = (o: FailoverOperation, seen: string[]): number => {
    const known = end.get(o.name);
    if (known !== undefined) return known;
    if (seen.includes(o.name))
      throw new Error(`operation ${o.name} depends on itself: ${[...seen, o.name].join(' -> ')}.`);
    let start = 0;
    for (const dep of o.after) {
      const p = byName.get(dep);
      if (!p) throw new Error(`operation ${o.name} runs after "${dep}", which is not an operation.`);
      start = Math.max(start, finish(p, [...seen, o.name]));
    }
    end.set(o.name, start + o.cloudSeconds);
    return start + o.cloudSeconds;
  };
  return Math.max(0, ...ops.map((o) => finish(o, [])));
}

/** The failover figures of a set of stacks at a speed, in real ms. */
export interface FailoverFigures {
  speed: number;
  pick: DurationPick;
  stacks: { stack: string; cloud: CloudKind; criticalPathMs: number; sequentialMs: number }[];
  /** Stacks in parallel: the longest critical path of a stack. */
  criticalPathMs: number;
  /** The runbook by hand: every operation of every stack one after another. */
  sequentialMs: number;
}

/**
 * Critical path and step-after-step runbook time of a region-outage failover (or, with `kind`
 * failback, of the failback) of `stacks` (name and cloud) in a world at `speed`.
 */
export function failoverFigures(
  stacks: { stack: string; cloud: CloudKind }[],
  speed: number,
  opts: FailoverOptions & { kind?: 'failover' | 'failback' } = {},
): FailoverFigures {
  const ms = (cloudSeconds: number) => (cloudSeconds * 1000) / speed;
  const operations = opts.kind === 'failback' ? failbackOperations : failoverOperations;
  const per = stacks.map(({ stack, cloud }) => {
    const ops = operations(cloud, {
      ...opts,
      errorWindowCloudSeconds: ((opts.errorWindowMs ?? 0) / 1000) * speed,
    });
    return {
      stack,
      cloud,
      criticalPathMs: ms(longestPath(ops)),
      sequentialMs: ms(ops.reduce((a, o) => a + o.cloudSeconds, 0)),
    };
  });
  return {
    speed,
    pick: opts.pick ?? 'mean',
    stacks: per,
    criticalPathMs: Math.max(0, ...per.map((s) => s.criticalPathMs)),
    sequentialMs: per.reduce((a, s) => a + s.sequentialMs, 0),
  };
}
