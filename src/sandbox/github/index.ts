/**
 * Emulated GitHub REST API, the calls aegis-dr makes through @actions/github (Octokit), for one
 * repository (SANDBOX_REPO). Octokit's baseUrl (GITHUB_API_URL) points at it over plain http.
 *
 * Served, as GitHub's REST reference describes them:
 * - issues: create, get, update (close with state_reason), list with state/labels filters
 *   (https://docs.github.com/en/rest/issues/issues); comments: create, update, list
 *   (https://docs.github.com/en/rest/issues/comments);
 * - deployments: create, get, list with sha/ref/task/environment filters, newest first
 *   (https://docs.github.com/en/rest/deployments/deployments); statuses: create (auto_inactive
 *   marks earlier successful deployments of a non-production environment inactive), list
 *   (https://docs.github.com/en/rest/deployments/statuses);
 * - environments: get, list, with their protection rules (required_reviewers, wait_timer)
 *   (https://docs.github.com/en/rest/deployments/environments);
 * - workflow runs: get; the review history of a run (`GET .../runs/{id}/approvals`: environments,
 *   state, comment, user) and the review itself (`POST .../runs/{id}/pending_deployments`)
 *   (https://docs.github.com/en/rest/actions/workflow-runs);
 * - workflow dispatch (`POST .../actions/workflows/{id}/dispatches`): 204, or 200 with
 *   workflow_run_id, run_url and html_url when return_run_details is true
 *   (https://docs.github.com/en/rest/actions/workflows#create-a-workflow-dispatch-event).
 *
 * Every call needs a token the store issued (`Authorization: token …` or `Bearer …`); an unknown
 * one gets 401 "Bad credentials". Errors carry GitHub's body: message and documentation_url;
 * validation errors are 422 "Validation Failed" with an errors list. Throttling is GitHub's
 * secondary rate limit: 403 with retry-after
 * (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api).
 *
 * Limits: one repository, no git (a ref's sha is a hash of its name, every ref exists, commit
 * status checks always pass), no pull requests, no webhooks, no GraphQL, no conditional requests.
 */
import type http from 'node:http';
import { send, type ServiceDef, type ServiceRequest } from '../http.js';
import {
  SANDBOX_REPO,
  SANDBOX_WORKFLOWS,
  githubStore,
  type DeploymentState,
  type GhDeployment,
  type GhDeploymentStatus,
  type GhEnvironment,
  type GhIssue,
  type GhComment,
  type GhRun,
  type GhUser,
  type GitHubStore,
} from './store.js';

const DOCS = 'https://docs.github.com/rest';

type Handler = (c: Call, m: RegExpMatchArray) => void;

interface Call {
  req: ServiceRequest;
  res: http.ServerResponse;
  store: GitHubStore;
  user: GhUser;
  base: string;
}

/** GitHub's error body: message and documentation_url (and status as a string, as the API sends it). */
function fail(res: http.ServerResponse, status: number, message: string, errors?: object[]): void {
  send(res, status, {
    message,
    ...(errors ? { errors } : {}),
    documentation_url: DOCS,
    status: String(status),
  });
}

function invalid(res: http.ServerResponse, resource: string, field: string, code = 'missing_field'): void {
  fail(res, 422, 'Validation Failed', [{ resource, field, code }]);
}

const repoUrl = (base: string) => `${base}/repos/${SANDBOX_REPO.owner}/${SANDBOX_REPO.repo}`;
const htmlRepo = (base: string) => `${base}/${SANDBOX_REPO.owner}/${SANDBOX_REPO.repo}`;

function userJson(base: string, u: GhUser) {
  return {
    login: u.login,
    id: u.id,
    node_id: `U_${u.id}`,
    avatar_url: '',
    gravatar_id: '',
    url: `${base}/users/${u.login}`,
    html_url: `${base}/${u.login}`,
    type: u.type,
    site_admin: false,
  };
}

function issueJson(c: Call, i: GhIssue) {
  const url = `${repoUrl(c.base)}/issues/${i.number}`;
  return {
    id: i.id,
    node_id: `I_${i.id}`,
    url,
    repository_url: repoUrl(c.base),
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    labels_url: `${url}/labels{/name}`,
    html_url: `${htmlRepo(c.base)}/issues/${i.number}`,
    number: i.number,
    state: i.state,
    state_reason: i.state_reason,
    title: i.title,
    body: i.body,
    user: userJson(c.base, i.user),
    labels: i.labels.map((name, k) => ({ id: i.id * 100 + k, name, color: 'ededed', default: false })),
    assignee: null,
    assignees: [],
    milestone: null,
    locked: false,
    comments: c.store.comments.filter((x) => x.issue === i.number).length,
    created_at: i.created_at,
    updated_at: i.updated_at,
    closed_at: i.closed_at,
    author_association: 'MEMBER',
  };
}

function commentJson(c: Call, k: GhComment) {
  return {
    id: k.id,
    node_id: `IC_${k.id}`,
    url: `${repoUrl(c.base)}/issues/comments/${k.id}`,
    html_url: `${htmlRepo(c.base)}/issues/${k.issue}#issuecomment-${k.id}`,
    issue_url: `${repoUrl(c.base)}/issues/${k.issue}`,
    body: k.body,
    user: userJson(c.base, k.user),
    created_at: k.created_at,
    updated_at: k.updated_at,
    author_association: 'MEMBER',
  };
}

function deploymentJson(c: Call, d: GhDeployment) {
  const url = `${repoUrl(c.base)}/deployments/${d.id}`;
  return {
    url,
    id: d.id,
    node_id: `DE_${d.id}`,
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    payload: d.payload,
    original_environment: d.environment,
    environment: d.environment,
    description: d.description,
    creator: userJson(c.base, d.creator),
    created_at: d.created_at,
    updated_at: d.updated_at,
    statuses_url: `${url}/statuses`,
    repository_url: repoUrl(c.base),
    transient_environment: d.transient_environment,
    production_environment: d.production_environment,
  };
}

function statusJson(c: Call, s: GhDeploymentStatus) {
  const dep = `${repoUrl(c.base)}/deployments/${s.deployment}`;
  return {
    url: `${dep}/statuses/${s.id}`,
    id: s.id,
    node_id: `DES_${s.id}`,
    state: s.state,
    creator: userJson(c.base, s.creator),
    description: s.description,
    environment: s.environment,
    target_url: s.log_url,
    log_url: s.log_url,
    environment_url: s.environment_url,
    created_at: s.created_at,
    updated_at: s.updated_at,
    deployment_url: dep,
    repository_url: repoUrl(c.base),
  };
}

function environmentJson(c: Call, e: GhEnvironment) {
  const rules: object[] = [];
  if (e.waitTimerMinutes > 0)
    rules.push({
      id: e.id * 10 + 1,
      node_id: `GA_${e.id}1`,
      type: 'wait_timer',
      wait_timer: e.waitTimerMinutes,
    });
  if (e.reviewers.length)
    rules.push({
      id: e.id * 10 + 2,
      node_id: `GA_${e.id}2`,
      type: 'required_reviewers',
      prevent_self_review: false,
      reviewers: e.reviewers.map((login) => ({
        type: 'User',
        reviewer: userJson(c.base, c.store.users.get(login) ?? { login, id: 0, type: 'User' }),
      })),
    });
  return {
    id: e.id,
    node_id: `EN_${e.id}`,
    name: e.name,
    url: `${repoUrl(c.base)}/environments/${encodeURIComponent(e.name)}`,
    html_url: `${htmlRepo(c.base)}/deployments/activity_log?environments_filter=${encodeURIComponent(e.name)}`,
    created_at: e.created_at,
    updated_at: e.created_at,
    // https://docs.github.com/en/rest/deployments/environments#get-an-environment
    can_admins_bypass: e.canAdminsBypass,
    protection_rules: rules,
    deployment_branch_policy: null,
  };
}

function runJson(c: Call, r: GhRun) {
  const approved = r.waiting.every((id) =>
    r.approvals.some((a) => a.state === 'approved' && a.environments.includes(id)),
  );
  const rejected = r.approvals.some((a) => a.state === 'rejected');
  return {
    id: r.id,
    name: r.workflow.replace(/\.ya?ml$/, ''),
    node_id: `WFR_${r.id}`,
    head_branch: r.ref,
    head_sha: c.store.sha(r.ref),
    path: `.github/workflows/${r.workflow}`,
    run_number: r.id % 1000,
    event: r.event,
    status: rejected ? 'completed' : approved ? 'in_progress' : 'waiting',
    conclusion: rejected ? 'failure' : null,
    url: `${repoUrl(c.base)}/actions/runs/${r.id}`,
    html_url: `${htmlRepo(c.base)}/actions/runs/${r.id}`,
    actor: userJson(c.base, r.actor),
    triggering_actor: userJson(c.base, r.actor),
    created_at: r.created_at,
    updated_at: r.created_at,
  };
}

/** One page of a list, with GitHub's Link header (rel next/last) for Octokit's paginate. */
function page<T>(c: Call, items: T[]): void {
  const perPage = Math.min(100, Math.max(1, Number(c.req.url.searchParams.get('per_page') ?? 30) || 30));
  const pageNo = Math.max(1, Number(c.req.url.searchParams.get('page') ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (p: number, rel: string) => {
    const u = new URL(c.req.url.pathname + c.req.url.search, c.base);
    u.searchParams.set('per_page', String(perPage));
    u.searchParams.set('page', String(p));
    return `<${u.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (pageNo < last) links.push(link(pageNo + 1, 'next'), link(last, 'last'));
  if (pageNo > 1) links.push(link(1, 'first'), link(pageNo - 1, 'prev'));
  send(
    c.res,
    200,
    items.slice((pageNo - 1) * perPage, pageNo * perPage) as object,
    undefined,
    links.length ? { link: links.join(', ') } : {},
  );
}

function body(c: Call): Record<string, any> | undefined {
  try {
    const b = c.req.json();
    if (b && typeof b === 'object' && !Array.isArray(b)) return b;
  } catch {
    // fall through
  }
  fail(c.res, 400, 'Problems parsing JSON');
  return undefined;
}

function findIssue(c: Call, n: string): GhIssue | undefined {
  const i = c.store.issues.find((x) => x.number === Number(n));
  if (!i) fail(c.res, 404, 'Not Found');
  return i;
}

const ISSUE_STATES = new Set(['open', 'closed']);
const STATE_REASONS = new Set(['completed', 'not_planned', 'reopened']);
const DEPLOYMENT_STATES = new Set([
  'error',
  'failure',
  'inactive',
  'in_progress',
  'queued',
  'pending',
  'success',
]);

/** Routes below /repos/{owner}/{repo}: [method, path pattern, operation name, handler]. */
const ROUTES: [string, RegExp, string, Handler][] = [
  [
    'POST',
    /^\/issues$/,
    'issues/create',
    (c) => {
      const b = body(c);
      if (!b) return;
      if (typeof b.title !== 'string' && typeof b.title !== 'number') return invalid(c.res, 'Issue', 'title');
      const at = c.store.stamp();
      const i: GhIssue = {
        id: c.store.id(),
        number: c.store.number(),
        title: String(b.title),
        body: typeof b.body === 'string' ? b.body : null,
        state: 'open',
        state_reason: null,
        labels: Array.isArray(b.labels)
          ? b.labels.map((l: any) => String(typeof l === 'object' ? l.name : l))
          : [],
        assignees: [],
        user: c.user,
        created_at: at,
        updated_at: at,
        closed_at: null,
      };
      c.store.issues.push(i);
      send(c.res, 201, issueJson(c, i));
    },
  ],
  [
    'GET',
    /^\/issues$/,
    'issues/list-for-repo',
    (c) => {
      const q = c.req.url.searchParams;
      const state = q.get('state') ?? 'open';
      const labels = (q.get('labels') ?? '')
        .split(',')
        .map((l) => l.trim())
        .filter(Boolean);
      const direction = q.get('direction') ?? 'desc';
      const list = c.store.issues
        .filter((i) => state === 'all' || i.state === state)
        .filter((i) => labels.every((l) => i.labels.includes(l)))
        .sort((a, b) => (direction === 'asc' ? a.number - b.number : b.number - a.number));
      page(
        c,
        list.map((i) => issueJson(c, i)),
      );
    },
  ],
  [
    'GET',
    /^\/issues\/(\d+)$/,
    'issues/get',
    (c, m) => {
      const i = findIssue(c, m[1]);
      if (i) send(c.res, 200, issueJson(c, i));
    },
  ],
  [
    'PATCH',
    /^\/issues\/(\d+)$/,
    'issues/update',
    (c, m) => {
      const i = findIssue(c, m[1]);
      const b = i && body(c);
      if (!i || !b) return;
      if (b.state !== undefined && !ISSUE_STATES.has(b.state))
        return invalid(c.res, 'Issue', 'state', 'invalid');
      if (b.state_reason != null && !STATE_REASONS.has(b.state_reason))
        return invalid(c.res, 'Issue', 'state_reason', 'invalid');
      if (b.title !== undefined) i.title = String(b.title);
      if (b.body !== undefined) i.body = b.body === null ? null : String(b.body);
      if (Array.isArray(b.labels))
        i.labels = b.labels.map((l: any) => String(typeof l === 'object' ? l.name : l));
      if (b.state === 'closed' && i.state === 'open') {
        i.state = 'closed';
        i.closed_at = c.store.stamp();
        i.state_reason = b.state_reason ?? 'completed';
      } else if (b.state === 'open' && i.state === 'closed') {
        i.state = 'open';
        i.closed_at = null;
        i.state_reason = 'reopened';
      }
      i.updated_at = c.store.stamp();
      send(c.res, 200, issueJson(c, i));
    },
  ],
  [
    'POST',
    /^\/issues\/(\d+)\/comments$/,
    'issues/create-comment',
    (c, m) => {
      const i = findIssue(c, m[1]);
      const b = i && body(c);
      if (!i || !b) return;
      if (typeof b.body !== 'string' || !b.body) return invalid(c.res, 'IssueComment', 'body');
      const at = c.store.stamp();
      const k: GhComment = {
        id: c.store.id(),
        issue: i.number,
        body: b.body,
        user: c.user,
        created_at: at,
        updated_at: at,
      };
      c.store.comments.push(k);
      i.updated_at = at;
      send(c.res, 201, commentJson(c, k));
    },
  ],
  [
    'GET',
    /^\/issues\/(\d+)\/comments$/,
    'issues/list-comments',
    (c, m) => {
      const i = findIssue(c, m[1]);
      if (i)
        page(
          c,
          c.store.comments.filter((k) => k.issue === i.number).map((k) => commentJson(c, k)),
        );
    },
  ],
  [
    'PATCH',
    /^\/issues\/comments\/(\d+)$/,
    'issues/update-comment',
    (c, m) => {
      const k = c.store.comments.find((x) => x.id === Number(m[1]));
      if (!k) return fail(c.res, 404, 'Not Found');
      const b = body(c);
      if (!b) return;
      if (typeof b.body !== 'string' || !b.body) return invalid(c.res, 'IssueComment', 'body');
      k.body = b.body;
      k.updated_at = c.store.stamp();
      send(c.res, 200, commentJson(c, k));
    },
  ],
  [
    'POST',
    /^\/deployments$/,
    'repos/create-deployment',
    (c) => {
      const b = body(c);
      if (!b) return;
      if (typeof b.ref !== 'string' || !b.ref) return invalid(c.res, 'Deployment', 'ref');
      const environment = typeof b.environment === 'string' && b.environment ? b.environment : 'production';
      const at = c.store.stamp();
      const d: GhDeployment = {
        id: c.store.id(),
        sha: c.store.sha(b.ref),
        ref: b.ref,
        task: typeof b.task === 'string' ? b.task : 'deploy',
        payload: b.payload ?? {},
        environment,
        description: typeof b.description === 'string' ? b.description : null,
        transient_environment: b.transient_environment === true,
        production_environment:
          typeof b.production_environment === 'boolean'
            ? b.production_environment
            : environment === 'production',
        creator: c.user,
        created_at: at,
        updated_at: at,
      };
      c.store.deployments.push(d);
      send(c.res, 201, deploymentJson(c, d));
    },
  ],
  [
    'GET',
    /^\/deployments$/,
    'repos/list-deployments',
    (c) => {
      const q = c.req.url.searchParams;
      const match = (k: 'sha' | 'ref' | 'task' | 'environment', d: GhDeployment) => {
        const v = q.get(k);
        return v === null || v === 'none' ? true : d[k] === v;
      };
      const list = c.store.deployments
        .filter((d) => match('sha', d) && match('ref', d) && match('task', d) && match('environment', d))
        .sort((a, b) => b.id - a.id);
      page(
        c,
        list.map((d) => deploymentJson(c, d)),
      );
    },
  ],
  [
    'GET',
    /^\/deployments\/(\d+)$/,
    'repos/get-deployment',
    (c, m) => {
      const d = c.store.deployments.find((x) => x.id === Number(m[1]));
      if (!d) return fail(c.res, 404, 'Not Found');
      send(c.res, 200, deploymentJson(c, d));
    },
  ],
  [
    'POST',
    /^\/deployments\/(\d+)\/statuses$/,
    'repos/create-deployment-status',
    (c, m) => {
      const d = c.store.deployments.find((x) => x.id === Number(m[1]));
      if (!d) return fail(c.res, 404, 'Not Found');
      const b = body(c);
      if (!b) return;
      if (!DEPLOYMENT_STATES.has(b.state))
        return invalid(c.res, 'DeploymentStatus', 'state', b.state ? 'invalid' : 'missing_field');
      if (typeof b.description === 'string' && b.description.length > 140)
        return invalid(c.res, 'DeploymentStatus', 'description', 'too_long');
      const at = c.store.stamp();
      const s: GhDeploymentStatus = {
        id: c.store.id(),
        deployment: d.id,
        state: b.state as DeploymentState,
        description: typeof b.description === 'string' ? b.description : '',
        environment: typeof b.environment === 'string' && b.environment ? b.environment : d.environment,
        log_url: String(b.log_url ?? b.target_url ?? ''),
        environment_url: String(b.environment_url ?? ''),
        creator: c.user,
        created_at: at,
        updated_at: at,
      };
      c.store.statuses.push(s);
      d.updated_at = at;
      // auto_inactive (default true): earlier deployments of the same non-production, non-transient
      // environment that reached success get an inactive status.
      if (s.state === 'success' && b.auto_inactive !== false) {
        for (const o of c.store.deployments) {
          if (
            o.id === d.id ||
            o.environment !== s.environment ||
            o.production_environment ||
            o.transient_environment
          )
            continue;
          const latest = c.store.statuses.filter((x) => x.deployment === o.id).at(-1);
          if (latest?.state === 'success')
            c.store.statuses.push({
              ...latest,
              id: c.store.id(),
              state: 'inactive',
              description: '',
              created_at: at,
              updated_at: at,
            });
        }
      }
      send(c.res, 201, statusJson(c, s));
    },
  ],
  [
    'GET',
    /^\/deployments\/(\d+)\/statuses$/,
    'repos/list-deployment-statuses',
    (c, m) => {
      const d = c.store.deployments.find((x) => x.id === Number(m[1]));
      if (!d) return fail(c.res, 404, 'Not Found');
      const list = c.store.statuses.filter((s) => s.deployment === d.id).sort((a, b) => b.id - a.id);
      page(
        c,
        list.map((s) => statusJson(c, s)),
      );
    },
  ],
  [
    'GET',
    /^\/environments$/,
    'repos/get-all-environments',
    (c) => {
      const envs = [...c.store.environments.values()].map((e) => environmentJson(c, e));
      send(c.res, 200, { total_count: envs.length, environments: envs });
    },
  ],
  [
    'GET',
    /^\/environments\/([^/]+)$/,
    'repos/get-environment',
    (c, m) => {
      const e = c.store.environment(decodeURIComponent(m[1]));
      if (!e) return fail(c.res, 404, 'Not Found');
      send(c.res, 200, environmentJson(c, e));
    },
  ],
  [
    'GET',
    /^\/actions\/runs\/(\d+)$/,
    'actions/get-workflow-run',
    (c, m) => {
      const r = c.store.runs.get(Number(m[1]));
      if (!r) return fail(c.res, 404, 'Not Found');
      send(c.res, 200, runJson(c, r));
    },
  ],
  [
    'GET',
    /^\/actions\/runs\/(\d+)\/approvals$/,
    'actions/get-reviews-for-run',
    (c, m) => {
      const r = c.store.runs.get(Number(m[1]));
      if (!r) return fail(c.res, 404, 'Not Found');
      const envs = [...c.store.environments.values()];
      send(
        c.res,
        200,
        r.approvals.map((a) => ({
          environments: a.environments
            .map((id) => envs.find((e) => e.id === id))
            .filter((e): e is GhEnvironment => !!e)
            .map((e) => {
              const j = environmentJson(c, e);
              return {
                id: j.id,
                node_id: j.node_id,
                name: j.name,
                url: j.url,
                html_url: j.html_url,
                created_at: j.created_at,
                updated_at: j.updated_at,
              };
            }),
          state: a.state,
          comment: a.comment,
          user: userJson(c.base, a.user),
        })),
      );
    },
  ],
  [
    'POST',
    /^\/actions\/runs\/(\d+)\/pending_deployments$/,
    'actions/review-pending-deployments-for-run',
    (c, m) => {
      const r = c.store.runs.get(Number(m[1]));
      if (!r) return fail(c.res, 404, 'Not Found');
      const b = body(c);
      if (!b) return;
      const ids: number[] = Array.isArray(b.environment_ids) ? b.environment_ids.map(Number) : [];
      if (!ids.length) return invalid(c.res, 'PendingDeployment', 'environment_ids');
      if (b.state !== 'approved' && b.state !== 'rejected')
        return invalid(c.res, 'PendingDeployment', 'state', 'invalid');
      if (typeof b.comment !== 'string') return invalid(c.res, 'PendingDeployment', 'comment');
      for (const id of ids) {
        const env = [...c.store.environments.values()].find((e) => e.id === id);
        if (!env || !r.waiting.includes(id))
          return fail(c.res, 422, `No pending deployment for environment ${id}.`);
        if (!env.reviewers.includes(c.user.login))
          return fail(c.res, 422, `${c.user.login} is not a required reviewer of ${env.name}.`);
      }
      r.approvals.push({
        environments: ids,
        state: b.state,
        comment: b.comment,
        user: c.user,
        at: c.store.stamp(),
      });
      r.waiting = r.waiting.filter((id) => !ids.includes(id));
      send(c.res, 200, [runJson(c, r)]);
    },
  ],
  [
    'POST',
    /^\/actions\/workflows\/([^/]+)\/dispatches$/,
    'actions/create-workflow-dispatch',
    (c, m) => {
      const wf = decodeURIComponent(m[1]);
      if (!SANDBOX_WORKFLOWS.includes(wf)) return fail(c.res, 404, 'Not Found');
      const b = body(c);
      if (!b) return;
      if (typeof b.ref !== 'string' || !b.ref) return invalid(c.res, 'WorkflowDispatch', 'ref');
      const inputs = b.inputs && typeof b.inputs === 'object' ? (b.inputs as Record<string, unknown>) : {};
      // GitHub allows at most 25 top-level input properties.
      if (Object.keys(inputs).length > 25)
        return fail(c.res, 422, 'you may only define up to 25 `inputs` for a workflow_dispatch event');
      const run = c.store.startRun(wf, c.user, { ref: b.ref, inputs });
      c.store.dispatches.push({
        workflow: wf,
        ref: b.ref,
        inputs,
        run: run.id,
        user: c.user.login,
        at: run.created_at,
      });
      if (b.return_run_details === true) {
        const j = runJson(c, run);
        return send(c.res, 200, { workflow_run_id: run.id, run_url: j.url, html_url: j.html_url });
      }
      c.res.writeHead(204);
      c.res.end();
    },
  ],
];

/** The route of a request below /repos/{owner}/{repo}, or undefined. */
function route(
  req: ServiceRequest,
): { name: string; handler: Handler; m: RegExpMatchArray } | 'repo' | undefined {
  const m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/.exec(req.path);
  if (!m) return undefined;
  if (m[1].toLowerCase() !== SANDBOX_REPO.owner || m[2].toLowerCase() !== SANDBOX_REPO.repo) return 'repo';
  for (const [method, re, name, handler] of ROUTES) {
    const mm = method === req.method ? re.exec(m[3]) : null;
    if (mm) return { name, handler, m: mm };
  }
  return undefined;
}

/** The emulated GitHub REST API (fault key and endpoints.json name: github). */
export function githubService(): ServiceDef {
  return {
    name: 'github',
    operation(req) {
      const r = route(req);
      return typeof r === 'object' ? r.name : `${req.method} ${req.path}`;
    },
    handle(req, res, ctx) {
      const store = githubStore(ctx.world);
      const auth = /^(?:token|bearer)\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
      const user = store.userOf(auth?.[1]);
      if (!user) return fail(res, 401, auth ? 'Bad credentials' : 'Requires authentication');
      const r = route(req);
      if (!r || r === 'repo') return fail(res, 404, 'Not Found');
      const base = `http://${req.headers.host ?? '127.0.0.1'}`;
      r.handler({ req, res, store, user, base }, r.m);
    },
    renderThrottle: (_req, res, hit) =>
      send(
        res,
        403,
        {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          documentation_url: `${DOCS}/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits`,
        },
        undefined,
        { 'retry-after': String(hit.spec.retryAfterSeconds ?? 1) },
      ),
    renderError: (_req, res) => send(res, 503, { message: 'Server Error' }),
  };
}

/**
 * The control API's GitHub part: GET /_sandbox/github (everything received: issues with their
 * comments, deployments with their statuses, runs with their reviews, dispatches; no token),
 * POST /_sandbox/github/tokens {"login"} (a token for that user), POST /_sandbox/github/runs
 * {"workflow","environments"} (a run waiting for review, as a workflow job would be). Returns
 * false when the path is not GitHub's.
 */
export function githubControl(store: GitHubStore, req: ServiceRequest, res: http.ServerResponse): boolean {
  if (!req.path.startsWith('/_sandbox/github')) return false;
  const sub = req.path.slice('/_sandbox/github'.length);
  let b: any = {};
  if (req.method === 'POST') {
    try {
      b = req.json() ?? {};
    } catch {
      send(res, 400, { error: 'the body is not JSON.' });
      return true;
    }
  }
  if (sub === '' && req.method === 'GET') send(res, 200, store.toJSON());
  else if (sub === '/tokens' && req.method === 'POST' && typeof b.login === 'string' && b.login)
    send(res, 200, { login: b.login, token: store.issueToken(b.login, b.type === 'Bot' ? 'Bot' : 'User') });
  else if (sub === '/runs' && req.method === 'POST') {
    const wf = typeof b.workflow === 'string' ? b.workflow : 'dr-failover.yml';
    const actor = store.users.get(typeof b.actor === 'string' ? b.actor : 'github-actions[bot]');
    if (!actor)
      send(res, 400, {
        error: `no sandbox GitHub user ${b.actor}: create one with POST /_sandbox/github/tokens.`,
      });
    else {
      const envs = Array.isArray(b.environments) ? b.environments.map(String) : [];
      const run = store.startRun(wf, actor, { event: 'workflow_dispatch', environments: envs });
      send(res, 200, { id: run.id, waiting: run.waiting });
    }
  } else
    send(res, 404, {
      error: `no control endpoint ${req.method} ${req.path}: use GET /_sandbox/github, POST /_sandbox/github/tokens {"login":"alice"}, POST /_sandbox/github/runs {"workflow":"dr-failover.yml","environments":["dr-production"]}.`,
    });
  return true;
}
