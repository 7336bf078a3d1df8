import { createEstate, TOPOLOGY } from '../../src/sandbox/estate.js';
import { FaultRegistry } from '../../src/sandbox/faults.js';
import { type RunningService, startService } from '../../src/sandbox/http.js';
import { appService } from '../../src/sandbox/app.js';
import { MetricsSimulation, valueAt } from '../../src/sandbox/metrics.js';
import { World } from '../../src/sandbox/world.js';

async function until<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 30000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('sandbox app', () => {
  let world: World;
  let app: RunningService;

  beforeEach(async () => {
    world = createEstate(new World({ speed: 2000 }));
    app = await startService(appService(), { world, faults: new FaultRegistry() });
  });
  afterEach(async () => {
    await app.close();
  });

  const get = (path: string, init?: RequestInit) => fetch(`${app.url}${path}`, init);

  test('health reports the site, its region, and 503 when it cannot serve', async () => {
    const ok = await get('/sites/aws/primary/health');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      status: 'healthy',
      region: 'primary',
      cloudRegion: 'us-east-1',
      stack: 'aws',
    });

    const dr = await (await get('/sites/gcp/dr/health')).json();
    expect(dr).toMatchObject({ status: 'healthy', region: 'dr', cloudRegion: 'us-central1' });

    world.stack('aws').sites.primary.healthy = false;
    const bad = await get('/sites/aws/primary/health');
    expect(bad.status).toBe(503);
    expect(await bad.json()).toMatchObject({ status: 'unhealthy', region: 'primary' });

    const policies = await get('/sites/aws/primary/api/v1/policies/health');
    expect(await policies.json()).toMatchObject({ opa_external: 'error', opa_embedded: 'error' });
    const drPolicies = await get('/sites/aws/dr/api/v1/policies/health');
    expect(await drPolicies.json()).toMatchObject({ opa_external: 'ok', opa_embedded: 'ok' });
  });

  test('a site with no ready aegis-api pods is unhealthy', async () => {
    world.stack('azure').sites.dr.cluster.deployments.get('aegis-api')!.replicas = 0;
    const res = await get('/sites/azure/dr/health');
    expect(res.status).toBe(503);
    expect(((await res.json()) as { readyPods: number }).readyPods).toBe(0);
  });

  test('a region outage drops the connection and leaves the other region answering', async () => {
    world.stack('aws').sites.primary.up = false;
    await expect(get('/sites/aws/primary/health')).rejects.toThrow();
    expect((await get('/sites/aws/dr/health')).status).toBe(200);
  });

  test('connections drain to zero after the drain starts', async () => {
    const site = world.stack('aws').sites.primary;
    expect(await (await get('/sites/aws/primary/debug/connections')).json()).toMatchObject({ active: 120 });
    site.connectionsAtDrain = site.connections;
    site.drainStartedAt = world.now();
    await until(async () => {
      const body = (await (await get('/sites/aws/primary/debug/connections')).json()) as { active: number };
      return body.active === 0 ? true : undefined;
    }, 'connections to drain');
  });

  test('scans need a token, are refused read-only where writes are not accepted, and complete', async () => {
    const post = (
      site: string,
      headers: Record<string, string> = { authorization: 'Bearer sandbox-token' },
    ) =>
      get(`/sites/aws/${site}/api/v1/scans`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ scope: 'test', providers: ['aws'] }),
      });
    expect((await post('primary', {})).status).toBe(401);

    // The DR site writes through to the primary's database while that is reachable; fenced, it
    // refuses. The annotation fences only an application that watches its own Deployment.
    world.stack('aws').appWatchesDeployment = true;
    world.stack('aws').sites.dr.cluster.deployments.get('aegis-api')!.annotations['aegis.io/drain'] = 'true';
    const ro = await post('dr');
    delete world.stack('aws').sites.dr.cluster.deployments.get('aegis-api')!.annotations['aegis.io/drain'];
    expect(ro.status).toBe(503);
    expect(await ro.json()).toEqual({ error: 'read-only: this site does not accept writes' });
    expect(world.stack('aws').sites.dr.writesWhileServing).toBe(0);

    const created = await post('primary');
    expect(created.status).toBe(201);
    const scan = (await created.json()) as { id: string; status: string };
    expect(scan.status).toBe('queued');
    expect(world.stack('aws').sites.primary.writesWhileServing).toBe(1);
    expect(world.monitor.mutations.some((m) => m.service === 'app' && m.operation === 'createScan')).toBe(
      true,
    );

    await until(async () => {
      const body = (await (await get(`/sites/aws/primary/api/v1/scans/${scan.id}`)).json()) as {
        status: string;
      };
      return body.status === 'completed' ? true : undefined;
    }, 'the scan to complete');

    // drained site refuses writes too
    world.stack('aws').sites.primary.cluster.deployments.get('aegis-api')!.annotations['aegis.io/drain'] =
      'true';
    expect((await post('primary')).status).toBe(503);
  });

  test('the public name goes where the DNS record points', async () => {
    const stack = world.stack('gcp');
    expect(await (await get('/public/gcp/health')).json()).toMatchObject({ region: 'primary' });
    stack.traffic.record.values = [TOPOLOGY.gcp.targets.dr];
    expect(await (await get('/public/gcp/health')).json()).toMatchObject({
      region: 'dr',
      cloudRegion: 'us-central1',
    });
    stack.traffic.record.values = ['nowhere.gcp.aegis.test'];
    expect((await get('/public/gcp/health')).status).toBe(502);
  });

  test('/metrics exposes every stack and site with region labels', async () => {
    const res = await get('/metrics');
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0.0.4/);
    const text = await res.text();
    expect(text).toContain('# TYPE aegis_health_status gauge');
    expect(text).toContain('aegis_health_status{stack="aws",site="primary",region="us-east-1"} 1');
    expect(text).toContain('aegis_db_replication_lag_seconds{stack="azure",site="dr",region="westus2"} 1.5');
    expect(text).toContain(
      'aegis_db_replication_lag_seconds{stack="azure",site="primary",region="eastus"} 0',
    );
    expect(text).toMatch(
      /aegis_http_requests_total\{stack="gcp",site="primary",region="us-east1",status="200"\} \d+/,
    );
    expect(text).toMatch(/aegis_health_check_failures_total\{stack="gcp",site="dr",region="us-central1"\} 0/);
  });

  test('an injected throttle answers 429 with Retry-After', async () => {
    const faults = new FaultRegistry();
    faults.add({ service: 'app', operation: 'health', kind: 'throttle', nth: 1, retryAfterSeconds: 3 });
    const other = await startService(appService(), { world, faults });
    try {
      const res = await fetch(`${other.url}/sites/aws/primary/health`);
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('3');
    } finally {
      await other.close();
    }
  });
});

describe('metrics simulation', () => {
  test('counters follow elapsed time and the world state, coherent at any sampling rate', () => {
    const world = createEstate(new World({ speed: 2000 }));
    const sim = new MetricsSimulation(world);
    const t0 = world.now() + 1000;
    sim.sample(t0);
    const key = (name: string, labels: Record<string, string>) =>
      [...sim.series.values()].find(
        (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
      )!;
    const failures = key('aegis_health_check_failures_total', { stack: 'aws', site: 'primary' });
    const ok = key('aegis_http_requests_total', { stack: 'aws', site: 'primary', status: '200' });
    const errors = key('aegis_http_requests_total', { stack: 'aws', site: 'primary', status: '503' });
    const before200 = valueAt(ok, t0)!;
    const before503 = valueAt(errors, t0)!;

    world.stack('aws').sites.primary.up = false;
    sim.sample(t0);
    // one failure per 10 cloud seconds = 5 ms at speed 2000: 200 in a real second
    expect(valueAt(failures, t0 + 1000)).toBe(200);
    // 50 requests per second, all 5xx while the active site is down
    expect(valueAt(errors, t0 + 1000)! - before503).toBe(50);
    expect(valueAt(ok, t0 + 1000)).toBe(before200);
    // sampling in between changes nothing
    sim.sample(t0 + 400);
    expect(valueAt(failures, t0 + 1000)).toBe(200);

    world.stack('aws').sites.primary.up = true;
    sim.sample(t0 + 1000);
    expect(valueAt(failures, t0 + 5000)).toBe(200);
    expect(valueAt(ok, t0 + 5000)! - before200).toBeGreaterThanOrEqual(199);
    expect(world.stack('aws').sites.primary.healthFailures).toBe(200);
  });
});
