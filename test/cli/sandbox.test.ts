/**
 * `aegis-dr sandbox --out DIR`: a directory that does not exist yet is created (with the real
 * Prometheus when it is installed, whose data directory goes inside it), and a start that fails
 * half-way closes every port and child process it opened and says why in one sentence.
 */
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main.js';
import '../../src/cli/commands.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { findPrometheus } from '../../src/sandbox/prometheus/real.js';
import { requirePrometheus } from '../support/prometheus.js';

let work: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(fs.realpathSync(tmpdir()), 'aegis-sandbox-out-'));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/**
 * Listening sockets and child processes this process holds (Node's own resource names), once
 * libuv has run the close callbacks of handles closed just before (a closed server's handle is
 * released in the loop's close phase, after its 'close' event).
 */
async function openHandles(): Promise<Record<string, number>> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  const counts: Record<string, number> = { TCPServerWrap: 0, UDPWrap: 0, ProcessWrap: 0 };
  for (const r of process.getActiveResourcesInfo()) if (r in counts) counts[r]++;
  return counts;
}

function recorder() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) } };
}

test('a --out directory that does not exist is created, with its parents, and the sandbox starts in it', async () => {
  requirePrometheus();
  const dir = path.join(work, 'new', 'nested', 'out');
  const sb = await startSandbox({ outDir: dir, speed: 1000, prometheus: 'auto' });
  try {
    expect(sb.prometheus.kind).toBe(findPrometheus() ? 'real' : 'builtin');
    expect(fs.readFileSync(path.join(dir, 'plan.yml'), 'utf8')).toContain('kind: DRPlan');
    expect(fs.existsSync(path.join(dir, 'kubeconfig'))).toBe(true);
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(dir, 'endpoints.json'), 'utf8')))).toContain(
      'prometheus',
    );
    if (sb.prometheus.kind === 'real') {
      const ready = await fetch(`${sb.prometheus.url}/-/ready`);
      expect(ready.status).toBe(200);
      // Prometheus keeps its data inside --out while it runs
      expect(fs.readdirSync(dir).some((f) => f.startsWith('prometheus-'))).toBe(true);
    }
  } finally {
    await sb.close();
  }
  // and its data goes with it
  expect(fs.readdirSync(dir).some((f) => f.startsWith('prometheus-'))).toBe(false);
});

test('a start that fails after its services listen closes every port and Prometheus, and says why in one sentence', async () => {
  const dir = path.join(work, 'blocked');
  // the kubeconfig the sandbox writes last is in the way: a directory of that name
  fs.mkdirSync(path.join(dir, 'kubeconfig'), { recursive: true });
  const before = await openHandles();
  const r = recorder();
  const code = await main(['sandbox', '--out', dir, '--speed', '1000'], r.io);
  expect(code).toBe(1);
  expect(r.err).toHaveLength(1);
  expect(r.err[0]).toBe(
    `error: the sandbox file ${path.join(dir, 'kubeconfig')} cannot be used: it is a directory (EISDIR); expected a file the sandbox can write: choose another --out directory or remove what is in the way.`,
  );
  expect(r.err[0]).not.toMatch(/\n\s+at /);
  expect(await openHandles()).toEqual(before);
  // the Prometheus data directory it had made is gone too
  expect(fs.readdirSync(dir)).toEqual(['kubeconfig']);
});

test('an unknown scenario is refused before anything listens', async () => {
  const before = await openHandles();
  const r = recorder();
  const code = await main(
    ['sandbox', '--out', path.join(work, 'scenario'), '--scenario', 'x'.repeat(100_000)],
    r.io,
  );
  expect(code).toBe(1);
  expect(r.err).toHaveLength(1);
  expect(r.err[0]).toMatch(
    /^error: --scenario is "x{64}… \(100000 characters\)", which is not a sandbox scenario: expected one of healthy, region-outage/,
  );
  expect(r.err[0].length).toBeLessThan(600); // the input cut short; the scenario list is whole
  expect(await openHandles()).toEqual(before);
});

test('an --out that cannot be a directory is one sentence naming it', async () => {
  const file = path.join(work, 'a-file');
  fs.writeFileSync(file, 'not a directory');
  const r = recorder();
  const code = await main(['sandbox', '--out', path.join(file, 'out')], r.io);
  expect(code).toBe(1);
  expect(r.err).toEqual([
    `error: --out ${path.join(file, 'out')} cannot be created as a directory (ENOTDIR): give a directory that can be created or written (a path under an existing file, or one without write permission, cannot).`,
  ]);
});
