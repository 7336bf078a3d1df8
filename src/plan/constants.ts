/**
 * Names shared by every layer (phases, providers, the sandbox): the bottom of the import graph, so
 * the code that sets a value and the code that reads it cannot disagree on its spelling.
 */

/**
 * The annotation that fences a site: set to "true" on each of its Deployments, it tells the
 * application (which watches its own Deployment) to refuse new writes. An annotation on a
 * Deployment reaches neither its pods nor a rollout; only the application reading it sees it.
 */
export const DRAIN_ANNOTATION = 'aegis.io/drain';

/**
 * The application id of the AKS Entra ID server, the audience of a token for the Kubernetes API
 * of an AKS cluster with Entra ID integration; the same in every tenant
 * (https://learn.microsoft.com/en-us/azure/aks/kubelogin-authentication).
 */
/**
 * The label each cloud puts on the nodes of a node pool, keyed by the plan's `nodePool.type`; its
 * value is the node group / agent pool / node pool name. A pool's size and readiness are counted
 * on the nodes that carry it, never on every node of the cluster (system pools, other pools):
 * https://docs.aws.amazon.com/eks/latest/userguide/managed-node-groups.html (eks.amazonaws.com/nodegroup),
 * https://learn.microsoft.com/en-us/azure/aks/use-labels (kubernetes.azure.com/agentpool),
 * https://cloud.google.com/kubernetes-engine/docs/how-to/node-pools (cloud.google.com/gke-nodepool).
 */
export const NODE_POOL_LABELS = {
  eks: 'eks.amazonaws.com/nodegroup',
  aks: 'kubernetes.azure.com/agentpool',
  gke: 'cloud.google.com/gke-nodepool',
} as const;

export const AKS_SERVER_APP_ID = '6dae42f8-4368-4678-94ff-3960e28e3630';
