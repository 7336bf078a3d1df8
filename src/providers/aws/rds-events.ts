/**
 * Reading RDS events: how a Multi-AZ failover ended (the adapter in database.ts polls with it).
 */

/**
 * How a Multi-AZ failover ended, from the instance's failover-category events since the call
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html):
 * RDS-EVENT-0013 started, then RDS-EVENT-0049 "Multi-AZ instance failover completed" or
 * RDS-EVENT-0015 "Multi-AZ failover to standby complete"; RDS-EVENT-0034 "Abandoning user
 * requested failover since a failover recently occurred" ends it with no failover.
 */
export function failoverEnding(
  events: { message: string; at: Date }[],
): 'completed' | 'abandoned' | undefined {
  // the newest beginning decides: the window reaches back past the call (clock skew), so an
  // earlier failover's events may be in it too
  const sorted = [...events].sort((a, b) => a.at.getTime() - b.at.getTime());
  let ending: 'completed' | 'abandoned' | undefined;
  let started = false;
  for (const e of sorted) {
    if (/abandoning user requested failover/i.test(e.message)) {
      ending = 'abandoned';
      started = false;
    } else if (/failover (has )?started/i.test(e.message)) {
      ending = undefined;
      started = true;
    } else if (started && /failover completed|failover to standby complete/i.test(e.message)) {
      ending = 'completed';
    }
  }
  return ending;
}
