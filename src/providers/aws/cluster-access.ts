/**
 * Access to an EKS cluster from the job's AWS credentials (what aws-actions/configure-aws-credentials
 * left behind), as `aws eks get-token` does it, with no kubeconfig and no aws CLI:
 * - DescribeCluster gives the API server endpoint and its CA
 *   (https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeCluster.html);
 * - the token is `k8s-aws-v1.` + base64url (no padding) of an STS GetCallerIdentity URL presigned
 *   with SigV4 for 60 seconds and signing the `x-k8s-aws-id: <cluster>` header; the client treats
 *   it as valid for 14 minutes (aws-cli's get_token.py:
 *   https://github.com/aws/aws-cli/blob/develop/awscli/customizations/eks/get_token.py;
 *   https://docs.aws.amazon.com/eks/latest/userguide/cluster-auth.html). Presigning is local: no
 *   STS call is made by the runner.
 * The identity then needs an EKS access entry (or an aws-auth mapping) on the cluster
 * (https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html).
 */
import { createHash, createHmac, type BinaryLike } from 'node:crypto';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { SignatureV4 } from '@smithy/signature-v4';
import { ProviderError, UserError, wrapSdkError } from '../../engine/errors.js';
import { TokenCache, type BearerToken, type ClusterAccess } from '../kubernetes/access.js';
import { clientConfig, type AwsProviderOptions } from './common.js';
import { aws, type ProviderPermissions } from '../../permissions/types.js';

/**
 * Reaching an EKS cluster: DescribeCluster for its endpoint and CA
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelastickubernetesservice.html).
 * The token is a presigned STS GetCallerIdentity, which needs no permission.
 */
export const PERMISSIONS = {
  connect: [aws('eks', 'DescribeCluster', { scope: 'eks-cluster' })],
} satisfies ProviderPermissions;

/** How long `aws eks get-token` tells the client its token lasts. */
export const EKS_TOKEN_LIFETIME_MS = 14 * 60_000;

/** The sha256 / HMAC-sha256 SignatureV4 takes, over node:crypto. */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    throw new Error('Sha256.reset is not used by SignatureV4');
  }
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): BinaryLike {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

type Credentials = NonNullable<AwsProviderOptions['credentials']>;

/**
 * The EKS bearer token for `cluster`, signed with `credentials` for STS in `region` at `signingDate`.
 */
export async function eksToken(
  cluster: string,
  region: string,
  credentials: Credentials,
  signingDate = new Date(),
): Promise<BearerToken> {
  const signer = new SignatureV4({ credentials, region, service: 'sts', sha256: Sha256 });
  const hostname = `sts.${region}.amazonaws.com`;
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: hostname, 'x-k8s-aws-id': cluster },
    },
    { expiresIn: 60, signingDate },
  );
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(signed.query ?? {}))
    for (const one of Array.isArray(v) ? v : [v]) if (one !== null && one !== undefined) query.append(k, one);
  const url = `https://${hostname}/?${query.toString()}`;
  return {
    token: `k8s-aws-v1.${Buffer.from(url).toString('base64url')}`,
    expiresAt: signingDate.getTime() + EKS_TOKEN_LIFETIME_MS,
  };
}

/** The plan's `kubernetes.cluster.eks` block. */
export interface EksClusterRef {
  name: string;
  region: string;
}

/** Resolve an EKS cluster's API server, CA and a refreshing token (endpoint override = `endpoints.eks`). */
export async function eksClusterAccess(
  ref: EksClusterRef,
  endpoint: string | undefined,
  opts: AwsProviderOptions = {},
  now: () => number = Date.now,
): Promise<ClusterAccess> {
  const client = new EKSClient(clientConfig(ref.region, endpoint, opts));
  const label = `EKS cluster ${ref.name} (${ref.region})`;
  let cluster;
  try {
    cluster = (await client.send(new DescribeClusterCommand({ name: ref.name }))).cluster;
  } catch (err) {
    const e = wrapSdkError('eks', 'DescribeCluster', err);
    if (e.status === 404)
      throw new UserError(
        `kubernetes.cluster.eks names ${label}, which EKS does not know: check the cluster name and region.`,
      );
    throw e;
  }
  if (!cluster?.endpoint)
    throw new ProviderError({
      service: 'eks',
      operation: 'DescribeCluster',
      message: `${label} has no API server endpoint yet (status ${cluster?.status ?? 'unknown'}).`,
    });
  const credentials = client.config.credentials as Credentials;
  const cache = new TokenCache(
    async () => eksToken(ref.name, ref.region, await resolve(credentials), new Date(now())),
    now,
  );
  return {
    server: cluster.endpoint,
    caData: cluster.certificateAuthority?.data || undefined,
    label,
    denyHint: `give the job's IAM role an EKS access entry on ${ref.name} with an access policy that covers it (aws eks create-access-entry / associate-access-policy)`,
    token: () => cache.get(),
  };
}

async function resolve(credentials: Credentials) {
  return typeof credentials === 'function' ? await credentials() : credentials;
}
