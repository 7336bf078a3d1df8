/**
 * The runbook's three messages ("Communication Templates": Initial Notification (T+0), Progress
 * Update (T+15), Resolution Notice), rendered from the incident the journal tells and the RTO
 * budget. The wording is the plan's (`notifications.templates`), the runbook's by default; a
 * failback and a drill have their own defaults. Placeholders are TEMPLATE_FIELDS.
 */
import type { Plan } from '../../plan/types.js';
import { TEMPLATE_FIELDS, type Template, type TemplateField } from '../../plan/schema-comms.js';
import type { Budget } from './budget.js';
import type { Incident, IncidentKind } from './incident.js';

export type MessageKind = 'initial' | 'progress' | 'resolved';
export const MESSAGE_KINDS: MessageKind[] = ['initial', 'progress', 'resolved'];

export const DEFAULT_TEMPLATES: Record<IncidentKind, Record<MessageKind, Template>> = {
  failover: {
    initial: {
      subject: '[INCIDENT] Cloud Aegis DR Failover Initiated',
      body: [
        'Severity: {severity}',
        'Started: {started}',
        'Incident Channel: {channel}',
        'We are initiating a DR failover for Cloud Aegis due to {reason}.',
        'Estimated completion: {eta} minutes.',
        'Expected impact: {impact}',
        'Next update: {next}',
      ].join('\n'),
    },
    progress: {
      subject: 'Update [{elapsed}]: Cloud Aegis DR Failover',
      body: ['Update [{elapsed}]:', '{phases}', '- ETA to full recovery: {eta} minutes'].join('\n'),
    },
    resolved: {
      subject: '[RESOLVED] Cloud Aegis DR Failover Complete',
      body: [
        'Resolved: {resolved}',
        'Duration: {duration} minutes',
        'Region: {region}',
        'All systems operational. Post-mortem scheduled for {postmortem}.',
      ].join('\n'),
    },
  },
  failback: {
    initial: {
      subject: '[MAINTENANCE] Cloud Aegis DR Failback Initiated',
      body: [
        'Started: {started}',
        'Incident Channel: {channel}',
        'We are returning Cloud Aegis to its primary region ({region}).',
        'Estimated completion: {eta} minutes.',
        'Expected impact: {impact}',
        'Next update: {next}',
      ].join('\n'),
    },
    progress: {
      subject: 'Update [{elapsed}]: Cloud Aegis DR Failback',
      body: ['Update [{elapsed}]:', '{phases}', '- ETA to completion: {eta} minutes'].join('\n'),
    },
    resolved: {
      subject: '[RESOLVED] Cloud Aegis DR Failback Complete',
      body: [
        'Resolved: {resolved}',
        'Duration: {duration} minutes',
        'Region: {region}',
        'All systems operational.',
      ].join('\n'),
    },
  },
  drill: {
    initial: {
      subject: '[DRILL] Cloud Aegis DR Failover Drill Started',
      body: [
        'This is a drill: no customer impact is expected.',
        'Started: {started}',
        'Incident Channel: {channel}',
        'Scenario: {reason}.',
        'Estimated completion: {eta} minutes.',
        'Next update: {next}',
      ].join('\n'),
    },
    progress: {
      subject: '[DRILL] Update [{elapsed}]',
      body: ['Update [{elapsed}] (drill):', '{phases}', '- ETA: {eta} minutes'].join('\n'),
    },
    resolved: {
      subject: '[DRILL] Cloud Aegis DR Failover Drill Complete',
      body: [
        'Resolved: {resolved}',
        'Duration: {duration} minutes',
        'Region: {region}',
        'Drill complete.',
      ].join('\n'),
    },
  },
};

export interface Message {
  kind: MessageKind;
  subject: string;
  body: string;
  /** The values the placeholders took (for a Teams card's facts, a PagerDuty custom_details). */
  fields: Record<TemplateField, string>;
}

const utc = (t: number) => `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const minutes = (ms: number) => String(Math.max(0, Math.round(ms / 60000)));

/** The values of every placeholder for an incident at `now`. */
export function templateFields(
  incident: Incident,
  budget: Budget,
  plan: Plan,
  channel: string,
  now: number,
): Record<TemplateField, string> {
  const n = plan.doc.notifications;
  const updateMs = parseMinutes(n?.updateEvery ?? '15m');
  const elapsedMin = Math.floor((now - incident.declaredAt) / 60000);
  const nextMin = (Math.floor(elapsedMin / updateMs) + 1) * updateMs;
  const resolved = incident.resolvedAt;
  const pmMs = parseDurationLoose(n?.postMortemAfter ?? '48h');
  const move = incident.moves[0];
  const regions = [...new Set(incident.moves.map((m) => `${m.from} -> ${m.to}`))].join(', ');
  const siteWord = incident.kind === 'failback' ? 'DR -> primary' : 'primary -> DR';
  return {
    service: plan.doc.service,
    kind: incident.kind,
    severity: n?.severity ?? 'SEV1',
    started: utc(incident.declaredAt),
    channel: channel ? `#${channel.replace(/^#/, '')}` : 'none',
    reason: incident.reason,
    class: incident.incidentClass,
    rto: minutes(incident.cls.rtoMs),
    eta: minutes(budget.projectedFinish - now),
    etaAt: new Date(budget.projectedFinish).toISOString().slice(11, 16) + ' UTC',
    impact: n?.expectedImpact ?? 'API unavailable for up to 5 minutes during DNS propagation.',
    next: `T+${nextMin} min`,
    elapsed: `T+${elapsedMin}`,
    phases: incident.phases
      .map((p) => `- ${p.label}: ${p.state}${p.detail ? ` (${p.detail})` : ''}`)
      .join('\n'),
    resolved: resolved !== undefined ? utc(resolved) : 'not yet',
    duration: minutes((resolved ?? now) - incident.declaredAt),
    from: move?.from ?? '',
    to: move?.to ?? '',
    region: `${siteWord} (${regions})`,
    postmortem: new Date((resolved ?? now) + pmMs).toISOString().slice(0, 10),
    run: incident.runUrl ?? 'outside GitHub',
  };
}

function parseDurationLoose(d: string): number {
  let ms = 0;
  for (const m of d.matchAll(/([0-9]+)(ms|s|m|h)/g)) {
    const n = Number(m[1]);
    ms += m[2] === 'h' ? n * 3600000 : m[2] === 'm' ? n * 60000 : m[2] === 's' ? n * 1000 : n;
  }
  return ms;
}

function parseMinutes(d: string): number {
  return Math.max(1, Math.round(parseDurationLoose(d) / 60000));
}

/** Fill `{name}` placeholders; the loader already rejected unknown names. */
export function fill(text: string, fields: Record<string, string>): string {
  return text.replace(/\{([A-Za-z]+)\}/g, (m, k: string) => (k in fields ? fields[k] : m));
}

/** The message of `kind` for the incident, with the plan's wording or the default. */
export function renderMessage(
  kind: MessageKind,
  incident: Incident,
  budget: Budget,
  plan: Plan,
  channel: string,
  now: number = Date.now(),
): Message {
  const fields = templateFields(incident, budget, plan, channel, now);
  const t =
    plan.doc.notifications?.templates?.[incident.kind]?.[kind] ?? DEFAULT_TEMPLATES[incident.kind][kind];
  return { kind, subject: fill(t.subject, fields), body: fill(t.body, fields), fields };
}

/** Which message the incident is due: resolved once verified, initial first, progress after. */
export function dueMessage(incident: Incident, sent: Set<MessageKind>): MessageKind {
  if (incident.resolvedAt !== undefined) return 'resolved';
  return sent.has('initial') ? 'progress' : 'initial';
}

export { TEMPLATE_FIELDS };
