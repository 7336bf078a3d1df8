/**
 * Delivery to the plan's channels, shared by notify and escalate: the secret from the
 * environment (never logged: every error text is scrubbed of it), the client of the channel's
 * type, a few retries bounded by a deadline, and the journal record of what was sent with the ids
 * a re-run reuses (Slack channel and message ts, GitHub issue and deployment, PagerDuty dedup key).
 * A channel that still fails is recorded as failed and shown as a warning: it never stops the
 * failover.
 *
 * Intent before post: an `intent` record (the message key and the channel) is journaled before the
 * first call. A runner can die between the post and its record, and an answer can be lost after
 * the post landed; a re-run that finds the intent without an outcome (and every retry after an
 * error) first asks the channel whether the message is there (`Delivery.find`: Slack message
 * metadata, a hidden marker in a GitHub comment) and reuses it instead of posting again. A channel
 * that cannot be read back (a Teams webhook) is sent again: at-least-once, said in the record.
 * PagerDuty needs no look-up: the same dedup key joins the alert it opened (a repeat is harmless).
 */
import { redact, registerSecret } from '../../engine/redact.js';
import type { JournalRecord } from '../../engine/journal.js';
import { withRetry } from '../../engine/retry.js';
import { DEFAULT_SECRET_ENV, type Channel } from '../../plan/schema-comms.js';
import type { PhaseContext, ResultRow } from '../types.js';

/** Ids a channel returned, journaled and reused by later messages and re-runs. */
export interface ChannelState {
  slackChannel?: string;
  slackChannelName?: string;
  slackRootTs?: string;
  githubIssue?: number;
  githubIssueUrl?: string;
  githubDeployment?: number;
  dedupKey?: string;
}

export interface Delivery {
  /** Journal step ("initial", "progress@2", "resolved", "escalate:dr-unhealthy"). */
  key: string;
  /** What is sent, in one line, for the journal and the summary. */
  what: string;
  send(secret: string, state: ChannelState): Promise<{ state: ChannelState; note?: string }>;
  /**
   * Look for this message at the channel (posted by a run that died before its record, or whose
   * answer was lost): its state when found, undefined when not there. Absent when the channel
   * cannot be read back (a Teams webhook) or a repeat is harmless (PagerDuty's dedup key).
   */
  find?(secret: string, state: ChannelState): Promise<{ state: ChannelState; note?: string } | undefined>;
  /** How a repeat after a crash behaves when there is no `find` (for the journal and the summary). */
  repeat?: string;
}

/** The environment variable a channel's secret comes from. */
export function secretEnvOf(ch: Channel): string {
  return ch.secretEnv ?? DEFAULT_SECRET_ENV[ch.type];
}

/** Every channel secret present in the environment (to scrub from any text). */
export function allSecrets(ctx: PhaseContext): string[] {
  const out: string[] = [];
  for (const ch of Object.values(ctx.plan.doc.notifications?.channels ?? {})) {
    const v = process.env[secretEnvOf(ch)];
    if (v) out.push(v);
  }
  return out;
}

/** `text` with every secret replaced by *** (the shared redaction, with these secrets registered). */
export function scrub(text: string, secrets: string[]): string {
  for (const s of secrets) registerSecret(s);
  return redact(text);
}

/** Notify records of the journal for this incident (by its id), newest last. */
export function sentRecords(records: JournalRecord[], incidentId: string, phase: string): JournalRecord[] {
  return records.filter((r) => r.phase === phase && r.data?.incident === incidentId);
}

/** The state a channel left in earlier records of the incident (ids merged, newest wins). */
export function stateOf(sent: JournalRecord[], channel: string): ChannelState {
  const st: ChannelState = {};
  for (const r of sent) if (r.target === channel && r.data?.state) Object.assign(st, r.data.state);
  return st;
}

/** The last intent of `key` at `channel` that no done or skipped record followed (the post may have landed). */
export function pendingIntent(
  sent: JournalRecord[],
  channel: string,
  key: string,
): JournalRecord | undefined {
  let pending: JournalRecord | undefined;
  for (const r of sent) {
    if (r.target !== channel || r.step !== key || r.dryRun) continue;
    if (r.outcome === 'intent') pending = r;
    else if (r.outcome === 'done' || r.outcome === 'skipped') pending = undefined;
  }
  return pending;
}

/**
 * Deliver `d` to one channel unless the journal shows it was delivered already; journal the
 * outcome. Returns the summary row.
 */
export async function deliver(
  ctx: PhaseContext,
  phase: 'notify' | 'escalate',
  incidentId: string,
  name: string,
  ch: Channel,
  d: Delivery,
  extra: Record<string, unknown> = {},
): Promise<ResultRow> {
  const records = ctx.run.journal.records;
  const sent = sentRecords(records, incidentId, phase);
  const already = sent.find((r) => r.target === name && r.step === d.key && r.outcome === 'done');
  const secrets = allSecrets(ctx);
  const t0 = new Date();
  const journal = (
    outcome: 'done' | 'skipped' | 'failed' | 'would-do' | 'intent',
    data: Record<string, unknown>,
    error?: string,
    attempts = 1,
  ) =>
    ctx.run.journal.append({
      phase,
      step: d.key,
      target: name,
      outcome,
      action: `${ch.type}: ${d.what}`,
      startedAt: t0.toISOString(),
      endedAt: new Date().toISOString(),
      durationMs: Date.now() - t0.getTime(),
      attempts,
      dryRun: ctx.run.dryRun,
      error,
      data: { incident: incidentId, channel: ch.type, ...extra, ...data },
    });
  if (already) {
    journal('skipped', { state: already.data?.state, sentAt: already.endedAt });
    return {
      item: `${name} (${ch.type})`,
      status: 'skip',
      detail: `already sent at ${already.endedAt}: ${d.what}`,
    };
  }
  if (ctx.run.dryRun) {
    journal('would-do', {});
    return { item: `${name} (${ch.type})`, status: 'would-do', detail: d.what };
  }
  const envName = secretEnvOf(ch);
  const secret = process.env[envName] ?? (ch.type === 'teams' ? ch.url : undefined);
  if (!secret) {
    const error = `the environment variable ${envName} is empty: set it to the ${ch.type} secret (a repository or environment secret mapped in the workflow's env:) to deliver to channel ${name}.`;
    journal('failed', {}, error);
    return { item: `${name} (${ch.type})`, status: 'warn', detail: error };
  }
  const before = stateOf(sent, name);
  const pending = pendingIntent(sent, name, d.key);
  const look = async () => {
    try {
      return await d.find?.(secret, { ...before });
    } catch {
      return undefined; // the look-up failed: the send decides (and retries)
    }
  };
  if (pending && d.find) {
    const found = await look();
    if (found) {
      journal('done', { state: found.state, found: true, intent: pending.seq });
      return {
        item: `${name} (${ch.type})`,
        status: 'skip',
        detail: scrub(
          `found at the channel (an earlier run posted it and stopped before its record): not posted again: ${d.what}${found.note ? ` (${found.note})` : ''}`,
          secrets,
        ),
      };
    }
  }
  journal('intent', {
    ...(pending ? { repeatOf: pending.seq } : {}),
    ...(d.repeat ? { repeat: d.repeat } : {}),
  });
  let tries = 0;
  try {
    const { value, attempts } = await withRetry(
      async () => {
        // an error may come after the post landed (the answer was lost): look before posting again
        if (tries++ > 0 && d.find) {
          const found = await look();
          if (found) return found;
        }
        return d.send(secret, { ...before });
      },
      {
        // a channel never holds up the failover: three tries, whether the service answers or not
        maxAttempts: 3,
        answeredAttempts: 3,
        baseMs: 200,
        capMs: 2000,
        deadline: Date.now() + 30_000,
      },
    );
    journal('done', { state: value.state }, undefined, attempts);
    return {
      item: `${name} (${ch.type})`,
      status: 'done',
      detail: scrub(`${d.what}${value.note ? ` (${value.note})` : ''}`, secrets),
    };
  } catch (err) {
    const error = scrub(`${(err as Error).message}`, [...secrets, secret]);
    // the answer may have been lost after the post landed: look before calling it failed
    const landed = d.find ? await look() : undefined;
    if (landed) {
      journal('done', { state: landed.state, found: true, error }, undefined, tries);
      return {
        item: `${name} (${ch.type})`,
        status: 'done',
        detail: scrub(`${d.what} (its answer was lost: found at the channel, not posted again)`, secrets),
      };
    }
    journal('failed', {}, error, (err as { attempts?: number }).attempts ?? 1);
    return {
      item: `${name} (${ch.type})`,
      status: 'warn',
      detail: `not delivered (the failover goes on): ${error}`,
    };
  }
}
