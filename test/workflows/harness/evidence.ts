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

/** Epoch ms of every request that changed the estate (the sandbox's invariant monitor saw a mutation). */
export function mutationTimes(sandbox: Sandbox, since = 0): number[] {
  return sandbox.world.requests.records.filter((r) => r.mutating && r.at >= since).map((r) => r.at);
}

/** A readable failure: the run's log when a job did not end as expected. */
export function results(run: WorkflowRun): Record<string, string> {
  return Object.fromEntries(Object.values(run.jobs).map((j) => [j.id, j.result]));
}
