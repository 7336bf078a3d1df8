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
      // the API health check passed one second before the last check ended
      'restored-seconds': 'aws=124.0,gcp=89.5',
      'rpo-seconds': 'aws=2.5,gcp=0.8',
      verified: 'aws,gcp',
      // every phase's outputs: passed, and results per stack for fromJSON()
      passed: 'true',
      results: expect.any(String),
    });
    expect(JSON.parse(result.outputs.results)).toMatchObject({
      aws: { passed: true },
      gcp: { passed: true },
    });
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
      /\| aws \| region-outage \| us-east-1 is down \| 2026-11-02T03:00:05\.000Z \(T\+0\.0 s\) \| T\+124\.0 s \/ 30 min \| T\+125\.0 s \/ 30 min \| 2\.5 s \/ 5 min \(measured: replication lag at the promotion\) \| yes \| PASS/,
    );
    // one time origin: the declaration (aws's, the earliest); readiness before it is T-
    expect(text).toContain('T+ from the declaration (2026-11-02T03:00:05.000Z)');
    expect(text).toMatch(/\| T-5\.0 s \| aws \| readiness\/DR nodes Ready \|/);
    // no absolute path of this machine
    expect(text).not.toContain(work);
    expect(text).toContain('- Journal: `full.jsonl`');
    // the unreachable fence is listed with its error, and in the timeline
    expect(text).toMatch(
      /aws declare\/fence `k8s:primary\/aegis-api`: \*\*unreachable\*\*: connect ECONNREFUSED/,
    );
    expect(text).toMatch(
      /\| T\+10\.0 s \| aws \| database\/failover \| db:aws \| done \| promote replica \| 60 s \|/,
    );
    // the timeline is sorted by time
    const times = [...text.matchAll(/^\| T([+-])([0-9.]+) s \| (aws|gcp) \|/gm)].map((m) =>
      Number(`${m[1]}${m[2]}`),
    );
    expect(times.length).toBe(13);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    // the incident chart: a bar per phase of each stack, the RTO target line, the critical path
    expect(text).toContain('### Incident chart');
    const chart = text.slice(text.indexOf('```mermaid'), text.indexOf('```', text.indexOf('```mermaid') + 3));
    expect(chart).toMatch(/^\s+section aws$/m);
    expect(chart).toMatch(/^\s+section gcp$/m);
    for (const phase of ['declare', 'database', 'traffic', 'verify'])
      expect(chart.match(new RegExp(`^\\s+${phase} `, 'gm'))).toHaveLength(2);
    expect(chart).toMatch(/^\s+RTO target 30 min :vert, rto, 1800000, 0ms$/m);
    expect(chart).toMatch(/^\s+aws service restored T\+124\.0 s :milestone, t\d+, 124000, 0ms$/m);
    // aws verified last: its chain declare -> database -> traffic -> verify is the critical path
    expect(chart).toMatch(/^\s+verify verified 30 s :crit, t\d+, 95000, 125000$/m);
    expect(chart).toMatch(/^\s+declare unreachable 1\.0 s :crit, t\d+, 0, \d+$/m);
    expect(chart).toMatch(/^\s+traffic done 20 s :crit, t\d+, 75000, 95000$/m);
    expect(chart).toMatch(/^\s+database done 60 s :crit, t\d+, 10000, 70000$/m);
    expect(chart).not.toMatch(/crit, t\d+, 1000, 71000/); // gcp's database is not on it
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
    expect(text).toMatch(
      /\| aws \| region-outage .*\| T\+99\.0 s \/ 30 min \| n\/a \/ 30 min \| 1\.0 s \/ 5 min \(measured: .*\) \| no \| FAIL/,
    );
  });

  it('a missed RTO fails the stack row', async () => {
    const file = writeJournal('slow', failover('aws', 0, 1.0, 2400));
    const { result } = await report(file, 'aws');
    expect(result.outputs['rto-seconds']).toBe('aws=2400.0');
    expect(result.rows.find((r) => r.stack === 'aws')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/service restored after the RTO \(2399\.0 s > 30 min\)/),
    });
  });

  it('service restored within the RTO but verified after it: both said, the stack fails', async () => {
    const entries = failover('aws', 0, 1.0, 1900);
    // the API health check passed early; the error-rate check ended 1900 s after the declaration
    entries[4] = verify('aws', 100, 'API health', 'pass');
    const file = writeJournal('restored-early', entries);
    const { result, text } = await report(file, 'aws');
    expect(result.outputs).toMatchObject({ 'restored-seconds': 'aws=100.0', 'rto-seconds': 'aws=1900.0' });
    expect(result.rows.find((r) => r.stack === 'aws')).toMatchObject({
      status: 'fail',
      detail: 'verified after the RTO (1900.0 s > 30 min)',
    });
    expect(text).toMatch(/\| T\+100\.0 s \/ 30 min \| T\+1900\.0 s \/ 30 min \*\*missed\*\* \|/);
  });

  it("RPO with the primary gone is an upper bound, with why; the lag's age is added when recorded", async () => {
    const entries = failover('aws', 0, 2.0, 100);
    entries[2] = { ...entries[2], before: { writer: 'primary', primaryReachable: false } };
    const file = writeJournal('upper-bound', entries);
    const { result, text } = await report(file, 'aws');
    expect(result.outputs['rpo-seconds']).toBe('aws=2.0');
    expect(text).toMatch(
      /\| ≤ 2\.0 s \/ 5 min \(upper bound: the primary was unreachable at the promotion: 2\.0 s of lag as the DR replica last saw it \(its age not recorded\); writes the primary took after that cannot be counted\) \|/,
    );
    const aged = failover('aws', 0, 2.0, 100);
    aged[2] = {
      ...aged[2],
      before: { primaryReachable: false },
      data: { ...aged[2].data, lagAgeSeconds: 4.5 },
    };
    const r2 = await report(writeJournal('upper-bound-aged', aged), 'aws');
    expect(r2.result.outputs['rpo-seconds']).toBe('aws=6.5');
    expect(r2.text).toContain('2.0 s of lag as the DR replica last saw it, 4.5 s old');
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
    const { result, text } = await report(file, 'aws');
    expect(result.outputs['rto-seconds']).toBe('aws=100.0');
    // on the chart the failback is greyed, after the failover's verify, with its own verify on primary
    expect(text).toMatch(/^\s+failback done 60 s :done, t\d+, 500000, 560000$/m);
    expect(text).toMatch(/^\s+failback verify verified 40 s :done, t\d+, 560000, 600000$/m);
    expect(text).toMatch(/^\s+verify verified 5\.0 s :crit, t\d+, 95000, \d+$/m);
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

describe('evidence outside the report phase', () => {
  it('a report input or journal that is a directory is named with what to do', async () => {
    const file = writeJournal('to-a-dir', failover('aws', 0, 1.0, 100));
    await expect(
      runPhase({ phase: 'report', planFile: PLAN, journalFile: file, inputs: { report: work } }),
    ).rejects.toThrow(
      `the report input ${work} cannot be used: it is a directory (EISDIR); expected a Markdown file to write: give a file path.`,
    );
    await expect(
      runPhase({ phase: 'report', planFile: PLAN, journalFile: work, inputs: {} }),
    ).rejects.toThrow(`the journal ${work} cannot be used: it is a directory (EISDIR)`);
  });

  it("a job summary's incident so far: both RTOs, the RPO and the chart; nothing when no incident was declared", async () => {
    const { incidentSummary } = await import('../../src/report/evidence.js');
    const { loadPlan } = await import('../../src/plan/load.js');
    const { readJournal } = await import('../../src/engine/journal.js');
    const plan = await loadPlan(PLAN);
    const records = readJournal(writeJournal('summary', failover('aws', 0, 2.5, 100)));
    const md = incidentSummary(records, plan, ['aws', 'gcp']);
    expect(md).toContain('### Incident so far');
    expect(md).toContain('| aws | region-outage | T+99.0 s | T+100.0 s | 30 min | 2.5 s / 5 min |');
    expect(md).not.toMatch(/^\| gcp /m); // gcp has no incident in this journal
    expect(md).toMatch(/```mermaid\ngantt\n[\s\S]*RTO target 30 min :vert, rto, 1800000, 0ms\n```/);
    expect(incidentSummary(records.slice(1), plan, ['aws'])).toBe('');
  });

  it('a drill report at a sandbox speed: the RTO line is scaled and the measured times say what they are at cloud speed', async () => {
    const { writeDrillEvidence } = await import('../../src/report/evidence.js');
    const { loadPlan } = await import('../../src/plan/load.js');
    const plan = await loadPlan(PLAN);
    const file = writeJournal('speed', failover('aws', 0, 2.5, 100));
    const dir = path.join(work, 'speed-drill');
    const ev = writeDrillEvidence(dir, new Journal({ file }), plan, { stacks: ['aws'], speed: 600 });
    expect(ev).toEqual({ report: path.join(dir, 'report.md'), chart: path.join(dir, 'incident.mmd') });
    const md = fs.readFileSync(ev.report, 'utf8');
    expect(md).toContain('| T+99.0 s (≈ 990 min at cloud speed) / 30 min |');
    expect(fs.readFileSync(ev.chart!, 'utf8')).toMatch(
      /RTO target 30 min \(3\.0 s at speed 600\) :vert, rto, 3000, 0ms$/m,
    );
  });
});
