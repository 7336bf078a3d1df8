/**
 * How the GCP adapters authenticate and where they send requests: the one place that builds the
 * official clients (@google-cloud/sql, @google-cloud/container, @google-cloud/dns).
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
import { SqlBackupRunsServiceClient } from '@google-cloud/sql/build/src/v1/sql_backup_runs_service_client.js';
import { SqlInstancesServiceClient } from '@google-cloud/sql/build/src/v1/sql_instances_service_client.js';
import { SqlOperationsServiceClient } from '@google-cloud/sql/build/src/v1/sql_operations_service_client.js';
import { OAuth2Client } from 'google-auth-library';
import type { CallOptions, ClientOptions } from 'google-gax';
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
    instances: new SqlInstancesServiceClient(opts),
    operations: new SqlOperationsServiceClient(opts),
    backupRuns: new SqlBackupRunsServiceClient(opts),
  };
}

/** Build the GKE v1 client (endpoint override = `endpoints.container`). */
export function containerClient(url?: string): ClusterManagerClient {
  return new ClusterManagerClient(gaxOptions(parseEndpoint('container', url)));
}

/** Build the Cloud DNS client for a project (endpoint override = `endpoints.clouddns`), SDK retries off. */
export function dnsClient(project: string, url?: string): DNS {
  const endpoint = parseEndpoint('clouddns', url);
  const apiEndpoint = endpoint ? `${endpoint.host}:${endpoint.port}` : undefined;
  const dns = new DNS({ projectId: project, ...(apiEndpoint ? { apiEndpoint } : {}) });
  if (endpoint) dns.baseUrl = `${endpoint.protocol}://${apiEndpoint}/dns/v1`;
  // The DNS constructor does not pass retry options to its request function: rebuild it with
  // autoRetry off, reusing its GoogleAuth (ADC) unless this is the sandbox.
  dns.makeAuthenticatedRequest = commonUtil.makeAuthenticatedRequestFactory({
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
