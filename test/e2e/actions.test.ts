/**
 * Every action, run from its dist/ bundle as GitHub runs it: inputs in INPUT_* variables, outputs
 * and the job summary written to GITHUB_OUTPUT and GITHUB_STEP_SUMMARY, against the sandbox.
 * Together the runs make a whole failover and failback, phase by phase, as a workflow would.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { parseOutputs } from '../support/github-output.js';

const root = path.resolve(import.meta.dirname, '../..');

interface ActionRun {
  code: number;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
}

let sandbox: Sandbox;
let work: string;

async function runAction(phase: string, inputs: Record<string, string>): Promise<ActionRun> {
  const outFile = path.join(work, `${phase}-${Date.now()}.out`);
  const summaryFile = path.join(work, `${phase}-${Date.now()}.md`);
  fs.writeFileSync(outFile, '');
  fs.writeFileSync(summaryFile, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: outFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_ACTOR: 'octocat',
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_REPOSITORY: 'cloud-aegis/dr',
    GITHUB_RUN_ID: '42',
    AEGIS_API_TOKEN: 'sandbox-token',
  };
  const all = { plan: sandbox.planFile!, journal: path.join(work, 'journal.jsonl'), ...inputs };
  for (const [k, v] of Object.entries(all)) env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
  const child = spawn(process.execPath, [path.join(root, 'dist/actions', `${phase}.js`)], { env, cwd: work });
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stdout += d));
  const code: number = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  return {
    code,
    stdout,
    outputs: parseOutputs(fs.readFileSync(outFile, 'utf8')),
    summary: fs.readFileSync(summaryFile, 'utf8'),
  };
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-actions-'));
  sandbox = await startSandbox({ outDir: work, speed: 1000, prometheus: 'builtin' });
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('actions from dist/ against the sandbox', () => {
  it('validate: reports a valid plan; an invalid one fails with annotations on its lines', async () => {
    const ok = await runAction('validate', {});
    expect(ok.code).toBe(0);
    expect(ok.outputs).toMatchObject({ valid: 'true', stacks: 'aws,azure,gcp' });
    const bad = path.join(work, 'bad.yml');
    fs.writeFileSync(
      bad,
      fs.readFileSync(sandbox.planFile!, 'utf8').replace('kind: DRPlan', 'kind: DRPlan\nservise: typo'),
    );
    const r = await runAction('validate', { plan: bad });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(
      /::error title=DR plan problem,file=.*bad\.yml,line=\d+,col=\d+::servise: Unknown key/,
    );
    expect(r.stdout).toMatch(/servise/);
    expect(r.summary).toMatch(/DR plan is invalid/);
  });

  it('readiness: all six checks pass on the healthy estate', async () => {
    const r = await runAction('readiness', {});
    expect(r.outputs.ready).toBe('true');
    expect(r.code).toBe(0);
    expect(r.summary).toMatch(/DR health/);
  });

  it('triggers: nothing fires on the healthy estate', async () => {
    const r = await runAction('triggers', {});
    expect(r.code).toBe(0);
    expect(r.outputs.fire).toBe('false');
    expect(r.outputs['two-region-failure']).toBe('false');
  });

  it('database: force without force-reason is refused before anything runs, and nothing changes', async () => {
    const before = (sandbox.state() as any).monitor.mutationCount;
    const r = await runAction('database', { 'incident-class': 'region-outage', force: 'true' });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/::error::Input 'force-reason' is empty while 'force' is true/);
    expect(r.stdout).not.toMatch(/\n\s+at /); // one sentence, no stack trace
    const state = sandbox.state() as any;
    expect(state.monitor.mutationCount).toBe(before);
    expect(state.monitor.splitBrainEver).toBe(false);
  });

  it('a whole region-outage failover, one action per phase', async () => {
    sandbox.applyScenario('region-outage');
    const declare = await runAction('declare', { 'incident-class': 'region-outage', reason: 'test outage' });
    expect(declare.code).toBe(0);
    expect(declare.outputs['incident-class']).toBe('region-outage');
    for (const phase of ['drain', 'database', 'scale', 'traffic', 'verify']) {
      const r = await runAction(phase, { 'incident-class': 'region-outage' });
      expect({ phase, code: r.code, out: r.code ? r.stdout.slice(-2000) : '' }).toEqual({
        phase,
        code: 0,
        out: '',
      });
    }
    const state = sandbox.state() as any;
    for (const s of ['aws', 'azure', 'gcp']) {
      expect(state.stacks[s].database.writer).toBe('dr');
      expect(state.stacks[s].traffic.active).toBe('dr');
    }
    expect(state.monitor.splitBrainEver).toBe(false);
  });

  it('a database action re-run changes nothing', async () => {
    const before = (sandbox.state() as any).monitor.mutationCount;
    const r = await runAction('database', { 'incident-class': 'region-outage' });
    expect(r.code).toBe(0);
    expect((sandbox.state() as any).monitor.mutationCount).toBe(before);
  });

  it('sync dry-run and execute, then failback and DR back to standby', async () => {
    // The region returns with its nodes not yet Ready; the fence must land before they are.
    for (const s of sandbox.world.stacks.values()) {
      s.sites.primary.up = true;
      for (const n of s.sites.primary.cluster.nodes) n.ready = false;
    }
    expect((await runAction('declare', { 'incident-class': 'region-outage', reason: 'refence' })).code).toBe(
      0,
    );
    for (const s of sandbox.world.stacks.values())
      for (const n of s.sites.primary.cluster.nodes) n.ready = true;
    // RDS and Cloud SQL fail back through a replica of the DR writer in the primary region: the
    // reprotect action starts it, and later runs see it through until it replicates
    const healthy = (state: string) =>
      state.split(',').length === 3 &&
      state.split(',').every((kv) => kv.endsWith('=healthy') || kv.startsWith('azure='));
    let replicas = '';
    for (let i = 0; i < 60 && !healthy(replicas); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 500));
      const rp = await runAction('reprotect', {});
      expect({ code: rp.code, out: rp.code ? rp.stdout.slice(-3000) : '' }).toEqual({ code: 0, out: '' });
      replicas = rp.outputs.state;
    }
    expect(replicas).toMatch(/aws=healthy/);
    expect(replicas).toMatch(/gcp=healthy/);
    const dry = await runAction('sync', { mode: 'dry-run' });
    expect({ code: dry.code, out: dry.code ? dry.stdout.slice(-3000) : '' }).toEqual({ code: 0, out: '' });
    expect(dry.outputs.conflicts.split(',').sort()).toEqual(['aws=0', 'azure=0', 'gcp=0']);
    expect((await runAction('sync', { mode: 'execute' })).code).toBe(0);
    const fb = await runAction('failback', {
      'skip-health-gate': 'true',
      'override-reason': 'test: the sandbox primary has no 2-hour health history',
    });
    expect({ code: fb.code, out: fb.code ? fb.stdout.slice(-3000) : '' }).toEqual({ code: 0, out: '' });
    expect(fb.outputs.passed).toBe('true');
    const state = sandbox.state() as any;
    for (const s of ['aws', 'azure', 'gcp']) {
      expect(state.stacks[s].database.writer).toBe('primary');
      expect(state.stacks[s].traffic.active).toBe('primary');
      expect(state.stacks[s].sites.dr.deployments['aegis-api'].replicas).toBe(2);
    }
    expect(state.monitor.splitBrainEver).toBe(false);
  });

  it('the journal written across all those actions verifies', async () => {
    const { verifyJournal } = await import('../../src/engine/journal.js');
    const v = verifyJournal(path.join(work, 'journal.jsonl'));
    expect(v.ok).toBe(true);
    expect(v.count).toBeGreaterThan(50);
  });
});
