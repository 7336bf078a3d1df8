/**
 * The report action from its dist/ bundle, as GitHub runs it (INPUT_* variables, GITHUB_OUTPUT,
 * GITHUB_STEP_SUMMARY), on journals written with the real Journal class. Offline: no sandbox.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Journal } from '../../src/engine/journal.js';
import { parseOutputs } from '../support/github-output.js';

const root = path.resolve(import.meta.dirname, '../..');
const PLAN = path.join(root, 'examples/cloud-aegis.plan.yml');
let work: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-report-action-'));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

async function runReport(name: string, inputs: Record<string, string>) {
  const outFile = path.join(work, `${name}.out`);
  const summaryFile = path.join(work, `${name}.summary.md`);
  fs.writeFileSync(outFile, '');
  fs.writeFileSync(summaryFile, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: outFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_ACTOR: 'octocat',
  };
  for (const [k, v] of Object.entries({ plan: PLAN, ...inputs })) env[`INPUT_${k.toUpperCase()}`] = v;
  const child = spawn(process.execPath, [path.join(root, 'dist/actions/report.js')], { env, cwd: work });
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

function journal(file: string): void {
  const j = new Journal({
    file,
    actor: 'octocat',
    runUrl: 'https://github.example/cloud-aegis/dr/actions/runs/7',
  });
  const t = (s: number) => new Date(Date.parse('2026-11-02T03:00:00Z') + s * 1000).toISOString();
  const base = { attempts: 1, dryRun: false, durationMs: 0 };
  j.append({
    ...base,
    phase: 'declare',
    step: 'incident',
    stack: 'aws',
    target: 'aws',
    outcome: 'observed',
    startedAt: t(0),
    endedAt: t(0),
    data: { incidentClass: 'region-outage', reason: 'drill', target: 'dr', rtoMs: 1_800_000, rpoMs: 300_000 },
  });
  j.append({
    ...base,
    phase: 'database',
    step: 'failover',
    stack: 'aws',
    target: 'db:aws',
    outcome: 'done',
    startedAt: t(10),
    endedAt: t(70),
    durationMs: 60_000,
    data: { rpoSeconds: 2 },
  });
  j.append({
    ...base,
    phase: 'verify',
    step: 'API health',
    stack: 'aws',
    target: 'aws:dr',
    outcome: 'observed',
    startedAt: t(90),
    endedAt: t(90),
    data: { status: 'pass', detail: 'healthy' },
  });
}

describe('report action from dist/', () => {
  it('writes the report file and the job summary, with per-stack outputs', async () => {
    const file = path.join(work, 'journal.jsonl');
    journal(file);
    const r = await runReport('ok', { journal: file, stack: 'aws' });
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({
      report: 'aegis-dr-report.md',
      'journal-valid': 'true',
      records: '3',
      'rto-seconds': 'aws=90.0',
      'rpo-seconds': 'aws=2.0',
      verified: 'aws',
    });
    const report = fs.readFileSync(path.join(work, 'aegis-dr-report.md'), 'utf8');
    expect(report).toMatch(/\| aws \| region-outage \| drill \|/);
    expect(r.summary).toContain('## DR report: succeeded');
    expect(r.summary).toContain(report.trimEnd());
  });

  it('a tampered journal fails the step with one sentence naming the record', async () => {
    const file = path.join(work, 'tampered.jsonl');
    journal(file);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"rpoSeconds":2', '"rpoSeconds":0'));
    const r = await runReport('tampered', { journal: file, report: 'out/tampered.md' });
    expect(r.code).not.toBe(0);
    expect(r.outputs['journal-valid']).toBe('false');
    expect(r.stdout).toMatch(
      /::error title=DR report::Journal chain: journal .*tampered\.jsonl fails verification at record 2/,
    );
    expect(fs.readFileSync(path.join(work, 'out/tampered.md'), 'utf8')).toMatch(/BROKEN at record 2/);
  });

  it('a missing journal: a report of nothing recorded, and the step passes', async () => {
    const r = await runReport('missing', { journal: path.join(work, 'none.jsonl'), report: 'missing.md' });
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({ 'journal-valid': 'false', records: '0' });
    expect(r.summary).toMatch(/No journal: nothing was recorded/);
  });
});
