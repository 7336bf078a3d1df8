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
 * The main thread posts each series' breakpoints whenever the simulation changes (metrics.ts); the
 * worker renders them at its own clock with the same renderExposition, so a scrape while the main
 * thread is busy answers exactly what the main thread would have answered.
 *
 * Limits: faults on `app`/`metrics` (error, throttle, reset, timeout, slow) are applied here, in
 * this thread, and are not listed in the registry's log of fired faults.
 */
import http from 'node:http';
import type net from 'node:net';
import { Worker } from 'node:worker_threads';
import type { FaultRegistry, FaultSpec } from './faults.js';
import { METRIC_HELP, formatNumber, renderExposition, valueAt, type MetricsSimulation } from './metrics.js';

/** What the worker runs: the three render functions, then a small server fed by messages. */
function workerSource(): string {
  const server = (
    help: typeof METRIC_HELP,
    renderFn: typeof renderExposition,
    httpModule: typeof http,
    port: { on(e: 'message', f: (m: WorkerMessage) => void): void; postMessage(m: unknown): void },
  ) => {
    let series: Parameters<typeof renderExposition>[0] = [];
    const faults: (FaultSpec & { seen: number; fired: number })[] = [];
    const srv = httpModule.createServer((req, res) => {
      if (req.url?.split('?')[0] !== '/metrics') {
        res.writeHead(404).end('only /metrics is served here');
        return;
      }
      let hit: FaultSpec | undefined;
      for (const f of faults) {
        f.seen++;
        const limit = f.times ?? (f.nth !== undefined ? 1 : Infinity);
        if (f.fired >= limit) continue;
        if (f.nth !== undefined ? f.seen !== f.nth : Math.random() >= (f.rate ?? 1)) continue;
        f.fired++;
        hit = f;
        break;
      }
      const answer = () =>
        res
          .writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
          .end(renderFn(series, help, Date.now()));
      if (!hit) return answer();
      if (hit.kind === 'reset') return req.socket.destroy();
      if (hit.kind === 'timeout') return;
      if (hit.kind === 'slow') return void setTimeout(answer, hit.delayMs ?? 2000);
      if (hit.kind === 'throttle')
        return res.writeHead(429, { 'retry-after': String(hit.retryAfterSeconds ?? 1) }).end();
      res
        .writeHead(hit.status ?? 503)
        .end(`the application failed with HTTP ${hit.status ?? 503} (injected fault)`);
    });
    port.on('message', (m) => {
      if (m.type === 'series') series = m.series;
      else if (m.type === 'fault') faults.push({ ...m.spec, seen: 0, fired: 0 });
      else if (m.type === 'clear-faults') faults.length = 0;
      else if (m.type === 'close') srv.close(() => process.exit(0));
    });
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address() as net.AddressInfo;
      port.postMessage({ type: 'listening', port: a.port });
    });
  };
  return [
    valueAt.toString(),
    formatNumber.toString(),
    renderExposition.toString(),
    `(${server.toString()})(${JSON.stringify(METRIC_HELP)}, ${renderExposition.name}, require('node:http'), require('node:worker_threads').parentPort);`,
  ].join('\n');
}

type WorkerMessage =
  | { type: 'series'; series: Parameters<typeof renderExposition>[0] }
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
  const worker = new Worker(workerSource(), { eval: true });
  const post = (m: WorkerMessage) => worker.postMessage(m);
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (m: { type: string; port: number }) => {
      if (m.type === 'listening') resolve(m.port);
    });
  });
  let sent = -1;
  const push = () => {
    if (sim.version === sent) return;
    sent = sim.version;
    post({ type: 'series', series: sim.snapshot() });
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
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000).unref())]);
      await worker.terminate();
    },
  };
}
