/**
 * GitHub through @actions/github (Octokit): the incident issue (create, find the open one by its
 * marker, comment, close with state_reason completed) and a deployment on the environment with
 * its statuses (https://docs.github.com/en/rest/issues/issues,
 * https://docs.github.com/en/rest/deployments/deployments,
 * https://docs.github.com/en/rest/deployments/statuses). `url` overrides the API base
 * (GITHUB_API_URL does on a runner; a GitHub Enterprise Server; the sandbox).
 */
import { getOctokit } from '@actions/github';
import { ProviderError } from '../../engine/errors.js';

export class GitHubClient {
  private readonly gh: ReturnType<typeof getOctokit>;
  readonly owner: string;
  readonly repo: string;

  constructor(token: string, repository: string, opts: { url?: string; timeoutMs?: number } = {}) {
    [this.owner, this.repo] = repository.split('/');
    this.gh = getOctokit(token, {
      baseUrl: opts.url ?? process.env.GITHUB_API_URL ?? 'https://api.github.com',
      request: { timeout: opts.timeoutMs ?? 10_000, retries: 0 },
    });
  }

  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const e = err as { status?: number; message?: string; response?: { headers?: Record<string, string> } };
      const retryAfter = e.response?.headers?.['retry-after'];
      throw new ProviderError({
        service: 'github',
        operation,
        // GitHub's secondary rate limit is a 403 with retry-after: a throttle, not a refusal
        status: e.status === 403 && retryAfter ? 429 : e.status,
        retryAfterMs: retryAfter ? Number(retryAfter) * 1000 : undefined,
        code: (err as { code?: string }).code,
        message: `github ${operation} failed: ${String(e.message ?? err).split('\n')[0]}`,
      });
    }
  }

  /** The open issue whose body carries `marker`, if any (newest first). */
  async findOpenIssue(marker: string, label: string): Promise<number | undefined> {
    const issues = await this.call('issues/list-for-repo', () =>
      this.gh.paginate(this.gh.rest.issues.listForRepo, {
        owner: this.owner,
        repo: this.repo,
        state: 'open',
        labels: label,
        per_page: 100,
      }),
    );
    return issues.find((i) => (i.body ?? '').includes(marker))?.number;
  }

  /** The id of a comment of `issue` whose body carries `marker`, if any. */
  async findComment(issue: number, marker: string): Promise<number | undefined> {
    const comments = await this.call('issues/list-comments', () =>
      this.gh.paginate(this.gh.rest.issues.listComments, {
        owner: this.owner,
        repo: this.repo,
        issue_number: issue,
        per_page: 100,
      }),
    );
    return comments.find((c) => (c.body ?? '').includes(marker))?.id;
  }

  /** The newest deployment on `environment` with `task` whose payload names `incident`, if any. */
  async findDeployment(environment: string, task: string, incident: string): Promise<number | undefined> {
    const r = await this.call('repos/list-deployments', () =>
      this.gh.rest.repos.listDeployments({
        owner: this.owner,
        repo: this.repo,
        environment,
        task,
        per_page: 100,
      }),
    );
    const hit = r.data.find((d) => {
      const p = typeof d.payload === 'string' ? safeJson(d.payload) : d.payload;
      return (p as { incident?: unknown } | undefined)?.incident === incident;
    });
    return hit?.id;
  }

  /** Whether the deployment already has a status with this state and description. */
  async hasStatus(id: number, state: string, description: string): Promise<boolean> {
    const r = await this.call('repos/list-deployment-statuses', () =>
      this.gh.rest.repos.listDeploymentStatuses({
        owner: this.owner,
        repo: this.repo,
        deployment_id: id,
        per_page: 100,
      }),
    );
    return r.data.some((s) => s.state === state && (s.description ?? '') === description.slice(0, 140));
  }

  async createIssue(title: string, body: string, labels: string[]): Promise<{ number: number; url: string }> {
    const r = await this.call('issues/create', () =>
      this.gh.rest.issues.create({ owner: this.owner, repo: this.repo, title, body, labels }),
    );
    return { number: r.data.number, url: r.data.html_url };
  }

  async comment(issue: number, body: string): Promise<number> {
    const r = await this.call('issues/create-comment', () =>
      this.gh.rest.issues.createComment({ owner: this.owner, repo: this.repo, issue_number: issue, body }),
    );
    return Number(r.data.id);
  }

  async close(issue: number): Promise<void> {
    await this.call('issues/update', () =>
      this.gh.rest.issues.update({
        owner: this.owner,
        repo: this.repo,
        issue_number: issue,
        state: 'closed',
        state_reason: 'completed',
      }),
    );
  }

  async createDeployment(
    ref: string,
    environment: string,
    description: string,
    payload: Record<string, unknown>,
  ): Promise<number> {
    const r = await this.call('repos/create-deployment', () =>
      this.gh.rest.repos.createDeployment({
        owner: this.owner,
        repo: this.repo,
        ref,
        environment,
        description,
        payload,
        task: DEPLOY_TASK,
        auto_merge: false,
        required_contexts: [],
        production_environment: true,
      }),
    );
    return Number((r.data as { id: number }).id);
  }

  async deploymentStatus(
    id: number,
    state: 'in_progress' | 'success' | 'failure',
    description: string,
    logUrl?: string,
  ): Promise<void> {
    await this.call('repos/create-deployment-status', () =>
      this.gh.rest.repos.createDeploymentStatus({
        owner: this.owner,
        repo: this.repo,
        deployment_id: id,
        state,
        description: description.slice(0, 140),
        log_url: logUrl,
      }),
    );
  }

  /**
   * The review history of a workflow run: each environment review (approved or rejected), with the
   * reviewer and the comment, oldest first. The API carries no time of the review
   * (https://docs.github.com/en/rest/actions/workflow-runs#get-the-review-history-for-a-workflow-run;
   * a fine-grained token needs "Actions" read, GITHUB_TOKEN `actions: read`).
   */
  async runReviews(runId: number): Promise<RunReview[]> {
    const r = await this.call('actions/get-reviews-for-run', () =>
      this.gh.rest.actions.getReviewsForRun({ owner: this.owner, repo: this.repo, run_id: runId }),
    );
    return r.data.map((a) => ({
      state: a.state,
      comment: a.comment ?? '',
      reviewer: a.user?.login ?? 'unknown',
      environments: (a.environments ?? []).map((e) => e.name ?? String(e.id)),
    }));
  }

  /**
   * Whether administrators may bypass an environment's protection rules (`can_admins_bypass`,
   * https://docs.github.com/en/rest/deployments/environments#get-an-environment); undefined when
   * the API does not say.
   */
  async adminsCanBypass(environment: string): Promise<boolean | undefined> {
    const r = await this.call('repos/get-environment', () =>
      this.gh.rest.repos.getEnvironment({
        owner: this.owner,
        repo: this.repo,
        environment_name: environment,
      }),
    );
    const v = (r.data as { can_admins_bypass?: boolean }).can_admins_bypass;
    return typeof v === 'boolean' ? v : undefined;
  }
}

/** The task of the incident's deployment. */
export const DEPLOY_TASK = 'deploy:dr-failover';

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** One environment review of a workflow run. */
export interface RunReview {
  state: string;
  comment: string;
  reviewer: string;
  environments: string[];
}
