/**
 * `@github/local-action` runs an action's TypeScript source with inputs from a `.env` file. Here it
 * runs the read-only readiness action (actions/readiness with src/actions/local/index.ts) against
 * the sandbox's plan, offline, and the outputs and job summary it prints are the action's own.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { localPhase } from '../../src/actions/local/index.js';
import { verifyJournal } from '../../src/engine/journal.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

const root = path.resolve(import.meta.dirname, '../..');

let sandbox: Sandbox;
let work: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-local-action-'));
  sandbox = await startSandbox({ outDir: work, speed: 1000, prometheus: 'builtin' });
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

async function localAction(
  actionDir: string,
  entry: string,
  envFile: string,
): Promise<{ code: number; out: string }> {
  const env: NodeJS.ProcessEnv = {
    PATH: `${path.join(root, 'node_modules/.bin')}${path.delimiter}${process.env.PATH}`,
    HOME: process.env.HOME,
  };
  const child = spawn(path.join(root, 'node_modules/.bin/local-action'), [actionDir, entry, envFile], {
    cwd: root,
    env,
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code: number = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  return { code, out };
}

describe('@github/local-action', () => {
  it('takes the phase from AEGIS_DR_PHASE, else from an actions/<phase> directory', () => {
    expect(localPhase({ AEGIS_DR_PHASE: 'drain', TARGET_ACTION_PATH: '/x/actions/readiness' })).toBe('drain');
    expect(localPhase({ TARGET_ACTION_PATH: '/x/actions/readiness' })).toBe('readiness');
    expect(localPhase({ TARGET_ACTION_PATH: '/x/repo' })).toBeUndefined();
  });

  it('runs the readiness action from source against the sandbox plan', async () => {
    const summary = path.join(work, 'summary.md');
    const journal = path.join(work, 'journal.jsonl');
    fs.writeFileSync(summary, '');
    const envFile = path.join(work, '.env');
    fs.writeFileSync(
      envFile,
      [`INPUT_PLAN=${sandbox.planFile}`, `INPUT_JOURNAL=${journal}`, `GITHUB_STEP_SUMMARY=${summary}`].join(
        '\n',
      ) + '\n',
    );
    const r = await localAction('actions/readiness', '../../src/actions/local/index.ts', envFile);
    expect({ code: r.code, tail: r.code ? r.out.slice(-2000) : '' }).toEqual({ code: 0, tail: '' });
    expect(r.out).toMatch(/Entrypoint.*src\/actions\/local\/index\.ts/);
    expect(r.out).toContain('::set-output name=ready::true');
    expect(r.out).toContain('::set-output name=failed-checks::');
    expect(r.out).not.toMatch(/::error/);
    expect(fs.readFileSync(summary, 'utf8')).toMatch(
      /## Pre-failover readiness: succeeded[\s\S]*\| azure \| Replication \| passed \|/,
    );
    expect(verifyJournal(journal)).toMatchObject({ ok: true });
  }, 120_000);
});
