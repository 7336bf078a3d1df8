/**
 * Emulated messaging services, each answering as its documentation says, so the official clients
 * talk to them on loopback:
 *
 * - Slack Web API (`slack`): POST /api/<method>, form-encoded or JSON, token in the Authorization
 *   header; always HTTP 200 with {ok:true,...} or {ok:false,error}; throttling is HTTP 429 with
 *   Retry-After (https://api.slack.com/web, https://api.slack.com/apis/rate-limits). Methods:
 *   auth.test, conversations.create (name rules and name_taken,
 *   https://api.slack.com/methods/conversations.create), conversations.list (cursor pagination),
 *   conversations.join, conversations.history and conversations.replies (a message's metadata only
 *   with include_all_metadata=true, https://api.slack.com/methods/conversations.history#arg_include_all_metadata,
 *   https://api.slack.com/methods/conversations.replies: the parent first, then its replies),
 *   conversations.setPurpose (the channel's purpose.value in conversations.list), chat.postMessage
 *   (not_in_channel unless the bot is a member; thread_ts threads; `metadata` {event_type,
 *   event_payload} kept with the message, invalid_metadata_format when it is not that shape,
 *   https://docs.slack.dev/messaging/message-metadata), chat.update (message_not_found,
 *   cant_update_message for another user's message, https://api.slack.com/methods/chat.update).
 * - Teams Workflows webhook (`teams`): POST /workflows/<id>?sig=...: the signature in the URL is
 *   the credential (401 without it); the body must be a message whose attachment is an Adaptive
 *   Card (400 otherwise); answered 202 Accepted with an empty body
 *   (https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook).
 * - PagerDuty Events API v2 (`pagerduty`, https on loopback: pdjs speaks only https): POST
 *   /v2/enqueue; routing_key of a known service (else 400 "Invalid routing key"), event_action
 *   trigger|acknowledge|resolve, a trigger needs payload.summary, source and severity
 *   (critical|error|warning|info); 202 {status:"success", message:"Event processed", dedup_key};
 *   a trigger with an open alert's dedup_key joins it; resolve closes it
 *   (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/).
 *
 * Limits: public channels only, no users directory, no blocks rendering, no reactions; the Teams
 * card is stored, not rendered; PagerDuty has no incidents API, escalation policies or schedules.
 */
import type http from 'node:http';
import { randomBytes } from 'node:crypto';
import { send, type ServiceDef, type ServiceRequest } from '../http.js';
import { commsStore, type CommsStore, type SlackMessage } from './store.js';

function params(req: ServiceRequest): Record<string, any> {
  const type = String(req.headers['content-type'] ?? '');
  if (type.includes('application/json')) {
    try {
      return req.json() ?? {};
    } catch {
      return {};
    }
  }
  const out: Record<string, any> = {};
  for (const [k, v] of new URLSearchParams(req.text())) out[k] = v;
  for (const [k, v] of req.url.searchParams) out[k] ??= v;
  return out;
}

const slackOk = (res: http.ServerResponse, body: object) => send(res, 200, { ok: true, ...body });
const slackErr = (res: http.ServerResponse, error: string) => send(res, 200, { ok: false, error });

function channelJson(c: ReturnType<CommsStore['findChannel']> & object, user: string) {
  return {
    id: c.id,
    name: c.name,
    is_channel: true,
    is_private: false,
    is_archived: false,
    is_member: c.members.has(user),
    created: c.created,
    num_members: c.members.size,
    purpose: { value: c.purpose, creator: '', last_set: 0 },
  };
}

/** A message as conversations.history/replies return it; metadata only when asked for. */
function messageJson(m: SlackMessage, withMetadata: boolean) {
  return {
    type: 'message',
    ts: m.ts,
    text: m.text,
    user: m.user,
    thread_ts: m.threadTs,
    ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
  };
}

const truthy = (v: unknown) => v === true || v === 'true' || v === '1' || v === 1;

/** The metadata argument: a JSON string (form-encoded) or an object (JSON body). */
function metadataOf(v: unknown): SlackMessage['metadata'] | 'invalid' | undefined {
  if (v === undefined || v === '') return undefined;
  let m: any = v;
  if (typeof v === 'string') {
    try {
      m = JSON.parse(v);
    } catch {
      return 'invalid';
    }
  }
  if (!m || typeof m.event_type !== 'string' || typeof m.event_payload !== 'object') return 'invalid';
  return { event_type: m.event_type, event_payload: m.event_payload };
}

type SlackMethod = (s: CommsStore, p: Record<string, any>, user: string, res: http.ServerResponse) => void;

const SLACK: Record<string, SlackMethod> = {
  'auth.test': (_s, _p, user, res) =>
    slackOk(res, { user_id: user, team: 'aegis-sandbox', bot_id: 'B0AEGIS' }),
  'conversations.create': (s, p, user, res) => {
    const name = String(p.name ?? '');
    if (!name) return slackErr(res, 'invalid_name_required');
    if (name.length > 80) return slackErr(res, 'invalid_name_maxlength');
    if (!/^[a-z0-9_-]+$/.test(name)) return slackErr(res, 'invalid_name_specials');
    if (s.findChannel(name)) return slackErr(res, 'name_taken');
    slackOk(res, { channel: channelJson(s.channel(name, user), user) });
  },
  'conversations.list': (s, p, user, res) => {
    const limit = Math.min(1000, Math.max(1, Number(p.limit ?? 100) || 100));
    const all = [...s.channels.values()];
    const start = p.cursor
      ? Number(Buffer.from(String(p.cursor), 'base64').toString().replace('next:', '')) || 0
      : 0;
    const page = all.slice(start, start + limit);
    const next = start + limit < all.length ? Buffer.from(`next:${start + limit}`).toString('base64') : '';
    slackOk(res, {
      channels: page.map((c) => channelJson(c, user)),
      response_metadata: { next_cursor: next },
    });
  },
  'conversations.join': (s, p, user, res) => {
    const c = s.findChannel(String(p.channel ?? ''));
    if (!c) return slackErr(res, 'channel_not_found');
    const already = c.members.has(user);
    c.members.add(user);
    slackOk(res, { channel: channelJson(c, user), ...(already ? { warning: 'already_in_channel' } : {}) });
  },
  'conversations.history': (s, p, user, res) => {
    const c = s.findChannel(String(p.channel ?? ''));
    if (!c) return slackErr(res, 'channel_not_found');
    if (!c.members.has(user)) return slackErr(res, 'not_in_channel');
    const top = c.messages.filter((m) => !m.threadTs || m.threadTs === m.ts).reverse();
    slackOk(res, {
      messages: top.map((m) => messageJson(m, truthy(p.include_all_metadata))),
      has_more: false,
    });
  },
  'conversations.replies': (s, p, user, res) => {
    const c = s.findChannel(String(p.channel ?? ''));
    if (!c) return slackErr(res, 'channel_not_found');
    if (!c.members.has(user)) return slackErr(res, 'not_in_channel');
    const parent = c.messages.find((m) => m.ts === String(p.ts ?? ''));
    if (!parent) return slackErr(res, 'thread_not_found');
    const thread = [parent, ...c.messages.filter((m) => m.threadTs === parent.ts && m !== parent)];
    slackOk(res, {
      messages: thread.map((m) => messageJson(m, truthy(p.include_all_metadata))),
      has_more: false,
    });
  },
  'conversations.setPurpose': (s, p, user, res) => {
    const c = s.findChannel(String(p.channel ?? ''));
    if (!c) return slackErr(res, 'channel_not_found');
    if (!c.members.has(user)) return slackErr(res, 'not_in_channel');
    const purpose = String(p.purpose ?? '');
    if (purpose.length > 250) return slackErr(res, 'too_long');
    c.purpose = purpose;
    // https://api.slack.com/methods/conversations.setPurpose: {ok, purpose}
    slackOk(res, { purpose });
  },
  'chat.postMessage': (s, p, user, res) => {
    const c = s.findChannel(String(p.channel ?? ''));
    if (!c) return slackErr(res, 'channel_not_found');
    if (!c.members.has(user)) return slackErr(res, 'not_in_channel');
    const text = String(p.text ?? '');
    if (!text && !p.blocks && !p.attachments) return slackErr(res, 'no_text');
    const thread = p.thread_ts ? String(p.thread_ts) : undefined;
    if (thread && !c.messages.some((m) => m.ts === thread)) return slackErr(res, 'thread_not_found');
    const metadata = metadataOf(p.metadata);
    if (metadata === 'invalid') return slackErr(res, 'invalid_metadata_format');
    const ts = s.ts();
    c.messages.push({ ts, channel: c.id, text, user, threadTs: thread, ...(metadata ? { metadata } : {}) });
    slackOk(res, {
      channel: c.id,
      ts,
      message: { type: 'message', ts, text, user, ...(thread ? { thread_ts: thread } : {}) },
    });
  },
  'chat.update': (s, p, user, res) => {
    const c = s.findChannel(String(p.channel ?? ''));
    if (!c) return slackErr(res, 'channel_not_found');
    const m = c.messages.find((x) => x.ts === String(p.ts ?? ''));
    if (!m) return slackErr(res, 'message_not_found');
    if (m.user !== user) return slackErr(res, 'cant_update_message');
    (m.edited ??= []).push(m.text);
    m.text = String(p.text ?? m.text);
    slackOk(res, { channel: c.id, ts: m.ts, text: m.text, message: { text: m.text, user } });
  },
};

export function slackService(): ServiceDef {
  return {
    name: 'slack',
    operation: (req) => req.path.replace(/^\/api\//, ''),
    handle(req, res, ctx) {
      const s = commsStore(ctx.world);
      const method = req.path.replace(/^\/api\//, '');
      const fn = SLACK[method];
      if (!fn || req.method !== 'POST') return send(res, 404, { ok: false, error: 'unknown_method' });
      const p = params(req);
      const auth = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''))?.[1] ?? p.token;
      if (!auth) return slackErr(res, 'not_authed');
      const user = s.slackTokens.get(String(auth));
      if (!user) return slackErr(res, 'invalid_auth');
      fn(s, p, user, res);
    },
    renderThrottle: (_req, res, hit) =>
      send(res, 429, { ok: false, error: 'ratelimited' }, undefined, {
        'retry-after': String(hit.spec.retryAfterSeconds ?? 1),
      }),
    renderError: (_req, res) => send(res, 503, { ok: false, error: 'service_unavailable' }),
  };
}

/** The Teams webhook's path; its URL (with ?sig=) is what a plan's secretEnv holds. */
export const TEAMS_PATH = '/workflows/aegis-incident/triggers/manual/paths/invoke';

export function teamsService(): ServiceDef {
  return {
    name: 'teams',
    operation: () => 'webhook',
    handle(req, res, ctx) {
      const s = commsStore(ctx.world);
      if (req.path !== TEAMS_PATH || req.method !== 'POST')
        return send(res, 404, { error: { code: 'NotFound', message: 'No workflow at this URL.' } });
      if (req.url.searchParams.get('sig') !== s.teamsSig)
        return send(res, 401, {
          error: {
            code: 'DirectApiAuthorizationRequired',
            message: 'The request must be authenticated by its sig.',
          },
        });
      let body: any;
      try {
        body = req.json();
      } catch {
        return send(res, 400, {
          error: { code: 'InvalidRequestContent', message: 'The request content is not valid JSON.' },
        });
      }
      const att = Array.isArray(body?.attachments) ? body.attachments[0] : undefined;
      const card = att?.content;
      if (
        body?.type !== 'message' ||
        att?.contentType !== 'application/vnd.microsoft.card.adaptive' ||
        card?.type !== 'AdaptiveCard' ||
        !Array.isArray(card.body)
      )
        return send(res, 400, {
          error: {
            code: 'InvalidRequestContent',
            message: 'Expected a message with an Adaptive Card attachment.',
          },
        });
      const title = String(card.body.find((b: any) => b?.type === 'TextBlock')?.text ?? '');
      s.teams.push({ at: new Date().toISOString(), card: body, title });
      res.writeHead(202, { 'content-length': '0' });
      res.end();
    },
    renderThrottle: (_req, res, hit) =>
      send(res, 429, { error: { code: 'TooManyRequests', message: 'Rate limit is exceeded.' } }, undefined, {
        'retry-after': String(hit.spec.retryAfterSeconds ?? 1),
      }),
    renderError: (_req, res) =>
      send(res, 503, { error: { code: 'ServiceUnavailable', message: 'Unavailable.' } }),
  };
}

const SEVERITIES = new Set(['critical', 'error', 'warning', 'info']);

export function pagerdutyService(): ServiceDef {
  return {
    name: 'pagerduty',
    operation: (req) => {
      try {
        return `enqueue:${String(req.json()?.event_action ?? '?')}`;
      } catch {
        return 'enqueue';
      }
    },
    handle(req, res, ctx) {
      const s = commsStore(ctx.world);
      const invalid = (errors: string[]) =>
        send(res, 400, { status: 'invalid event', message: 'Event object is invalid', errors });
      if (req.path !== '/v2/enqueue' || req.method !== 'POST')
        return send(res, 404, { status: 'not found', message: 'Not Found' });
      let b: any;
      try {
        b = req.json();
      } catch {
        return invalid(['Could not parse the request body as JSON.']);
      }
      const service = s.pdServices.get(String(b?.routing_key ?? ''));
      if (!service)
        return send(res, 400, {
          status: 'invalid event',
          message: 'Invalid routing key',
          errors: ['Invalid routing key'],
        });
      const action = b.event_action;
      if (!['trigger', 'acknowledge', 'resolve'].includes(action))
        return invalid(["'event_action' is invalid (must be one of: trigger, acknowledge, resolve)"]);
      const errors: string[] = [];
      if (action === 'trigger') {
        if (!b.payload?.summary) errors.push("'payload.summary' is missing or blank");
        else if (String(b.payload.summary).length > 1024)
          errors.push("'payload.summary' is longer than 1024 characters");
        if (!b.payload?.source) errors.push("'payload.source' is missing or blank");
        if (!SEVERITIES.has(b.payload?.severity))
          errors.push("'payload.severity' is invalid (must be one of: critical, error, warning, info)");
      } else if (!b.dedup_key) errors.push("'dedup_key' is required for acknowledge and resolve events");
      if (b.dedup_key && String(b.dedup_key).length > 255)
        errors.push("'dedup_key' is longer than 255 characters");
      if (errors.length) return invalid(errors);
      const dedupKey = String(b.dedup_key ?? randomBytes(16).toString('hex'));
      s.pdEvents.push({
        at: new Date().toISOString(),
        service,
        action,
        dedupKey,
        summary: b.payload?.summary,
        severity: b.payload?.severity,
      });
      const open = s.pdAlerts.find(
        (a) => a.service === service && a.dedupKey === dedupKey && a.status !== 'resolved',
      );
      if (action === 'trigger') {
        if (open) open.events++;
        else
          s.pdAlerts.push({
            service,
            dedupKey,
            status: 'triggered',
            summary: String(b.payload.summary),
            events: 1,
          });
      } else if (open) {
        open.status = action === 'resolve' ? 'resolved' : 'acknowledged';
        open.events++;
      }
      send(res, 202, { status: 'success', message: 'Event processed', dedup_key: dedupKey });
    },
    renderThrottle: (_req, res) =>
      send(res, 429, {
        status: 'throttle event',
        message: 'Requests for this service are arriving too quickly.',
      }),
    renderError: (_req, res) => send(res, 503, { status: 'unavailable', message: 'Service Unavailable' }),
  };
}

/** Control API part: GET /_sandbox/comms (everything received). False when not its path. */
export function commsControl(store: CommsStore, req: ServiceRequest, res: http.ServerResponse): boolean {
  if (req.path !== '/_sandbox/comms') return false;
  if (req.method === 'GET') send(res, 200, store.toJSON());
  else send(res, 405, { error: 'use GET /_sandbox/comms.' });
  return true;
}
