/**
 * Pieces shared by the emulated Google Cloud services: the Google JSON error shape
 * (`{"error":{"code","message","status","errors":[{reason,domain,message}]}}`), the throttling and
 * server-error renderers every GCP ServiceDef uses, and the lookup of the GCP stack in the world.
 */
import type http from 'node:http';
import type { SiteName } from '../../plan/types.js';
import { SANDBOX_PROJECT, TOPOLOGY } from '../estate.js';
import type { FaultHit } from '../faults.js';
import { send, type ServiceRequest } from '../http.js';
import type { SiteWorld, StackWorld, World } from '../world.js';

/** Canonical Google status name of an HTTP status (google.rpc.Code as the REST APIs render it). */
export function statusName(httpStatus: number): string {
  switch (httpStatus) {
    case 400:
      return 'INVALID_ARGUMENT';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'ALREADY_EXISTS';
    case 412:
      return 'FAILED_PRECONDITION';
    case 429:
      return 'RESOURCE_EXHAUSTED';
    case 501:
      return 'UNIMPLEMENTED';
    case 503:
      return 'UNAVAILABLE';
    case 504:
      return 'DEADLINE_EXCEEDED';
    default:
      return httpStatus >= 500 ? 'INTERNAL' : 'UNKNOWN';
  }
}

/** Legacy `errors[].reason` that Google APIs put beside the status. */
function reasonOf(httpStatus: number): string {
  switch (httpStatus) {
    case 400:
      return 'invalid';
    case 404:
      return 'notFound';
    case 409:
      return 'conflict';
    case 412:
      return 'conditionNotMet';
    case 429:
      return 'rateLimitExceeded';
    case 503:
      return 'backendError';
    default:
      return httpStatus >= 500 ? 'backendError' : 'invalid';
  }
}

/** Send a Google API error in its JSON shape. */
export function googleError(
  res: http.ServerResponse,
  httpStatus: number,
  message: string,
  opts: { status?: string; reason?: string; headers?: Record<string, string> } = {},
): void {
  const status = opts.status ?? statusName(httpStatus);
  send(
    res,
    httpStatus,
    {
      error: {
        code: httpStatus,
        message,
        status,
        errors: [
          {
            message,
            domain: httpStatus === 429 ? 'usageLimits' : 'global',
            reason: opts.reason ?? reasonOf(httpStatus),
          },
        ],
      },
    },
    'application/json; charset=UTF-8',
    opts.headers ?? {},
  );
}

/** Render an injected throttle as Google does: 429 RESOURCE_EXHAUSTED (with Retry-After when the fault advertises one). */
export function renderGoogleThrottle(
  _req: ServiceRequest,
  res: http.ServerResponse,
  hit: FaultHit,
  api: string,
): void {
  const headers: Record<string, string> = {};
  if (hit.spec.retryAfterSeconds !== undefined) headers['retry-after'] = String(hit.spec.retryAfterSeconds);
  googleError(
    res,
    429,
    `Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service '${api}'.`,
    {
      headers,
    },
  );
}

/**
 * Render an injected `error` fault in the Google JSON shape
 * (https://cloud.google.com/apis/design/errors): 403 PERMISSION_DENIED "The caller does not have
 * permission" (reason `forbidden`), 404 NOT_FOUND naming the requested path (reason `notFound`),
 * 503 UNAVAILABLE (default), any other status its canonical code.
 */
export function renderGoogleError(req: ServiceRequest, res: http.ServerResponse, hit: FaultHit): void {
  const code = hit.spec.status ?? 503;
  if (code === 403) {
    googleError(res, 403, 'The caller does not have permission', { reason: 'forbidden' });
    return;
  }
  if (code === 404) {
    googleError(res, 404, `The requested resource was not found: ${req.path}.`, { reason: 'notFound' });
    return;
  }
  googleError(
    res,
    code,
    code === 503 ? 'The service is currently unavailable.' : 'Internal error encountered.',
  );
}

/**
 * The checks every emulated Google API makes first: an unknown route is 404, a project other than
 * the sandbox's is 404 with the service's own reason. Returns true when it answered.
 */
export function rejectRequest(
  req: ServiceRequest,
  res: http.ServerResponse,
  known: boolean,
  project: string | undefined,
  notFoundReason?: string,
): boolean {
  if (!known) {
    googleError(
      res,
      404,
      `The requested URL ${req.path} was not found on this server (method ${req.method}).`,
    );
    return true;
  }
  if (project !== SANDBOX_PROJECT) {
    googleError(
      res,
      404,
      `The project ${project} does not exist; the sandbox project is ${SANDBOX_PROJECT}.`,
      {
        reason: notFoundReason,
      },
    );
    return true;
  }
  return false;
}

/** The region-outage answer of a regional Google API: 503 UNAVAILABLE. */
export function regionDown(res: http.ServerResponse, region: string): void {
  googleError(res, 503, `The service is currently unavailable in region ${region}.`);
}

/** The GCP stack of the world (the estate's `gcp` stack, or the only cloud-sql stack). */
export function gcpStack(world: World): StackWorld {
  const s = world.stacks.get('gcp') ?? [...world.stacks.values()].find((x) => x.cloud === 'gcp');
  if (!s) throw new Error('the sandbox world has no gcp stack: create the estate with the gcp cloud.');
  return s;
}

/** The site of a GKE cluster name, by TOPOLOGY.gcp.clusters. */
export function siteOfCluster(cluster: string): SiteName | undefined {
  const c = TOPOLOGY.gcp.clusters;
  return cluster === c.primary ? 'primary' : cluster === c.dr ? 'dr' : undefined;
}

/** Whether a location (region or zone) belongs to a site. */
export function locationOfSite(site: SiteWorld, location: string): boolean {
  return location === site.region || site.zones.includes(location);
}

/** RFC 3339 time of a real ms time. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString();
}

/** A hex id from the world's deterministic random source. */
export function hexId(world: World, length = 8): string {
  let s = '';
  while (s.length < length)
    s += Math.floor(world.random() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return s.slice(0, length);
}
