/**
 * What a finished run leaves behind, read the way an auditor would: the journal and the report in
 * the evidence artifact, and the sandbox's request log (every call, when, and whether it changed
 * anything).
 */
import fs from 'node:fs';
import { readJournal, verifyJournal, type JournalRecord } from '../../../src/engine/journal.js';
import type { Sandbox } from '../../../src/sandbox/index.js';
import { commsStore } from '../../../src/sandbox/comms/store.js';
import { githubStore } from '../../../src/sandbox/github/store.js';
import type { WorkflowRun } from './run.js';

export interface Evidence {
  journal: JournalRecord[];
  journalVerifies: boolean;
  report: string;
}

/** The journal and report of a run's evidence artifact (`aegis-dr-evidence` unless named). */
export function evidence(run: WorkflowRun, artifact = 'aegis-dr-evidence'): Evidence {
  const j = run.artifacts.file(artifact, 'aegis-dr-journal.jsonl');
  const r = run.artifacts.file(artifact, 'aegis-dr-report.md');
  if (!j || !r)
    throw new Error(`run ${run.id} has no ${artifact} artifact with a journal and a report:\n${run.log()}`);
  return {
    journal: readJournal(j),
    journalVerifies: verifyJournal(j).ok,
    report: fs.readFileSync(r, 'utf8'),
  };
}

/** The journal of a run's artifact that holds only a journal. */
export function journalOf(run: WorkflowRun, artifact: string): JournalRecord[] {
  const j = run.artifacts.file(artifact, 'aegis-dr-journal.jsonl');
  if (!j) throw new Error(`run ${run.id} has no ${artifact} artifact with a journal:\n${run.log()}`);
  return readJournal(j);
}

export interface Mutation {
  at: number;
  service: string;
  operation: string;
  target: string;
}

/** Every change the sandbox's invariant monitor logged since `since` (epoch ms). */
export function mutations(sandbox: Sandbox, since = 0): Mutation[] {
  return sandbox.world.monitor.mutations
    .map((m) => ({ ...m, at: Date.parse(m.at) }))
    .filter((m) => m.at >= since);
}

/** Epoch ms of every change to the estate since `since`. */
export function mutationTimes(sandbox: Sandbox, since = 0): number[] {
  return mutations(sandbox, since).map((m) => m.at);
}

/** A Kubernetes Job of the sync dry-run: it creates a Job (a change to the cluster) that only reads the data. */
export function isSyncDryRunJob(m: Mutation): boolean {
  return m.service === 'kubernetes' && /\/jobs\/aegis-sync-dry-run-/.test(m.target);
}

/** A readable failure: the run's log when a job did not end as expected. */
export function results(run: WorkflowRun): Record<string, string> {
  return Object.fromEntries(Object.values(run.jobs).map((j) => [j.id, j.result]));
}

export interface Received {
  /** Teams card titles, in the order the webhook received them. */
  teams: string[];
  /** The incident channel (#incident-…): its messages in order, each with its thread parent. */
  incident: { name: string; messages: { text: string; threadTs?: string; edited: number }[] } | undefined;
  /** Slack messages posted to a named channel (#platform-support, #security-ops). */
  slack(channel: string): string[];
  /** PagerDuty events per service, in order: `trigger`/`resolve`. */
  pagerduty(service: string): string[];
  /** GitHub: the incident issue(s) with their comments and state, the deployments' statuses. */
  github: { issues: { title: string; state: string; comments: number }[]; deployments: string[][] };
  /** The run's environment reviews as GitHub holds them. */
  reviews(runId: number): { user: string; state: string; comment: string }[];
}

/** What the sandbox's Slack, Teams, PagerDuty and GitHub received. */
export function received(sandbox: Sandbox): Received {
  const cs = commsStore(sandbox.world);
  const gh = githubStore(sandbox.world);
  const incident = [...cs.channels.values()].find((c) => c.name.startsWith('incident-'));
  return {
    teams: cs.teams.map((t) => t.title),
    incident: incident && {
      name: incident.name,
      messages: incident.messages.map((m) => ({
        text: m.text,
        threadTs: m.threadTs,
        edited: m.edited?.length ?? 0,
      })),
    },
    slack: (name) =>
      [...cs.channels.values()].find((c) => c.name === name.replace(/^#/, ''))?.messages.map((m) => m.text) ??
      [],
    pagerduty: (service) => cs.pdEvents.filter((e) => e.service === service).map((e) => e.action),
    github: {
      issues: gh.issues.map((i) => ({
        title: i.title,
        state: i.state,
        comments: gh.comments.filter((c) => c.issue === i.number).length,
      })),
      deployments: gh.deployments.map((d) =>
        gh.statuses.filter((s) => s.deployment === d.id).map((s) => s.state),
      ),
    },
    reviews: (runId) =>
      (gh.runs.get(runId)?.approvals ?? []).map((a) => ({
        user: a.user.login,
        state: a.state,
        comment: a.comment,
      })),
  };
}
