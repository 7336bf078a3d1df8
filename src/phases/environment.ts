/**
 * Builds the Environment a phase talks to from the plan. Each cloud's adapter module (and so its
 * SDK) is imported only when a stack of the plan uses that cloud, so an action run for an
 * AWS-only plan never loads the Azure or GCP SDKs; a bundler turns each import() into a chunk.
 */
import type { Plan, SiteName } from '../plan/types.js';
import type { CloudProviders } from '../providers/types.js';
import type { Cluster } from '../providers/kubernetes/types.js';
import type { ClusterAccess } from '../providers/kubernetes/access.js';
import { UserError } from '../engine/errors.js';
import { PrometheusClient } from '../providers/prometheus.js';
import type { Environment } from './types.js';

export function createEnvironment(plan: Plan): Environment {
  let prom: PrometheusClient | undefined;
  const providers = new Map<string, Promise<CloudProviders>>();
  const clusters = new Map<string, Promise<Cluster>>();
  return {
    providers(stackName) {
      let p = providers.get(stackName);
      if (!p) {
        p = loadProviders(plan, stackName);
        providers.set(stackName, p);
      }
      return p;
    },
    prometheus() {
      if (!plan.doc.prometheus) {
        throw new UserError(
          `the plan ${plan.file} has no prometheus section: add prometheus.url to evaluate triggers, replication lag and error rates.`,
        );
      }
      prom ??= new PrometheusClient(plan.doc.prometheus.url);
      return prom;
    },
    cluster(stackName: string, site: SiteName) {
      const key = `${stackName}/${site}`;
      let c = clusters.get(key);
      if (!c) {
        c = (async () => {
          const { KubernetesCluster } = await import('../providers/kubernetes/cluster.js');
          const s = plan.stack(stackName)[site];
          const access = s.kubernetes.cluster ? await clusterAccess(plan, stackName, site) : undefined;
          return new KubernetesCluster({ ...s.kubernetes, access }) as Cluster;
        })();
        clusters.set(key, c);
      }
      return c;
    },
  };
}

/**
 * The API server, CA and token of a site's cluster named by its cloud (`kubernetes.cluster`), from
 * the stack's cloud login; the cloud's SDK is imported only here, only for that cloud.
 */
async function clusterAccess(plan: Plan, stackName: string, site: SiteName): Promise<ClusterAccess> {
  const stack = plan.stack(stackName);
  const s = stack[site];
  const ref = s.kubernetes.cluster!;
  const endpoints = stack.endpoints ?? {};
  if ('eks' in ref) {
    const { eksClusterAccess } = await import('../providers/aws/cluster-access.js');
    return eksClusterAccess({ name: ref.eks.name, region: ref.eks.region ?? s.region }, endpoints.eks);
  }
  if ('aks' in ref) {
    const subscriptionId =
      ref.aks.subscriptionId ?? (stack.nodePool.type === 'aks' ? stack.nodePool.subscriptionId : undefined);
    if (!subscriptionId) {
      throw new UserError(
        `stacks.${stackName}.${site}.kubernetes.cluster.aks has no subscriptionId and the stack's nodePool is not an AKS pool to take it from: add subscriptionId.`,
      );
    }
    const { aksClusterAccess } = await import('../providers/azure/cluster-access.js');
    return aksClusterAccess({ ...ref.aks, subscriptionId }, endpoints.arm);
  }
  const { gkeClusterAccess } = await import('../providers/gcp/cluster-access.js');
  return gkeClusterAccess(ref.gke, endpoints.container);
}

async function loadProviders(plan: Plan, stackName: string): Promise<CloudProviders> {
  const stack = plan.stack(stackName);
  switch (stack.cloud) {
    case 'aws':
      return (await import('../providers/aws/index.js')).createAwsProviders(stack);
    case 'azure':
      return (await import('../providers/azure/index.js')).createAzureProviders(stack);
    case 'gcp':
      return (await import('../providers/gcp/index.js')).createGcpProviders(stack);
  }
}
