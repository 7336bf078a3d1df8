/**
 * The emulated GitHub REST API, driven through @actions/github's Octokit (getOctokit with a
 * loopback baseUrl, as GITHUB_API_URL sets it on a runner): issues and comments, deployments and
 * their statuses, environments, the review history of a run and workflow dispatch, with GitHub's
 * error bodies and statuses.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getOctokit } from '@actions/github';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { SANDBOX_ENVIRONMENT } from '../../src/sandbox/github/store.js';
import { caught } from '../support/wait.js';

let sandbox: Sandbox;
let gh: ReturnType<typeof getOctokit>;
let owner: string;
let repo: string;

beforeAll(async () => {
  sandbox = await startSandbox({ clouds: ['aws'], prometheus: 'builtin' });
  gh = getOctokit(sandbox.github.token, { baseUrl: sandbox.endpoints.github });
  [owner, repo] = sandbox.github.repository.split('/');
});
afterAll(async () => {
  await sandbox.close();
});

const control = async (path: string, init?: RequestInit) =>
  (await fetch(`${sandbox.endpoints.control}${path}`, init)).json() as Promise<any>;

describe('issues and comments', () => {
  it('creates an issue, comments on it, edits a comment, lists and closes it as completed', async () => {
    const created = await gh.rest.issues.create({
      owner,
      repo,
      title: '[INCIDENT] drill',
      body: 'started',
      labels: ['incident', 'aegis-dr'],
    });
    expect(created.status).toBe(201);
    const n = created.data.number;
    expect(created.data).toMatchObject({
      state: 'open',
      user: { login: 'github-actions[bot]', type: 'Bot' },
    });
    expect(created.data.labels.map((l) => (typeof l === 'string' ? l : l.name))).toEqual([
      'incident',
      'aegis-dr',
    ]);

    const c1 = await gh.rest.issues.createComment({ owner, repo, issue_number: n, body: 'T+0' });
    await gh.rest.issues.createComment({ owner, repo, issue_number: n, body: 'T+15' });
    const edited = await gh.rest.issues.updateComment({
      owner,
      repo,
      comment_id: c1.data.id,
      body: 'T+0 (edited)',
    });
    expect(edited.data.body).toBe('T+0 (edited)');
    const comments = await gh.paginate(gh.rest.issues.listComments, {
      owner,
      repo,
      issue_number: n,
      per_page: 1,
    });
    expect(comments.map((c) => c.body)).toEqual(['T+0 (edited)', 'T+15']);

    const open = await gh.rest.issues.listForRepo({
      owner,
      repo,
      labels: 'incident,aegis-dr',
      state: 'open',
    });
    expect(open.data.map((i) => i.number)).toContain(n);
    expect((await gh.rest.issues.listForRepo({ owner, repo, labels: 'incident,other' })).data).toEqual([]);

    const closed = await gh.rest.issues.update({
      owner,
      repo,
      issue_number: n,
      state: 'closed',
      state_reason: 'completed',
    });
    expect(closed.data).toMatchObject({ state: 'closed', state_reason: 'completed', comments: 2 });
    expect(closed.data.closed_at).toEqual(expect.any(String));
    expect(
      (await gh.rest.issues.listForRepo({ owner, repo, labels: 'incident' })).data.map((i) => i.number),
    ).not.toContain(n);
  });

  it('answers as GitHub does: 404 for an unknown issue or repository, 422 for a missing title, 401 for a bad token', async () => {
    const missing = await caught(gh.rest.issues.get({ owner, repo, issue_number: 99999 }));
    expect(missing.status).toBe(404);
    expect(missing.response.data).toMatchObject({
      message: 'Not Found',
      documentation_url: expect.any(String),
    });
    expect((await caught(gh.rest.issues.get({ owner, repo: 'elsewhere', issue_number: 1 }))).status).toBe(
      404,
    );
    const noTitle = await caught(
      gh.request('POST /repos/{owner}/{repo}/issues', { owner, repo, body: 'x' } as any),
    );
    expect(noTitle.status).toBe(422);
    expect(noTitle.response.data).toMatchObject({
      message: 'Validation Failed',
      errors: [{ field: 'title' }],
    });
    const stranger = getOctokit('ghs_not-a-token-the-sandbox-issued', { baseUrl: sandbox.endpoints.github });
    const denied = await caught(stranger.rest.issues.listForRepo({ owner, repo }));
    expect(denied.status).toBe(401);
    expect(denied.response.data.message).toBe('Bad credentials');
  });
});

describe('deployments and statuses', () => {
  it('creates deployments on an environment, lists them newest first, and auto-inactivates an earlier success', async () => {
    const env = 'dr-staging';
    const d1 = await gh.rest.repos.createDeployment({
      owner,
      repo,
      ref: 'main',
      environment: env,
      required_contexts: [],
      auto_merge: false,
    });
    expect(d1.status).toBe(201);
    const d1id = (d1.data as { id: number }).id;
    await gh.rest.repos.createDeploymentStatus({ owner, repo, deployment_id: d1id, state: 'success' });
    const d2 = await gh.rest.repos.createDeployment({
      owner,
      repo,
      ref: 'main',
      environment: env,
      required_contexts: [],
    });
    const d2id = (d2.data as { id: number }).id;
    const inProgress = await gh.rest.repos.createDeploymentStatus({
      owner,
      repo,
      deployment_id: d2id,
      state: 'in_progress',
      log_url: 'http://127.0.0.1/run/1',
      description: 'failover running',
    });
    expect(inProgress.data).toMatchObject({
      state: 'in_progress',
      environment: env,
      log_url: 'http://127.0.0.1/run/1',
    });
    await gh.rest.repos.createDeploymentStatus({ owner, repo, deployment_id: d2id, state: 'success' });

    const list = await gh.rest.repos.listDeployments({ owner, repo, environment: env });
    expect(list.data.map((d) => d.id)).toEqual([d2id, d1id]);
    expect(list.data[0]).toMatchObject({
      environment: env,
      production_environment: false,
      sha: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    const first = await gh.rest.repos.listDeploymentStatuses({ owner, repo, deployment_id: d1id });
    expect(first.data.map((s) => s.state)).toEqual(['inactive', 'success']);
    const second = await gh.rest.repos.listDeploymentStatuses({ owner, repo, deployment_id: d2id });
    expect(second.data.map((s) => s.state)).toEqual(['success', 'in_progress']);

    const bad = await caught(
      gh.rest.repos.createDeploymentStatus({ owner, repo, deployment_id: d2id, state: 'done' as any }),
    );
    expect(bad.status).toBe(422);
  });
});

describe('environments, run reviews and workflow dispatch', () => {
  it('shows the required reviewers of dr-production and the review history of a run as the approvals API documents it', async () => {
    const env = await gh.rest.repos.getEnvironment({ owner, repo, environment_name: SANDBOX_ENVIRONMENT });
    const rule = env.data.protection_rules?.find((r) => r.type === 'required_reviewers') as any;
    expect(rule.reviewers[0].reviewer.login).toBe('sandbox-reviewer');

    const run = await control('/_sandbox/github/runs', {
      method: 'POST',
      body: JSON.stringify({ workflow: 'dr-failover.yml', environments: [SANDBOX_ENVIRONMENT] }),
    });
    expect(run.waiting).toEqual([env.data.id]);
    expect((await gh.rest.actions.getWorkflowRun({ owner, repo, run_id: run.id })).data.status).toBe(
      'waiting',
    );
    expect((await gh.rest.actions.getReviewsForRun({ owner, repo, run_id: run.id })).data).toEqual([]);

    // the job's own token is not a reviewer; the human reviewer approves with a comment
    const self = await caught(
      gh.rest.actions.reviewPendingDeploymentsForRun({
        owner,
        repo,
        run_id: run.id,
        environment_ids: [env.data.id],
        state: 'approved',
        comment: 'go',
      }),
    );
    expect(self.status).toBe(422);
    const reviewer = getOctokit(sandbox.github.reviewerToken, { baseUrl: sandbox.endpoints.github });
    await reviewer.rest.actions.reviewPendingDeploymentsForRun({
      owner,
      repo,
      run_id: run.id,
      environment_ids: [env.data.id],
      state: 'approved',
      comment: 'us-east-1 is down; failing over',
    });
    const reviews = await gh.rest.actions.getReviewsForRun({ owner, repo, run_id: run.id });
    expect(reviews.data).toEqual([
      {
        environments: [expect.objectContaining({ id: env.data.id, name: SANDBOX_ENVIRONMENT })],
        state: 'approved',
        comment: 'us-east-1 is down; failing over',
        user: expect.objectContaining({ login: 'sandbox-reviewer', type: 'User' }),
      },
    ]);
    expect((await gh.rest.actions.getWorkflowRun({ owner, repo, run_id: run.id })).data.status).toBe(
      'in_progress',
    );
  });

  it('dispatches a workflow: 204 by default, the run details with return_run_details, 404 for an unknown workflow', async () => {
    const plain = await gh.rest.actions.createWorkflowDispatch({
      owner,
      repo,
      workflow_id: 'dr-triggers.yml',
      ref: 'main',
    });
    expect(plain.status).toBe(204);
    const detailed = await gh.request(
      'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
      {
        owner,
        repo,
        workflow_id: 'dr-failover.yml',
        ref: 'main',
        inputs: { reason: 'two-region failure' },
        return_run_details: true,
      } as any,
    );
    expect(detailed.status).toBe(200);
    const data = detailed.data as any;
    expect(data).toEqual({
      workflow_run_id: expect.any(Number),
      run_url: expect.any(String),
      html_url: expect.any(String),
    });
    expect(
      (await gh.rest.actions.getWorkflowRun({ owner, repo, run_id: data.workflow_run_id })).data.path,
    ).toBe('.github/workflows/dr-failover.yml');
    const unknown = await caught(
      gh.rest.actions.createWorkflowDispatch({ owner, repo, workflow_id: 'nope.yml', ref: 'main' }),
    );
    expect(unknown.status).toBe(404);

    const received = await control('/_sandbox/github');
    expect(received.dispatches.map((d: any) => [d.workflow, d.inputs])).toEqual([
      ['dr-triggers.yml', {}],
      ['dr-failover.yml', { reason: 'two-region failure' }],
    ]);
    expect(JSON.stringify(received)).not.toContain(sandbox.github.token);
  });

  it('answers a throttling fault with GitHub’s secondary rate limit (403, retry-after)', async () => {
    sandbox.faults.add({ service: 'github', operation: 'issues/get', kind: 'throttle', times: 1 });
    const err = await caught(gh.rest.issues.get({ owner, repo, issue_number: 1 }));
    expect(err.status).toBe(403);
    expect(err.response.headers['retry-after']).toBe('1');
    expect(err.response.data.message).toMatch(/secondary rate limit/);
  });
});
