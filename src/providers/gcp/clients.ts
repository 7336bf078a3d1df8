/**
 * How the GCP adapters authenticate and where they send requests: the one place that builds the
 * official clients (@google-cloud/sql, @google-cloud/container, @google-cloud/dns,
 * @google-cloud/monitoring).
 *
 * - No endpoint override in the plan: the SDK's default endpoint and Application Default
 *   Credentials (what google-github-actions/auth with workload identity federation leaves behind).
 * - An `https://host[:port]` override (private endpoint, sovereign cloud): that host, ADC.
 * - An `http://` override (the sandbox on loopback): that host and port over plain HTTP, and a
 *   static bearer token instead of ADC, so no real credentials are looked up.
 *
 * The gax clients (Cloud SQL, GKE) always run in `fallback` (HTTP/1.1 JSON) mode with their retries
 * off per call (`{ retry: null }`); the Cloud DNS client's request function is rebuilt with
 * `autoRetry: false` (its constructor does not pass retry options through). The engine retries.
 *
 * Bundling note for the lead: google-gax reads `__dirname` when loaded from an ESM bundle; define
 * `globalThis.__dirname` / `__filename` from `import.meta.url` in the bundle entry before this
 * module loads (src/entries/shim.ts does, as the first import of every entry). Nothing here works
 * around it.
 */
import { util as commonUtil, type DecorateRequestOptions } from '@google-cloud/common';
// The v1 clients are imported from their own modules, not the packages' index: the index also
// loads the generated static protobuf code (build/protos/protos.js, 5 MB minified for the two
// packages) and every other API version, none of which the clients need (they read protos.json).
import { ClusterManagerClient } from '@google-cloud/container/build/src/v1/cluster_manager_client.js';
import { DNS } from '@google-cloud/dns';
import { MetricServiceClient } from '@google-cloud/monitoring/build/src/v3/metric_service_client.js';
import { SqlBackupRunsServiceClient } from '@google-cloud/sql/build/src/v1/sql_backup_runs_service_client.js';
import { SqlInstancesServiceClient } from '@google-cloud/sql/build/src/v1/sql_instances_service_client.js';
import { SqlOperationsServiceClient } from '@google-cloud/sql/build/src/v1/sql_operations_service_client.js';
import { OAuth2Client } from 'google-auth-library';
import type { CallOptions, ClientOptions } from 'google-gax';
import { callSignal, callTimeoutMs, joinCallSignal } from '../../engine/cancel.js';
import { UserError } from '../../engine/errors.js';

/** Per-call options of every gax call: no SDK retries (the engine retries). */
export const NO_RETRY: CallOptions = { retry: null };

/** The token sent to a sandbox (http://) endpoint. */
export const SANDBOX_TOKEN = 'aegis-sandbox-token';

/** A parsed endpoint override. */
export interface GcpEndpoint {
  protocol: 'http' | 'https';
  host: string;
  port: number;
  /** Whether this is the sandbox (plain http): static token, no ADC. */
  insecure: boolean;
}

/** Parse an endpoint override URL of the plan (`stacks.<name>.endpoints.<service>`). */
export function parseEndpoint(service: string, url: string | undefined): GcpEndpoint | undefined {
  if (url === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError(
      `endpoints.${service} is ${JSON.stringify(url)}: expected an http:// or https:// URL such as http://127.0.0.1:8080.`,
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new UserError(
      `endpoints.${service} is ${JSON.stringify(url)}: expected an http:// or https:// URL.`,
    );
  }
  const insecure = u.protocol === 'http:';
  return {
    protocol: insecure ? 'http' : 'https',
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : insecure ? 80 : 443,
    insecure,
  };
}

/** An auth client that always sends the same bearer token (for the sandbox). */
export function staticAuthClient(token = SANDBOX_TOKEN): OAuth2Client {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: token, expiry_date: Date.now() + 10 * 365 * 24 * 3600 * 1000 });
  return client;
}

/** Constructor options of a gax (Cloud SQL / GKE) client for an endpoint override. */
export function gaxOptions(endpoint: GcpEndpoint | undefined): ClientOptions {
  if (!endpoint) return { fallback: true };
  return {
    fallback: true,
    apiEndpoint: endpoint.host,
    port: endpoint.port,
    protocol: endpoint.protocol,
    // google-gax pins its own google-auth-library copy; the client only needs fetch / getRequestHeaders
    ...(endpoint.insecure
      ? { authClient: staticAuthClient() as unknown as ClientOptions['authClient'] }
      : {}),
  };
}

/**
 * Bind every request of a gax client to the engine's call signal. In HTTP/1.1 fallback mode the
 * stub sends each call through `auth.fetch(url, { signal })` with the signal its `cancel()` aborts
 * (google-gax fallbackServiceStub); a call's `timeout` option is not applied in that mode, and the
 * generated methods return a plain promise without `cancel()`. Joining the engine's signal to the
 * stub's own is that same cancellation, reached from outside: the fetch is aborted at the
 * per-request timeout or the phase deadline.
 * https://googleapis.dev/nodejs/google-gax/latest/interfaces/CancellablePromise.html
 */
export function deadlineBound<C extends object>(client: C): C {
  const auth = (client as { auth?: { fetch?: (url: unknown, init?: Record<string, unknown>) => unknown } })
    .auth;
  if (auth && typeof auth.fetch === 'function' && !(auth as { aegisBound?: boolean }).aegisBound) {
    const fetch = auth.fetch.bind(auth);
    auth.fetch = (url, init = {}) =>
      fetch(url, { ...init, signal: joinCallSignal(init.signal as AbortSignal | undefined) });
    (auth as { aegisBound?: boolean }).aegisBound = true;
  }
  return client;
}

/** The Cloud SQL Admin clients the database adapter uses. */
export interface SqlClients {
  instances: SqlInstancesServiceClient;
  operations: SqlOperationsServiceClient;
  backupRuns: SqlBackupRunsServiceClient;
}

/** Build the Cloud SQL Admin v1 clients (endpoint override = `endpoints.sqladmin`). */
export function sqlClients(url?: string): SqlClients {
  const opts = gaxOptions(parseEndpoint('sqladmin', url));
  return {
    instances: deadlineBound(new SqlInstancesServiceClient(opts)),
    operations: deadlineBound(new SqlOperationsServiceClient(opts)),
    backupRuns: deadlineBound(new SqlBackupRunsServiceClient(opts)),
  };
}

/** Build the Cloud Monitoring v3 metric client (endpoint override = `endpoints.monitoring`). */
export function monitoringClient(url?: string): MetricServiceClient {
  return deadlineBound(new MetricServiceClient(gaxOptions(parseEndpoint('monitoring', url))));
}

/** Build the GKE v1 client (endpoint override = `endpoints.container`). */
export function containerClient(url?: string): ClusterManagerClient {
  return deadlineBound(new ClusterManagerClient(gaxOptions(parseEndpoint('container', url))));
}

type MakeAuthenticatedRequest = ReturnType<typeof commonUtil.makeAuthenticatedRequestFactory>;

/**
 * Bind a Cloud DNS request function to the engine's call signal. @google-cloud/common sends
 * requests through teeny-request over node-fetch 3, which takes no signal and ignores `timeout`,
 * and the `abort()` it returns reaches no socket: the SDK has no cancellation of its own. So when
 * the signal fires (per-request timeout, phase deadline, run abort) the call's callback gets an
 * AbortError at once, the SDK rejects the call with it, `abort()` is asked anyway, and the late
 * answer, if one ever comes, is ignored.
 */
export function deadlineBoundRequest(request: MakeAuthenticatedRequest): MakeAuthenticatedRequest {
  const bound = ((reqOpts: DecorateRequestOptions, optionsOrCallback?: unknown) => {
    if (typeof optionsOrCallback !== 'function') {
      return (request as (o: unknown, c?: unknown) => unknown)(reqOpts, optionsOrCallback);
    }
    const callback = optionsOrCallback as (err: Error | null, ...rest: unknown[]) => void;
    const signal = callSignal();
    let settled = false;
    const once = (err: Error | null, ...rest: unknown[]) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      callback(err, ...rest);
    };
    const handle = (request as (o: unknown, c: unknown) => { abort?: () => void } | undefined)(reqOpts, once);
    function onAbort() {
      handle?.abort?.();
      const err = new Error('no answer from Cloud DNS before the call was cancelled');
      err.name = 'AbortError';
      once(err);
    }
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    return handle;
  }) as MakeAuthenticatedRequest;
  return Object.assign(bound, {
    getCredentials: request.getCredentials,
    authClient: request.authClient,
  });
}

/** Build the Cloud DNS client for a project (endpoint override = `endpoints.clouddns`), SDK retries off. */
export function dnsClient(project: string, url?: string): DNS {
  const endpoint = parseEndpoint('clouddns', url);
  const apiEndpoint = endpoint ? `${endpoint.host}:${endpoint.port}` : undefined;
  const dns = new DNS({ projectId: project, ...(apiEndpoint ? { apiEndpoint } : {}) });
  if (endpoint) dns.baseUrl = `${endpoint.protocol}://${apiEndpoint}/dns/v1`;
  // The DNS constructor does not pass retry options to its request function: rebuild it with
  // autoRetry off, reusing its GoogleAuth (ADC) unless this is the sandbox.
  const request = commonUtil.makeAuthenticatedRequestFactory({
    scopes: [
      'https://www.googleapis.com/auth/ndev.clouddns.readwrite',
      'https://www.googleapis.com/auth/cloud-platform',
    ],
    projectIdRequired: true,
    projectId: project,
    autoRetry: false,
    maxRetries: 0,
    ...(endpoint?.insecure ? { customEndpoint: true } : { authClient: dns.authClient }),
  });
  dns.makeAuthenticatedRequest = deadlineBoundRequest(request);
  // teeny-request forwards `timeout` to node-fetch, and node-fetch 3 no longer reads it: it is set
  // for a transport that does, and deadlineBoundRequest is what ends the call.
  dns.interceptors.push({
    request: (reqOpts) => ({ ...(reqOpts as DecorateRequestOptions), timeout: callTimeoutMs() }),
  });
  if (endpoint?.insecure) {
    dns.interceptors.push({
      request: (reqOpts) => {
        const out = reqOpts as DecorateRequestOptions;
        out.headers = { ...out.headers, Authorization: `Bearer ${SANDBOX_TOKEN}` };
        return out;
      },
    });
  }
  return dns;
}
