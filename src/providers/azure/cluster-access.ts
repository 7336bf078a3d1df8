/**
 * Access to an AKS cluster from the job's Azure identity (what azure/login with OIDC left behind),
 * with no kubeconfig on disk and no kubelogin:
 * - ManagedClusters listClusterUserCredential gives a kubeconfig; for an Entra ID cluster its user
 *   runs the kubelogin exec plugin. We never run a plugin: we take the server and
 *   certificate-authority-data from it
 *   (https://learn.microsoft.com/en-us/rest/api/aks/managed-clusters/list-cluster-user-credentials);
 * - the token is an Entra access token for the AKS server application
 *   (`6dae42f8-4368-4678-94ff-3960e28e3630/.default`), which is what kubelogin asks for
 *   (https://learn.microsoft.com/en-us/azure/aks/kubelogin-authentication), taken from the same
 *   credential as the ARM calls and taken again a minute before it expires.
 * The identity then needs an Azure RBAC role on the cluster (Azure Kubernetes Service RBAC
 * Reader/Writer) or a Kubernetes RoleBinding to its object id
 * (https://learn.microsoft.com/en-us/azure/aks/manage-azure-rbac).
 */
import { ContainerServiceClient } from '@azure/arm-containerservice';
import type { TokenCredential } from '@azure/core-auth';
import { parse as parseYaml } from 'yaml';
import { ProviderError, UserError, wrapSdkError } from '../../engine/errors.js';
import { azure, type ProviderPermissions } from '../../permissions/types.js';
import { AKS_SERVER_APP_ID } from '../../plan/constants.js';
import { TokenCache, type ClusterAccess } from '../kubernetes/access.js';
import { armClientOptions, armConnection, secureClient } from './credentials.js';

/**
 * Reaching an AKS cluster: listClusterUserCredential for its kubeconfig (server and CA)
 * (https://learn.microsoft.com/en-us/azure/role-based-access-control/permissions/containers#microsoftcontainerservice).
 */
export const PERMISSIONS = {
  connect: [
    azure(
      'ManagedClusters_ListClusterUserCredentials',
      'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action',
    ),
  ],
} satisfies ProviderPermissions;

/** The plan's `kubernetes.cluster.aks` block, with the subscription resolved. */
export interface AksClusterRef {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

/** The token scope of the AKS Entra ID server application. */
export const AKS_TOKEN_SCOPE = `${AKS_SERVER_APP_ID}/.default`;

interface KubeconfigDoc {
  clusters?: { cluster?: { server?: string; 'certificate-authority-data'?: string } }[];
}

/** Resolve an AKS cluster's API server, CA and a refreshing Entra token (endpoint override = `endpoints.arm`). */
export async function aksClusterAccess(
  ref: AksClusterRef,
  endpoint?: string,
  credential?: TokenCredential,
  now: () => number = Date.now,
): Promise<ClusterAccess> {
  const conn = armConnection(endpoint, credential);
  const client = secureClient(
    new ContainerServiceClient(conn.credential, ref.subscriptionId, armClientOptions(conn)),
    conn,
  );
  const label = `AKS cluster ${ref.name} (resource group ${ref.resourceGroup})`;
  let results;
  try {
    results = await client.managedClusters.listClusterUserCredentials(ref.resourceGroup, ref.name);
  } catch (err) {
    const e = wrapSdkError('arm', 'ManagedClusters_ListClusterUserCredentials', err);
    if (e.status === 404)
      throw new UserError(
        `kubernetes.cluster.aks names ${label}, which Azure does not know in subscription ${ref.subscriptionId}: check the name, resource group and subscription.`,
      );
    throw e;
  }
  const value = results.kubeconfigs?.[0]?.value;
  const doc = value ? (parseYaml(Buffer.from(value).toString('utf8')) as KubeconfigDoc) : undefined;
  const cluster = doc?.clusters?.[0]?.cluster;
  if (!cluster?.server)
    throw new ProviderError({
      service: 'arm',
      operation: 'ManagedClusters_ListClusterUserCredentials',
      message: `the user kubeconfig of ${label} names no API server.`,
    });
  const cache = new TokenCache(async () => {
    const t = await conn.credential.getToken(AKS_TOKEN_SCOPE);
    if (!t)
      throw new ProviderError({
        service: 'arm',
        operation: 'getToken',
        message: `the Azure credential returned no token for ${AKS_TOKEN_SCOPE}; check the azure/login step.`,
      });
    return { token: t.token, expiresAt: t.expiresOnTimestamp };
  }, now);
  return {
    server: cluster.server,
    caData: cluster['certificate-authority-data'] || undefined,
    label,
    denyHint: `give the job's identity an Azure RBAC role on ${ref.name} (Azure Kubernetes Service RBAC Writer on the namespace) or a Kubernetes RoleBinding to its object id`,
    token: () => cache.get(),
  };
}
