/**
 * `aegis-dr status` on the sandbox: a failover stopped half-way (declared, drained, not promoted)
 * shows each stack phase by phase and names the database as the next safe step; a promotion the
 * journal missed (a runner that died before its record) is seen in the cloud; and the decisions
 * from the journal's records, table-driven.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main, type CliIO } from '../../src/cli/main.js';
import '../../src/cli/status.js';
import { Journal, type JournalEntry } from '../../src/engine/journal.js';
import { runPhase } from '../../src/phases/runner.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { fromJournal, type StatusReport } from '../../src/status/status.js';

let sandbox: Sandbox;
let work: string;
let journalFile: string;

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (s) => (out += s + '\n'), err: (s) => (err += s + '\n') };
  return { code: await main(argv, io), out, err };
}

async function status(): Promise<StatusReport> {
  const r = await cli('status', '--plan', sandbox.planFile!, '--journal', journalFile, '--json');
  expect([r.code, r.err]).toEqual([0, '']);
  return JSON.parse(r.out) as StatusReport;
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-status-'));
  journalFile = path.join(work, 'aegis-dr-journal.jsonl');
  sandbox = await startSandbox({ outDir: work, speed: 1000, prometheus: 'builtin' });
  // the failover stops half-way: declared and drained, the job dies before the database phase
  for (const phase of ['declare', 'drain']) {
    const { result } = await runPhase({
      phase,
      planFile: sandbox.planFile!,
      journalFile,
      inputs: { 'incident-class': 'region-outage', reason: 'primary region degraded' },
      actor: 'oncall',
    });
    expect([phase, result.ok]).toEqual([phase, true]);
  }
}, 120_000);

afterAll(async () => {
  await sandbox?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('a failover stopped half-way', () => {
  it('shows each stack phase by phase, the cloud as it is now, and the database as the next step', async () => {
    const r = await status();
    expect(r.journalIntact).toBe(true);
    expect(r.stacks.map((s) => s.stack)).toEqual(['aws', 'azure', 'gcp']);
    for (const s of r.stacks) {
      expect(s.incident).toMatchObject({
        class: 'region-outage',
        reason: 'primary region degraded',
        actor: 'oncall',
      });
      expect(Object.fromEntries(s.phases.map((p) => [p.phase, p.state]))).toEqual({
        declare: 'done',
        drain: 'done',
        database: 'pending',
        scale: 'pending',
        traffic: 'pending',
        verify: 'pending',
        sync: 'pending',
        failback: 'pending',
      });
      expect(s.cloud).toMatchObject({
        database: { writer: 'primary', busy: false },
        traffic: { active: 'primary' },
        primaryFenced: true,
        unreadable: [],
      });
      expect(s.next.command).toBe(
        `aegis-dr run database --plan ${sandbox.planFile} --journal ${journalFile} --stack ${s.stack} --input incident-class=region-outage`,
      );
    }
  });

  it('sees a promotion the journal missed in the cloud, and moves the next step on', async () => {
    // the database phase ran for aws, but its records went to a journal that was lost
    const lost = path.join(work, 'lost.jsonl');
    const { result } = await runPhase({
      phase: 'database',
      planFile: sandbox.planFile!,
      stack: 'aws',
      journalFile: lost,
      inputs: { 'incident-class': 'region-outage', reason: 'primary region degraded' },
    });
    expect(result.ok).toBe(true);

    const aws = (await status()).stacks.find((s) => s.stack === 'aws')!;
    expect(aws.cloud.database?.writer).toBe('dr');
    expect(aws.phases.find((p) => p.phase === 'database')).toMatchObject({
      state: 'done',
      detail: expect.stringContaining('not in the journal, but the cloud shows it done'),
    });
    expect(aws.next.command).toMatch(/^aegis-dr run scale .* --stack aws$/);
    // the other stacks are untouched
    const gcp = (await status()).stacks.find((s) => s.stack === 'gcp')!;
    expect(gcp.next.command).toMatch(/^aegis-dr run database /);
  });

  it('prints the same for a person, with the command to run next', async () => {
    const r = await cli('status', '--plan', sandbox.planFile!, '--journal', journalFile, '--stack', 'gcp');
    expect(r.code).toBe(0);
    expect(r.out).toContain('gcp: region-outage declared');
    expect(r.out).toMatch(/^ {2}drain +done /m);
    expect(r.out).toMatch(/^ {2}database +pending +nothing on record$/m);
    expect(r.out).toMatch(
      /^ {2}cloud now: database writer primary \(.*\); traffic to primary; .*primary fenced$/m,
    );
    expect(r.out).toContain('  next: database is the next phase in the runbook order');
    expect(r.out).toContain(
      `    aegis-dr run database --plan ${sandbox.planFile} --journal ${journalFile} --stack gcp`,
    );
  });

  it('a missing journal is one sentence, before anything is contacted', async () => {
    const missing = path.join(work, 'none.jsonl');
    const r = await cli('status', '--plan', sandbox.planFile!, '--journal', missing);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: the journal .*none\.jsonl does not exist: check the path/);
  });
});

describe('the report action shows the same', () => {
  it('from the journal alone by default, and with a look at the cloud when asked', async () => {
    const reportFile = path.join(work, 'report.md');
    const run = (status?: string) =>
      runPhase({
        phase: 'report',
        planFile: sandbox.planFile!,
        journalFile,
        stack: 'gcp',
        inputs: { report: reportFile, ...(status ? { status } : {}) },
      });
    const journalOnly = (await run()).result.markdown!;
    expect(journalOnly).toContain('## Where it stands');
    expect(journalOnly).toContain('**gcp**: region-outage declared');
    expect(journalOnly).toMatch(/^\| drain \| done \| /m);
    expect(journalOnly).toContain('| database | pending | nothing on record |');
    expect(journalOnly).toContain('From the journal alone: the cloud was not asked');
    expect(journalOnly).toContain('Next: database is the next phase in the runbook order.');
    expect(journalOnly).toContain('--stack gcp --input incident-class=region-outage');
    // the job summary and the report are the same text, with no absolute path of the machine
    expect(fs.readFileSync(reportFile, 'utf8').trimEnd()).toBe(journalOnly.trimEnd());
    expect(journalOnly).not.toContain(work);

    const withCloud = (await run('cloud')).result.markdown!;
    expect(withCloud).toMatch(
      /Cloud now: database writer primary \(.*\); traffic to primary; primary fenced\./,
    );
    expect(withCloud).not.toContain('the cloud was not asked');

    expect((await run('off')).result.markdown).not.toContain('## Where it stands');
  });
});

describe('a phase state from its records', () => {
  const at = '2026-12-02T00:00:00.000Z';
  const rec = (e: Partial<JournalEntry>): JournalEntry => ({
    phase: 'database',
    step: 'failover',
    stack: 'aws',
    target: 'rds:aegis-db',
    outcome: 'done',
    startedAt: at,
    endedAt: at,
    durationMs: 0,
    attempts: 1,
    dryRun: false,
    ...e,
  });

  it.each<{ why: string; entries: JournalEntry[]; state: string }>([
    { why: 'nothing on record', entries: [], state: 'pending' },
    { why: 'only a dry run', entries: [rec({ outcome: 'would-do', dryRun: true })], state: 'dry-run only' },
    { why: 'a failure', entries: [rec({ outcome: 'failed', error: 'throttled' })], state: 'failed' },
    {
      why: 'a failure, then a re-run that finished',
      entries: [rec({ outcome: 'failed' }), rec({ outcome: 'done' })],
      state: 'done',
    },
    {
      why: 'a refusal (writes still accepted)',
      entries: [rec({ outcome: 'refused', error: 'the primary accepts writes' })],
      state: 'refused',
    },
    { why: 'already in the wanted state', entries: [rec({ outcome: 'skipped' })], state: 'done' },
    {
      why: 'a failed verify check',
      entries: [rec({ phase: 'verify', step: 'Health', outcome: 'observed', data: { status: 'fail' } })],
      state: 'failed',
    },
    {
      why: 'an unreachable primary while fencing',
      entries: [rec({ phase: 'declare', step: 'fence', outcome: 'unreachable' })],
      state: 'done',
    },
  ])('$why -> $state', ({ entries, state }) => {
    const j = new Journal();
    for (const e of entries) j.append(e);
    expect(fromJournal(entries[0]?.phase ?? 'database', j.records).state).toBe(state);
  });
});
