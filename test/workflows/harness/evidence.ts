/**
 * What a finished run leaves behind, read the way an auditor would: the journal and the report in
 * the evidence artifact, and the sandbox's request log (every call, when, and whether it changed
 * anything).
 */
import fs from 'node:fs';
import { readJournal, verifyJournal, type JournalRecord } from '../../../src/engine/journal.js';
import type { Sandbox } from '../../../src/sandbox/index.js';
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
