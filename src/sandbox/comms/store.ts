/**
 * What the sandbox's messaging services hold and received: Slack channels and their messages,
 * the Teams webhook's cards, PagerDuty's events and the alerts they open and resolve. One store
 * per world; the control API (GET /_sandbox/comms) shows it, secrets left out.
 */
import { randomBytes } from 'node:crypto';
import type { World } from '../world.js';

export interface SlackMessage {
  ts: string;
  channel: string;
  text: string;
  user: string;
  threadTs?: string;
  edited?: string[];
  /** Message metadata as posted: {event_type, event_payload}. */
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

export interface SlackChannel {
  id: string;
  name: string;
  members: Set<string>;
  created: number;
  messages: SlackMessage[];
  purpose: string;
}

export interface TeamsPost {
  at: string;
  card: unknown;
  title: string;
}

export interface PagerDutyEventRecord {
  at: string;
  service: string;
  action: string;
  dedupKey: string;
  summary?: string;
  severity?: string;
}

export interface PagerDutyAlert {
  service: string;
  dedupKey: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  summary: string;
  events: number;
}

/** Slack bot users and their tokens, the channels, the Teams webhook, PagerDuty services. */
export class CommsStore {
  readonly slackTokens = new Map<string, string>();
  readonly channels = new Map<string, SlackChannel>();
  readonly teams: TeamsPost[] = [];
  readonly teamsSig = randomBytes(16).toString('hex');
  /** PagerDuty routing key -> service name. */
  readonly pdServices = new Map<string, string>();
  readonly pdEvents: PagerDutyEventRecord[] = [];
  readonly pdAlerts: PagerDutyAlert[] = [];
  private tsCounter = 0;
  private idCounter = 0;
  readonly slackBotToken: string;

  constructor() {
    this.slackBotToken = `xoxb-${randomBytes(12).toString('hex')}`;
    this.slackTokens.set(this.slackBotToken, 'U0AEGISBOT');
    for (const name of ['general', 'platform-support', 'security-ops']) this.channel(name, 'U0HUMAN');
    for (const s of ['aegis-oncall', 'aegis-dba', 'aegis-leadership', 'aegis-executive-bcp'])
      this.pdService(s);
  }

  /** A new channel (the creator is a member). */
  channel(name: string, creator: string): SlackChannel {
    const c: SlackChannel = {
      id: `C${String(++this.idCounter).padStart(8, '0')}`,
      name,
      members: new Set([creator]),
      created: Math.floor(Date.now() / 1000),
      messages: [],
      purpose: '',
    };
    this.channels.set(c.id, c);
    return c;
  }

  /** A channel by id or name (#name or name). */
  findChannel(ref: string): SlackChannel | undefined {
    const bare = ref.replace(/^#/, '');
    return this.channels.get(ref) ?? [...this.channels.values()].find((c) => c.name === bare);
  }

  /** A Slack message timestamp: unique, increasing ("1733112000.000100"). */
  ts(): string {
    const secs = Math.floor(Date.now() / 1000);
    return `${secs}.${String(++this.tsCounter).padStart(6, '0')}`;
  }

  /** A PagerDuty service with a new 32-character integration (routing) key. */
  pdService(name: string): string {
    const key = randomBytes(16).toString('hex');
    this.pdServices.set(key, name);
    return key;
  }

  routingKey(service: string): string | undefined {
    return [...this.pdServices].find(([, n]) => n === service)?.[0];
  }

  toJSON(): Record<string, unknown> {
    return {
      slack: {
        channels: [...this.channels.values()].map((c) => ({
          id: c.id,
          name: c.name,
          members: [...c.members],
          purpose: c.purpose,
          messages: c.messages,
        })),
      },
      teams: { posts: this.teams },
      pagerduty: { services: [...this.pdServices.values()], events: this.pdEvents, alerts: this.pdAlerts },
    };
  }
}

const stores = new WeakMap<World, CommsStore>();

export function commsStore(world: World): CommsStore {
  let s = stores.get(world);
  if (!s) {
    s = new CommsStore();
    stores.set(world, s);
  }
  return s;
}
