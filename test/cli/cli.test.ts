/**
 * The `aegis-dr` command line: what a user types and the one sentence they read back.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main, type CliIO } from '../../src/cli/main.js';
import '../../src/cli/commands.js';

const root = path.resolve(import.meta.dirname, '../..');
const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  version: string;
};

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = {
    out: (s) => (out += s.endsWith('\n') ? s : s + '\n'),
    err: (s) => (err += s.endsWith('\n') ? s : s + '\n'),
  };
  const code = await main(argv, io);
  return { code, out, err };
}

let work: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-cli-'));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('--version', () => {
  it.each(['--version', '-V'])('aegis-dr %s prints the version of package.json', async (flag) => {
    expect(await cli(flag)).toEqual({ code: 0, out: `${version}\n`, err: '' });
  });

  it('bin/aegis-dr.js answers --version from package.json without loading the bundle', () => {
    const r = spawnSync(process.execPath, [path.join(root, 'bin/aegis-dr.js'), '--version'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect([r.status, r.stdout, r.stderr]).toEqual([0, `${version}\n`, '']);
  });
});

describe('journal verify', () => {
  it('names a missing journal in one sentence, without ENOENT or a stack', async () => {
    const file = path.join(work, 'missing.jsonl');
    const r = await cli('journal', 'verify', file);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      `error: the journal ${file} does not exist: check the path (phases append to aegis-dr-journal.jsonl in the directory they ran in, or to the file their journal input names).\n`,
    );
  });

  it('names a directory given as the journal', async () => {
    const r = await cli('journal', 'verify', work);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `error: the journal ${work} cannot be used: it is a directory (EISDIR); expected a journal file (JSON lines): give the path of the journal file itself (for a drill: journal.jsonl in its folder).\n`,
    );
  });
});

describe('a mistyped scenario or stack is refused before anything starts', () => {
  it.each([
    [
      ['drill', '--scenario', 'region-outtage'],
      '--scenario is "region-outtage", which is not a sandbox scenario: did you mean "region-outage"? expected one of',
    ],
    [
      ['drill', '--stack', 'aws,gpc'],
      'stack "gpc" is not in the sandbox: did you mean "gcp"? expected one of aws, azure, gcp.',
    ],
    [
      ['drill', '--plan', path.join(root, 'examples/cloud-aegis.plan.yml'), '--dry-run', '--stack', 'azur'],
      'did you mean "azure"?',
    ],
    [['sandbox', '--scenario', 'two-region-failur'], 'did you mean "two-region-failure"?'],
  ])('aegis-dr %j', async (argv, sentence) => {
    const out = path.join(
      work,
      `out-${argv
        .join('-')
        .replace(/[^\w-]/g, '_')
        .slice(-40)}`,
    );
    const r = await cli(...argv, '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toContain(sentence);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.out).toBe(''); // nothing started: no sandbox line, no note
    expect(fs.existsSync(out)).toBe(false); // and no empty drill folder left behind
  });

  it('a word too far from every name gets the list without a guess', async () => {
    const r = await cli('drill', '--scenario', 'meteor', '--out', path.join(work, 'meteor'));
    expect(r.err).toMatch(
      /^error: --scenario is "meteor", which is not a sandbox scenario: expected one of healthy, region-outage, /,
    );
  });
});
