/**
 * Slack through the official Web API client (@slack/web-api): create or join the incident channel,
 * post a message, update it in place, thread the updates under it. `url` overrides the API base
 * (slackApiUrl: a private endpoint, the sandbox). Methods as Slack documents them:
 * conversations.create (error name_taken when the name exists,
 * https://api.slack.com/methods/conversations.create), conversations.list (cursor pagination),
 * conversations.join, chat.postMessage (thread_ts threads a reply,
 * https://api.slack.com/methods/chat.postMessage), chat.update (the message's channel and ts,
 * https://api.slack.com/methods/chat.update), conversations.setPurpose.
 *
 * Every message we post carries message metadata (event_type `aegis_dr_message`, a payload with the
 * incident id and the message key, https://docs.slack.dev/messaging/message-metadata), which
 * conversations.history and conversations.replies return with include_all_metadata=true
 * (https://api.slack.com/methods/conversations.history#arg_include_all_metadata): a re-run finds a
 * message an earlier run posted before it died, instead of posting it again.
 */
import { WebClient } from '@slack/web-api';
import { ProviderError } from '../../engine/errors.js';

export interface SlackChannelRef {
  id: string;
  name: string;
}

/** The metadata event type of our messages. */
export const MESSAGE_EVENT = 'aegis_dr_message';

/** What identifies one of our messages: the incident and the message key (initial, progress@2, ...). */
export interface MessageTag {
  incident: string;
  key: string;
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
  async channelsStartingWith(
    prefix: string,
  ): Promise<(SlackChannelRef & { member: boolean; purpose: string })[]> {
    const out: (SlackChannelRef & { member: boolean; purpose: string })[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.call('conversations.list', () =>
        this.web.conversations.list({ types: 'public_channel', exclude_archived: true, limit: 200, cursor }),
      );
      for (const c of page.channels ?? [])
        if (c.id && c.name?.startsWith(prefix))
          out.push({ id: c.id, name: c.name, member: c.is_member === true, purpose: c.purpose?.value ?? '' });
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

  /** Set a channel's purpose (https://api.slack.com/methods/conversations.setPurpose). */
  async setPurpose(channel: string, purpose: string): Promise<void> {
    await this.call('conversations.setPurpose', () =>
      this.web.conversations.setPurpose({ channel, purpose }),
    );
  }

  async post(channel: string, text: string, threadTs?: string, tag?: MessageTag): Promise<string> {
    const r = await this.call('chat.postMessage', () =>
      this.web.chat.postMessage({
        channel,
        text,
        thread_ts: threadTs,
        unfurl_links: false,
        mrkdwn: true,
        ...(tag ? { metadata: { event_type: MESSAGE_EVENT, event_payload: { ...tag } } } : {}),
      }),
    );
    return r.ts!;
  }

  /**
   * The ts of our message tagged `tag` in the channel (top level), or in the thread of `threadTs`
   * (conversations.replies); undefined when it is not there. Reads the newest 200 messages.
   */
  async findTagged(channel: string, tag: MessageTag, threadTs?: string): Promise<string | undefined> {
    type Msg = { ts?: string; metadata?: { event_type?: string; event_payload?: Record<string, unknown> } };
    const r = threadTs
      ? await this.call('conversations.replies', () =>
          this.web.conversations.replies({ channel, ts: threadTs, include_all_metadata: true, limit: 200 }),
        )
      : await this.call('conversations.history', () =>
          this.web.conversations.history({ channel, include_all_metadata: true, limit: 200 }),
        );
    const hit = ((r.messages ?? []) as Msg[]).find(
      (m) =>
        m.metadata?.event_type === MESSAGE_EVENT &&
        m.metadata.event_payload?.incident === tag.incident &&
        m.metadata.event_payload?.key === tag.key,
    );
    return hit?.ts;
  }

  async update(channel: string, ts: string, text: string): Promise<void> {
    await this.call('chat.update', () => this.web.chat.update({ channel, ts, text }));
  }
}
