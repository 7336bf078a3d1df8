/**
 * The GCP providers of one plan stack: Cloud SQL, Cloud DNS and GKE over the official SDKs, with
 * replication lag from Cloud Monitoring, with endpoints from `stacks.<name>.endpoints` (sqladmin,
 * clouddns, container, monitoring) when set.
 */
import type { Stack } from '../../plan/types.js';
import { UserError } from '../../engine/errors.js';
import type { CloudProviders } from '../types.js';
import { GcpCapacity } from './capacity.js';
import { containerClient, dnsClient, monitoringClient, sqlClients } from './clients.js';
import { GcpDatabase } from './database.js';
import { MonitoringLag } from './monitoring-lag.js';
import { GcpNodePool } from './nodepool.js';
import { GcpTraffic } from './traffic.js';

export { GcpDatabase, timestampToDate, type CloudSqlConfig } from './database.js';
export { GcpTraffic, type CloudDnsConfig } from './traffic.js';
export { GcpNodePool, type GkePoolConfig } from './nodepool.js';
export {
  NO_RETRY,
  parseEndpoint,
  staticAuthClient,
  sqlClients,
  containerClient,
  dnsClient,
} from './clients.js';

/** Build the database, traffic and node-pool adapters of a `cloud: gcp` stack. */
export function createGcpProviders(stack: Stack): CloudProviders {
  const { database, traffic, nodePool } = stack;
  if (database.type !== 'cloud-sql') {
    throw new UserError(
      `A gcp stack needs database.type cloud-sql, but it is ${database.type}: set database.type to cloud-sql.`,
    );
  }
  if (traffic.type !== 'cloud-dns') {
    throw new UserError(
      `A gcp stack needs traffic.type cloud-dns, but it is ${traffic.type}: set traffic.type to cloud-dns.`,
    );
  }
  if (nodePool.type !== 'gke') {
    throw new UserError(
      `A gcp stack needs nodePool.type gke, but it is ${nodePool.type}: set nodePool.type to gke.`,
    );
  }
  const endpoints = stack.endpoints ?? {};
  return {
    database: new GcpDatabase(
      database,
      sqlClients(endpoints.sqladmin),
      { primary: stack.primary.region, dr: stack.dr.region },
      new MonitoringLag(database.project, monitoringClient(endpoints.monitoring)),
    ),
    traffic: new GcpTraffic(traffic, dnsClient(traffic.project, endpoints.clouddns)),
    nodePool: new GcpNodePool(
      nodePool,
      { primary: stack.primary.region, dr: stack.dr.region },
      containerClient(endpoints.container),
      new GcpCapacity(nodePool.project, endpoints.compute),
    ),
  };
}
