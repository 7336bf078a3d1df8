/**
 * The critical path and the step-after-step runbook time, checked against the sandbox's own
 * durations table (never against copied numbers).
 */
import { describe, expect, it } from '@jest/globals';
import { failoverFigures, failoverOperations, longestPath } from '../../src/drill/critical-path.js';
import { SCAN_QUEUED_CLOUD_SECONDS, SCAN_RUNNING_CLOUD_SECONDS } from '../../src/sandbox/app.js';
import { NODEGROUP_UPDATE_CLOUD_SECONDS } from '../../src/sandbox/aws/eks.js';
import { DRAIN_CLOUD_SECONDS } from '../../src/sandbox/connections.js';
import { DURATIONS, pickDuration, type CloudKind } from '../../src/sandbox/world.js';

const mean = (r: readonly [number, number]) => pickDuration(r, 'mean');
const verify = (pick: (r: readonly [number, number]) => number) =>
  Math.max(pick(DURATIONS.job), SCAN_QUEUED_CLOUD_SECONDS + SCAN_RUNNING_CLOUD_SECONDS);

describe('longestPath', () => {
  it('follows the dependencies and rejects a cycle or an unknown operation', () => {
    const op = (name: string, s: number, after: string[] = []) => ({
      name,
      description: name,
      cloudSeconds: s,
      after,
    });
    expect(longestPath([op('a', 5), op('b', 3, ['a']), op('c', 10), op('d', 1, ['b', 'c'])])).toBe(11);
    expect(longestPath([])).toBe(0);
    expect(() => longestPath([op('a', 1, ['b']), op('b', 1, ['a'])])).toThrow(/depends on itself/);
    expect(() => longestPath([op('a', 1, ['x'])])).toThrow(/"x", which is not an operation/);
  });
});

describe('region-outage failover of one stack', () => {
  const cases: [CloudKind, readonly [number, number], readonly [number, number], number][] = [
    ['aws', DURATIONS.rdsPromote, DURATIONS.route53Insync, NODEGROUP_UPDATE_CLOUD_SECONDS],
    ['azure', DURATIONS.azureFailover, DURATIONS.trafficManager, 0],
    ['gcp', DURATIONS.cloudSqlFailover, DURATIONS.cloudDnsChange, 0],
  ];
  it.each(cases)(
    '%s: max(database, node pool, rollout) + traffic + verify; the runbook sums them',
    (cloud, db, traffic, poolRequest) => {
      const ops = failoverOperations(cloud, { pick: 'mean' });
      const nodes = poolRequest + mean(DURATIONS.nodeReady);
      const critical = Math.max(mean(db), nodes, mean(DURATIONS.podReady)) + mean(traffic) + verify(mean);
      expect(longestPath(ops)).toBeCloseTo(critical, 6);
      const sequential =
        mean(db) +
        nodes +
        mean(DURATIONS.podReady) +
        mean(traffic) +
        mean(DURATIONS.job) +
        SCAN_QUEUED_CLOUD_SECONDS +
        SCAN_RUNNING_CLOUD_SECONDS;
      expect(ops.reduce((a, o) => a + o.cloudSeconds, 0)).toBeCloseTo(sequential, 6);
    },
  );

  it('uses the chosen end of each range, and drains a primary that still answers', () => {
    const high = (r: readonly [number, number]) => r[1];
    const ops = failoverOperations('gcp', { pick: 'high', primaryReachable: true });
    const db = DRAIN_CLOUD_SECONDS + high(DURATIONS.cloudSqlFailover);
    const critical =
      Math.max(db, high(DURATIONS.nodeReady), high(DURATIONS.podReady)) +
      high(DURATIONS.cloudDnsChange) +
      verify(high);
    expect(longestPath(ops)).toBeCloseTo(critical, 6);
    expect(ops.find((o) => o.name === 'drain')?.cloudSeconds).toBe(DRAIN_CLOUD_SECONDS);
  });
});

describe('failoverFigures', () => {
  it('takes the longest stack for the parallel pipeline and the sum of all stacks for the runbook, at the world speed', () => {
    const stacks = [
      { stack: 'aws', cloud: 'aws' as const },
      { stack: 'azure', cloud: 'azure' as const },
      { stack: 'gcp', cloud: 'gcp' as const },
    ];
    const f = failoverFigures(stacks, 600, { pick: 'mean' });
    const perStack = stacks.map((s) => (longestPath(failoverOperations(s.cloud)) * 1000) / 600);
    expect(f.criticalPathMs).toBeCloseTo(Math.max(...perStack), 6);
    const seq = stacks.map(
      (s) => (failoverOperations(s.cloud).reduce((a, o) => a + o.cloudSeconds, 0) * 1000) / 600,
    );
    expect(f.sequentialMs).toBeCloseTo(seq[0] + seq[1] + seq[2], 6);
    expect(f.stacks.map((s) => s.stack)).toEqual(['aws', 'azure', 'gcp']);
    // the same failover at speed 60 takes ten times as long
    expect(failoverFigures(stacks, 60).criticalPathMs).toBeCloseTo(f.criticalPathMs * 10, 6);
    // stacks in parallel beat one after another
    expect(f.criticalPathMs).toBeLessThan(f.sequentialMs);
  });
});
