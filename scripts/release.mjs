#!/usr/bin/env node
// The release steps, run by .github/workflows/release.yml on a v*.*.* tag and offline by
// test/release.test.ts. Tagging, publishing the GitHub release and moving the major tag happen on
// GitHub (the workflow); everything that can be checked before that is here, as
// actions/typescript-action's script/release and check-dist workflow do it.
//
//   node scripts/release.mjs check-tag <tag>           the tag is vX.Y.Z and names package.json's version
//   node scripts/release.mjs major <tag>               print the moving major tag (v0 for v0.1.2)
//   node scripts/release.mjs check-dist [--built DIR]  dist/ and the generated files are what
//                                                      `npm run build` makes (builds into a temp
//                                                      directory unless DIR already holds a build)
//   node scripts/release.mjs notes <version>           the CHANGELOG section of that version
//   node scripts/release.mjs pack [--dry-run] [--out DIR] [--json]  npm pack, its file list checked
//   node scripts/release.mjs assets <version> --out DIR    notes.md, the CLI tarball and
//                                                      dr-plan.schema.json, as the release publishes them
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPOSITORY = 'cloud-aegis/aegis-dr';
/** The plan schema's asset name; the example plan's `$schema` modeline points at it. */
export const SCHEMA_ASSET = 'dr-plan.schema.json';
export const EXAMPLE_PLAN = 'examples/cloud-aegis.plan.yml';
/** What `npm run build` writes besides dist/ (test/e2e/dist.test.ts checks the same list). */
export const GENERATED = [
  'dist',
  'actions',
  'action.yml',
  'schema/dr-plan.schema.json',
  'src/plan/generated/plan-validator.js',
];

/** A mistake in the release inputs: printed as one sentence, exit code 1. */
export class ReleaseError extends Error {}

function readPackage(root = ROOT) {
  return JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
}

/** `v1.2.3` -> `1.2.3`; refuses anything else. */
export function versionOfTag(tag) {
  const m = /^v(\d+\.\d+\.\d+)$/.exec(tag ?? '');
  if (!m)
    throw new ReleaseError(`the tag "${tag}" is not vX.Y.Z: tag a release as v0.1.0, v1.4.2 and so on.`);
  return m[1];
}

/** The tag names package.json's version, so the tarball and the tag agree. */
export function checkTag(tag, root = ROOT) {
  const version = versionOfTag(tag);
  const pkg = readPackage(root);
  if (pkg.version !== version) {
    throw new ReleaseError(
      `the tag ${tag} names version ${version} but package.json says ${pkg.version}: set "version": "${version}" in package.json, commit, and tag that commit.`,
    );
  }
  return version;
}

/** The moving major tag a release updates: v0 for v0.4.1, v2 for v2.0.0. */
export function majorTag(tag) {
  return `v${versionOfTag(tag).split('.')[0]}`;
}

/** The URL under which a release's asset is downloadable. */
export function assetUrl(version, asset) {
  return `https://github.com/${REPOSITORY}/releases/download/v${version}/${asset}`;
}

/**
 * The CHANGELOG section of one version (Keep a Changelog: `## [1.2.3] - 2026-12-02`), without its
 * heading and without the link definitions at the end of the file.
 */
export function releaseNotes(version, changelog) {
  const lines = changelog.split('\n');
  const head = new RegExp(`^## \\[?${version.replace(/\./g, '\\.')}\\]?(\\s|$)`);
  const start = lines.findIndex((l) => head.test(l));
  if (start < 0) {
    throw new ReleaseError(
      `CHANGELOG.md has no section "## [${version}]": move the Unreleased entries under a "## [${version}] - <date>" heading before tagging.`,
    );
  }
  const body = [];
  for (const l of lines.slice(start + 1)) {
    if (/^## /.test(l) || /^\[[^\]]+\]:\s/.test(l)) break;
    body.push(l);
  }
  const text = body.join('\n').trim();
  if (!/^\s*[-*] /m.test(text)) {
    throw new ReleaseError(
      `CHANGELOG.md section [${version}] lists no change: write what a user gets in it.`,
    );
  }
  return text + '\n';
}

function files(dir, base = dir) {
  if (!fs.existsSync(dir)) return [];
  if (fs.statSync(dir).isFile()) return [path.relative(path.dirname(base), dir)];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p, base) : [path.relative(base, p)];
  });
}

/** Files of the generated paths that differ between two trees (missing on either side, or other bytes). */
export function compareGenerated(haveRoot, wantRoot, paths = GENERATED) {
  const stale = [];
  for (const rel of paths) {
    const have = path.join(haveRoot, rel);
    const want = path.join(wantRoot, rel);
    const isDir = fs.existsSync(want)
      ? fs.statSync(want).isDirectory()
      : fs.existsSync(have) && fs.statSync(have).isDirectory();
    const names = isDir
      ? [...new Set([...files(have), ...files(want)])].sort().map((f) => path.join(rel, f))
      : [rel];
    for (const f of names) {
      const a = path.join(haveRoot, f);
      const b = path.join(wantRoot, f);
      if (!fs.existsSync(a)) stale.push(`${f} (missing: the build makes it)`);
      else if (!fs.existsSync(b)) stale.push(`${f} (left over: the build no longer makes it)`);
      else if (!fs.readFileSync(a).equals(fs.readFileSync(b)))
        stale.push(`${f} (differs from a fresh build)`);
    }
  }
  return stale;
}

export function checkDist(builtDir) {
  let dir = builtDir;
  let tmp;
  if (!dir) {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-release-build-'));
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs'), '--out', tmp], {
      cwd: ROOT,
      stdio: 'pipe',
    });
    dir = tmp;
  }
  try {
    const stale = compareGenerated(ROOT, dir);
    if (stale.length > 0) {
      throw new ReleaseError(
        `dist/ and the generated files are not what npm run build makes (${stale.length} file(s): ${stale.slice(0, 5).join(', ')}${stale.length > 5 ? ', ...' : ''}): run npm run build and commit the result.`,
      );
    }
  } finally {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Paths that must be in the npm package, and patterns that must never be. */
export function packExpectations(root = ROOT) {
  const phases = fs
    .readdirSync(path.join(root, 'actions'))
    .filter((d) => fs.existsSync(path.join(root, 'actions', d, 'action.yml')));
  return {
    required: [
      'package.json',
      'README.md',
      'LICENSE',
      'bin/aegis-dr.js',
      'dist/index.js',
      'action.yml',
      'schema/dr-plan.schema.json',
      EXAMPLE_PLAN,
      ...phases.flatMap((p) => [`actions/${p}/action.yml`, `dist/actions/${p}.js`]),
    ],
    forbidden: [
      /^src\//,
      /^test\//,
      /^scripts\//,
      /^\.github\//,
      /^workflows-examples\//,
      /^coverage\//,
      /^\.aegis-dr\//,
      /\.map$/,
      /\.tsbuildinfo$/,
      /\.jsonl$/,
      /(^|\/)\.env/,
      /aegis-dr-report\.md$/,
    ],
  };
}

/** Problems with an npm pack file list, as sentences (empty when the list is right). */
export function packProblems(list, root = ROOT) {
  const { required, forbidden } = packExpectations(root);
  const have = new Set(list);
  const problems = required.filter((f) => !have.has(f)).map((f) => `${f} is missing from the package`);
  for (const f of list) {
    const rule = forbidden.find((re) => re.test(f));
    if (rule) problems.push(`${f} is in the package but matches ${rule}`);
  }
  return problems;
}

/** Run npm pack (or its dry run) and check its file list; returns the tarball's name and list. */
export function pack({ dryRun = false, out } = {}) {
  const args = ['pack', '--json', '--ignore-scripts'];
  if (dryRun) args.push('--dry-run');
  if (out) {
    fs.mkdirSync(out, { recursive: true });
    args.push('--pack-destination', out);
  }
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const json = execFileSync(npm, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const [info] = JSON.parse(json);
  const list = info.files.map((f) => f.path).sort();
  const problems = packProblems(list);
  if (problems.length > 0) {
    throw new ReleaseError(`the npm package is wrong: ${problems.join('; ')}: fix "files" in package.json.`);
  }
  return { filename: info.filename, files: list, size: info.size, unpackedSize: info.unpackedSize };
}

/** The `$schema` URL of the example plan's yaml-language-server modeline. */
export function examplePlanSchemaUrl(root = ROOT) {
  const text = fs.readFileSync(path.join(root, EXAMPLE_PLAN), 'utf8');
  const m = /^#\s*yaml-language-server:\s*\$schema=(\S+)/m.exec(text);
  if (!m)
    throw new ReleaseError(
      `${EXAMPLE_PLAN} has no "# yaml-language-server: $schema=..." line on top: add it.`,
    );
  return m[1];
}

/** The example plan's `$schema` names the schema asset of this very release. */
export function checkSchemaUrl(version, root = ROOT) {
  const url = examplePlanSchemaUrl(root);
  const want = assetUrl(version, SCHEMA_ASSET);
  if (url !== want) {
    throw new ReleaseError(
      `${EXAMPLE_PLAN}: the $schema modeline is ${url} but release v${version} publishes the schema at ${want}: change the modeline.`,
    );
  }
  return url;
}

/** Everything the GitHub release carries, written into `out`. */
export function assets(version, out) {
  if (!out) throw new ReleaseError('assets needs --out DIR: the directory to write the release assets to.');
  checkTag(`v${version}`);
  checkSchemaUrl(version);
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(
    path.join(out, 'notes.md'),
    releaseNotes(version, fs.readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8')),
  );
  fs.copyFileSync(path.join(ROOT, 'schema/dr-plan.schema.json'), path.join(out, SCHEMA_ASSET));
  const { filename } = pack({ out });
  return ['notes.md', filename, SCHEMA_ASSET];
}

function option(args, name) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export function main(argv) {
  const [cmd, ...args] = argv;
  switch (cmd) {
    case 'check-tag':
      process.stdout.write(`${checkTag(args[0])}\n`);
      return;
    case 'major':
      process.stdout.write(`${majorTag(args[0])}\n`);
      return;
    case 'check-dist':
      checkDist(option(args, '--built'));
      process.stdout.write('dist/ and the generated files are current\n');
      return;
    case 'notes':
      process.stdout.write(
        releaseNotes(args[0] ?? '', fs.readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8')),
      );
      return;
    case 'pack': {
      const r = pack({ dryRun: args.includes('--dry-run'), out: option(args, '--out') });
      if (args.includes('--json')) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else
        process.stdout.write(
          `${r.filename}: ${r.files.length} files, ${r.size} bytes packed, ${r.unpackedSize} unpacked\n`,
        );
      return;
    }
    case 'assets':
      for (const a of assets(args[0], option(args, '--out'))) process.stdout.write(`${a}\n`);
      return;
    default:
      throw new ReleaseError(
        `unknown command "${cmd ?? ''}": expected check-tag, major, check-dist, notes, pack or assets.`,
      );
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof ReleaseError)) throw err;
    process.stderr.write(`release: ${err.message}\n`);
    process.exitCode = 1;
  }
}
