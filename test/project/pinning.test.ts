/**
 * Every `uses:` of our actions in the docs and the examples names a ref the release process
 * creates (the moving major tag, an immutable vX.Y.Z tag) or a full commit SHA, and each document
 * that shows one recommends the SHA (GitHub's security hardening guide).
 */
import fs from 'node:fs';
import path from 'node:path';
import { PHASE_NAMES } from '../../src/phases/names.js';

const root = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const major = `v${pkg.version.split('.')[0]}`;

function docs(): string[] {
  const list = ['README.md', 'examples/cloud-aegis.plan.yml'];
  for (const dir of ['docs', 'workflows-examples']) {
    if (!fs.existsSync(path.join(root, dir))) continue;
    for (const f of fs.readdirSync(path.join(root, dir)))
      if (/\.(md|ya?ml)$/.test(f)) list.push(`${dir}/${f}`);
  }
  return list;
}

const USES = /cloud-aegis\/aegis-dr(?:\/actions\/([\w-]+))?@([^\s`'"#)]+)/g;

describe('our actions are pinned to refs that exist', () => {
  const refs = docs().flatMap((f) =>
    [...fs.readFileSync(path.join(root, f), 'utf8').matchAll(USES)]
      .map((m) => ({ file: f, phase: m[1], ref: m[2] }))
      // a placeholder the reader fills in (`@<40-hex SHA>`) is not a ref
      .filter((r) => !r.ref.startsWith('<')),
  );

  it('finds the references (the scan is live)', () => {
    expect(refs.length).toBeGreaterThan(20);
    expect(new Set(refs.map((r) => r.file)).size).toBeGreaterThanOrEqual(5);
  });

  it.each([
    [major, true, 'the major tag the release moves'],
    ['v0.1.0', true, 'an immutable release tag'],
    ['0123456789abcdef0123456789abcdef01234567', true, 'a full commit SHA'],
    ['main', false, 'a branch'],
    ['v0.1', false, 'a tag the release never creates'],
    ['0123456', false, 'a short SHA'],
  ])('%s is accepted: %s (%s)', (ref, ok) => {
    expect(acceptable(ref)).toBe(ok);
  });

  it('every reference names a phase that has an action and a ref the release creates, or a full SHA', () => {
    const bad = refs.filter(
      (r) => !acceptable(r.ref) || (r.phase !== undefined && !PHASE_NAMES.includes(r.phase as never)),
    );
    expect(
      bad.map((r) => `${r.file}: cloud-aegis/aegis-dr${r.phase ? `/actions/${r.phase}` : ''}@${r.ref}`),
    ).toEqual([]);
  });

  it('every document that uses our actions by tag recommends pinning a full commit SHA', () => {
    const files = [...new Set(refs.filter((r) => !/^[0-9a-f]{40}$/.test(r.ref)).map((r) => r.file))];
    const silent = files.filter(
      (f) => !/full (commit )?SHA/i.test(fs.readFileSync(path.join(root, f), 'utf8')),
    );
    expect(silent).toEqual([]);
  });
});

function acceptable(ref: string): boolean {
  return ref === major || /^v\d+\.\d+\.\d+$/.test(ref) || /^[0-9a-f]{40}$/.test(ref);
}
