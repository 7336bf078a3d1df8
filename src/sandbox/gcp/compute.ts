/**
 * Emulated Compute Engine reads for the DR quota check, as @google-cloud/compute calls them in its
 * REST (HTTP/1.1 JSON) mode:
 * - regions.get (`GET /compute/v1/projects/P/regions/R`): the region with its `quotas`, each a
 *   `metric`, `limit` and `usage`: `CPUS` (the regional vCPU quota) and the machine families' own
 *   metrics such as `E2_CPUS` and `N2_CPUS`
 *   (https://cloud.google.com/compute/docs/reference/rest/v1/regions/get,
 *   https://cloud.google.com/compute/resource-usage);
 * - machineTypes.get (`GET /compute/v1/projects/P/zones/Z/machineTypes/M`): `guestCpus` and
 *   `memoryMb` (https://cloud.google.com/compute/docs/reference/rest/v1/machineTypes/get).
 * The usage is the world's: the GKE pool's nodes times their vCPUs plus the region's other
 * instances (../quotas.ts). A down region answers 503, as the other regional Google APIs do.
 */
import type http from 'node:http';
import { send, type ServiceContext, type ServiceDef, type ServiceRequest } from '../http.js';
import { POOL_MACHINES, quotaOf, vcpusInUse } from '../quotas.js';
import { SITES } from '../world.js';
import {
  gcpStack,
  googleError,
  regionDown,
  rejectRequest,
  renderGoogleError,
  renderGoogleThrottle,
} from './common.js';

const GCP_POOL = POOL_MACHINES.gcp;

/** Machine types the sandbox knows (predefined types: vCPUs and memory). */
const MACHINE_TYPES: Record<string, { cpus: number; memoryMb: number }> = {
  [GCP_POOL.type]: { cpus: GCP_POOL.vcpus, memoryMb: GCP_POOL.memoryMiB },
  'e2-standard-8': { cpus: 8, memoryMb: 32768 },
  'n2-standard-4': { cpus: 4, memoryMb: 16384 },
};

interface ComputeRoute {
  op: 'regions.get' | 'machineTypes.get';
  project: string;
  location: string;
  name?: string;
}

function route(path: string): ComputeRoute | undefined {
  let m = /^\/compute\/v1\/projects\/([^/]+)\/regions\/([^/]+)$/.exec(path);
  if (m) return { op: 'regions.get', project: m[1], location: m[2] };
  m = /^\/compute\/v1\/projects\/([^/]+)\/zones\/([^/]+)\/machineTypes\/([^/]+)$/.exec(path);
  if (m) return { op: 'machineTypes.get', project: m[1], location: m[2], name: decodeURIComponent(m[3]) };
  return undefined;
}

function handle(req: ServiceRequest, res: http.ServerResponse, ctx: ServiceContext): void {
  const r = req.method === 'GET' ? route(req.path) : undefined;
  if (rejectRequest(req, res, r !== undefined, r?.project) || !r) return;
  const stack = gcpStack(ctx.world);
  const siteName = SITES.find(
    (s) => stack.sites[s].region === r.location || stack.sites[s].zones.includes(r.location),
  );
  const site = siteName ? stack.sites[siteName] : undefined;
  if (site && !site.up) return regionDown(res, site.region);
  const base = `${req.url.protocol}//${req.headers.host}/compute/v1/projects/${r.project}`;
  if (r.op === 'machineTypes.get') {
    const t = MACHINE_TYPES[r.name ?? ''];
    if (!t)
      return googleError(
        res,
        404,
        `The resource 'projects/${r.project}/zones/${r.location}/machineTypes/${r.name}' was not found`,
        { reason: 'notFound' },
      );
    return send(res, 200, {
      kind: 'compute#machineType',
      name: r.name,
      description: `${t.cpus} vCPUs, ${t.memoryMb / 1024} GB RAM`,
      guestCpus: t.cpus,
      memoryMb: t.memoryMb,
      zone: r.location,
      selfLink: `${base}/zones/${r.location}/machineTypes/${r.name}`,
      isSharedCpu: false,
    });
  }
  const q = site ? quotaOf(site) : { familyVcpus: 24, regionalVcpus: 24, otherVcpus: 0 };
  const used = site ? vcpusInUse(site, GCP_POOL.vcpus) : 0;
  send(res, 200, {
    kind: 'compute#region',
    name: r.location,
    status: 'UP',
    zones: (site?.zones ?? []).map((z) => `${base}/zones/${z}`),
    quotas: [
      { metric: 'CPUS', limit: q.regionalVcpus, usage: used },
      { metric: GCP_POOL.metric, limit: q.familyVcpus, usage: used },
      { metric: 'N2_CPUS', limit: 24, usage: 0 },
      { metric: 'INSTANCES', limit: 6000, usage: Math.ceil(used / GCP_POOL.vcpus) },
      { metric: 'DISKS_TOTAL_GB', limit: 102400, usage: 1000 },
    ],
    selfLink: `${base}/regions/${r.location}`,
  });
}

/** The emulated Compute Engine API, regions.get and machineTypes.get (service key `compute`). */
export function computeService(): ServiceDef {
  return {
    name: 'compute',
    operation: (req) => route(req.path)?.op ?? 'unknown',
    handle,
    renderThrottle: (req, res, hit) => renderGoogleThrottle(req, res, hit, 'compute.googleapis.com'),
    renderError: renderGoogleError,
  };
}
