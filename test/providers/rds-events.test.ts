/** How an RDS Multi-AZ failover ended, from its documented failover-category events. */
import { describe, expect, it } from '@jest/globals';
import { failoverEnding } from '../../src/providers/aws/database.js';

const t = (s: number) => new Date(Date.UTC(2026, 11, 1, 10, 0, s));
const STARTED = 'Multi-AZ instance failover started.';
const COMPLETED = 'Multi-AZ instance failover completed.';
const STANDBY = 'Multi-AZ failover to standby complete - DNS may take a few minutes to propagate.';
const ABANDONED = 'Abandoning user requested failover since a failover recently occurred.';

describe('failoverEnding', () => {
  it.each<[string, [string, number][], ReturnType<typeof failoverEnding>]>([
    ['no event yet: still running', [], undefined],
    ['started only: still running', [[STARTED, 1]], undefined],
    [
      'RDS-EVENT-0049 after the start: completed',
      [
        [STARTED, 1],
        [COMPLETED, 9],
      ],
      'completed',
    ],
    [
      'RDS-EVENT-0015 after the start: completed',
      [
        [STARTED, 1],
        [STANDBY, 9],
      ],
      'completed',
    ],
    ['a completion with no start seen is not this failover', [[COMPLETED, 9]], undefined],
    ['RDS-EVENT-0034: abandoned, no failover', [[ABANDONED, 2]], 'abandoned'],
    [
      'an earlier failover in the window, then this one abandoned: abandoned',
      [
        [STARTED, 1],
        [COMPLETED, 5],
        [ABANDONED, 7],
      ],
      'abandoned',
    ],
    [
      'an earlier failover in the window, then this one started: still running',
      [
        [STARTED, 1],
        [COMPLETED, 5],
        [STARTED, 7],
      ],
      undefined,
    ],
    [
      'events out of order are read by time',
      [
        [COMPLETED, 9],
        [STARTED, 1],
      ],
      'completed',
    ],
  ])('%s', (_why, events, expected) => {
    expect(failoverEnding(events.map(([message, s]) => ({ message, at: t(s) })))).toBe(expected);
  });
});
