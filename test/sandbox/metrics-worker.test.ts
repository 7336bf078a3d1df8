/**
 * The /metrics worker answers what the main thread's simulation renders (gauges equal, counters
 * between their values just before and just after the scrape), follows the world's changes, and
 * applies the faults set on app/metrics.
 */
import { createEstate } from '../../src/sandbox/estate.js';
import { FaultRegistry } from '../../src/sandbox/faults.js';
import { metricsFor } from '../../src/sandbox/metrics.js';
import { startMetricsWorker, type MetricsWorker } from '../../src/sandbox/metrics-worker.js';
import { World } from '../../src/sandbox/world.js';
import { until } from '../support/wait.js';

const parse = (text: string) =>
  new Map(
    text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.lastIndexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1))] as const),
  );

describe('the /metrics worker', () => {
  let world: World;
  let faults: FaultRegistry;
  let worker: MetricsWorker;

  beforeAll(async () => {
    world = createEstate(new World({ speed: 2000 }));
    world.start();
    faults = new FaultRegistry();
    worker = await startMetricsWorker(metricsFor(world), faults);
  });
  afterAll(async () => {
    world.stop();
    await worker.close();
  });

  const scrape = () => fetch(`http://${worker.host}/metrics`);

  it('answers what the simulation renders at the same moment', async () => {
    const sim = metricsFor(world);
    const t0 = Date.now();
    const before = parse(sim.render(t0));
    const got = parse(await (await scrape()).text());
    const after = parse(sim.render(Date.now()));
    expect([...got.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [series, v] of got) {
      expect(v).toBeGreaterThanOrEqual(before.get(series)!);
      expect(v).toBeLessThanOrEqual(after.get(series)!);
    }
  });

  it('follows a change of the world: a stopped replication ends its lag series', async () => {
    const lag = (text: string) =>
      text.split('\n').filter((l) => l.startsWith('aegis_db_replication_lag_seconds{'));
    expect(lag(await (await scrape()).text()).length).toBeGreaterThan(0);
    const db = world.stack('gcp').database;
    // the DR replica no longer replicates from the writer (replicating is derived from the
    // instances on every settle: sandbox/dbtopology.ts)
    for (const i of db.instances!.values()) if (i.source) i.source = undefined;
    world.settle();
    expect(db.replicating).toBe(false);
    const now = await until(
      async () => (await scrape()).text(),
      (t) => !lag(t).some((l) => l.includes('stack="gcp"') && l.includes('site="dr"')),
    );
    expect(lag(now).some((l) => l.includes('stack="gcp"'))).toBe(true); // the writer's 0 stays
    db.replicating = true;
    world.settle();
  });

  it('applies the faults set on app/metrics, then answers again', async () => {
    faults.add({ service: 'app', operation: 'metrics', kind: 'error', status: 503, times: 2 });
    faults.add({ service: 'rds', kind: 'error', times: 5 }); // another service's fault is not its own
    await until(
      async () => (await scrape()).status,
      (s) => s === 503,
    );
    expect((await scrape()).status).toBe(503);
    expect((await scrape()).status).toBe(200);
  });
});
