/**
 * The Aegis application's Prometheus metrics, simulated from the world.
 *
 * Every series is kept as a list of breakpoints `(t, value, ratePerMs)`: between two breakpoints a
 * counter grows linearly at `ratePerMs` and a gauge stays flat. A breakpoint is added only when
 * the world's state changes what a series does (a site goes down, DNS moves, lag changes), so the
 * value at any time is exact and scrapes at any rate agree with each other. The fallback PromQL
 * evaluator (prometheus/promql.ts) reads the same history for `increase`, `rate` and `min_over_time`.
 *
 * Series (labels `stack`, `site` = primary|dr, `region` = the cloud region):
 * - `aegis_health_status` gauge: 1 when the site is up, healthy and has ready aegis-api pods.
 * - `aegis_platform_healthy` gauge: 1 when the site's region answers and its cluster has Ready
 *   nodes: the platform, whatever the application's fence (a fenced primary has no pods). It stands
 *   for what a real estate reads from kube-state-metrics (`kube_node_status_condition`) or a
 *   blackbox probe of the cluster's API server; the failback gate reads it.
 * - `aegis_health_check_failures_total` counter: +1 per 10 cloud seconds while not healthy.
 * - `aegis_db_replication_lag_seconds` gauge: the replica's lag while replicating, 0 on the writer.
 * - `aegis_http_requests_total{status}` counter: about 50 requests per real second per stack, sent
 *   to the site DNS points at; 0.1 % answer 503, all of them while that site cannot serve.
 * - `aegis_db_writes_total{result}` counter (stacks with an endpoint binding): the serving site's
 *   database writes (a fifth of its requests), `error` for those of pods whose endpoint names no
 *   instance that takes writes (a replica, a region that is down); those requests answer 503 too.
 */
import type { SiteName } from '../plan/types.js';
import { activeSite } from './estate.js';
import { type SiteWorld, type StackWorld, type World, SITES, readyPods } from './world.js';
import { writerPods } from './writes.js';

/** Simulated user requests per real second per stack. */
export const REQUESTS_PER_SECOND = 50;
/** Baseline share of 5xx answers when the serving site is healthy. */
export const BASELINE_ERROR_RATIO = 0.001;
/** Cloud seconds between two failed health checks of a site that is down or unhealthy. */
export const HEALTH_CHECK_INTERVAL_CLOUD_SECONDS = 10;
/** How long the history is kept (the longest window of the default queries is 2h). */
export const HISTORY_MS = (2 * 3600 + 600) * 1000;

export type MetricType = 'gauge' | 'counter';

export const METRIC_HELP: Record<string, { type: MetricType; help: string }> = {
  aegis_health_status: {
    type: 'gauge',
    help: 'Whether the site answers its health check (1 healthy, 0 not).',
  },
  aegis_platform_healthy: {
    type: 'gauge',
    help: "Whether the site's region answers and its cluster has Ready nodes (1 yes, 0 no).",
  },
  aegis_health_check_failures_total: { type: 'counter', help: 'Failed health checks of the site.' },
  aegis_db_replication_lag_seconds: {
    type: 'gauge',
    help: 'Seconds the replica database is behind the writer.',
  },
  aegis_http_requests_total: { type: 'counter', help: 'HTTP requests answered by the site, by status.' },
  aegis_db_writes_total: { type: 'counter', help: 'Database writes of the site, by result (ok, error).' },
};

/** Share of the application's requests that write to the database. */
export const WRITE_SHARE = 0.2;

interface Breakpoint {
  t: number;
  value: number;
  /** Growth per real ms after t (counters only). */
  rate: number;
}

/** One time series and its history. */
export interface Series {
  name: string;
  labels: Record<string, string>;
  type: MetricType;
  points: Breakpoint[];
  /** Whether the series is exported right now (a replica's lag disappears when replication stops). */
  present: boolean;
}

/** A sample of one series: its labels (with `__name__`) and value. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** Whether a site answers its health check right now. */
export function siteHealthy(site: SiteWorld): boolean {
  return site.up && site.healthy && readyPods(site.cluster, 'aegis-api') > 0;
}

/** Whether the site's platform is up: its region answers and its cluster has Ready nodes. */
export function platformHealthy(site: SiteWorld): boolean {
  return site.up && site.cluster.nodes.some((n) => n.ready);
}

/** Whether the site that DNS points at can serve requests. */
export function siteCanServe(site: SiteWorld): boolean {
  return siteHealthy(site);
}

function key(name: string, labels: Record<string, string>): string {
  return name + JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** What each series is doing right now: value for gauges, rate per real ms for counters. */
interface Target {
  name: string;
  labels: Record<string, string>;
  type: MetricType;
  /** Gauge value (gauges) or rate per real ms (counters). */
  level: number;
}

/**
 * The simulation for one world. Use `metricsFor(world)` to get the shared instance, call
 * `sample()` whenever the world may have changed (it subscribes to `world.onChange` itself) and
 * `render()` for the exposition text.
 */
export class MetricsSimulation {
  readonly series = new Map<string, Series>();
  readonly startedAt: number;
  /** Grows each time a series changes what it does (a breakpoint, or it appears or vanishes). */
  version = 0;

  constructor(readonly world: World) {
    this.startedAt = world.now();
    this.sample();
  }

  private targets(): Target[] {
    const w = this.world;
    const out: Target[] = [];
    const perMs = REQUESTS_PER_SECOND / 1000;
    const failuresPerMs = 1 / w.realMs(HEALTH_CHECK_INTERVAL_CLOUD_SECONDS);
    for (const stack of w.stacks.values()) {
      const active = activeSite(stack);
      for (const siteName of SITES) {
        const site = stack.sites[siteName];
        const labels = { stack: stack.name, site: siteName, region: site.region };
        const healthy = siteHealthy(site);
        out.push({ name: 'aegis_health_status', labels, type: 'gauge', level: healthy ? 1 : 0 });
        out.push({
          name: 'aegis_platform_healthy',
          labels,
          type: 'gauge',
          level: platformHealthy(site) ? 1 : 0,
        });
        out.push({
          name: 'aegis_health_check_failures_total',
          labels,
          type: 'counter',
          level: healthy ? 0 : failuresPerMs,
        });
        const lag = replicationLag(stack, siteName);
        if (lag !== undefined)
          out.push({ name: 'aegis_db_replication_lag_seconds', labels, type: 'gauge', level: lag });
        const share = active === siteName ? 1 : active === 'both' ? 0.5 : 0;
        const rate = perMs * share;
        const pods = readyPods(site.cluster, 'aegis-api');
        const failing = stack.binding && pods > 0 ? 1 - writerPods(stack, siteName).length / pods : 0;
        const errorRatio =
          share > 0 && !siteCanServe(site) ? 1 : Math.max(BASELINE_ERROR_RATIO, failing * WRITE_SHARE);
        if (stack.binding) {
          for (const [result, part] of [
            ['ok', 1 - failing],
            ['error', failing],
          ] as const)
            out.push({
              name: 'aegis_db_writes_total',
              labels: { ...labels, result },
              type: 'counter',
              level: rate * WRITE_SHARE * part,
            });
        }
        out.push({
          name: 'aegis_http_requests_total',
          labels: { ...labels, status: '200' },
          type: 'counter',
          level: rate * (1 - errorRatio),
        });
        out.push({
          name: 'aegis_http_requests_total',
          labels: { ...labels, status: '503' },
          type: 'counter',
          level: rate * errorRatio,
        });
      }
    }
    return out;
  }

  /** Record what every series does from now on (adds a breakpoint only where something changed). */
  sample(now = this.world.now()): void {
    const seen = new Set<string>();
    for (const t of this.targets()) {
      const k = key(t.name, t.labels);
      seen.add(k);
      let s = this.series.get(k);
      if (!s) {
        s = { name: t.name, labels: t.labels, type: t.type, points: [], present: true };
        this.series.set(k, s);
      }
      if (!s.present) this.version++;
      s.present = true;
      const last = s.points.at(-1);
      const before = s.points.length;
      if (t.type === 'gauge') {
        if (!last || last.value !== t.level) s.points.push({ t: now, value: t.level, rate: 0 });
      } else if (!last) {
        s.points.push({ t: now, value: 0, rate: t.level });
      } else if (last.rate !== t.level) {
        s.points.push({ t: now, value: last.value + last.rate * Math.max(0, now - last.t), rate: t.level });
      }
      if (s.points.length !== before) this.version++;
      this.prune(s, now);
    }
    for (const [k, s] of this.series) {
      if (!seen.has(k) && s.present) {
        s.present = false;
        this.version++;
        // a vanished counter stops growing
        const last = s.points.at(-1);
        if (last && last.rate !== 0) {
          s.points.push({ t: now, value: last.value + last.rate * Math.max(0, now - last.t), rate: 0 });
        }
      }
    }
    this.mirror(now);
  }

  private prune(s: Series, now: number): void {
    const cutoff = now - HISTORY_MS;
    let drop = 0;
    while (drop + 1 < s.points.length && s.points[drop + 1].t <= cutoff) drop++;
    if (drop > 0) s.points.splice(0, drop);
  }

  /** Keep the site counters of world.ts in step with the exported counters. */
  private mirror(now: number): void {
    for (const stack of this.world.stacks.values()) {
      for (const siteName of SITES) {
        const site = stack.sites[siteName];
        const labels = { stack: stack.name, site: siteName, region: site.region };
        site.healthFailures = this.counterValue('aegis_health_check_failures_total', labels, now);
        site.requests.ok = this.counterValue('aegis_http_requests_total', { ...labels, status: '200' }, now);
        site.requests.error = this.counterValue(
          'aegis_http_requests_total',
          { ...labels, status: '503' },
          now,
        );
      }
    }
  }

  private counterValue(name: string, labels: Record<string, string>, now: number): number {
    const s = this.series.get(key(name, labels));
    return s ? (valueAt(s, now) ?? 0) : 0;
  }

  /** Instant samples of every present series named `name` (all series when omitted). */
  instant(name?: string, now = this.world.now()): Sample[] {
    const out: Sample[] = [];
    for (const s of this.series.values()) {
      if (!s.present || (name !== undefined && s.name !== name)) continue;
      const v = valueAt(s, now);
      if (v !== undefined) out.push({ labels: { __name__: s.name, ...s.labels }, value: v });
    }
    return out;
  }

  /** The exposition text (Prometheus text format 0.0.4). */
  render(now = this.world.now()): string {
    this.sample(now);
    return renderExposition([...this.series.values()], METRIC_HELP, now);
  }

  /** The present series as plain data (what the /metrics worker renders from). */
  snapshot(): Series[] {
    return [...this.series.values()].filter((s) => s.present);
  }
}

/**
 * The exposition text (Prometheus text format 0.0.4) of the present `series` at `now`. Self-contained
 * but for valueAt and formatNumber, beside it: the /metrics worker runs these three as its source.
 */
export function renderExposition(
  series: Series[],
  help: Record<string, { type: string; help: string }>,
  now: number,
): string {
  const lines: string[] = [];
  for (const [name, meta] of Object.entries(help)) {
    const rows: [Record<string, string>, number][] = [];
    for (const s of series) {
      if (!s.present || s.name !== name) continue;
      const v = valueAt(s, now);
      if (v !== undefined) rows.push([s.labels, v]);
    }
    if (rows.length === 0) continue;
    lines.push(`# HELP ${name} ${meta.help}`, `# TYPE ${name} ${meta.type}`);
    for (const [labels, value] of rows) {
      const text = Object.entries(labels)
        .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
        .join(',');
      lines.push(`${name}{${text}} ${formatNumber(value)}`);
    }
  }
  return lines.join('\n') + '\n';
}

/**
 * A line of the exposition as the /metrics worker fills it in at its own clock: text as is, or a
 * sample line whose value follows from the series' last breakpoint (a gauge stays, a counter grows).
 */
export type ExpositionLine =
  string | { prefix: string; t: number; value: number; rate: number; counter: boolean };

/** The exposition of the present `series` as of their last breakpoints, for the worker to fill in. */
export function expositionTemplate(
  series: Series[],
  help: Record<string, { type: string; help: string }>,
): ExpositionLine[] {
  const now = Math.max(0, ...series.map((s) => s.points.at(-1)?.t ?? 0));
  // the same text as renderExposition, with each sample's value left open
  const lines: ExpositionLine[] = [];
  const text = renderExposition(series, help, now).split('\n');
  let i = 0;
  for (const [name] of Object.entries(help)) {
    const rows = series.filter((s) => s.present && s.name === name && s.points.length > 0);
    if (rows.length === 0) continue;
    lines.push(text[i++], text[i++]);
    for (const s of rows) {
      const line = text[i++];
      const last = s.points.at(-1)!;
      lines.push({
        prefix: line.slice(0, line.lastIndexOf(' ') + 1),
        t: last.t,
        value: last.value,
        rate: last.rate,
        counter: s.type === 'counter',
      });
    }
  }
  return lines;
}

/** Value of a series at real ms time `t` (counters are whole numbers), undefined before it existed. */
export function valueAt(s: Series, t: number): number | undefined {
  let p: Breakpoint | undefined;
  for (const b of s.points) {
    if (b.t <= t) p = b;
    else break;
  }
  if (!p) return undefined;
  if (s.type === 'gauge') return p.value;
  return Math.floor(p.value + p.rate * (t - p.t));
}

/** Every distinct value a gauge took within [from, to]. */
export function valuesWithin(s: Series, from: number, to: number): number[] {
  const out: number[] = [];
  const start = valueAt(s, from);
  if (start !== undefined) out.push(start);
  for (const b of s.points)
    if (b.t > from && b.t <= to) out.push(s.type === 'gauge' ? b.value : (valueAt(s, b.t) ?? 0));
  const end = valueAt(s, to);
  if (end !== undefined) out.push(end);
  return out;
}

/** Lag of a site's database copy as exported: 0 on the writer, the lag on a replicating replica. */
function replicationLag(stack: StackWorld, site: SiteName): number | undefined {
  const db = stack.database;
  if (db.writer === site) return 0;
  return db.replicating ? (db.caughtUp ? 0 : db.lagSeconds) : undefined;
}

/** Format a number as Prometheus does (NaN, +Inf, -Inf, shortest decimal). */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

const sims = new WeakMap<World, MetricsSimulation>();

/** The metrics simulation of `world` (created on first use, then kept in step on every settle). */
export function metricsFor(world: World): MetricsSimulation {
  let sim = sims.get(world);
  if (!sim) {
    const created = new MetricsSimulation(world);
    world.onChange(() => created.sample());
    sims.set(world, created);
    sim = created;
  }
  return sim;
}
