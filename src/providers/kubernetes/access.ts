/**
 * Cluster access from a cloud identity: the API server, its CA and a bearer token that a cloud's
 * provider got from the credentials of the job's OIDC login, with no kubeconfig on disk
 * (the plan's `sites.<site>.kubernetes.cluster`). Tokens are short-lived (an EKS token 14 minutes,
 * an Entra or Google access token about an hour, and an azure/login federated assertion about
 * ten minutes), so the client asks `TokenCache.get()` before every request and a new token is
 * taken when the cached one is within a minute of its expiry.
 */

import { registerSecret } from '../../engine/redact.js';

/** A bearer token and when it stops working (epoch ms). */
export interface BearerToken {
  token: string;
  expiresAt: number;
}

/** Where a cluster's API server is and how to authenticate to it. */
export interface ClusterAccess {
  /** The API server URL (https:// on a cloud; http:// only for a loopback emulator). */
  server: string;
  /** PEM of the cluster CA, base64 (as a kubeconfig's certificate-authority-data); absent = system roots. */
  caData?: string;
  /** What names the cluster in messages, e.g. `EKS cluster aegis-dr (us-west-2)`. */
  label: string;
  /** The cloud's fix when the identity is denied (an access entry, a role binding, IAM). */
  denyHint: string;
  /** A token valid now. */
  token(): Promise<string>;
}

/** Refresh a token this long before it expires. */
export const TOKEN_REFRESH_MARGIN_MS = 60_000;

/** One token source, fetched again when the cached token is within `marginMs` of its expiry. */
export class TokenCache {
  private current?: BearerToken;
  private pending?: Promise<BearerToken>;

  constructor(
    private readonly fetch: () => Promise<BearerToken>,
    private readonly now: () => number = Date.now,
    private readonly marginMs = TOKEN_REFRESH_MARGIN_MS,
  ) {}

  /** A token that is not within the margin of its expiry, fetched once for concurrent callers. */
  async get(): Promise<string> {
    if (this.current && this.current.expiresAt - this.marginMs > this.now()) return this.current.token;
    this.pending ??= this.fetch().finally(() => (this.pending = undefined));
    this.current = await this.pending;
    // a minted token is a secret like any other: masked wherever it might be echoed
    registerSecret(this.current.token);
    return this.current.token;
  }
}
