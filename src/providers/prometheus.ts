/**
 * A minimal Prometheus HTTP API client: instant queries over `/api/v1/query`.
 *
 * Errors are wrapped with `wrapSdkError('prometheus', 'query', err)` keeping the HTTP status and
 * Retry-After, so the engine retries 429/5xx/network failures and fails at once on a bad query
 * (Prometheus answers 400 / 422 with `status: "error"`).
 */
import { callSignal } from '../engine/cancel.js';
import { ProviderError, wrapSdkError } from '../engine/errors.js';

export interface PrometheusClientOptions {
  /** Per request, default 10000 ms. */
  timeoutMs?: number;
  /** Extra headers (e.g. Authorization for a managed Prometheus). */
  headers?: Record<string, string>;
}

/** One element of an instant vector (or the scalar, with no labels). */
export interface PrometheusSample {
  labels: Record<string, string>;
  value: number;
}

interface ApiAnswer {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

/** Parse a Prometheus sample value ("1", "NaN", "+Inf"). */
export function parseSampleValue(v: unknown): number {
  if (v === '+Inf' || v === 'Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return Number(v);
}

export class PrometheusClient {
  private readonly base: string;

  /** `url` is the server's base URL (http://prometheus:9090); a trailing slash is ignored. */
  constructor(
    url: string,
    private readonly opts: PrometheusClientOptions = {},
  ) {
    this.base = url.replace(/\/+$/, '');
  }

  /** A network failure as one sentence, with the low-level code (ECONNREFUSED, TimeoutError) kept. */
  private networkError(err: unknown, expr: string): Error {
    const cause = (err as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
    const name = (err as { name?: unknown } | undefined)?.name;
    const code =
      typeof cause?.code === 'string'
        ? cause.code
        : name === 'TimeoutError' || name === 'AbortError'
          ? String(name)
          : 'ECONNRESET';
    const detail =
      typeof cause?.message === 'string' ? cause.message : err instanceof Error ? err.message : String(err);
    return Object.assign(
      new Error(
        `Prometheus at ${this.base} did not answer the query ${JSON.stringify(expr)} (${code}: ${detail}); check that prometheus.url is reachable from this runner.`,
        { cause: err },
      ),
      { code },
    );
  }

  /**
   * Evaluate `expr` at `time` (now when omitted) and return the samples.
   * A range vector answer is refused with a clear error: ask for an instant vector.
   */
  async query(expr: string, time?: Date | number): Promise<PrometheusSample[]> {
    const params = new URLSearchParams({ query: expr });
    if (time !== undefined) params.set('time', String(time instanceof Date ? time.getTime() / 1000 : time));
    const url = `${this.base}/api/v1/query?${params.toString()}`;
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        headers: { accept: 'application/json', ...this.opts.headers },
        signal: AbortSignal.any([AbortSignal.timeout(this.opts.timeoutMs ?? 10000), callSignal()]),
      });
      text = await res.text();
    } catch (err) {
      throw wrapSdkError('prometheus', 'query', this.networkError(err, expr));
    }
    let body: ApiAnswer | undefined;
    try {
      body = JSON.parse(text) as ApiAnswer;
    } catch {
      body = undefined;
    }
    if (!res.ok || body?.status !== 'success') {
      const detail = body?.error
        ? `Prometheus rejected the query ${JSON.stringify(expr)} (${body.errorType ?? 'error'}): ${body.error}`
        : `Prometheus at ${this.base} answered HTTP ${res.status} to the query ${JSON.stringify(expr)} with ${body ? 'an unexpected answer' : 'a body that is not JSON'}: ${text.slice(0, 200)}`;
      const hint =
        res.status === 400 || res.status === 422
          ? '; check the query in prometheus.queries of the plan'
          : res.ok
            ? ''
            : '; check that prometheus.url points at a Prometheus server';
      const err = Object.assign(new Error(detail + hint), {
        statusCode: res.status,
        code: body?.errorType,
        response: { status: res.status, headers: res.headers },
      });
      throw wrapSdkError('prometheus', 'query', err);
    }
    const type = body.data?.resultType;
    const result = body.data?.result;
    if (type === 'vector' && Array.isArray(result)) {
      return result.map((r: { metric?: Record<string, string>; value?: [number, string] }) => ({
        labels: r.metric ?? {},
        value: parseSampleValue(r.value?.[1]),
      }));
    }
    if (type === 'scalar' && Array.isArray(result)) {
      return [{ labels: {}, value: parseSampleValue(result[1]) }];
    }
    throw new ProviderError({
      service: 'prometheus',
      operation: 'query',
      message: `prometheus query failed: the query ${JSON.stringify(expr)} returned a ${type ?? 'missing'} result, expected an instant vector or a scalar; remove any [range] at the end of the query.`,
    });
  }
}
