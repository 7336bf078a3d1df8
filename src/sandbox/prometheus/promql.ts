/**
 * The sandbox's stand-in for Prometheus when the real binary is not installed: `/api/v1/query`
 * answered in Prometheus's own JSON shape from the world's simulated metrics (metrics.ts).
 *
 * It understands the small part of PromQL the plan's default queries and the runbook's triggers
 * use: selectors with label matchers, `rate` / `increase` / `min_over_time` / `max_over_time` /
 * `avg_over_time` over a range, `sum` / `avg` / `min` / `max` / `count` with `by (...)`,
 * arithmetic and comparisons between vectors and numbers. Anything else gets Prometheus's 400
 * `bad_data` answer saying the built-in evaluator does not support it and to install Prometheus.
 */
import type http from 'node:http';
import type { FaultHit } from '../faults.js';
import { type ServiceDef, send } from '../http.js';
import {
  type MetricsSimulation,
  type Sample,
  formatNumber,
  metricsFor,
  valueAt,
  valuesWithin,
} from '../metrics.js';

/** A query the built-in evaluator cannot handle. */
export class UnsupportedQueryError extends Error {
  constructor(query: string, detail: string) {
    super(
      `the sandbox's built-in PromQL evaluator does not support ${JSON.stringify(query)} (${detail}); install Prometheus (apt-get install prometheus) and point prometheus.url at it for arbitrary queries`,
    );
    this.name = 'UnsupportedQueryError';
  }
}

type Matcher = { label: string; op: '=' | '!=' | '=~' | '!~'; value: string };
type Node =
  | { kind: 'num'; value: number }
  | { kind: 'sel'; name: string; matchers: Matcher[]; rangeMs?: number }
  | { kind: 'fn'; fn: string; arg: Node }
  | { kind: 'agg'; op: string; by: string[] | undefined; arg: Node }
  | { kind: 'bin'; op: string; lhs: Node; rhs: Node };

type Value = { type: 'scalar'; value: number } | { type: 'vector'; samples: Sample[] };

const RANGE_FUNCS = new Set(['rate', 'increase', 'min_over_time', 'max_over_time', 'avg_over_time']);
const AGGS = new Set(['sum', 'avg', 'min', 'max', 'count']);
const COMPARISONS = new Set(['==', '!=', '>', '<', '>=', '<=']);

interface Token {
  t: 'id' | 'num' | 'str' | 'op' | 'dur';
  v: string;
}

function tokenize(q: string, fail: (d: string) => never): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '[') {
      const end = q.indexOf(']', i);
      if (end < 0) fail('unclosed [');
      out.push({ t: 'dur', v: q.slice(i + 1, end).trim() });
      i = end + 1;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      while (j < q.length && q[j] !== c) {
        if (q[j] === '\\' && j + 1 < q.length) {
          const n = q[j + 1];
          s += n === 'n' ? '\n' : n;
          j += 2;
        } else s += q[j++];
      }
      if (j >= q.length) fail('unclosed string');
      out.push({ t: 'str', v: s });
      i = j + 1;
      continue;
    }
    const num = /^(\d+(\.\d*)?([eE][+-]?\d+)?|\.\d+|Inf|NaN)/.exec(q.slice(i));
    if (num && !/[a-zA-Z_:]/.test(q[i + num[0].length] ?? '')) {
      out.push({ t: 'num', v: num[0] });
      i += num[0].length;
      continue;
    }
    const id = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(q.slice(i));
    if (id) {
      out.push({ t: 'id', v: id[0] });
      i += id[0].length;
      continue;
    }
    const op = /^(==|!=|=~|!~|>=|<=|[-+*/(){},=<>])/.exec(q.slice(i));
    if (op) {
      out.push({ t: 'op', v: op[0] });
      i += op[0].length;
      continue;
    }
    fail(`unexpected character ${JSON.stringify(c)}`);
  }
  return out;
}

/** Parse a Prometheus duration (5m, 2h, 1h30m, 90s, 500ms) into ms. */
export function parseDuration(s: string): number | undefined {
  const units: Record<string, number> = {
    ms: 1,
    s: 1000,
    m: 60000,
    h: 3600000,
    d: 86400000,
    w: 604800000,
    y: 31536000000,
  };
  const re = /(\d+)(ms|s|m|h|d|w|y)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    total += Number(m[1]) * units[m[2]];
    pos = re.lastIndex;
  }
  return pos === s.length && pos > 0 ? total : undefined;
}

/** Parse the supported subset of PromQL, or throw UnsupportedQueryError. */
export function parsePromQL(query: string): Node {
  const fail = (detail: string): never => {
    throw new UnsupportedQueryError(query, detail);
  };
  const toks = tokenize(query, fail);
  let p = 0;
  const peek = () => toks[p];
  const isOp = (v: string) => peek()?.t === 'op' && peek()!.v === v;
  const expect = (v: string) => {
    if (!isOp(v))
      fail(`expected ${v} at token ${p + 1}${peek() ? ` (found ${peek()!.v})` : ' (end of query)'}`);
    p++;
  };
  const labelList = (): string[] => {
    expect('(');
    const labels: string[] = [];
    while (!isOp(')')) {
      const t = toks[p++];
      if (!t || t.t !== 'id') fail('expected a label name in by (...)');
      labels.push(t!.v);
      if (isOp(',')) p++;
    }
    expect(')');
    return labels;
  };
  const selector = (name: string): Node => {
    const matchers: Matcher[] = [];
    if (isOp('{')) {
      p++;
      while (!isOp('}')) {
        const l = toks[p++];
        const o = toks[p++];
        const v = toks[p++];
        if (
          !l ||
          l.t !== 'id' ||
          !o ||
          o.t !== 'op' ||
          !['=', '!=', '=~', '!~'].includes(o.v) ||
          !v ||
          v.t !== 'str'
        ) {
          fail('expected label matchers such as {site="primary"}');
        }
        matchers.push({ label: l!.v, op: o!.v as Matcher['op'], value: v!.v });
        if (isOp(',')) p++;
      }
      expect('}');
    }
    let rangeMs: number | undefined;
    if (peek()?.t === 'dur') {
      const d = toks[p++].v;
      rangeMs = parseDuration(d);
      if (rangeMs === undefined) fail(`unsupported range [${d}]`);
    }
    if (peek()?.t === 'id' && ['offset', '@'].includes(peek()!.v)) fail('offset is not supported');
    return { kind: 'sel', name, matchers, rangeMs };
  };
  const primary = (): Node => {
    const t = toks[p++];
    if (!t) fail('unexpected end of query');
    if (t!.t === 'num') return { kind: 'num', value: Number(t!.v) };
    if (t!.t === 'op' && t!.v === '(') {
      const e = expr(0);
      expect(')');
      return e;
    }
    if (t!.t === 'op' && t!.v === '-') {
      const n = primary();
      return { kind: 'bin', op: '*', lhs: { kind: 'num', value: -1 }, rhs: n };
    }
    if (t!.t !== 'id') fail(`unexpected ${t!.v}`);
    const name = t!.v;
    if (AGGS.has(name)) {
      let by: string[] | undefined;
      if (peek()?.t === 'id' && peek()!.v === 'by') {
        p++;
        by = labelList();
      }
      if (peek()?.t === 'id' && peek()!.v === 'without') fail('without (...) is not supported');
      expect('(');
      const arg = expr(0);
      expect(')');
      if (peek()?.t === 'id' && peek()!.v === 'by') {
        p++;
        by = labelList();
      }
      if (peek()?.t === 'id' && peek()!.v === 'without') fail('without (...) is not supported');
      return { kind: 'agg', op: name, by, arg };
    }
    if (RANGE_FUNCS.has(name)) {
      expect('(');
      const arg = primary();
      expect(')');
      if (arg.kind !== 'sel' || arg.rangeMs === undefined)
        fail(`${name}() needs a range selector such as metric[5m]`);
      return { kind: 'fn', fn: name, arg };
    }
    if (isOp('(')) fail(`the function ${name}() is not supported`);
    return selector(name);
  };
  const prec = (op: string): number =>
    COMPARISONS.has(op) ? 1 : op === '+' || op === '-' ? 2 : op === '*' || op === '/' ? 3 : 0;
  const expr = (minPrec: number): Node => {
    let lhs = primary();
    for (;;) {
      const t = peek();
      if (!t || t.t !== 'op' || prec(t.v) === 0 || prec(t.v) < minPrec) break;
      const op = t.v;
      p++;
      if (peek()?.t === 'id' && ['bool', 'on', 'ignoring', 'group_left', 'group_right'].includes(peek()!.v)) {
        fail(`the ${peek()!.v} modifier is not supported`);
      }
      const rhs = expr(prec(op) + 1);
      lhs = { kind: 'bin', op, lhs, rhs };
    }
    return lhs;
  };
  const tree = expr(0);
  if (p < toks.length) fail(`unexpected ${toks[p].v} at token ${p + 1}`);
  return tree;
}

function matches(labels: Record<string, string>, ms: Matcher[]): boolean {
  return ms.every((m) => {
    const v = labels[m.label] ?? '';
    switch (m.op) {
      case '=':
        return v === m.value;
      case '!=':
        return v !== m.value;
      case '=~':
        return new RegExp(`^(?:${m.value})$`).test(v);
      case '!~':
        return !new RegExp(`^(?:${m.value})$`).test(v);
    }
  });
}

function withoutName(labels: Record<string, string>): Record<string, string> {
  const { __name__: _n, ...rest } = labels;
  return rest;
}

function sigOf(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(withoutName(labels)).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function arith(op: string, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '==':
      return a === b ? 1 : 0;
    case '!=':
      return a !== b ? 1 : 0;
    case '>':
      return a > b ? 1 : 0;
    case '<':
      return a < b ? 1 : 0;
    case '>=':
      return a >= b ? 1 : 0;
    default:
      return a <= b ? 1 : 0;
  }
}

/** Evaluate a parsed query against the simulation at real ms time `t`. */
export function evaluate(node: Node, sim: MetricsSimulation, t: number, query = ''): Value {
  switch (node.kind) {
    case 'num':
      return { type: 'scalar', value: node.value };
    case 'sel': {
      if (node.rangeMs !== undefined) {
        throw new UnsupportedQueryError(
          query,
          'a range vector can only be used inside rate(), increase() or *_over_time()',
        );
      }
      const samples: Sample[] = [];
      for (const s of sim.series.values()) {
        const labels = { __name__: s.name, ...s.labels };
        if (s.name !== node.name || !matches(labels, node.matchers)) continue;
        if (t >= sim.world.now() - 1 && !s.present) continue;
        const v = valueAt(s, t);
        if (v !== undefined) samples.push({ labels, value: v });
      }
      return { type: 'vector', samples };
    }
    case 'fn': {
      const sel = node.arg as Extract<Node, { kind: 'sel' }>;
      const w = sel.rangeMs!;
      const from = t - w;
      const samples: Sample[] = [];
      for (const s of sim.series.values()) {
        const labels = { __name__: s.name, ...s.labels };
        if (s.name !== sel.name || !matches(labels, sel.matchers)) continue;
        const first = s.points[0]?.t;
        if (first === undefined || first > t) continue;
        let v: number;
        if (node.fn === 'rate' || node.fn === 'increase') {
          const start = valueAt(s, Math.max(from, first)) ?? 0;
          const end = valueAt(s, t) ?? 0;
          const inc = Math.max(0, end - start);
          v = node.fn === 'rate' ? inc / (w / 1000) : inc;
        } else {
          const values = valuesWithin(s, Math.max(from, first), t);
          if (values.length === 0) continue;
          v =
            node.fn === 'min_over_time'
              ? Math.min(...values)
              : node.fn === 'max_over_time'
                ? Math.max(...values)
                : values.reduce((a, b) => a + b, 0) / values.length;
        }
        samples.push({ labels: withoutName(labels), value: v });
      }
      return { type: 'vector', samples };
    }
    case 'agg': {
      const inner = evaluate(node.arg, sim, t, query);
      if (inner.type !== 'vector') throw new UnsupportedQueryError(query, `${node.op}() needs a vector`);
      const groups = new Map<string, { labels: Record<string, string>; values: number[] }>();
      for (const s of inner.samples) {
        const labels: Record<string, string> = {};
        for (const l of node.by ?? []) if (s.labels[l] !== undefined) labels[l] = s.labels[l];
        const k = sigOf(labels);
        const g = groups.get(k) ?? { labels, values: [] };
        g.values.push(s.value);
        groups.set(k, g);
      }
      const samples: Sample[] = [];
      for (const g of groups.values()) {
        const sum = g.values.reduce((a, b) => a + b, 0);
        const value =
          node.op === 'sum'
            ? sum
            : node.op === 'avg'
              ? sum / g.values.length
              : node.op === 'min'
                ? Math.min(...g.values)
                : node.op === 'max'
                  ? Math.max(...g.values)
                  : g.values.length;
        samples.push({ labels: g.labels, value });
      }
      return { type: 'vector', samples };
    }
    case 'bin': {
      const a = evaluate(node.lhs, sim, t, query);
      const b = evaluate(node.rhs, sim, t, query);
      const cmp = COMPARISONS.has(node.op);
      if (a.type === 'scalar' && b.type === 'scalar') {
        if (cmp)
          throw new UnsupportedQueryError(query, 'comparisons between two numbers need the bool modifier');
        return { type: 'scalar', value: arith(node.op, a.value, b.value) };
      }
      if (a.type === 'vector' && b.type === 'scalar') {
        return {
          type: 'vector',
          samples: cmp
            ? a.samples.filter((s) => arith(node.op, s.value, b.value) === 1)
            : a.samples.map((s) => ({
                labels: withoutName(s.labels),
                value: arith(node.op, s.value, b.value),
              })),
        };
      }
      if (a.type === 'scalar' && b.type === 'vector') {
        return {
          type: 'vector',
          samples: cmp
            ? b.samples.filter((s) => arith(node.op, a.value, s.value) === 1)
            : b.samples.map((s) => ({
                labels: withoutName(s.labels),
                value: arith(node.op, a.value, s.value),
              })),
        };
      }
      const av = a as Extract<Value, { type: 'vector' }>;
      const bv = b as Extract<Value, { type: 'vector' }>;
      const right = new Map(bv.samples.map((s) => [sigOf(s.labels), s]));
      const samples: Sample[] = [];
      for (const s of av.samples) {
        const r = right.get(sigOf(s.labels));
        if (!r) continue;
        if (cmp) {
          if (arith(node.op, s.value, r.value) === 1) samples.push(s);
        } else samples.push({ labels: withoutName(s.labels), value: arith(node.op, s.value, r.value) });
      }
      return { type: 'vector', samples };
    }
  }
}

/** Evaluate `query` at unix time `time` seconds (now when omitted); the Prometheus API `data` object. */
export function runQuery(
  sim: MetricsSimulation,
  query: string,
  time?: number,
): { resultType: string; result: unknown } {
  const t = time === undefined ? sim.world.now() : time * 1000;
  sim.sample();
  const value = evaluate(parsePromQL(query), sim, t, query);
  const ts = t / 1000;
  if (value.type === 'scalar') return { resultType: 'scalar', result: [ts, formatNumber(value.value)] };
  return {
    resultType: 'vector',
    result: value.samples.map((s) => ({ metric: s.labels, value: [ts, formatNumber(s.value)] })),
  };
}

function badData(res: http.ServerResponse, message: string): void {
  send(res, 400, { status: 'error', errorType: 'bad_data', error: message });
}

/** The built-in Prometheus stand-in (fault key 'prometheus'; operation 'query'). */
export function prometheusFallbackService(): ServiceDef {
  return {
    name: 'prometheus',
    operation(req) {
      return req.path === '/api/v1/query' ? 'query' : req.path.replace(/^\//, '');
    },
    handle(req, res, { world }) {
      if (req.path === '/-/ready' || req.path === '/-/healthy') {
        send(res, 200, 'Prometheus Server is Ready.\n');
        return;
      }
      if (req.path === '/api/v1/status/buildinfo') {
        send(res, 200, {
          status: 'success',
          data: { version: 'aegis-sandbox-builtin', revision: 'none', branch: 'none' },
        });
        return;
      }
      if (req.path !== '/api/v1/query') {
        send(res, 404, {
          status: 'error',
          errorType: 'not_found',
          error: `the sandbox's built-in Prometheus only serves /api/v1/query, not ${req.path}`,
        });
        return;
      }
      const params = new URLSearchParams(req.url.search);
      if (req.method === 'POST') {
        for (const [k, v] of new URLSearchParams(req.text())) params.set(k, v);
      }
      const query = params.get('query');
      if (!query) {
        badData(res, 'invalid parameter "query": the query parameter is missing');
        return;
      }
      let time: number | undefined;
      const timeParam = params.get('time');
      if (timeParam) {
        time = /^\d+(\.\d+)?$/.test(timeParam) ? Number(timeParam) : Date.parse(timeParam) / 1000;
        if (!Number.isFinite(time)) {
          badData(
            res,
            `invalid parameter "time": cannot parse ${JSON.stringify(timeParam)} to a valid timestamp`,
          );
          return;
        }
      }
      try {
        const data = runQuery(metricsFor(world), query, time);
        send(res, 200, { status: 'success', data });
      } catch (err) {
        if (err instanceof UnsupportedQueryError) badData(res, err.message);
        else throw err;
      }
    },
    renderThrottle(_req, res, hit: FaultHit) {
      send(res, 429, { status: 'error', errorType: 'unavailable', error: 'too many requests' }, undefined, {
        'retry-after': String(hit.spec.retryAfterSeconds ?? 1),
      });
    },
    renderError(_req, res, hit: FaultHit) {
      const status = hit.spec.status ?? 503;
      send(res, status, {
        status: 'error',
        errorType: status === 503 ? 'unavailable' : 'internal',
        error: `HTTP ${status} (injected fault)`,
      });
    },
  };
}
