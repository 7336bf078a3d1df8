/**
 * Client settings shared by the AWS adapters: the plan's endpoint override (absent = the SDK's
 * default endpoint and credential chain), no SDK retries (the engine retries), and a request
 * timeout so a call to a black-holed region fails instead of hanging.
 */
import type { RDSClientConfig } from '@aws-sdk/client-rds';
import { joinCallSignal } from '../../engine/cancel.js';
import { UserError } from '../../engine/errors.js';
import type { Stack } from '../../plan/types.js';

/** Options of the AWS adapters. */
export interface AwsProviderOptions {
  /** Static credentials or a provider; absent = the SDK's default chain (env, OIDC web identity, profile, IMDS). */
  credentials?: RDSClientConfig['credentials'];
  /** Per-request socket timeout in ms (default 30000). */
  requestTimeoutMs?: number;
}

/**
 * Credentials for a plain-http endpoint (the sandbox, a local emulator) when none are set: such an
 * endpoint cannot be a real AWS one, and the default chain would fail looking for real ones.
 */
export const SANDBOX_CREDENTIALS = {
  accessKeyId: 'AKIDSANDBOX0000000000',
  secretAccessKey: 'sandbox-secret',
};

function isPlainHttp(endpoint: string | undefined): boolean {
  return endpoint !== undefined && endpoint.startsWith('http://');
}

/** The SDK client configuration for one region and one service endpoint override. */
export function clientConfig(region: string, endpoint: string | undefined, opts: AwsProviderOptions) {
  return {
    region,
    maxAttempts: 1,
    ...(endpoint ? { endpoint } : {}),
    ...(opts.credentials
      ? { credentials: opts.credentials }
      : isPlainHttp(endpoint) && !process.env.AWS_ACCESS_KEY_ID
        ? { credentials: SANDBOX_CREDENTIALS }
        : {}),
    requestHandler: {
      requestTimeout: opts.requestTimeoutMs ?? 30_000,
      connectionTimeout: 10_000,
      throwOnRequestTimeout: true,
    },
  };
}

/**
 * Make every `send` of an AWS SDK v3 client carry the engine's call signal as its `abortSignal`, so
 * the phase deadline aborts a request in flight (the SDK rejects with an AbortError), not only the
 * wait between retries. AWS documents the option:
 * https://aws.amazon.com/blogs/developer/abortcontroller-in-modular-aws-sdk-for-javascript/
 */
export function deadlineBound<C extends { send: (...args: any[]) => Promise<any> }>(client: C): C {
  const send = client.send.bind(client) as (command: unknown, options?: unknown) => Promise<unknown>;
  const bound = (command: unknown, options?: { abortSignal?: AbortSignal }) =>
    send(command, {
      ...(options && typeof options === 'object' ? options : {}),
      abortSignal: joinCallSignal(options?.abortSignal),
    });
  client.send = bound as unknown as C['send'];
  return client;
}

/** Assert the stack's section is of the AWS kind an adapter needs. */
export function expectKind<T extends { type: string }, K extends T['type']>(
  section: T,
  kind: K,
  field: string,
): Extract<T, { type: K }> {
  if (section.type !== kind) {
    throw new UserError(
      `${field}.type is ${JSON.stringify(section.type)} but the AWS adapter needs ${JSON.stringify(kind)}: use an AWS stack (cloud: aws) with ${kind}.`,
    );
  }
  return section as Extract<T, { type: K }>;
}

/** DNS name without the trailing dot, lower case, for comparisons. */
export function bareName(name: string): string {
  return name.trim().replace(/\.$/, '').toLowerCase();
}

export type { Stack };
