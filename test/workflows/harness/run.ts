/**
 * The workflow harness: runs an example workflow job by job against the sandbox, as GitHub runs
 * it. GitHub's parser reads the file (parse.ts) and GitHub's expression package evaluates every
 * `${{ }}` (expressions.ts); the rules below are the harness's, each from GitHub's documentation:
 *
 * - Job order from `needs`; "If a job fails or is skipped, all jobs that need it are skipped unless
 *   the jobs use a conditional expression that causes the job to continue. If a run contains a
 *   series of jobs that need each other, a failure or skip applies to all jobs in the dependency
 *   chain" (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idneeds).
 *   The parser already wraps an `if` without a status function in `success() && (...)`.
 * - `needs.<job>.result` is success, failure, cancelled or skipped, and `needs.<job>.outputs` the
 *   job's outputs, strings (https://docs.github.com/en/actions/reference/workflows-and-actions/contexts#needs-context).
 * - A step whose `continue-on-error` is true and fails has outcome failure and conclusion success;
 *   the job goes on (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idstepscontinue-on-error).
 * - `workflow_dispatch` inputs: required ones must be given, choices must be among the options,
 *   booleans are booleans in `inputs` and strings in `github.event.inputs`
 *   (https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows#workflow_dispatch).
 * - `env` at workflow, job and step level, inner wins; GITHUB_ENV adds to the steps that follow.
 * - An environment with required reviewers holds the job until a reviewer approves; a rejection
 *   fails the job (https://docs.github.com/en/actions/reference/workflows-and-actions/deployments-and-environments#required-reviewers).
 *   Here the test gives the approval, or withholds it (the run then stays waiting).
 * - `concurrency`: one run of a group at a time; with cancel-in-progress false a new run waits
 *   (https://docs.github.com/en/actions/how-tos/write-workflows/choose-when-workflows-run/control-workflow-concurrency).
 * - Re-running failed jobs re-runs them and every job that depends on them, in a new attempt of the
 *   same run (https://docs.github.com/en/actions/how-tos/manage-workflow-runs/re-run-workflows-and-jobs).
 */
import fs from 'node:fs';
import path from 'node:path';
import { condition, tokenString, tokenValue, type Contexts, type Status } from './expressions.js';
import { entries, get, parseWorkflows, type ParsedWorkflow, type TemplateJob } from './parse.js';
import { parseEnvFile, parsePathFile } from './files.js';
import { ArtifactStore, executeStep } from './steps.js';
import { dispatchInputs, runLog } from './dispatch.js';

export type JobResult = 'success' | 'failure' | 'cancelled' | 'skipped' | 'waiting';

export interface Approval {
  reviewer: string;
  comment?: string;
  /** Reject instead of approving. */
  reject?: boolean;
}

export interface EnvironmentSetup {
  /** Reviewers required: the job waits for an approval from the test. */
  reviewers?: string[];
  vars?: Record<string, string>;
  secrets?: Record<string, string>;
}

export interface StepRecord {
  id: string;
  name: string;
  uses?: string;
  outcome: 'success' | 'failure' | 'skipped';
  conclusion: 'success' | 'failure' | 'skipped';
  outputs: Record<string, string>;
  log: string;
  errors: string[];
  summary: string;
  startedAt?: number;
  endedAt?: number;
}

export interface JobRecord {
  id: string;
  result: JobResult;
  outputs: Record<string, string>;
  steps: StepRecord[];
  attempt: number;
  environment?: string;
  approval?: Approval & { at: number };
  identities: Partial<Record<'aws' | 'azure' | 'gcp', string>>;
  startedAt?: number;
  endedAt?: number;
}

export interface RunOptions {
  event?: string;
  inputs?: Record<string, string | boolean>;
  vars?: Record<string, string>;
  secrets?: Record<string, string>;
  environments?: Record<string, EnvironmentSetup>;
  /** Approvals per environment name (given when the job reaches the gate). */
  approvals?: Record<string, Approval>;
  actor?: string;
  /** Run only these jobs (and treat the others as not in the file), like `act -j`. */
  only?: string[];
  /** Called before each job starts (a test may break or heal the world here). */
  beforeJob?: (jobId: string, run: WorkflowRun) => void | Promise<void>;
}

export interface WorkflowRun {
  id: number;
  attempt: number;
  workflow: string;
  event: string;
  inputs: Record<string, string | boolean>;
  jobs: Record<string, JobRecord>;
  conclusion: 'success' | 'failure' | 'waiting';
  concurrency?: { group: string; cancelInProgress: boolean };
  artifacts: ArtifactStore;
  options: RunOptions;
  /** Log of the whole run, job by job. */
  log(): string;
}

export interface HarnessOptions {
  /** Where runs keep their workspaces and artifacts. */
  workDir: string;
  /** The repository under test: what a checkout puts in the workspace (holds .github/dr-plan.yml). */
  repository: string;
  /** Root of aegis-dr: actions/<phase>/action.yml and dist/. */
  projectRoot: string;
  repo?: string;
  /** GITHUB_API_URL for the runs (the sandbox's GitHub emulator when there is one). */
  apiUrl?: string;
  serverUrl?: string;
  /** The job's GITHUB_TOKEN (`github.token`, `secrets.GITHUB_TOKEN`). */
  token?: string;
  /** What the runner machine's own environment adds to every step (a self-hosted runner's .env). */
  runnerEnv?: Record<string, string>;
  /** The GitHub side of a run: its id, and the reviews a test gives at an environment's gate. */
  github?: GitHubSide;
}

/** Where runs and their environment reviews are recorded (the sandbox's GitHub emulator). */
export interface GitHubSide {
  /** A new workflow run; returns its id (GITHUB_RUN_ID). */
  startRun(workflow: string, actor: string, event: string): number | Promise<number>;
  /** A reviewer approves or rejects the environment's pending deployment of the run. */
  review(runId: number, environment: string, approval: Approval): Promise<void>;
}

export class WorkflowHarness {
  private nextRunId = 1000;
  private groups = new Map<string, Promise<unknown>>();
  private parsed = new Map<string, ParsedWorkflow>();

  constructor(readonly opts: HarnessOptions) {
    fs.mkdirSync(opts.workDir, { recursive: true });
  }

  /** GitHub's parser over a workflow file. @throws with the parser's messages when it reports errors. */
  async load(file: string): Promise<ParsedWorkflow> {
    const cached = this.parsed.get(file);
    if (cached) return cached;
    const [p] = await parseWorkflows([file]);
    if (p.errors.length) throw new Error(`${file}: ${p.errors.join('; ')}`);
    this.parsed.set(file, p);
    return p;
  }

  /** Dispatch (or trigger) a workflow and run it to its end, or to a gate nobody approved. */
  async run(file: string, options: RunOptions = {}): Promise<WorkflowRun> {
    const wf = await this.load(file);
    const event = options.event ?? 'workflow_dispatch';
    const inputs = event === 'workflow_dispatch' ? dispatchInputs(wf, options.inputs ?? {}) : {};
    const id =
      (await this.opts.github?.startRun(path.basename(file), options.actor ?? 'octocat', event)) ??
      this.nextRunId++;
    const run: WorkflowRun = {
      id,
      attempt: 1,
      workflow: path.basename(file),
      event,
      inputs,
      jobs: {},
      conclusion: 'success',
      artifacts: new ArtifactStore(path.join(this.opts.workDir, `run-${id}`, 'artifacts')),
      options,
      log: () => runLog(run),
    };
    return this.withConcurrency(wf, run, () => this.execute(wf, run, jobIds(wf, options)));
  }

  /**
   * Re-run the failed jobs of a finished run and every job that depends on them, as a new attempt
   * of the same run; the other jobs keep their results and outputs.
   */
  async rerunFailed(
    previous: WorkflowRun,
    options: Partial<RunOptions> & { earlierArtifactsVisible?: boolean } = {},
  ): Promise<WorkflowRun> {
    const wf = await this.load(this.fileOf(previous));
    const failed = Object.values(previous.jobs)
      .filter((j) => j.result === 'failure' || j.result === 'cancelled')
      .map((j) => j.id);
    const again = new Set(failed);
    for (let grew = true; grew;) {
      grew = false;
      for (const j of wf.template.jobs) {
        if (!again.has(j.id) && (j.needs ?? []).some((n) => again.has(n))) {
          again.add(j.id);
          grew = true;
        }
      }
    }
    const artifacts = previous.artifacts;
    artifacts.attempt = previous.attempt + 1;
    artifacts.earlierAttemptsVisible = options.earlierArtifactsVisible ?? true;
    const run: WorkflowRun = {
      ...previous,
      attempt: previous.attempt + 1,
      jobs: Object.fromEntries(Object.entries(previous.jobs).filter(([k]) => !again.has(k))),
      conclusion: 'success',
      options: { ...previous.options, ...options },
      artifacts,
    };
    run.log = () => runLog(run);
    return this.withConcurrency(wf, run, () => this.execute(wf, run, [...again]));
  }

  private fileOf(run: WorkflowRun): string {
    for (const f of this.parsed.keys()) if (path.basename(f) === run.workflow) return f;
    throw new Error(`workflow ${run.workflow} was never loaded`);
  }

  /** One run of a concurrency group at a time; with cancel-in-progress false the next one waits. */
  private async withConcurrency(
    wf: ParsedWorkflow,
    run: WorkflowRun,
    body: () => Promise<void>,
  ): Promise<WorkflowRun> {
    const ctx = this.contexts(run, {});
    const c = wf.template.concurrency;
    if (c !== undefined && c !== null) {
      const group =
        typeof c === 'object' && c.type === 2 ? tokenString(get(c, 'group'), ctx) : tokenString(c, ctx);
      const cancel =
        typeof c === 'object' && c.type === 2
          ? tokenValue(get(c, 'cancel-in-progress'), ctx) === true
          : false;
      run.concurrency = { group, cancelInProgress: cancel };
      if (cancel) throw new Error(`${run.workflow}: cancel-in-progress is not emulated by the harness`);
      const before = this.groups.get(group) ?? Promise.resolve();
      const mine = before.then(body, body);
      this.groups.set(group, mine);
      await mine;
    } else {
      await body();
    }
    return run;
  }

  private async execute(wf: ParsedWorkflow, run: WorkflowRun, toRun: string[]): Promise<void> {
    const pending = wf.template.jobs.filter((j) => toRun.includes(j.id));
    while (pending.length) {
      const i = pending.findIndex((j) =>
        (j.needs ?? []).every((n) => run.jobs[n] && run.jobs[n].result !== 'waiting'),
      );
      if (i < 0) {
        // Every remaining job waits on a gate nobody approved (or needs a job outside `only`).
        for (const j of pending) run.jobs[j.id] = emptyJob(j.id, 'waiting', run.attempt);
        break;
      }
      const [job] = pending.splice(i, 1);
      await run.options.beforeJob?.(job.id, run);
      run.jobs[job.id] = await this.runJob(wf, run, job);
    }
    const results = Object.values(run.jobs).map((j) => j.result);
    run.conclusion = results.includes('waiting')
      ? 'waiting'
      : results.includes('failure')
        ? 'failure'
        : 'success';
  }

  /** Ancestors of a job through `needs`. */
  private ancestors(wf: ParsedWorkflow, id: string): string[] {
    const out = new Set<string>();
    const visit = (j: string) => {
      for (const n of wf.template.jobs.find((x) => x.id === j)?.needs ?? []) {
        if (!out.has(n)) {
          out.add(n);
          visit(n);
        }
      }
    };
    visit(id);
    return [...out];
  }

  private contexts(run: WorkflowRun, extra: Partial<Contexts>): Contexts {
    const [owner] = (this.opts.repo ?? 'example-org/dr').split('/');
    return {
      github: {
        event_name: run.event,
        event: { inputs: Object.fromEntries(Object.entries(run.inputs).map(([k, v]) => [k, String(v)])) },
        repository: this.opts.repo ?? 'example-org/dr',
        repository_owner: owner,
        run_id: String(run.id),
        run_number: String(run.id - 999),
        run_attempt: String(run.attempt),
        server_url: this.opts.serverUrl ?? 'https://github.example',
        api_url: this.opts.apiUrl ?? 'http://127.0.0.1:9/api',
        actor: run.options.actor ?? 'octocat',
        triggering_actor: run.options.actor ?? 'octocat',
        ref: 'refs/heads/main',
        ref_name: 'main',
        sha: '0'.repeat(40),
        workflow: run.workflow,
        token: this.opts.token ?? 'ghs_sandbox_token',
      },
      inputs: run.inputs,
      vars: run.options.vars ?? {},
      secrets: { GITHUB_TOKEN: this.opts.token ?? 'ghs_sandbox_token', ...(run.options.secrets ?? {}) },
      runner: { os: 'Linux', arch: 'X64', temp: '/tmp' },
      strategy: {},
      matrix: {},
      env: {},
      ...extra,
    };
  }

  private async runJob(wf: ParsedWorkflow, run: WorkflowRun, job: TemplateJob): Promise<JobRecord> {
    const raw = get(get(wf.raw, 'jobs'), job.id);
    const needs: Record<string, { result: JobResult; outputs: Record<string, string> }> = {};
    for (const n of job.needs ?? []) needs[n] = { result: run.jobs[n].result, outputs: run.jobs[n].outputs };
    const ancestry = this.ancestors(wf, job.id).map((a) => run.jobs[a]?.result);
    const jobStatus: Status = {
      success: ancestry.every((r) => r === 'success'),
      failure: ancestry.some((r) => r === 'failure'),
      cancelled: false,
    };
    let ctx = this.contexts(run, { needs });
    // jobs.<id>.if sees github, needs, vars, inputs (no env, no secrets).
    if (!condition(job.if.expr, ctx, jobStatus)) return emptyJob(job.id, 'skipped', run.attempt);

    // Environment: vars and secrets of the environment, and the approval gate.
    const envToken = get(raw, 'environment');
    const environment =
      envToken === undefined
        ? undefined
        : typeof envToken === 'object' && envToken !== null && 'type' in envToken && envToken.type === 2
          ? tokenString(get(envToken, 'name'), ctx)
          : tokenString(envToken, ctx);
    const setup = environment ? run.options.environments?.[environment] : undefined;
    const record: JobRecord = { ...emptyJob(job.id, 'success', run.attempt), environment, identities: {} };
    if (setup?.reviewers?.length) {
      const a = run.options.approvals?.[environment!];
      if (!a) return { ...record, result: 'waiting' };
      record.approval = { ...a, at: Date.now() };
      await this.opts.github?.review(run.id, environment!, a);
      if (a.reject) return { ...record, result: 'failure' };
    }
    ctx = this.contexts(run, {
      needs,
      vars: { ...(run.options.vars ?? {}), ...(setup?.vars ?? {}) },
      secrets: {
        GITHUB_TOKEN: this.opts.token ?? 'ghs_sandbox_token',
        ...(run.options.secrets ?? {}),
        ...(setup?.secrets ?? {}),
      },
    });

    record.startedAt = Date.now();
    const jobDir = path.join(this.opts.workDir, `run-${run.id}`, `attempt-${run.attempt}`, job.id);
    const workspace = path.join(jobDir, 'workspace');
    fs.mkdirSync(workspace, { recursive: true });
    const baseEnv: Record<string, string> = {};
    for (const [k, v] of entries(get(wf.raw, 'env'))) baseEnv[k] = tokenString(v, ctx);
    ctx = { ...ctx, env: { ...baseEnv } };
    for (const [k, v] of entries(get(raw, 'env'))) baseEnv[k] = tokenString(v, ctx);
    const jobEnv: Record<string, string> = { ...baseEnv };
    let extraPath: string[] = [];
    const stepsCtx: Record<string, { outputs: Record<string, string>; outcome: string; conclusion: string }> =
      {};
    const rawSteps = get(raw, 'steps');
    const rawList =
      rawSteps && typeof rawSteps === 'object' && 'type' in rawSteps && rawSteps.type === 1
        ? rawSteps.seq
        : [];
    let failed = false;

    for (const [i, step] of job.steps.entries()) {
      const rs = rawList[i];
      const status: Status = { success: !failed, failure: failed, cancelled: false };
      const stepCtx = {
        ...ctx,
        env: { ...jobEnv },
        steps: stepsCtx,
        job: { status: failed ? 'failure' : 'success' },
      };
      const name = tokenString(step.name ?? (step.uses ? `Run ${step.uses}` : 'Run script'), stepCtx);
      const ifExpr = step.if?.expr ?? 'success()';
      const rec: StepRecord = {
        id: step.id,
        name,
        uses: step.uses,
        outcome: 'skipped',
        conclusion: 'skipped',
        outputs: {},
        log: '',
        errors: [],
        summary: '',
      };
      record.steps.push(rec);
      if (!condition(ifExpr, stepCtx, status)) {
        stepsCtx[step.id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
        continue;
      }
      const stepEnv: Record<string, string> = { ...jobEnv };
      for (const [k, v] of entries(get(rs, 'env'))) stepEnv[k] = tokenString(v, { ...stepCtx, env: stepEnv });
      const withs: Record<string, string> = {};
      for (const [k, v] of entries(get(rs, 'with'))) withs[k] = tokenString(v, { ...stepCtx, env: stepEnv });
      const continueOnError = tokenValue(get(rs, 'continue-on-error'), stepCtx) === true;
      rec.startedAt = Date.now();
      const result = await executeStep({
        uses: step.uses,
        run: step.run === undefined ? undefined : tokenString(step.run, stepCtx),
        shell: get(rs, 'shell') === undefined ? undefined : tokenString(get(rs, 'shell'), stepCtx),
        workingDirectory:
          get(rs, 'working-directory') === undefined
            ? undefined
            : tokenString(get(rs, 'working-directory'), stepCtx),
        with: withs,
        env: this.processEnv(run, job.id, workspace, jobDir, stepEnv, extraPath),
        workspace,
        scratch: path.join(jobDir, 'steps', String(i)),
        artifacts: run.artifacts,
        repository: this.opts.repository,
        projectRoot: this.opts.projectRoot,
        identity: (cloud, who) => (record.identities[cloud] = who),
      });
      rec.endedAt = Date.now();
      rec.log = result.log;
      rec.errors = result.errors;
      rec.summary = result.summary;
      rec.outputs = parseEnvFile(result.files.output);
      Object.assign(jobEnv, parseEnvFile(result.files.env));
      extraPath = [...parsePathFile(result.files.path).reverse(), ...extraPath];
      rec.outcome = result.ok ? 'success' : 'failure';
      rec.conclusion = result.ok || continueOnError ? 'success' : 'failure';
      if (rec.conclusion === 'failure') failed = true;
      stepsCtx[step.id] = { outputs: rec.outputs, outcome: rec.outcome, conclusion: rec.conclusion };
    }
    record.endedAt = Date.now();
    record.result = failed ? 'failure' : 'success';
    // Job outputs are evaluated at the end of the job, strings (empty when the step never set them).
    const outCtx = { ...ctx, env: jobEnv, steps: stepsCtx };
    for (const [k, v] of entries(get(raw, 'outputs'))) record.outputs[k] = tokenString(v, outCtx);
    return record;
  }

  /** The environment of a step's process: the runner's default variables plus the step's env. */
  private processEnv(
    run: WorkflowRun,
    jobId: string,
    workspace: string,
    jobDir: string,
    stepEnv: Record<string, string>,
    extraPath: string[],
  ): Record<string, string> {
    const temp = path.join(jobDir, 'temp');
    fs.mkdirSync(temp, { recursive: true });
    const event = path.join(jobDir, 'event.json');
    fs.writeFileSync(event, JSON.stringify({ inputs: run.inputs }));
    const repo = this.opts.repo ?? 'example-org/dr';
    return {
      ...(this.opts.runnerEnv ?? {}),
      // https://docs.github.com/en/actions/reference/workflows-and-actions/variables#default-environment-variables
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: workspace,
      GITHUB_REPOSITORY: repo,
      GITHUB_REPOSITORY_OWNER: repo.split('/')[0],
      GITHUB_RUN_ID: String(run.id),
      GITHUB_RUN_NUMBER: String(run.id - 999),
      GITHUB_RUN_ATTEMPT: String(run.attempt),
      GITHUB_JOB: jobId,
      GITHUB_WORKFLOW: run.workflow,
      GITHUB_EVENT_NAME: run.event,
      GITHUB_EVENT_PATH: event,
      GITHUB_ACTOR: run.options.actor ?? 'octocat',
      GITHUB_TRIGGERING_ACTOR: run.options.actor ?? 'octocat',
      GITHUB_SERVER_URL: this.opts.serverUrl ?? 'https://github.example',
      GITHUB_API_URL: this.opts.apiUrl ?? 'http://127.0.0.1:9/api',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_SHA: '0'.repeat(40),
      RUNNER_OS: 'Linux',
      RUNNER_TEMP: temp,
      HOME: jobDir,
      PATH: [...extraPath, path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
      ...stepEnv,
    };
  }
}

function emptyJob(id: string, result: JobResult, attempt: number): JobRecord {
  return { id, result, outputs: {}, steps: [], attempt, identities: {} };
}

function jobIds(wf: ParsedWorkflow, options: RunOptions): string[] {
  const all = wf.template.jobs.map((j) => j.id);
  if (!options.only) return all;
  for (const o of options.only)
    if (!all.includes(o)) throw new Error(`no job "${o}" in the workflow: expected one of ${all.join(', ')}`);
  return options.only;
}
