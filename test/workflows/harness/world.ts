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
import { WorkflowHarness, type RunOptions } from './run.js';

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
  });
  const repository = path.join(dir, 'repository');
  fs.mkdirSync(path.join(repository, '.github'), { recursive: true });
  fs.copyFileSync(sandbox.planFile!, path.join(repository, '.github', 'dr-plan.yml'));
  const harness = new WorkflowHarness({ workDir: path.join(dir, 'runs'), repository, projectRoot: ROOT });
  return {
    sandbox,
    harness,
    dir,
    defaults: {
      vars: VARS,
      secrets: SECRETS,
      environments: { 'dr-production': { reviewers: ['sre-lead'] }, 'dr-checks': {} },
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
