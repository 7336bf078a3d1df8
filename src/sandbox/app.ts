/**
 * The emulated Cloud Aegis application: one HTTP server for every site of every stack.
 *
 *   GET  /sites/<stack>/<site>/health                 200 healthy / 503 unhealthy / reset when the region is down
 *   GET  /sites/<stack>/<site>/debug/connections      {"active": N} (decays after the drain annotation)
 *   GET  /sites/<stack>/<site>/api/v1/policies/health {"opa_external":"ok","opa_embedded":"ok"}
 *   POST /sites/<stack>/<site>/api/v1/scans           201 {"id","status":"queued"}; 503 on a site that cannot write
 *   GET  /sites/<stack>/<site>/api/v1/scans/<id>      queued -> running -> completed over a few cloud seconds
 *   POST /sites/<stack>/<site>/api/v1/db/write-probe  201 {"database":{"host"}}: one pod writes a heartbeat row where
 *                                                     its endpoint points; 503 when that write fails (binding.ts)
 *   ANY  /public/<stack>/<path>                       the public name: served by the site the DNS record points at
 *   GET  /metrics                                     Prometheus exposition of every stack and site
 */
import type http from 'node:http';
import type { SiteName } from '../plan/types.js';
import { activeConnections } from './connections.js';
import { instanceHost, podWriteTarget } from './binding.js';
import { boundInstance, writerInstance } from './dbtopology.js';
import { activeSite } from './estate.js';
import { writerPods } from './writes.js';
import type { FaultHit } from './faults.js';
import { type ServiceContext, type ServiceDef, type ServiceRequest, send } from './http.js';
import { metricsFor, siteHealthy } from './metrics.js';
import { type StackWorld, type World, readyPods } from './world.js';

/** Cloud seconds a scan stays queued, then running. */
export const SCAN_QUEUED_CLOUD_SECONDS = 2;
export const SCAN_RUNNING_CLOUD_SECONDS = 5;
export const APP_VERSION = '2026.11.1';

interface Scan {
  id: string;
  stack: string;
  site: SiteName;
  scope: string;
  providers: string[];
  createdAt: number;
}

const scansByWorld = new WeakMap<World, Map<string, Scan>>();

function scans(world: World): Map<string, Scan> {
  let m = scansByWorld.get(world);
  if (!m) {
    m = new Map();
    scansByWorld.set(world, m);
  }
  return m;
}

interface Route {
  stack: string;
  site: SiteName | 'public';
  rest: string;
}

function route(path: string): Route | undefined {
  let m = /^\/sites\/([a-z0-9-]+)\/(primary|dr)(\/.*)?$/.exec(path);
  if (m) return { stack: m[1], site: m[2] as SiteName, rest: m[3] ?? '/' };
  m = /^\/public\/([a-z0-9-]+)(\/.*)?$/.exec(path);
  if (m) return { stack: m[1], site: 'public', rest: m[2] ?? '/' };
  return undefined;
}

function opOf(method: string, rest: string): string {
  if (rest === '/health' || rest === '/healthz') return 'health';
  if (rest === '/debug/connections') return 'connections';
  if (rest === '/api/v1/policies/health') return 'policies';
  if (rest === '/api/v1/scans' && method === 'POST') return 'createScan';
  if (rest.startsWith('/api/v1/scans/')) return 'getScan';
  if (rest === '/api/v1/db/write-probe' && method === 'POST') return 'writeProbe';
  return 'unknown';
}

function scanStatus(world: World, scan: Scan): 'queued' | 'running' | 'completed' {
  const age = world.now() - scan.createdAt;
  if (age < world.realMs(SCAN_QUEUED_CLOUD_SECONDS)) return 'queued';
  if (age < world.realMs(SCAN_QUEUED_CLOUD_SECONDS + SCAN_RUNNING_CLOUD_SECONDS)) return 'running';
  return 'completed';
}

function notFound(res: http.ServerResponse, what: string): void {
  send(res, 404, { error: `not found: ${what}` });
}

function serveSite(
  req: ServiceRequest,
  res: http.ServerResponse,
  ctx: ServiceContext,
  stack: StackWorld,
  siteName: SiteName,
  rest: string,
): void {
  const { world } = ctx;
  const site = stack.sites[siteName];
  if (!site.up) {
    // the region is unreachable: the client sees the connection drop
    req.raw.socket.destroy();
    return;
  }
  const healthy = siteHealthy(site);
  const op = opOf(req.method, rest);
  const base = {
    region: siteName,
    cloudRegion: site.region,
    stack: stack.name,
  };
  switch (op) {
    case 'health': {
      const pods = readyPods(site.cluster, 'aegis-api');
      const body = {
        status: healthy ? 'healthy' : 'unhealthy',
        ...base,
        version: APP_VERSION,
        readyPods: pods,
        database: stack.database.writable[siteName] ? 'read-write' : 'read-only',
        ...(healthy
          ? {}
          : {
              reason: !site.healthy ? 'the application reports itself unhealthy' : 'no ready aegis-api pods',
            }),
      };
      send(res, healthy ? 200 : 503, body);
      return;
    }
    case 'connections':
      send(res, 200, { active: activeConnections(world, site), ...base });
      return;
    case 'policies': {
      const state = healthy ? 'ok' : 'error';
      send(res, healthy ? 200 : 503, {
        opa_external: state,
        opa_embedded: state,
        bundle: 'policies-2026.11.1',
      });
      return;
    }
    case 'createScan': {
      const auth = req.headers.authorization ?? '';
      if (!/^Bearer\s+\S+/.test(auth)) {
        send(res, 401, { error: 'unauthorized: send an Authorization: Bearer <token> header' }, undefined, {
          'www-authenticate': 'Bearer',
        });
        return;
      }
      let body: { scope?: unknown; providers?: unknown };
      try {
        body = req.json();
      } catch {
        send(res, 400, {
          error: 'the request body is not JSON: expected {"scope":"test","providers":["aws"]}',
        });
        return;
      }
      if (typeof body.scope !== 'string' || !Array.isArray(body.providers)) {
        send(res, 400, {
          error:
            'scope (string) and providers (array) are required: expected {"scope":"test","providers":["aws"]}',
        });
        return;
      }
      if (!world.acceptsWrites(stack, siteName)) {
        send(res, 503, { error: 'read-only: this site does not accept writes' });
        return;
      }
      const id = `scan-${Math.floor(world.random() * 0xffffffff)
        .toString(16)
        .padStart(8, '0')}`;
      scans(world).set(id, {
        id,
        stack: stack.name,
        site: siteName,
        scope: body.scope,
        providers: body.providers.map(String),
        createdAt: world.now(),
      });
      site.writesWhileServing++;
      stack.database.writesFrom[siteName]++;
      world.monitor.mutation('app', 'createScan', `${stack.name}/${siteName}/${id}`);
      send(res, 201, { id, status: 'queued', scope: body.scope, providers: body.providers, ...base });
      return;
    }
    case 'writeProbe': {
      // one ready pod answers (as a Service would pick one); its writes go where its endpoint points
      const pods = [...site.cluster.pods.values()].filter((p) => p.deployment === 'aegis-api' && p.ready);
      if (pods.length === 0) {
        send(res, 503, { error: 'unavailable: this site has no ready aegis-api pods', ...base });
        return;
      }
      const pod = pods[Math.floor(world.random() * pods.length)];
      const target = podWriteTarget(stack, pod);
      const writes =
        writerPods(stack, siteName).includes(pod) &&
        (!!stack.binding || world.acceptsWrites(stack, siteName));
      if (!target.ok || !writes) {
        send(res, 503, {
          error: `the write failed: ${!target.ok ? target.reason : 'read-only: this pod does not reach a writable database'}`,
          pod: pod.name,
          database: { host: target.host },
          ...base,
        });
        return;
      }
      const w = writerInstance(stack);
      const host = target.host ?? (w ? instanceHost(stack, boundInstance(stack, siteName) ?? w) : undefined);
      stack.database.writesFrom[siteName]++;
      world.monitor.mutation('app', 'writeProbe', `${stack.name}/${siteName}/${pod.name}`);
      send(res, 201, { written: true, pod: pod.name, database: { host }, ...base });
      return;
    }
    case 'getScan': {
      const id = decodeURIComponent(rest.slice('/api/v1/scans/'.length));
      const scan = scans(world).get(id);
      if (!scan || scan.stack !== stack.name) {
        notFound(res, `scan ${id}`);
        return;
      }
      if (!healthy) {
        send(res, 503, { error: 'unavailable: this site has no healthy aegis-api pods' });
        return;
      }
      send(res, 200, {
        id,
        status: scanStatus(world, scan),
        scope: scan.scope,
        providers: scan.providers,
        createdOn: scan.site,
      });
      return;
    }
    default:
      notFound(res, `${req.method} ${rest}`);
  }
}

/** The Aegis application service (fault key 'app'; operations health, connections, policies, createScan, getScan, writeProbe, metrics). */
export function appService(): ServiceDef {
  return {
    name: 'app',
    operation(req) {
      if (req.path === '/metrics') return 'metrics';
      const r = route(req.path);
      return r ? opOf(req.method, r.rest) : 'unknown';
    },
    handle(req, res, ctx) {
      const { world } = ctx;
      if (req.path === '/metrics') {
        send(res, 200, metricsFor(world).render(), 'text/plain; version=0.0.4; charset=utf-8');
        return;
      }
      const r = route(req.path);
      if (!r) {
        notFound(res, req.path);
        return;
      }
      const stack = world.stacks.get(r.stack);
      if (!stack) {
        notFound(res, `stack ${r.stack} (the sandbox has ${[...world.stacks.keys()].join(', ')})`);
        return;
      }
      let site: SiteName;
      if (r.site === 'public') {
        const active = activeSite(stack);
        if (active === 'unknown') {
          send(res, 502, {
            error: `the public name ${stack.traffic.record.name} points at ${stack.traffic.record.values.join(', ') || 'nothing'}, which is no site of stack ${stack.name}`,
          });
          return;
        }
        // a record listing both targets: clients pick one; alternate like round-robin DNS
        site = active === 'both' ? (world.random() < 0.5 ? 'primary' : 'dr') : active;
      } else {
        site = r.site;
      }
      serveSite(req, res, ctx, stack, site, r.rest);
    },
    renderThrottle(_req, res, hit: FaultHit) {
      send(res, 429, { error: 'too many requests' }, undefined, {
        'retry-after': String(hit.spec.retryAfterSeconds ?? 1),
      });
    },
    renderError(_req, res, hit: FaultHit) {
      const status = hit.spec.status ?? 503;
      send(res, status, { error: `the application failed with HTTP ${status} (injected fault)` });
    },
  };
}
