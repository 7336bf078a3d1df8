/**
 * How the harness executes one step, as a GitHub-hosted runner does:
 *   - `run:` scripts with bash: `bash -e {0}` when no shell is named, `bash --noprofile --norc -eo
 *     pipefail {0}` for `shell: bash` (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idstepsshell);
 *   - our JavaScript actions from the action.yml they reference: `runs.main` run with Node 24, the
 *     `with:` values and the action.yml defaults in `INPUT_<NAME>` variables (name upper-cased,
 *     spaces to underscores), https://docs.github.com/en/actions/reference/workflows-and-actions/metadata-syntax#inputs;
 *   - third-party actions by documented local equivalents (`THIRD_PARTY` below): a checkout copies
 *     the repository under test, the cloud logins check their required inputs and record the
 *     identity (the sandbox needs no credential), artifacts go to a folder per run.
 * Every step gets fresh GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH and GITHUB_STEP_SUMMARY files.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

export interface StepRequest {
  uses?: string;
  run?: string;
  shell?: string;
  with: Record<string, string>;
  env: Record<string, string>;
  workspace: string;
  workingDirectory?: string;
  /** Per-step scratch folder (file commands, scripts). */
  scratch: string;
  artifacts: ArtifactStore;
  /** The repository under test, as a checkout copies it. */
  repository: string;
  /** Root of this project: where `cloud-aegis/aegis-dr/actions/<phase>` resolves. */
  projectRoot: string;
  /** Called by a cloud login equivalent with the identity it would assume. */
  identity(cloud: 'aws' | 'azure' | 'gcp', id: string): void;
}

export interface StepRun {
  ok: boolean;
  outputs: Record<string, string>;
  log: string;
  /** `::error` annotations the step printed. */
  errors: string[];
  summary: string;
  /** Files GITHUB_OUTPUT/ENV/PATH (read by the job). */
  files: { output: string; env: string; path: string };
}

const OUR_ACTIONS = 'cloud-aegis/aegis-dr/actions/';

/**
 * Artifacts of a run, in a folder per run (https://docs.github.com/en/actions/tutorials/store-and-share-data):
 * an artifact belongs to its run; `upload-artifact` v4+ refuses a name that exists unless
 * `overwrite: true`; `download-artifact` with a name fails when no artifact has it. Whether a
 * re-run attempt sees an earlier attempt's artifacts is a harness option, so both can be tested.
 */
export class ArtifactStore {
  constructor(
    readonly dir: string,
    /** Attempt that uploads now; artifacts record the attempt that made them. */
    public attempt = 1,
    /** When false, a re-run attempt sees only the artifacts its own attempt uploaded. */
    public earlierAttemptsVisible = true,
  ) {
    fs.mkdirSync(dir, { recursive: true });
  }

  private folder(name: string): string {
    return path.join(this.dir, name);
  }

  /** Names of the artifacts visible to the current attempt. */
  list(): string[] {
    return fs.readdirSync(this.dir).filter((n) => this.visible(n));
  }

  private visible(name: string): boolean {
    const meta = path.join(this.folder(name), '.attempt');
    if (!fs.existsSync(meta)) return false;
    return this.earlierAttemptsVisible || Number(fs.readFileSync(meta, 'utf8')) === this.attempt;
  }

  upload(name: string, files: string[], overwrite: boolean): void {
    const dir = this.folder(name);
    if (this.visible(name) && !overwrite) {
      throw new Error(
        `Failed to CreateArtifact: Received non-retryable error: Failed request: (409) Conflict: an artifact with this name already exists on the workflow run`,
      );
    }
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    for (const f of files) fs.copyFileSync(f, path.join(dir, path.basename(f)));
    fs.writeFileSync(path.join(dir, '.attempt'), String(this.attempt));
  }

  /** Copy an artifact's files into `dest`. @throws the action's own message when there is none. */
  download(name: string, dest: string): string[] {
    if (!this.visible(name))
      throw new Error(`Unable to download artifact(s): Artifact not found for name: ${name}`);
    fs.mkdirSync(dest, { recursive: true });
    const files = fs.readdirSync(this.folder(name)).filter((f) => f !== '.attempt');
    for (const f of files) fs.copyFileSync(path.join(this.folder(name), f), path.join(dest, f));
    return files;
  }

  /**
   * The artifacts of another run of the repository (every attempt's: what the REST API lists for a
   * run), or undefined when the harness has no such run. Runs keep their artifacts in sibling
   * folders (`run-<id>/artifacts`).
   */
  ofRun(runId: string): ArtifactStore | undefined {
    if (!/^\d+$/.test(runId)) return undefined;
    const dir = path.join(path.dirname(path.dirname(this.dir)), `run-${runId}`, 'artifacts');
    return fs.existsSync(dir) ? new ArtifactStore(dir, 0, true) : undefined;
  }

  /** The file of an artifact, for assertions (undefined when absent). */
  file(name: string, file: string): string | undefined {
    const p = path.join(this.folder(name), file);
    return this.visible(name) && fs.existsSync(p) ? p : undefined;
  }
}

/** Run a child process, collecting its output; resolves with the exit code (never rejects). */
function exec(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number; log: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, cwd });
    let log = '';
    child.stdout.on('data', (d) => (log += d));
    child.stderr.on('data', (d) => (log += d));
    child.on('error', (e) => {
      log += String(e);
      resolve({ code: 127, log });
    });
    child.on('close', (c) => resolve({ code: c ?? 1, log }));
  });
}

function newFiles(scratch: string) {
  fs.mkdirSync(scratch, { recursive: true });
  const files = {
    output: path.join(scratch, 'output'),
    env: path.join(scratch, 'env'),
    path: path.join(scratch, 'path'),
    summary: path.join(scratch, 'summary.md'),
  };
  for (const f of Object.values(files)) fs.writeFileSync(f, '');
  return files;
}

function runnerFiles(files: ReturnType<typeof newFiles>): Record<string, string> {
  return {
    GITHUB_OUTPUT: files.output,
    GITHUB_ENV: files.env,
    GITHUB_PATH: files.path,
    GITHUB_STEP_SUMMARY: files.summary,
  };
}

function finish(
  code: number,
  log: string,
  files: ReturnType<typeof newFiles>,
  extra: Partial<StepRun> = {},
): StepRun {
  const errors = [...log.matchAll(/^::error(?: [^:]*)?::(.*)$/gm)].map((m) => m[1]);
  return {
    ok: code === 0,
    outputs: {},
    log,
    errors,
    summary: fs.readFileSync(files.summary, 'utf8'),
    files,
    ...extra,
  };
}

/** A `run:` step. */
async function runScript(req: StepRequest): Promise<StepRun> {
  const files = newFiles(req.scratch);
  const script = path.join(req.scratch, 'script.sh');
  fs.writeFileSync(script, req.run!);
  const args = req.shell === 'bash' ? ['--noprofile', '--norc', '-eo', 'pipefail', script] : ['-e', script];
  if (req.shell && req.shell !== 'bash') {
    return finish(
      1,
      `the harness runs run: steps with bash only; this step asks for shell "${req.shell}"`,
      files,
    );
  }
  const cwd = req.workingDirectory ? path.resolve(req.workspace, req.workingDirectory) : req.workspace;
  const { code, log } = await exec('bash', args, { ...req.env, ...runnerFiles(files) }, cwd);
  return finish(code, log, files);
}

/** One of our JavaScript actions, from the action.yml its `uses:` names. */
async function runOurAction(req: StepRequest): Promise<StepRun> {
  const files = newFiles(req.scratch);
  const rel = req.uses!.slice(OUR_ACTIONS.length).split('@')[0];
  const dir = path.join(req.projectRoot, 'actions', rel);
  const metaFile = path.join(dir, 'action.yml');
  if (!fs.existsSync(metaFile)) return finish(1, `Can't find 'action.yml' for action '${req.uses}'.`, files);
  const meta = parseYaml(fs.readFileSync(metaFile, 'utf8')) as {
    inputs?: Record<string, { default?: string; required?: boolean }>;
    runs: { using: string; main: string };
  };
  if (meta.runs.using !== 'node24')
    return finish(1, `the harness runs node24 actions; ${rel} uses ${meta.runs.using}`, files);
  const env: Record<string, string> = { ...req.env, ...runnerFiles(files) };
  const declared = meta.inputs ?? {};
  let log = '';
  for (const k of Object.keys(req.with)) {
    if (!(k in declared))
      log += `##[warning]Unexpected input(s) '${k}', valid inputs are [${Object.keys(declared).join(', ')}]\n`;
  }
  for (const [name, def] of Object.entries(declared)) {
    const value = name in req.with ? req.with[name] : String(def?.default ?? '');
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  for (const [name, value] of Object.entries(req.with))
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  const main = path.resolve(dir, meta.runs.main);
  const r = await exec(process.execPath, [main], env, req.workspace);
  return finish(r.code, log + r.log, files);
}

type Equivalent = (req: StepRequest, files: ReturnType<typeof newFiles>) => Promise<string> | string;

function required(req: StepRequest, ...names: string[]): void {
  for (const n of names) {
    if (!req.with[n]?.trim()) throw new Error(`Input required and not supplied: ${n}`);
  }
}

/**
 * Local equivalents of the third-party actions the examples use, each doing what the action's
 * documentation says it does that a later step depends on. A login that lacks its required
 * inputs fails as the real one does (an unset repository variable is caught here).
 */
const THIRD_PARTY: Record<string, Equivalent> = {
  // https://github.com/actions/checkout: the repository at the event's commit into the workspace.
  'actions/checkout': (req) => {
    if (req.with.repository) {
      throw new Error(
        `the harness checks out only the repository under test; this step asks for ${req.with.repository}`,
      );
    }
    fs.cpSync(req.repository, req.workspace, { recursive: true });
    return `checked out ${req.repository}`;
  },
  // https://github.com/actions/setup-node: Node 24 already runs the harness and is first on PATH.
  'actions/setup-node': () => 'node 24 is on PATH',
  // https://github.com/aws-actions/configure-aws-credentials: role-to-assume through OIDC, region.
  'aws-actions/configure-aws-credentials': (req, files) => {
    required(req, 'role-to-assume', 'aws-region');
    req.identity('aws', req.with['role-to-assume']);
    fs.appendFileSync(
      files.env,
      `AWS_REGION=${req.with['aws-region']}\nAWS_DEFAULT_REGION=${req.with['aws-region']}\n`,
    );
    return `assumed ${req.with['role-to-assume']} (sandbox: no credential needed)`;
  },
  // https://github.com/Azure/login: OIDC login of client-id in tenant-id, subscription-id.
  'azure/login': (req) => {
    required(req, 'client-id', 'tenant-id', 'subscription-id');
    req.identity('azure', req.with['client-id']);
    return `logged in as ${req.with['client-id']} (sandbox: no credential needed)`;
  },
  // https://github.com/google-github-actions/auth: workload identity federation to a service account.
  'google-github-actions/auth': (req) => {
    required(req, 'workload_identity_provider', 'service_account');
    req.identity('gcp', req.with.service_account);
    return `impersonating ${req.with.service_account} (sandbox: no credential needed)`;
  },
  // https://github.com/actions/upload-artifact: `path` lines relative to the workspace;
  // if-no-files-found warn (default) / error / ignore; overwrite false by default.
  'actions/upload-artifact': (req) => {
    required(req, 'name');
    const wanted = req.with.path
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const found = wanted.map((p) => path.resolve(req.workspace, p)).filter((p) => fs.existsSync(p));
    if (found.length === 0) {
      const mode = req.with['if-no-files-found'] || 'warn';
      const msg = `No files were found with the provided path: ${wanted.join(', ')}. No artifacts will be uploaded.`;
      if (mode === 'error') throw new Error(msg);
      return mode === 'warn' ? `##[warning]${msg}` : msg;
    }
    req.artifacts.upload(req.with.name, found, req.with.overwrite === 'true');
    return `uploaded ${req.with.name}: ${found.map((f) => path.basename(f)).join(', ')}`;
  },
  // https://github.com/actions/download-artifact: by name from this run, into `path` (default the
  // workspace). `run-id` names another run of the repository, and is honoured only with
  // `github-token` (the README: github-token is "required when downloading artifacts from a
  // different repository or from a different workflow run"; "If github-token is specified, this is
  // the run that artifacts will be downloaded from"; without it, the current run).
  'actions/download-artifact': (req) => {
    required(req, 'name');
    const dest = path.resolve(req.workspace, req.with.path || '.');
    const runId = req.with['run-id'];
    if (runId && req.with['github-token']) {
      const other = req.artifacts.ofRun(runId);
      if (!other)
        throw new Error(`Unable to download artifact(s): Artifact not found for name: ${req.with.name}`);
      const files = other.download(req.with.name, dest);
      return `downloaded ${req.with.name} from run ${runId}: ${files.join(', ')}`;
    }
    const files = req.artifacts.download(req.with.name, dest);
    return `downloaded ${req.with.name}: ${files.join(', ')}`;
  },
};

/** Execute one step. Never throws for the step's own failure: `ok` says how it ended. */
export async function executeStep(req: StepRequest): Promise<StepRun> {
  if (req.run !== undefined) return runScript(req);
  const uses = req.uses ?? '';
  if (uses.startsWith(OUR_ACTIONS)) return runOurAction(req);
  const name = uses.split('@')[0];
  const files = newFiles(req.scratch);
  const eq = THIRD_PARTY[name];
  if (!eq)
    return finish(
      1,
      `the harness has no local equivalent of ${name}: add one to THIRD_PARTY with the documentation it follows`,
      files,
    );
  try {
    return finish(0, await eq(req, files), files);
  } catch (e) {
    return finish(1, `##[error]${(e as Error).message}`, files, { errors: [(e as Error).message] });
  }
}
