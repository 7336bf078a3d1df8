/**
 * escalate over real journals in the sandbox: each of the runbook's four rules fires in its
 * scenario, once, engages the plan's channels through the official clients, and never fires in a
 * healthy failover. A data integrity failure stops the failover: a later mutating phase refuses to
 * start until forced with a reason, and the override is journaled.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadPlan } from '../../src/plan/load.js';
import { getPhase } from '../../src/phases/registry.js';
import { runPhase } from '../../src/phases/runner.js';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Plan } from '../../src/plan/types.js';
import { until } from '../support/wait.js';

/** Only the inputs a phase declares (the runner refuses any other). */
const declared = (name: string, inputs: Record<string, string>) =>
  Object.fromEntries(Object.entries(inputs).filter(([k]) => getPhase(name).inputs.some((i) => i.name === k)));
const quick = { retry: { maxAttempts: 3, baseMs: 1, capMs: 5 } };
const saved: Record<string, string | undefined> = {};

async function world(scenario: string) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-escalate-'));
  const sandbox = await startSandbox({ outDir: work, speed: 1000, prometheus: 'builtin', clouds: ['aws'] });
  sandbox.applyScenario(scenario);
  for (const [k, v] of Object.entries({ ...sandbox.comms.env, AEGIS_API_TOKEN: 'sandbox-token' })) {
    if (!(k in saved)) saved[k] = process.env[k];
    process.env[k] = v;
  }
  const journalFile = path.join(work, 'journal.jsonl');
  const phase = (
    name: string,
    inputs: Record<string, string> = {},
    extra: { plan?: Plan; force?: { by: string; reason: string } } = {},
  ) =>
    runPhase({
      phase: name,
      planFile: sandbox.planFile!,
      journalFile,
      inputs: declared(name, { 'incident-class': 'region-outage', ...inputs }),
      run: quick,
      ...extra,
    });
  const escalate = (plan?: Plan) => phase('escalate', { 'time-scale': '1000' }, { plan });
  const comms = async () =>
    (await fetch(`${sandbox.endpoints.control}/_sandbox/comms`)).json() as Promise<any>;
  const close = async () => {
    await sandbox.close();
    fs.rmSync(work, { recursive: true, force: true });
  };
  return { sandbox, phase, escalate, comms, close, journalFile };
}

afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

const firedRules = (out: { result: { outputs: Record<string, string> } }) => out.result.outputs.escalated;

describe('a healthy failover', () => {
  it('fires no rule: readiness, the failover and verify pass, escalate engages nobody', async () => {
    const w = await world('region-outage');
    try {
      await w.phase('readiness');
      expect(firedRules(await w.escalate())).toBe('');
      await w.phase('declare', { reason: 'us-east-1 down' });
      expect(firedRules(await w.escalate())).toBe('');
      for (const p of ['drain', 'database', 'scale', 'traffic', 'verify']) await w.phase(p);
      const out = await w.escalate();
      expect(firedRules(out)).toBe('');
      expect(out.result.rows.every((r) => r.status === 'pass')).toBe(true);
      expect(out.result.markdown).toContain('RTO budget');
      const c = await w.comms();
      expect(c.pagerduty.events).toEqual([]);
      expect(c.slack.channels.flatMap((ch: any) => ch.messages)).toEqual([]);
    } finally {
      await w.close();
    }
  }, 120_000);
});

describe('DR environment unhealthy', () => {
  it('readiness finds the DR site down: the Platform team is engaged in #platform-support, once', async () => {
    const w = await world('dr-health-down');
    try {
      await w.phase('readiness');
      const out = await w.escalate();
      expect(firedRules(out)).toBe('dr-unhealthy');
      const c = await w.comms();
      const platform = c.slack.channels.find((ch: any) => ch.name === 'platform-support');
      expect(platform.messages).toHaveLength(1);
      expect(platform.messages[0].text).toContain('[ESCALATION] Contact Platform Team immediately');
      expect(platform.messages[0].text).toContain('DR health');
      expect(firedRules(await w.escalate())).toBe('');
      expect(
        (await w.comms()).slack.channels.find((ch: any) => ch.name === 'platform-support').messages,
      ).toHaveLength(1);
      const recs = fs
        .readFileSync(w.journalFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
      expect(
        recs.filter((r) => r.phase === 'escalate' && r.step === 'dr-unhealthy' && r.outcome === 'observed'),
      ).toHaveLength(1);
    } finally {
      await w.close();
    }
  }, 120_000);
});

describe('two-region simultaneous failure', () => {
  it('the triggers see both regions down: the executives and on-call are paged (BCP), once', async () => {
    const w = await world('two-region-failure');
    try {
      // the triggers hold a condition for `consecutive` evaluations of fresh scrapes: evaluate until they do
      const t = await until(
        () => w.phase('triggers'),
        (o) => o.result.outputs['two-region-failure'] === 'true',
        60_000,
      );
      expect(t.result.outputs['two-region-failure']).toBe('true');
      expect(firedRules(await w.escalate())).toBe('two-region-failure');
      expect(firedRules(await w.escalate())).toBe('');
      const c = await w.comms();
      expect(c.pagerduty.alerts.map((a: any) => [a.service, a.status]).sort()).toEqual([
        ['aegis-executive-bcp', 'triggered'],
        ['aegis-oncall', 'triggered'],
      ]);
      expect(c.pagerduty.alerts[0].summary).toContain('Engage executive team, activate BCP');
    } finally {
      await w.close();
    }
  }, 120_000);
});

describe('data integrity failure', () => {
  it('stops the failover: DBA and Security engaged, sync refuses until forced with a reason, the override journaled', async () => {
    const w = await world('corrupted-replica');
    try {
      await w.phase('declare', { reason: 'us-east-1 down' });
      for (const p of ['drain', 'database', 'scale', 'traffic']) await w.phase(p);
      const verify = await w.phase('verify');
      expect(verify.result.rows.find((r) => r.item === 'Data integrity')).toMatchObject({ status: 'fail' });
      const out = await w.escalate();
      expect(firedRules(out)).toBe('data-integrity-failure');
      expect(out.result.outputs.stopped).toBe('true');
      const c = await w.comms();
      expect(c.pagerduty.alerts.map((a: any) => a.service)).toEqual(['aegis-dba']);
      const sec = c.slack.channels.find((ch: any) => ch.name === 'security-ops');
      expect(sec.messages[0].text).toContain('[ESCALATION] Stop failover, engage DBA + Security');

      await expect(w.phase('sync', { mode: 'dry-run' })).rejects.toThrow(
        /The failover is stopped: the data integrity check failed on aws .*phase sync refuses to start until an operator .* overrides with a reason/,
      );
      await expect(w.phase('traffic')).rejects.toThrow(/The failover is stopped/);
      // reading phases still run
      await w.phase('verify');
      const forced = await w.phase(
        'traffic',
        {},
        { force: { by: 'dba-on-call', reason: 'checksums repaired by hand' } },
      );
      const override = forced.journal.records.find((r) => r.phase === 'escalate' && r.step === 'override');
      expect(override?.data).toMatchObject({
        forcedBy: 'dba-on-call',
        forceReason: 'checksums repaired by hand',
      });
      expect((await w.escalate()).result.outputs.stopped).toBe('false');
      // the report shows the escalation, whom it engaged, and the override
      const report = await w.phase('report', { report: path.join(path.dirname(w.journalFile), 'report.md') });
      const md = report.result.markdown ?? '';
      expect(md).toContain('### Escalations');
      expect(md).toMatch(
        /\| data-integrity-failure \| dba, security \| the data integrity check failed on aws/,
      );
      expect(md).toContain('(failover stopped)');
      expect(md).toMatch(
        /\| override of the stop \| dba-on-call \| checksums repaired by hand \| ran traffic \|/,
      );
      expect(md).toMatch(/\| escalate:data-integrity-failure \| dba \(pagerduty\) \| done \|/);
    } finally {
      await w.close();
    }
  }, 120_000);
});

describe('failover longer than the class RTO', () => {
  it('fires early, when the projected finish passes the RTO, before the failover ends; once', async () => {
    const w = await world('region-outage');
    try {
      const plan = await loadPlan(w.sandbox.planFile!);
      // an RTO the failover cannot meet: its projection passes it at once
      plan.classes['region-outage'] = { ...plan.classes['region-outage'], rtoMs: 1000 };
      await w.phase('declare', { reason: 'us-east-1 down' }, { plan });
      const out = await w.escalate(plan);
      expect(firedRules(out)).toBe('failover-exceeds-rto');
      const rec = out.journal.thisRun().find((r) => r.step === 'failover-exceeds-rto');
      expect(rec?.data).toMatchObject({ when: 'early', engaged: ['vp-engineering', 'oncall'] });
      expect(firedRules(await w.escalate(plan))).toBe('');
      const c = await w.comms();
      expect(c.pagerduty.alerts.map((a: any) => a.service).sort()).toEqual([
        'aegis-leadership',
        'aegis-oncall',
      ]);
    } finally {
      await w.close();
    }
  }, 120_000);
});
