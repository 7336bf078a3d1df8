/**
 * Errors the engine understands. Provider adapters wrap what their SDK throws in a ProviderError
 * (see `wrapSdkError` below), so the engine can tell throttling and transient failures (retried
 * with backoff, honouring Retry-After) from permanent ones (fail at once with a clear sentence).
 */
import { closest, distance } from 'fastest-levenshtein';

/**
 * The closest of `options` to a mistyped `word`, when it is close enough to be what was meant
 * (Levenshtein distance at most 2, or a third of the word); for "did you mean ...?" in errors.
 */
export function didYouMean(word: string, options: readonly string[]): string | undefined {
  if (options.length === 0) return undefined;
  const best = closest(word, options as string[]);
  const d = distance(word.toLowerCase(), best.toLowerCase());
  return d <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** A user's mistake or a refused unsafe move: one clear sentence, never a stack trace. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** A step's deadline passed before the wanted state was reached. */
export class DeadlineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeadlineError';
  }
}

export interface ProviderErrorInit {
  /** Service key: rds, route53, eks, arm, sqladmin, clouddns, container, kubernetes, prometheus, app, dns. */
  service: string;
  operation: string;
  /** HTTP status, when there was a response. */
  status?: number;
  /** Service error code (ThrottlingException, Throttling, TooManyRequests, RESOURCE_EXHAUSTED, ...). */
  code?: string;
  /** Retry-After advertised by the service, in ms. */
  retryAfterMs?: number;
  message: string;
  cause?: unknown;
}

export class ProviderError extends Error {
  readonly service: string;
  readonly operation: string;
  readonly status?: number;
  readonly code?: string;
  readonly retryAfterMs?: number;

  constructor(init: ProviderErrorInit) {
    super(init.message, { cause: init.cause });
    this.name = 'ProviderError';
    this.service = init.service;
    this.operation = init.operation;
    this.status = init.status;
    this.code = init.code;
    this.retryAfterMs = init.retryAfterMs;
  }
}

const THROTTLE_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'PriorRequestNotComplete',
  'RequestThrottled',
  'TooManyRequests',
  'RESOURCE_EXHAUSTED',
  'rateLimitExceeded',
  'userRateLimitExceeded',
]);

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ECONNABORTED',
  'REQUEST_SEND_ERROR',
  'TimeoutError',
  'AbortError',
]);

export interface Classification {
  kind: 'throttled' | 'transient' | 'permanent';
  retryAfterMs?: number;
  /** Short reason for the journal: "throttled (429 TooManyRequests)". */
  reason: string;
}

function field(err: unknown, key: string): unknown {
  return err && typeof err === 'object' ? (err as Record<string, unknown>)[key] : undefined;
}

/** Find a network error code anywhere in the cause chain. */
function networkCode(err: unknown, depth = 0): string | undefined {
  if (!err || typeof err !== 'object' || depth > 5) return undefined;
  const code = field(err, 'code');
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
  const name = field(err, 'name');
  if (typeof name === 'string' && NETWORK_CODES.has(name)) return name;
  const msg = field(err, 'message');
  if (
    typeof msg === 'string' &&
    /socket hang up|ECONNRESET|ETIMEDOUT|ECONNREFUSED|other side closed|timed? ?out/i.test(msg)
  ) {
    return 'ECONNRESET';
  }
  return networkCode(field(err, 'cause'), depth + 1);
}

/** Parse a Retry-After header value (seconds or HTTP date) into ms. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const s = String(value).trim();
  if (/^[0-9]+(\.[0-9]+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** Decide whether an error is worth retrying. */
export function classify(err: unknown): Classification {
  if (err instanceof UserError || err instanceof DeadlineError)
    return { kind: 'permanent', reason: err.message };
  const status = (field(err, 'status') ??
    field(err, 'statusCode') ??
    (field(err, '$metadata') as { httpStatusCode?: number } | undefined)?.httpStatusCode) as
    number | undefined;
  const rawCode = field(err, 'code') ?? field(err, 'Code') ?? field(err, 'name');
  const code =
    typeof rawCode === 'string' ? rawCode : typeof rawCode === 'number' ? String(rawCode) : undefined;
  const retryAfterMs = (field(err, 'retryAfterMs') as number | undefined) ?? undefined;
  const label = [status, code].filter((x) => x !== undefined).join(' ');
  // gRPC status 8 = RESOURCE_EXHAUSTED, 14 = UNAVAILABLE, 4 = DEADLINE_EXCEEDED
  if (status === 429 || (code && THROTTLE_CODES.has(code)) || code === '8') {
    return { kind: 'throttled', retryAfterMs, reason: `throttled (${label || 'rate limit'})` };
  }
  if (typeof status === 'number' && status >= 500) {
    return { kind: 'transient', retryAfterMs, reason: `server error (${label})` };
  }
  if (code === '14' || code === '4' || code === 'UNAVAILABLE' || code === 'DEADLINE_EXCEEDED') {
    return { kind: 'transient', retryAfterMs, reason: `unavailable (${label})` };
  }
  const net = networkCode(err);
  if (net && (typeof status !== 'number' || status === 0))
    return { kind: 'transient', reason: `network (${net})` };
  return { kind: 'permanent', reason: label ? `${label}: ${messageOf(err)}` : messageOf(err) };
}

export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : JSON.stringify(err);
}

/**
 * Wrap whatever an SDK threw into a ProviderError that keeps its status, code and Retry-After.
 * Works with AWS SDK v3 ($metadata, $response), Azure RestError (statusCode, response.headers),
 * google-gax / gaxios errors (code, response.status, response.headers) and Kubernetes ApiException (code, headers).
 */
export function wrapSdkError(service: string, operation: string, err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  const meta = field(err, '$metadata') as { httpStatusCode?: number } | undefined;
  const response = (field(err, '$response') ?? field(err, 'response')) as Record<string, unknown> | undefined;
  const headersRaw = (response?.headers ?? field(err, 'headers')) as unknown;
  const header = (name: string): unknown => {
    if (!headersRaw) return undefined;
    if (typeof (headersRaw as { get?: unknown }).get === 'function')
      return (headersRaw as { get(n: string): unknown }).get(name);
    const h = headersRaw as Record<string, unknown>;
    return h[name] ?? h[name.toLowerCase()];
  };
  let status =
    meta?.httpStatusCode ??
    (field(err, 'statusCode') as number | undefined) ??
    (typeof response?.status === 'number' ? (response.status as number) : undefined) ??
    (typeof response?.statusCode === 'number' ? (response.statusCode as number) : undefined);
  const rawCode =
    field(err, 'name') !== 'Error'
      ? (field(err, 'Code') ?? field(err, 'code') ?? field(err, 'name'))
      : field(err, 'code');
  let code = rawCode === undefined ? undefined : String(rawCode);
  // Kubernetes ApiException puts the HTTP status in `code`
  if (
    status === undefined &&
    typeof field(err, 'code') === 'number' &&
    (field(err, 'code') as number) >= 100
  ) {
    status = field(err, 'code') as number;
    code = undefined;
  }
  const retryAfterMs = parseRetryAfter(header('retry-after') ?? header('Retry-After'));
  const net = networkCode(err);
  return new ProviderError({
    service,
    operation,
    status,
    code: code ?? net,
    retryAfterMs,
    message: `${service} ${operation} failed: ${messageOf(err).split('\n')[0]}`,
    cause: err,
  });
}
