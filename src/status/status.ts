/**
 * `aegis-dr status`: where a stopped or failed failover stands. For each stack of the open
 * incident (the newest declaration in the journal), phase by phase: what the journal says was
 * done, failed, refused or is still pending, checked against a fresh, read-only look at the cloud
 * (who holds the database writer, where traffic points, the DR node pool, whether the primary is
 * fenced), and the next safe command. Nothing here mutates: only describe() and reads.
 */
import { messageOf } from '../engine/errors.js';
import { readJournal, verifyRecords, type JournalRecord } from '../engine/journal.js';
import type { IncidentClassName, Plan, SiteName } from '../plan/types.js';
import { DRAIN_ANNOTATION } from '../plan/constants.js';
import { deploymentsOf } from '../phases/shared/context.js';
import { servingSite } from '../drill/pipeline.js';
import type { Environment } from '../phases/types.js';

/** The failover phases in runbook order, then what follows once the service runs in DR. */
const FAILOVER_ORDER = ['declare', 'drain', 'database', 'scale', 'traffic', 'verify'] as const;
const AFTER_FAILOVER = ['sync', 'failback'] as const;

export type PhaseState = 'done' | 'failed' | 'refused' | 'pending' | 'dry-run only' | 'not in this class';

export interface PhaseStatus {
  phase: string;
  state: PhaseState;
  /** What the journal's last record of the phase says (step, target, error), or what the cloud shows. */
  detail: string;
  at?: string;
}

export interface CloudLook {
  /** Which site holds the database writer, and the database's status. */
  database?: { writer: string; status: string; busy: boolean };
  /** Which site the traffic service sends users to. */
  traffic?: { active: string };
  /** The DR node pool's desired size and status. */
  /** desired: absent for a pool whose resource keeps no size (GKE: its size is its nodes). */
  drNodePool?: { desired?: number; status: string; busy: boolean };
  /** Whether every primary deployment carries the drain annotation (writes stopped). */
  primaryFenced?: boolean;
  /** What could not be read, one sentence each (an unreachable primary region is an answer too). */
  unreadable: string[];
  /** The cloud was not asked (the journal alone: the report action unless its status input is cloud). */
  notLooked?: boolean;
}

export interface StackStatus {
  stack: string;
  incident?: {
    class: IncidentClassName;
    reason?: string;
    declaredAt: string;
    actor?: string;
    runUrl?: string;
  };
  /** Where the class leaves the service: dr, or primary for an in-region database failover. */
  target: SiteName;
  phases: PhaseStatus[];
  cloud: CloudLook;
  /** The next safe step, in words, and the command that takes it (absent when nothing is to run). */
  next: { text: string; command?: string };
}

export interface StatusReport {
  journal: string;
  journalIntact: boolean;
  journalProblem?: string;
  stacks: StackStatus[];
}

export interface StatusOptions {
  plan: Plan;
  planFile: string;
  journalFile: string;
  stacks: string[];
  /** The journal's records when the caller has read them already (the report reads a torn or edited journal leniently). */
  records?: JournalRecord[];
  /** Absent: the journal alone (the report action's default, which contacts no cloud). */
  env?: Environment;
}

/** Build the status of every stack: the journal first, then a read-only look at the cloud. */
export async function statusOf(opts: StatusOptions): Promise<StatusReport> {
  const records = opts.records ?? readJournal(opts.journalFile);
  const check = verifyRecords(records);
  const stacks = await Promise.all(opts.stacks.map((s) => stackStatus(opts, records, s)));
  return {
    journal: opts.journalFile,
    journalIntact: check.ok,
    journalProblem: check.ok ? undefined : `record ${check.badSeq}: ${check.reason}`,
    stacks,
  };
}

async function stackStatus(opts: StatusOptions, all: JournalRecord[], stack: string): Promise<StackStatus> {
  const mine = all.filter((r) => r.stack === stack);
  const declared = mine.filter((r) => r.phase === 'declare' && r.step === 'incident' && !r.dryRun).at(-1);
  const data = (declared?.data ?? {}) as { incidentClass?: IncidentClassName; reason?: string };
  const cls = opts.plan.classes[data.incidentClass ?? 'region-outage'];
  const target = servingSite(cls);
  const since = declared ? mine.filter((r) => r.seq >= declared.seq) : mine;
  const cloud = await lookAtCloud(opts, stack, target);

  const inClass = (p: string) => p === 'declare' || cls.phases.includes(p as never);
  const phases: PhaseStatus[] = [...FAILOVER_ORDER, ...AFTER_FAILOVER].map((phase) =>
    !inClass(phase) && !(AFTER_FAILOVER as readonly string[]).includes(phase)
      ? { phase, state: 'not in this class', detail: `${cls.name} does not run ${phase}` }
      : fromJournal(
          phase,
          since.filter((r) => r.phase === phase),
        ),
  );
  reconcileWithCloud(phases, cloud, target);
  return {
    stack,
    incident: declared
      ? {
          class: cls.name,
          reason: data.reason,
          declaredAt: declared.startedAt,
          actor: declared.actor,
          runUrl: declared.runUrl,
        }
      : undefined,
    target,
    phases,
    cloud,
    next: nextStep(opts, stack, cls.name, phases, cloud, declared !== undefined),
  };
}

/** The state of one phase from its records: the last record of each of its steps decides. */
export function fromJournal(phase: string, records: JournalRecord[]): PhaseStatus {
  const real = records.filter((r) => !r.dryRun && r.step !== 'incident');
  if (real.length === 0) {
    return records.some((r) => r.dryRun)
      ? { phase, state: 'dry-run only', detail: 'only a dry run is on record: nothing was changed' }
      : { phase, state: 'pending', detail: 'nothing on record' };
  }
  const last = new Map<string, JournalRecord>();
  for (const r of real) last.set(`${r.step} ${r.target}`, r);
  const latest = [...last.values()];
  const status = (r: JournalRecord) => (r.data as { status?: string } | undefined)?.status;
  const bad =
    latest.find((r) => r.outcome === 'refused') ??
    latest.find((r) => r.outcome === 'failed' || status(r) === 'fail');
  const at = latest.at(-1)!.endedAt;
  if (bad) {
    return {
      phase,
      state: bad.outcome === 'refused' ? 'refused' : 'failed',
      detail: `${bad.step} on ${bad.target}: ${bad.error ?? (bad.data as { detail?: string } | undefined)?.detail ?? bad.outcome}`,
      at: bad.endedAt,
    };
  }
  const steps = latest.map((r) => `${r.step} ${r.outcome === 'skipped' ? 'already done' : r.outcome}`);
  return { phase, state: 'done', detail: [...new Set(steps)].join(', '), at };
}

/** A read-only look: describe() of each provider and the primary deployments' annotations. */
async function lookAtCloud(opts: StatusOptions, stack: string, target: SiteName): Promise<CloudLook> {
  const look: CloudLook = { unreadable: [] };
  const env = opts.env;
  if (!env) {
    look.notLooked = true;
    return look;
  }
  const read = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      look.unreadable.push(`${what}: ${messageOf(err)}`);
    }
  };
  await read('cloud APIs', async () => {
    const p = await env.providers(stack);
    await Promise.all([
      read('database', async () => {
        const d = await p.database.describe();
        look.database = { writer: d.writer, status: d.status, busy: d.busy };
      }),
      read('traffic', async () => {
        const t = await p.traffic.describe();
        look.traffic = { active: t.active };
      }),
      read('DR node pool', async () => {
        const n = await p.nodePool.describe('dr');
        look.drNodePool = { desired: n.desired, status: n.status, busy: n.busy };
      }),
    ]);
  });
  if (target === 'dr') {
    await read('primary deployments', async () => {
      const cluster = await env.cluster(stack, 'primary');
      const names = deploymentsOf(opts.plan.stack(stack), 'primary');
      const deps = await Promise.all(names.map((n) => cluster.deployment(n)));
      look.primaryFenced = deps.every((d) => d?.annotations[DRAIN_ANNOTATION] === 'true');
    });
  }
  return look;
}

/**
 * The cloud is the truth the journal may lag behind (a runner that died after the call and before
 * its record): a phase pending in the journal whose end state the cloud already shows is done
 * "in the cloud"; a phase done in the journal that the cloud contradicts is named.
 */
function reconcileWithCloud(phases: PhaseStatus[], cloud: CloudLook, target: SiteName): void {
  const seen: Record<string, { done: boolean; what: string } | undefined> = {
    declare:
      cloud.primaryFenced === undefined
        ? undefined
        : { done: cloud.primaryFenced, what: `primary ${cloud.primaryFenced ? 'fenced' : 'not fenced'}` },
    database: cloud.database
      ? { done: cloud.database.writer === target, what: `database writer: ${cloud.database.writer}` }
      : undefined,
    traffic: cloud.traffic
      ? { done: cloud.traffic.active === target, what: `traffic goes to: ${cloud.traffic.active}` }
      : undefined,
  };
  for (const p of phases) {
    const c = seen[p.phase];
    if (!c) continue;
    if (p.state === 'pending' && c.done) {
      p.state = 'done';
      p.detail = `not in the journal, but the cloud shows it done (${c.what})`;
    } else if (p.state === 'done' && !c.done) {
      p.detail += `; but the cloud now shows ${c.what}`;
    }
  }
}

function command(opts: StatusOptions, phase: string, stack: string, extra: string[] = []): string {
  const q = (s: string) => (/^[\w./:=@-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);
  return [
    'aegis-dr run',
    phase,
    '--plan',
    q(opts.planFile),
    '--journal',
    q(opts.journalFile),
    '--stack',
    stack,
    ...extra,
  ].join(' ');
}

/** The first unfinished phase in runbook order decides; a busy database means wait, never act. */
export function nextStep(
  opts: StatusOptions,
  stack: string,
  cls: IncidentClassName,
  phases: PhaseStatus[],
  cloud: CloudLook,
  declared: boolean,
): StackStatus['next'] {
  const classInput = ['--input', `incident-class=${cls}`];
  if (!declared) {
    return {
      text: 'no incident is declared in this journal for this stack: nothing to resume. To start a failover, declare it (the runbook order follows)',
      command: command(opts, 'declare', stack, [...classInput, '--input', "reason='<why>'"]),
    };
  }
  if (cloud.database?.busy) {
    return {
      text: `wait: a database operation is under way (status ${cloud.database.status}); run status again, never start a second failover`,
    };
  }
  const open = phases.find(
    (p) =>
      (FAILOVER_ORDER as readonly string[]).includes(p.phase) &&
      p.state !== 'done' &&
      p.state !== 'not in this class',
  );
  if (open) {
    const extra = open.phase === 'database' || open.phase === 'declare' ? classInput : [];
    const why =
      open.state === 'refused'
        ? `${open.phase} refused (${open.detail}): resolve the cause, then re-run it (force only with a reason the journal records)`
        : open.state === 'failed'
          ? `${open.phase} failed (${open.detail}): re-run it; it reads the cloud first and only finishes what is missing`
          : `${open.phase} is the next phase in the runbook order`;
    return { text: why, command: command(opts, open.phase, stack, extra) };
  }
  const failback = phases.find((p) => p.phase === 'failback')!;
  if (failback.state === 'done') return { text: 'failback done: the incident is closed' };
  const sync = phases.find((p) => p.phase === 'sync')!;
  if (sync.state !== 'done') {
    return {
      text: 'failover complete and verified. When the primary region is healthy again: sync the data from DR (dry run first), then fail back',
      command: command(opts, 'sync', stack, ['--dry-run']),
    };
  }
  return {
    text: 'the data sync is done: fail back when the primary has been healthy long enough',
    command: command(opts, 'failback', stack),
  };
}

/** The status as text for a terminal. */
export function statusText(r: StatusReport): string {
  const lines: string[] = [];
  lines.push(
    `journal ${r.journal}: ${r.journalIntact ? 'hash chain intact' : `BROKEN at ${r.journalProblem}: treat what follows with care`}`,
  );
  for (const s of r.stacks) {
    lines.push('');
    lines.push(
      s.incident
        ? `${s.stack}: ${s.incident.class} declared ${s.incident.declaredAt}${s.incident.actor ? ` by ${s.incident.actor}` : ''}${s.incident.reason ? ` (${s.incident.reason})` : ''}`
        : `${s.stack}: no incident declared`,
    );
    for (const p of s.phases) lines.push(`  ${p.phase.padEnd(9)} ${p.state.padEnd(17)} ${p.detail}`);
    const c = s.cloud;
    const now = [
      c.database
        ? `database writer ${c.database.writer} (${c.database.status}${c.database.busy ? ', busy' : ''})`
        : '',
      c.traffic ? `traffic to ${c.traffic.active}` : '',
      c.drNodePool
        ? `DR node pool ${c.drNodePool.desired ?? 'sized by its nodes'} (${c.drNodePool.status})`
        : '',
      c.primaryFenced === undefined ? '' : `primary ${c.primaryFenced ? 'fenced' : 'NOT fenced'}`,
    ].filter(Boolean);
    lines.push(`  cloud now: ${now.length ? now.join('; ') : 'nothing could be read'}`);
    for (const u of c.unreadable) lines.push(`  could not read ${u}`);
    lines.push(`  next: ${s.next.text}`);
    if (s.next.command) lines.push(`    ${s.next.command}`);
  }
  return lines.join('\n');
}

/** The status as Markdown, for the report action's job summary: one table per stack and the next step. */
export function statusMarkdown(r: StatusReport): string {
  const cell = (v: string) => v.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines: string[] = ['## Where it stands', ''];
  if (!r.journalIntact)
    lines.push(
      `The journal's hash chain is BROKEN at ${r.journalProblem}: treat what follows with care.`,
      '',
    );
  for (const s of r.stacks) {
    lines.push(
      s.incident
        ? `**${s.stack}**: ${s.incident.class} declared ${s.incident.declaredAt}${s.incident.actor ? ` by ${cell(s.incident.actor)}` : ''}`
        : `**${s.stack}**: no incident declared`,
      '',
      '| phase | state | detail |',
      '|---|---|---|',
      ...s.phases.map((p) => `| ${p.phase} | ${p.state} | ${cell(p.detail)} |`),
      '',
    );
    const c = s.cloud;
    if (c.notLooked)
      lines.push(
        'From the journal alone: the cloud was not asked (set the status input to `cloud` to look).',
        '',
      );
    else {
      const now = [
        c.database
          ? `database writer ${c.database.writer} (${c.database.status}${c.database.busy ? ', busy' : ''})`
          : '',
        c.traffic ? `traffic to ${c.traffic.active}` : '',
        c.primaryFenced === undefined ? '' : `primary ${c.primaryFenced ? 'fenced' : 'NOT fenced'}`,
      ].filter(Boolean);
      lines.push(`Cloud now: ${now.length ? now.join('; ') : 'nothing could be read'}.`, '');
      for (const u of c.unreadable) lines.push(`- could not read ${cell(u)}`);
      if (c.unreadable.length) lines.push('');
    }
    lines.push(`Next: ${cell(s.next.text)}.`, '');
    if (s.next.command) lines.push('```sh', s.next.command, '```', '');
  }
  return lines.join('\n');
}
