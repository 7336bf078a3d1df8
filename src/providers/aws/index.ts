/**
 * The AWS adapters (RDS, Route 53, EKS) for one plan stack.
 */
import type { Stack } from '../../plan/types.js';
import type { CloudProviders } from '../types.js';
import type { AwsProviderOptions } from './common.js';
import { AwsDatabase } from './database.js';
import { AwsNodePool } from './nodepool.js';
import { AwsTraffic } from './traffic.js';
import { AwsArcTraffic } from './arc.js';

export { AwsArcTraffic, AwsDatabase, AwsNodePool, AwsTraffic };
export type { AwsProviderOptions };

/** Build the database, traffic and node-pool adapters of an AWS stack. */
export function createAwsProviders(stack: Stack, opts: AwsProviderOptions = {}): CloudProviders {
  return {
    database: new AwsDatabase(stack, opts),
    // ARC routing controls are their own switch (the cluster's data plane, not Route 53's API)
    traffic:
      stack.traffic.type === 'route53' && stack.traffic.routing === 'arc-routing-control'
        ? new AwsArcTraffic(stack, opts)
        : new AwsTraffic(stack, opts),
    nodePool: new AwsNodePool(stack, opts),
  };
}
