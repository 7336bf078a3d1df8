/**
 * The `escalate` phase: the runbook's four escalation rules ("Escalation"), evaluated from the
 * journal and the plan, each fired once per incident, journaled with who was engaged and why, and
 * delivered to the rule's channels:
 * - failover-exceeds-rto: the RTO budget's projection passes the class RTO (early), or the RTO
 *   passes without a resolution (late) -> VP Engineering;
 * - data-integrity-failure: a verify "Data integrity" check failed -> stop the failover (later
 *   mutating phases refuse to start until an operator overrides with a reason: the runner checks
 *   it for every surface) and engage DBA + Security;
 * - dr-unhealthy: the newest readiness run found the DR site unhealthy (DR health, DR nodes and
 *   pods) -> Platform team;
 * - two-region-failure: the triggers saw both regions of a stack unhealthy -> executives + BCP;
 * - rpo-at-risk (not a runbook row): the triggers saw replication lag above the threshold with the
 *   primary healthy -> the DBA on-call (the runbook's contact for the database), never a failover.
 * The job summary shows the live RTO budget.
 */
import type { JournalRecord } from '../engine/journal.js';
import type { EscalationWhen } from '../plan/schema-comms.js';
import { budgetMarkdown, rtoBudget, type Budget } from './comms/budget.js';
import { deliver, sentRecords, stateOf } from './comms/channels.js';
import { incidentFromJournal, type Incident } from './comms/incident.js';
import { escalationDelivery, type SendContext } from './comms/senders.js';
import { speedOf } from './notify.js';
import type { PhaseContext, PhaseDef, ResultRow } from './types.js';

export const RULES: EscalationWhen[] = [
  'failover-exceeds-rto',
  'data-integrity-failure',
  'dr-unhealthy',
  'two-region-failure',
  'rpo-at-risk',
];

/** The runbook's action for each rule when the plan does not word it. */
const ACTIONS: Record<EscalationWhen, string> = {
  'failover-exceeds-rto': 'Escalate to VP Engineering',
  'data-integrity-failure': 'Stop failover, engage DBA + Security',
  'dr-unhealthy': 'Contact Platform Team immediately',
  'two-region-failure': 'Engage executive team, activate BCP',
  'rpo-at-risk': 'Page the DBA on-call: replication lag puts the RPO at risk',
};

/** Readiness checks that say the DR site itself is unhealthy. */
export const DR_CHECKS = new Set(['DR health', 'DR nodes and pods']);

export interface RuleVerdict {
  rule: EscalationWhen;
  fires: boolean;
  /** What the journal shows, one sentence. */
  why: string;
  /** Once per incident (or per triggering run when there is none). */
  key: string;
  /** For failover-exceeds-rto: early (projection) or late (the RTO passed). */
  when?: 'early' | 'late';
}

/** The four rules against the journal at `now`. */
export function evaluateRules(
  records: JournalRecord[],
  incident: Incident | undefined,
  budget: Budget | undefined,
  stacks: string[],
): RuleVerdict[] {
  const mine = (r: JournalRecord) => !r.stack || stacks.includes(r.stack);
  const since = incident ? records.slice(records.indexOf(incident.records[0])) : records;
  const out: RuleVerdict[] = [];

  // failover longer than the class RTO
  if (incident && budget && incident.resolvedAt === undefined && incident.kind !== 'failback') {
    const late = budget.over;
    const fires = late || budget.projectedOver;
    out.push({
      rule: 'failover-exceeds-rto',
      fires,
      key: incident.id,
      when: late ? 'late' : fires ? 'early' : undefined,
      why: late
        ? `the ${incident.incidentClass} failover declared at ${new Date(incident.declaredAt).toISOString()} passed its RTO of ${Math.round(incident.cls.rtoMs / 60000)} min without being verified`
        : `the failover is projected to finish at ${new Date(budget.projectedFinish).toISOString()}, after its RTO ends at ${new Date(budget.deadline).toISOString()}`,
    });
  } else
    out.push({
      rule: 'failover-exceeds-rto',
      fires: false,
      key: incident?.id ?? '',
      why: incident
        ? incident.resolvedAt !== undefined
          ? 'resolved'
          : 'a failback'
        : 'no incident declared',
    });

  // data integrity failure
  const integrity = since.filter(
    (r) => mine(r) && r.phase === 'verify' && r.step === 'Data integrity' && r.data?.status === 'fail',
  );
  out.push({
    rule: 'data-integrity-failure',
    fires: integrity.length > 0,
    key: incident?.id ?? integrity[0]?.runId.slice(0, 8) ?? '',
    why: integrity.length
      ? `the data integrity check failed on ${[...new Set(integrity.map((r) => `${r.stack} (${r.target})`))].join(', ')}: ${String(integrity[0].data?.detail ?? '')}`
      : 'every data integrity check passed or none ran',
  });

  // DR environment unhealthy: the newest readiness run
  const readiness = records.filter((r) => mine(r) && r.phase === 'readiness');
  const lastRun = readiness.at(-1)?.runId;
  const drBad = readiness.filter(
    (r) => r.runId === lastRun && DR_CHECKS.has(r.step) && r.data?.status === 'fail',
  );
  out.push({
    rule: 'dr-unhealthy',
    fires: drBad.length > 0,
    key: incident?.id ?? lastRun?.slice(0, 8) ?? '',
    why: drBad.length
      ? `readiness found the DR site unhealthy: ${drBad.map((r) => `${r.stack} ${r.step}: ${String(r.data?.detail ?? 'fail')}`).join('; ')}`
      : 'the DR site was healthy at the last readiness check (or none ran)',
  });

  // two-region simultaneous failure: the newest trigger evaluation
  const evals = records.filter((r) => r.phase === 'triggers' && r.step === 'evaluate');
  const last = evals.at(-1);
  const two = last?.data?.twoRegion === true;
  out.push({
    rule: 'two-region-failure',
    fires: two,
    key: incident?.id ?? (last ? `${last.runId.slice(0, 8)}-${last.seq}` : ''),
    why: two
      ? `the triggers saw both regions unhealthy at ${last!.endedAt}: ${((last!.data?.reasons as string[]) ?? []).join('; ')}`
      : 'no two-region failure in the newest trigger evaluation',
  });

  // replication lag above the threshold with the primary healthy: the RPO is at risk (a page, not a failover)
  const atRisk = (last?.data?.rpoAtRisk as string[] | undefined)?.filter((s) => stacks.includes(s)) ?? [];
  out.push({
    rule: 'rpo-at-risk',
    fires: atRisk.length > 0,
    key: last ? `${last.runId.slice(0, 8)}-${last.seq}` : '',
    why: atRisk.length
      ? `the triggers saw replication lag above the threshold with the primary healthy at ${last!.endedAt}: ${((last!.data?.reasons as string[]) ?? []).filter((r) => atRisk.some((s) => r.startsWith(`${s}:`))).join('; ')}`
      : 'no replication lag above the threshold in the newest trigger evaluation',
  });
  return out;
}

/** The stop a data integrity escalation puts on the failover, unless overridden since. */
export function activeStop(records: JournalRecord[]): JournalRecord | undefined {
  let stop: JournalRecord | undefined;
  for (const r of records) {
    if (r.phase === 'escalate' && r.step === 'data-integrity-failure' && r.data?.stop === true) stop = r;
    if (r.phase === 'escalate' && r.step === 'override' && stop) stop = undefined;
  }
  return stop;
}

export interface EscalateOutcome {
  fired: RuleVerdict[];
  rows: ResultRow[];
  markdown: string;
  budget?: Budget;
}

export async function escalateIncident(
  ctx: PhaseContext,
  now: number = Date.now(),
): Promise<EscalateOutcome> {
  const records = ctx.run.journal.records;
  const incident = incidentFromJournal(records, ctx.plan, { stacks: ctx.stacks });
  const budget = incident ? rtoBudget(incident, ctx.plan, records, now, { speed: speedOf(ctx) }) : undefined;
  const verdicts = evaluateRules(records, incident, budget, ctx.stacks);
  const rules = ctx.plan.doc.escalation ?? [];
  const channels = ctx.plan.doc.notifications?.channels ?? {};
  const rows: ResultRow[] = [];
  const fired: RuleVerdict[] = [];
  for (const v of verdicts) {
    if (!v.fires) {
      rows.push({ item: v.rule, status: 'pass', detail: v.why });
      continue;
    }
    const rule = rules.find((r) => r.when === v.rule);
    const engaged = rule?.notify ?? [];
    const action = rule?.action ?? ACTIONS[v.rule];
    const earlier = records.find(
      (r) => r.phase === 'escalate' && r.step === v.rule && r.data?.key === v.key && r.outcome === 'observed',
    );
    if (earlier) {
      rows.push({
        item: v.rule,
        status: 'skip',
        detail: `escalated already at ${earlier.endedAt} (${engaged.join(', ') || 'nobody'}): ${v.why}`,
      });
      continue;
    }
    fired.push(v);
    const t = new Date().toISOString();
    ctx.run.journal.append({
      phase: 'escalate',
      step: v.rule,
      target: engaged.join(',') || 'journal',
      outcome: 'observed',
      action,
      startedAt: t,
      endedAt: t,
      durationMs: 0,
      attempts: 1,
      dryRun: ctx.run.dryRun,
      data: {
        rule: v.rule,
        key: v.key,
        why: v.why,
        engaged,
        ...(v.when ? { when: v.when } : {}),
        ...(v.rule === 'data-integrity-failure' ? { stop: true } : {}),
      },
    });
    rows.push({
      item: v.rule,
      status: 'warn',
      detail: `${action}: ${v.why}; engaged ${engaged.join(', ') || 'nobody (no channel in the plan)'}`,
    });
    const title = `[ESCALATION] ${action}`;
    const text = `${v.why}.${incident ? `\nIncident: ${incident.incidentClass} (${incident.reason}), declared ${new Date(incident.declaredAt).toISOString()}.` : ''}${v.rule === 'data-integrity-failure' ? '\nThe failover is stopped: later mutating phases refuse to start until an operator overrides with a reason.' : ''}`;
    const sc: SendContext | undefined = incident
      ? { incident, incidentChannel: ctx.plan.doc.notifications?.incidentChannel ?? 'incident-{date}-{seq}' }
      : undefined;
    const noticeState = incident
      ? Object.keys(channels).reduce(
          (acc, c) => ({ ...acc, ...stateOf(sentRecords(records, incident.id, 'notify'), c) }),
          {},
        )
      : {};
    for (const name of engaged) {
      const ch = channels[name];
      if (!ch) continue;
      const d = escalationDelivery(
        `escalate:${v.rule}`,
        ch,
        title,
        text,
        sc ?? {
          incident: {
            id: v.key || 'no-incident',
            stacks: ctx.stacks,
            incidentClass: 'region-outage',
            kind: 'failover',
          } as Incident,
          incidentChannel: 'incident-{date}-{seq}',
        },
        noticeState,
      );
      rows.push(await deliver(ctx, 'escalate', v.key, name, ch, d, { rule: v.rule }));
    }
  }
  const markdown = [
    '| Rule | Fires | Why |',
    '| --- | --- | --- |',
    ...verdicts.map(
      (v) =>
        `| ${v.rule} | ${v.fires ? `**yes**${v.when ? ` (${v.when})` : ''}` : 'no'} | ${v.why.replace(/\|/g, '\\|')} |`,
    ),
    '',
    budget ? budgetMarkdown(budget) : 'No incident declared: no RTO budget.',
  ].join('\n');
  return { fired, rows, markdown, budget };
}

export const escalatePhase: PhaseDef = {
  name: 'escalate',
  title: 'Escalate',
  description:
    "Evaluates the runbook's four escalation rules from the journal (failover past its RTO, early when the projection passes it; data integrity failure, which stops the failover; DR unhealthy; two-region failure), engages each rule's channels once, and shows the live RTO budget.",
  inputs: [
    {
      name: 'time-scale',
      kind: 'string',
      description:
        'Sandbox drills only: how much faster than real time the clouds run (the RTO budget divides durations by it).',
      default: '1',
    },
  ],
  outputs: [
    { name: 'escalated', description: 'Comma-separated rules that fired now.' },
    { name: 'stopped', description: '"true" when a data integrity failure stops the failover.' },
    {
      name: 'projected-finish',
      description: 'Projected end of the failover (ISO time), empty without an incident.',
    },
  ],
  async run(ctx) {
    const out = await escalateIncident(ctx);
    return {
      ok: true,
      rows: out.rows,
      outputs: {
        escalated: out.fired.map((f) => f.rule).join(','),
        stopped: String(activeStop(ctx.run.journal.records) !== undefined),
        'projected-finish': out.budget ? new Date(out.budget.projectedFinish).toISOString() : '',
      },
      markdown: out.markdown,
    };
  },
};
