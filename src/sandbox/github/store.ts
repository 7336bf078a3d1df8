/**
 * The state of the emulated GitHub: one repository (SANDBOX_REPO), its users and their tokens,
 * issues and their comments, deployments and their statuses, environments with their protection
 * rules, workflows, runs and the reviews of their deployments. Objects carry the fields of GitHub's
 * REST schemas that a client reads (the shapes in @octokit/openapi-types, GitHub's own OpenAPI
 * description): https://docs.github.com/en/rest/issues/issues,
 * https://docs.github.com/en/rest/deployments/deployments.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { World } from '../world.js';

/** The sandbox's repository: the one place issues, deployments and runs exist. */
export const SANDBOX_REPO = { owner: 'aegis-sandbox', repo: 'cloud-aegis' } as const;

/** The sandbox's environment with a required reviewer (as workflows-examples/dr-failover.yml expects). */
export const SANDBOX_ENVIRONMENT = 'dr-production';

/** The workflow files of the sandbox repository (the example workflows' names). */
export const SANDBOX_WORKFLOWS = [
  'dr-failover.yml',
  'dr-failback.yml',
  'dr-drill.yml',
  'dr-triggers.yml',
  'dr-readiness.yml',
  'dr-plan-check.yml',
];

export interface GhUser {
  login: string;
  id: number;
  type: 'User' | 'Bot';
}

export interface GhIssue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  state_reason: 'completed' | 'not_planned' | 'reopened' | null;
  labels: string[];
  assignees: string[];
  user: GhUser;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
}

export interface GhComment {
  id: number;
  issue: number;
  body: string;
  user: GhUser;
  created_at: string;
  updated_at: string;
}

export interface GhDeployment {
  id: number;
  sha: string;
  ref: string;
  task: string;
  payload: unknown;
  environment: string;
  description: string | null;
  transient_environment: boolean;
  production_environment: boolean;
  creator: GhUser;
  created_at: string;
  updated_at: string;
}

export type DeploymentState =
  'error' | 'failure' | 'inactive' | 'in_progress' | 'queued' | 'pending' | 'success';

export interface GhDeploymentStatus {
  id: number;
  deployment: number;
  state: DeploymentState;
  description: string;
  environment: string;
  log_url: string;
  environment_url: string;
  creator: GhUser;
  created_at: string;
  updated_at: string;
}

export interface GhEnvironment {
  id: number;
  name: string;
  /** Logins of the required reviewers (a protection rule of type required_reviewers). */
  reviewers: string[];
  waitTimerMinutes: number;
  /** "Allow administrators to bypass configured protection rules": on unless turned off. */
  canAdminsBypass: boolean;
  created_at: string;
}

export interface GhApproval {
  environments: number[];
  state: 'approved' | 'rejected';
  comment: string;
  user: GhUser;
  at: string;
}

export interface GhRun {
  id: number;
  workflow: string;
  event: string;
  ref: string;
  inputs: Record<string, unknown>;
  /** Environments whose deployment waits for a review (ids). */
  waiting: number[];
  approvals: GhApproval[];
  actor: GhUser;
  created_at: string;
}

export interface GhDispatch {
  workflow: string;
  ref: string;
  inputs: Record<string, unknown>;
  run: number;
  user: string;
  at: string;
}

/** Everything the emulated GitHub holds for one sandbox world. */
export class GitHubStore {
  readonly users = new Map<string, GhUser>();
  /** Token -> user login. */
  private readonly tokens = new Map<string, string>();
  readonly issues: GhIssue[] = [];
  readonly comments: GhComment[] = [];
  readonly deployments: GhDeployment[] = [];
  readonly statuses: GhDeploymentStatus[] = [];
  readonly environments = new Map<string, GhEnvironment>();
  readonly runs = new Map<number, GhRun>();
  readonly dispatches: GhDispatch[] = [];
  private nextId = 1000;
  private nextNumber = 1;
  /** The token of github-actions[bot], as a job's GITHUB_TOKEN would be. */
  readonly actionsToken: string;
  /** The token of the sandbox's human reviewer of dr-production. */
  readonly reviewerToken: string;

  constructor(private readonly now: () => number = Date.now) {
    this.actionsToken = this.issueToken('github-actions[bot]', 'Bot');
    this.reviewerToken = this.issueToken('sandbox-reviewer', 'User');
    this.environment(SANDBOX_ENVIRONMENT, ['sandbox-reviewer']);
  }

  id(): number {
    return this.nextId++;
  }

  number(): number {
    return this.nextNumber++;
  }

  stamp(): string {
    return new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  /** A new token for a user (created when unknown); GitHub's installation tokens start with ghs_. */
  issueToken(login: string, type: GhUser['type'] = 'User'): string {
    if (!this.users.has(login)) this.users.set(login, { login, id: this.id(), type });
    const token = `ghs_${randomBytes(18).toString('base64url')}`;
    this.tokens.set(token, login);
    return token;
  }

  /** The user a token belongs to, or undefined for an unknown token. */
  userOf(token: string | undefined): GhUser | undefined {
    const login = token ? this.tokens.get(token) : undefined;
    return login ? this.users.get(login) : undefined;
  }

  /** An environment by name, created with its reviewers when `reviewers` is given. */
  environment(name: string, reviewers?: string[]): GhEnvironment | undefined {
    let env = this.environments.get(name);
    if (!env && reviewers) {
      for (const r of reviewers) if (!this.users.has(r)) this.issueToken(r);
      env = {
        id: this.id(),
        name,
        reviewers,
        waitTimerMinutes: 0,
        canAdminsBypass: true,
        created_at: this.stamp(),
      };
      this.environments.set(name, env);
    }
    return env;
  }

  /** A workflow run (as a dispatch or a test starts one), waiting for review in `environments`. */
  startRun(
    workflow: string,
    actor: GhUser,
    opts: { event?: string; ref?: string; inputs?: Record<string, unknown>; environments?: string[] } = {},
  ): GhRun {
    const waiting = (opts.environments ?? [])
      .map((e) => this.environment(e, []))
      .filter((e): e is GhEnvironment => !!e && e.reviewers.length > 0)
      .map((e) => e.id);
    const run: GhRun = {
      id: this.id() * 1000 + 7,
      workflow,
      event: opts.event ?? 'workflow_dispatch',
      ref: opts.ref ?? 'main',
      inputs: opts.inputs ?? {},
      waiting,
      approvals: [],
      actor,
      created_at: this.stamp(),
    };
    this.runs.set(run.id, run);
    return run;
  }

  /** The commit a ref points at: the sandbox has no git, so a stable hash of the ref. */
  sha(ref: string): string {
    return /^[0-9a-f]{40}$/.test(ref) ? ref : createHash('sha1').update(`ref:${ref}`).digest('hex');
  }

  /** What the control API shows: everything received, tokens left out. */
  toJSON(): Record<string, unknown> {
    return {
      repository: `${SANDBOX_REPO.owner}/${SANDBOX_REPO.repo}`,
      users: [...this.users.values()],
      issues: this.issues.map((i) => ({
        ...i,
        user: i.user.login,
        comments: this.comments
          .filter((c) => c.issue === i.number)
          .map((c) => ({ ...c, user: c.user.login })),
      })),
      deployments: this.deployments.map((d) => ({
        ...d,
        creator: d.creator.login,
        statuses: this.statuses
          .filter((s) => s.deployment === d.id)
          .map((s) => ({ ...s, creator: s.creator.login })),
      })),
      environments: [...this.environments.values()],
      runs: [...this.runs.values()].map((r) => ({
        ...r,
        actor: r.actor.login,
        approvals: r.approvals.map((a) => ({ ...a, user: a.user.login })),
      })),
      dispatches: this.dispatches,
    };
  }
}

const stores = new WeakMap<World, GitHubStore>();

/** The GitHub state of a sandbox world (created on first use). */
export function githubStore(world: World): GitHubStore {
  let s = stores.get(world);
  if (!s) {
    s = new GitHubStore();
    stores.set(world, s);
  }
  return s;
}
