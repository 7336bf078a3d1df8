/**
 * The release steps of scripts/release.mjs, run offline as the release workflow runs them: the tag
 * and the version, the notes from the CHANGELOG, dist/ compared with a build, the npm package's
 * file list and the assets a release publishes, named as the example plan's `$schema` expects.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  private?: boolean;
  bin: Record<string, string>;
  publishConfig: unknown;
  repository: { url: string };
};

function release(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts/release.mjs'), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status ?? 1, out: r.stdout, err: r.stderr };
}

let work: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-release-'));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('the tag', () => {
  it.each([
    ['v' + pkg.version, 0, pkg.version, 'the version of package.json'],
    ['v99.0.0', 1, 'package.json says', 'another version than package.json'],
    [pkg.version, 1, 'is not vX.Y.Z', 'no v'],
    ['v0', 1, 'is not vX.Y.Z', 'the major tag itself'],
  ] as [string, number, string, string][])('check-tag %s exits %i (%s: %s)', (tag, code, text) => {
    const r = release('check-tag', tag);
    expect(r.code).toBe(code);
    expect(r.out + r.err).toContain(text);
    if (code !== 0) expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  it.each([
    ['v0.1.0', 'v0'],
    ['v0.12.3', 'v0'],
    ['v2.0.0', 'v2'],
  ])('the major tag of %s is %s', (tag, major) => {
    expect(release('major', tag).out.trim()).toBe(major);
  });
});

describe('notes from the CHANGELOG', () => {
  const changelog = fs.readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8');

  it("are the section of the package's version, without its heading, the other sections or the link definitions", () => {
    const r = release('notes', pkg.version);
    expect(r.code).toBe(0);
    const start = changelog.indexOf(`## [${pkg.version}]`);
    expect(start).toBeGreaterThan(0);
    const section = changelog.slice(start).split('\n').slice(1);
    const firstBullet = section.find((l) => l.startsWith('- '))!;
    expect(r.out).toContain(firstBullet);
    expect(r.out).not.toContain('## [');
    expect(r.out).not.toContain('[Unreleased]');
    expect(r.out).not.toMatch(/^\[[^\]]+\]: https/m);
  });

  it('refuse a version the CHANGELOG has no section for, in one sentence', () => {
    const r = release('notes', '9.9.9');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^release: CHANGELOG\.md has no section "## \[9\.9\.9\]": .*\.\n$/);
  });

  it('the CHANGELOG keeps an Unreleased section and one section per release (Keep a Changelog)', () => {
    expect(changelog).toMatch(/^## \[Unreleased\]$/m);
    expect(changelog).toMatch(
      new RegExp(`^## \\[${pkg.version.replace(/\./g, '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm'),
    );
    // for users: no benchmark figures or internal file names
    expect(changelog).not.toMatch(/critical path|peakPerSecond|src\/drill|ms median/i);
  });
});

describe('dist/ current', () => {
  const generated = ['dist', 'actions', 'action.yml', 'schema', 'src/plan/generated'];

  it('passes when the build matches the tree, and names the file that differs when not', () => {
    const built = path.join(work, 'built');
    for (const g of generated) fs.cpSync(path.join(root, g), path.join(built, g), { recursive: true });
    const ok = release('check-dist', '--built', built);
    expect([ok.code, ok.err]).toEqual([0, '']);

    fs.appendFileSync(path.join(built, 'actions/readiness/action.yml'), '\n# changed\n');
    fs.writeFileSync(path.join(built, 'dist/new-chunk.js'), 'export {};\n');
    const stale = release('check-dist', '--built', built);
    expect(stale.code).toBe(1);
    expect(stale.err).toContain('actions/readiness/action.yml (differs from a fresh build)');
    expect(stale.err).toContain('dist/new-chunk.js (missing: the build makes it)');
    expect(stale.err).toContain('run npm run build and commit');
  });
});

describe('the npm package', () => {
  it('holds the CLI, the bundle, every action, the schema and the example plan; no sources, tests or maps', () => {
    const r = release('pack', '--dry-run', '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const { filename, files } = JSON.parse(r.out) as { filename: string; files: string[] };
    expect(filename).toBe(`cloud-aegis-aegis-dr-${pkg.version}.tgz`);
    const phases = fs.readdirSync(path.join(root, 'actions'));
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'bin/aegis-dr.js',
        'dist/index.js',
        'action.yml',
        'schema/dr-plan.schema.json',
        'examples/cloud-aegis.plan.yml',
        ...phases.map((p) => `actions/${p}/action.yml`),
        ...phases.map((p) => `dist/actions/${p}.js`),
      ]),
    );
    expect(
      files.filter((f) => /^(src|test|scripts|\.github|workflows-examples)\/|\.map$|\.jsonl$/.test(f)),
    ).toEqual([]);
  });

  it('is publish-ready under the project scope', () => {
    expect(pkg.name).toBe('@cloud-aegis/aegis-dr');
    expect(pkg.private).toBeUndefined();
    expect(pkg.bin).toEqual({ 'aegis-dr': 'bin/aegis-dr.js' });
    expect(pkg.publishConfig).toEqual({ access: 'public', provenance: true });
    expect(pkg.repository.url).toContain('github.com/cloud-aegis/aegis-dr');
  });
});

describe('the release assets', () => {
  it("are the notes, the CLI tarball and the schema named as the example plan's $schema URL expects", () => {
    const out = path.join(work, 'assets');
    const r = release('assets', pkg.version, '--out', out);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const tarball = `cloud-aegis-aegis-dr-${pkg.version}.tgz`;
    expect(fs.readdirSync(out).sort()).toEqual(['dr-plan.schema.json', 'notes.md', tarball].sort());
    expect(fs.readFileSync(path.join(out, 'notes.md'), 'utf8')).toBe(release('notes', pkg.version).out);
    expect(fs.readFileSync(path.join(out, 'dr-plan.schema.json'), 'utf8')).toBe(
      fs.readFileSync(path.join(root, 'schema/dr-plan.schema.json'), 'utf8'),
    );

    // the example's modeline is the URL this asset is published at
    const modeline = fs.readFileSync(path.join(root, 'examples/cloud-aegis.plan.yml'), 'utf8').split('\n')[0];
    const url = new URL(modeline.replace('# yaml-language-server: $schema=', ''));
    expect(url.pathname).toBe(`/cloud-aegis/aegis-dr/releases/download/v${pkg.version}/dr-plan.schema.json`);

    // the tarball installs a CLI that knows its version, without the sources
    const unpacked = path.join(work, 'unpacked');
    fs.mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', path.join(out, tarball), '-C', unpacked]);
    const version = execFileSync(
      process.execPath,
      [path.join(unpacked, 'package/bin/aegis-dr.js'), '--version'],
      {
        encoding: 'utf8',
      },
    );
    expect(version.trim()).toBe(pkg.version);
  });
});
