/**
 * One sandbox for a whole suite (a test file): started in beforeAll with its own work directory,
 * closed and removed in afterAll. The defaults are the ones most suites want: speed 1000 and the
 * built-in Prometheus. `phase()` runs a phase against it with short retries.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadPlan } from '../../src/plan/load.js';
import { createEnvironment } from '../../src/phases/environment.js';
import { runPhase, type RunPhaseOptions } from '../../src/phases/runner.js';
import type { Environment } from '../../src/phases/types.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';

export interface SuiteSandbox {
  readonly sandbox: Sandbox;
  readonly work: string;
  /** The providers of the sandbox plan (one environment per suite, made on first use). */
  environment(): Promise<Environment>;
  /** Run a phase on the suite's sandbox plan, journaling to `journal.jsonl` in the work directory. */
  phase(
    phase: string,
    opts?: Partial<RunPhaseOptions> & { maxAttempts?: number },
  ): ReturnType<typeof runPhase>;
}

export function sandboxPerSuite(prefix: string, opts: SandboxOptions = {}): SuiteSandbox {
  let sandbox: Sandbox | undefined;
  let work: string | undefined;
  let env: Promise<Environment> | undefined;
  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), `aegis-${prefix}-`));
    sandbox = await startSandbox({ outDir: work, speed: 1000, prometheus: 'builtin', ...opts });
  }, 60_000);
  afterAll(async () => {
    await sandbox?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });
  return {
    get sandbox() {
      if (!sandbox) throw new Error('the suite sandbox is used before beforeAll started it');
      return sandbox;
    },
    get work() {
      if (!work) throw new Error('the suite sandbox is used before beforeAll started it');
      return work;
    },
    environment() {
      env ??= loadPlan(this.sandbox.planFile!).then(createEnvironment);
      return env;
    },
    phase(phase, { maxAttempts = 3, ...rest } = {}) {
      return runPhase({
        phase,
        planFile: this.sandbox.planFile!,
        journalFile: path.join(this.work, 'journal.jsonl'),
        run: { retry: { maxAttempts, baseMs: 1, capMs: 5 } },
        ...rest,
      });
    },
  };
}
