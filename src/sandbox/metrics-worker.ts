/**
 * The app's /metrics served from its own thread, as a real application exports its metrics from its
 * own process: the Prometheus the sandbox starts scrapes this server, not the sandbox's main loop.
 *
 * Why: a scrape that fails (here, because the sandbox's event loop was busy importing the cloud
 * SDKs for longer than the 1 s scrape timeout) makes Prometheus end every series of the target at
 * once with a staleness marker (https://prometheus.io/docs/prometheus/latest/querying/basics/#staleness),
 * so a readiness check that read the replication lag just then found no series at all. The drill's
 * own work must not make the witness go silent.
 *
 * The main thread posts the exposition as of each series' last breakpoint whenever the simulation
 * changes (metrics.ts expositionTemplate); the worker fills in each value at its own clock (a gauge
 * stays, a counter grows at its rate), so a scrape while the main thread is busy answers what the
 * main thread would have answered (test/sandbox/metrics-worker.test.ts compares the two).
 *
 * Limits: faults on `app`/`metrics` (error, throttle, reset, timeout, slow) are applied here, in
 * this thread, and are not listed in the registry's log of fired faults.
 *
 * Each site also has a scrape target of its own, `/metrics/<stack>/<site>`, that goes down with its
 * site (503 while the site's region is down or partitioned), so Prometheus reports `up == 0` for it
 * as it does for a real target that cannot be scraped
 * (https://prometheus.io/docs/concepts/jobs_instances/#automatically-generated-labels-and-time-series).
 * It exports one gauge, `aegis_site_scrape_target`, and no application series: those come from the
 * one `/metrics` target (a central exporter, as a federation would give), so a site that goes down
 * keeps its health gauge at 0 for the triggers instead of losing its series.
 */
import { Worker } from 'node:worker_threads';
import type { FaultRegistry, FaultSpec } from './faults.js';
import { METRIC_HELP, expositionTemplate, type ExpositionLine, type MetricsSimulation } from './metrics.js';
import { SITES } from './world.js';

/**
 * The worker's source, plain JavaScript in a string: the bundler minifies and renames the
 * functions of our modules, so the worker cannot be built from their text.
 */
const WORKER_SOURCE = `
const http = require('node:http');
const { parentPort } = require('node:worker_threads');
let lines = [];
const faults = [];
const fmt = (v) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v));
const fill = (now) =>
  lines
    .map((l) => (typeof l === 'string' ? l : l.prefix + fmt(l.counter ? Math.floor(l.value + l.rate * Math.max(0, now - l.t)) : l.value)))
    .join('\\n') + '\\n';
let down = [];
const srv = http.createServer((req, res) => {
  const p = (req.url || '').split('?')[0];
  const site = p.startsWith('/metrics/') ? p.split('/').slice(2) : undefined;
  if (site && site.length === 2) {
    if (down.includes(site.join('/'))) return void res.writeHead(503).end('the site ' + site.join('/') + ' is down');
    return void res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(['# HELP aegis_site_scrape_target The own scrape target of a site.', '# TYPE aegis_site_scrape_target gauge', 'aegis_site_scrape_target 1', ''].join(String.fromCharCode(10)));
  }
  if (p !== '/metrics') return void res.writeHead(404).end('only /metrics and /metrics/<stack>/<site> are served here');
  let hit;
  for (const f of faults) {
    f.seen++;
    const limit = f.times ?? (f.nth !== undefined ? 1 : Infinity);
    if (f.fired >= limit) continue;
    if (f.nth !== undefined ? f.seen !== f.nth : Math.random() >= (f.rate ?? 1)) continue;
    f.fired++;
    hit = f;
    break;
  }
  const answer = () => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(fill(Date.now()));
  if (!hit) return answer();
  if (hit.kind === 'reset') return req.socket.destroy();
  if (hit.kind === 'timeout') return;
  if (hit.kind === 'slow') return void setTimeout(answer, hit.delayMs ?? 2000);
  if (hit.kind === 'throttle') return void res.writeHead(429, { 'retry-after': String(hit.retryAfterSeconds ?? 1) }).end();
  const status = hit.status ?? 503;
  res.writeHead(status).end('the application failed with HTTP ' + status + ' (injected fault)');
});
parentPort.on('message', (m) => {
  if (m.type === 'lines') lines = m.lines;
  else if (m.type === 'down') down = m.sites;
  else if (m.type === 'fault') faults.push({ ...m.spec, seen: 0, fired: 0 });
  else if (m.type === 'clear-faults') faults.length = 0;
  else if (m.type === 'close') srv.close(() => process.exit(0));
});
srv.listen(0, '127.0.0.1', () => parentPort.postMessage({ type: 'listening', port: srv.address().port }));
`;

type WorkerMessage =
  | { type: 'lines'; lines: ExpositionLine[] }
  | { type: 'down'; sites: string[] }
  | { type: 'fault'; spec: FaultSpec }
  | { type: 'clear-faults' }
  | { type: 'close' };

export interface MetricsWorker {
  /** host:port of the worker's /metrics, for Prometheus' scrape config. */
  host: string;
  close(): Promise<void>;
}

/** Start the worker serving `sim`'s series, honouring the registry's faults on app/metrics. */
export async function startMetricsWorker(
  sim: MetricsSimulation,
  faults: FaultRegistry,
): Promise<MetricsWorker> {
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  const post = (m: WorkerMessage) => worker.postMessage(m);
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (m: { type: string; port: number }) => {
      if (m.type === 'listening') resolve(m.port);
    });
  });
  let sent = -1;
  let sentDown = '';
  const push = () => {
    // the sites whose own scrape target is down: their region is down or partitioned
    const down = [...sim.world.stacks.values()].flatMap((s) =>
      SITES.filter((x) => !s.sites[x].up).map((x) => `${s.name}/${x}`),
    );
    if (down.join() !== sentDown) {
      sentDown = down.join();
      post({ type: 'down', sites: down });
    }
    if (sim.version === sent) return;
    sent = sim.version;
    post({ type: 'lines', lines: expositionTemplate(sim.snapshot(), METRIC_HELP) });
  };
  push();
  const stopSeries = sim.world.onChange(push);
  const isMetrics = (s: FaultSpec) => s.service === 'app' && (!s.operation || s.operation === 'metrics');
  for (const spec of faults.list()) if (isMetrics(spec)) post({ type: 'fault', spec });
  const stopFaults = faults.onChange((e) => {
    if (e.type === 'clear') post({ type: 'clear-faults' });
    else if (isMetrics(e.spec)) post({ type: 'fault', spec: e.spec });
  });
  return {
    host: `127.0.0.1:${port}`,
    async close() {
      stopSeries();
      stopFaults();
      const exited = new Promise((r) => worker.once('exit', r));
      post({ type: 'close' });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 2000)))]);
      clearTimeout(timer);
      await worker.terminate();
    },
  };
}
