/**
 * The plan's communication sections: `notifications` (the incident's channels, the wording of the
 * runbook's three messages, the incident defaults) and `escalation` (the runbook's four rules and
 * whom each engages). Part of the plan schema (src/plan/schema.ts), kept apart by domain.
 */
import { Type, type Static } from '@sinclair/typebox';

const Strict = { additionalProperties: false } as const;

const DurationText = Type.String({
  pattern: '^([0-9]+(ms|s|m|h))+$',
  description: 'A duration: a whole number followed by ms, s, m or h, e.g. 90s, 5m, 2h, 1h30m.',
});

export const ChannelType = Type.Union(
  [Type.Literal('slack'), Type.Literal('teams'), Type.Literal('pagerduty'), Type.Literal('github')],
  {
    description:
      'slack (Web API), teams (a Workflows webhook), pagerduty (Events API v2), github (an issue and a deployment).',
  },
);
export type ChannelType = Static<typeof ChannelType>;

/** The environment variable a channel's secret comes from when `secretEnv` is not written. */
export const DEFAULT_SECRET_ENV: Record<ChannelType, string> = {
  slack: 'SLACK_BOT_TOKEN',
  teams: 'TEAMS_WEBHOOK_URL',
  pagerduty: 'PAGERDUTY_ROUTING_KEY',
  github: 'GITHUB_TOKEN',
};

export const Channel = Type.Object(
  {
    type: ChannelType,
    target: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'slack: the channel (#platform-support); absent, the incident channel (notifications.incidentChannel) is created or joined. pagerduty: the service, for people (the routing key addresses it). github: the repository owner/name (default GITHUB_REPOSITORY).',
      }),
    ),
    secretEnv: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
        description:
          'The environment variable holding the secret: the Slack bot token, the Teams webhook URL, the PagerDuty routing key of the service, the GitHub token. Defaults: SLACK_BOT_TOKEN, TEAMS_WEBHOOK_URL, PAGERDUTY_ROUTING_KEY, GITHUB_TOKEN. Secrets never go in the plan.',
      }),
    ),
    url: Type.Optional(
      Type.String({
        pattern: '^https?://',
        description:
          'API endpoint override (a private endpoint, the sandbox): the Slack API base, the PagerDuty events server, the GitHub API; for teams the webhook URL when it is not secret.',
      }),
    ),
    environment: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'github: the deployment environment (default dr-production).',
      }),
    ),
    labels: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description: 'github: labels of the incident issue (default incident, aegis-dr).',
      }),
    ),
    mention: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'Who an escalation names here: a Slack <!subteam^ID> or a GitHub @org/team.',
      }),
    ),
  },
  { ...Strict, description: 'One place the incident is announced or escalated to.' },
);
export type Channel = Static<typeof Channel>;

export const Template = Type.Object(
  {
    subject: Type.String({ minLength: 1 }),
    body: Type.String({ minLength: 1 }),
  },
  {
    ...Strict,
    description:
      'A message: placeholders in braces ({started}, {reason}, {phases}, ...) are filled from the journal.',
  },
);
export type Template = Static<typeof Template>;

export const TemplateSet = Type.Object(
  {
    initial: Type.Optional(Template),
    progress: Type.Optional(Template),
    resolved: Type.Optional(Template),
  },
  {
    ...Strict,
    description:
      "The runbook's three messages (T+0, T+15, resolution); what is not written keeps the default.",
  },
);

export const Notifications = Type.Object(
  {
    severity: Type.String({ default: 'SEV1', minLength: 1 }),
    incidentChannel: Type.String({
      default: 'incident-{date}-{seq}',
      pattern: '^[a-z0-9_{}-]+$',
      description:
        'The Slack incident channel name: {date} is YYYYMMDD of the declaration, {seq} the next free two-digit number of that day (#incident-YYYYMMDD-XX).',
    }),
    expectedImpact: Type.String({
      default: 'API unavailable for up to 5 minutes during DNS propagation.',
      minLength: 1,
    }),
    updateEvery: {
      ...DurationText,
      default: '15m',
      description: 'How often a progress update is due (T+15).',
    },
    postMortemAfter: {
      ...DurationText,
      default: '48h',
      description: 'The post-mortem date in the resolution notice: this long after resolution.',
    },
    announce: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description:
          'The channels that carry the three messages; default: every channel that no escalation rule names.',
      }),
    ),
    templates: Type.Optional(
      Type.Object(
        {
          failover: Type.Optional(TemplateSet),
          failback: Type.Optional(TemplateSet),
          drill: Type.Optional(TemplateSet),
        },
        Strict,
      ),
    ),
    channels: Type.Record(Type.String({ pattern: '^[a-z][a-z0-9-]*$' }), Channel, { default: {} }),
  },
  { ...Strict, description: 'Runbook "Communication Templates" and "Contact Information".' },
);
export type Notifications = Static<typeof Notifications>;

export const EscalationWhen = Type.Union(
  [
    Type.Literal('failover-exceeds-rto'),
    Type.Literal('data-integrity-failure'),
    Type.Literal('dr-unhealthy'),
    Type.Literal('two-region-failure'),
    Type.Literal('rpo-at-risk'),
  ],
  {
    description:
      "One of the runbook's four escalation conditions, or rpo-at-risk (replication lag above the trigger threshold with the primary healthy: a page, never a failover).",
  },
);
export type EscalationWhen = Static<typeof EscalationWhen>;

export const EscalationRule = Type.Object(
  {
    when: EscalationWhen,
    notify: Type.Array(Type.String({ minLength: 1 }), {
      description: 'Channels (notifications.channels) to engage.',
    }),
    action: Type.Optional(
      Type.String({ description: 'What the people engaged are asked to do (shown in the message).' }),
    ),
  },
  { ...Strict, description: 'Runbook "Escalation": a condition and whom it engages.' },
);
export type EscalationRule = Static<typeof EscalationRule>;

/**
 * The placeholders a template may use, each filled from the journal and the plan by
 * src/phases/comms/messages.ts; the plan loader rejects any other name.
 */
export const TEMPLATE_FIELDS = {
  service: 'the plan service (cloud-aegis)',
  kind: 'failover, failback or drill',
  severity: 'notifications.severity (SEV1)',
  started: 'when the incident was declared, YYYY-MM-DD HH:MM UTC',
  channel: 'the incident channel, #incident-YYYYMMDD-XX',
  reason: 'the reason given at declare',
  class: 'the incident class (region-outage, ...)',
  rto: 'the class RTO in minutes',
  eta: 'the estimated completion: the RTO budget projection, in minutes from now',
  etaAt: 'the projected completion time, HH:MM UTC',
  impact: 'notifications.expectedImpact',
  next: 'when the next update is due: T+15 min',
  elapsed: 'minutes since the declaration (T+NN)',
  phases: "one line per phase with its state as the journal shows it ('- Database failover: COMPLETE')",
  resolved: 'when verify passed, YYYY-MM-DD HH:MM UTC',
  duration: 'minutes from declaration to resolution',
  from: 'the region left (us-east-1)',
  to: 'the region moved to (us-west-2)',
  region: "the move, 'primary (us-east-1) -> DR (us-west-2)'",
  postmortem: 'the post-mortem date, YYYY-MM-DD (resolution + notifications.postMortemAfter)',
  run: 'the run URL (or "outside GitHub")',
} as const;
export type TemplateField = keyof typeof TEMPLATE_FIELDS;
