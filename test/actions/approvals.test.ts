/**
 * Who approved, read by an approved job from the sandbox's GitHub over loopback with the official
 * client (@actions/github): each review of the run journaled once (a second phase of the same job
 * finds it and adds nothing; a review given later, as a re-run's, is added), with the comment and
 * whether administrators could bypass the rule; and never a failure of the phase when it cannot be
 * read.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { journalApprovals } from '../../src/actions/approvals.js';
import { Journal } from '../../src/engine/journal.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { githubStore, SANDBOX_ENVIRONMENT } from '../../src/sandbox/github/store.js';
import { approvalSection } from '../../src/report/approvals.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ clouds: ['aws'], prometheus: 'builtin' });
});
afterAll(async () => {
  await sandbox.close();
});

/** A run waiting at dr-production, reviewed through the REST API by the sandbox's reviewer. */
async function reviewedRun(state: 'approved' | 'rejected', comment: string, runId?: number): Promise<number> {
  const store = githubStore(sandbox.world);
  const env = store.environment(SANDBOX_ENVIRONMENT)!;
  const run = runId
    ? store.runs.get(runId)!
    : store.startRun('dr-failover.yml', store.users.get('github-actions[bot]')!, {
        environments: [SANDBOX_ENVIRONMENT],
      });
  if (!run.waiting.includes(env.id)) run.waiting.push(env.id);
  const [owner, repo] = sandbox.github.repository.split('/');
  const res = await fetch(
    `${sandbox.endpoints.github}/repos/${owner}/${repo}/actions/runs/${run.id}/pending_deployments`,
    {
      method: 'POST',
      headers: { authorization: `token ${sandbox.github.reviewerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ environment_ids: [env.id], state, comment }),
    },
  );
  expect(res.status).toBe(200);
  return run.id;
}

const jobEnv = (runId: number, extra: Record<string, string> = {}) => ({
  GITHUB_ACTIONS: 'true',
  GITHUB_RUN_ID: String(runId),
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_REPOSITORY: sandbox.github.repository,
  GITHUB_API_URL: sandbox.endpoints.github,
  GITHUB_JOB: 'failover',
  GITHUB_TOKEN: sandbox.github.token,
  ...extra,
});

describe('journalApprovals', () => {
  it('journals the reviewer, the comment and the bypass once; a later review of the same run is added', async () => {
    const runId = await reviewedRun('approved', 'region down, go');
    const journal = new Journal({});
    expect(await journalApprovals(journal, 'declare', jobEnv(runId))).toEqual({ journaled: 1 });
    // the next phase of the same job: already on record
    expect(await journalApprovals(journal, 'drain', jobEnv(runId))).toEqual({ journaled: 0 });
    const [rec] = journal.records;
    expect(rec).toMatchObject({
      phase: 'declare',
      step: 'approval',
      target: SANDBOX_ENVIRONMENT,
      outcome: 'observed',
      data: {
        reviewer: 'sandbox-reviewer',
        state: 'approved',
        comment: 'region down, go',
        environments: [SANDBOX_ENVIRONMENT],
        adminsCanBypass: { [SANDBOX_ENVIRONMENT]: true },
        githubRunId: runId,
        index: 0,
      },
    });
    // administrators' bypass turned off, as the workflows' README asks; a re-run attempt approved again
    githubStore(sandbox.world).environment(SANDBOX_ENVIRONMENT)!.canAdminsBypass = false;
    await reviewedRun('approved', 'second attempt', runId);
    expect(await journalApprovals(journal, 'declare', jobEnv(runId, { GITHUB_RUN_ATTEMPT: '2' }))).toEqual({
      journaled: 1,
    });
    expect(journal.records[1].data).toMatchObject({
      comment: 'second attempt',
      runAttempt: 2,
      index: 1,
      adminsCanBypass: { [SANDBOX_ENVIRONMENT]: false },
    });
    const md = approvalSection(journal.records).join('\n');
    expect(md).toContain('| **sandbox-reviewer** | approved | region down, go | dr-production: yes |');
    expect(md).toContain('| **sandbox-reviewer** | approved | second attempt | dr-production: no |');
  });

  it.each([
    ['outside GitHub Actions', { GITHUB_ACTIONS: '' }, /not running in GitHub Actions/],
    ['without a token in the step environment', { GITHUB_TOKEN: '' }, /map `GITHUB_TOKEN/],
    ['with a token GitHub refuses', { GITHUB_TOKEN: 'ghs_unknown' }, /could not be read .*Bad credentials/],
  ])('journals nothing and says why %s', async (_case, extra, why) => {
    const runId = await reviewedRun('approved', 'ok');
    const journal = new Journal({});
    const out = await journalApprovals(journal, 'declare', jobEnv(runId, extra));
    expect(out).toEqual({ skipped: expect.stringMatching(why) });
    expect(journal.records).toEqual([]);
  });
});
