/**
 * The `notify` phase: the runbook's "Communication Templates" sent from the journal. It reads the
 * newest incident (declare record, each phase's records, the verify checks), picks the message
 * that is due (T+0 first, a progress update per `updateEvery` slot, the resolution once every
 * stack is verified) or the one asked for, renders it with the plan's wording, and delivers it to
 * the `announce` channels. A message already delivered to a channel (a re-run, a second job) is
 * not sent again: the ids are journaled and reused. A channel that fails is a warning: notify
 * never fails the failover.
 */
import { UserError } from '../engine/errors.js';
import { parseDuration } from '../plan/duration.js';
import { budgetMarkdown, rtoBudget } from './comms/budget.js';
import { deliver, sentRecords, stateOf } from './comms/channels.js';
import { incidentFromJournal, type IncidentKind } from './comms/incident.js';
import { dueMessage, MESSAGE_KINDS, renderMessage, type MessageKind } from './comms/messages.js';
import {
  isIncidentChannel,
  messageDelivery,
  openChannelDelivery,
  type SendContext,
} from './comms/senders.js';
import { journalReport } from './report.js';
import { escapeCell } from './render.js';
import type { PhaseContext, PhaseDef, ResultRow } from './types.js';
import { verifyRecords } from '../engine/journal.js';

const KINDS: IncidentKind[] = ['failover', 'failback', 'drill'];

/** The channels that carry the three messages: `announce`, or every channel no rule names. */
export function announceChannels(ctx: PhaseContext): string[] {
  const n = ctx.plan.doc.notifications;
  const all = Object.keys(n?.channels ?? {});
  if (n?.announce) return n.announce;
  const named = new Set((ctx.plan.doc.escalation ?? []).flatMap((r) => r.notify));
  return all.filter((c) => !named.has(c));
}

function choice<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (!value || value === 'auto') return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw new UserError(`input ${name} is "${value}": expected auto or one of ${allowed.join(', ')}.`);
  return value as T;
}

/** The sandbox's time compression for the RTO budget (1 on a real cloud). */
export function speedOf(ctx: PhaseContext): number {
  const v = ctx.inputs['time-scale'];
  if (!v) return 1;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0)
    throw new UserError(
      `input time-scale is "${v}": expected a number above 0 (1 on a real cloud, the sandbox speed in a drill).`,
    );
  return n;
}

export interface NotifyOutcome {
  message?: MessageKind;
  subject?: string;
  body?: string;
  rows: ResultRow[];
  markdown: string;
  channel?: string;
}

/** Render and deliver the due (or asked) message; the body of the phase, for the drill too. */
export async function notifyIncident(ctx: PhaseContext, now: number = Date.now()): Promise<NotifyOutcome> {
  const kind = choice('kind', ctx.inputs['kind'], KINDS);
  const asked = choice('message', ctx.inputs['message'], MESSAGE_KINDS);
  const records = ctx.run.journal.records;
  const incident = incidentFromJournal(records, ctx.plan, { kind, stacks: ctx.stacks });
  if (!incident) {
    return {
      rows: [
        {
          item: 'Incident',
          status: 'skip',
          detail: 'no incident declared in the journal (no declare/incident record): nothing to announce',
        },
      ],
      markdown: 'No incident in the journal: nothing was sent.',
    };
  }
  const n = ctx.plan.doc.notifications;
  const sent = sentRecords(records, incident.id, 'notify');
  const done = new Set(
    sent
      .filter((r) => r.outcome === 'done' || r.outcome === 'skipped')
      .map((r) => r.step.split('@')[0] as MessageKind),
  );
  const message = asked ?? dueMessage(incident, done);
  const budget = rtoBudget(incident, ctx.plan, records, now, { speed: speedOf(ctx) });
  const channels = announceChannels(ctx);
  const sc: SendContext = {
    incident,
    incidentChannel: n?.incidentChannel ?? 'incident-{date}-{seq}',
    runUrl: incident.runUrl ?? ctx.run.journal.records.at(-1)?.runUrl,
    report: () => {
      const recs = ctx.run.journal.records;
      const rep = journalReport(recs, verifyRecords(recs), ctx.plan, incident.stacks, {
        journalFile: ctx.journalFile,
      });
      return { markdown: rep.markdown, finalHash: recs.at(-1)?.hash ?? '' };
    },
  };
  const rows: ResultRow[] = [];
  // the incident channel is opened first: every message names it
  const opener = channels.find((c) => {
    const ch = n?.channels?.[c];
    return ch && isIncidentChannel(ch) && !stateOf(sent, c).slackChannel;
  });
  if (opener && !ctx.run.dryRun) {
    const ch = n!.channels[opener];
    const row = await deliver(ctx, 'notify', incident.id, opener, ch, openChannelDelivery(ch, sc));
    if (row.status === 'warn') rows.push(row);
  }
  const slack = channels
    .map((c) => ({ c, st: stateOf(sentRecords(ctx.run.journal.records, incident.id, 'notify'), c) }))
    .find((x) => x.st.slackChannelName);
  const channelName =
    slack?.st.slackChannelName ??
    (n?.incidentChannel ?? 'incident-{date}-{seq}')
      .replace('{date}', new Date(incident.declaredAt).toISOString().slice(0, 10).replace(/-/g, ''))
      .replace('{seq}', 'XX');
  const msg = renderMessage(message, incident, budget, ctx.plan, channelName, now);
  const updateMs = parseDuration(n?.updateEvery ?? '15m') / speedOf(ctx);
  const key =
    message === 'progress'
      ? `progress@${Math.max(1, Math.floor((now - incident.declaredAt) / updateMs))}`
      : message;
  for (const name of channels) {
    const ch = n?.channels?.[name];
    if (!ch) continue;
    const d = messageDelivery(key, ch, msg, sc);
    if (!d) {
      rows.push({
        item: `${name} (${ch.type})`,
        status: 'skip',
        detail: `a ${message} message is not sent to ${ch.type}`,
      });
      continue;
    }
    rows.push(await deliver(ctx, 'notify', incident.id, name, ch, d, { message, subject: msg.subject }));
  }
  if (channels.length === 0)
    rows.push({
      item: 'Channels',
      status: 'info',
      detail: 'the plan announces to no channel (notifications.announce): the message is in the summary only',
    });
  const finalChannel = channels
    .map((c) => stateOf(sentRecords(ctx.run.journal.records, incident.id, 'notify'), c))
    .find((s) => s.slackChannelName)?.slackChannelName;
  const markdown = [
    `**${escapeCell(msg.subject)}**`,
    '',
    '```',
    msg.body,
    '```',
    '',
    budgetMarkdown(budget),
  ].join('\n');
  return { message, subject: msg.subject, body: msg.body, rows, markdown, channel: finalChannel };
}

export const notifyPhase: PhaseDef = {
  name: 'notify',
  title: 'Notify',
  description:
    "Sends the runbook's messages (T+0 initial, T+15 progress, resolution) rendered from the journal to the plan's announce channels (Slack, Teams, PagerDuty, GitHub issue and deployment); never twice, and a failing channel is a warning that never stops the failover.",
  inputs: [
    {
      name: 'message',
      kind: 'enum',
      choices: ['auto', 'initial', 'progress', 'resolved'],
      description:
        'auto (the one due: initial, then progress, resolved once verified), initial, progress or resolved.',
      default: 'auto',
    },
    {
      name: 'kind',
      kind: 'enum',
      choices: ['auto', 'failover', 'failback', 'drill'],
      description:
        'auto (failback after a failback, else failover), failover, failback or drill: which templates.',
      default: 'auto',
    },
    {
      name: 'time-scale',
      kind: 'string',
      description:
        'Sandbox drills only: how much faster than real time the clouds run (the RTO budget divides durations by it).',
      default: '1',
    },
  ],
  outputs: [
    {
      name: 'message',
      description: 'The message sent: initial, progress or resolved (empty without an incident).',
    },
    { name: 'incident-channel', description: 'The Slack incident channel name, when one is used.' },
    { name: 'delivered', description: 'Comma-separated channels that took the message now.' },
    {
      name: 'failed-channels',
      description: 'Comma-separated channels that could not be reached (warnings).',
    },
  ],
  async run(ctx) {
    const out = await notifyIncident(ctx);
    return {
      ok: true,
      rows: out.rows,
      outputs: {
        message: out.message ?? '',
        'incident-channel': out.channel ?? '',
        delivered: out.rows
          .filter((r) => r.status === 'done')
          .map((r) => r.item.split(' ')[0])
          .join(','),
        'failed-channels': out.rows
          .filter((r) => r.status === 'warn')
          .map((r) => r.item.split(' ')[0])
          .join(','),
      },
      markdown: out.markdown,
    };
  },
};
