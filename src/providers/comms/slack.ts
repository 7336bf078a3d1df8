/**
 * Slack through the official Web API client (@slack/web-api): create or join the incident channel,
 * post a message, update it in place, thread the updates under it. `url` overrides the API base
 * (slackApiUrl: a private endpoint, the sandbox). Methods as Slack documents them:
 * conversations.create (error name_taken when the name exists,
 * https://api.slack.com/methods/conversations.create), conversations.list (cursor pagination),
 * conversations.join, chat.postMessage (thread_ts threads a reply,
 * https://api.slack.com/methods/chat.postMessage), chat.update (the message's channel and ts,
 * https://api.slack.com/methods/chat.update).
 */
import { WebClient } from '@slack/web-api';
import { ProviderError } from '../../engine/errors.js';

export interface SlackChannelRef {
  id: string;
  name: string;
}

export class SlackClient {
  private readonly web: WebClient;

  constructor(token: string, opts: { url?: string; timeoutMs?: number } = {}) {
    this.web = new WebClient(token, {
      slackApiUrl: opts.url ? `${opts.url.replace(/\/$/, '')}/api/` : undefined,
      timeout: opts.timeoutMs ?? 10_000,
      // the engine retries (Retry-After honoured, bounded by the deadline): the client does not
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
  }

  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const e = err as { code?: string; data?: { error?: string }; retryAfter?: number; statusCode?: number };
      const status =
        e.code === 'slack_webapi_rate_limited_error'
          ? 429
          : (e.statusCode ?? (e.code === 'slack_webapi_platform_error' ? 400 : undefined));
      throw new ProviderError({
        service: 'slack',
        operation,
        status,
        code: e.data?.error ?? e.code,
        retryAfterMs: e.retryAfter !== undefined ? e.retryAfter * 1000 : undefined,
        message: `slack ${operation} failed: ${e.data?.error ?? (err as Error).message}`,
      });
    }
  }

  /** Public channels whose name starts with `prefix` (every page). */
  async channelsStartingWith(prefix: string): Promise<(SlackChannelRef & { member: boolean })[]> {
    const out: (SlackChannelRef & { member: boolean })[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.call('conversations.list', () =>
        this.web.conversations.list({ types: 'public_channel', exclude_archived: true, limit: 200, cursor }),
      );
      for (const c of page.channels ?? [])
        if (c.id && c.name?.startsWith(prefix))
          out.push({ id: c.id, name: c.name, member: c.is_member === true });
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return out;
  }

  /** Create a public channel; undefined when the name is taken. */
  async create(name: string): Promise<SlackChannelRef | undefined> {
    try {
      const r = await this.call('conversations.create', () =>
        this.web.conversations.create({ name, is_private: false }),
      );
      return { id: r.channel!.id!, name: r.channel!.name ?? name };
    } catch (err) {
      if ((err as { code?: string }).code === 'name_taken') return undefined;
      throw err;
    }
  }

  async join(channel: string): Promise<void> {
    await this.call('conversations.join', () => this.web.conversations.join({ channel }));
  }

  /** The id of a channel by name (#platform-support), joining it when the bot is not a member. */
  async resolve(name: string): Promise<SlackChannelRef> {
    const bare = name.replace(/^#/, '');
    const found = (await this.channelsStartingWith(bare)).find((c) => c.name === bare);
    if (!found)
      throw new ProviderError({
        service: 'slack',
        operation: 'conversations.list',
        code: 'channel_not_found',
        message: `the Slack channel #${bare} does not exist or is not public: create it, or name another channel in the plan.`,
      });
    if (!found.member) await this.join(found.id);
    return found;
  }

  async post(channel: string, text: string, threadTs?: string): Promise<string> {
    const r = await this.call('chat.postMessage', () =>
      this.web.chat.postMessage({ channel, text, thread_ts: threadTs, unfurl_links: false, mrkdwn: true }),
    );
    return r.ts!;
  }

  async update(channel: string, ts: string, text: string): Promise<void> {
    await this.call('chat.update', () => this.web.chat.update({ channel, ts, text }));
  }
}
