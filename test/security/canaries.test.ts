/**
 * Secret canaries: distinct secrets planted in every place one can come from (the channels' secret
 * variables the plan names, the app's API token, cloud credentials, the runner's GitHub tokens, the
 * kubeconfig's user token), a failover with notify, escalate and report run through the sandbox by
 * the CLI and by the action entry (the real @actions/core, writing GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY), with services that answer an error echoing the request whole (headers,
 * URL, body). No canary may appear in stdout, stderr, the outputs, the job summary, the journal or
 * the report files. The action hands every canary it uses to the runner's mask (`::add-mask::`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { main } from '../../src/cli/main.js';
import { runAction } from '../../src/actions/run.js';
import { resetSecrets } from '../../src/engine/redact.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { SANDBOX_KUBE_TOKEN } from '../../src/sandbox/kubernetes/kubeconfig.js';

const canary = (what: string) => `canary-${what}-${randomBytes(8).toString('hex')}`;

let sandbox: Sandbox;
let work: string;
const saved: Record<string, string | undefined> = {};
/** Every planted secret, by where it came from. */
const canaries: Record<string, string> = {};

const setEnv = (k: string, v: string | undefined) => {
  if (!(k in saved)) saved[k] = process.env[k];
  if (v === undefined) delete process.env[k];
  else process.env[k] = v;
};

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-canaries-'));
  sandbox = await startSandbox({ outDir: work, speed: 1000, prometheus: 'builtin', clouds: ['aws'] });
  sandbox.applyScenario('region-outage');
  // the channels' secrets, named by the plan's secretEnv: the emulators accept only these
  for (const [k, v] of Object.entries(sandbox.comms.env)) {
    setEnv(k, v);
    if (k !== 'AEGIS_DR_EXTRA_CA')
      canaries[`plan secretEnv ${k}`] = k.includes('TEAMS') ? v.split('sig=')[1] : v;
  }
  const planted: Record<string, string> = {
    AEGIS_API_TOKEN: canary('app-token'), // the plan's application.tokenEnv (the verify scan)
    AWS_ACCESS_KEY_ID: 'AKIDCANARY0000000000',
    AWS_SECRET_ACCESS_KEY: canary('aws-secret'),
    AWS_SESSION_TOKEN: canary('aws-session'),
    AZURE_CLIENT_SECRET: canary('azure-secret'),
    GITHUB_TOKEN: canary('github-token'),
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: canary('oidc-request'),
  };
  for (const [k, v] of Object.entries(planted)) {
    setEnv(k, v);
    if (k !== 'AWS_ACCESS_KEY_ID') canaries[`env ${k}`] = v;
  }
  // the kubeconfig's user token (the only one the sandbox's API servers take from a kubeconfig)
  canaries['kubeconfig user token'] = SANDBOX_KUBE_TOKEN;
}, 60_000);

afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await sandbox?.close();
  fs.rmSync(work, { recursive: true, force: true });
  resetSecrets();
});

/** Every service that carries a secret answers with an error that echoes the request whole. */
const ECHOING = ['slack', 'teams', 'pagerduty', 'rds', 'kubernetes', 'app'];
async function echoing(on: boolean): Promise<void> {
  const faults = `${sandbox.endpoints.control}/_sandbox/faults`;
  if (!on) {
    await fetch(faults, { method: 'DELETE' });
    return;
  }
  for (const service of ECHOING) {
    await fetch(faults, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ service, kind: 'echo', status: 400, rate: 1 }),
    });
  }
}

/** The canaries found in `text`, by where they came from. */
const leaked = (text: string) =>
  Object.entries(canaries)
    .filter(([, v]) => text.includes(v))
    .map(([k]) => k);

describe('secret canaries', () => {
  it('plants at least 8 distinct canaries', () => {
    expect(new Set(Object.values(canaries)).size).toBeGreaterThanOrEqual(8);
    expect(Object.keys(canaries).length).toBe(new Set(Object.values(canaries)).size);
  });

  it('the CLI: a failover, notify, escalate and report against echoing services leak none', async () => {
    const out: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) };
    const journal = path.join(work, 'cli-journal.jsonl');
    const report = path.join(work, 'cli-report.md');
    const cli = (...args: string[]) => main([...args, '--plan', sandbox.planFile!, '--journal', journal], io);
    // a clean failover, then every later call answered by an echo of the request
    await cli('run', 'declare', '--input', 'incident-class=region-outage', '--input', 'reason=canary drill');
    await cli('run', 'database');
    await echoing(true);
    try {
      await cli('notify', '--input', 'time-scale=1000');
      await cli('escalate', '--input', 'time-scale=1000');
      await cli('run', 'database');
      await cli('run', 'verify');
    } finally {
      await echoing(false);
    }
    await cli('run', 'report', '--input', `report=${report}`);
    const text = out.join('\n');
    if (process.env.CANARY_DEBUG) console.log(text.slice(0, 20000));
    // the echoes did reach the product: the services' errors are in what it printed and recorded
    const journalText = fs.readFileSync(journal, 'utf8');
    expect(journalText).toMatch(/request rejected/);
    expect(leaked(text)).toEqual([]);
    expect(leaked(journalText)).toEqual([]);
    expect(leaked(fs.readFileSync(report, 'utf8'))).toEqual([]);
  }, 120_000);

  it('the action entry: outputs, job summary, log and journal leak none; the runner is told to mask them', async () => {
    const outputFile = path.join(work, 'github-output');
    const summaryFile = path.join(work, 'step-summary.md');
    fs.writeFileSync(outputFile, '');
    fs.writeFileSync(summaryFile, '');
    const journal = path.join(work, 'action-journal.jsonl');
    const report = path.join(work, 'action-report.md');
    setEnv('GITHUB_OUTPUT', outputFile);
    setEnv('GITHUB_STEP_SUMMARY', summaryFile);
    const written: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    const inputs = (phase: string, more: Record<string, string>) => {
      for (const k of Object.keys(process.env)) if (k.startsWith('INPUT_')) delete process.env[k];
      for (const [k, v] of Object.entries({ plan: sandbox.planFile!, journal, ...more })) {
        setEnv(`INPUT_${k.replace(/ /g, '_').toUpperCase()}`, v);
      }
      return runAction(phase);
    };
    try {
      await inputs('declare', { 'incident-class': 'region-outage', reason: 'canary drill' });
      await inputs('database', {});
      await echoing(true);
      try {
        await inputs('notify', { 'time-scale': '1000' });
        await inputs('escalate', { 'time-scale': '1000' });
        await inputs('database', {});
        await inputs('verify', {});
      } finally {
        await echoing(false);
      }
      await inputs('report', { report });
    } finally {
      process.stdout.write = write;
      for (const k of Object.keys(process.env)) if (k.startsWith('INPUT_')) delete process.env[k];
      process.exitCode = 0;
    }
    const log = written.join('');
    // the runner's mask commands carry the secrets to the runner, which strips them from the log
    const masks = log.split('\n').filter((l) => l.startsWith('::add-mask::'));
    const rest = log
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
    expect(leaked(rest)).toEqual([]);
    expect(leaked(fs.readFileSync(outputFile, 'utf8'))).toEqual([]);
    expect(leaked(fs.readFileSync(summaryFile, 'utf8'))).toEqual([]);
    expect(leaked(fs.readFileSync(journal, 'utf8'))).toEqual([]);
    expect(leaked(fs.readFileSync(report, 'utf8'))).toEqual([]);
    expect(fs.readFileSync(journal, 'utf8')).toMatch(/request rejected/);
    // every canary the run used or holds in its environment was handed to the runner's mask
    const masked = new Set(masks.map((l) => l.slice('::add-mask::'.length)));
    const unmasked = Object.entries(canaries).filter(([, v]) => ![...masked].some((m) => m.includes(v)));
    expect(unmasked.map(([k]) => k)).toEqual([]);
  }, 120_000);
});
