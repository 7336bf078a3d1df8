/**
 * How the Azure adapters authenticate and where they send requests.
 *
 * - No `endpoints.arm` in the plan: the public ARM endpoint and `DefaultAzureCredential` (which
 *   picks up what `azure/login` with OIDC leaves behind: environment, workload identity, Azure CLI).
 * - An `https://` override (sovereign cloud, private endpoint): that endpoint, its own token scope,
 *   and `DefaultAzureCredential`.
 * - An `http://` override (the sandbox on loopback): a static token and a pipeline policy that sets
 *   the Authorization header itself, because the stock bearer policy refuses non-TLS URLs; plus
 *   `allowInsecureConnection`.
 *
 * Every client has the SDK's own retries off (`retryOptions.maxRetries: 0`): the engine retries.
 */
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import {
  bearerTokenAuthenticationPolicyName,
  type Pipeline,
  type PipelinePolicy,
} from '@azure/core-rest-pipeline';
import { DefaultAzureCredential } from '@azure/identity';
import { registerSecret } from '../../engine/redact.js';
import { currentCallScope, DEFAULT_REQUEST_TIMEOUT_MS, joinCallSignal } from '../../engine/cancel.js';

/** The public Azure Resource Manager endpoint. */
export const PUBLIC_ARM_ENDPOINT = 'https://management.azure.com';

/** Name of the pipeline policy that authorizes sandbox (http://) requests. */
export const SANDBOX_AUTH_POLICY = 'aegisSandboxBearerPolicy';

/** A credential that always returns the same token (the sandbox accepts any bearer token). */
export function staticTokenCredential(token = 'aegis-sandbox-token'): TokenCredential {
  return {
    getToken: async (): Promise<AccessToken> => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }),
  };
}

/** A pipeline policy that sets `Authorization: Bearer <token>` on every request, http:// included. */
export function headerBearerPolicy(credential: TokenCredential, scope: string): PipelinePolicy {
  return {
    name: SANDBOX_AUTH_POLICY,
    async sendRequest(request, next) {
      const token = await credential.getToken(scope);
      if (!token)
        throw new Error(
          `The Azure credential returned no token for scope ${scope}; check the sandbox credential.`,
        );
      registerSecret(token.token);
      request.headers.set('Authorization', `Bearer ${token.token}`);
      request.allowInsecureConnection = true;
      return next(request);
    },
  };
}

/** Where and how an Azure adapter connects: endpoint, credential and the client options to pass. */
export interface ArmConnection {
  endpoint: string;
  credential: TokenCredential;
  /** True for an http:// endpoint (the sandbox): the bearer policy must be replaced after the client is built. */
  insecure: boolean;
  /** Token scope for this endpoint. */
  scope: string;
}

/**
 * Resolve the ARM connection from the plan's `endpoints.arm` override.
 * @param endpoint `stacks.<name>.endpoints.arm`, absent for the public cloud.
 * @param credential A credential to use instead of the default one (tests, embedding).
 */
export function armConnection(endpoint?: string, credential?: TokenCredential): ArmConnection {
  const url = (endpoint ?? PUBLIC_ARM_ENDPOINT).replace(/\/+$/, '');
  const insecure = url.toLowerCase().startsWith('http://');
  const scope = `${insecure ? PUBLIC_ARM_ENDPOINT : url}/.default`;
  return {
    endpoint: url,
    credential: credential ?? (insecure ? staticTokenCredential() : new DefaultAzureCredential()),
    insecure,
    scope,
  };
}

/** Client options shared by every ARM client of the adapters (track-2 and modular clients alike). */
export function armClientOptions(conn: ArmConnection): {
  endpoint: string;
  $host: string;
  credentialScopes: string[];
  credentials: { scopes: string[] };
  retryOptions: { maxRetries: number };
  allowInsecureConnection: boolean;
  userAgentOptions: { userAgentPrefix: string };
} {
  return {
    endpoint: conn.endpoint,
    $host: conn.endpoint,
    credentialScopes: [conn.scope],
    credentials: { scopes: [conn.scope] },
    retryOptions: { maxRetries: 0 },
    allowInsecureConnection: conn.insecure,
    userAgentOptions: { userAgentPrefix: 'aegis-dr' },
  };
}

/** Name of the pipeline policy that binds each request to the engine's deadline. */
export const DEADLINE_POLICY = 'aegisDeadlinePolicy';

/**
 * A pipeline policy that gives every request (the operation's own and a long-running operation's
 * status polls alike) the engine's call signal as `abortSignal` and the per-request timeout as `timeout`:
 * core-rest-pipeline aborts the request with an AbortError when either fires
 * (https://learn.microsoft.com/en-us/javascript/api/@azure/core-https/pipelinerequest).
 */
export function deadlinePolicy(): PipelinePolicy {
  return {
    name: DEADLINE_POLICY,
    sendRequest(request, next) {
      request.abortSignal = joinCallSignal(request.abortSignal as AbortSignal | undefined);
      const timeout = currentCallScope()?.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
      request.timeout = request.timeout ? Math.min(request.timeout, timeout) : timeout;
      return next(request);
    },
  };
}

/**
 * Finish a client built with `armClientOptions`: bind its requests to the engine's deadline, and for
 * an http:// endpoint swap the stock bearer policy (which refuses non-TLS URLs) for one that sets
 * the header itself. Returns the client.
 */
export function secureClient<T extends { pipeline: Pipeline }>(client: T, conn: ArmConnection): T {
  client.pipeline.removePolicy({ name: DEADLINE_POLICY });
  client.pipeline.addPolicy(deadlinePolicy(), { phase: 'Serialize' });
  if (conn.insecure) {
    client.pipeline.removePolicy({ name: bearerTokenAuthenticationPolicyName });
    client.pipeline.removePolicy({ name: SANDBOX_AUTH_POLICY });
    client.pipeline.addPolicy(headerBearerPolicy(conn.credential, conn.scope));
  }
  return client;
}
