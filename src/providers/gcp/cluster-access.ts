/**
 * Access to a GKE cluster from the job's Google identity (Application Default Credentials, which
 * google-github-actions/auth with workload identity federation leaves behind), with no kubeconfig
 * and no gke-gcloud-auth-plugin:
 * - clusters.get gives the control plane `endpoint` (an IP, served over https) and
 *   `masterAuth.clusterCaCertificate`
 *   (https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters#Cluster);
 * - the token is an OAuth 2.0 access token of the same credentials with the cloud-platform scope,
 *   which is what the plugin hands kubectl
 *   (https://cloud.google.com/kubernetes-engine/docs/how-to/api-server-authentication), taken
 *   again a minute before it expires.
 * The identity then needs IAM on the project (roles/container.developer, or container.clusterViewer
 * plus a Kubernetes RoleBinding to its email) (https://cloud.google.com/kubernetes-engine/docs/how-to/iam).
 */
import { GoogleAuth } from 'google-auth-library';
import { ProviderError, UserError, wrapSdkError } from '../../engine/errors.js';
import { gcp, type ProviderPermissions } from '../../permissions/types.js';
import { TokenCache, type BearerToken, type ClusterAccess } from '../kubernetes/access.js';
import { NO_RETRY, SANDBOX_TOKEN, containerClient, parseEndpoint } from './clients.js';

/**
 * Reaching a GKE cluster: clusters.get for its endpoint and CA
 * (https://cloud.google.com/kubernetes-engine/docs/reference/api-permissions).
 */
export const PERMISSIONS = {
  connect: [gcp('clusters.get', 'container.clusters.get')],
} satisfies ProviderPermissions;

/** The plan's `kubernetes.cluster.gke` block. */
export interface GkeClusterRef {
  project: string;
  location: string;
  name: string;
}

const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

/** Resolve a GKE cluster's API server, CA and a refreshing access token (endpoint override = `endpoints.container`). */
export async function gkeClusterAccess(
  ref: GkeClusterRef,
  endpoint?: string,
  now: () => number = Date.now,
  fetchToken?: () => Promise<BearerToken>,
): Promise<ClusterAccess> {
  const parsed = parseEndpoint('container', endpoint);
  const client = containerClient(endpoint);
  const label = `GKE cluster ${ref.name} (${ref.project}, ${ref.location})`;
  let cluster;
  try {
    [cluster] = await client.getCluster(
      { name: `projects/${ref.project}/locations/${ref.location}/clusters/${ref.name}` },
      NO_RETRY,
    );
  } catch (err) {
    const e = wrapSdkError('container', 'clusters.get', err);
    if (e.status === 404 || e.code === '5' || e.code === 'NOT_FOUND')
      throw new UserError(
        `kubernetes.cluster.gke names ${label}, which GKE does not know: check the project, location and name.`,
      );
    throw e;
  } finally {
    await client.close().catch(() => undefined);
  }
  if (!cluster?.endpoint)
    throw new ProviderError({
      service: 'container',
      operation: 'clusters.get',
      message: `${label} has no control plane endpoint yet (status ${String(cluster?.status ?? 'unknown')}).`,
    });
  // A real endpoint is an IP behind https; the sandbox (an http:// container endpoint) serves
  // its emulated API server over plain http.
  const scheme = parsed?.insecure ? 'http' : 'https';
  const fetch =
    fetchToken ??
    (parsed?.insecure ? async () => ({ token: SANDBOX_TOKEN, expiresAt: now() + 3600_000 }) : adcToken(now));
  const cache = new TokenCache(fetch, now);
  return {
    server: /^https?:\/\//.test(cluster.endpoint) ? cluster.endpoint : `${scheme}://${cluster.endpoint}`,
    caData: cluster.masterAuth?.clusterCaCertificate || undefined,
    label,
    denyHint: `grant the job's service account roles/container.developer on project ${ref.project} (or a Kubernetes RoleBinding to its email)`,
    token: () => cache.get(),
  };
}

/** An access token of Application Default Credentials, with its expiry. */
function adcToken(now: () => number): () => Promise<BearerToken> {
  const auth = new GoogleAuth({ scopes: [CLOUD_PLATFORM] });
  return async () => {
    const client = await auth.getClient();
    const { token } = await client.getAccessToken();
    if (!token)
      throw new ProviderError({
        service: 'container',
        operation: 'getAccessToken',
        message:
          'Application Default Credentials gave no access token; check the google-github-actions/auth step.',
      });
    const expiry = (client as { credentials?: { expiry_date?: number | null } }).credentials?.expiry_date;
    return { token, expiresAt: expiry ?? now() + 5 * 60_000 };
  };
}
