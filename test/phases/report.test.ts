/**
 * The report phase: journals written with the real Journal class to a temp file, then reported
 * through the same runner the actions and the CLI use (offline: nothing is contacted).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Journal, type JournalEntry } from '../../src/engine/journal.js';
import { main } from '../../src/cli/main.js';
import { runPhase } from '../../src/phases/runner.js';

const PLAN = path.resolve(import.meta.dirname, '../../examples/cloud-aegis.plan.yml');
const T0 = Date.parse('2026-11-02T03:00:00.000Z');
let work: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-report-'));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** A record `at` seconds after T0 lasting `dur` seconds. */
function rec(
  at: number,
  e: Partial<JournalEntry> & Pick<JournalEntry, 'phase' | 'step' | 'target' | 'outcome'>,
  dur = 0,
): JournalEntry {
  return {
    startedAt: new Date(T0 + at * 1000).toISOString(),
    endedAt: new Date(T0 + (at + dur) * 1000).toISOString(),
    durationMs: dur * 1000,
    attempts: 1,
    dryRun: false,
    ...e,
  };
}

function declare(stack: string, at: number, extra: Partial<JournalEntry> = {}): JournalEntry {
  return rec(at, {
    phase: 'declare',
    step: 'incident',
    stack,
    target: stack,
    outcome: 'observed',
    data: {
      incidentClass: 'region-outage',
      reason: 'us-east-1 is down',
      target: 'dr',
      rtoMs: 1_800_000,
      rpoMs: 300_000,
      phases: ['declare', 'drain', 'database', 'scale', 'traffic', 'verify'],
    },
    ...extra,
  });
}

function verify(stack: string, at: number, item: string, status: string, detail = 'ok'): JournalEntry {
  return rec(at, {
    phase: 'verify',
    step: item,
    stack,
    target: `${stack}:dr`,
    outcome: 'observed',
    data: { status, detail },
  });
}

/** A failover of `stack`: declared at `at`, database promoted with `rpo` s of lag, verified `verifyAt` s later. */
function failover(
  stack: string,
  at: number,
  rpo: number,
  verifyAt: number,
  statuses: string[] = ['pass', 'pass'],
): JournalEntry[] {
  return [
    declare(stack, at),
    rec(at + 1, {
      phase: 'declare',
      step: 'fence',
      stack,
      target: 'k8s:primary/aegis-api',
      outcome: 'unreachable',
      action: 'annotate deployment aegis-api aegis.io/drain="true"',
      error: 'connect ECONNREFUSED 127.0.0.1:1',
    }),
    rec(
      at + 10,
      {
        phase: 'database',
        step: 'failover',
        stack,
        target: `db:${stack}`,
        outcome: 'done',
        action: 'promote replica',
        data: { mode: 'cross-region', rpoSeconds: rpo },
      },
      60,
    ),
    rec(
      at + 75,
      { phase: 'traffic', step: 'switch', stack, target: `dns:${stack}`, outcome: 'done', action: 'UPSERT' },
      20,
    ),
    ...statuses.map((s, i) =>
      verify(
        stack,
        at + verifyAt - statuses.length + 1 + i,
        i === 0 ? 'API health' : 'Error rate',
        s,
        s === 'pass' ? 'ok' : 'error rate 4.2 % > 1 %',
      ),
    ),
  ];
}

function writeJournal(
  name: string,
  entries: JournalEntry[],
  opts: { actor?: string; runUrl?: string } = {},
): string {
  const file = path.join(work, `${name}.jsonl`);
  const j = new Journal({
    file,
    actor: opts.actor ?? 'octocat',
    runUrl: opts.runUrl ?? 'https://github.example/cloud-aegis/dr/actions/runs/42',
  });
  for (const e of entries) j.append(e);
  return file;
}

async function report(journalFile: string, stack?: string) {
  const reportFile = path.join(work, `${path.basename(journalFile)}.md`);
  const { result } = await runPhase({
    phase: 'report',
    planFile: PLAN,
    journalFile,
    stack,
    inputs: { report: reportFile },
  });
  return { result, reportFile, text: fs.existsSync(reportFile) ? fs.readFileSync(reportFile, 'utf8') : '' };
}

describe('report phase', () => {
  it('a full failover with verify: RTO and RPO per stack against the class targets, verified', async () => {
    const file = writeJournal('full', [
      rec(0, {
        phase: 'readiness',
        step: 'DR nodes Ready',
        stack: 'aws',
        target: 'aws',
        outcome: 'observed',
        data: { status: 'pass' },
      }),
      ...failover('aws', 5, 2.5, 125),
      ...failover('gcp', 6, 0.8, 90.5),
    ]);
    const { result, text, reportFile } = await report(file, 'aws,gcp');
    expect(result.ok).toBe(true);
    expect(result.outputs).toEqual({
      report: reportFile,
      'journal-valid': 'true',
      records: '13',
      'rto-seconds': 'aws=125.0,gcp=90.5',
      'rpo-seconds': 'aws=2.5,gcp=0.8',
      verified: 'aws,gcp',
      // every phase's outputs: passed, and results per stack for fromJSON()
      passed: 'true',
      results: expect.any(String),
    });
    expect(JSON.parse(result.outputs.results)).toMatchObject({ aws: { passed: true }, gcp: { passed: true } });
    expect(result.rows[0]).toMatchObject({ item: 'Journal chain', status: 'pass' });
    expect(result.rows.filter((r) => r.stack)).toEqual([
      expect.objectContaining({ stack: 'aws', item: 'Failover (region-outage)', status: 'pass' }),
      expect.objectContaining({ stack: 'gcp', item: 'Failover (region-outage)', status: 'pass' }),
    ]);
    expect(text.trimEnd()).toBe(result.markdown?.trimEnd());
    expect(text).toContain('## DR report: cloud-aegis');
    expect(text).toMatch(/Hash chain: verified/);
    expect(text).toContain('octocat');
    expect(text).toContain('https://github.example/cloud-aegis/dr/actions/runs/42');
    expect(text).toMatch(
      /\| aws \| region-outage \| us-east-1 is down \| 2026-11-02T03:00:05\.000Z \| 2026-11-02T03:02:10\.000Z \| 125\.0 s \/ 30 min \| 2\.5 s \/ 5 min \| yes \| PASS/,
    );
    // the unreachable fence is listed with its error, and in the timeline
    expect(text).toMatch(
      /aws declare\/fence `k8s:primary\/aegis-api`: \*\*unreachable\*\*: connect ECONNREFUSED/,
    );
    expect(text).toMatch(
      /\| \+15\.0 s \| aws \| database\/failover \| db:aws \| done \| promote replica \| 60 s \|/,
    );
    expect(text).toContain('None: no safety refusal was overridden.');
    // azure is not selected: not in the per-stack table
    expect(text).not.toMatch(/^\| azure \|/m);
  });

  it('a failed verify check: not verified, the stack row fails, no RTO', async () => {
    const file = writeJournal('failed-verify', failover('aws', 0, 1.0, 100, ['pass', 'fail']));
    const { result, text } = await report(file, 'aws');
    expect(result.ok).toBe(true); // the evidence is intact; the verify step itself failed the failover
    expect(result.outputs).toMatchObject({
      'journal-valid': 'true',
      verified: '',
      'rto-seconds': '',
      'rpo-seconds': 'aws=1.0',
    });
    expect(result.rows.find((r) => r.stack === 'aws')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/verification failed: Error rate \(error rate 4\.2 % > 1 %\)/),
    });
    expect(text).toMatch(/\| aws \| region-outage .*\| n\/a \/ 30 min \| 1\.0 s \/ 5 min \| no \| FAIL/);
  });

  it('a missed RTO fails the stack row', async () => {
    const file = writeJournal('slow', failover('aws', 0, 1.0, 2400));
    const { result } = await report(file, 'aws');
    expect(result.outputs['rto-seconds']).toBe('aws=2400.0');
    expect(result.rows.find((r) => r.stack === 'aws')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/RTO missed \(2400\.0 s > 30 min\)/),
    });
  });

  it('a forced override is listed with who and why', async () => {
    const entries = failover('aws', 0, 12.0, 100);
    entries[2] = {
      ...entries[2],
      data: {
        mode: 'cross-region',
        rpoSeconds: 12.0,
        forcedBy: 'alice',
        forceReason: 'primary confirmed dead by the cloud provider',
        overrodeRefusal: 'the old primary still accepts writes',
      },
    };
    const file = writeJournal('forced', entries, { actor: 'alice' });
    const { result, text } = await report(file, 'aws');
    expect(result.ok).toBe(true);
    expect(text).toMatch(
      /aws database\/failover `db:aws`: forced by \*\*alice\*\*, reason "primary confirmed dead by the cloud provider", over the refusal "the old primary still accepts writes"/,
    );
    expect(text).not.toContain('None: no safety refusal was overridden.');
  });

  it('a tampered journal: the report names the record, journal-valid is false and the phase fails', async () => {
    const file = writeJournal('tampered', failover('aws', 0, 30.0, 100));
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines[2] = lines[2].replace('"rpoSeconds":30', '"rpoSeconds":1'); // record 3: a smaller RPO
    expect(lines[2]).toContain('"rpoSeconds":1');
    fs.writeFileSync(file, lines.join('\n'));
    const { result, text } = await report(file, 'aws');
    expect(result.ok).toBe(false);
    expect(result.outputs).toMatchObject({ 'journal-valid': 'false', records: '6' });
    expect(result.rows[0]).toMatchObject({
      item: 'Journal chain',
      status: 'fail',
      detail: expect.stringMatching(
        /fails verification at record 3: its content does not match its hash \(the record was edited\)/,
      ),
    });
    expect(text.split('\n').slice(0, 4).join('\n')).toMatch(/journal fails verification at record 3/);
    expect(text).toMatch(/\*\*BROKEN at record 3\*\*/);
  });

  it('a journal with a line that is no longer JSON: broken at that record, not a crash', async () => {
    const file = writeJournal('truncated', failover('aws', 0, 1.0, 100));
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines[3] = lines[3].slice(0, 40);
    fs.writeFileSync(file, lines.join('\n'));
    const { result, text } = await report(file, 'aws');
    expect(result.ok).toBe(false);
    expect(result.outputs).toMatchObject({ 'journal-valid': 'false', records: '3' });
    expect(result.rows[0].detail).toMatch(/at record 4: it is not valid JSON/);
    expect(text).toMatch(/BROKEN at record 4/);
  });

  it('a missing journal: "no journal: nothing was recorded", a warn row, ok', async () => {
    const { result, text, reportFile } = await report(path.join(work, 'never-written.jsonl'));
    expect(result.ok).toBe(true);
    expect(result.rows).toEqual([
      expect.objectContaining({
        item: 'Journal',
        status: 'warn',
        detail: expect.stringMatching(/nothing was recorded/),
      }),
    ]);
    expect(result.outputs).toMatchObject({
      report: reportFile,
      'journal-valid': 'false',
      records: '0',
      verified: '',
    });
    expect(text).toMatch(/No journal: nothing was recorded/);
  });

  it('a failback after the failover: its verify on primary is reported, not counted in the RTO', async () => {
    const primaryCheck = (at: number, status: string): JournalEntry => ({
      ...verify('aws', at, 'API health', status),
      target: 'aws:primary',
    });
    const back = [
      rec(
        500,
        {
          phase: 'failback',
          step: 'failover',
          stack: 'aws',
          target: 'db:aws',
          outcome: 'done',
          action: 'promote primary',
        },
        60,
      ),
      primaryCheck(600, 'pass'),
    ];
    const file = writeJournal('failback', [...failover('aws', 0, 1.0, 100), ...back]);
    const { result } = await report(file, 'aws');
    expect(result.outputs['rto-seconds']).toBe('aws=100.0');
    expect(result.rows.find((r) => r.stack === 'aws')).toMatchObject({
      status: 'pass',
      detail: expect.stringMatching(/failback started 2026-11-02T03:08:20\.000Z, verified on primary$/),
    });

    const failed = writeJournal('failback-failed', [
      ...failover('aws', 0, 1.0, 100),
      back[0],
      primaryCheck(600, 'fail'),
    ]);
    const r2 = await report(failed, 'aws');
    expect(r2.result.rows.find((r) => r.stack === 'aws')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/verification on primary FAILED/),
    });
    expect(r2.result.outputs.verified).toBe('aws'); // the failover itself was verified
  });

  it('a stack with no declared incident warns; a dry-run declaration is reported as such', async () => {
    const file = writeJournal('dry', [declare('gcp', 0, { dryRun: true })]);
    const { result } = await report(file);
    expect(result.ok).toBe(true);
    expect(result.rows.find((r) => r.stack === 'aws')).toMatchObject({
      status: 'warn',
      detail: expect.stringMatching(/no failover was declared/),
    });
    expect(result.rows.find((r) => r.stack === 'gcp')).toMatchObject({
      status: 'info',
      detail: expect.stringMatching(/dry-run/),
    });
  });

  it('runs from the CLI: aegis-dr run report --plan P --journal J', async () => {
    const file = writeJournal('cli', failover('azure', 0, 3.0, 60));
    const out: string[] = [];
    const err: string[] = [];
    const reportFile = path.join(work, 'cli-report.md');
    const code = await main(
      [
        'run',
        'report',
        '--plan',
        PLAN,
        '--journal',
        file,
        '--stack',
        'azure',
        '--input',
        `report=${reportFile}`,
      ],
      { out: (s) => out.push(s), err: (s) => err.push(s) },
    );
    expect(err.join('')).toBe('');
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/DR report: succeeded/);
    expect(out.join('\n')).toContain('rto-seconds = azure=60.0');
    expect(fs.readFileSync(reportFile, 'utf8')).toMatch(/\| azure \| region-outage/);

    // a tampered journal exits 1 and the CLI never opens it for appending
    fs.appendFileSync(file, fs.readFileSync(file, 'utf8').split('\n')[0] + '\n');
    const code2 = await main(
      ['run', 'report', '--plan', PLAN, '--journal', file, '--input', `report=${reportFile}`],
      {
        out: (s) => out.push(s),
        err: (s) => err.push(s),
      },
    );
    expect(code2).toBe(1);
    expect(out.join('\n')).toMatch(/fails verification at record 7/);
  });
});
