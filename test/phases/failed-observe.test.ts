/**
 * A phase that fails while reading the cloud, before any step could act (credentials refused, a
 * kube context missing from the kubeconfig), leaves a `failed` journal record for that stack with
 * the error, so the evidence shows the attempt; and a failed observe inside a step says how many
 * attempts it made.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { verifyJournal, type JournalRecord } from '../../src/engine/journal.js';
import { runPhase } from '../../src/phases/runner.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sandbox: Sandbox;
let work: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-failed-observe-'));
  sandbox = await startSandbox({ outDir: work, speed: 1000, prometheus: 'builtin' });
}, 60_000);

afterEach(() => sandbox.faults.clear());

afterAll(async () => {
  await sandbox?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

// answeredAttempts: a 503 is an answer, which the retry policy otherwise asks again until the deadline
const quick = { retry: { maxAttempts: 2, answeredAttempts: 2, baseMs: 1, capMs: 5 } };

/** The sandbox plan with the aws primary site's kube context renamed to one the kubeconfig lacks. */
function planWithMissingContext(): string {
  const text = fs.readFileSync(sandbox.planFile!, 'utf8');
  const file = path.join(work, 'missing-context.yml');
  const contexts = [...text.matchAll(/^\s+context:\s*(\S+)/gm)].map((m) => m[1]);
  const awsPrimary = contexts.find((c) => /aws/.test(c) && /primary/.test(c));
  expect(awsPrimary).toBeDefined();
  fs.writeFileSync(
    file,
    text.replace(new RegExp(`context:\\s*${awsPrimary}\\b`), 'context: aws-primary-typo'),
  );
  return file;
}

describe('a phase that fails while observing is on record', () => {
  it.each([
    {
      why: 'the database API refuses the credentials (403) before the failover step starts',
      phase: 'database',
      inputs: { 'incident-class': 'region-outage', reason: 'test' },
      fault: {
        service: 'rds',
        operation: 'DescribeDBInstances',
        kind: 'error' as const,
        status: 403,
        rate: 1,
      },
      plan: () => sandbox.planFile!,
      error: /DescribeDBInstances/,
    },
    {
      why: 'the primary kube context is not in the kubeconfig',
      phase: 'sync',
      inputs: { mode: 'dry-run' },
      fault: undefined,
      plan: planWithMissingContext,
      error: /aws-primary-typo/,
    },
  ])('$phase: $why', async ({ phase, inputs, fault, plan, error }) => {
    if (fault) sandbox.faults.add(fault);
    const journalFile = path.join(work, `${phase}.jsonl`);
    const { result } = await runPhase({
      phase,
      planFile: plan(),
      stack: 'aws',
      journalFile,
      inputs,
      run: quick,
    });
    expect(result.ok).toBe(false);
    const fail = result.rows.find((r) => r.status === 'fail');
    expect(fail?.detail).toMatch(error);

    const records = fs
      .readFileSync(journalFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as JournalRecord);
    const failed = records.filter((r) => r.phase === phase && r.stack === 'aws' && r.outcome === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].error).toMatch(error);
    expect(failed[0].attempts).toBeGreaterThanOrEqual(1);
    expect(verifyJournal(journalFile).ok).toBe(true);
  });

  it('a failed observe inside a step records the attempts it made (was 0)', async () => {
    // A service that drops the connection is asked maxAttempts times (one answering with 5xx is
    // asked until the deadline: the retry policy never treats a live API as worse than a dead one).
    sandbox.faults.add({ service: 'route53', kind: 'reset', rate: 1 });
    const journalFile = path.join(work, 'traffic.jsonl');
    const { result } = await runPhase({
      phase: 'traffic',
      planFile: sandbox.planFile!,
      stack: 'aws',
      journalFile,
      inputs: { 'incident-class': 'region-outage' },
      run: quick,
    });
    expect(result.ok).toBe(false);
    const failed = fs
      .readFileSync(journalFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as JournalRecord)
      .filter((r) => r.outcome === 'failed');
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(failed[0].before).toBeUndefined(); // it failed while observing
    expect(failed[0].attempts).toBe(2); // both attempts of the retry policy
  });
});
