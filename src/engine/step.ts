/**
 * The step engine. A step observes live state, acts only when the state is not yet what it
 * wants, then awaits the wanted state under a deadline, polling at an interval that adapts to how
 * long the operation has taken so far. Dry-run turns every act into a "would do" record. Every
 * step appends one journal record, whatever its outcome.
 */
import { classify, DeadlineError, messageOf, UserError } from './errors.js';
import type { Journal, JournalRecord, Outcome } from './journal.js';
import {
  DEFAULT_RETRY,
  runAttempt,
  sleep as realSleep,
  withRetry,
  type RetryPolicy,
  type Sleep,
} from './retry.js';

export type ProgressEvent =
  | { type: 'step-start'; phase: string; step: string; stack?: string; target: string }
  | { type: 'step-end'; record: JournalRecord }
  | {
      type: 'retry';
      phase: string;
      step: string;
      stack?: string;
      attempt: number;
      delayMs: number;
      reason: string;
    }
  | { type: 'info'; message: string; stack?: string }
  /** A check's result (readiness, verify), as soon as it is known. */
  | { type: 'check'; phase: string; stack?: string; item: string; status: string; detail: string }
  /** The time origin of what follows (the declaration of a failover): live lines count T+ from it. */
  | { type: 'origin'; at: number; what: string }
  /** A long wait is still under way: what is awaited, for how long so far, how long is left. */
  | {
      type: 'heartbeat';
      what: string;
      phase?: string;
      step?: string;
      stack?: string;
      waitedMs: number;
      leftMs: number;
    };

export interface RunContext {
  dryRun: boolean;
  journal: Journal;
  retry: RetryPolicy;
  /**
   * Poll intervals: the engine polls every `fraction` of the time elapsed so far, within [minMs,
   * maxMs]; a wait longer than `heartbeatMs` reports a heartbeat progress event that often.
   */
  poll: { minMs: number; maxMs: number; fraction: number; heartbeatMs?: number };
  sleep: Sleep;
  signal?: AbortSignal;
  progress(e: ProgressEvent): void;
  /** Operator override of a safety refusal, recorded in the journal. */
  force?: { by: string; reason: string };
  /**
   * Places found unreachable in this run (see StepSpec.unreachableKey): later steps try them once
   * instead of retrying a dead region with backoff.
   */
  unreachable: Set<string>;
}

/** A force override counts only with a reason a person wrote (not blank). */
export function hasReason(force: RunContext['force']): force is { by: string; reason: string } {
  return force !== undefined && force.reason.trim().length > 0;
}

export function createContext(journal: Journal, opts: Partial<Omit<RunContext, 'journal'>> = {}): RunContext {
  return {
    dryRun: opts.dryRun ?? false,
    journal,
    retry: opts.retry ?? DEFAULT_RETRY,
    poll: opts.poll ?? { minMs: 25, maxMs: 15_000, fraction: 0.05, heartbeatMs: 10_000 },
    sleep: opts.sleep ?? realSleep,
    signal: opts.signal,
    progress: opts.progress ?? (() => undefined),
    force: opts.force,
    unreachable: opts.unreachable ?? new Set(),
  };
}

export interface StepSpec<S> {
  phase: string;
  step: string;
  stack?: string;
  /** The resource the step works on, for the journal ("rds:aegis-db"). */
  target: string;
  /** Read live state. Retried on transient errors. */
  observe(): Promise<S>;
  /** Is the state what the step wants? */
  satisfied(state: S): boolean;
  /** The change, in words, for the journal and for dry-run ("force failover of aegis-db"). */
  action: string | ((state: S) => string);
  /** Make the change. Omitted for steps that only wait. Called only when not satisfied and not in dry-run. */
  act?(state: S): Promise<unknown>;
  /** An operation already under way that will lead to the wanted state: do not act again, just wait. */
  inProgress?(state: S): boolean;
  /** Refuse to act in this state (unsafe move): return the reason; `force` overrides it. */
  refuse?(state: S): string | undefined;
  /** Maximum time to reach the wanted state, ms. */
  deadlineMs: number;
  /** Override of the retry policy (e.g. fewer attempts for a probe of a site that may be down). */
  retry?: Partial<RetryPolicy>;
  /** Custom wait (e.g. poll an operation, then observe); default: observe until satisfied. */
  wait?: (state: S) => Promise<S>;
  /** Minimum poll interval for this step (e.g. 200 ms for Route 53). */
  minPollMs?: number;
  /** Summarise state for the journal (default: the state itself). */
  summarise?(state: S): unknown;
  /** Extra facts for the journal record. */
  data?(before: S, after: S | undefined): Record<string, unknown> | undefined;
  /**
   * For steps whose target may simply be down (fencing or draining a primary in a region outage):
   * when this returns true for the error that ended the step, the step records outcome
   * `unreachable` (with the error) instead of `failed`, and returns an {@link UnreachableResult}
   * instead of throwing, so the phase reports what the journal says.
   */
  unreachable?(err: unknown): boolean;
  /**
   * The cloud's own record of this step's change (RDS failover events, Cloud SQL operations of
   * type FAILOVER) since `since`, or over all the history the cloud keeps when `since` is absent.
   * For changes the live state cannot tell apart from "not yet done" (an in-region failover
   * leaves the writer where it was, in another zone). Asked before acting:
   * - the journal holds an intent of this step with no outcome (the runner died after the call
   *   may have gone out): evidence since the intent means the call landed, so the step waits for
   *   it instead of acting a second time; none means it never went out, so the step acts;
   * - the journal records nothing of this step since a change the cloud shows: the step refuses,
   *   naming the change and its time, unless forced with a reason (DESIGN: intent before act).
   */
  evidence?(since: Date | undefined): Promise<Evidence | undefined>;
  /**
   * False for a change the live state already tells (a cross-region move: the writer's site): the
   * history is asked only for an intent without outcome and after a call with no clear answer,
   * never to refuse a change this journal does not record. Default true.
   */
  historyRefuses?: boolean;
  /**
   * After a mutating call failed with no clear answer (a reset, no answer in time), how long to
   * keep re-observing (and asking `evidence` since the intent) for the change to show before
   * sending it again, ms. A call can be carried out after the client gave up on it (a request
   * queued at the service): a database failover sets this so that a late one is waited for, not
   * sent twice. Default 0: one re-observe.
   */
  settleMs?: number;
  /**
   * Where an `unreachable` error comes from ("aws/primary/kubernetes"). Once a step of the run
   * found it unreachable, later steps with the same key make one attempt instead of retrying: in a
   * region outage the fence, the drain and the write check would otherwise each spend their
   * backoff on the same dead API server, one after another, before the database is promoted.
   */
  unreachableKey?: string;
}

/** A change the cloud's own history shows (an event, an operation), with its time. */
export interface Evidence {
  /** In words, for the journal and the refusal ("RDS event \"Multi-AZ instance failover started.\""). */
  what: string;
  at: Date;
}

/**
 * A runner's clock and the cloud's may differ by this much; evidence is looked for from this long
 * before the intent was written.
 */
export const CLOCK_SKEW_MS = 60_000;

/** A step that reached (or, in dry-run, would reach) its wanted state. */
export interface StepResult<S> {
  outcome: Extract<Outcome, 'done' | 'skipped' | 'would-do'>;
  before: S;
  after?: S;
  record: JournalRecord;
}

/**
 * A step whose target could not be reached (see {@link StepSpec.unreachable}). The change was not
 * made, unless the target went away after it was sent: then the record's action ends with
 * "(sent before the target became unreachable)".
 */
export interface UnreachableResult<S> {
  outcome: 'unreachable';
  /** The state, when it was read before the target became unreachable. */
  before?: S;
  after?: undefined;
  record: JournalRecord;
  /** The error that showed the target unreachable. */
  error: unknown;
}

export class StepFailed extends Error {
  constructor(
    message: string,
    readonly record: JournalRecord,
    cause?: unknown,
  ) {
    super(message, { cause });
    this.name = 'StepFailed';
  }
}

/**
 * Wait until `check` returns a value, polling adaptively; DeadlineError after `deadlineMs`. Each
 * check runs under the retry policy and the deadline (a throttle, a 5xx or a reset while polling
 * an operation is asked again, a call in flight is aborted when the deadline passes); `call`
 * replaces that wrapper (runStep passes its own, which counts attempts for the journal).
 */
export async function pollUntil<T>(
  ctx: RunContext,
  what: string,
  check: () => Promise<T | undefined>,
  deadlineMs: number,
  minPollMs = ctx.poll.minMs,
  call?: <R>(fn: () => Promise<R>, deadline: number) => Promise<R>,
  where: WaitWhere = {},
): Promise<T> {
  const start = Date.now();
  const deadline = start + deadlineMs;
  const attempt =
    call ??
    (async <R>(fn: () => Promise<R>, d: number) =>
      (await withRetry(fn, { ...ctx.retry, deadline: d }, { sleep: ctx.sleep, signal: ctx.signal })).value);
  const beat = heartbeats(ctx, what, deadlineMs, where, start);
  for (;;) {
    let v: T | undefined;
    try {
      v = await attempt(check, deadline);
    } catch (err) {
      if (err instanceof DeadlineError) {
        throw new DeadlineError(`${what} did not happen within ${formatMs(deadlineMs)}: ${err.message}`, {
          cause: err,
        });
      }
      throw err;
    }
    if (v !== undefined) return v;
    const elapsed = Date.now() - start;
    if (elapsed >= deadlineMs) {
      throw new DeadlineError(`${what} did not happen within ${formatMs(deadlineMs)}.`);
    }
    beat();
    const interval = Math.max(minPollMs, Math.min(ctx.poll.maxMs, elapsed * ctx.poll.fraction));
    await ctx.sleep(Math.min(interval, Math.max(1, deadlineMs - elapsed)), ctx.signal);
  }
}

/** Where a wait happens, for its heartbeat lines (the phase, the step or check, the stack). */
export interface WaitWhere {
  phase?: string;
  step?: string;
  stack?: string;
}

/**
 * The one heartbeat of every long wait: call the returned function as the wait goes on; every
 * `ctx.poll.heartbeatMs` (10 s by default) it reports what is awaited, for how long so far and how
 * long is left. pollUntil uses it for polls, {@link waitMs} for sleep-like waits.
 */
export function heartbeats(
  ctx: RunContext,
  what: string,
  totalMs: number,
  where: WaitWhere = {},
  start = Date.now(),
): () => void {
  const every = ctx.poll.heartbeatMs ?? 10_000;
  let next = start + every;
  return () => {
    const now = Date.now();
    if (now < next) return;
    next = now + every;
    const waitedMs = now - start;
    ctx.progress({ type: 'heartbeat', what, ...where, waitedMs, leftMs: Math.max(0, totalMs - waitedMs) });
  };
}

/**
 * A sleep-like wait of `ms` (a measurement window, a settle time) that says what it waits for:
 * sleeps in slices of the heartbeat interval and reports a heartbeat between them.
 */
export async function waitMs(
  ctx: RunContext,
  what: string,
  ms: number,
  where: WaitWhere = {},
): Promise<void> {
  const start = Date.now();
  const beat = heartbeats(ctx, what, ms, where, start);
  const every = ctx.poll.heartbeatMs ?? 10_000;
  for (;;) {
    const left = ms - (Date.now() - start);
    if (left <= 0) return;
    await ctx.sleep(Math.min(every, left), ctx.signal);
    if (ms - (Date.now() - start) > 0) beat();
  }
}

/** The error under a chain of DeadlineErrors (what the service last said, or did not). */
export function lastCause(err: unknown): unknown {
  let e = err;
  while (e instanceof DeadlineError && e.cause !== undefined) e = e.cause;
  return e;
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/**
 * Journal a failure that ended a phase on a stack outside any step, typically while reading the
 * cloud before a step could start (no credentials, a kube context missing from the kubeconfig):
 * outcome `failed` with the error, so the evidence shows the attempt as a failed step would.
 */
export function recordFailure(
  ctx: RunContext,
  where: { phase: string; step: string; stack?: string; target: string },
  error: string,
): JournalRecord {
  const at = new Date().toISOString();
  const record = ctx.journal.append({
    ...where,
    outcome: 'failed',
    startedAt: at,
    endedAt: at,
    durationMs: 0,
    attempts: 1,
    error,
    dryRun: ctx.dryRun,
  });
  ctx.progress({ type: 'step-end', record });
  return record;
}

/**
 * Run one step: observe, act when needed (or record what would be done in dry-run), await the
 * wanted state, journal one record. Throws StepFailed on failure or refusal; a spec with
 * `unreachable` may instead resolve to an UnreachableResult.
 */
export function runStep<S>(
  ctx: RunContext,
  spec: StepSpec<S> & Required<Pick<StepSpec<S>, 'unreachable'>>,
): Promise<StepResult<S> | UnreachableResult<S>>;
export function runStep<S>(ctx: RunContext, spec: StepSpec<S>): Promise<StepResult<S>>;
export async function runStep<S>(
  ctx: RunContext,
  spec: StepSpec<S>,
): Promise<StepResult<S> | UnreachableResult<S>> {
  const started = Date.now();
  let attempts = 0;
  const where = { phase: spec.phase, step: spec.step, stack: spec.stack };
  ctx.progress({ type: 'step-start', ...where, target: spec.target });
  const retrying = async <T>(fn: () => Promise<T>, deadline: number, span = false): Promise<T> => {
    const known = spec.unreachableKey !== undefined && ctx.unreachable.has(spec.unreachableKey);
    try {
      const r = await withRetry(
        fn,
        { ...ctx.retry, ...spec.retry, ...(known ? { maxAttempts: 1, answeredAttempts: 1 } : {}), deadline },
        {
          sleep: ctx.sleep,
          signal: ctx.signal,
          span,
          onRetry: (e) =>
            ctx.progress({
              type: 'retry',
              ...where,
              attempt: e.attempt,
              delayMs: e.delayMs,
              reason: e.classification.reason,
            }),
        },
      );
      attempts += r.attempts;
      return r.value;
    } catch (err) {
      // a failed observe or act made attempts too: the record says how many (withRetry tags them)
      attempts += (err as { attempts?: number } | undefined)?.attempts ?? 1;
      throw err;
    }
  };
  const summarise = (s: S | undefined) =>
    s === undefined ? undefined : spec.summarise ? spec.summarise(s) : s;
  const finish = (
    outcome: Outcome,
    before: S | undefined,
    after: S | undefined,
    action?: string,
    error?: string,
  ) => {
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
      data:
        before !== undefined || overridden
          ? {
              ...(before !== undefined ? spec.data?.(before, after) : undefined),
              ...(landed ? { evidence: landed.what, evidenceAt: landed.at.toISOString() } : undefined),
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
  let before: S | undefined;
  let overridden: string | undefined;
  let landed: Evidence | undefined;
  let sent = false;
  try {
    before = await retrying(() => spec.observe(), deadline);
    if (spec.satisfied(before)) {
      const record = finish('skipped', before, before, 'already in the wanted state');
      return { outcome: 'skipped', before, after: before, record };
    }
    const action = typeof spec.action === 'function' ? spec.action(before) : spec.action;
    let underway = spec.inProgress?.(before) ?? false;
    let historyRefusal: string | undefined;
    if (!underway && spec.act && spec.evidence) {
      const found = await askHistory(ctx, spec, (fn) => retrying(fn, deadline));
      if (found.landed) {
        landed = found.landed;
        underway = true;
      }
      historyRefusal = found.refusal;
    }
    if (!underway) {
      const refusal = spec.refuse?.(before) ?? historyRefusal;
      // The refusal is checked here, where the step acts, so the action, the CLI and every workflow
      // refuse the same things: a force without a reason overrides nothing (DESIGN: fence before
      // promote, "unless the operator forces it and the journal records who and why").
      if (refusal && !hasReason(ctx.force)) {
        const why = ctx.force
          ? `${refusal}; force was given without a reason, so it overrides nothing: give force-reason (--force "<why>")`
          : refusal;
        const record = finish('refused', before, undefined, action, why);
        throw new StepFailed(why, record);
      }
      overridden = refusal;
      if (ctx.dryRun) {
        const record = finish('would-do', before, undefined, action);
        return { outcome: 'would-do', before, record };
      }
      if (spec.act) {
        const act = spec.act.bind(spec);
        // Intent before act: a runner can die between the call and its record; the re-run finds
        // this intent without an outcome and asks the cloud's history (spec.evidence) before acting.
        ctx.journal.append({
          ...where,
          target: spec.target,
          outcome: 'intent',
          action,
          startedAt: new Date().toISOString(),
          endedAt: new Date().toISOString(),
          durationMs: 0,
          attempts: 0,
          dryRun: false,
        });
        sent = true;
        const intentAt = new Date();
        // The act is one span (its checks, then the mutating call), each call bound by its own
        // per-request timeout: cut at one request's timeout, it went on in the background and sent
        // its call while the retry sent another.
        await retrying(
          async () => {
            try {
              return await act(before as S);
            } catch (err) {
              // The call may have landed before the failure: re-observe before any retry.
              if (classify(err).kind !== 'permanent' && (await landedAfterAll(ctx, spec, intentAt, deadline)))
                return undefined;
              throw err;
            }
          },
          deadline,
          true,
        );
      }
    } else if (ctx.dryRun) {
      const record = finish(
        'would-do',
        before,
        undefined,
        landed
          ? `wait: ${action} was sent by an earlier run (${landed.what} at ${landed.at.toISOString()})`
          : `wait: ${action} is already under way`,
      );
      return { outcome: 'would-do', before, record };
    }
    const remaining = Math.max(0, deadline - Date.now());
    const observed = before;
    // A custom wait runs under the step's deadline as a whole: its calls in flight are aborted when
    // the deadline passes, whatever deadlines it gives its own polls.
    const after = spec.wait
      ? await runAttempt(() => spec.wait!(observed), { ...ctx.retry, deadline }, ctx.signal, {
          requests: false,
        })
      : await pollUntil(
          ctx,
          `${spec.target}: ${action}`,
          async () => {
            const s = await spec.observe();
            return spec.satisfied(s) ? s : undefined;
          },
          remaining,
          spec.minPollMs,
          retrying,
          where,
        );
    const record = finish(
      'done',
      before,
      after,
      landed
        ? `waited for ${action} (sent by an earlier run that left no record: ${landed.what} at ${landed.at.toISOString()})`
        : underway
          ? `waited for ${action} (already under way)`
          : action,
    );
    return { outcome: 'done', before, after, record };
  } catch (err) {
    if (err instanceof StepFailed) throw err;
    const msg = err instanceof DeadlineError || err instanceof UserError ? err.message : messageOf(err);
    // A deadline that passed while the place gave no answer is judged by that last answer.
    if (spec.unreachable?.(err) || (err instanceof DeadlineError && spec.unreachable?.(lastCause(err)))) {
      if (spec.unreachableKey !== undefined) ctx.unreachable.add(spec.unreachableKey);
      const action =
        typeof spec.action === 'string'
          ? spec.action
          : before !== undefined
            ? spec.action(before)
            : undefined;
      const record = finish(
        'unreachable',
        before,
        undefined,
        action && sent ? `${action} (sent before the target became unreachable)` : action,
        msg,
      );
      return { outcome: 'unreachable', before, record, error: err };
    }
    const record = finish(
      'failed',
      before,
      undefined,
      typeof spec.action === 'string' ? spec.action : undefined,
      msg,
    );
    throw new StepFailed(`${spec.phase}/${spec.step} on ${spec.target} failed: ${msg}`, record, err);
  }
}

/**
 * What the journal and the cloud's history say about a step's change before it acts (see
 * StepSpec.evidence): `landed` when an intent without outcome is matched by the cloud's evidence
 * (wait, do not act again); `refusal` when the cloud shows a change this journal does not record.
 */
async function askHistory<S>(
  ctx: RunContext,
  spec: StepSpec<S>,
  retrying: <T>(fn: () => Promise<T>) => Promise<T>,
): Promise<{ landed?: Evidence; refusal?: string }> {
  const history = ctx.journal.stepHistory({
    phase: spec.phase,
    step: spec.step,
    stack: spec.stack,
    target: spec.target,
  });
  if (history.pendingIntent) {
    const since = new Date(Date.parse(history.pendingIntent.startedAt) - CLOCK_SKEW_MS);
    const ev = await retrying(() => spec.evidence!(since));
    return ev ? { landed: ev } : {};
  }
  if (spec.historyRefuses === false) return {};
  const since = history.lastSettled ? new Date(history.lastSettled.endedAt) : undefined;
  const ev = await retrying(() => spec.evidence!(since));
  if (!ev) return {};
  return {
    refusal: `${spec.target} shows ${ev.what} at ${ev.at.toISOString()}, which ${history.lastSettled ? 'happened after the last change this journal records' : 'this journal does not record'}: check where the writer is now (acting again would move it back), then pass force with a reason to act anyway`,
  };
}

/**
 * After an act failed with no clear answer: did its change land (or is it under way)? Re-observes,
 * and asks the cloud's history since the intent, until `spec.settleMs` has passed (or once).
 */
async function landedAfterAll<S>(
  ctx: RunContext,
  spec: StepSpec<S>,
  intentAt: Date,
  deadline: number,
): Promise<boolean> {
  const until = Math.min(deadline, Date.now() + (spec.settleMs ?? 0));
  const since = new Date(intentAt.getTime() - CLOCK_SKEW_MS);
  for (;;) {
    const now = await spec.observe().catch(() => undefined);
    if (now !== undefined && (spec.satisfied(now) || spec.inProgress?.(now))) return true;
    const ev = spec.evidence ? await spec.evidence(since).catch(() => undefined) : undefined;
    if (ev) return true;
    if (Date.now() >= until) return false;
    await ctx.sleep(Math.min(Math.max(ctx.poll.minMs, 250), Math.max(1, until - Date.now())), ctx.signal);
  }
}
