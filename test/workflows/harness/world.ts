/**
 * A harness and a sandbox together: the repository under test holds the sandbox's plan as
 * .github/dr-plan.yml, the repository variables name read-only and failover identities per cloud
 * (made-up names: the sandbox needs no credential), and the environment dr-production has a
 * required reviewer, whose approval each test gives or withholds.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../../src/sandbox/index.js';
import { githubStore } from '../../../src/sandbox/github/store.js';
import { WorkflowHarness, type Approval, type GitHubSide, type RunOptions } from './run.js';

export const ROOT = path.resolve(import.meta.dirname, '../../..');
export const EXAMPLES = path.join(ROOT, 'workflows-examples');

export const VARS: Record<string, string> = {
  AEGIS_DR_AWS_REGION: 'us-east-1',
  AEGIS_DR_AWS_READONLY_ROLE_ARN: 'arn:aws:iam::000000000000:role/aegis-dr-readonly',
  AEGIS_DR_AWS_FAILOVER_ROLE_ARN: 'arn:aws:iam::000000000000:role/aegis-dr-failover',
  AEGIS_DR_AZURE_TENANT_ID: '00000000-0000-0000-0000-000000000000',
  AEGIS_DR_AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000001',
  AEGIS_DR_AZURE_READONLY_CLIENT_ID: '00000000-0000-0000-0000-0000000000r0',
  AEGIS_DR_AZURE_FAILOVER_CLIENT_ID: '00000000-0000-0000-0000-0000000000f0',
  AEGIS_DR_GCP_WORKLOAD_IDENTITY_PROVIDER:
    'projects/000000000000/locations/global/workloadIdentityPools/github/providers/github',
  AEGIS_DR_GCP_READONLY_SERVICE_ACCOUNT: 'aegis-dr-readonly@sandbox-project.iam.gserviceaccount.com',
  AEGIS_DR_GCP_FAILOVER_SERVICE_ACCOUNT: 'aegis-dr-failover@sandbox-project.iam.gserviceaccount.com',
  AEGIS_DR_AWS_CHECKS_ROLE_ARN: 'arn:aws:iam::000000000000:role/aegis-dr-checks',
  AEGIS_DR_AZURE_CHECKS_CLIENT_ID: '00000000-0000-0000-0000-0000000000c0',
  AEGIS_DR_GCP_CHECKS_SERVICE_ACCOUNT: 'aegis-dr-checks@sandbox-project.iam.gserviceaccount.com',
};

/** The application's API token for verify's scan test: a repository secret in the examples. */
export const SECRETS: Record<string, string> = { AEGIS_API_TOKEN: 'sandbox-api-token' };

/**
 * The sandbox plan's channel secrets (AEGIS_SANDBOX_*) under the names the example plan and the
 * example workflows use (examples/cloud-aegis.plan.yml `secretEnv`, the jobs' `env:`), so the
 * workflows run unchanged: the repository secret of that name holds the sandbox's credential.
 */
export const COMMS_SECRETS: Record<string, string> = {
  AEGIS_SANDBOX_SLACK_TOKEN: 'SLACK_BOT_TOKEN',
  AEGIS_SANDBOX_TEAMS_WEBHOOK: 'TEAMS_WEBHOOK_URL',
  AEGIS_SANDBOX_GITHUB_TOKEN: 'GITHUB_TOKEN',
  AEGIS_SANDBOX_PD_ONCALL: 'PAGERDUTY_ROUTING_KEY',
  AEGIS_SANDBOX_PD_DBA: 'PAGERDUTY_DBA_ROUTING_KEY',
  AEGIS_SANDBOX_PD_LEADERSHIP: 'PAGERDUTY_LEADERSHIP_ROUTING_KEY',
  AEGIS_SANDBOX_PD_EXECUTIVE: 'PAGERDUTY_EXECUTIVE_ROUTING_KEY',
};

/** The example names in the plan's channels instead of the sandbox's. */
function exampleSecretNames(doc: Record<string, any>): void {
  for (const ch of Object.values<Record<string, unknown>>(doc.notifications?.channels ?? {})) {
    const to = COMMS_SECRETS[String(ch.secretEnv)];
    if (to) ch.secretEnv = to;
  }
}

/**
 * The sandbox's GitHub as the run's GitHub: each run is a workflow run there, and an approval the
 * test gives is the reviewer's review of the environment's pending deployment, through the REST
 * API with the reviewer's token (POST /repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments,
 * https://docs.github.com/en/rest/actions/workflow-runs#review-pending-deployments-for-a-workflow-run).
 */
function sandboxGitHub(sandbox: Sandbox, reviewers: Record<string, string[]>): GitHubSide {
  const store = githubStore(sandbox.world);
  const tokens = new Map<string, string>();
  for (const [name, logins] of Object.entries(reviewers)) {
    const env = store.environment(name, logins)!;
    for (const l of logins) {
      tokens.set(l, store.issueToken(l));
      if (!env.reviewers.includes(l)) env.reviewers.push(l);
    }
  }
  return {
    startRun(workflow, actor, event) {
      if (!store.users.has(actor)) store.issueToken(actor);
      return store.startRun(workflow, store.users.get(actor)!, {
        event,
        environments: Object.keys(reviewers),
      }).id;
    },
    async review(runId: number, environment: string, a: Approval) {
      const env = store.environment(environment);
      const run = store.runs.get(runId);
      if (!env || !run)
        throw new Error(`the sandbox's GitHub has no run ${runId} or environment ${environment}`);
      // the job reached the environment's gate: its deployment waits for a review
      if (!run.waiting.includes(env.id)) run.waiting.push(env.id);
      const token = tokens.get(a.reviewer) ?? store.issueToken(a.reviewer);
      const [owner, repo] = sandbox.github.repository.split('/');
      const res = await fetch(
        `${sandbox.endpoints.github}/repos/${owner}/${repo}/actions/runs/${runId}/pending_deployments`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            environment_ids: [env.id],
            state: a.reject ? 'rejected' : 'approved',
            comment: a.comment ?? '',
          }),
        },
      );
      if (!res.ok)
        throw new Error(`the review of run ${runId} was refused: ${res.status} ${await res.text()}`);
    },
  };
}

export interface WorkflowWorld {
  sandbox: Sandbox;
  harness: WorkflowHarness;
  dir: string;
  /** Options every run gets: variables, secrets, the dr-production environment and its reviewer. */
  defaults: RunOptions;
  close(): Promise<void>;
}

export async function startWorkflowWorld(opts: SandboxOptions = {}): Promise<WorkflowWorld> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-workflows-'));
  const sandbox = await startSandbox({
    outDir: path.join(dir, 'sandbox'),
    speed: 1000,
    prometheus: 'builtin',
    ...opts,
    planOverrides: (doc) => {
      exampleSecretNames(doc);
      opts.planOverrides?.(doc);
    },
  });
  const repository = path.join(dir, 'repository');
  fs.mkdirSync(path.join(repository, '.github'), { recursive: true });
  fs.copyFileSync(sandbox.planFile!, path.join(repository, '.github', 'dr-plan.yml'));
  const reviewers = { 'dr-production': ['sre-lead'] };
  const harness = new WorkflowHarness({
    workDir: path.join(dir, 'runs'),
    repository,
    projectRoot: ROOT,
    repo: sandbox.github.repository,
    apiUrl: sandbox.endpoints.github,
    token: sandbox.github.token,
    // the PagerDuty emulator's https certificate, trusted as a self-hosted runner trusts a private CA
    runnerEnv: { AEGIS_DR_EXTRA_CA: sandbox.comms.caFile },
    github: sandboxGitHub(sandbox, reviewers),
  });
  const commsSecrets = Object.fromEntries(
    Object.entries(COMMS_SECRETS)
      .filter(([from]) => from !== 'AEGIS_SANDBOX_GITHUB_TOKEN')
      .map(([from, to]) => [to, sandbox.comms.env[from]]),
  );
  return {
    sandbox,
    harness,
    dir,
    defaults: {
      vars: VARS,
      secrets: { ...SECRETS, ...commsSecrets },
      environments: { 'dr-production': { reviewers: reviewers['dr-production'] }, 'dr-checks': {} },
    },
    async close() {
      await sandbox.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The workflow file of an example. */
export function example(name: string): string {
  return path.join(EXAMPLES, name);
}
