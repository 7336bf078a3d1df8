/**
 * Intent before post, across a crash: a runner killed between a post and its journal record (a
 * real process, SIGKILL) leaves an intent without an outcome; the re-run looks for the message at
 * the channel (Slack message metadata, a hidden marker in a GitHub comment) and reuses it, so each
 * readable channel holds the message exactly once. An answer lost after the post landed is looked
 * for before the retry. A Teams webhook cannot be read back: at-least-once, as documented.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getPhase } from '../../src/phases/registry.js';
import { escalationSection } from '../../src/report/escalations.js';
import { runPhase } from '../../src/phases/runner.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { until } from '../support/wait.js';

let sandbox: Sandbox;
let work: string;
const saved: Record<string, string | undefined> = {};
const env = () => ({ ...sandbox.comms.env, AEGIS_API_TOKEN: 'sandbox-token' });

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-notify-crash-'));
  sandbox = await startSandbox({ outDir: work, speed: 1000, prometheus: 'builtin', clouds: ['aws'] });
  sandbox.applyScenario('region-outage');
  for (const [k, v] of Object.entries(env())) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
}, 60_000);

afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await sandbox?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

const declared = (name: string, inputs: Record<string, string>) =>
  Object.fromEntries(Object.entries(inputs).filter(([k]) => getPhase(name).inputs.some((i) => i.name === k)));
const journalFile = () => path.join(work, 'journal.jsonl');
const phase = (name: string, inputs: Record<string, string> = {}) =>
  runPhase({
    phase: name,
    planFile: sandbox.planFile!,
    journalFile: journalFile(),
    inputs: declared(name, inputs),
    run: { retry: { maxAttempts: 3, baseMs: 1, capMs: 5 } },
  });
// time-scale 1: the progress slot (15 min) stays the same between the killed run and the re-run
const notify = (inputs: Record<string, string> = {}) => phase('notify', { 'time-scale': '1', ...inputs });
const comms = async () => (await fetch(`${sandbox.endpoints.control}/_sandbox/comms`)).json() as Promise<any>;
const github = async () =>
  (await fetch(`${sandbox.endpoints.control}/_sandbox/github`)).json() as Promise<any>;
const incidentChannels = (c: any) =>
  c.slack.channels.filter((x: any) => /^incident-\d{8}-\d\d$/.test(x.name));
const records = () =>
  (fs.existsSync(journalFile()) ? fs.readFileSync(journalFile(), 'utf8') : '')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

/** Run `aegis-dr notify` in a real process and SIGKILL it once its intent for `target`/`step` is on disk. */
async function killAfterIntent(
  target: string,
  step: RegExp,
  message: string,
  posted: { service: string; operation: string },
): Promise<void> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'test/support/cli-source.ts',
      'notify',
      '--plan',
      sandbox.planFile!,
      '--journal',
      journalFile(),
      '--input',
      'time-scale=1',
      '--input',
      `message=${message}`,
    ],
    { env: { ...process.env, ...env() }, stdio: 'ignore' },
  );
  const exited = new Promise((r) => child.on('exit', r));
  try {
    await until(
      async () =>
        records().some(
          (r) => r.phase === 'notify' && r.target === target && step.test(r.step) && r.outcome === 'intent',
        ),
      (v) => v,
      60_000,
    );
    // ... and the post reached the channel (its answer is 1.5 s away)
    await until(
      async () =>
        sandbox.faults.log.some((f) => f.service === posted.service && f.operation === posted.operation),
      (v) => v,
      10_000,
    );
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  const last = records().filter((r) => r.phase === 'notify' && r.target === target && step.test(r.step));
  // what a runner killed between the post and its record leaves: an intent, no outcome
  expect(last.at(-1).outcome).toBe('intent');
}

describe('a runner killed between the post and its record', () => {
  it('Slack: the re-run finds the message by its metadata and does not post it again', async () => {
    expect(
      (await phase('declare', { 'incident-class': 'region-outage', reason: 'us-east-1 is down' })).result.ok,
    ).toBe(true);
    // the post lands 1.5 s after it was sent: the runner dies before the answer
    sandbox.faults.add({
      service: 'slack',
      operation: 'chat.postMessage',
      kind: 'slow',
      nth: 1,
      delayMs: 1500,
    });
    try {
      await killAfterIntent('incident', /^initial$/, 'initial', {
        service: 'slack',
        operation: 'chat.postMessage',
      });
      // the message the killed run sent lands
      await until(
        async () => incidentChannels(await comms())[0]?.messages.length,
        (n) => n === 1,
        10_000,
      );
    } finally {
      sandbox.faults.clear();
    }
    const out = await notify({ message: 'initial' });
    expect(out.result.ok).toBe(true);
    expect(out.result.rows.find((r) => r.item.startsWith('incident'))).toMatchObject({
      status: 'skip',
      detail: expect.stringContaining('found at the channel'),
    });
    const c = await comms();
    const chans = incidentChannels(c);
    expect(chans).toHaveLength(1);
    expect(chans[0].messages).toHaveLength(1);
    expect(chans[0].messages[0].metadata).toMatchObject({
      event_type: 'aegis_dr_message',
      event_payload: { key: 'initial' },
    });
    // every other channel got the message once (the killed run or the re-run sent it)
    expect(c.teams.posts).toHaveLength(1);
    expect(c.pagerduty.alerts).toHaveLength(1);
    expect((await github()).issues).toHaveLength(1);
    const rec = out.journal.thisRun().find((r) => r.target === 'incident' && r.outcome === 'done');
    expect(rec?.data).toMatchObject({ found: true });
    // the report's communications: the message once, found again; no intent row once an outcome followed
    const table = escalationSection(records()).filter((l) => /\| initial \| incident \(slack\)/.test(l));
    expect(table).toEqual([expect.stringContaining('done (found at the channel, not posted again)')]);
  }, 120_000);

  it('GitHub: the re-run finds the comment by its hidden marker and does not comment again', async () => {
    sandbox.faults.add({
      service: 'github',
      operation: 'issues/create-comment',
      kind: 'slow',
      nth: 1,
      delayMs: 1500,
    });
    try {
      await killAfterIntent('record', /^progress@\d+$/, 'progress', {
        service: 'github',
        operation: 'issues/create-comment',
      });
      // the comment the killed run sent lands
      await until(
        async () => (await github()).issues[0].comments.length,
        (n) => n === 1,
        10_000,
      );
    } finally {
      sandbox.faults.clear();
    }
    const out = await notify({ message: 'progress' });
    expect(out.result.ok).toBe(true);
    const g = await github();
    expect(g.issues).toHaveLength(1);
    expect(g.issues[0].comments).toHaveLength(1);
    expect(g.issues[0].comments[0].body).toMatch(/<!-- aegis-dr message \S+ progress@1 -->/);
    expect(g.deployments).toHaveLength(1);
    // one in_progress status per message (initial, progress), not one per attempt
    expect(g.deployments[0].statuses).toHaveLength(2);
    // Slack: one root, one threaded update
    expect(incidentChannels(await comms())[0].messages).toHaveLength(2);
  }, 120_000);
});

describe('an answer lost after the post landed', () => {
  it('Slack: the retry looks first and finds the message (posted once); Teams cannot be read back: sent again (at-least-once), and the journal says so', async () => {
    const teamsBefore = (await comms()).teams.posts.length;
    sandbox.faults.add({ service: 'slack', operation: 'chat.postMessage', kind: 'lost', nth: 1 });
    sandbox.faults.add({ service: 'teams', kind: 'lost', nth: 1 });
    let out;
    try {
      out = await notify({ message: 'resolved' });
    } finally {
      sandbox.faults.clear();
    }
    expect(out.result.rows.find((r) => r.item.startsWith('incident'))).toMatchObject({
      status: 'done',
      detail: expect.stringContaining('found at the channel, not posted again'),
    });
    const msgs = incidentChannels(await comms())[0].messages;
    expect(msgs.filter((m: any) => m.metadata?.event_payload?.key === 'resolved')).toHaveLength(1);
    expect((await comms()).teams.posts.length).toBe(teamsBefore + 2);
    const intent = out.journal.thisRun().find((r) => r.target === 'teams' && r.outcome === 'intent');
    expect(intent?.data?.repeat).toMatch(/at-least-once/);
  }, 60_000);
});
