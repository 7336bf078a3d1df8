/**
 * The default sandbox estate: the runbook's Cloud Aegis topology on all three clouds, with names
 * under the reserved `.test` domain so nothing in it can be mistaken for a real host.
 */
import { bindingValue, defaultBinding, seedBinding } from './binding.js';
import { startingInstances } from './dbtopology.js';
import type { SiteName } from '../plan/types.js';
import { seedZone, type ZoneShape } from './aws/route53-zone.js';
import { hpasOf } from './kubernetes/hpa.js';
import {
  type ClusterState,
  type CloudKind,
  type DeploymentState,
  type SiteWorld,
  type StackWorld,
  type World,
  SITES,
} from './world.js';

export const SANDBOX_SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';
export const SANDBOX_PROJECT = 'aegis-sandbox';
export const NAMESPACE = 'aegis';
export const CONFIGMAP = 'aegis-config';

/** Names of every resource, per stack; the sandbox plan and the emulators both read these. */
export const TOPOLOGY = {
  aws: {
    regions: { primary: 'us-east-1', dr: 'us-west-2' },
    zones: { primary: ['us-east-1a', 'us-east-1b'], dr: ['us-west-2a', 'us-west-2b'] },
    clusters: { primary: 'aegis', dr: 'aegis-dr' },
    contexts: { primary: 'aws-primary', dr: 'aws-dr' },
    nodegroup: 'primary',
    db: { instance: 'aegis-db', replica: 'aegis-db-replica' },
    zone: { id: 'Z0SANDBOX0AWS', name: 'aegis.test' },
    record: 'api.aegis.test',
    targets: { primary: 'primary-nlb.us-east-1.aws.aegis.test', dr: 'dr-nlb.us-west-2.aws.aegis.test' },
    healthCheckId: 'hc-0000sandbox0001',
  },
  azure: {
    regions: { primary: 'eastus', dr: 'westus2' },
    zones: { primary: ['1', '2'], dr: ['1', '2'] },
    clusters: { primary: 'aegis-aks', dr: 'aegis-dr-aks' },
    contexts: { primary: 'azure-primary', dr: 'azure-dr' },
    resourceGroups: { primary: 'aegis-rg', dr: 'aegis-dr-rg' },
    pool: 'agentpool',
    sql: {
      failoverGroup: 'aegis-fog',
      servers: { primary: 'aegis-sql', dr: 'aegis-dr-sql' },
      database: 'aegis',
    },
    trafficManager: {
      resourceGroup: 'aegis-rg',
      profile: 'aegis-tm',
      endpoints: { primary: 'primary-endpoint', dr: 'dr-endpoint' },
      fqdn: 'aegis-tm.trafficmanager.aegis.test',
    },
    zone: { name: 'trafficmanager.aegis.test' },
    record: 'aegis-tm.trafficmanager.aegis.test',
    targets: { primary: 'primary-lb.eastus.azure.aegis.test', dr: 'dr-lb.westus2.azure.aegis.test' },
  },
  gcp: {
    regions: { primary: 'us-east1', dr: 'us-central1' },
    // a regional GKE cluster's node pools span three zones of the region by default
    // (https://cloud.google.com/kubernetes-engine/docs/concepts/regional-clusters)
    zones: {
      primary: ['us-east1-b', 'us-east1-c', 'us-east1-d'],
      dr: ['us-central1-a', 'us-central1-b', 'us-central1-c'],
    },
    clusters: { primary: 'aegis', dr: 'aegis-dr' },
    contexts: { primary: 'gcp-primary', dr: 'gcp-dr' },
    pool: 'primary-pool',
    sql: { instance: 'aegis-db', failoverReplica: 'aegis-db-failover', replica: 'aegis-db-dr-replica' },
    zone: { name: 'aegis-zone', dnsName: 'gcp.aegis.test' },
    record: 'api.gcp.aegis.test',
    targets: { primary: 'primary-lb.us-east1.gcp.aegis.test', dr: 'dr-lb.us-central1.gcp.aegis.test' },
  },
} as const;

export const STANDBY_REPLICAS = 2;
export const PRODUCTION_REPLICAS = 6;
export const POOL = { min: 3, max: 10, active: 6, standby: 3 };

function deployment(name: string, replicas: number): DeploymentState {
  return {
    name,
    replicas,
    readyReplicas: 0,
    updatedReplicas: replicas,
    generation: 1,
    observedGeneration: 1,
    annotations: {},
    labels: { app: name },
    readyAt: 0,
  };
}

function cluster(name: string, site: SiteName, region: string): ClusterState {
  const replicas = site === 'primary' ? PRODUCTION_REPLICAS : STANDBY_REPLICAS;
  const c: ClusterState = {
    name,
    nodes: [],
    systemNodes: [0, 1].map((i) => ({ name: `${name}-system-${i}`, ready: true, createdAt: Date.now() })),
    deployments: new Map([['aegis-api', deployment('aegis-api', replicas)]]),
    pods: new Map(),
    configMaps: new Map([
      [
        CONFIGMAP,
        {
          'feature.flags': 'scans=on,policies=on',
          'db.pool.size': '40',
          'opa.bundle': 'policies-2026.11.1',
          'log.level': 'info',
          region: site,
          'cloud.region': region,
        },
      ],
    ]),
    secrets: new Map(),
    jobs: new Map(),
    networkPolicies: new Map(),
    namespace: NAMESPACE,
    // set on every namespace by the API server
    namespaceLabels: { 'kubernetes.io/metadata.name': NAMESPACE },
    resourceVersion: 1,
  };
  return c;
}

/** Keys of the configmap that legitimately differ between sites and are ignored by the drift check. */
export const SITE_SPECIFIC_CONFIG_KEYS = ['region', 'cloud.region'];

function siteWorld(cloud: CloudKind, site: SiteName): SiteWorld {
  const t = TOPOLOGY[cloud];
  const clusterName = t.clusters[site];
  const poolName =
    cloud === 'aws' ? TOPOLOGY.aws.nodegroup : cloud === 'azure' ? TOPOLOGY.azure.pool : TOPOLOGY.gcp.pool;
  const desired = site === 'primary' ? POOL.active : POOL.standby;
  const c = cluster(clusterName, site, t.regions[site]);
  // nodes of the initial pool start Ready
  for (let i = 0; i < desired; i++) {
    c.nodes.push({ name: `${clusterName}-${poolName}-${i}`, ready: true, createdAt: Date.now() });
  }
  return {
    name: site,
    region: t.regions[site],
    zones: [...t.zones[site]],
    up: true,
    cluster: c,
    pool: {
      name: poolName,
      cluster: clusterName,
      // the AKS pools run the cluster autoscaler, which takes back nodes the pods do not need down
      // to minCount: each site's minimum is its size (src/sandbox/azure/aks.ts)
      min: cloud === 'azure' ? desired : POOL.min,
      max: POOL.max,
      desired,
      busyUntil: 0,
      updates: [],
    },
    target: t.targets[site],
    connections: site === 'primary' ? 120 : 0,
    healthy: true,
    requests: { ok: 0, error: 0 },
    healthFailures: 0,
    writesWhileServing: 0,
    networkPolicyEnforced: true,
  };
}

function stackWorld(cloud: CloudKind): StackWorld {
  const t = TOPOLOGY[cloud];
  const sites = { primary: siteWorld(cloud, 'primary'), dr: siteWorld(cloud, 'dr') };
  const kind = cloud === 'aws' ? 'rds' : cloud === 'azure' ? 'azure-sql' : 'cloud-sql';
  const zoneName =
    cloud === 'aws'
      ? TOPOLOGY.aws.zone.name
      : cloud === 'azure'
        ? TOPOLOGY.azure.zone.name
        : TOPOLOGY.gcp.zone.dnsName;
  return {
    name: cloud,
    cloud,
    sites,
    database: {
      kind,
      writer: 'primary',
      writable: { primary: true, dr: false },
      writerZone: t.zones.primary[0],
      lagSeconds: 1.5,
      replicationHealthy: true,
      replicating: true,
      status: 'available',
      busyUntil: 0,
      failovers: 0,
      lastBackupAt: Date.now() - 2 * 3600 * 1000,
      corrupted: false,
      events: [],
      writesFrom: { primary: 0, dr: 0 },
      ...(cloud === 'azure'
        ? {}
        : {
            writerId: cloud === 'aws' ? TOPOLOGY.aws.db.instance : TOPOLOGY.gcp.sql.instance,
            instances: startingInstances(
              {
                id: cloud === 'aws' ? TOPOLOGY.aws.db.instance : TOPOLOGY.gcp.sql.instance,
                zone: t.zones.primary[0],
              },
              {
                id: cloud === 'aws' ? TOPOLOGY.aws.db.replica : TOPOLOGY.gcp.sql.replica,
                zone: t.zones.dr[0],
              },
            ),
          }),
    },
    traffic: {
      kind: cloud === 'aws' ? 'route53' : cloud === 'azure' ? 'traffic-manager' : 'cloud-dns',
      record: { zone: zoneName, name: t.record, type: 'CNAME', ttl: 60, values: [t.targets.primary] },
      endpointEnabled: { primary: true, dr: cloud === 'azure' },
      changes: new Map(),
    },
  };
}

export interface EstateOptions {
  /**
   * What the AWS hosted zone holds for the public name: the runbook's simple CNAME (default), or
   * PRIMARY/SECONDARY failover alias records driven by health checks, as a Route 53 DR setup does.
   */
  route53?: ZoneShape;
  /**
   * Endpoint bindings: the RDS stack's application reads its writer from the ConfigMap key
   * aegis-db/writer.host, the Cloud SQL stack's from the Secret key aegis-db/writer.host, each read
   * when a pod starts (binding.ts); nothing repoints them but a bind step and a rollout restart.
   * Default: off (the application finds the writer by itself).
   */
  bindings?: boolean;
}

/** Fill a world with the Cloud Aegis estate (all three stacks unless `clouds` says otherwise). */
export function createEstate(
  world: World,
  clouds: CloudKind[] = ['aws', 'azure', 'gcp'],
  opts: EstateOptions = {},
): World {
  for (const cloud of clouds) world.stacks.set(cloud, stackWorld(cloud));
  // an HPA on aegis-api in every cluster, its minimum the site's replicas (6 serving, 2 standby)
  for (const stack of world.stacks.values())
    for (const site of SITES) {
      const c = stack.sites[site].cluster;
      const api = c.deployments.get('aegis-api');
      if (api)
        hpasOf(c).set('aegis-api', {
          name: 'aegis-api',
          target: 'aegis-api',
          minReplicas: api.replicas,
          maxReplicas: 10,
          generation: 1,
        });
    }
  const aws = world.stacks.get('aws');
  if (aws) seedZone(world, aws, opts.route53 ?? 'simple');
  if (opts.bindings)
    for (const stack of world.stacks.values()) {
      const b = defaultBinding(stack.database.kind);
      if (b) seedBinding(stack, b);
    }
  for (const stack of world.stacks.values()) {
    for (const site of SITES) {
      // existing pods start ready
      const c = stack.sites[site].cluster;
      for (const d of c.deployments.values()) {
        for (let i = 0; i < d.replicas; i++) {
          const name = `${d.name}-${site}-${i}`;
          c.pods.set(name, {
            name,
            deployment: d.name,
            node: c.nodes[i % c.nodes.length].name,
            phase: 'Running',
            ready: true,
            labels: { ...d.labels },
            createdAt: Date.now(),
            ...(stack.binding ? { dbHost: bindingValue(stack, c) } : {}),
          });
        }
        d.readyReplicas = d.replicas;
      }
    }
  }
  world.settle();
  return world;
}

/** The site a Traffic record currently points at, by its values. */
export function activeSite(stack: StackWorld): SiteName | 'unknown' | 'both' {
  const v = stack.traffic.record.values;
  const p = v.includes(stack.sites.primary.target);
  const d = v.includes(stack.sites.dr.target);
  return p && d ? 'both' : p ? 'primary' : d ? 'dr' : 'unknown';
}
