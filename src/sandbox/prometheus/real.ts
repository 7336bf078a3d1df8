/**
 * Run a real Prometheus server (the Debian / upstream binary) as a plain child process on
 * 127.0.0.1, scraping the sandbox app's /metrics every second. Tests and the sandbox use it when
 * the binary is installed; otherwise the built-in evaluator (promql.ts) stands in.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** Path of the prometheus binary: on PATH, or /usr/bin/prometheus; undefined when not installed. */
export function findPrometheus(): string | undefined {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const d of [...dirs, '/usr/bin', '/usr/local/bin']) {
    const p = path.join(d, 'prometheus');
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A site's own scrape target on the metrics host (`/metrics/<stack>/<site>`), labelled as the site. */
export interface SiteTarget {
  stack: string;
  site: string;
  region: string;
}

export interface StartPrometheusOptions {
  /** host:port of each /metrics endpoint to scrape (job `aegis`). */
  targets: string[];
  /**
   * Each site's own target, served by the first of `targets` at `/metrics/<stack>/<site>` (job
   * `aegis-site`, target labels stack, site and region): `up` of a site whose region is down is 0.
   */
  siteTargets?: SiteTarget[];
  /** Directory for the config and the TSDB (created if missing). */
  dataDir: string;
  /** Listen port (a free port when omitted). */
  port?: number;
  /** Binary to run (default: findPrometheus()). */
  binary?: string;
  /** How long to wait for readiness and the first scrape, default 60000 ms. */
  startTimeoutMs?: number;
}

export interface RunningPrometheus {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The config file text: scrape and evaluate every second. */
export function prometheusConfig(targets: string[], siteTargets: SiteTarget[] = []): string {
  const lines = [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    '  - job_name: aegis',
    '    metrics_path: /metrics',
    '    static_configs:',
    `      - targets: [${targets.map((t) => JSON.stringify(t)).join(', ')}]`,
  ];
  if (siteTargets.length > 0 && targets[0]) {
    // one target per site; __metrics_path__ set as a target label picks each site's path
    // (https://prometheus.io/docs/prometheus/latest/configuration/configuration/#scrape_config)
    lines.push('  - job_name: aegis-site', '    static_configs:');
    for (const t of siteTargets) {
      lines.push(
        `      - targets: [${JSON.stringify(targets[0])}]`,
        '        labels:',
        `          __metrics_path__: ${JSON.stringify(`/metrics/${t.stack}/${t.site}`)}`,
        `          stack: ${JSON.stringify(t.stack)}`,
        `          site: ${JSON.stringify(t.site)}`,
        `          region: ${JSON.stringify(t.region)}`,
      );
    }
  }
  lines.push('');
  return lines.join('\n');
}

/**
 * Start Prometheus on 127.0.0.1, wait until `/-/ready` answers and every target has been scraped
 * once (`up == 1`), and return its URL. `stop()` ends the process (SIGTERM, then SIGKILL).
 */
export async function startPrometheus(opts: StartPrometheusOptions): Promise<RunningPrometheus> {
  const binary = opts.binary ?? findPrometheus();
  if (!binary) {
    throw new Error(
      'prometheus is not installed: install it (apt-get install prometheus) or use the sandbox built-in evaluator.',
    );
  }
  mkdirSync(opts.dataDir, { recursive: true });
  const configFile = path.join(opts.dataDir, 'prometheus.yml');
  writeFileSync(configFile, prometheusConfig(opts.targets, opts.siteTargets));
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--storage.tsdb.path=${path.join(opts.dataDir, 'tsdb')}`,
      '--storage.tsdb.retention.time=1d',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString('utf8')).slice(-4000);
  });
  let exited: number | null | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.on('exit', (code) => {
      exited = code;
      resolve();
    });
  });
  const stop = async () => {
    if (exited !== undefined) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10000);
    await exitPromise;
    clearTimeout(killer);
  };
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60000);
  try {
    // 1. ready
    for (;;) {
      if (exited !== undefined)
        throw new Error(`prometheus exited with code ${exited} at start: ${stderr.trim()}`);
      if (Date.now() > deadline)
        throw new Error(`prometheus did not become ready on ${url}: ${stderr.trim()}`);
      try {
        const r = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) });
        if (r.ok) break;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    // 2. every target scraped once
    for (;;) {
      if (exited !== undefined) throw new Error(`prometheus exited with code ${exited}: ${stderr.trim()}`);
      if (Date.now() > deadline)
        throw new Error(
          `prometheus on ${url} did not scrape ${opts.targets.join(', ')} in time: ${stderr.trim()}`,
        );
      try {
        const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent('up == 1')}`, {
          signal: AbortSignal.timeout(2000),
        });
        const body = (await r.json()) as { data?: { result?: unknown[] } };
        if ((body.data?.result?.length ?? 0) >= opts.targets.length + (opts.siteTargets?.length ?? 0)) break;
      } catch {
        // retry
      }
      await sleep(200);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, port, process: child, stop };
}

/**
 * Wait until Prometheus holds a successful scrape of every target that started at or after
 * `sinceMs`: a reader that calls this after a change sees the change, and sees series that a failed
 * scrape before it had marked stale (a scrape that fails, for example because the process serving
 * /metrics was busy for longer than the scrape timeout, ends every series of its target at once:
 * https://prometheus.io/docs/prometheus/latest/querying/basics/#staleness).
 */
export async function awaitScrapeSince(
  url: string,
  targets: number,
  sinceMs: number,
  timeoutMs = 60000,
  /** Which targets: by default the application's (job `aegis`), not the sites' own. */
  selector = 'up{job="aegis"}',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const query = encodeURIComponent(`timestamp(${selector} == 1) >= ${sinceMs / 1000}`);
  for (;;) {
    try {
      const r = await fetch(`${url}/api/v1/query?query=${query}`, { signal: AbortSignal.timeout(2000) });
      const body = (await r.json()) as { data?: { result?: unknown[] } };
      if ((body.data?.result?.length ?? 0) >= targets) return;
    } catch {
      // retry
    }
    if (Date.now() > deadline)
      throw new Error(`prometheus on ${url} did not scrape its targets successfully within ${timeoutMs} ms.`);
    await sleep(100);
  }
}
