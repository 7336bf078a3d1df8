export const id = 747;
export const ids = [747];
export const modules = {

/***/ 17679:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   L8: () => (/* binding */ classify),
/* harmony export */   Nt: () => (/* binding */ wrapSdkError),
/* harmony export */   bD: () => (/* binding */ messageOf),
/* harmony export */   j3: () => (/* binding */ DeadlineError),
/* harmony export */   mZ: () => (/* binding */ ProviderError),
/* harmony export */   yo: () => (/* binding */ UserError)
/* harmony export */ });
/* unused harmony export parseRetryAfter */
/**
 * Errors the engine understands. Provider adapters wrap what their SDK throws in a ProviderError
 * (see `wrapSdkError` below), so the engine can tell throttling and transient failures (retried
 * with backoff, honouring Retry-After) from permanent ones (fail at once with a clear sentence).
 */
/** A user's mistake or a refused unsafe move: one clear sentence, never a stack trace. */
class UserError extends Error {
    constructor(message) {
        super(message);
        this.name = 'UserError';
    }
}
/** A step's deadline passed before the wanted state was reached. */
class DeadlineError extends Error {
    constructor(message) {
        super(message);
        this.name = 'DeadlineError';
    }
}
class ProviderError extends Error {
    service;
    operation;
    status;
    code;
    retryAfterMs;
    constructor(init) {
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
function field(err, key) {
    return err && typeof err === 'object' ? err[key] : undefined;
}
/** Find a network error code anywhere in the cause chain. */
function networkCode(err, depth = 0) {
    if (!err || typeof err !== 'object' || depth > 5)
        return undefined;
    const code = field(err, 'code');
    if (typeof code === 'string' && NETWORK_CODES.has(code))
        return code;
    const name = field(err, 'name');
    if (typeof name === 'string' && NETWORK_CODES.has(name))
        return name;
    const msg = field(err, 'message');
    if (typeof msg === 'string' && /socket hang up|ECONNRESET|ETIMEDOUT|ECONNREFUSED|other side closed|timed? ?out/i.test(msg)) {
        return 'ECONNRESET';
    }
    return networkCode(field(err, 'cause'), depth + 1);
}
/** Parse a Retry-After header value (seconds or HTTP date) into ms. */
function parseRetryAfter(value, now = Date.now()) {
    if (value === undefined || value === null || value === '')
        return undefined;
    const s = String(value).trim();
    if (/^[0-9]+(\.[0-9]+)?$/.test(s))
        return Math.round(Number(s) * 1000);
    const t = Date.parse(s);
    return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}
/** Decide whether an error is worth retrying. */
function classify(err) {
    if (err instanceof UserError || err instanceof DeadlineError)
        return { kind: 'permanent', reason: err.message };
    const status = (field(err, 'status') ??
        field(err, 'statusCode') ??
        field(err, '$metadata')?.httpStatusCode);
    const rawCode = field(err, 'code') ?? field(err, 'Code') ?? field(err, 'name');
    const code = typeof rawCode === 'string' ? rawCode : typeof rawCode === 'number' ? String(rawCode) : undefined;
    const retryAfterMs = field(err, 'retryAfterMs') ?? undefined;
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
function messageOf(err) {
    if (err instanceof Error)
        return err.message;
    return typeof err === 'string' ? err : JSON.stringify(err);
}
/**
 * Wrap whatever an SDK threw into a ProviderError that keeps its status, code and Retry-After.
 * Works with AWS SDK v3 ($metadata, $response), Azure RestError (statusCode, response.headers),
 * google-gax / gaxios errors (code, response.status, response.headers) and Kubernetes ApiException (code, headers).
 */
function wrapSdkError(service, operation, err) {
    if (err instanceof ProviderError)
        return err;
    const meta = field(err, '$metadata');
    const response = (field(err, '$response') ?? field(err, 'response'));
    const headersRaw = (response?.headers ?? field(err, 'headers'));
    const header = (name) => {
        if (!headersRaw)
            return undefined;
        if (typeof headersRaw.get === 'function')
            return headersRaw.get(name);
        const h = headersRaw;
        return h[name] ?? h[name.toLowerCase()];
    };
    let status = meta?.httpStatusCode ??
        field(err, 'statusCode') ??
        (typeof response?.status === 'number' ? response.status : undefined) ??
        (typeof response?.statusCode === 'number' ? response.statusCode : undefined);
    const rawCode = field(err, 'name') !== 'Error' ? (field(err, 'Code') ?? field(err, 'code') ?? field(err, 'name')) : field(err, 'code');
    let code = rawCode === undefined ? undefined : String(rawCode);
    // Kubernetes ApiException puts the HTTP status in `code`
    if (status === undefined && typeof field(err, 'code') === 'number' && field(err, 'code') >= 100) {
        status = field(err, 'code');
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


/***/ }),

/***/ 95545:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   CQ: () => (/* binding */ Journal),
/* harmony export */   Tc: () => (/* binding */ verifyJournal)
/* harmony export */ });
/* unused harmony exports GENESIS, canonical, hashRecord, readJournal, verifyRecords */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/**
 * The journal: one JSON line per step, each carrying the SHA-256 of the previous record, so an
 * edited, reordered or truncated-in-the-middle journal is detected by `verifyJournal`. Records are
 * appended (and flushed) as steps finish, so a crash leaves a valid journal to resume from.
 */



const GENESIS = '0'.repeat(64);
/** Canonical JSON: keys sorted at every level, so a hash does not depend on key order. */
function canonical(value) {
    if (value === null || typeof value !== 'object')
        return JSON.stringify(value) ?? 'null';
    if (Array.isArray(value))
        return `[${value.map(canonical).join(',')}]`;
    const obj = value;
    return `{${Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`)
        .join(',')}}`;
}
function hashRecord(rec) {
    return (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(canonical(rec)).digest('hex');
}
class Journal {
    opts;
    records = [];
    runId;
    file;
    prev = GENESIS;
    seq = 0;
    listeners = [];
    constructor(opts = {}) {
        this.opts = opts;
        this.runId = opts.runId ?? (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomUUID)();
        this.file = opts.file ? node_path__WEBPACK_IMPORTED_MODULE_2___default().resolve(opts.file) : undefined;
        if (this.file && node_fs__WEBPACK_IMPORTED_MODULE_1___default().existsSync(this.file)) {
            const existing = readJournal(this.file);
            const check = verifyRecords(existing);
            if (!check.ok) {
                throw new Error(`journal ${this.file} fails verification at record ${check.badSeq}: ${check.reason}; keep it as evidence and start a new journal file.`);
            }
            this.records.push(...existing);
            const last = existing.at(-1);
            if (last) {
                this.prev = last.hash;
                this.seq = last.seq;
            }
        }
        else if (this.file) {
            node_fs__WEBPACK_IMPORTED_MODULE_1___default().mkdirSync(node_path__WEBPACK_IMPORTED_MODULE_2___default().dirname(this.file), { recursive: true });
        }
    }
    onRecord(fn) {
        this.listeners.push(fn);
    }
    append(entry) {
        const body = {
            ...entry,
            seq: ++this.seq,
            runId: this.runId,
            actor: this.opts.actor,
            runUrl: this.opts.runUrl,
            prev: this.prev,
        };
        const rec = { ...body, hash: hashRecord(body) };
        this.prev = rec.hash;
        this.records.push(rec);
        if (this.file)
            node_fs__WEBPACK_IMPORTED_MODULE_1___default().appendFileSync(this.file, JSON.stringify(rec) + '\n');
        for (const l of this.listeners)
            l(rec);
        return rec;
    }
    /** Records of this run only (a resumed journal also holds earlier runs). */
    thisRun() {
        return this.records.filter((r) => r.runId === this.runId);
    }
}
function readJournal(file) {
    const text = node_fs__WEBPACK_IMPORTED_MODULE_1___default().readFileSync(file, 'utf8');
    const out = [];
    text.split('\n').forEach((line, i) => {
        if (!line.trim())
            return;
        try {
            out.push(JSON.parse(line));
        }
        catch {
            throw new Error(`journal ${file} line ${i + 1} is not valid JSON: the file was edited or truncated.`);
        }
    });
    return out;
}
function verifyRecords(records) {
    let prev = GENESIS;
    const runs = new Set();
    for (let i = 0; i < records.length; i++) {
        const r = records[i];
        runs.add(r.runId);
        if (r.seq !== i + 1)
            return { ok: false, count: records.length, badSeq: i + 1, reason: `sequence is ${r.seq}, expected ${i + 1} (a record was removed or reordered)`, runs: [...runs] };
        if (r.prev !== prev)
            return { ok: false, count: records.length, badSeq: r.seq, reason: 'its prev hash does not match the record before it', runs: [...runs] };
        const { hash, ...body } = r;
        if (hashRecord(body) !== hash)
            return { ok: false, count: records.length, badSeq: r.seq, reason: 'its content does not match its hash (the record was edited)', runs: [...runs] };
        prev = hash;
    }
    return { ok: true, count: records.length, runs: [...runs] };
}
function verifyJournal(file) {
    return verifyRecords(readJournal(file));
}


/***/ }),

/***/ 73344:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   bD: () => (/* binding */ withRetry),
/* harmony export */   vI: () => (/* binding */ DEFAULT_RETRY),
/* harmony export */   yy: () => (/* binding */ sleep)
/* harmony export */ });
/* unused harmony export backoffDelay */
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(17679);
/**
 * Retries with capped exponential backoff and full jitter, honouring Retry-After. Only
 * throttling and transient failures are retried; a permanent error is rethrown at once.
 */

const DEFAULT_RETRY = { maxAttempts: 8, baseMs: 200, capMs: 20_000 };
const sleep = (ms, signal) => new Promise((resolve, reject) => {
    if (signal?.aborted)
        return reject(signal.reason);
    const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
    }, ms);
    const onAbort = () => {
        clearTimeout(t);
        reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
});
/** The delay before retry number `attempt` (1 = first retry). */
function backoffDelay(attempt, policy, random = Math.random, retryAfterMs) {
    const exp = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
    const jittered = exp / 2 + random() * (exp / 2);
    return Math.round(retryAfterMs !== undefined ? Math.max(retryAfterMs, jittered) : jittered);
}
async function withRetry(fn, policy = DEFAULT_RETRY, hooks = {}) {
    const doSleep = hooks.sleep ?? sleep;
    for (let attempt = 1;; attempt++) {
        try {
            return { value: await fn(attempt), attempts: attempt };
        }
        catch (err) {
            const c = (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .classify */ .L8)(err);
            if (c.kind === 'permanent' || attempt >= policy.maxAttempts) {
                if (err && typeof err === 'object')
                    err.attempts = attempt;
                throw err;
            }
            const delayMs = backoffDelay(attempt, policy, hooks.random, c.retryAfterMs);
            if (policy.deadline !== undefined && Date.now() + delayMs > policy.deadline) {
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .DeadlineError */ .j3(`gave up after ${attempt} attempt(s): the deadline would pass before the next retry (last error: ${c.reason}).`);
            }
            hooks.onRetry?.({ attempt, delayMs, classification: c, error: err });
            await doSleep(delayMs, hooks.signal);
        }
    }
}


/***/ }),

/***/ 40614:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   _V: () => (/* binding */ formatMs),
/* harmony export */   an: () => (/* binding */ StepFailed),
/* harmony export */   eg: () => (/* binding */ runStep),
/* harmony export */   g3: () => (/* binding */ pollUntil),
/* harmony export */   q6: () => (/* binding */ createContext)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(17679);
/* harmony import */ var _retry_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(73344);
/**
 * The step engine. A step observes live state, acts only when the state is not yet what it
 * wants, then awaits the wanted state under a deadline, polling at an interval that adapts to how
 * long the operation has taken so far. Dry-run turns every act into a "would do" record. Every
 * step appends one journal record, whatever its outcome.
 */


function createContext(journal, opts = {}) {
    return {
        dryRun: opts.dryRun ?? false,
        journal,
        retry: opts.retry ?? _retry_js__WEBPACK_IMPORTED_MODULE_1__/* .DEFAULT_RETRY */ .vI,
        poll: opts.poll ?? { minMs: 25, maxMs: 15_000, fraction: 0.08 },
        sleep: opts.sleep ?? _retry_js__WEBPACK_IMPORTED_MODULE_1__/* .sleep */ .yy,
        signal: opts.signal,
        progress: opts.progress ?? (() => undefined),
        force: opts.force,
    };
}
class StepFailed extends Error {
    record;
    constructor(message, record, cause) {
        super(message, { cause });
        this.record = record;
        this.name = 'StepFailed';
    }
}
/** Wait until `check` returns a value, polling adaptively; DeadlineError after `deadlineMs`. */
async function pollUntil(ctx, what, check, deadlineMs, minPollMs = ctx.poll.minMs) {
    const start = Date.now();
    for (;;) {
        const v = await check();
        if (v !== undefined)
            return v;
        const elapsed = Date.now() - start;
        if (elapsed >= deadlineMs) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .DeadlineError */ .j3(`${what} did not happen within ${formatMs(deadlineMs)}.`);
        }
        const interval = Math.max(minPollMs, Math.min(ctx.poll.maxMs, elapsed * ctx.poll.fraction));
        await ctx.sleep(Math.min(interval, Math.max(1, deadlineMs - elapsed)), ctx.signal);
    }
}
function formatMs(ms) {
    if (ms < 1000)
        return `${Math.round(ms)} ms`;
    if (ms < 120_000)
        return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
    return `${Math.round(ms / 60_000)} min`;
}
async function runStep(ctx, spec) {
    const started = Date.now();
    let attempts = 0;
    const where = { phase: spec.phase, step: spec.step, stack: spec.stack };
    ctx.progress({ type: 'step-start', ...where, target: spec.target });
    const retrying = async (fn, deadline) => {
        const r = await (0,_retry_js__WEBPACK_IMPORTED_MODULE_1__/* .withRetry */ .bD)(fn, { ...ctx.retry, ...spec.retry, deadline }, {
            sleep: ctx.sleep,
            signal: ctx.signal,
            onRetry: (e) => ctx.progress({ type: 'retry', ...where, attempt: e.attempt, delayMs: e.delayMs, reason: e.classification.reason }),
        });
        attempts += r.attempts;
        return r.value;
    };
    const summarise = (s) => (s === undefined ? undefined : spec.summarise ? spec.summarise(s) : s);
    const finish = (outcome, before, after, action, error) => {
        const ended = Date.now();
        const record = ctx.journal.append({
            ...where,
            target: spec.target,
            outcome,
            action,
            before: summarise(before),
            after: summarise(after),
            startedAt: new Date(started).toISOString(),
            endedAt: new Date(ended).toISOString(),
            durationMs: ended - started,
            attempts,
            error,
            dryRun: ctx.dryRun,
            data: before !== undefined || overridden
                ? {
                    ...(before !== undefined ? spec.data?.(before, after) : undefined),
                    ...(overridden && ctx.force
                        ? { forcedBy: ctx.force.by, forceReason: ctx.force.reason, overrodeRefusal: overridden }
                        : undefined),
                }
                : undefined,
        });
        ctx.progress({ type: 'step-end', record });
        return record;
    };
    const deadline = started + spec.deadlineMs;
    let before;
    let overridden;
    try {
        before = await retrying(() => spec.observe(), deadline);
        if (spec.satisfied(before)) {
            const record = finish('skipped', before, before, 'already in the wanted state');
            return { outcome: 'skipped', before, after: before, record };
        }
        const action = typeof spec.action === 'function' ? spec.action(before) : spec.action;
        const underway = spec.inProgress?.(before) ?? false;
        if (!underway) {
            const refusal = spec.refuse?.(before);
            if (refusal && !ctx.force) {
                const record = finish('refused', before, undefined, action, refusal);
                throw new StepFailed(refusal, record);
            }
            overridden = refusal;
            if (ctx.dryRun) {
                const record = finish('would-do', before, undefined, action);
                return { outcome: 'would-do', before, record };
            }
            if (spec.act) {
                const act = spec.act.bind(spec);
                await retrying(async () => {
                    try {
                        return await act(before);
                    }
                    catch (err) {
                        // The call may have landed before the failure: re-observe before any retry.
                        if ((0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .classify */ .L8)(err).kind !== 'permanent') {
                            const now = await spec.observe().catch(() => undefined);
                            if (now !== undefined && (spec.satisfied(now) || spec.inProgress?.(now)))
                                return undefined;
                        }
                        throw err;
                    }
                }, deadline);
            }
        }
        else if (ctx.dryRun) {
            const record = finish('would-do', before, undefined, `wait: ${action} is already under way`);
            return { outcome: 'would-do', before, record };
        }
        const remaining = Math.max(0, deadline - Date.now());
        const after = spec.wait
            ? await spec.wait(before)
            : await pollUntil(ctx, `${spec.target}: ${action}`, async () => {
                const s = await retrying(() => spec.observe(), deadline + 1);
                return spec.satisfied(s) ? s : undefined;
            }, remaining, spec.minPollMs);
        const record = finish('done', before, after, underway ? `waited for ${action} (already under way)` : action);
        return { outcome: 'done', before, after, record };
    }
    catch (err) {
        if (err instanceof StepFailed)
            throw err;
        const msg = err instanceof _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .DeadlineError */ .j3 || err instanceof _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .yo ? err.message : (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .messageOf */ .bD)(err);
        const record = finish('failed', before, undefined, typeof spec.action === 'string' ? spec.action : undefined, msg);
        throw new StepFailed(`${spec.phase}/${spec.step} on ${spec.target} failed: ${msg}`, record, err);
    }
}


/***/ }),

/***/ 32379:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Cf: () => (/* binding */ otherSite),
/* harmony export */   Qc: () => (/* binding */ dnsServerOf),
/* harmony export */   R0: () => (/* binding */ isUnreachable),
/* harmony export */   Tl: () => (/* binding */ appRequest),
/* harmony export */   WI: () => (/* binding */ INCIDENT_CLASSES),
/* harmony export */   Zm: () => (/* binding */ incidentClass),
/* harmony export */   dy: () => (/* binding */ probe),
/* harmony export */   hX: () => (/* binding */ siteUrl),
/* harmony export */   j4: () => (/* binding */ targetSite),
/* harmony export */   kc: () => (/* binding */ errorText),
/* harmony export */   lB: () => (/* binding */ observe),
/* harmony export */   lP: () => (/* binding */ DRAIN_ANNOTATION),
/* harmony export */   nM: () => (/* binding */ row),
/* harmony export */   o: () => (/* binding */ deploymentsOf),
/* harmony export */   rl: () => (/* binding */ perStackOutput),
/* harmony export */   tz: () => (/* binding */ replicasFor),
/* harmony export */   we: () => (/* binding */ joinUrl),
/* harmony export */   wi: () => (/* binding */ sampleFor),
/* harmony export */   x6: () => (/* binding */ publicUrl),
/* harmony export */   zq: () => (/* binding */ forEachStack)
/* harmony export */ });
/* unused harmony export PROBE_RETRY */
/* harmony import */ var _engine_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(17679);
/* harmony import */ var _engine_retry_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(73344);
/* harmony import */ var _engine_step_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(40614);
/**
 * Helpers shared by the phases: per-stack parallelism, the incident class and target inputs,
 * reading the application's HTTP endpoints, and recording observations in the journal.
 */



const INCIDENT_CLASSES = [
    'region-outage',
    'database-corruption',
    'network-partition',
    'compute-failure',
];
const DRAIN_ANNOTATION = 'aegis.io/drain';
/** Run `fn` for every stack of the run at the same time; a failed stack becomes a fail row. */
async function forEachStack(ctx, fn) {
    const results = await Promise.all(ctx.stacks.map(async (stack) => {
        try {
            return await fn(stack);
        }
        catch (err) {
            return [{ stack, item: 'error', status: 'fail', detail: errorText(err) }];
        }
    }));
    const rows = results.flat();
    return { ok: rows.every((r) => r.status !== 'fail'), rows };
}
function errorText(err) {
    if (err instanceof _engine_step_js__WEBPACK_IMPORTED_MODULE_2__/* .StepFailed */ .an || err instanceof _engine_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .yo)
        return err.message;
    return (0,_engine_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .messageOf */ .bD)(err);
}
function incidentClass(ctx) {
    const name = (ctx.inputs['incident-class'] || 'region-outage');
    if (!INCIDENT_CLASSES.includes(name)) {
        throw new _engine_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .yo(`input incident-class is "${name}": expected one of ${INCIDENT_CLASSES.join(', ')}.`);
    }
    return ctx.plan.classes[name];
}
/** The site a phase moves toward: "dr" for a failover (default), "primary" for a failback. */
function targetSite(ctx) {
    const t = ctx.inputs['target'] || 'dr';
    if (t !== 'dr' && t !== 'primary')
        throw new _engine_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .yo(`input target is "${t}": expected dr or primary.`);
    return t;
}
function otherSite(site) {
    return site === 'dr' ? 'primary' : 'dr';
}
function deploymentsOf(stack, site) {
    return stack[site].deployments.map((d) => d.name);
}
/** Replica counts a deployment should have when its site serves (active) or stands by. */
function replicasFor(plan, stack, site, deployment, role) {
    const d = stack[site].deployments.find((x) => x.name === deployment);
    const fromPlan = role === 'active' ? d?.active : d?.standby;
    return fromPlan ?? (role === 'active' ? plan.limits.replicas.production : plan.limits.replicas.standby);
}
/** The app URL of a site (its own, not through DNS). */
function siteUrl(plan, stack, site) {
    const url = stack[site].app.url ??
        (site === 'primary' ? plan.doc.application.primaryUrl : plan.doc.application.drUrl);
    if (!url) {
        throw new _engine_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .yo(`stacks.${site}.app.url is not set: the plan needs the ${site} site's application URL for this check.`);
    }
    return url;
}
/** The public API URL of a stack (through its traffic switch). */
function publicUrl(plan, stack) {
    return stack.publicUrl ?? plan.doc.application.url;
}
function joinUrl(base, path) {
    return base.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`);
}
/** GET/POST an application endpoint with a timeout; errors wrapped as service "app". */
async function appRequest(url, init = {}) {
    try {
        const res = await fetch(url, {
            method: init.method ?? 'GET',
            headers: {
                accept: 'application/json',
                ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
                ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
            },
            body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
            signal: AbortSignal.timeout(init.timeoutMs ?? 10_000),
        });
        const text = await res.text();
        let body = undefined;
        try {
            body = text ? JSON.parse(text) : undefined;
        }
        catch {
            body = undefined;
        }
        return { status: res.status, body, text };
    }
    catch (err) {
        throw (0,_engine_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .wrapSdkError */ .Nt)('app', `${init.method ?? 'GET'} ${url}`, err);
    }
}
/** True when an error means "could not reach it at all" (region down, partition). */
function isUnreachable(err) {
    const c = (0,_engine_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .classify */ .L8)(err instanceof _engine_step_js__WEBPACK_IMPORTED_MODULE_2__/* .StepFailed */ .an ? (err.cause ?? err) : err);
    return c.kind === 'transient' && /network|unavailable|server error \(50[23]/.test(c.reason);
}
function row(stack, item, status, detail) {
    return { stack, item, status, detail };
}
/** Record a fact in the journal (outcome "observed"): declarations, checks, measurements. */
function observe(ctx, phase, step, stack, target, data, extra = {}) {
    const t = new Date().toISOString();
    ctx.run.journal.append({
        phase,
        step,
        stack,
        target,
        outcome: 'observed',
        startedAt: t,
        endedAt: t,
        durationMs: 0,
        attempts: 1,
        dryRun: ctx.run.dryRun,
        data,
        ...extra,
    });
}
/** Retry policy for probes of something that may simply be down: fail fast, it is an answer too. */
const PROBE_RETRY = { maxAttempts: 3, baseMs: 100, capMs: 1000 };
/** Call with the probe retry policy (throttling and blips retried, a dead region reported quickly). */
async function probe(ctx, fn) {
    const r = await (0,_engine_retry_js__WEBPACK_IMPORTED_MODULE_1__/* .withRetry */ .bD)(fn, { ...ctx.run.retry, ...PROBE_RETRY }, { sleep: ctx.run.sleep, signal: ctx.run.signal });
    return r.value;
}
/**
 * An output listing one value per stack of the run, in plan order ("aws=1.5,gcp=0"), taken from
 * the newest of this run's journal records that `match` for each stack.
 */
function perStackOutput(ctx, match, value) {
    const recs = ctx.run.journal.thisRun().filter(match);
    return ctx.stacks
        .flatMap((s) => {
        const r = recs.filter((x) => x.stack === s).at(-1);
        return r ? [`${s}=${value(r)}`] : [];
    })
        .join(',');
}
function dnsServerOf(stack) {
    const s = stack.endpoints?.dns;
    if (!s)
        return undefined;
    const i = s.lastIndexOf(':');
    return { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
}
/** Pick the sample of a stack (label stack=, else the DR region's). */
function sampleFor(samples, stackName, stack) {
    return (samples.find((s) => s.labels.stack === stackName) ??
        samples.find((s) => s.labels.region === stack.dr.region) ??
        (samples.length === 1 ? samples[0] : undefined));
}


/***/ }),

/***/ 91567:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  M: () => (/* binding */ createEnvironment)
});

// EXTERNAL MODULE: ./src/engine/errors.ts
var errors = __webpack_require__(17679);
;// CONCATENATED MODULE: ./src/providers/prometheus.ts
/**
 * A minimal Prometheus HTTP API client: instant queries over `/api/v1/query`.
 *
 * Errors are wrapped with `wrapSdkError('prometheus', 'query', err)` keeping the HTTP status and
 * Retry-After, so the engine retries 429/5xx/network failures and fails at once on a bad query
 * (Prometheus answers 400 / 422 with `status: "error"`).
 */

/** Parse a Prometheus sample value ("1", "NaN", "+Inf"). */
function parseSampleValue(v) {
    if (v === '+Inf' || v === 'Inf')
        return Infinity;
    if (v === '-Inf')
        return -Infinity;
    return Number(v);
}
class PrometheusClient {
    opts;
    base;
    /** `url` is the server's base URL (http://prometheus:9090); a trailing slash is ignored. */
    constructor(url, opts = {}) {
        this.opts = opts;
        this.base = url.replace(/\/+$/, '');
    }
    /** A network failure as one sentence, with the low-level code (ECONNREFUSED, TimeoutError) kept. */
    networkError(err, expr) {
        const cause = err?.cause;
        const name = err?.name;
        const code = typeof cause?.code === 'string' ? cause.code : name === 'TimeoutError' || name === 'AbortError' ? String(name) : 'ECONNRESET';
        const detail = typeof cause?.message === 'string' ? cause.message : err instanceof Error ? err.message : String(err);
        return Object.assign(new Error(`Prometheus at ${this.base} did not answer the query ${JSON.stringify(expr)} (${code}: ${detail}); check that prometheus.url is reachable from this runner.`, { cause: err }), { code });
    }
    /**
     * Evaluate `expr` at `time` (now when omitted) and return the samples.
     * A range vector answer is refused with a clear error: ask for an instant vector.
     */
    async query(expr, time) {
        const params = new URLSearchParams({ query: expr });
        if (time !== undefined)
            params.set('time', String(time instanceof Date ? time.getTime() / 1000 : time));
        const url = `${this.base}/api/v1/query?${params.toString()}`;
        let res;
        let text;
        try {
            res = await fetch(url, {
                headers: { accept: 'application/json', ...this.opts.headers },
                signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10000),
            });
            text = await res.text();
        }
        catch (err) {
            throw (0,errors/* wrapSdkError */.Nt)('prometheus', 'query', this.networkError(err, expr));
        }
        let body;
        try {
            body = JSON.parse(text);
        }
        catch {
            body = undefined;
        }
        if (!res.ok || body?.status !== 'success') {
            const detail = body?.error
                ? `Prometheus rejected the query ${JSON.stringify(expr)} (${body.errorType ?? 'error'}): ${body.error}`
                : `Prometheus at ${this.base} answered HTTP ${res.status} to the query ${JSON.stringify(expr)} with ${body ? 'an unexpected answer' : 'a body that is not JSON'}: ${text.slice(0, 200)}`;
            const hint = res.status === 400 || res.status === 422 ? '; check the query in prometheus.queries of the plan' : res.ok ? '' : '; check that prometheus.url points at a Prometheus server';
            const err = Object.assign(new Error(detail + hint), {
                statusCode: res.status,
                code: body?.errorType,
                response: { status: res.status, headers: res.headers },
            });
            throw (0,errors/* wrapSdkError */.Nt)('prometheus', 'query', err);
        }
        const type = body.data?.resultType;
        const result = body.data?.result;
        if (type === 'vector' && Array.isArray(result)) {
            return result.map((r) => ({
                labels: r.metric ?? {},
                value: parseSampleValue(r.value?.[1]),
            }));
        }
        if (type === 'scalar' && Array.isArray(result)) {
            return [{ labels: {}, value: parseSampleValue(result[1]) }];
        }
        throw new errors/* ProviderError */.mZ({
            service: 'prometheus',
            operation: 'query',
            message: `prometheus query failed: the query ${JSON.stringify(expr)} returned a ${type ?? 'missing'} result, expected an instant vector or a scalar; remove any [range] at the end of the query.`,
        });
    }
}

;// CONCATENATED MODULE: ./src/phases/environment.ts


function createEnvironment(plan) {
    let prom;
    const providers = new Map();
    const clusters = new Map();
    return {
        providers(stackName) {
            let p = providers.get(stackName);
            if (!p) {
                p = loadProviders(plan, stackName);
                providers.set(stackName, p);
            }
            return p;
        },
        prometheus() {
            if (!plan.doc.prometheus) {
                throw new errors/* UserError */.yo(`the plan ${plan.file} has no prometheus section: add prometheus.url to evaluate triggers, replication lag and error rates.`);
            }
            prom ??= new PrometheusClient(plan.doc.prometheus.url);
            return prom;
        },
        cluster(stackName, site) {
            const key = `${stackName}/${site}`;
            let c = clusters.get(key);
            if (!c) {
                c = (async () => {
                    const { KubernetesCluster } = await Promise.all(/* import() */[__webpack_require__.e(830), __webpack_require__.e(943), __webpack_require__.e(621)]).then(__webpack_require__.bind(__webpack_require__, 51621));
                    const s = plan.stack(stackName)[site];
                    return new KubernetesCluster(s.kubernetes);
                })();
                clusters.set(key, c);
            }
            return c;
        },
    };
}
async function loadProviders(plan, stackName) {
    const stack = plan.stack(stackName);
    switch (stack.cloud) {
        case 'aws':
            return (await Promise.all(/* import() */[__webpack_require__.e(455), __webpack_require__.e(415)]).then(__webpack_require__.bind(__webpack_require__, 60415))).createAwsProviders(stack);
        case 'azure':
            return (await Promise.all(/* import() */[__webpack_require__.e(830), __webpack_require__.e(57), __webpack_require__.e(989), __webpack_require__.e(600)]).then(__webpack_require__.bind(__webpack_require__, 26600))).createAzureProviders(stack);
        case 'gcp':
            return (await Promise.all(/* import() */[__webpack_require__.e(830), __webpack_require__.e(57), __webpack_require__.e(370), __webpack_require__.e(70)]).then(__webpack_require__.bind(__webpack_require__, 66070))).createGcpProviders(stack);
    }
}


/***/ }),

/***/ 89164:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   AJ: () => (/* binding */ scalePhase),
/* harmony export */   Bb: () => (/* binding */ verifyPhase),
/* harmony export */   QM: () => (/* binding */ failbackStack),
/* harmony export */   R6: () => (/* binding */ trafficPhase),
/* harmony export */   Tb: () => (/* binding */ syncPhase),
/* harmony export */   c7: () => (/* binding */ drainPhase),
/* harmony export */   j0: () => (/* binding */ scaleStack),
/* harmony export */   k1: () => (/* binding */ declarePhase),
/* harmony export */   oG: () => (/* binding */ syncStack),
/* harmony export */   ti: () => (/* binding */ failbackPhase),
/* harmony export */   xP: () => (/* binding */ declareStack),
/* harmony export */   xb: () => (/* binding */ databasePhase)
/* harmony export */ });
/* unused harmony exports databaseMode, parseConflicts */
/* harmony import */ var _engine_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(17679);
/* harmony import */ var _plan_duration_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(72983);
/* harmony import */ var _common_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(32379);
/* harmony import */ var _verify_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(94119);
/* harmony import */ var _steps_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(14175);
/**
 * The failover and failback phases as actions: declare, drain, database, scale, traffic, verify,
 * sync and failback. Each works on every stack of the run at once and is safe to re-run.
 */





const CLASS_INPUT = {
    name: 'incident-class',
    description: 'region-outage, database-corruption, network-partition or compute-failure (selects phases, database mode, RTO/RPO).',
    default: 'region-outage',
};
const TARGET_INPUT = {
    name: 'target',
    description: 'The site to move to: dr (failover) or primary (failback).',
    default: 'dr',
};
function outputsOf(rows) {
    return {
        'failed-items': rows
            .filter((r) => r.status === 'fail')
            .map((r) => `${r.stack}/${r.item}`)
            .join(','),
    };
}
const FAILED_OUTPUT = { name: 'failed-items', description: 'Comma-separated stack/item names that failed.' };
const declarePhase = {
    name: 'declare',
    title: 'Declare failover',
    description: 'Opens the failover (incident class, reason, target), fences the primary by setting the drain annotation on its deployments, and starts the DR node pool growing at once.',
    inputs: [
        CLASS_INPUT,
        {
            name: 'reason',
            description: 'Why the failover is declared (journal, report, notifications).',
            default: '',
        },
    ],
    outputs: [
        { name: 'incident-class', description: 'The incident class declared.' },
        { name: 'rto', description: 'RTO target of the class, in seconds.' },
        { name: 'rpo', description: 'RPO target of the class, in seconds.' },
        FAILED_OUTPUT,
    ],
    async run(ctx) {
        const cls = (0,_common_js__WEBPACK_IMPORTED_MODULE_2__/* .incidentClass */ .Zm)(ctx);
        const reason = ctx.inputs['reason'] || 'not given';
        const { ok, rows } = await (0,_common_js__WEBPACK_IMPORTED_MODULE_2__/* .forEachStack */ .zq)(ctx, (name) => declareStack(ctx, name));
        return {
            ok,
            rows,
            outputs: {
                'incident-class': cls.name,
                rto: String(cls.rtoMs / 1000),
                rpo: String(cls.rpoMs / 1000),
                ...outputsOf(rows),
            },
            markdown: `Declared **${cls.name}** (RTO ${cls.rtoMs / 60000} min, RPO ${cls.rpoMs / 60000} min): ${reason}`,
        };
    },
};
async function declareStack(ctx, name) {
    const cls = (0,_common_js__WEBPACK_IMPORTED_MODULE_2__/* .incidentClass */ .Zm)(ctx);
    (0,_common_js__WEBPACK_IMPORTED_MODULE_2__/* .observe */ .lB)(ctx, 'declare', 'incident', name, name, {
        incidentClass: cls.name,
        reason: ctx.inputs['reason'] || 'not given',
        target: 'dr',
        rtoMs: cls.rtoMs,
        rpoMs: cls.rpoMs,
        phases: cls.phases,
    });
    const rows = [
        (0,_common_js__WEBPACK_IMPORTED_MODULE_2__/* .row */ .nM)(name, 'Incident', 'info', `${cls.name}: ${ctx.inputs['reason'] || 'no reason given'}`),
    ];
    const fenceNeeded = cls.phases.includes('database') || cls.phases.includes('traffic');
    const [fence, pool] = await Promise.all([
        fenceNeeded ? (0,_steps_js__WEBPACK_IMPORTED_MODULE_4__/* .setDrain */ .xZ)(ctx, 'declare', name, 'primary', true) : Promise.resolve([]),
        cls.phases.includes('scale')
            ? (0,_steps_js__WEBPACK_IMPORTED_MODULE_4__/* .sizePool */ .AQ)(ctx, 'declare', name, 'dr', 'active', false)
            : Promise.resolve([]),
    ]);
    return [...rows, ...fence, ...pool];
}
const drainPhase = {
    name: 'drain',
    title: 'Drain in-flight requests',
    description: 'Waits until active connections on every primary pod reach zero (read through the Kubernetes pod proxy, summed over pods) within the plan deadline.',
    inputs: [TARGET_INPUT],
    outputs: [FAILED_OUTPUT],
    async run(ctx) {
        const from = (0,_common_js__WEBPACK_IMPORTED_MODULE_2__/* .otherSite */ .Cf)((0,_common_js__WEBPACK_IMPORTED_MODULE_2__/* .targetSite */ .j4)(ctx));
        const { ok, rows } = await (0,_common_js__WEBPACK_IMPORTED_MODULE_2__/* .forEachStack */ .zq)(ctx, (name) => (0,_steps_js__WEBPACK_IMPORTED_MODULE_4__/* .drainSite */ .C3)(ctx, 'drain', name, from));
        return { ok, rows, outputs: outputsOf(rows) };
    },
};
function databaseMode(ctx) {
    const m = ctx.inputs['database-mode'];
    if (m) {
        if (!['in-region', 'cross-region', 'planned', 'forced'].includes(m)) {
            throw new _engine_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .yo(`input database-mode is "${m}": expected in-region, cross-region, planned or forced.`);
        }
        return m;
    }
    return (0,_common_js__WEBPACK_IMPORTED_MODULE_2__/* .incidentClass */ .Zm)(ctx).databaseMode;
}
const databasePhase = {
    name: 'database',
    title: 'Database failover',
    description: 'Fails the database over (RDS Multi-AZ or replica promotion, Azure SQL failover group, Cloud SQL HA or replica promotion) after reading the current primary; refuses while the old primary accepts writes; records the RPO.',
    inputs: [
        CLASS_INPUT,
        TARGET_INPUT,
        {
            name: 'database-mode',
            description: 'Override of the class mode: in-region, cross-region, planned or forced.',
            default: '',
        },
        {
            name: 'allow-data-loss',
            description: 'Allow an Azure forced failover (data loss) when the primary is unreachable.',
            default: 'false',
        },
        {
            name: 'reason',
            description: 'Why the database is failed over (recorded in the journal).',
            default: '',
        },
    ],
    outputs: [
        FAILED_OUTPUT,
        {
            name: 'rpo-seconds',
            description: 'Replication lag at promotion per stack, "stack=seconds" comma-separated.',
        },
    ],
    async run(ctx) {
        const target = (0,_common_js__WEBPACK_IMPORTED_MODULE_2__/* .targetSite */ .j4)(ctx);
        const mode = databaseMode(ctx);
        const { ok, rows } = await (0,_common_js__WEBPACK_IMPORTED_MODULE_2__/* .forEachStack */ .zq)(ctx, (name) => (0,_steps_js__WEBPACK_IMPORTED_MODULE_4__/* .failoverDatabase */ .Wb)(ctx, 'database', name, target, mode));
        const rpo = (0,_common_js__WEBPACK_IMPORTED_MODULE_2__/* .perStackOutput */ .rl)(ctx, (r) => r.phase === 'database' && r.step === 'failover' && r.data?.rpoSeconds !== undefined, (r) => r.data.rpoSeconds.toFixed(1));
        return { ok, rows, outputs: { ...outputsOf(rows), 'rpo-seconds': rpo } };
    },
};
async function scaleStack(ctx, phase, name, site) {
    const [pool, deps] = await Promise.all([
        (0,_steps_js__WEBPACK_IMPORTED_MODULE_4__/* .sizePool */ .AQ)(ctx, phase, name, site, 'active', true),
        (0,_steps_js__WEBPACK_IMPORTED_MODULE_4__/* .scaleDeployments */ .vk)(ctx, phase, name, site, 'active'),
    ]);
    return [...pool, ...deps];
}
const scalePhase = {
    name: 'scale',
    title: 'Scale the target cluster',
    description: 'Grows the target node pool (EKS nodegroup, AKS node pool, GKE node pool) and waits for the nodes to be Ready, then scales the deployments to production replicas and waits for the rollout.',
    inputs: [TARGET_INPUT],
    outputs: [FAILED_OUTPUT],
    async run(ctx) {
        const target = (0,_common_js__WEBPACK_IMPORTED_MODULE_2__/* .targetSite */ .j4)(ctx);
        const { ok, rows } = await (0,_common_js__WEBPACK_IMPORTED_MODULE_2__/* .forEachStack */ .zq)(ctx, (name) => scaleStack(ctx, 'scale', name, target));
        return { ok, rows, outputs: outputsOf(rows) };
    },
};
const trafficPhase = {
    name: 'traffic',
    title: 'Traffic switch',
    description: 'Moves traffic to the target (Route 53 UPSERT and primary health check, Traffic Manager endpoints, Cloud DNS record), waits for the change, and confirms through DNS queries.',
    inputs: [TARGET_INPUT],
    outputs: [FAILED_OUTPUT],
    async run(ctx) {
        const target = (0,_common_js__WEBPACK_IMPORTED_MODULE_2__/* .targetSite */ .j4)(ctx);
        const { ok, rows } = await (0,_common_js__WEBPACK_IMPORTED_MODULE_2__/* .forEachStack */ .zq)(ctx, (name) => (0,_steps_js__WEBPACK_IMPORTED_MODULE_4__/* .switchTraffic */ .gi)(ctx, 'traffic', name, target));
        return { ok, rows, outputs: outputsOf(rows) };
    },
};
const verifyPhase = {
    name: 'verify',
    title: 'Post-failover verification',
    description: 'Checks the serving site: API health and region, deployments available, 5xx rate under the threshold, data integrity Job, policy engine health, and an end-to-end scan.',
    inputs: [TARGET_INPUT],
    outputs: [{ name: 'passed', description: '"true" when every check passed.' }, FAILED_OUTPUT],
    async run(ctx) {
        const target = (0,_common_js__WEBPACK_IMPORTED_MODULE_2__/* .targetSite */ .j4)(ctx);
        const { ok, rows } = await (0,_common_js__WEBPACK_IMPORTED_MODULE_2__/* .forEachStack */ .zq)(ctx, (name) => (0,_verify_js__WEBPACK_IMPORTED_MODULE_3__/* .verifyRows */ .DT)(ctx, name, target));
        return { ok, rows, outputs: { passed: String(ok), ...outputsOf(rows) } };
    },
};
/** Parse "conflicts: N" (or JSON {"conflicts": N}) from the sync job's log. */
function parseConflicts(logs) {
    const m = /"?conflicts"?\s*[:=]\s*(\d+)/i.exec(logs);
    return m ? Number(m[1]) : undefined;
}
async function syncStack(ctx, name, mode) {
    const job = ctx.plan.doc.application.syncJob;
    const command = [...job.command, mode === 'execute' ? '--execute' : '--dry-run'];
    if (ctx.run.dryRun && mode === 'execute') {
        return [
            (0,_common_js__WEBPACK_IMPORTED_MODULE_2__/* .row */ .nM)(name, 'Data sync', 'would-do', `would run ${command.join(' ')} as a Job on the primary cluster`),
        ];
    }
    const r = await (0,_verify_js__WEBPACK_IMPORTED_MODULE_3__/* .runJob */ .b5)(ctx, name, 'primary', `sync-${mode}`, job.image, command);
    const conflicts = parseConflicts(r.logs);
    (0,_common_js__WEBPACK_IMPORTED_MODULE_2__/* .observe */ .lB)(ctx, 'sync', mode, name, `k8s:primary/job/${r.job}`, {
        succeeded: r.succeeded,
        conflicts,
        logTail: r.logs.slice(-500),
    });
    const ok = r.succeeded && conflicts === 0;
    return [
        (0,_common_js__WEBPACK_IMPORTED_MODULE_2__/* .row */ .nM)(name, `Data sync (${mode})`, ok ? 'pass' : 'fail', `job ${r.job} ${r.succeeded ? 'succeeded' : 'failed'}; conflicts: ${conflicts ?? 'not reported'}${ok ? '' : ' (failback stops unless the sync reports zero conflicts)'}`),
    ];
}
const syncPhase = {
    name: 'sync',
    title: 'Data sync from DR',
    description: 'Runs the data sync from DR to primary as a Kubernetes Job (./aegis dr sync-from-dr), in dry-run or execute mode, and fails unless it reports zero conflicts.',
    inputs: [{ name: 'mode', description: 'dry-run (report conflicts only) or execute.', default: 'dry-run' }],
    outputs: [
        { name: 'conflicts', description: 'Conflicts reported, per stack, "stack=N" comma-separated.' },
        FAILED_OUTPUT,
    ],
    async run(ctx) {
        const mode = ctx.inputs['mode'] || 'dry-run';
        if (mode !== 'dry-run' && mode !== 'execute')
            throw new _engine_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .yo(`input mode is "${mode}": expected dry-run or execute.`);
        const { ok, rows } = await (0,_common_js__WEBPACK_IMPORTED_MODULE_2__/* .forEachStack */ .zq)(ctx, (name) => syncStack(ctx, name, mode));
        const conflicts = (0,_common_js__WEBPACK_IMPORTED_MODULE_2__/* .perStackOutput */ .rl)(ctx, (r) => r.phase === 'sync', (r) => String(r.data?.conflicts ?? 'unknown'));
        return { ok, rows, outputs: { conflicts, ...outputsOf(rows) } };
    },
};
/** Was the primary healthy for the plan's duration? (Prometheus min_over_time of its health) */
async function primaryHealthyFor(ctx, name) {
    const stack = ctx.plan.stack(name);
    const wanted = ctx.inputs['confirm-healthy-for'];
    let ms = ctx.plan.limits.failbackHealthyForMs;
    if (wanted) {
        try {
            ms = (0,_plan_duration_js__WEBPACK_IMPORTED_MODULE_1__/* .parseDuration */ .E9)(wanted);
        }
        catch {
            throw new _engine_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .yo(`input confirm-healthy-for is "${wanted}": expected a duration such as 2h or 90m.`);
        }
    }
    const q = ctx.plan.doc.prometheus.queries.primaryHealthy.replace(/\[[0-9]+(ms|s|m|h)\]/g, `[${Math.round(ms / 1000)}s]`);
    const samples = await (0,_common_js__WEBPACK_IMPORTED_MODULE_2__/* .probe */ .dy)(ctx, () => ctx.env.prometheus().query(q));
    const s = samples.find((x) => (x.labels.stack ?? name) === name && (!x.labels.region || x.labels.region === stack.primary.region));
    const hours = +(ms / 3_600_000).toFixed(2);
    const ok = s !== undefined && s.value >= 1;
    return (0,_common_js__WEBPACK_IMPORTED_MODULE_2__/* .row */ .nM)(name, 'Primary healthy', ok ? 'pass' : 'fail', s ? `lowest primary health over ${hours} h: ${s.value}` : `no primary health series over ${hours} h`);
}
async function failbackStack(ctx, name) {
    const rows = [];
    const gate = await primaryHealthyFor(ctx, name);
    if (gate.status === 'fail' && ctx.inputs['skip-health-gate'] === 'true') {
        rows.push({ ...gate, status: 'warn', detail: `${gate.detail}; gate skipped (skip-health-gate)` });
    }
    else {
        rows.push(gate);
        if (gate.status === 'fail')
            return rows;
    }
    const synced = ctx.run.journal.records.some((r) => r.phase === 'sync' &&
        r.step === 'execute' &&
        r.stack === name &&
        r.data?.succeeded === true &&
        r.data?.conflicts === 0);
    if (!synced && ctx.plan.stack(name).database.type !== 'azure-sql') {
        rows.push((0,_common_js__WEBPACK_IMPORTED_MODULE_2__/* .row */ .nM)(name, 'Data sync', 'fail', 'no successful sync with zero conflicts in the journal: run sync with mode dry-run, then execute, before failback.'));
        return rows;
    }
    // 1. primary up to production capacity while DR still serves
    rows.push(...(await scaleStack(ctx, 'failback', name, 'primary')));
    // 2. fence DR, 3. database back to primary, 4. unfence primary
    rows.push(...(await (0,_steps_js__WEBPACK_IMPORTED_MODULE_4__/* .setDrain */ .xZ)(ctx, 'failback', name, 'dr', true)));
    rows.push(...(await (0,_steps_js__WEBPACK_IMPORTED_MODULE_4__/* .drainSite */ .C3)(ctx, 'failback', name, 'dr')));
    const stack = ctx.plan.stack(name);
    rows.push(...(await (0,_steps_js__WEBPACK_IMPORTED_MODULE_4__/* .failoverDatabase */ .Wb)(ctx, 'failback', name, 'primary', stack.database.type === 'azure-sql' ? 'planned' : 'cross-region')));
    rows.push(...(await (0,_steps_js__WEBPACK_IMPORTED_MODULE_4__/* .setDrain */ .xZ)(ctx, 'failback', name, 'primary', false)));
    // 5. traffic back, 6. verify region primary
    rows.push(...(await (0,_steps_js__WEBPACK_IMPORTED_MODULE_4__/* .switchTraffic */ .gi)(ctx, 'failback', name, 'primary')));
    rows.push(...(await (0,_verify_js__WEBPACK_IMPORTED_MODULE_3__/* .verifyRows */ .DT)(ctx, name, 'primary')));
    // 7. DR back to standby: replicas, node pool, and the fence lifted (its database is a replica again)
    const [deps, pool] = await Promise.all([
        (0,_steps_js__WEBPACK_IMPORTED_MODULE_4__/* .scaleDeployments */ .vk)(ctx, 'failback', name, 'dr', 'standby'),
        (0,_steps_js__WEBPACK_IMPORTED_MODULE_4__/* .sizePool */ .AQ)(ctx, 'failback', name, 'dr', 'standby', false),
    ]);
    rows.push(...deps, ...pool);
    rows.push(...(await (0,_steps_js__WEBPACK_IMPORTED_MODULE_4__/* .setDrain */ .xZ)(ctx, 'failback', name, 'dr', false)));
    return rows;
}
const failbackPhase = {
    name: 'failback',
    title: 'Failback to primary',
    description: `Gated on the primary being healthy for the plan's duration and on a zero-conflict data sync: scales the primary up, fences DR, returns the database and traffic to primary, verifies region primary, and returns DR to standby (${_common_js__WEBPACK_IMPORTED_MODULE_2__/* .DRAIN_ANNOTATION */ .lP} lifted).`,
    inputs: [
        {
            name: 'confirm-healthy-for',
            description: "How long the primary must have been healthy (e.g. 2h); default: the plan's thresholds.failbackHealthyFor.",
            default: '',
        },
        {
            name: 'skip-health-gate',
            description: 'Fail back even if the primary has not been healthy for the whole duration (drills only).',
            default: 'false',
        },
    ],
    outputs: [{ name: 'passed', description: '"true" when failback completed and verified.' }, FAILED_OUTPUT],
    async run(ctx) {
        const { ok, rows } = await (0,_common_js__WEBPACK_IMPORTED_MODULE_2__/* .forEachStack */ .zq)(ctx, (name) => failbackStack(ctx, name));
        return { ok, rows, outputs: { passed: String(ok), ...outputsOf(rows) } };
    },
};


/***/ }),

/***/ 76264:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   C: () => (/* binding */ readinessRows),
/* harmony export */   m: () => (/* binding */ readinessPhase)
/* harmony export */ });
/* harmony import */ var _providers_dns_resolver_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3666);
/* harmony import */ var _common_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(32379);
/**
 * `readiness`: the runbook's six pre-failover checks, for every stack at once.
 *   1. DR nodes Ready and DR pods running          4. DNS TTL at the zone's authoritative servers
 *   2. replication lag (Prometheus) and health     5. DR configmap equal to the primary's
 *      by the cloud's own status                   6. DR health endpoint answers 200
 *   3. last backup age
 * A check that needs the primary region reports "primary unreachable" (warn) instead of blocking
 * when that region does not answer: during a region outage that is the expected state.
 */


const drCluster = async (ctx, name, stack) => {
    const cluster = await ctx.env.cluster(name, 'dr');
    const nodes = await (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .probe */ .dy)(ctx, () => cluster.nodes());
    const notReady = nodes.filter((n) => !n.ready).map((n) => n.name);
    const deps = await Promise.all((0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .deploymentsOf */ .o)(stack, 'dr').map((d) => (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .probe */ .dy)(ctx, () => cluster.deployment(d))));
    const missing = (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .deploymentsOf */ .o)(stack, 'dr').filter((_, i) => !deps[i]);
    const notRunning = deps
        .filter((d) => d && d.readyReplicas < Math.max(1, d.replicas))
        .map((d) => `${d.name} ${d.readyReplicas}/${d.replicas}`);
    const ok = nodes.length > 0 && notReady.length === 0 && missing.length === 0 && notRunning.length === 0;
    const detail = ok
        ? `${nodes.length}/${nodes.length} nodes Ready; ${deps.map((d) => `${d.name} ${d.readyReplicas}/${d.replicas}`).join(', ')} running`
        : [
            nodes.length === 0 ? 'no nodes' : '',
            notReady.length ? `nodes not Ready: ${notReady.join(', ')}` : '',
            missing.length ? `deployments missing: ${missing.join(', ')}` : '',
            notRunning.length ? `pods not running: ${notRunning.join(', ')}` : '',
        ]
            .filter(Boolean)
            .join('; ');
    return (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .row */ .nM)(name, 'DR nodes and pods', ok ? 'pass' : 'fail', detail);
};
const replication = async (ctx, name, stack) => {
    const limit = ctx.plan.limits.replicationLagSeconds;
    const providers = await ctx.env.providers(name);
    const [db, lagSamples] = await Promise.all([
        (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .probe */ .dy)(ctx, () => providers.database.describe()),
        (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .probe */ .dy)(ctx, () => ctx.env.prometheus().query(ctx.plan.doc.prometheus.queries.replicationLag)),
    ]);
    const lag = (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .sampleFor */ .wi)(lagSamples.filter((s) => s.labels.site !== 'primary'), name, stack)?.value;
    const problems = [];
    if (lag === undefined)
        problems.push('no replication lag series in Prometheus');
    else if (!(lag < limit))
        problems.push(`lag ${lag.toFixed(1)} s is not under ${limit} s`);
    if (!db.replication.healthy && !db.primaryReachable) {
        return (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .row */ .nM)(name, 'Replication', 'warn', `primary unreachable: ${db.replication.detail}`);
    }
    if (!db.replication.healthy)
        problems.push(`replication unhealthy: ${db.replication.detail}`);
    const detail = `lag ${lag === undefined ? 'unknown' : `${lag.toFixed(1)} s`} (limit ${limit} s); ${db.replication.detail}`;
    return (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .row */ .nM)(name, 'Replication', problems.length ? 'fail' : 'pass', problems.length ? problems.join('; ') : detail);
};
const backup = async (ctx, name) => {
    const providers = await ctx.env.providers(name);
    const last = await (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .probe */ .dy)(ctx, () => providers.database.lastBackup());
    const maxMs = ctx.plan.limits.backupMaxAgeMs;
    if (!last)
        return (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .row */ .nM)(name, 'Last backup', 'fail', 'no successful backup found');
    const ageH = (Date.now() - last.getTime()) / 3_600_000;
    const ok = Date.now() - last.getTime() < maxMs;
    return (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .row */ .nM)(name, 'Last backup', ok ? 'pass' : 'fail', `${ageH.toFixed(1)} h old at ${last.toISOString()} (limit ${(maxMs / 3_600_000).toFixed(1)} h)`);
};
const dnsTtl = async (ctx, name, stack) => {
    const providers = await ctx.env.providers(name);
    const exp = providers.traffic.expectation('dr');
    const limit = ctx.plan.limits.dnsTtlSeconds;
    const answer = await (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .probe */ .dy)(ctx, () => (0,_providers_dns_resolver_js__WEBPACK_IMPORTED_MODULE_0__/* .queryDns */ .eT)(exp.name, exp.type, { server: (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .dnsServerOf */ .Qc)(stack) }));
    const rec = answer.answers.find((a) => a.name.replace(/\.$/, '') === exp.name.replace(/\.$/, ''));
    if (!rec)
        return (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .row */ .nM)(name, 'DNS TTL', 'fail', `${exp.name} ${exp.type}: no answer from ${answer.server} (${answer.rcode})`);
    const ok = rec.ttl <= limit;
    return (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .row */ .nM)(name, 'DNS TTL', ok ? 'pass' : 'fail', `${exp.name} TTL ${rec.ttl} s at ${answer.server} (must be <= ${limit} s)`);
};
const config = async (ctx, name) => {
    const cm = ctx.plan.doc.application.configMap;
    const [dr, primary] = await Promise.all([
        ctx.env.cluster(name, 'dr').then((c) => (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .probe */ .dy)(ctx, () => c.configMap(cm.name))),
        ctx.env.cluster(name, 'primary').then((c) => (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .probe */ .dy)(ctx, () => c.configMap(cm.name))),
    ]);
    if (!dr)
        return (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .row */ .nM)(name, 'DR config', 'fail', `configmap ${cm.name} is missing on the DR cluster`);
    if (!primary)
        return (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .row */ .nM)(name, 'DR config', 'fail', `configmap ${cm.name} is missing on the primary cluster`);
    const keys = new Set([...Object.keys(dr), ...Object.keys(primary)].filter((k) => !cm.ignoreKeys.includes(k)));
    const differ = [...keys].filter((k) => dr[k] !== primary[k]).sort();
    return (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .row */ .nM)(name, 'DR config', differ.length ? 'fail' : 'pass', differ.length
        ? `DR differs from primary in: ${differ.join(', ')}`
        : `${keys.size} keys equal (ignoring ${cm.ignoreKeys.join(', ') || 'none'})`);
};
const drHealth = async (ctx, name, stack) => {
    const url = (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .joinUrl */ .we)((0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .siteUrl */ .hX)(ctx.plan, stack, 'dr'), '/health');
    const r = await (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .probe */ .dy)(ctx, () => (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .appRequest */ .Tl)(url));
    return (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .row */ .nM)(name, 'DR health', r.status === 200 ? 'pass' : 'fail', `GET ${url} -> ${r.status} ${r.text.slice(0, 120)}`);
};
/** Checks that read the primary region: an unreachable primary is a warning, not a failure. */
const CHECKS = [
    { item: 'DR nodes and pods', run: drCluster, needsPrimary: false },
    { item: 'Replication', run: replication, needsPrimary: true },
    { item: 'Last backup', run: backup, needsPrimary: true },
    { item: 'DNS TTL', run: dnsTtl, needsPrimary: false },
    { item: 'DR config', run: config, needsPrimary: true },
    { item: 'DR health', run: drHealth, needsPrimary: false },
];
async function readinessRows(ctx, name) {
    const stack = ctx.plan.stack(name);
    return Promise.all(CHECKS.map(async (c) => {
        const started = Date.now();
        let r;
        try {
            r = await c.run(ctx, name, stack);
        }
        catch (err) {
            r =
                c.needsPrimary && (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .isUnreachable */ .R0)(err)
                    ? (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .row */ .nM)(name, c.item, 'warn', `primary unreachable: ${(0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .errorText */ .kc)(err)}`)
                    : (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .row */ .nM)(name, c.item, 'fail', (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .errorText */ .kc)(err));
        }
        (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .observe */ .lB)(ctx, 'readiness', c.item, name, name, {
            status: r.status,
            detail: r.detail,
            ms: Date.now() - started,
        });
        return r;
    }));
}
const readinessPhase = {
    name: 'readiness',
    title: 'Pre-failover readiness',
    description: "Runs the runbook's six pre-failover checks on every stack: DR nodes and pods, replication lag and health, last backup age, DNS TTL, DR config drift, DR health.",
    inputs: [],
    outputs: [
        {
            name: 'ready',
            description: '"true" when every check passed (warnings allowed, e.g. primary unreachable).',
        },
        { name: 'failed-checks', description: 'Comma-separated stack/check names that failed.' },
    ],
    async run(ctx) {
        const { ok, rows } = await (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .forEachStack */ .zq)(ctx, (s) => readinessRows(ctx, s));
        const failed = rows.filter((r) => r.status === 'fail').map((r) => `${r.stack}/${r.item}`);
        return { ok, rows, outputs: { ready: String(ok), 'failed-checks': failed.join(',') } };
    },
};


/***/ }),

/***/ 30632:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  ZG: () => (/* binding */ PHASES),
  WH: () => (/* binding */ getPhase)
});

// UNUSED EXPORTS: phaseNames

// EXTERNAL MODULE: ./src/engine/errors.ts
var errors = __webpack_require__(17679);
// EXTERNAL MODULE: ./src/phases/failover.ts
var failover = __webpack_require__(89164);
// EXTERNAL MODULE: ./src/phases/readiness.ts
var readiness = __webpack_require__(76264);
// EXTERNAL MODULE: ./src/phases/triggers.ts
var triggers = __webpack_require__(13731);
;// CONCATENATED MODULE: ./src/phases/validate.ts
const validatePhase = {
    name: 'validate',
    title: 'Validate the DR plan',
    description: 'Validates a DR plan file against the schema and the runbook rules, reporting every problem with its file, line and column; contacts no cloud.',
    inputs: [],
    outputs: [
        { name: 'valid', description: '"true" when the plan is valid.' },
        { name: 'stacks', description: 'Comma-separated stack names of the plan.' },
    ],
    offline: true,
    async run(ctx) {
        const { plan } = ctx;
        return {
            ok: true,
            outputs: { valid: 'true', stacks: plan.stackNames.join(',') },
            rows: plan.stackNames.map((name) => {
                const s = plan.stack(name);
                return {
                    stack: name,
                    item: `${s.cloud} stack`,
                    status: 'pass',
                    detail: `${s.primary.region} -> ${s.dr.region}; database ${s.database.type}, traffic ${s.traffic.type}, node pool ${s.nodePool.type}`,
                };
            }),
        };
    },
};

;// CONCATENATED MODULE: ./src/phases/registry.ts
/**
 * Every phase the product runs, in runbook order. Phase modules are imported eagerly: they hold
 * no SDK code (providers are loaded lazily by the environment), so this stays small.
 */





const PHASES = [
    validatePhase,
    readiness/* readinessPhase */.m,
    triggers/* triggersPhase */.L4,
    failover/* declarePhase */.k1,
    failover/* drainPhase */.c7,
    failover/* databasePhase */.xb,
    failover/* scalePhase */.AJ,
    failover/* trafficPhase */.R6,
    failover/* verifyPhase */.Bb,
    failover/* syncPhase */.Tb,
    failover/* failbackPhase */.ti,
];
function phaseNames() {
    return PHASES.map((p) => p.name);
}
function getPhase(name) {
    const p = PHASES.find((x) => x.name === name);
    if (!p) {
        throw new errors/* UserError */.yo(`phase "${name}" does not exist: expected one of ${phaseNames().join(', ')}.`);
    }
    return p;
}


/***/ }),

/***/ 26958:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   D: () => (/* binding */ resultText),
/* harmony export */   N: () => (/* binding */ resultMarkdown)
/* harmony export */ });
const ICON = {
    pass: 'PASS',
    fail: 'FAIL',
    warn: 'WARN',
    skip: 'SKIP',
    info: 'INFO',
    'would-do': 'WOULD',
    done: 'DONE',
};
function escapeCell(s) {
    return s.replace(/\|/g, '\\|').replace(/\n/g, '<br>');
}
function resultMarkdown(title, result) {
    const lines = [`## ${title}: ${result.ok ? 'succeeded' : 'failed'}`, ''];
    if (result.rows.length > 0) {
        lines.push('| Stack | Item | Status | Detail |', '| --- | --- | --- | --- |');
        for (const r of result.rows) {
            lines.push(`| ${escapeCell(r.stack ?? '')} | ${escapeCell(r.item)} | ${ICON[r.status]} | ${escapeCell(r.detail)} |`);
        }
        lines.push('');
    }
    const outs = Object.entries(result.outputs);
    if (outs.length > 0) {
        lines.push('| Output | Value |', '| --- | --- |');
        for (const [k, v] of outs)
            lines.push(`| ${escapeCell(k)} | ${escapeCell(v)} |`);
        lines.push('');
    }
    if (result.markdown)
        lines.push(result.markdown, '');
    return lines.join('\n');
}
function resultText(title, result) {
    const lines = [`${title}: ${result.ok ? 'succeeded' : 'FAILED'}`];
    const w = {
        stack: Math.max(5, ...result.rows.map((r) => (r.stack ?? '').length)),
        item: Math.max(4, ...result.rows.map((r) => r.item.length)),
    };
    for (const r of result.rows) {
        lines.push(`  ${(r.stack ?? '').padEnd(w.stack)}  ${r.item.padEnd(w.item)}  ${ICON[r.status].padEnd(5)}  ${r.detail}`);
    }
    for (const [k, v] of Object.entries(result.outputs))
        lines.push(`  ${k} = ${v}`);
    return lines.join('\n');
}


/***/ }),

/***/ 27248:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   P: () => (/* binding */ runPhase),
/* harmony export */   w: () => (/* binding */ selectStacks)
/* harmony export */ });
/* harmony import */ var _engine_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(17679);
/* harmony import */ var _engine_journal_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(95545);
/* harmony import */ var _engine_step_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(40614);
/* harmony import */ var _plan_load_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(601);
/* harmony import */ var _environment_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(91567);
/* harmony import */ var _registry_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(30632);
/**
 * Runs one phase from a plan file: load and validate the plan (nothing is contacted before it is
 * valid), open the journal, build the environment, run the phase. Shared by the Action entries
 * and the CLI so both behave the same.
 */






function selectStacks(plan, stack) {
    if (!stack || stack === 'all')
        return plan.stackNames;
    const wanted = stack
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    for (const s of wanted) {
        if (!plan.stackNames.includes(s)) {
            throw new _engine_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .yo(`stack "${s}" is not in the plan ${plan.file}: expected one of ${plan.stackNames.join(', ')}.`);
        }
    }
    return wanted;
}
async function runPhase(opts) {
    const phase = (0,_registry_js__WEBPACK_IMPORTED_MODULE_5__/* .getPhase */ .WH)(opts.phase);
    const plan = opts.plan ?? (await (0,_plan_load_js__WEBPACK_IMPORTED_MODULE_3__/* .loadPlan */ .Yq)(opts.planFile));
    const stacks = selectStacks(plan, opts.stack);
    const journal = opts.journal ??
        new _engine_journal_js__WEBPACK_IMPORTED_MODULE_1__/* .Journal */ .CQ({
            file: phase.offline ? undefined : opts.journalFile,
            actor: opts.actor,
            runUrl: opts.runUrl,
        });
    const run = (0,_engine_step_js__WEBPACK_IMPORTED_MODULE_2__/* .createContext */ .q6)(journal, {
        dryRun: opts.dryRun ?? false,
        progress: opts.progress,
        force: opts.force,
        ...opts.run,
    });
    const env = opts.env ?? (0,_environment_js__WEBPACK_IMPORTED_MODULE_4__/* .createEnvironment */ .M)(plan);
    const result = await phase.run({ plan, stacks, run, env, inputs: opts.inputs ?? {} });
    return { plan, journal, result };
}


/***/ }),

/***/ 14175:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   AQ: () => (/* binding */ sizePool),
/* harmony export */   C3: () => (/* binding */ drainSite),
/* harmony export */   Wb: () => (/* binding */ failoverDatabase),
/* harmony export */   gi: () => (/* binding */ switchTraffic),
/* harmony export */   vk: () => (/* binding */ scaleDeployments),
/* harmony export */   xZ: () => (/* binding */ setDrain)
/* harmony export */ });
/* unused harmony exports activeConnections, acceptsWrites, replicationLag */
/* harmony import */ var _engine_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(17679);
/* harmony import */ var _engine_step_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(40614);
/* harmony import */ var _providers_dns_resolver_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3666);
/* harmony import */ var _common_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(32379);
/**
 * The per-stack building blocks of failover and failback, each an engine step (observe -> act ->
 * await, dry-run aware, journaled). Phases and the pipeline compose them.
 */




function outcomeRow(stack, item, r, detail) {
    const status = r.outcome === 'would-do' ? 'would-do' : r.outcome === 'skipped' ? 'pass' : 'done';
    return (0,_common_js__WEBPACK_IMPORTED_MODULE_3__/* .row */ .nM)(stack, item, status, r.outcome === 'skipped' ? `already so: ${detail}` : detail);
}
/** Poll a started operation until the provider says it is done; its error fails the step. */
async function awaitOperation(ctx, what, op, poll, deadlineMs, minPollMs) {
    if (!op)
        return;
    await (0,_engine_step_js__WEBPACK_IMPORTED_MODULE_1__/* .pollUntil */ .g3)(ctx.run, what, async () => {
        const st = await poll(op);
        if (st.error)
            throw new _engine_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .yo(`${what} failed: ${st.error}`);
        return st.done ? true : undefined;
    }, deadlineMs, minPollMs);
}
/** Set (fence) or remove (unfence) the drain annotation on every deployment of a site. */
async function setDrain(ctx, phase, name, site, drained) {
    const stack = ctx.plan.stack(name);
    const cluster = await ctx.env.cluster(name, site);
    const value = drained ? 'true' : null;
    const rows = [];
    for (const dep of (0,_common_js__WEBPACK_IMPORTED_MODULE_3__/* .deploymentsOf */ .o)(stack, site)) {
        try {
            const r = await (0,_engine_step_js__WEBPACK_IMPORTED_MODULE_1__/* .runStep */ .eg)(ctx.run, {
                phase,
                step: drained ? 'fence' : 'unfence',
                stack: name,
                target: `k8s:${site}/${dep}`,
                observe: async () => (await cluster.deployment(dep))?.annotations[_common_js__WEBPACK_IMPORTED_MODULE_3__/* .DRAIN_ANNOTATION */ .lP] ?? null,
                satisfied: (v) => (drained ? v === 'true' : v !== 'true'),
                action: drained
                    ? `annotate deployment ${dep} ${_common_js__WEBPACK_IMPORTED_MODULE_3__/* .DRAIN_ANNOTATION */ .lP}="true" on the ${site} cluster (stop new writes)`
                    : `remove ${_common_js__WEBPACK_IMPORTED_MODULE_3__/* .DRAIN_ANNOTATION */ .lP} from deployment ${dep} on the ${site} cluster`,
                act: () => cluster.annotate(dep, { [_common_js__WEBPACK_IMPORTED_MODULE_3__/* .DRAIN_ANNOTATION */ .lP]: value }),
                deadlineMs: 60_000,
                retry: { maxAttempts: 3 },
            });
            rows.push(outcomeRow(name, `${drained ? 'Fence' : 'Unfence'} ${site}/${dep}`, r, `${_common_js__WEBPACK_IMPORTED_MODULE_3__/* .DRAIN_ANNOTATION */ .lP}=${value ?? '(none)'}`));
        }
        catch (err) {
            if ((0,_common_js__WEBPACK_IMPORTED_MODULE_3__/* .isUnreachable */ .R0)(err)) {
                rows.push((0,_common_js__WEBPACK_IMPORTED_MODULE_3__/* .row */ .nM)(name, `${drained ? 'Fence' : 'Unfence'} ${site}/${dep}`, 'warn', `${site} cluster unreachable: recorded; writes there are impossible while it is down`));
            }
            else
                throw err;
        }
    }
    return rows;
}
/** Sum of active connections over a site's pods, through the Kubernetes pod proxy. */
async function activeConnections(ctx, name, site) {
    const stack = ctx.plan.stack(name);
    const cluster = await ctx.env.cluster(name, site);
    const { connectionsPort, connectionsPath } = stack[site].app;
    let total = 0;
    for (const dep of (0,_common_js__WEBPACK_IMPORTED_MODULE_3__/* .deploymentsOf */ .o)(stack, site)) {
        const pods = (await cluster.pods(`app=${dep}`)).filter((p) => p.phase === 'Running');
        const counts = await Promise.all(pods.map(async (p) => {
            const text = await cluster.podProxyGet(p.name, connectionsPort, connectionsPath);
            const active = Number(JSON.parse(text).active);
            if (!Number.isFinite(active))
                throw new _engine_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .yo(`pod ${p.name} answered ${connectionsPath} with "${text.slice(0, 80)}": expected {"active": N}.`);
            return active;
        }));
        total += counts.reduce((a, b) => a + b, 0);
    }
    return total;
}
/** Wait until the site has no active connections (runbook step 2). */
async function drainSite(ctx, phase, name, site) {
    try {
        const r = await (0,_engine_step_js__WEBPACK_IMPORTED_MODULE_1__/* .runStep */ .eg)(ctx.run, {
            phase,
            step: 'drain',
            stack: name,
            target: `k8s:${site}/connections`,
            observe: () => activeConnections(ctx, name, site),
            satisfied: (n) => n === 0,
            action: (n) => `wait for ${n} active connection(s) on the ${site} pods to drain to zero`,
            inProgress: () => true,
            deadlineMs: ctx.plan.limits.deadlinesMs.drain,
            retry: { maxAttempts: 3 },
            data: (before, after) => ({ connectionsBefore: before, connectionsAfter: after }),
        });
        return [outcomeRow(name, `Drain ${site}`, r, `active connections ${r.before} -> ${r.after ?? r.before}`)];
    }
    catch (err) {
        if ((0,_common_js__WEBPACK_IMPORTED_MODULE_3__/* .isUnreachable */ .R0)(err)) {
            return [
                (0,_common_js__WEBPACK_IMPORTED_MODULE_3__/* .row */ .nM)(name, `Drain ${site}`, 'warn', `${site} unreachable: connections cannot be read; recorded as unreachable`),
            ];
        }
        throw err;
    }
}
/** Node pool of a site to its active or standby size; optionally wait for the nodes to be Ready. */
async function sizePool(ctx, phase, name, site, role, wait) {
    const stack = ctx.plan.stack(name);
    const pool = stack.nodePool;
    const providers = await ctx.env.providers(name);
    const desired = role === 'active' ? pool.active : pool.standby;
    const size = { min: Math.min(pool.min, desired), max: Math.max(pool.max, desired), desired };
    const cluster = await ctx.env.cluster(name, site);
    let op;
    const r = await (0,_engine_step_js__WEBPACK_IMPORTED_MODULE_1__/* .runStep */ .eg)(ctx.run, {
        phase,
        step: wait ? 'node-pool' : 'node-pool-start',
        stack: name,
        target: `${pool.type}:${site}/${'nodegroup' in pool ? pool.nodegroup : pool.pool}`,
        observe: async () => {
            const s = await providers.nodePool.describe(site);
            if (!wait)
                return s;
            const nodes = await cluster.nodes();
            return { ...s, readyNodes: nodes.filter((n) => n.ready).length };
        },
        satisfied: (s) => s.desired === desired && (!wait || (!s.busy && (s.readyNodes ?? 0) >= desired)),
        inProgress: (s) => s.desired === desired,
        action: (s) => `resize ${site} node pool from ${s.desired} to ${desired} nodes (min ${size.min}, max ${size.max})`,
        act: async () => {
            op = await providers.nodePool.resize(site, size);
        },
        wait: wait
            ? undefined
            : async () => {
                // started, not awaited: the scale phase waits for the nodes
                return await providers.nodePool.describe(site);
            },
        deadlineMs: ctx.plan.limits.deadlinesMs.scale,
        data: () => (op ? { operation: op.id } : undefined),
    });
    return [
        outcomeRow(name, `Node pool ${site}${wait ? '' : ' (started)'}`, r, `${desired} nodes (${role})${wait ? ', Ready' : ''}`),
    ];
}
/** Scale the site's deployments to active or standby replicas and wait for the rollout. */
async function scaleDeployments(ctx, phase, name, site, role) {
    const stack = ctx.plan.stack(name);
    const cluster = await ctx.env.cluster(name, site);
    return Promise.all((0,_common_js__WEBPACK_IMPORTED_MODULE_3__/* .deploymentsOf */ .o)(stack, site).map(async (dep) => {
        const want = (0,_common_js__WEBPACK_IMPORTED_MODULE_3__/* .replicasFor */ .tz)(ctx.plan, stack, site, dep, role);
        const r = await (0,_engine_step_js__WEBPACK_IMPORTED_MODULE_1__/* .runStep */ .eg)(ctx.run, {
            phase,
            step: 'rollout',
            stack: name,
            target: `k8s:${site}/${dep}`,
            observe: async () => {
                const d = await cluster.deployment(dep);
                if (!d)
                    throw new _engine_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .yo(`deployment ${dep} does not exist on the ${site} cluster of stack ${name}: check stacks.${name}.${site}.deployments.`);
                return d;
            },
            satisfied: (d) => d.replicas === want &&
                d.observedGeneration >= d.generation &&
                d.updatedReplicas === want &&
                d.availableReplicas === want &&
                d.readyReplicas === want,
            inProgress: (d) => d.replicas === want,
            action: (d) => `scale deployment ${dep} on the ${site} cluster from ${d.replicas} to ${want} replicas and wait for the rollout`,
            act: () => cluster.scale(dep, want),
            deadlineMs: ctx.plan.limits.deadlinesMs.scale,
            summarise: (d) => ({ replicas: d.replicas, ready: d.readyReplicas, available: d.availableReplicas }),
        });
        return outcomeRow(name, `Deployment ${site}/${dep}`, r, `${want}/${want} replicas available (${role})`);
    }));
}
/** Does the site still accept writes? (reachable and not fenced) */
async function acceptsWrites(ctx, name, site) {
    const stack = ctx.plan.stack(name);
    try {
        const cluster = await ctx.env.cluster(name, site);
        const deps = await (0,_common_js__WEBPACK_IMPORTED_MODULE_3__/* .probe */ .dy)(ctx, () => Promise.all((0,_common_js__WEBPACK_IMPORTED_MODULE_3__/* .deploymentsOf */ .o)(stack, site).map((d) => cluster.deployment(d))));
        const unfenced = deps
            .filter((d) => d && d.annotations[_common_js__WEBPACK_IMPORTED_MODULE_3__/* .DRAIN_ANNOTATION */ .lP] !== 'true' && d.replicas > 0)
            .map((d) => d.name);
        return unfenced.length
            ? {
                accepts: true,
                detail: `${site} deployment(s) ${unfenced.join(', ')} are not fenced (${_common_js__WEBPACK_IMPORTED_MODULE_3__/* .DRAIN_ANNOTATION */ .lP} is not "true")`,
            }
            : { accepts: false, detail: `${site} fenced` };
    }
    catch (err) {
        if ((0,_common_js__WEBPACK_IMPORTED_MODULE_3__/* .isUnreachable */ .R0)(err))
            return { accepts: false, detail: `${site} unreachable (${(0,_common_js__WEBPACK_IMPORTED_MODULE_3__/* .errorText */ .kc)(err)})` };
        throw err;
    }
}
/** Replication lag of a stack from Prometheus, or undefined when it cannot be read. */
async function replicationLag(ctx, name) {
    if (!ctx.plan.doc.prometheus)
        return undefined;
    try {
        const samples = await (0,_common_js__WEBPACK_IMPORTED_MODULE_3__/* .probe */ .dy)(ctx, () => ctx.env.prometheus().query(ctx.plan.doc.prometheus.queries.replicationLag));
        return (0,_common_js__WEBPACK_IMPORTED_MODULE_3__/* .sampleFor */ .wi)(samples.filter((s) => s.labels.site !== 'primary'), name, ctx.plan.stack(name))?.value;
    }
    catch {
        return undefined;
    }
}
function effectiveMode(ctx, name, mode, db) {
    const stack = ctx.plan.stack(name);
    if (stack.database.type !== 'azure-sql')
        return mode === 'planned' || mode === 'forced' ? 'cross-region' : mode;
    if (mode === 'in-region')
        return 'planned';
    const allowLoss = stack.database.allowDataLoss || ctx.inputs['allow-data-loss'] === 'true';
    if (mode === 'cross-region' || mode === 'planned')
        return !db.primaryReachable && allowLoss ? 'forced' : 'planned';
    return mode;
}
/**
 * Database failover (runbook step 3). Reads the current primary first and never fails over a
 * database that is already where it should be; refuses to promote while the old primary still
 * accepts writes unless forced; records the replication lag at promotion (the RPO).
 */
async function failoverDatabase(ctx, phase, name, target, requested) {
    const stack = ctx.plan.stack(name);
    const providers = await ctx.env.providers(name);
    const first = await (0,_common_js__WEBPACK_IMPORTED_MODULE_3__/* .probe */ .dy)(ctx, () => providers.database.describe());
    const mode = effectiveMode(ctx, name, requested, first);
    const dbName = stack.database.type === 'rds'
        ? stack.database.instance
        : stack.database.type === 'cloud-sql'
            ? stack.database.instance
            : stack.database.failoverGroup;
    if (mode === 'in-region') {
        // In-region HA failover: the writer stays in the primary region, its zone changes. A second
        // force-failover would flip it back, so "done" is read from the journal: a finished in-region
        // failover whose destination zone is still the writer's zone.
        const previous = ctx.run.journal.records.filter((r) => r.phase === phase &&
            r.step === 'failover' &&
            r.stack === name &&
            r.outcome === 'done' &&
            r.data?.mode === 'in-region');
        const doneZone = previous.at(-1)?.data?.toZone;
        let op;
        let fromZone;
        const r = await (0,_engine_step_js__WEBPACK_IMPORTED_MODULE_1__/* .runStep */ .eg)(ctx.run, {
            phase,
            step: 'failover',
            stack: name,
            target: `${stack.database.type}:${dbName}`,
            observe: () => providers.database.describe(),
            satisfied: (s) => !s.busy && doneZone !== undefined && s.writerZone === doneZone && op === undefined,
            inProgress: (s) => s.busy,
            action: (s) => `in-region HA failover of ${dbName} (writer zone ${s.writerZone ?? 'unknown'} -> standby)`,
            act: async (s) => {
                fromZone = s.writerZone;
                op = await providers.database.failover('primary', 'in-region');
            },
            wait: async () => {
                await awaitOperation(ctx, `${dbName} in-region failover`, op, (o) => providers.database.poll(o), ctx.plan.limits.deadlinesMs.database);
                return (0,_engine_step_js__WEBPACK_IMPORTED_MODULE_1__/* .pollUntil */ .g3)(ctx.run, `${dbName} available`, async () => {
                    const s = await providers.database.describe();
                    return !s.busy ? s : undefined;
                }, ctx.plan.limits.deadlinesMs.database);
            },
            deadlineMs: ctx.plan.limits.deadlinesMs.database,
            summarise: (s) => ({ writer: s.writer, zone: s.writerZone, status: s.status }),
            data: (_b, after) => ({ mode: 'in-region', fromZone, toZone: after?.writerZone, operation: op?.id }),
        });
        return [
            outcomeRow(name, 'Database', r, `${dbName} in-region failover; writer zone ${r.after?.writerZone ?? r.before.writerZone}`),
        ];
    }
    let op;
    let lagAtPromotion;
    const canPromoteBack = target === 'dr' || stack.database.type === 'azure-sql';
    const r = await (0,_engine_step_js__WEBPACK_IMPORTED_MODULE_1__/* .runStep */ .eg)(ctx.run, {
        phase,
        step: 'failover',
        stack: name,
        target: `${stack.database.type}:${dbName}`,
        observe: () => providers.database.describe(),
        satisfied: (s) => s.writer === target && !s.busy,
        inProgress: (s) => s.busy,
        action: (s) => canPromoteBack
            ? `${mode === 'forced' ? 'forced (data loss allowed) ' : ''}${mode === 'planned' ? 'planned ' : ''}failover of ${dbName} from ${s.writer} to ${target}`
            : `${dbName} writer back on ${target}`,
        act: async () => {
            if (!canPromoteBack) {
                throw new _engine_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .yo(`${dbName} still has its writer on ${(0,_common_js__WEBPACK_IMPORTED_MODULE_3__/* .otherSite */ .Cf)(target)}: run the sync phase with mode=execute to copy the DR data back and re-establish the primary, then run failback again.`);
            }
            const fence = await acceptsWrites(ctx, name, (0,_common_js__WEBPACK_IMPORTED_MODULE_3__/* .otherSite */ .Cf)(target));
            if (fence.accepts && !ctx.run.force) {
                throw new _engine_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .yo(`refusing to promote ${dbName} on ${target}: ${fence.detail}; run declare (fence) and drain first, or pass force with a reason.`);
            }
            lagAtPromotion = await replicationLag(ctx, name);
            op = await providers.database.failover(target, mode);
        },
        wait: async () => {
            await awaitOperation(ctx, `${dbName} failover to ${target}`, op, (o) => providers.database.poll(o), ctx.plan.limits.deadlinesMs.database);
            return (0,_engine_step_js__WEBPACK_IMPORTED_MODULE_1__/* .pollUntil */ .g3)(ctx.run, `${dbName} writer on ${target}`, async () => {
                const s = await providers.database.describe();
                return s.writer === target && !s.busy ? s : undefined;
            }, ctx.plan.limits.deadlinesMs.database);
        },
        deadlineMs: ctx.plan.limits.deadlinesMs.database,
        summarise: (s) => ({
            writer: s.writer,
            status: s.status,
            replication: s.replication.detail,
            primaryReachable: s.primaryReachable,
        }),
        data: () => ({
            mode,
            rpoSeconds: lagAtPromotion,
            operation: op?.id,
            forced: ctx.run.force ? ctx.run.force : undefined,
        }),
    });
    const rpo = r.record.data?.rpoSeconds ?? undefined;
    return [
        outcomeRow(name, 'Database', r, `${dbName} writer on ${target} (${mode})${rpo !== undefined ? `; replication lag at promotion ${rpo.toFixed(1)} s (RPO)` : ''}`),
    ];
}
/** Move the traffic switch to `target`, wait for the service, then confirm through DNS. */
async function switchTraffic(ctx, phase, name, target) {
    const stack = ctx.plan.stack(name);
    const providers = await ctx.env.providers(name);
    const ttl = ctx.plan.limits.dnsTtlSeconds;
    let op;
    const minPollMs = stack.traffic.type === 'route53' ? 200 : undefined;
    const r = await (0,_engine_step_js__WEBPACK_IMPORTED_MODULE_1__/* .runStep */ .eg)(ctx.run, {
        phase,
        step: 'switch',
        stack: name,
        target: `${stack.traffic.type}:${'record' in stack.traffic && stack.traffic.record ? stack.traffic.record : stack.traffic.profile}`,
        observe: () => providers.traffic.describe(),
        satisfied: (s) => s.active === target && op === undefined,
        action: (s) => `point ${providers.traffic.expectation(target).name} from ${s.active} to ${target} (${providers.traffic.expectation(target).value}, TTL ${ttl} s)`,
        act: async () => {
            op = await providers.traffic.switchTo(target, ttl);
        },
        wait: async () => {
            await awaitOperation(ctx, `traffic change ${op?.id}`, op, (o) => providers.traffic.poll(o), ctx.plan.limits.deadlinesMs.traffic, minPollMs);
            const after = await providers.traffic.describe();
            op = undefined;
            return after;
        },
        minPollMs,
        deadlineMs: ctx.plan.limits.deadlinesMs.traffic,
        data: () => (op ? { change: op.id } : undefined),
    });
    const rows = [
        outcomeRow(name, 'Traffic switch', r, `${stack.traffic.type} now sends traffic to ${target}`),
    ];
    if (r.outcome === 'would-do')
        return rows;
    // DNS confirmation, as `dig +short api.aegis.io` would show it at the authoritative servers
    const exp = providers.traffic.expectation(target);
    const server = (0,_common_js__WEBPACK_IMPORTED_MODULE_3__/* .dnsServerOf */ .Qc)(stack);
    const d = await (0,_engine_step_js__WEBPACK_IMPORTED_MODULE_1__/* .runStep */ .eg)(ctx.run, {
        phase,
        step: 'dns-confirm',
        stack: name,
        target: `dns:${exp.name}`,
        observe: async () => (await (0,_providers_dns_resolver_js__WEBPACK_IMPORTED_MODULE_2__/* .queryDns */ .eT)(exp.name, exp.type, { server })).answers.map((a) => a.data.replace(/\.$/, '')),
        satisfied: (values) => values.includes(exp.value.replace(/\.$/, '')),
        inProgress: () => true,
        action: `wait until ${exp.name} ${exp.type} resolves to ${exp.value}`,
        deadlineMs: ctx.plan.limits.deadlinesMs.traffic,
    });
    rows.push((0,_common_js__WEBPACK_IMPORTED_MODULE_3__/* .row */ .nM)(name, 'DNS', d.outcome === 'would-do' ? 'would-do' : 'pass', `${exp.name} ${exp.type} -> ${(d.after ?? d.before).join(', ')}`));
    return rows;
}


/***/ }),

/***/ 13731:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   L4: () => (/* binding */ triggersPhase),
/* harmony export */   LD: () => (/* binding */ decide),
/* harmony export */   tL: () => (/* binding */ evaluateStacks)
/* harmony export */ });
/* unused harmony export siteOfSample */
/* harmony import */ var _common_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(32379);

function conditions(ctx) {
    const t = ctx.plan.limits.triggers;
    const q = ctx.plan.doc.prometheus.queries;
    return [
        {
            id: 'health-score',
            query: q.healthScore,
            holds: (v) => v < t.healthScoreBelow,
            describe: (v) => `health score ${v.toFixed(2)} < ${t.healthScoreBelow}`,
        },
        {
            id: 'health-check-failures',
            query: q.healthCheckFailures,
            holds: (v) => v > t.healthCheckFailuresAbove,
            describe: (v) => `${v.toFixed(0)} health-check failures > ${t.healthCheckFailuresAbove}`,
        },
        {
            id: 'replication-lag',
            query: q.replicationLag,
            holds: (v) => v > t.replicationLagAbove,
            describe: (v) => `replication lag ${v.toFixed(0)} s > ${t.replicationLagAbove} s`,
        },
    ];
}
/** Which site of a stack a sample is about: its `site` label, else its `region` label. */
function siteOfSample(s, stackName, stack) {
    if (s.labels.stack && s.labels.stack !== stackName)
        return undefined;
    if (s.labels.site === 'primary' || s.labels.site === 'dr') {
        if (!s.labels.stack && s.labels.region && s.labels.region !== stack[s.labels.site].region)
            return undefined;
        return s.labels.site;
    }
    if (s.labels.region === stack.primary.region)
        return 'primary';
    if (s.labels.region === stack.dr.region)
        return 'dr';
    return undefined;
}
async function evaluateStacks(ctx) {
    const t = ctx.plan.limits.triggers;
    const now = Date.now();
    const times = [];
    for (let i = t.consecutive - 1; i >= 0; i--)
        times.push(now - t.holdForMs - i * t.intervalMs);
    if (t.holdForMs > 0)
        times.push(now);
    const prom = ctx.env.prometheus();
    const conds = conditions(ctx);
    // one query per condition and evaluation time, shared by every stack
    const answers = await Promise.all(conds.map((c) => Promise.all(times.map((time) => (0,_common_js__WEBPACK_IMPORTED_MODULE_0__/* .probe */ .dy)(ctx, () => prom.query(c.query, time / 1000))))));
    return ctx.stacks.map((name) => {
        const stack = ctx.plan.stack(name);
        const held = {};
        conds.forEach((c, ci) => {
            held[c.id] = {};
            for (const site of ['primary', 'dr']) {
                const perTime = answers[ci].map((samples) => samples.filter((s) => siteOfSample(s, name, stack) === site));
                const has = perTime.every((s) => s.length > 0);
                const all = has && perTime.every((samples) => samples.some((s) => c.holds(s.value)));
                const lastSamples = perTime.at(-1) ?? [];
                const last = lastSamples.length
                    ? lastSamples.map((s) => s.value).reduce((a, b) => (c.holds(a) ? a : b))
                    : undefined;
                if (has || lastSamples.length)
                    held[c.id][site] = { held: all, last };
            }
        });
        return { stack: name, held };
    });
}
function decide(ctx, evals) {
    const conds = conditions(ctx);
    const rows = [];
    const reasons = [];
    const firing = [];
    let twoRegion = false;
    let cls;
    for (const e of evals) {
        const siteDown = (site) => Boolean(e.held['health-score'][site]?.held || e.held['health-check-failures'][site]?.held);
        const primaryDown = siteDown('primary');
        const drDown = siteDown('dr');
        const lag = e.held['replication-lag'].dr?.held || e.held['replication-lag'].primary?.held;
        for (const c of conds) {
            for (const site of ['primary', 'dr']) {
                const h = e.held[c.id][site];
                if (!h)
                    continue;
                rows.push((0,_common_js__WEBPACK_IMPORTED_MODULE_0__/* .row */ .nM)(e.stack, `${c.id} (${site})`, h.held ? 'warn' : 'pass', `${h.last === undefined ? 'no data' : c.describe(h.last)}${h.held ? `; held for ${ctx.plan.limits.triggers.consecutive} evaluations` : ''}`));
            }
        }
        if (primaryDown && drDown) {
            twoRegion = true;
            reasons.push(`${e.stack}: both regions unhealthy (two-region failure): no automatic failover; engage the executive team and activate BCP`);
            continue;
        }
        if (primaryDown) {
            firing.push(e.stack);
            cls = 'region-outage';
            reasons.push(`${e.stack}: primary region ${ctx.plan.stack(e.stack).primary.region} unhealthy`);
        }
        else if (lag) {
            firing.push(e.stack);
            cls ??= 'database-corruption';
            reasons.push(`${e.stack}: replication lag above ${ctx.plan.limits.triggers.replicationLagAbove} s`);
        }
    }
    const fire = !twoRegion && firing.length > 0;
    return { fire, twoRegion, incidentClass: fire ? cls : undefined, reasons, stacks: firing, rows };
}
const triggersPhase = {
    name: 'triggers',
    title: 'Failover trigger evaluation',
    description: "Evaluates the runbook's three Prometheus failover conditions with flapping protection and decides whether to fail over, and with which incident class; a two-region failure never fires.",
    inputs: [],
    outputs: [
        { name: 'fire', description: '"true" when a failover should start.' },
        { name: 'incident-class', description: 'The incident class to fail over with (empty when not firing).' },
        { name: 'reasons', description: 'Why, one sentence per stack, separated by "; ".' },
        { name: 'stacks', description: 'Comma-separated stacks whose conditions fired.' },
        {
            name: 'two-region-failure',
            description: '"true" when both regions of a stack are unhealthy (escalate, never fail over automatically).',
        },
    ],
    async run(ctx) {
        const evals = await evaluateStacks(ctx);
        const d = decide(ctx, evals);
        (0,_common_js__WEBPACK_IMPORTED_MODULE_0__/* .observe */ .lB)(ctx, 'triggers', 'evaluate', undefined, 'prometheus', {
            fire: d.fire,
            twoRegion: d.twoRegion,
            incidentClass: d.incidentClass,
            reasons: d.reasons,
            stacks: d.stacks,
        });
        return {
            ok: true,
            rows: d.rows,
            outputs: {
                fire: String(d.fire),
                'incident-class': d.incidentClass ?? '',
                reasons: d.reasons.join('; '),
                stacks: d.stacks.join(','),
                'two-region-failure': String(d.twoRegion),
            },
        };
    },
};


/***/ }),

/***/ 94119:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   DT: () => (/* binding */ verifyRows),
/* harmony export */   b5: () => (/* binding */ runJob)
/* harmony export */ });
/* unused harmony exports MIN_ERROR_WINDOW_S, errorRateQuery */
/* harmony import */ var _engine_step_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(40614);
/* harmony import */ var _common_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(32379);
/**
 * `verify`: the runbook's post-failover checks on the site now serving: API health says healthy
 * and the right region; every deployment available; 5xx rate under the threshold (Prometheus);
 * the data integrity check run as a Kubernetes Job; policy engine health; an end-to-end scan.
 */


function jobName(kind) {
    return `aegis-${kind}-${Date.now().toString(36)}`;
}
/** Run a Kubernetes Job in a site and return its result and logs. */
async function runJob(ctx, name, site, kind, image, command) {
    const cluster = await ctx.env.cluster(name, site);
    const job = jobName(kind);
    await (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .probe */ .dy)(ctx, () => cluster.runJob({
        name: job,
        image,
        command,
        labels: { 'app.kubernetes.io/part-of': 'aegis-dr', 'aegis.io/check': kind },
    }));
    const st = await (0,_engine_step_js__WEBPACK_IMPORTED_MODULE_0__/* .pollUntil */ .g3)(ctx.run, `job ${job}`, async () => {
        const s = await (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .probe */ .dy)(ctx, () => cluster.job(job));
        return s?.done ? s : undefined;
    }, ctx.plan.limits.deadlinesMs.verify);
    return { succeeded: st.succeeded, logs: st.logs ?? '', job };
}
/** Shortest window worth a rate(): a few scrapes. */
const MIN_ERROR_WINDOW_S = 5;
/**
 * The error-rate query over the plan's window, or over the time since traffic moved to `target`
 * when that is shorter: errors served by the failed site before the switch are not this site's.
 * Waits until at least MIN_ERROR_WINDOW_S have passed since the switch.
 */
async function errorRateQuery(ctx, name, target) {
    const q = ctx.plan.doc.prometheus.queries.errorRate;
    const windowS = Math.round(ctx.plan.limits.errorRateWindowMs / 1000);
    const switched = ctx.run.journal.records
        .filter((r) => r.stack === name &&
        r.step === 'switch' &&
        r.outcome === 'done' &&
        JSON.stringify(r.after ?? {}).includes(`"active":"${target}"`))
        .at(-1);
    if (!switched)
        return { query: q, windowS };
    let since = (Date.now() - Date.parse(switched.endedAt)) / 1000;
    if (since >= windowS)
        return { query: q, windowS };
    if (since < MIN_ERROR_WINDOW_S) {
        await ctx.run.sleep((MIN_ERROR_WINDOW_S - since) * 1000, ctx.run.signal);
        since = MIN_ERROR_WINDOW_S;
    }
    const w = Math.ceil(since);
    return { query: q.replace(/\[[0-9]+(ms|s|m|h)\]/g, `[${w}s]`), windowS: w };
}
async function verifyRows(ctx, name, target) {
    const stack = ctx.plan.stack(name);
    const app = ctx.plan.doc.application;
    const base = (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .publicUrl */ .x6)(ctx.plan, stack);
    const token = process.env[app.tokenEnv];
    const checks = [
        {
            item: 'API health',
            run: async () => {
                const url = (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .joinUrl */ .we)(base, '/health');
                const r = await (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .probe */ .dy)(ctx, () => (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .appRequest */ .Tl)(url));
                const ok = r.status === 200 && r.body?.status === 'healthy' && r.body?.region === target;
                return (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .row */ .nM)(name, 'API health', ok ? 'pass' : 'fail', `GET ${url} -> ${r.status} ${JSON.stringify({ status: r.body?.status, region: r.body?.region })} (expected healthy, ${target})`);
            },
        },
        {
            item: 'Deployments',
            run: async () => {
                const cluster = await ctx.env.cluster(name, target);
                const deps = await Promise.all((0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .deploymentsOf */ .o)(stack, target).map((d) => (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .probe */ .dy)(ctx, () => cluster.deployment(d))));
                const bad = deps.filter((d) => !d || d.availableReplicas < d.replicas || d.replicas === 0);
                return (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .row */ .nM)(name, 'Deployments', bad.length ? 'fail' : 'pass', deps
                    .map((d, i) => d
                    ? `${d.name} ${d.availableReplicas}/${d.replicas}`
                    : `${(0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .deploymentsOf */ .o)(stack, target)[i]} missing`)
                    .join(', '));
            },
        },
        {
            item: 'Error rate',
            run: async () => {
                const { query: q, windowS } = await errorRateQuery(ctx, name, target);
                const samples = await (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .probe */ .dy)(ctx, () => ctx.env.prometheus().query(q));
                const region = stack[target].region;
                const s = samples.find((x) => x.labels.region === region && (!x.labels.stack || x.labels.stack === name));
                const rate = s && Number.isFinite(s.value) ? s.value : 0;
                const limit = ctx.plan.limits.errorRate;
                return (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .row */ .nM)(name, 'Error rate', rate < limit ? 'pass' : 'fail', `5xx ratio ${(rate * 100).toFixed(2)} % in ${region} over ${windowS} s (limit ${(limit * 100).toFixed(2)} %)${s ? '' : '; no 5xx series'}`);
            },
        },
        {
            item: 'Data integrity',
            run: async () => {
                const r = await runJob(ctx, name, target, 'integrity', app.integrityJob.image, app.integrityJob.command);
                return (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .row */ .nM)(name, 'Data integrity', r.succeeded ? 'pass' : 'fail', `job ${r.job}: ${r.logs.trim().split('\n').at(-1) ?? ''}`);
            },
        },
        {
            item: 'Policy engine',
            run: async () => {
                const url = (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .joinUrl */ .we)(base, '/api/v1/policies/health');
                const r = await (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .probe */ .dy)(ctx, () => (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .appRequest */ .Tl)(url));
                const ok = r.status === 200 && r.body?.opa_external === 'ok' && r.body?.opa_embedded === 'ok';
                return (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .row */ .nM)(name, 'Policy engine', ok ? 'pass' : 'fail', `GET ${url} -> ${r.status} ${r.text.slice(0, 100)}`);
            },
        },
        {
            item: 'End-to-end scan',
            run: async () => {
                if (!token)
                    return (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .row */ .nM)(name, 'End-to-end scan', 'fail', `no API token: set the ${app.tokenEnv} environment variable (a secret) for the scan test.`);
                const url = (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .joinUrl */ .we)(base, '/api/v1/scans');
                const created = await (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .probe */ .dy)(ctx, () => (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .appRequest */ .Tl)(url, { method: 'POST', body: app.scanRequest, token }));
                if (created.status >= 300 || !created.body?.id) {
                    return (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .row */ .nM)(name, 'End-to-end scan', 'fail', `POST ${url} -> ${created.status} ${created.text.slice(0, 120)}`);
                }
                const id = String(created.body.id);
                const done = await (0,_engine_step_js__WEBPACK_IMPORTED_MODULE_0__/* .pollUntil */ .g3)(ctx.run, `scan ${id}`, async () => {
                    const s = await (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .probe */ .dy)(ctx, () => (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .appRequest */ .Tl)((0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .joinUrl */ .we)(url, encodeURIComponent(id)), { token }));
                    return s.body?.status === 'completed' || s.body?.status === 'failed' ? s : undefined;
                }, ctx.plan.limits.deadlinesMs.verify);
                return (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .row */ .nM)(name, 'End-to-end scan', done.body.status === 'completed' ? 'pass' : 'fail', `scan ${id} ${done.body.status}`);
            },
        },
    ];
    if (ctx.run.dryRun) {
        return checks.map((c) => (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .row */ .nM)(name, c.item, 'would-do', `would check on ${target} (read-only checks are skipped in dry-run)`));
    }
    return Promise.all(checks.map(async (c) => {
        let r;
        try {
            r = await c.run();
        }
        catch (err) {
            r = (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .row */ .nM)(name, c.item, 'fail', (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .errorText */ .kc)(err));
        }
        (0,_common_js__WEBPACK_IMPORTED_MODULE_1__/* .observe */ .lB)(ctx, 'verify', c.item, name, `${name}:${target}`, { status: r.status, detail: r.detail });
        return r;
    }));
}


/***/ }),

/***/ 72983:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   E9: () => (/* binding */ parseDuration)
/* harmony export */ });
/* unused harmony exports durationProblem, formatDuration */
/**
 * Durations as written in a plan (`90s`, `5m`, `2h`, `1h30m`, `250ms`) and back.
 */
const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };
const ORDER = ['h', 'm', 's', 'ms'];
const PART = /([0-9]+)(ms|h|m|s)/y;
/** Why a duration string cannot be parsed, or undefined when it can. */
function durationProblem(text) {
    try {
        parseDuration(text);
        return undefined;
    }
    catch (err) {
        return err.message;
    }
}
/**
 * Parse a duration into milliseconds: `parseDuration('1h30m') === 5_400_000`.
 * Units are h, m, s and ms, each at most once, largest first.
 * @throws Error with one sentence naming the text and what was expected.
 */
function parseDuration(text) {
    const expected = 'expected a whole number followed by ms, s, m or h, largest unit first, such as 90s, 5m, 2h or 1h30m';
    if (typeof text !== 'string' || text.length === 0) {
        throw new Error(`The duration is empty; ${expected}.`);
    }
    PART.lastIndex = 0;
    let total = 0;
    let last = -1;
    let pos = 0;
    while (pos < text.length) {
        PART.lastIndex = pos;
        const m = PART.exec(text);
        if (!m)
            throw new Error(`\`${text}\` is not a duration; ${expected}.`);
        const unit = m[2];
        const rank = ORDER.indexOf(unit);
        if (rank <= last) {
            throw new Error(`\`${text}\` is not a duration: the unit \`${unit}\` is repeated or out of order; ${expected}.`);
        }
        last = rank;
        total += Number(m[1]) * UNIT_MS[unit];
        pos = PART.lastIndex;
    }
    if (!Number.isSafeInteger(total)) {
        throw new Error(`\`${text}\` is too long a duration; expected at most ${formatDuration(Number.MAX_SAFE_INTEGER)}.`);
    }
    return total;
}
/** Format milliseconds as the shortest plan duration: `formatDuration(5_400_000) === '1h30m'`. */
function formatDuration(ms) {
    if (!Number.isFinite(ms) || ms < 0)
        throw new Error(`Cannot format ${ms} as a duration; expected a non-negative number of milliseconds.`);
    let rest = Math.round(ms);
    if (rest === 0)
        return '0s';
    let out = '';
    for (const unit of ORDER) {
        const n = Math.floor(rest / UNIT_MS[unit]);
        if (n > 0) {
            out += `${n}${unit}`;
            rest -= n * UNIT_MS[unit];
        }
    }
    return out;
}


/***/ }),

/***/ 601:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  W6: () => (/* binding */ PlanError),
  Yq: () => (/* binding */ loadPlan),
  tP: () => (/* binding */ validatePlanText)
});

// UNUSED EXPORTS: INLINE, formatPath, formatProblem, parsePlan

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(48161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: ./node_modules/ajv/dist/ajv.js
var dist_ajv = __webpack_require__(42463);
// EXTERNAL MODULE: ./node_modules/fastest-levenshtein/mod.js
var mod = __webpack_require__(21916);
// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(38815);
// EXTERNAL MODULE: ./src/engine/errors.ts
var errors = __webpack_require__(17679);
;// CONCATENATED MODULE: ./src/plan/defaults.ts
/** The runbook's incident classes: failover type, RTO and RPO targets. */
const DEFAULT_CLASSES = {
    'region-outage': {
        description: 'Region outage: full failover to the DR region.',
        phases: ['readiness', 'declare', 'drain', 'database', 'scale', 'traffic', 'verify'],
        rto: '30m',
        rpo: '5m',
        databaseMode: 'cross-region',
    },
    'database-corruption': {
        description: 'Database corruption: database-only failover.',
        phases: ['database', 'verify'],
        rto: '15m',
        rpo: '1m',
        databaseMode: 'in-region',
    },
    'network-partition': {
        description: 'Network partition: routing failover.',
        phases: ['traffic', 'verify'],
        rto: '10m',
        rpo: '0s',
        databaseMode: 'in-region',
    },
    'compute-failure': {
        description: 'Compute failure: cluster failover.',
        phases: ['scale', 'traffic', 'verify'],
        rto: '20m',
        rpo: '2m',
        databaseMode: 'in-region',
    },
};
/** The incident class names in runbook order. */
const INCIDENT_CLASS_NAMES = Object.keys(DEFAULT_CLASSES);
/** The database, traffic and node-pool `type` each cloud uses. */
const CLOUD_TYPES = {
    aws: { database: 'rds', traffic: 'route53', nodePool: 'eks' },
    azure: { database: 'azure-sql', traffic: 'traffic-manager', nodePool: 'aks' },
    gcp: { database: 'cloud-sql', traffic: 'cloud-dns', nodePool: 'gke' },
};
/** Database types whose cross-region failover promotes a named read replica. */
const REPLICA_DATABASE_TYPES = ['rds', 'cloud-sql'];

// EXTERNAL MODULE: ./src/plan/duration.ts
var duration = __webpack_require__(72983);
// EXTERNAL MODULE: ./node_modules/@sinclair/typebox/build/esm/type/type/index.mjs + 112 modules
var type = __webpack_require__(74508);
;// CONCATENATED MODULE: ./src/plan/schema.ts
/**
 * The DR plan schema: the single source for the TypeScript types of a plan and for the published
 * JSON Schema (`schema/dr-plan.schema.json`, regenerated by `npm run build`).
 *
 * Every number of the runbook appears here as a default, so a plan only names what differs.
 */

const Strict = { additionalProperties: false };
/** A duration such as `90s`, `5m`, `2h`, `1h30m`. */
const Duration = type/* Type */.ZU.String({
    pattern: '^([0-9]+(ms|s|m|h))+$',
    description: 'A duration: a whole number followed by ms, s, m or h, e.g. 90s, 5m, 2h, 1h30m.',
});
const Url = type/* Type */.ZU.String({ pattern: '^https?://', description: 'An http:// or https:// URL.' });
const Name = type/* Type */.ZU.String({ minLength: 1 });
const SiteName = type/* Type */.ZU.Union([type/* Type */.ZU.Literal('primary'), type/* Type */.ZU.Literal('dr')]);
const CloudName = type/* Type */.ZU.Union([type/* Type */.ZU.Literal('aws'), type/* Type */.ZU.Literal('azure'), type/* Type */.ZU.Literal('gcp')]);
const PhaseName = type/* Type */.ZU.Union([
    type/* Type */.ZU.Literal('readiness'),
    type/* Type */.ZU.Literal('triggers'),
    type/* Type */.ZU.Literal('declare'),
    type/* Type */.ZU.Literal('drain'),
    type/* Type */.ZU.Literal('database'),
    type/* Type */.ZU.Literal('scale'),
    type/* Type */.ZU.Literal('traffic'),
    type/* Type */.ZU.Literal('verify'),
    type/* Type */.ZU.Literal('failback'),
    type/* Type */.ZU.Literal('sync'),
    type/* Type */.ZU.Literal('notify'),
    type/* Type */.ZU.Literal('escalate'),
    type/* Type */.ZU.Literal('report'),
], { description: 'A runbook phase.' });
const IncidentClassName = type/* Type */.ZU.Union([
    type/* Type */.ZU.Literal('region-outage'),
    type/* Type */.ZU.Literal('database-corruption'),
    type/* Type */.ZU.Literal('network-partition'),
    type/* Type */.ZU.Literal('compute-failure'),
]);
const DatabaseMode = type/* Type */.ZU.Union([
    type/* Type */.ZU.Literal('in-region'),
    type/* Type */.ZU.Literal('cross-region'),
    type/* Type */.ZU.Literal('planned'),
    type/* Type */.ZU.Literal('forced'),
], {
    description: 'in-region: HA failover inside the primary region (RDS Multi-AZ, Cloud SQL HA); cross-region: promote the DR replica (RDS PromoteReadReplica, Cloud SQL promoteReplica, Azure planned failover); planned / forced: Azure SQL failover group without / with data loss.',
});
const Kubernetes = type/* Type */.ZU.Object({
    kubeconfig: type/* Type */.ZU.Optional(type/* Type */.ZU.String({ description: 'Path to a kubeconfig file; default: $KUBECONFIG or ~/.kube/config.' })),
    context: type/* Type */.ZU.Optional(type/* Type */.ZU.String({ description: 'The kubeconfig context of this cluster.' })),
    namespace: type/* Type */.ZU.String({ default: 'aegis' }),
}, Strict);
const Deployment = type/* Type */.ZU.Object({
    name: Name,
    active: type/* Type */.ZU.Optional(type/* Type */.ZU.Integer({ minimum: 0, description: 'Replicas when this site serves.' })),
    standby: type/* Type */.ZU.Optional(type/* Type */.ZU.Integer({ minimum: 0, description: 'Replicas when this site is standby.' })),
}, Strict);
const Site = type/* Type */.ZU.Object({
    region: Name,
    kubernetes: Kubernetes,
    deployments: type/* Type */.ZU.Array(Deployment, { minItems: 1, default: [{ name: 'aegis-api' }] }),
    app: type/* Type */.ZU.Object({
        url: type/* Type */.ZU.Optional(Url),
        connectionsPort: type/* Type */.ZU.Integer({
            default: 8080,
            minimum: 1,
            maximum: 65535,
            description: 'Pod port that serves /debug/connections (read through the pod proxy).',
        }),
        connectionsPath: type/* Type */.ZU.String({ default: '/debug/connections' }),
    }, { ...Strict, default: {} }),
}, Strict);
const RdsDatabase = type/* Type */.ZU.Object({
    type: type/* Type */.ZU.Literal('rds'),
    instance: Name,
    replica: type/* Type */.ZU.Optional(type/* Type */.ZU.String({ description: 'Cross-region read replica in the DR region.' })),
}, Strict);
const AzureSqlDatabase = type/* Type */.ZU.Object({
    type: type/* Type */.ZU.Literal('azure-sql'),
    subscriptionId: Name,
    failoverGroup: Name,
    primary: type/* Type */.ZU.Object({ resourceGroup: Name, server: Name }, Strict),
    dr: type/* Type */.ZU.Object({ resourceGroup: Name, server: Name }, Strict),
    allowDataLoss: type/* Type */.ZU.Boolean({ default: false }),
}, Strict);
const CloudSqlDatabase = type/* Type */.ZU.Object({
    type: type/* Type */.ZU.Literal('cloud-sql'),
    project: Name,
    instance: Name,
    failoverReplica: type/* Type */.ZU.Optional(type/* Type */.ZU.String({ description: 'In-region HA standby name (informational).' })),
    replica: type/* Type */.ZU.Optional(type/* Type */.ZU.String({ description: 'Cross-region read replica in the DR region.' })),
}, Strict);
const Targets = type/* Type */.ZU.Object({ primary: Name, dr: Name }, Strict);
const Route53Traffic = type/* Type */.ZU.Object({
    type: type/* Type */.ZU.Literal('route53'),
    hostedZoneId: Name,
    record: Name,
    recordType: type/* Type */.ZU.String({ default: 'CNAME' }),
    targets: Targets,
    healthCheckId: type/* Type */.ZU.Optional(type/* Type */.ZU.String({ description: 'Primary health check to disable.' })),
}, Strict);
const TrafficManagerTraffic = type/* Type */.ZU.Object({
    type: type/* Type */.ZU.Literal('traffic-manager'),
    subscriptionId: Name,
    resourceGroup: Name,
    profile: Name,
    endpointType: type/* Type */.ZU.String({ default: 'azureEndpoints' }),
    endpoints: Targets,
    record: type/* Type */.ZU.Optional(type/* Type */.ZU.String({ description: 'The DNS name that the profile answers.' })),
    targets: type/* Type */.ZU.Optional(Targets),
}, Strict);
const CloudDnsTraffic = type/* Type */.ZU.Object({
    type: type/* Type */.ZU.Literal('cloud-dns'),
    project: Name,
    zone: Name,
    record: Name,
    recordType: type/* Type */.ZU.String({ default: 'CNAME' }),
    targets: Targets,
}, Strict);
const PoolSizes = {
    min: type/* Type */.ZU.Integer({ minimum: 0, default: 3 }),
    max: type/* Type */.ZU.Integer({ minimum: 1, default: 10 }),
    active: type/* Type */.ZU.Integer({ minimum: 0, default: 6 }),
    standby: type/* Type */.ZU.Integer({ minimum: 0, default: 3 }),
};
const PerSite = type/* Type */.ZU.Object({ primary: Name, dr: Name }, Strict);
const EksPool = type/* Type */.ZU.Object({ type: type/* Type */.ZU.Literal('eks'), cluster: PerSite, nodegroup: Name, ...PoolSizes }, Strict);
const AksPool = type/* Type */.ZU.Object({
    type: type/* Type */.ZU.Literal('aks'),
    subscriptionId: Name,
    resourceGroup: PerSite,
    cluster: PerSite,
    pool: Name,
    ...PoolSizes,
}, Strict);
const GkePool = type/* Type */.ZU.Object({
    type: type/* Type */.ZU.Literal('gke'),
    project: Name,
    cluster: PerSite,
    pool: Name,
    ...PoolSizes,
}, Strict);
const Endpoints = type/* Type */.ZU.Object({
    rds: type/* Type */.ZU.Optional(Url),
    route53: type/* Type */.ZU.Optional(Url),
    eks: type/* Type */.ZU.Optional(Url),
    arm: type/* Type */.ZU.Optional(Url),
    sqladmin: type/* Type */.ZU.Optional(Url),
    clouddns: type/* Type */.ZU.Optional(Url),
    container: type/* Type */.ZU.Optional(Url),
    dns: type/* Type */.ZU.Optional(type/* Type */.ZU.String({
        pattern: '^[^:]+:[0-9]+$',
        description: 'host:port of an authoritative DNS server to query instead of the zone NS.',
    })),
}, { ...Strict, description: 'Endpoint overrides: sovereign clouds, private endpoints, the sandbox.' });
const Stack = type/* Type */.ZU.Object({
    cloud: CloudName,
    primary: Site,
    dr: Site,
    database: type/* Type */.ZU.Union([RdsDatabase, AzureSqlDatabase, CloudSqlDatabase]),
    traffic: type/* Type */.ZU.Union([Route53Traffic, TrafficManagerTraffic, CloudDnsTraffic]),
    nodePool: type/* Type */.ZU.Union([EksPool, AksPool, GkePool]),
    publicUrl: type/* Type */.ZU.Optional(type/* Type */.ZU.String({
        pattern: '^https?://',
        description: "The public API URL served through this stack's traffic switch (verify reads /health there); default: application.url.",
    })),
    endpoints: type/* Type */.ZU.Optional(Endpoints),
}, Strict);
const IncidentClass = type/* Type */.ZU.Object({
    description: type/* Type */.ZU.Optional(type/* Type */.ZU.String()),
    phases: type/* Type */.ZU.Optional(type/* Type */.ZU.Array(PhaseName, { minItems: 1, description: 'The phases this class runs, in order; default: the runbook\'s.' })),
    rto: type/* Type */.ZU.Optional({ ...Duration, description: 'Recovery time objective; default: the runbook\'s.' }),
    rpo: type/* Type */.ZU.Optional({ ...Duration, description: 'Recovery point objective; default: the runbook\'s.' }),
    databaseMode: type/* Type */.ZU.Optional(DatabaseMode),
}, { ...Strict, description: 'Overrides of one runbook incident class; what is not written keeps the runbook default.' });
const Thresholds = type/* Type */.ZU.Object({
    replicationLagSeconds: type/* Type */.ZU.Number({ minimum: 0, default: 30 }),
    backupMaxAge: type/* Type */.ZU.String({ ...Duration, default: '6h', description: 'The newest backup must be younger than this.' }),
    dnsTtlSeconds: type/* Type */.ZU.Integer({ minimum: 0, default: 60 }),
    errorRate: type/* Type */.ZU.Number({ minimum: 0, maximum: 1, default: 0.01 }),
    errorRateWindow: type/* Type */.ZU.String({
        ...Duration,
        default: '5m',
        description: 'The error rate must stay below errorRate for this long after failover.',
    }),
    failbackHealthyFor: type/* Type */.ZU.String({
        ...Duration,
        default: '2h',
        description: 'The primary must be healthy this long before failback.',
    }),
    replicas: type/* Type */.ZU.Object({
        standby: type/* Type */.ZU.Integer({ minimum: 0, default: 2 }),
        production: type/* Type */.ZU.Integer({ minimum: 1, default: 6 }),
    }, { ...Strict, default: {} }),
    deadlines: type/* Type */.ZU.Object({
        drain: type/* Type */.ZU.String({ ...Duration, default: '5m' }),
        database: type/* Type */.ZU.String({ ...Duration, default: '15m' }),
        traffic: type/* Type */.ZU.String({ ...Duration, default: '10m' }),
        scale: type/* Type */.ZU.String({ ...Duration, default: '15m' }),
        verify: type/* Type */.ZU.String({ ...Duration, default: '10m' }),
    }, { ...Strict, default: {} }),
}, { ...Strict, default: {} });
const Triggers = type/* Type */.ZU.Object({
    healthScoreBelow: type/* Type */.ZU.Number({ minimum: 0, maximum: 1, default: 0.3 }),
    healthCheckFailuresAbove: type/* Type */.ZU.Integer({ minimum: 0, default: 5 }),
    failureWindow: type/* Type */.ZU.String({ ...Duration, default: '5m', description: 'Window of the health-check failure count.' }),
    replicationLagAbove: type/* Type */.ZU.Number({ minimum: 0, default: 120 }),
    consecutive: type/* Type */.ZU.Integer({
        minimum: 1,
        default: 3,
        description: 'A condition fires only after holding for this many consecutive evaluations.',
    }),
    holdFor: type/* Type */.ZU.String({
        ...Duration,
        default: '0s',
        description: 'Extra time a condition must hold after the consecutive evaluations; default none.',
    }),
    interval: type/* Type */.ZU.String({ ...Duration, default: '30s', description: 'Time between two evaluations.' }),
}, { ...Strict, default: {} });
const Prometheus = type/* Type */.ZU.Object({
    url: Url,
    queries: type/* Type */.ZU.Object({
        healthScore: type/* Type */.ZU.String({ default: 'avg(aegis_health_status) by (region)' }),
        healthCheckFailures: type/* Type */.ZU.String({ default: 'increase(aegis_health_check_failures_total[5m])' }),
        replicationLag: type/* Type */.ZU.String({ default: 'aegis_db_replication_lag_seconds' }),
        errorRate: type/* Type */.ZU.String({
            default: 'sum(rate(aegis_http_requests_total{status=~"5.."}[5m])) by (region) / sum(rate(aegis_http_requests_total[5m])) by (region)',
        }),
        primaryHealthy: type/* Type */.ZU.String({ default: 'min_over_time(aegis_health_status{site="primary"}[2h])' }),
    }, { ...Strict, default: {} }),
}, Strict);
const Application = type/* Type */.ZU.Object({
    publicName: type/* Type */.ZU.String({ default: 'api.aegis.io' }),
    url: Url,
    primaryUrl: type/* Type */.ZU.Optional(Url),
    drUrl: type/* Type */.ZU.Optional(Url),
    integrityJob: type/* Type */.ZU.Object({
        image: type/* Type */.ZU.String({ default: 'ghcr.io/cloud-aegis/aegis:stable' }),
        command: type/* Type */.ZU.Array(type/* Type */.ZU.String(), { default: ['./aegis', 'db', 'check-integrity'] }),
    }, { ...Strict, default: {} }),
    syncJob: type/* Type */.ZU.Object({
        image: type/* Type */.ZU.String({ default: 'ghcr.io/cloud-aegis/aegis:stable' }),
        command: type/* Type */.ZU.Array(type/* Type */.ZU.String(), { default: ['./aegis', 'dr', 'sync-from-dr'] }),
    }, { ...Strict, default: {} }),
    configMap: type/* Type */.ZU.Object({
        name: type/* Type */.ZU.String({ default: 'aegis-config' }),
        ignoreKeys: type/* Type */.ZU.Array(type/* Type */.ZU.String(), {
            default: ['region', 'cloud.region'],
            description: 'Keys that legitimately differ between the sites and are left out of the drift check.',
        }),
    }, { ...Strict, default: {} }),
    scanRequest: type/* Type */.ZU.Unknown({ default: { scope: 'test', providers: ['aws'] } }),
    tokenEnv: type/* Type */.ZU.String({ default: 'AEGIS_API_TOKEN' }),
}, Strict);
const Channel = type/* Type */.ZU.Object({
    type: type/* Type */.ZU.Union([
        type/* Type */.ZU.Literal('slack'),
        type/* Type */.ZU.Literal('pagerduty'),
        type/* Type */.ZU.Literal('webhook'),
        type/* Type */.ZU.Literal('email'),
        type/* Type */.ZU.Literal('statuspage'),
    ]),
    target: type/* Type */.ZU.Optional(type/* Type */.ZU.String()),
    url: type/* Type */.ZU.Optional(Url),
    secretEnv: type/* Type */.ZU.Optional(type/* Type */.ZU.String({ description: 'Environment variable holding the secret.' })),
}, { additionalProperties: true });
const EscalationRule = type/* Type */.ZU.Object({
    when: type/* Type */.ZU.String(),
    notify: type/* Type */.ZU.Array(type/* Type */.ZU.String()),
    action: type/* Type */.ZU.Optional(type/* Type */.ZU.String()),
}, { additionalProperties: true });
const schema_Plan = type/* Type */.ZU.Object({
    $schema: type/* Type */.ZU.Optional(type/* Type */.ZU.String()),
    apiVersion: type/* Type */.ZU.Literal('aegis.io/v1'),
    kind: type/* Type */.ZU.Literal('DRPlan'),
    service: Name,
    application: Application,
    prometheus: type/* Type */.ZU.Optional(Prometheus),
    thresholds: Thresholds,
    triggers: Triggers,
    incidentClasses: type/* Type */.ZU.Object({
        'region-outage': type/* Type */.ZU.Optional(IncidentClass),
        'database-corruption': type/* Type */.ZU.Optional(IncidentClass),
        'network-partition': type/* Type */.ZU.Optional(IncidentClass),
        'compute-failure': type/* Type */.ZU.Optional(IncidentClass),
    }, { ...Strict, default: {} }),
    stacks: type/* Type */.ZU.Record(type/* Type */.ZU.String({ pattern: '^[a-z][a-z0-9-]*$' }), Stack, {
        minProperties: 1,
        additionalProperties: false,
        description: 'One entry per cloud stack; the key is the stack name (aws, azure, gcp, ...).',
    }),
    notifications: type/* Type */.ZU.Optional(type/* Type */.ZU.Object({
        channels: type/* Type */.ZU.Record(type/* Type */.ZU.String(), Channel, { default: {} }),
    }, { additionalProperties: true })),
    escalation: type/* Type */.ZU.Optional(type/* Type */.ZU.Array(EscalationRule)),
}, { ...Strict, $id: 'https://cloud-aegis.io/schemas/dr-plan.schema.json', title: 'Cloud Aegis DR plan' });
const schemas = { Plan: schema_Plan };

;// CONCATENATED MODULE: ./src/plan/json-schema.ts
/**
 * The plan's JSON Schema, derived from the TypeBox schema in `schema.ts`.
 *
 * `planJsonSchema()` is what we publish (`schema/dr-plan.schema.json`, for editors through the
 * yaml-language-server `$schema` comment); `validationSchema()` is the same document tuned for
 * the loader: unions of objects are discriminated on `type`, so a wrong field yields the error of
 * the member its `type` selects instead of every member's.
 */


const DRAFT = 'http://json-schema.org/draft-07/schema#';
function isObject(v) {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}
/** Deep copy without TypeBox's symbol keys, with tidy-ups applied to every subschema. */
function tidy(node, discriminate) {
    if (Array.isArray(node))
        return node.map((n) => tidy(n, discriminate));
    if (!isObject(node))
        return node;
    const out = {};
    for (const [k, v] of Object.entries(node)) {
        // `default` and `const` values are data, not schemas
        out[k] = k === 'default' || k === 'const' || k === 'enum' ? structuredClone(v) : tidy(v, discriminate);
    }
    const anyOf = out.anyOf;
    if (Array.isArray(anyOf) && anyOf.length > 0) {
        // A union of string literals reads better (for editors and in errors) as an enum.
        if (anyOf.every((m) => isObject(m) && 'const' in m && m.type === 'string')) {
            const { anyOf: _drop, ...rest } = out;
            return { type: 'string', enum: anyOf.map((m) => m.const), ...rest };
        }
        // A union of objects told apart by a `type` literal.
        const tagged = anyOf.every((m) => isObject(m) &&
            isObject(m.properties) &&
            isObject(m.properties.type) &&
            'const' in m.properties.type);
        if (tagged && discriminate) {
            const { anyOf: _drop, ...rest } = out;
            return { type: 'object', discriminator: { propertyName: 'type' }, oneOf: anyOf, ...rest };
        }
    }
    // A field that has a default need not be written: take it out of `required`, so editors do not
    // ask for it (the loader fills it in).
    if (Array.isArray(out.required) && isObject(out.properties)) {
        const props = out.properties;
        const required = out.required.filter((name) => !(isObject(props[name]) && 'default' in props[name]));
        if (required.length > 0)
            out.required = required;
        else
            delete out.required;
    }
    return out;
}
/** The published JSON Schema of a DR plan file (draft-07), as a plain JSON object. */
function planJsonSchema() {
    const body = tidy(Plan, false);
    return { $schema: DRAFT, ...body };
}
/** The schema the loader compiles with ajv (`discriminator: true`). */
function validationSchema() {
    const { $schema: _drop, ...body } = { $schema: DRAFT, ...tidy(schema_Plan, true) };
    return body;
}
/** The text of `schema/dr-plan.schema.json`: `planJsonSchema()` pretty-printed, with a final newline. */
function planJsonSchemaText() {
    return `${JSON.stringify(planJsonSchema(), null, 2)}\n`;
}
/** Write the published schema (the build calls this with `schema/dr-plan.schema.json`). */
async function writePlanJsonSchema(file) {
    await writeFile(file, planJsonSchemaText(), 'utf8');
}

;// CONCATENATED MODULE: ./src/plan/load.ts
/**
 * Load a DR plan file: parse the YAML, validate it against the schema and the rules the schema
 * cannot express, and resolve it (defaults, durations in ms, the runbook's incident classes).
 *
 * Every problem is reported at once, each with the file, line and column of the key or value at
 * fault, its dotted path and one sentence saying what was found and what was expected. Nothing is
 * read or contacted besides the plan file itself: kubeconfig paths are resolved, not opened.
 */










/** The file name used for plans that do not come from a file. */
const INLINE = '<inline>';
/** Format one problem as `file:line:column: path: message`. */
function formatProblem(p) {
    return `${p.file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}
/** A plan file that cannot be used; `problems` holds every problem found, in file order. */
class PlanError extends errors/* UserError */.yo {
    problems;
    constructor(problems) {
        const file = problems[0]?.file ?? INLINE;
        const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
        super(`The DR plan ${file} has ${count}:\n${problems.map(formatProblem).join('\n')}`);
        this.name = 'PlanError';
        this.problems = problems;
    }
}
const isObj = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
/** `stacks.aws.primary.deployments[0].name` */
function formatPath(segs) {
    let out = '';
    for (const s of segs)
        out += typeof s === 'number' ? `[${s}]` : out ? `.${s}` : s;
    return out;
}
function code(v) {
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    return `\`${s !== undefined && s.length > 60 ? `${s.slice(0, 57)}...` : s}\``;
}
function describeValue(v) {
    if (v === null || v === undefined)
        return 'no value';
    if (Array.isArray(v))
        return 'a list';
    if (isObj(v))
        return 'a mapping';
    if (typeof v === 'string')
        return `the string ${code(v)}`;
    if (typeof v === 'boolean')
        return `the boolean ${v}`;
    if (typeof v === 'number')
        return Number.isInteger(v) ? `the integer ${v}` : `the number ${v}`;
    return code(v);
}
const TYPE_NAMES = {
    string: 'a string',
    integer: 'a whole number',
    number: 'a number',
    boolean: 'true or false',
    object: 'a mapping of keys to values',
    array: 'a list',
    null: 'no value',
};
function didYouMean(word, options) {
    if (options.length === 0)
        return undefined;
    const best = (0,mod/* closest */.kp)(word, options);
    const d = (0,mod/* distance */.Io)(word.toLowerCase(), best.toLowerCase());
    return d <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}
function list(values) {
    return values.map((v) => String(v)).join(', ');
}
function getAt(data, segs) {
    let cur = data;
    for (const s of segs) {
        if (Array.isArray(cur))
            cur = cur[Number(s)];
        else if (isObj(cur))
            cur = cur[String(s)];
        else
            return undefined;
    }
    return cur;
}
function pointerToSegs(pointer, data) {
    if (!pointer)
        return [];
    const out = [];
    let cur = data;
    for (const raw of pointer.slice(1).split('/')) {
        const s = raw.replace(/~1/g, '/').replace(/~0/g, '~');
        const seg = Array.isArray(cur) && /^[0-9]+$/.test(s) ? Number(s) : s;
        out.push(seg);
        cur = getAt(cur, [seg]);
    }
    return out;
}
// ---------------------------------------------------------------------------------------------
// Schema validation (ajv on the TypeBox schema, unions discriminated on `type`).
let compiled;
function validator() {
    if (!compiled) {
        const ajv = new dist_ajv.Ajv({
            allErrors: true,
            useDefaults: true,
            strict: true,
            discriminator: true,
            verbose: true,
        });
        compiled = ajv.compile(validationSchema());
    }
    return compiled;
}
const DURATION_PATTERN = '^([0-9]+(ms|s|m|h))+$';
const URL_PATTERN = '^https?://';
const HOSTPORT_PATTERN = '^[^:]+:[0-9]+$';
function schemaHint(schema) {
    if (!isObj(schema))
        return '';
    if (schema.pattern === DURATION_PATTERN)
        return ' (a duration such as 5m)';
    if (schema.pattern === URL_PATTERN)
        return ' (an http:// or https:// URL)';
    if (Array.isArray(schema.enum))
        return ` (one of ${list(schema.enum)})`;
    if (isObj(schema.discriminator) && Array.isArray(schema.oneOf))
        return ` (with a \`type\` of ${list(tags(schema))})`;
    if (typeof schema.const === 'string')
        return ` (\`${schema.const}\`)`;
    if (typeof schema.type === 'string' && TYPE_NAMES[schema.type])
        return ` (${TYPE_NAMES[schema.type]})`;
    return '';
}
function tags(schema) {
    return schema.oneOf.map((m) => String(m.properties.type.const));
}
function schemaError(e, data) {
    const segs = pointerToSegs(e.instancePath, data);
    const value = e.data;
    const parent = (e.parentSchema ?? {});
    const params = e.params;
    switch (e.keyword) {
        case 'required': {
            const missing = String(params.missingProperty);
            const fieldSchema = isObj(parent.properties) ? parent.properties[missing] : undefined;
            const holder = segs.length ? `\`${formatPath(segs)}\`` : 'The plan';
            return {
                segs: [...segs, missing],
                where: 'parent',
                message: `${holder} has no \`${missing}\`; add the required field \`${missing}\`${schemaHint(fieldSchema)}.`,
            };
        }
        case 'additionalProperties': {
            const key = String(params.additionalProperty);
            if (isObj(parent.patternProperties)) {
                const pattern = Object.keys(parent.patternProperties)[0];
                return {
                    segs: [...segs, key],
                    where: 'key',
                    message: `The name ${code(key)} is not valid; expected lowercase letters, digits and dashes, starting with a letter (pattern ${pattern}), such as aws or gcp-eu.`,
                };
            }
            const allowed = Object.keys(parent.properties ?? {});
            const guess = didYouMean(key, allowed);
            return {
                segs: [...segs, key],
                where: 'key',
                message: `Unknown key ${code(key)}${guess ? `; did you mean \`${guess}\`?` : '.'} Allowed keys here: ${list(allowed)}.`,
            };
        }
        case 'type': {
            const expected = String(params.type)
                .split(',')
                .map((t) => TYPE_NAMES[t] ?? t)
                .join(' or ');
            const hint = typeof parent.type === 'string' && schemaHint(parent) === ` (${TYPE_NAMES[parent.type]})`
                ? ''
                : schemaHint(parent);
            return { segs, where: 'value', message: `Found ${describeValue(value)}, expected ${expected}${hint}.` };
        }
        case 'enum': {
            const allowed = params.allowedValues ?? [];
            const guess = typeof value === 'string' ? didYouMean(value, allowed.map(String)) : undefined;
            return {
                segs,
                where: 'value',
                message: `Found ${code(value)}, expected one of ${list(allowed)}${guess ? `; did you mean \`${guess}\`?` : '.'}`,
            };
        }
        case 'const':
            return {
                segs,
                where: 'value',
                message: `Found ${code(value)}, expected \`${String(params.allowedValue)}\`.`,
            };
        case 'pattern': {
            const pattern = String(params.pattern);
            if (pattern === DURATION_PATTERN) {
                return {
                    segs,
                    where: 'value',
                    message: `${code(value)} is not a duration; expected a whole number followed by ms, s, m or h, such as 90s, 5m, 2h or 1h30m.`,
                };
            }
            if (pattern === URL_PATTERN) {
                return {
                    segs,
                    where: 'value',
                    message: `${code(value)} is not a URL; expected an http:// or https:// URL such as https://api.aegis.io.`,
                };
            }
            if (pattern === HOSTPORT_PATTERN) {
                return {
                    segs,
                    where: 'value',
                    message: `${code(value)} is not a host:port address; expected a host and a port such as 127.0.0.1:53.`,
                };
            }
            return {
                segs,
                where: 'value',
                message: `${code(value)} does not match the expected pattern ${pattern}.`,
            };
        }
        case 'minLength':
            return { segs, where: 'value', message: 'The value is empty; expected a non-empty string.' };
        case 'minimum':
        case 'maximum':
        case 'exclusiveMinimum':
        case 'exclusiveMaximum':
            return {
                segs,
                where: 'value',
                message: `Found ${String(value)}, expected a number ${String(params.comparison)} ${String(params.limit)}.`,
            };
        case 'minItems':
            return {
                segs,
                where: 'value',
                message: `The list has ${Array.isArray(value) ? value.length : 0} item(s), expected at least ${String(params.limit)}.`,
            };
        case 'minProperties':
            if (segs.length === 1 && segs[0] === 'stacks') {
                return {
                    segs,
                    where: 'key',
                    message: 'No stacks are defined; expected at least one stack, such as `aws:` with its cloud, sites, database, traffic and nodePool.',
                };
            }
            return {
                segs,
                where: 'key',
                message: `The mapping is empty; expected at least ${String(params.limit)} entry.`,
            };
        case 'discriminator': {
            const kinds = tags(parent);
            const what = String(segs[segs.length - 1] ?? 'value');
            if (params.error === 'tag' && (!isObj(value) || !('type' in value))) {
                return {
                    segs,
                    where: 'key',
                    message: `\`${what}\` has no \`type\`; expected \`type\` to be one of ${list(kinds)}.`,
                };
            }
            const found = isObj(value) ? value.type : undefined;
            const guess = typeof found === 'string' ? didYouMean(found, kinds) : undefined;
            return {
                segs: [...segs, 'type'],
                where: 'value',
                message: `Found ${what} type ${code(found)}, expected one of ${list(kinds)}${guess ? `; did you mean \`${guess}\`?` : '.'}`,
            };
        }
        default:
            return { segs, where: 'value', message: `${e.message ?? 'is not valid'} (${e.keyword}).` };
    }
}
function schemaProblems(errors, data) {
    // A value of the wrong type makes every other complaint about the same value noise.
    const typed = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
    const out = [];
    for (const e of errors) {
        if (e.keyword !== 'type' && typed.has(e.instancePath))
            continue;
        out.push(schemaError(e, data));
    }
    return out;
}
// ---------------------------------------------------------------------------------------------
// Checks the schema cannot express.
const URL_FIELDS = [
    ['application', 'url'],
    ['application', 'primaryUrl'],
    ['application', 'drUrl'],
    ['prometheus', 'url'],
];
/** Durations that must be positive (a zero deadline or window cannot be met or measured). */
const POSITIVE_DURATIONS = [
    ['thresholds', 'backupMaxAge'],
    ['thresholds', 'errorRateWindow'],
    ['thresholds', 'failbackHealthyFor'],
    ['thresholds', 'deadlines', 'drain'],
    ['thresholds', 'deadlines', 'database'],
    ['thresholds', 'deadlines', 'traffic'],
    ['thresholds', 'deadlines', 'scale'],
    ['thresholds', 'deadlines', 'verify'],
    ['triggers', 'failureWindow'],
    ['triggers', 'interval'],
];
const OTHER_DURATIONS = [['triggers', 'holdFor']];
function checkUrl(raw, segs, value) {
    if (typeof value !== 'string' || !/^https?:\/\//.test(value))
        return; // the schema reports these
    let url;
    try {
        url = new URL(value);
    }
    catch {
        raw.push({
            segs,
            where: 'value',
            message: `${code(value)} is not a well-formed URL; expected scheme://host[:port][/path].`,
        });
        return;
    }
    if (!url.hostname) {
        raw.push({
            segs,
            where: 'value',
            message: `${code(value)} has no host name; expected scheme://host[:port][/path].`,
        });
    }
    else if (url.username || url.password) {
        raw.push({
            segs,
            where: 'value',
            message: `${code(value)} embeds credentials; remove them from the URL and pass secrets through the environment.`,
        });
    }
}
function checkDuration(raw, segs, value, positive) {
    if (typeof value !== 'string' || !new RegExp(DURATION_PATTERN).test(value))
        return undefined; // schema
    try {
        const ms = (0,duration/* parseDuration */.E9)(value);
        if (positive && ms === 0) {
            raw.push({
                segs,
                where: 'value',
                message: `Found a zero duration ${code(value)}, expected a duration longer than 0s.`,
            });
        }
        return ms;
    }
    catch (err) {
        raw.push({ segs, where: 'value', message: err.message });
        return undefined;
    }
}
const load_int = (v) => typeof v === 'number' && Number.isInteger(v) ? v : undefined;
function semanticProblems(doc, written) {
    const raw = [];
    for (const segs of URL_FIELDS)
        checkUrl(raw, segs, getAt(doc, segs));
    for (const segs of POSITIVE_DURATIONS)
        checkDuration(raw, segs, getAt(doc, segs), true);
    for (const segs of OTHER_DURATIONS)
        checkDuration(raw, segs, getAt(doc, segs), false);
    const replicas = isObj(getAt(doc, ['thresholds', 'replicas']))
        ? getAt(doc, ['thresholds', 'replicas'])
        : {};
    const standbyDefault = load_int(replicas.standby);
    const productionDefault = load_int(replicas.production);
    if (standbyDefault !== undefined && productionDefault !== undefined && standbyDefault > productionDefault) {
        raw.push({
            segs: ['thresholds', 'replicas', 'standby'],
            where: 'value',
            message: `Standby replicas (${standbyDefault}) exceed production replicas (${productionDefault}); expected standby <= production.`,
        });
    }
    // Incident classes: durations, duplicate phases; resolved for the cross-stack checks below.
    const classes = resolveClasses(doc, raw);
    // Stacks.
    const stacks = isObj(doc.stacks) ? doc.stacks : {};
    for (const [name, stackValue] of Object.entries(stacks)) {
        if (!isObj(stackValue))
            continue;
        const at = (...rest) => ['stacks', name, ...rest];
        const cloud = stackValue.cloud;
        const wanted = CLOUD_TYPES[cloud];
        for (const section of ['database', 'traffic', 'nodePool']) {
            const found = isObj(stackValue[section]) ? stackValue[section].type : undefined;
            if (!wanted || typeof found !== 'string' || found === wanted[section])
                continue;
            const owner = Object.keys(CLOUD_TYPES).find((c) => CLOUD_TYPES[c][section] === found);
            if (!owner)
                continue; // an unknown type: the schema reports it
            raw.push({
                segs: at(section, 'type'),
                where: 'value',
                message: `Found ${section} type \`${found}\` (a ${owner} type) on a stack whose cloud is ${cloud}; expected \`${wanted[section]}\`, or set \`cloud: ${owner}\`.`,
            });
        }
        const primary = isObj(stackValue.primary) ? stackValue.primary : {};
        const dr = isObj(stackValue.dr) ? stackValue.dr : {};
        if (typeof primary.region === 'string' && primary.region === dr.region) {
            raw.push({
                segs: at('dr', 'region'),
                where: 'value',
                message: `The DR site is in the primary's region ${code(dr.region)}; expected a different region for the DR site.`,
            });
        }
        // Deployments: counts per deployment and the same set on both sites.
        const names = {};
        for (const site of ['primary', 'dr']) {
            const siteValue = site === 'primary' ? primary : dr;
            const deployments = Array.isArray(siteValue.deployments) ? siteValue.deployments : [];
            names[site] = [];
            deployments.forEach((d, i) => {
                if (!isObj(d) || typeof d.name !== 'string')
                    return;
                if (names[site].includes(d.name)) {
                    raw.push({
                        segs: at(site, 'deployments', i, 'name'),
                        where: 'value',
                        message: `The deployment ${code(d.name)} is listed twice on the ${site} site; expected each deployment once.`,
                    });
                }
                names[site].push(d.name);
                const active = load_int(d.active) ?? productionDefault;
                const standby = load_int(d.standby) ?? standbyDefault;
                const explicit = load_int(d.active) !== undefined || load_int(d.standby) !== undefined;
                if (explicit && active !== undefined && standby !== undefined && active >= 0 && standby > active) {
                    raw.push({
                        segs: at(site, 'deployments', i, load_int(d.standby) !== undefined ? 'standby' : 'active'),
                        where: 'value',
                        message: `The deployment ${code(d.name)} has more standby replicas (${standby}) than active replicas (${active}); expected standby <= active.`,
                    });
                }
            });
        }
        if (names.primary.length > 0 && names.dr.length > 0) {
            for (const [site, other] of [
                ['primary', 'dr'],
                ['dr', 'primary'],
            ]) {
                for (const n of names[site].filter((x) => !names[other].includes(x))) {
                    raw.push({
                        segs: at(site, 'deployments', names[site].indexOf(n), 'name'),
                        where: 'value',
                        message: `The deployment ${code(n)} is on the ${site} site but not on the ${other} site; expected both sites to list the same deployments.`,
                    });
                }
            }
        }
        // Kubeconfig must be a path (resolved later, never read here).
        for (const site of ['primary', 'dr']) {
            const siteValue = site === 'primary' ? primary : dr;
            const k8s = isObj(siteValue.kubernetes) ? siteValue.kubernetes : {};
            if (typeof k8s.kubeconfig === 'string' && k8s.kubeconfig.trim() === '') {
                raw.push({
                    segs: at(site, 'kubernetes', 'kubeconfig'),
                    where: 'value',
                    message: 'The kubeconfig path is empty; expected a path relative to the plan file, or omit it to use $KUBECONFIG.',
                });
            }
            const app = isObj(siteValue.app) ? siteValue.app : {};
            checkUrl(raw, at(site, 'app', 'url'), app.url);
        }
        checkUrl(raw, at('publicUrl'), stackValue.publicUrl);
        // Node pool sizes.
        const pool = isObj(stackValue.nodePool) ? stackValue.nodePool : {};
        const count = (v) => load_int(v) !== undefined && v >= 0 ? v : undefined;
        const [min, max, active, standby] = [
            count(pool.min),
            count(pool.max),
            count(pool.active),
            count(pool.standby),
        ];
        if (min !== undefined && max !== undefined) {
            if (min > max) {
                raw.push({
                    segs: at('nodePool', 'min'),
                    where: 'value',
                    message: `The node pool min (${min}) is above its max (${max}); expected min <= max.`,
                });
            }
            else {
                for (const [field, n] of [
                    ['active', active],
                    ['standby', standby],
                ]) {
                    if (n !== undefined && (n < min || n > max)) {
                        raw.push({
                            segs: at('nodePool', field),
                            where: 'value',
                            message: `The node pool ${field} size (${n}) is outside min..max (${min}..${max}); expected min <= ${field} <= max.`,
                        });
                    }
                }
            }
        }
        if (active !== undefined && standby !== undefined && standby > active) {
            raw.push({
                segs: at('nodePool', 'standby'),
                where: 'value',
                message: `The node pool standby size (${standby}) is above its active size (${active}); expected standby <= active.`,
            });
        }
        // Cross-region database failover promotes a named read replica.
        const db = isObj(stackValue.database) ? stackValue.database : {};
        if (REPLICA_DATABASE_TYPES.includes(db.type) && !db.replica) {
            const needing = Object.values(classes).filter((c) => c.databaseMode === 'cross-region' && c.phases.includes('database'));
            if (needing.length > 0) {
                raw.push({
                    segs: at('database'),
                    where: 'key',
                    message: `The ${String(db.type)} database has no \`replica\`, but incident class ${needing.map((c) => c.name).join(', ')} fails over cross-region; name the DR-region read replica in \`replica\`, or set that class's databaseMode to in-region.`,
                });
            }
        }
        // Endpoint overrides.
        const endpoints = isObj(stackValue.endpoints) ? stackValue.endpoints : {};
        for (const [key, value] of Object.entries(endpoints)) {
            if (key === 'dns') {
                const port = typeof value === 'string' ? Number(value.slice(value.lastIndexOf(':') + 1)) : NaN;
                if (typeof value === 'string' && /^[^:]+:[0-9]+$/.test(value) && (port < 1 || port > 65535)) {
                    raw.push({
                        segs: at('endpoints', 'dns'),
                        where: 'value',
                        message: `The DNS server port ${port} is out of range; expected a port from 1 to 65535.`,
                    });
                }
            }
            else {
                checkUrl(raw, at('endpoints', key), value);
            }
        }
    }
    // Prometheus answers the trigger queries and the verify phase's error-rate check.
    if (!isObj(doc.prometheus)) {
        const usesTriggersPhase = Object.values(classes).some((c) => c.phases.includes('triggers'));
        const thresholds = isObj(written.thresholds) ? written.thresholds : {};
        let reason;
        if ('triggers' in written)
            reason = { segs: ['triggers'], what: 'The `triggers` section' };
        else if (usesTriggersPhase)
            reason = { segs: ['incidentClasses'], what: 'An incident class that runs the `triggers` phase' };
        else if ('errorRate' in thresholds)
            reason = { segs: ['thresholds', 'errorRate'], what: 'The verify error-rate threshold' };
        else if ('errorRateWindow' in thresholds)
            reason = { segs: ['thresholds', 'errorRateWindow'], what: 'The verify error-rate window' };
        if (reason) {
            raw.push({
                segs: reason.segs,
                where: 'key',
                message: `${reason.what} needs Prometheus, but the plan has no \`prometheus\` section; add \`prometheus: { url: ... }\` with the server's URL.`,
            });
        }
    }
    // Notifications and escalation.
    const channels = isObj(getAt(doc, ['notifications', 'channels']))
        ? getAt(doc, ['notifications', 'channels'])
        : {};
    for (const [name, ch] of Object.entries(channels)) {
        if (!isObj(ch))
            continue;
        checkUrl(raw, ['notifications', 'channels', name, 'url'], ch.url);
        if ((ch.type === 'webhook' || ch.type === 'statuspage') && ch.url === undefined) {
            raw.push({
                segs: ['notifications', 'channels', name],
                where: 'key',
                message: `The ${ch.type} channel ${code(name)} has no \`url\`; add the URL to post to.`,
            });
        }
    }
    const escalation = Array.isArray(doc.escalation) ? doc.escalation : [];
    escalation.forEach((rule, i) => {
        if (!isObj(rule) || !Array.isArray(rule.notify))
            return;
        rule.notify.forEach((target, j) => {
            if (typeof target !== 'string' || target in channels)
                return;
            const names = Object.keys(channels);
            const guess = didYouMean(target, names);
            raw.push({
                segs: ['escalation', i, 'notify', j],
                where: 'value',
                message: `The escalation rule notifies ${code(target)}, which is not a channel in notifications.channels; expected one of ${names.length ? list(names) : '(no channels defined)'}${guess ? `; did you mean \`${guess}\`?` : '.'}`,
            });
        });
    });
    return raw;
}
function resolveClasses(doc, raw) {
    const written = isObj(doc.incidentClasses) ? doc.incidentClasses : {};
    const out = {};
    for (const name of INCIDENT_CLASS_NAMES) {
        const base = DEFAULT_CLASSES[name];
        const over = isObj(written[name]) ? written[name] : {};
        const phases = Array.isArray(over.phases)
            ? over.phases
            : [...base.phases];
        phases.forEach((p, i) => {
            if (phases.indexOf(p) !== i) {
                raw.push({
                    segs: ['incidentClasses', name, 'phases', i],
                    where: 'value',
                    message: `The phase \`${p}\` is listed twice; expected each phase once.`,
                });
            }
        });
        const rtoMs = checkDuration(raw, ['incidentClasses', name, 'rto'], over.rto, true) ?? (0,duration/* parseDuration */.E9)(base.rto);
        const rpoMs = checkDuration(raw, ['incidentClasses', name, 'rpo'], over.rpo, false) ?? (0,duration/* parseDuration */.E9)(base.rpo);
        out[name] = {
            name,
            description: typeof over.description === 'string' ? over.description : base.description,
            phases,
            rtoMs,
            rpoMs,
            databaseMode: over.databaseMode ?? base.databaseMode,
        };
    }
    return out;
}
// ---------------------------------------------------------------------------------------------
// YAML: parse, and map a path back to a line and column.
function yamlProblemMessage(code, message, keyText) {
    switch (code) {
        case 'DUPLICATE_KEY':
            return `The key ${keyText ? `\`${keyText}\` ` : ''}appears more than once in this mapping; expected each key once, so remove or merge the repeated one.`;
        case 'TAB_AS_INDENT':
            return 'A tab is used for indentation; YAML indents with spaces only, so replace the tab with spaces.';
        case 'MULTIPLE_DOCS':
            return 'The file holds more than one YAML document; a plan is a single document, so remove the `---` separator and what follows it.';
        default:
            return `YAML syntax error: ${message.replace(/\.$/, '')}; fix the YAML at this position.`;
    }
}
class SourceMap {
    doc;
    lines;
    constructor(doc, lines) {
        this.doc = doc;
        this.lines = lines;
    }
    pos(offset) {
        const { line, col } = this.lines.linePos(Math.max(0, offset ?? 0));
        return { line, column: col };
    }
    /** Where the document's content starts (after leading comments), or 1:1. */
    contentStart() {
        return this.pos(SourceMap.start(this.doc.contents) ?? 0);
    }
    /** Walk `segs` through the YAML tree: the deepest key and value nodes found. */
    walk(segs) {
        let cur = this.doc.contents;
        let key;
        let value = cur;
        let found = 0;
        for (const seg of segs) {
            if ((0,dist.isAlias)(cur))
                cur = cur.resolve(this.doc);
            if ((0,dist.isMap)(cur)) {
                const pair = cur.items.findLast((p) => ((0,dist.isScalar)(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
                if (!pair)
                    break;
                key = pair.key;
                value = pair.value;
            }
            else if ((0,dist.isSeq)(cur)) {
                const item = cur.items[Number(seg)];
                if (item === undefined)
                    break;
                key = item;
                value = item;
            }
            else
                break;
            cur = value;
            found++;
        }
        return { key, value, found };
    }
    static start(node) {
        const range = node?.range;
        return range ? range[0] : undefined;
    }
    /** The position a problem points at. */
    locate(segs, where) {
        const target = where === 'parent' ? segs.slice(0, -1) : segs;
        const { key, value, found } = this.walk(target);
        const rootStart = SourceMap.start(this.doc.contents) ?? 0;
        if (found === 0)
            return this.pos(rootStart);
        if (found < target.length || where !== 'value')
            return this.pos(SourceMap.start(key) ?? rootStart);
        const hasValue = value !== null && value !== undefined && !((0,dist.isScalar)(value) && value.value === null && !value.source);
        return this.pos((hasValue ? SourceMap.start(value) : undefined) ?? SourceMap.start(key) ?? rootStart);
    }
    /** The key text at `offset`, when a map key starts there (for duplicate-key messages). */
    keyAt(offset) {
        let found;
        const visit = (node) => {
            if (found !== undefined)
                return;
            if ((0,dist.isMap)(node)) {
                for (const p of node.items) {
                    if (SourceMap.start(p.key) === offset)
                        found = (0,dist.isScalar)(p.key) ? String(p.key.value) : String(p.key);
                    visit(p.value);
                }
            }
            else if ((0,dist.isSeq)(node))
                node.items.forEach(visit);
        };
        visit(this.doc.contents);
        return found;
    }
}
// ---------------------------------------------------------------------------------------------
// Resolution.
function expandHome(p) {
    return p === '~' || p.startsWith('~/') ? (0,external_node_path_.resolve)((0,external_node_os_.homedir)(), p.slice(2)) : p;
}
function resolvePlan(doc, file, classes) {
    const base = file === INLINE ? process.cwd() : (0,external_node_path_.dirname)((0,external_node_path_.resolve)(file));
    const t = doc.thresholds;
    for (const stack of Object.values(doc.stacks)) {
        for (const site of [stack.primary, stack.dr]) {
            const k = site.kubernetes;
            if (k.kubeconfig) {
                const p = expandHome(k.kubeconfig);
                k.kubeconfig = (0,external_node_path_.isAbsolute)(p) ? p : (0,external_node_path_.resolve)(base, p);
            }
            for (const d of site.deployments) {
                d.active ??= t.replicas.production;
                d.standby ??= t.replicas.standby;
            }
        }
    }
    const tr = doc.triggers;
    const limits = {
        replicationLagSeconds: t.replicationLagSeconds,
        backupMaxAgeMs: (0,duration/* parseDuration */.E9)(t.backupMaxAge),
        dnsTtlSeconds: t.dnsTtlSeconds,
        errorRate: t.errorRate,
        errorRateWindowMs: (0,duration/* parseDuration */.E9)(t.errorRateWindow),
        failbackHealthyForMs: (0,duration/* parseDuration */.E9)(t.failbackHealthyFor),
        replicas: { standby: t.replicas.standby, production: t.replicas.production },
        deadlinesMs: {
            drain: (0,duration/* parseDuration */.E9)(t.deadlines.drain),
            database: (0,duration/* parseDuration */.E9)(t.deadlines.database),
            traffic: (0,duration/* parseDuration */.E9)(t.deadlines.traffic),
            scale: (0,duration/* parseDuration */.E9)(t.deadlines.scale),
            verify: (0,duration/* parseDuration */.E9)(t.deadlines.verify),
        },
        triggers: {
            healthScoreBelow: tr.healthScoreBelow,
            healthCheckFailuresAbove: tr.healthCheckFailuresAbove,
            failureWindowMs: (0,duration/* parseDuration */.E9)(tr.failureWindow),
            replicationLagAbove: tr.replicationLagAbove,
            consecutive: tr.consecutive,
            holdForMs: (0,duration/* parseDuration */.E9)(tr.holdFor),
            intervalMs: (0,duration/* parseDuration */.E9)(tr.interval),
        },
    };
    const stackNames = Object.keys(doc.stacks);
    return {
        file: file === INLINE ? INLINE : (0,external_node_path_.resolve)(file),
        doc,
        limits,
        classes,
        stackNames,
        stack(name) {
            const s = Object.hasOwn(doc.stacks, name) ? doc.stacks[name] : undefined;
            if (s)
                return s;
            const guess = didYouMean(name, stackNames);
            throw new errors/* UserError */.yo(`The plan has no stack \`${name}\`; its stacks are ${list(stackNames)}${guess ? ` (did you mean \`${guess}\`?)` : ''}. Pass one of those names.`);
        },
    };
}
// ---------------------------------------------------------------------------------------------
// Entry points.
/**
 * Validate plan text and, when it is valid, resolve it. Never throws for a bad plan: every problem
 * is returned, in file order.
 */
function validatePlanText(text, file = INLINE) {
    const lines = new dist.LineCounter();
    const doc = (0,dist.parseDocument)(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const map = new SourceMap(doc, lines);
    const problems = [];
    const add = (pos, path, message) => {
        problems.push({ file, line: pos.line, column: pos.column, path, message });
    };
    const sorted = () => problems.sort((a, b) => a.line - b.line || a.column - b.column);
    // Report every repeated key and tab; of other syntax errors only the first, since what
    // follows a syntax error is mostly its echo.
    let fatal = false;
    const duplicates = new Set();
    for (const err of doc.errors) {
        const pos = map.pos(err.pos[0]);
        if (err.code === 'DUPLICATE_KEY')
            duplicates.add(`${pos.line}:${pos.column}`);
        else if (err.code !== 'TAB_AS_INDENT' && fatal)
            continue;
        else
            fatal = true;
        add(pos, '', yamlProblemMessage(err.code, err.message, map.keyAt(err.pos[0])));
    }
    if (fatal)
        return { problems: sorted() };
    const data = doc.toJS({ maxAliasCount: 100 });
    if (!isObj(data)) {
        add(map.contentStart(), '', data === null || data === undefined
            ? 'The plan file is empty; expected a mapping that starts with `apiVersion: aegis.io/v1` and `kind: DRPlan`.'
            : `The plan is ${describeValue(data)}; expected a mapping that starts with \`apiVersion: aegis.io/v1\` and \`kind: DRPlan\`.`);
        return { problems: sorted() };
    }
    const written = structuredClone(data);
    const validate = validator();
    const raw = validate(data) ? [] : schemaProblems(validate.errors ?? [], data);
    // A rule about a part of the plan that already breaks the schema would only add noise.
    const broken = raw.map((r) => formatPath(r.segs));
    const related = (a, b) => a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`);
    for (const r of semanticProblems(data, written)) {
        const path = formatPath(r.segs);
        if (!broken.some((b) => related(b, path) || related(path, b)))
            raw.push(r);
    }
    const seen = new Set();
    for (const r of raw) {
        const pos = map.locate(r.segs, r.where);
        // the value of a repeated key is reported as such, not as whatever it lacks
        if (duplicates.has(`${pos.line}:${pos.column}`))
            continue;
        const path = formatPath(r.segs);
        const id = `${pos.line}:${pos.column}:${path}:${r.message}`;
        if (seen.has(id))
            continue;
        seen.add(id);
        add(pos, path, r.message);
    }
    if (problems.length > 0)
        return { problems: sorted() };
    const plan = resolvePlan(data, file, resolveClasses(data, []));
    return { plan, problems: [] };
}
/** Parse and resolve plan text. @throws PlanError listing every problem. */
function parsePlan(text, file = INLINE) {
    const { plan, problems } = validatePlanText(text, file);
    if (!plan)
        throw new PlanError(problems);
    return plan;
}
/** Read, validate and resolve a plan file. @throws PlanError listing every problem. */
async function loadPlan(file) {
    let text;
    try {
        text = await (0,promises_.readFile)(file, 'utf8');
    }
    catch (err) {
        const reason = err.code === 'ENOENT' ? 'the file does not exist' : err.message;
        throw new PlanError([
            {
                file,
                line: 1,
                column: 1,
                path: '',
                message: `Cannot read the plan file: ${reason}; expected a readable YAML file (see examples/cloud-aegis.plan.yml).`,
            },
        ]);
    }
    return parsePlan(text, file);
}


/***/ }),

/***/ 3666:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   eT: () => (/* binding */ queryDns)
/* harmony export */ });
/* unused harmony exports findAuthoritativeServer, resolveChain */
/* harmony import */ var node_dgram__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(41314);
/* harmony import */ var node_dgram__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_dgram__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_dns__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(40610);
/* harmony import */ var node_dns__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_dns__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(77030);
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_net__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var dns_packet__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(14894);
/* harmony import */ var _engine_errors_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(17679);
/**
 * A small DNS client that asks a zone's authoritative server directly, like `dig @ns`: what the
 * zone serves right now, not what some cache still remembers. UDP first, TCP when the answer is
 * truncated (or when asked). Without an explicit server it finds the zone's NS through the system
 * resolver (walking up the labels) and queries the NS host on port 53.
 *
 * Errors (timeouts, refused connections, malformed answers) are wrapped with
 * `wrapSdkError('dns', 'query', err)` so the engine classifies them; a DNS rcode (NXDOMAIN,
 * SERVFAIL, REFUSED) is returned, not thrown: the caller decides what it means.
 */





class DnsTimeoutError extends Error {
    code = 'ETIMEDOUT';
    constructor(message) {
        super(message);
        this.name = 'DnsTimeoutError';
    }
}
function dataOf(a) {
    const d = a.data;
    switch (a.type) {
        case 'SOA':
            return `${d.mname} ${d.rname} ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`;
        case 'TXT':
            return (Array.isArray(d) ? d : [d]).map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : String(x))).join('');
        case 'MX':
            return `${d.preference} ${d.exchange}`;
        default:
            return Buffer.isBuffer(d) ? d.toString('hex') : String(d);
    }
}
function toAnswers(list) {
    return (list ?? []).map((a) => ({ name: a.name, type: a.type, ttl: a.ttl ?? 0, data: dataOf(a) }));
}
function udpQuery(packet, id, server, timeoutMs) {
    return new Promise((resolve, reject) => {
        const sock = node_dgram__WEBPACK_IMPORTED_MODULE_0___default().createSocket(node_net__WEBPACK_IMPORTED_MODULE_2___default().isIPv6(server.host) ? 'udp6' : 'udp4');
        const timer = setTimeout(() => {
            sock.close();
            reject(new DnsTimeoutError(`no answer from ${server.host}:${server.port} over UDP within ${timeoutMs} ms`));
        }, timeoutMs);
        sock.on('error', (err) => {
            clearTimeout(timer);
            sock.close();
            reject(err);
        });
        sock.on('message', (msg) => {
            let p;
            try {
                p = dns_packet__WEBPACK_IMPORTED_MODULE_3__.decode(msg);
            }
            catch {
                return; // not ours / garbage: keep waiting
            }
            if (p.id !== id)
                return;
            clearTimeout(timer);
            sock.close();
            resolve(p);
        });
        sock.send(packet, server.port, server.host);
    });
}
function tcpQuery(packet, server, timeoutMs) {
    return new Promise((resolve, reject) => {
        const sock = node_net__WEBPACK_IMPORTED_MODULE_2___default().connect({ host: server.host, port: server.port });
        let buf = Buffer.alloc(0);
        let done = false;
        const finish = (err, p) => {
            if (done)
                return;
            done = true;
            clearTimeout(timer);
            sock.destroy();
            if (err)
                reject(err);
            else
                resolve(p);
        };
        const timer = setTimeout(() => finish(new DnsTimeoutError(`no answer from ${server.host}:${server.port} over TCP within ${timeoutMs} ms`)), timeoutMs);
        sock.on('connect', () => {
            const head = Buffer.alloc(2);
            head.writeUInt16BE(packet.length);
            sock.write(Buffer.concat([head, packet]));
        });
        sock.on('data', (chunk) => {
            buf = Buffer.concat([buf, chunk]);
            if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
                try {
                    finish(undefined, dns_packet__WEBPACK_IMPORTED_MODULE_3__.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
                }
                catch (err) {
                    finish(err);
                }
            }
        });
        sock.on('error', (err) => finish(err));
        sock.on('close', () => finish(Object.assign(new Error(`${server.host}:${server.port} closed the TCP connection without answering`), { code: 'ECONNRESET' })));
    });
}
function norm(name) {
    return name.toLowerCase().replace(/\.$/, '');
}
/**
 * The authoritative server of `name`'s zone, found through the system resolver: the closest
 * enclosing name that has NS records, then the first NS host's address.
 */
async function findAuthoritativeServer(name) {
    const labels = norm(name).split('.');
    for (let i = 0; i < labels.length - 1; i++) {
        const candidate = labels.slice(i).join('.');
        let ns;
        try {
            ns = await node_dns__WEBPACK_IMPORTED_MODULE_1__.promises.resolveNs(candidate);
        }
        catch {
            continue;
        }
        for (const host of ns) {
            try {
                const { address } = await node_dns__WEBPACK_IMPORTED_MODULE_1__.promises.lookup(host);
                return { host: address, port: 53 };
            }
            catch {
                // try the next NS host
            }
        }
    }
    throw Object.assign(new Error(`no authoritative name server found for ${name} through the system resolver`), { code: 'ENOTFOUND' });
}
/** Ask for `name`/`type` and return the answer as the authoritative server gave it. */
async function queryDns(name, type, opts = {}) {
    const timeoutMs = opts.timeoutMs ?? 3000;
    try {
        const server = opts.server ?? (await findAuthoritativeServer(name));
        const id = Math.floor(Math.random() * 0xffff);
        const packet = dns_packet__WEBPACK_IMPORTED_MODULE_3__.encode({
            id,
            type: 'query',
            flags: 0, // no recursion: ask the authority itself
            questions: [{ type: type.toUpperCase(), name: norm(name), class: 'IN' }],
        });
        let transport = opts.tcp ? 'tcp' : 'udp';
        let answer = transport === 'udp' ? await udpQuery(packet, id, server, timeoutMs) : await tcpQuery(packet, server, timeoutMs);
        if (transport === 'udp' && answer.flag_tc) {
            transport = 'tcp';
            answer = await tcpQuery(packet, server, timeoutMs);
        }
        return {
            rcode: answer.rcode ?? 'NOERROR',
            answers: toAnswers(answer.answers),
            authorities: toAnswers(answer.authorities),
            authoritative: answer.flag_aa === true,
            server: `${server.host}:${server.port}`,
            transport,
        };
    }
    catch (err) {
        throw (0,_engine_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .wrapSdkError */ .Nt)('dns', 'query', err);
    }
}
/**
 * Resolve `name` to its final records, following CNAMEs (including across zones, asking each
 * zone's own authority when no server is given). Stops after 8 hops.
 */
async function resolveChain(name, opts = {}) {
    const type = (opts.type ?? 'A').toUpperCase();
    const chain = [];
    let current = norm(name);
    let rcode = 'NOERROR';
    for (let hop = 0; hop < 8; hop++) {
        const res = await queryDns(current, type, opts);
        rcode = res.rcode;
        if (rcode !== 'NOERROR')
            break;
        // walk the answer's own chain first
        const before = chain.length;
        let followed = true;
        while (followed) {
            followed = false;
            const finals = res.answers.filter((a) => norm(a.name) === current && a.type === type);
            if (finals.length > 0) {
                return result(name, rcode, chain, finals, current);
            }
            const cname = res.answers.find((a) => norm(a.name) === current && a.type === 'CNAME');
            if (cname) {
                chain.push(cname);
                current = norm(cname.data);
                followed = true;
            }
        }
        if (chain.length === before)
            break; // no answer and no CNAME: NODATA
    }
    return result(name, rcode, chain, [], current);
}
function result(name, rcode, chain, answers, final) {
    const ttls = [...chain, ...answers].map((a) => a.ttl);
    return { name: norm(name), rcode, chain, answers, final, minTtl: ttls.length ? Math.min(...ttls) : undefined };
}


/***/ })

};
