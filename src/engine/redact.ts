/**
 * One redaction for every text the product writes: the CLI's stdout and stderr, the action's log,
 * outputs and job summary, the journal (and so the report built from it), the drill's files.
 *
 * Two layers:
 * - **known secrets**: every value registered with {@link registerSecret} (the environment
 *   variables that hold credentials, the plan's channel and app secrets, tokens minted for a
 *   cluster) is replaced by `***` wherever it appears. An action also hands each one to
 *   `core.setSecret` ({@link onSecret}), so the runner masks it in the log as well.
 * - **shapes of secrets**: what an SDK error may echo of a request although we never saw the value
 *   itself (a token minted inside an SDK, a service that reflects the request in its error):
 *   `Authorization` headers, credentials in a URL, signed or keyed query parameters, Slack tokens,
 *   incoming-webhook paths, EKS tokens and JWTs.
 *
 * This module is imported by the action's light half: it must stay free of heavy imports.
 */

/** The mask written in place of a secret. */
export const MASK = '***';

/**
 * Environment variables that hold a secret whatever the plan says: cloud credentials and tokens,
 * the GitHub tokens of a runner, and the default secret variables of the notification channels.
 */
export const SECRET_ENV: readonly string[] = [
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_WEB_IDENTITY_TOKEN',
  'AZURE_CLIENT_SECRET',
  'AZURE_CLIENT_CERTIFICATE_PASSWORD',
  'AZURE_FEDERATED_TOKEN',
  'ARM_CLIENT_SECRET',
  'ARM_OIDC_TOKEN',
  'GOOGLE_OAUTH_ACCESS_TOKEN',
  'CLOUDSDK_AUTH_ACCESS_TOKEN',
  'KUBE_TOKEN',
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
  'ACTIONS_RUNTIME_TOKEN',
  'SLACK_BOT_TOKEN',
  'TEAMS_WEBHOOK_URL',
  'PAGERDUTY_ROUTING_KEY',
];

/** A value shorter than this is not treated as a secret (masking "1" would garble every text). */
export const MIN_SECRET_LENGTH = 6;

const secrets = new Set<string>();
let ordered: string[] = [];
const listeners: ((value: string) => void)[] = [];

/**
 * Remember `value` as a secret: every later {@link redact} masks it, and every {@link onSecret}
 * listener (the action's `core.setSecret`) is told once. Blank and very short values are ignored.
 */
export function registerSecret(value: string | undefined | null): void {
  const v = (value ?? '').trim();
  if (v.length < MIN_SECRET_LENGTH || secrets.has(v)) return;
  // a URL-encoded form is what a query string or a form body carries
  for (const form of new Set([v, encodeURIComponent(v)])) {
    if (secrets.has(form)) continue;
    secrets.add(form);
    for (const l of listeners) l(form);
  }
  // longest first, so a secret that contains another is masked whole
  ordered = [...secrets].sort((a, b) => b.length - a.length);
}

/** Register the values of environment variables (absent or empty ones are skipped). */
export function registerEnvSecrets(
  names: readonly string[] = SECRET_ENV,
  env: NodeJS.ProcessEnv = process.env,
): void {
  for (const n of names) registerSecret(env[n]);
}

/** Call `fn` for every secret registered so far and every later one (an action: core.setSecret). */
export function onSecret(fn: (value: string) => void): () => void {
  for (const s of secrets) fn(s);
  listeners.push(fn);
  return () => {
    const i = listeners.indexOf(fn);
    if (i >= 0) listeners.splice(i, 1);
  };
}

/** Forget every registered secret and listener (tests). */
export function resetSecrets(): void {
  secrets.clear();
  ordered = [];
  listeners.length = 0;
}

/** Query parameters that carry a credential (SAS and Logic Apps `sig`, SigV4 presigned URLs, OAuth). */
const SECRET_PARAMS =
  /([?&](?:sig|signature|token|access_token|id_token|code|key|api[-_]?key|secret|password|client_secret|routing_key|X-Amz-Signature|X-Amz-Security-Token|X-Amz-Credential)=)[^&#\s"'<>]+/gi;

/** Shapes of secrets an SDK error may echo of a request, each with its replacement. */
const SHAPES: [RegExp, string][] = [
  // Authorization / Proxy-Authorization headers, as raw HTTP, JSON or an inspected object
  [
    /((?:proxy-)?authorization["']?\s*[:=]\s*["']?)(?:(?:bearer|basic|token|aws4-hmac-sha256|sharedkey)\s+)?[^"'\r\n}]+/gi,
    `$1${MASK}`,
  ],
  [/(x-api-key["']?\s*[:=]\s*["']?)[^"'\r\n,}]+/gi, `$1${MASK}`],
  [/(x-amz-security-token["']?\s*[:=]\s*["']?)[^"'\r\n,}]+/gi, `$1${MASK}`],
  // credentials in a URL: scheme://user:password@host
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s:@"'<>]+:[^/\s@"'<>]+@/gi, `$1${MASK}@`],
  [SECRET_PARAMS, `$1${MASK}`],
  // Slack tokens (bot, user, app, refresh, configuration)
  [/\bxox[abeoprst]-[A-Za-z0-9-]{6,}/g, MASK],
  [/\bxapp-[A-Za-z0-9-]{6,}/g, MASK],
  // incoming-webhook URLs, whose path is the secret (Slack, Teams/Office 365, Power Automate)
  [/(hooks\.slack\.com\/(?:services|workflows|triggers)\/)[^\s"'<>]+/gi, `$1${MASK}`],
  [/(\.webhook\.office\.com\/webhookb2\/)[^\s"'<>]+/gi, `$1${MASK}`],
  // an EKS token is a presigned STS URL in base64url
  [/\bk8s-aws-v1\.[A-Za-z0-9_-]{8,}/g, `k8s-aws-v1.${MASK}`],
  // a JWT (OIDC ID tokens, Entra and Google access tokens in that form)
  [/\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+/g, MASK],
  // GitHub tokens
  [/\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g, MASK],
];

/** `text` with every registered secret and every shape of a secret replaced by `***`. */
export function redact(text: string): string {
  if (!text) return text;
  let out = text;
  for (const s of ordered) if (out.includes(s)) out = out.split(s).join(MASK);
  for (const [re, by] of SHAPES) out = out.replace(re, by);
  return out;
}

/**
 * A copy of `value` with every string in it redacted (journal records, outputs, JSON results);
 * keys are kept. Values that are not plain data (functions, class instances) are left as they are.
 */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = redactDeep(v);
    return out as T;
  }
  return value;
}
