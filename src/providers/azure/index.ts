/**
 * The Azure adapters for one stack: SQL failover group, Traffic Manager, AKS agent pool.
 */
import type { TokenCredential } from '@azure/core-auth';
import { UserError } from '../../engine/errors.js';
import type { Stack } from '../../plan/types.js';
import type { CloudProviders } from '../types.js';
import { AzureDatabase } from './database.js';
import { AzureNodePool } from './nodepool.js';
import { AzureTraffic } from './traffic.js';

export { AzureDatabase, type AzureSqlSpec } from './database.js';
export { AzureNodePool, type AksPoolSpec } from './nodepool.js';
export { AzureTraffic, type TrafficManagerSpec, endpointType, priorityAnswer } from './traffic.js';
export {
  armConnection,
  armClientOptions,
  secureClient,
  staticTokenCredential,
  headerBearerPolicy,
} from './credentials.js';

/**
 * Build the Azure providers of a stack from the plan. `stack.endpoints.arm` overrides the ARM
 * endpoint (an http:// URL is the sandbox: static token, no TLS).
 * @param credential Optional credential instead of DefaultAzureCredential / the sandbox token.
 */
export function createAzureProviders(stack: Stack, credential?: TokenCredential): CloudProviders {
  const endpoint = stack.endpoints?.arm;
  const { database, traffic, nodePool } = stack;
  if (database.type !== 'azure-sql') {
    throw new UserError(`database.type is ${database.type} in an azure stack: expected azure-sql.`);
  }
  if (traffic.type !== 'traffic-manager') {
    throw new UserError(`traffic.type is ${traffic.type} in an azure stack: expected traffic-manager.`);
  }
  if (nodePool.type !== 'aks') {
    throw new UserError(`nodePool.type is ${nodePool.type} in an azure stack: expected aks.`);
  }
  return {
    database: new AzureDatabase(database, endpoint, credential),
    traffic: new AzureTraffic(traffic, endpoint, credential),
    nodePool: new AzureNodePool(nodePool, endpoint, credential),
  };
}
