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
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
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
  /**
   * Whether the service answered (a throttle, a 5xx, a gRPC UNAVAILABLE status): it is alive, so the
   * retry policy keeps asking until the deadline. False when nothing came back (reset, refused, no
   * answer in time): a place that may be down, asked `maxAttempts` times at most.
   */
  answered: boolean;
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
    return { kind: 'permanent', answered: false, reason: err.message };
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
    return {
      kind: 'throttled',
      answered: true,
      retryAfterMs,
      reason: `throttled (${label || 'rate limit'})`,
    };
  }
  if (typeof status === 'number' && status >= 500) {
    return { kind: 'transient', answered: true, retryAfterMs, reason: `server error (${label})` };
  }
  if (code === '14' || code === 'UNAVAILABLE') {
    return { kind: 'transient', answered: true, retryAfterMs, reason: `unavailable (${label})` };
  }
  if (code === '4' || code === 'DEADLINE_EXCEEDED') {
    return { kind: 'transient', answered: false, retryAfterMs, reason: `unavailable (${label})` };
  }
  const net = networkCode(err);
  if (net && (typeof status !== 'number' || status === 0))
    return { kind: 'transient', answered: false, reason: `network (${net})` };
  return {
    kind: 'permanent',
    answered: typeof status === 'number',
    reason: label ? `${label}: ${messageOf(err)}` : messageOf(err),
  };
}

export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : JSON.stringify(err);
}

/** The name of a service key as a person reads it in a failure sentence. */
export const SERVICE_NAMES: Record<string, string> = {
  rds: 'RDS',
  route53: 'Route 53',
  eks: 'EKS',
  arm: 'Azure Resource Manager',
  sqladmin: 'Cloud SQL Admin',
  clouddns: 'Cloud DNS',
  container: 'GKE',
  kubernetes: 'Kubernetes API',
  prometheus: 'Prometheus',
  app: 'the application',
  dns: 'DNS',
};

/**
 * The message a service put in an error body, when an SDK handed the body over as the message
 * (google-gax in HTTP fallback mode throws `{"error":{"code":503,"message":...,"status":...}}`):
 * Google's `error.message` and `error.status`, ARM's `error.message` and `error.code`, a plain
 * `message`; otherwise the first line of the text, cut short.
 */
export function serviceMessage(text: string): { message: string; code?: string } {
  const t = text.trim();
  const at = t.indexOf('{');
  if (at >= 0 && t.endsWith('}')) {
    try {
      const body = JSON.parse(t.slice(at)) as Record<string, unknown>;
      const e = (body.error ?? body) as Record<string, unknown>;
      const message = typeof e.message === 'string' ? e.message : undefined;
      const code = typeof e.status === 'string' ? e.status : typeof e.code === 'string' ? e.code : undefined;
      if (message) return { message: message.trim(), code };
    } catch {
      // not JSON after all: fall through
    }
  }
  const line = t.split('\n')[0];
  return { message: line.length > 300 ? `${line.slice(0, 300)}...` : line };
}

/** What a person can do about a failure of this status or code. */
export function adviceFor(status: number | undefined, code: string | undefined, operation: string): string {
  const c = code ?? '';
  if (status === 401 || /Unauthenticated|UNAUTHENTICATED|ExpiredToken|InvalidClientTokenId/.test(c))
    return 'the credentials were refused: renew the cloud login of the workflow (OIDC) and run the phase again';
  if (status === 403 || /AccessDenied|AuthorizationFailed|PERMISSION_DENIED|Forbidden/.test(c))
    return `grant the identity the pipeline runs as the permission for ${operation}, then run the phase again`;
  if (status === 404 || /NotFound|NOT_FOUND|NoSuch/.test(c))
    return 'check the resource name in the plan and that the resource exists, then run the phase again';
  if (status === 429 || (code !== undefined && THROTTLE_CODES.has(code)))
    return 'the service is throttling: it was retried with backoff until the deadline; run the phase again later or raise the quota';
  if (status !== undefined && status >= 500)
    return "the service is failing: it was retried until the deadline; check the cloud's status page and run the phase again";
  if (status === undefined)
    return 'no answer came back: check that the endpoint is reachable from the runner, or whether the region is down';
  return 'check the request against the plan and the resource state, then run the phase again';
}

/**
 * Wrap whatever an SDK threw into a ProviderError that keeps its status, code and Retry-After, and
 * whose message is one sentence: the service, the operation, the resource (when given), the status
 * and code, what the service said, and what to do.
 * Works with AWS SDK v3 ($metadata, $response), Azure RestError (statusCode, response.headers),
 * google-gax / gaxios errors (code, response.status, response.headers) and Kubernetes ApiException (code, headers).
 */
export function wrapSdkError(
  service: string,
  operation: string,
  err: unknown,
  resource?: string,
): ProviderError {
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
  const said = serviceMessage(messageOf(err));
  // a numeric code equal to the status says nothing more; a service status name does
  const shownCode =
    said.code ??
    (code !== undefined && code !== String(status) && !/^(Error|TypeError)$/.test(code) ? code : undefined);
  const what =
    status !== undefined
      ? `${status}${shownCode ? ` ${shownCode}` : ''}`
      : `no answer (${net ?? shownCode ?? 'network error'})`;
  const name = SERVICE_NAMES[service] ?? service;
  const message = `${name} ${operation}${resource ? ` of ${resource}` : ''} failed with ${what}: ${said.message.replace(/[.\s]+$/, '')}; ${adviceFor(status, said.code ?? code, operation)}.`;
  return new ProviderError({
    service,
    operation,
    status,
    code: code ?? net,
    retryAfterMs,
    message,
    cause: err,
  });
}
