/**
 * notify over a real failover in the sandbox: the runbook's three messages rendered from the
 * journal the phases wrote, delivered through Slack's WebClient, a Teams webhook, pdjs and Octokit
 * to the emulators; updates in place, nothing sent twice on a re-run, a failing channel that does
 * not stop anything, and no token in any output.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main.js';
import { getPhase } from '../../src/phases/registry.js';
import { runPhase, type RunPhaseOutcome } from '../../src/phases/runner.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sandbox: Sandbox;
let work: string;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-notify-'));
  sandbox = await startSandbox({ outDir: work, speed: 1000, prometheus: 'builtin', clouds: ['aws'] });
  sandbox.applyScenario('region-outage');
  for (const [k, v] of Object.entries({ ...sandbox.comms.env, AEGIS_API_TOKEN: 'sandbox-token' })) {
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

/** Only the inputs a phase declares (the runner refuses any other). */
const declared = (name: string, inputs: Record<string, string>) =>
  Object.fromEntries(Object.entries(inputs).filter(([k]) => getPhase(name).inputs.some((i) => i.name === k)));
const quick = { retry: { maxAttempts: 3, baseMs: 1, capMs: 5 } };
const journalFile = () => path.join(work, 'journal.jsonl');
const phase = (name: string, inputs: Record<string, string> = {}) =>
  runPhase({
    phase: name,
    planFile: sandbox.planFile!,
    journalFile: journalFile(),
    inputs: declared(name, inputs),
    run: quick,
  });
const notify = (inputs: Record<string, string> = {}) => phase('notify', { 'time-scale': '1000', ...inputs });
const comms = async () => (await fetch(`${sandbox.endpoints.control}/_sandbox/comms`)).json() as Promise<any>;
const github = async () =>
  (await fetch(`${sandbox.endpoints.control}/_sandbox/github`)).json() as Promise<any>;
const incidentChannel = (c: any) => c.slack.channels.find((x: any) => /^incident-\d{8}-\d\d$/.test(x.name));
const outputs: RunPhaseOutcome[] = [];

describe('notify through a failover', () => {
  it('T+0 after declare: the initial message on Slack (a new #incident-YYYYMMDD-01), Teams, GitHub and PagerDuty', async () => {
    expect(
      (await phase('declare', { 'incident-class': 'region-outage', reason: 'us-east-1 is down' })).result.ok,
    ).toBe(true);
    const out = await notify();
    outputs.push(out);
    expect(out.result.ok).toBe(true);
    expect(out.result.outputs.message).toBe('initial');
    expect(out.result.outputs.delivered.split(',').sort()).toEqual(['incident', 'oncall', 'record', 'teams']);

    const c = await comms();
    const ch = incidentChannel(c);
    const today = new Date().toISOString().slice(0, 10).replace(/-/g, '');
    expect(ch.name).toBe(`incident-${today}-01`);
    expect(out.result.outputs['incident-channel']).toBe(ch.name);
    expect(ch.messages).toHaveLength(1);
    const text = ch.messages[0].text;
    expect(text).toContain('*[INCIDENT] Cloud Aegis DR Failover Initiated*');
    expect(text).toContain('Severity: SEV1');
    expect(text).toContain(`Incident Channel: #${ch.name}`);
    expect(text).toContain('due to us-east-1 is down.');
    expect(text).toMatch(/Started: \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(text).toMatch(/Estimated completion: \d+ minutes\./);
    expect(text).toContain('Expected impact: API unavailable for up to 5 minutes during DNS propagation.');
    expect(text).toContain('Next update: T+15 min');

    expect(c.teams.posts.map((p: any) => p.title)).toEqual(['[INCIDENT] Cloud Aegis DR Failover Initiated']);
    expect(c.pagerduty.alerts).toEqual([
      expect.objectContaining({ service: 'aegis-oncall', status: 'triggered' }),
    ]);

    const g = await github();
    expect(g.issues).toHaveLength(1);
    expect(g.issues[0]).toMatchObject({
      state: 'open',
      title: '[INCIDENT] Cloud Aegis DR Failover Initiated',
      labels: ['incident', 'aegis-dr'],
    });
    expect(g.deployments).toHaveLength(1);
    expect(g.deployments[0]).toMatchObject({ environment: 'dr-production' });
    expect(g.deployments[0].statuses.map((s: any) => s.state)).toEqual(['in_progress']);
  });

  it('a re-run sends nothing twice: every channel is skipped as already sent', async () => {
    const out = await notify({ message: 'initial' });
    expect(out.result.rows.every((r) => r.status === 'skip')).toBe(true);
    const c = await comms();
    expect(incidentChannel(c).messages).toHaveLength(1);
    expect(c.teams.posts).toHaveLength(1);
    expect(c.pagerduty.events).toHaveLength(1);
    expect((await github()).issues).toHaveLength(1);
  });

  it('T+15 while the failover runs: the Slack root is updated in place and the update threaded; phases as the journal shows them', async () => {
    for (const p of ['drain', 'database', 'scale', 'traffic'])
      expect((await phase(p, { 'incident-class': 'region-outage' })).result.ok).toBe(true);
    const out = await notify({ message: 'progress' });
    expect(out.result.outputs.message).toBe('progress');
    const ch = incidentChannel(await comms());
    expect(ch.messages).toHaveLength(2);
    const [root, reply] = ch.messages;
    expect(root.edited).toHaveLength(1);
    expect(reply.threadTs).toBe(root.ts);
    expect(reply.text).toMatch(/Update \[T\+\d+\]:/);
    expect(reply.text).toContain('- Database failover: COMPLETE');
    expect(reply.text).toContain('- DR cluster: SCALED (6/6 pods running)');
    expect(reply.text).toContain('- DNS update: COMPLETE');
    expect(reply.text).toContain('- Verification: PENDING');
    expect(reply.text).toMatch(/ETA to full recovery: \d+ minutes/);
    // PagerDuty carries the page, not the updates
    expect((await comms()).pagerduty.events).toHaveLength(1);
    expect((await github()).issues[0].comments).toHaveLength(1);
    expect(out.result.markdown).toContain('RTO budget');
  });

  it('resolution after verify: PagerDuty resolved, the issue closed with the report and the final hash, the deployment a success', async () => {
    const verified = await phase('verify', { 'incident-class': 'region-outage' });
    expect(verified.result.rows.filter((r) => r.status === 'fail')).toEqual([]);
    const out = await notify();
    expect(out.result.outputs.message).toBe('resolved');
    const c = await comms();
    const ch = incidentChannel(c);
    const last = ch.messages.at(-1);
    expect(last.text).toContain('*[RESOLVED] Cloud Aegis DR Failover Complete*');
    expect(last.text).toContain('Region: primary -> DR (us-east-1 -> us-west-2)');
    expect(last.text).toMatch(/All systems operational\. Post-mortem scheduled for \d{4}-\d\d-\d\d\./);
    expect(c.pagerduty.alerts).toEqual([
      expect.objectContaining({ service: 'aegis-oncall', status: 'resolved' }),
    ]);
    const g = await github();
    expect(g.issues[0]).toMatchObject({ state: 'closed', state_reason: 'completed' });
    const closing = g.issues[0].comments.at(-1).body;
    expect(closing).toMatch(/Journal final hash: `[0-9a-f]{64}`/);
    expect(closing).toContain('## DR report');
    expect(g.deployments[0].statuses.map((s: any) => s.state)).toEqual([
      'in_progress',
      'in_progress',
      'success',
    ]);
  });

  it('no token reaches the journal, a summary or an output', () => {
    const journal = fs.readFileSync(journalFile(), 'utf8');
    const shown = JSON.stringify(outputs.map((o) => o.result));
    for (const [k, v] of Object.entries({ ...sandbox.comms.env, AEGIS_API_TOKEN: 'sandbox-token' })) {
      if (k === 'AEGIS_DR_EXTRA_CA') continue;
      expect(journal).not.toContain(v);
      expect(shown).not.toContain(v);
    }
  });
});

describe('a channel that fails', () => {
  it('is retried, then a warning in the result and a failed journal record; the others are delivered and the phase is ok', async () => {
    sandbox.faults.add({ service: 'teams', kind: 'error', rate: 1 });
    try {
      const out = await notify({ message: 'progress', kind: 'drill' });
      expect(out.result.ok).toBe(true);
      const teams = out.result.rows.find((r) => r.item.startsWith('teams'));
      expect(teams).toMatchObject({
        status: 'warn',
        detail: expect.stringMatching(/not delivered \(the failover goes on\).*503/),
      });
      expect(teams!.detail).not.toContain('sig=');
      expect(out.result.outputs['failed-channels']).toBe('teams');
      const recs = out.journal.thisRun().filter((r) => r.phase === 'notify' && r.target === 'teams');
      // intent before post, then the outcome
      expect(recs.map((r) => r.outcome)).toEqual(['intent', 'failed']);
      expect(recs[1]).toMatchObject({ outcome: 'failed', attempts: 3 });
      expect(out.result.rows.find((r) => r.item.startsWith('incident'))).toMatchObject({ status: 'done' });
    } finally {
      sandbox.faults.clear();
    }
  });
});

describe('the CLI', () => {
  it('aegis-dr notify and aegis-dr escalate run the phases over the same journal', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => err.push(s) };
    const args = ['--plan', sandbox.planFile!, '--journal', journalFile(), '--input', 'time-scale=1000'];
    expect(await main(['notify', ...args, '--input', 'message=resolved'], io)).toBe(0);
    // resolved was sent already: every channel says so
    expect(out.join('\n')).toMatch(/already sent/);
    expect(await main(['escalate', ...args], io)).toBe(0);
    expect(err.join('')).toBe('');
    expect(out.join('\n')).toMatch(/data-integrity-failure/);
  });
});
