/**
 * The AWS adapters (RDS, Route 53, EKS) for one plan stack.
 */
import type { Stack } from '../../plan/types.js';
import type { CloudProviders } from '../types.js';
import type { AwsProviderOptions } from './common.js';
import { AwsDatabase } from './database.js';
import { AwsNodePool } from './nodepool.js';
import { AwsTraffic } from './traffic.js';

export { AwsDatabase, AwsNodePool, AwsTraffic };
export type { AwsProviderOptions };

/** Build the database, traffic and node-pool adapters of an AWS stack. */
export function createAwsProviders(stack: Stack, opts: AwsProviderOptions = {}): CloudProviders {
  return {
    database: new AwsDatabase(stack, opts),
    traffic: new AwsTraffic(stack, opts),
    nodePool: new AwsNodePool(stack, opts),
  };
}
