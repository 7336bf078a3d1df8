import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { classify, ProviderError } from '../../src/engine/errors.js';
import { PrometheusClient, type PrometheusSample } from '../../src/providers/prometheus.js';
import { appService } from '../../src/sandbox/app.js';
import { createEstate } from '../../src/sandbox/estate.js';
import { FaultRegistry } from '../../src/sandbox/faults.js';
import { type RunningService, startService } from '../../src/sandbox/http.js';
import { type RunningPrometheus, startPrometheus } from '../../src/sandbox/prometheus/real.js';
import {
  parseDuration,
  parsePromQL,
  prometheusFallbackService,
} from '../../src/sandbox/prometheus/promql.js';
import { World } from '../../src/sandbox/world.js';
import { requirePrometheus } from '../support/prometheus.js';

/** The runbook's three automated failover triggers. */
const TRIGGERS = {
  healthScore: 'avg(aegis_health_status) by (region) < 0.3',
  healthCheckFailures: 'increase(aegis_health_check_failures_total[5m]) > 5',
  replicationLag: 'aegis_db_replication_lag_seconds > 120',
};
const ERROR_RATE =
  'sum(rate(aegis_http_requests_total{status=~"5.."}[5m])) by (region) / sum(rate(aegis_http_requests_total[5m])) by (region)';

async function until(
  client: PrometheusClient,
  query: string,
  ok: (r: PrometheusSample[]) => boolean,
  timeoutMs = 60000,
) {
  const end = Date.now() + timeoutMs;
  let last: PrometheusSample[];
  for (;;) {
    last = await client.query(query);
    if (ok(last)) return last;
    if (Date.now() > end)
      throw new Error(`timed out waiting on ${query}; last answer ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Drive the world so each trigger fires, and check each through `client`. */
async function triggersFire(world: World, client: PrometheusClient): Promise<void> {
  // healthy estate: nothing fires
  expect(await client.query(TRIGGERS.healthScore)).toEqual([]);
  expect(await client.query(TRIGGERS.replicationLag)).toEqual([]);

  world.stack('aws').sites.primary.up = false;
  world.stack('gcp').database.lagSeconds = 150;

  const health = await until(client, TRIGGERS.healthScore, (r) => r.length > 0);
  expect(health).toEqual([{ labels: { region: 'us-east-1' }, value: 0 }]);

  const failures = await until(client, TRIGGERS.healthCheckFailures, (r) => r.length > 0);
  expect(failures.map((r) => [r.labels.stack, r.labels.site, r.labels.region])).toEqual([
    ['aws', 'primary', 'us-east-1'],
  ]);
  expect(failures[0].value).toBeGreaterThan(5);

  const lag = await until(client, TRIGGERS.replicationLag, (r) => r.length > 0);
  expect(lag).toHaveLength(1);
  expect(lag[0].labels).toMatchObject({
    __name__: 'aegis_db_replication_lag_seconds',
    stack: 'gcp',
    site: 'dr',
    region: 'us-central1',
  });
  expect(lag[0].value).toBe(150);

  // DNS still points at the dead primary: every request there fails
  const rate = await until(client, ERROR_RATE, (r) =>
    r.some((x) => x.labels.region === 'us-east-1' && x.value > 0.5),
  );
  expect(rate.find((x) => x.labels.region === 'us-east-1')!.value).toBeGreaterThan(0.5);
}

const bin = requirePrometheus();
const withPrometheus = bin ? describe : describe.skip;

withPrometheus('real Prometheus scraping the sandbox app', () => {
  let world: World;
  let app: RunningService;
  let prom: RunningPrometheus;
  let dataDir: string;

  beforeAll(async () => {
    world = createEstate(new World({ speed: 2000 }));
    app = await startService(appService(), { world, faults: new FaultRegistry() });
    dataDir = mkdtempSync(path.join(tmpdir(), 'aegis-prom-'));
    prom = await startPrometheus({ targets: [`127.0.0.1:${app.port}`], dataDir });
  }, 120000);
  afterAll(async () => {
    await prom?.stop();
    await app?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('answers the runbook trigger queries as the world changes', async () => {
    expect(prom.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await triggersFire(world, new PrometheusClient(prom.url));
  }, 120000);

  test('a bad query is a permanent error naming the query', async () => {
    const err = await new PrometheusClient(prom.url).query('sum(').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).status).toBe(400);
    expect((err as Error).message).toContain('"sum("');
    expect(classify(err).kind).toBe('permanent');
  });
});

describe('built-in Prometheus fallback', () => {
  let world: World;
  let faults: FaultRegistry;
  let svc: RunningService;

  beforeEach(async () => {
    world = createEstate(new World({ speed: 2000 }));
    faults = new FaultRegistry();
    svc = await startService(prometheusFallbackService(), { world, faults });
  });
  afterEach(async () => {
    await svc.close();
  });

  test('answers the runbook trigger queries as the world changes', async () => {
    await triggersFire(world, new PrometheusClient(svc.url));
  }, 120000);

  test('answers the plan default queries', async () => {
    const client = new PrometheusClient(svc.url);
    const score = await client.query('avg(aegis_health_status) by (region)');
    expect(score).toHaveLength(6);
    expect(score.every((s) => s.value === 1)).toBe(true);
    const primary = await client.query('min_over_time(aegis_health_status{site="primary"}[2h])');
    expect(primary.map((s) => s.labels.stack).sort()).toEqual(['aws', 'azure', 'gcp']);
    // a dip that is over still shows in min_over_time
    world.stack('azure').sites.primary.healthy = false;
    await client.query('aegis_health_status');
    world.stack('azure').sites.primary.healthy = true;
    const after = await client.query('min_over_time(aegis_health_status{site="primary"}[2h])');
    expect(after.find((s) => s.labels.stack === 'azure')!.value).toBe(0);
    expect(after.find((s) => s.labels.stack === 'aws')!.value).toBe(1);
    expect((await client.query('aegis_health_status{site="primary",stack="azure"}'))[0].value).toBe(1);
    const scalar = await client.query('1 + 2 * 3');
    expect(scalar).toEqual([{ labels: {}, value: 7 }]);
  });

  test('an unsupported query gets a Prometheus-shaped 400 saying to install Prometheus', async () => {
    const res = await fetch(
      `${svc.url}/api/v1/query?query=${encodeURIComponent('histogram_quantile(0.9, x)')}`,
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as { status: string; errorType: string; error: string };
    expect(body).toMatchObject({ status: 'error', errorType: 'bad_data' });
    expect(body.error).toMatch(/built-in PromQL evaluator does not support/);
    expect(body.error).toMatch(/apt-get install prometheus/);

    const err = await new PrometheusClient(svc.url)
      .query('label_replace(up, "a", "b", "c", "d")')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).status).toBe(400);
    expect((err as Error).message).toContain('label_replace');
    expect(classify(err).kind).toBe('permanent');
  });

  test('throttling is classified as throttled with its Retry-After', async () => {
    faults.add({ service: 'prometheus', operation: 'query', kind: 'throttle', nth: 1, retryAfterSeconds: 7 });
    const err = await new PrometheusClient(svc.url).query('aegis_health_status').catch((e: unknown) => e);
    expect(classify(err)).toMatchObject({ kind: 'throttled', retryAfterMs: 7000 });
    faults.add({ service: 'prometheus', operation: 'query', kind: 'error', nth: 1 });
    expect(classify(await new PrometheusClient(svc.url).query('up').catch((e: unknown) => e)).kind).toBe(
      'transient',
    );
  });

  test('an unreachable server is a transient error', async () => {
    const url = svc.url;
    await svc.close();
    svc = await startService(prometheusFallbackService(), { world, faults });
    const err = await new PrometheusClient(url).query('up').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(classify(err)).toMatchObject({ kind: 'transient', reason: 'network (ECONNREFUSED)' });
  });
});

describe('PromQL subset parser', () => {
  test('durations', () => {
    expect(parseDuration('5m')).toBe(300000);
    expect(parseDuration('1h30m')).toBe(5400000);
    expect(parseDuration('2x')).toBeUndefined();
  });
  test('the plan defaults parse', () => {
    for (const q of [
      'avg(aegis_health_status) by (region)',
      'avg by (region) (aegis_health_status)',
      'increase(aegis_health_check_failures_total[5m])',
      'aegis_db_replication_lag_seconds',
      ERROR_RATE,
      'min_over_time(aegis_health_status{site="primary"}[2h])',
      'rate(aegis_http_requests_total{status=~"5.."}[5m])',
    ]) {
      expect(() => parsePromQL(q)).not.toThrow();
    }
    expect(() => parsePromQL('foo offset 5m')).toThrow(/does not support/);
  });
});

describe('PrometheusClient timeouts', () => {
  test('a server that never answers times out as a transient error', async () => {
    const world = createEstate(new World({ speed: 2000 }));
    const faults = new FaultRegistry();
    faults.add({ service: 'prometheus', operation: 'query', kind: 'timeout', nth: 1 });
    const svc = await startService(prometheusFallbackService(), { world, faults });
    try {
      const err = await new PrometheusClient(svc.url, { timeoutMs: 300 })
        .query('up')
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect((err as Error).message).toMatch(/did not answer the query "up" \(TimeoutError/);
      expect(classify(err).kind).toBe('transient');
    } finally {
      await svc.close();
    }
  });
});
