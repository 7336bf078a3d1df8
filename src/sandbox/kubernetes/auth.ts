/**
 * Who the emulated API servers admit. A request without an Authorization header is admitted (the
 * sandbox kubeconfig's clusters are plain http on loopback, where kubectl sends no credentials).
 * A bearer token, when sent, must be one the cluster's cloud would accept, else a 401 Status, as a
 * real API server answers an unauthenticated token
 * (https://kubernetes.io/docs/reference/access-authn-authz/authentication/):
 * - the sandbox kubeconfig token (any cluster);
 * - AWS: an EKS token as aws-iam-authenticator reads it: `k8s-aws-v1.` + base64url of a presigned
 *   STS GetCallerIdentity URL whose signed headers include `x-k8s-aws-id`, with X-Amz-Expires of
 *   at most 15 minutes and an X-Amz-Date at most 15 minutes old (aws-iam-authenticator's server
 *   refuses older tokens; `aws eks get-token` signs with X-Amz-Expires=60 and tells the client the
 *   token lasts 14 minutes: https://github.com/aws/aws-cli/blob/develop/awscli/customizations/eks/get_token.py,
 *   https://docs.aws.amazon.com/cli/latest/reference/eks/get-token.html). The STS signature itself
 *   is not checked (EKS asks STS; the sandbox has no STS), nor the cluster named by the header;
 * - Azure: an Entra-like bearer from the sandbox credential (no JWT validation);
 * - GCP: the sandbox OAuth access token.
 */
import type { ServiceRequest } from '../http.js';
import type { CloudKind } from '../world.js';
import { SANDBOX_KUBE_TOKEN } from './kubeconfig.js';
import { StatusError } from './status.js';

/** The bearer the sandbox's Azure and GCP credentials hand out. */
export const SANDBOX_CLOUD_TOKEN = 'aegis-sandbox-token';

/** The bearer of the sandbox's read-only identity (see ../iam.ts). */
export const SANDBOX_READ_ONLY_TOKEN = 'aegis-sandbox-read-only-token';

/** Longest life aws-iam-authenticator accepts for a presigned token, in seconds. */
export const EKS_TOKEN_MAX_AGE_S = 15 * 60;

/** Why an EKS token is refused, or undefined when its shape is accepted. */
export function eksTokenProblem(token: string, now: number): string | undefined {
  const prefix = 'k8s-aws-v1.';
  if (!token.startsWith(prefix)) return 'the token does not start with k8s-aws-v1.';
  let url: URL;
  try {
    url = new URL(Buffer.from(token.slice(prefix.length), 'base64url').toString('utf8'));
  } catch {
    return 'the token does not decode to a URL';
  }
  if (url.protocol !== 'https:' || !/^sts(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/.test(url.hostname))
    return `the token's URL host ${url.hostname} is not an STS endpoint`;
  const q = url.searchParams;
  if (q.get('Action') !== 'GetCallerIdentity') return 'the token is not an STS GetCallerIdentity request';
  const signed = (q.get('X-Amz-SignedHeaders') ?? '').split(';');
  if (!signed.includes('x-k8s-aws-id')) return 'the token does not sign the x-k8s-aws-id header';
  if (!q.get('X-Amz-Signature') || !q.get('X-Amz-Credential')) return 'the token is not presigned';
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(q.get('X-Amz-Date') ?? '');
  if (!m) return 'the token has no X-Amz-Date';
  const signedAt = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  if (Number(q.get('X-Amz-Expires') ?? 0) > EKS_TOKEN_MAX_AGE_S)
    return `the token's X-Amz-Expires is over ${EKS_TOKEN_MAX_AGE_S} seconds`;
  if (now > signedAt + EKS_TOKEN_MAX_AGE_S * 1000) return 'the token has expired';
  return undefined;
}

/** Throw a 401 Status unless the request's bearer token is one the cluster's cloud accepts. */
export function authenticate(req: ServiceRequest, cloud: CloudKind, now: number): void {
  const header = req.headers.authorization;
  if (header === undefined) return;
  const m = /^Bearer\s+(\S+)$/i.exec(String(header));
  const token = m?.[1] ?? '';
  if (token === SANDBOX_KUBE_TOKEN || token === SANDBOX_READ_ONLY_TOKEN) return;
  let problem: string | undefined;
  if (cloud === 'aws') problem = eksTokenProblem(token, now);
  else if (token !== SANDBOX_CLOUD_TOKEN && token !== SANDBOX_READ_ONLY_TOKEN)
    problem = `the bearer token is not one the sandbox's ${cloud} credential issued`;
  if (problem) throw new StatusError(401, 'Unauthorized', `Unauthorized: ${problem}`);
}
