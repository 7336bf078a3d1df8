#!/usr/bin/env node
// npm run bench: figures, printed, never asserted. Measured in one run on this machine:
//  - cold start of each action up to input validation, as a ratio to a bundle that imports only
//    @actions/core (target <= 1.15), median of N runs each;
//  - the size of dist/ in total and per chunk (target: under 15 MB);
//  - a region-outage drill on the sandbox: wall time of each stage and the Route 53 request peak.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.env.BENCH_RUNS ?? 9);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-bench-'));

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(args, env) {
  const t = process.hrtime.bigint();
  spawnSync(process.execPath, args, { env: { PATH: process.env.PATH, ...env }, stdio: 'ignore' });
  return Number(process.hrtime.bigint() - t) / 1e6;
}

// the reference: a bundle that imports only @actions/core and reads an input
const refSrc = path.join(tmp, 'ref.mjs');
fs.writeFileSync(refSrc, "import * as core from '@actions/core';\nif (!core.getInput('plan')) core.setFailed('plan missing');\n");
await build({ entryPoints: [refSrc], bundle: true, platform: 'node', format: 'esm', outfile: path.join(root, '.bench/ref.mjs'), minify: true, logLevel: 'error', nodePaths: [path.join(root, 'node_modules')] });

console.log(`Node ${process.version}, ${os.cpus().length} cores; median of ${N} runs\n`);
console.log('Cold start to input validation (missing plan file -> clear error)');
const env = { INPUT_PLAN: path.join(tmp, 'missing.yml'), GITHUB_OUTPUT: path.join(tmp, 'o'), GITHUB_STEP_SUMMARY: path.join(tmp, 's') };
fs.writeFileSync(env.GITHUB_OUTPUT, '');
fs.writeFileSync(env.GITHUB_STEP_SUMMARY, '');
const ref = [];
const actions = fs.readdirSync(path.join(root, 'dist/actions')).map((f) => f.replace(/\.js$/, ''));
const per = Object.fromEntries(actions.map((a) => [a, []]));
for (let i = 0; i < N; i++) {
  ref.push(time([path.join(root, '.bench/ref.mjs')], env));
  for (const a of actions) per[a].push(time([path.join(root, 'dist/actions', `${a}.js`)], env));
}
const refMs = median(ref);
console.log(`  reference (@actions/core only)  ${refMs.toFixed(0)} ms`);
for (const a of actions) {
  const m = median(per[a]);
  console.log(`  ${a.padEnd(31)} ${m.toFixed(0)} ms  ratio ${(m / refMs).toFixed(2)}`);
}

console.log('\nSize of dist/');
let total = 0;
const sizes = [];
for (const f of fs.readdirSync(path.join(root, 'dist'), { recursive: true })) {
  const p = path.join(root, 'dist', f);
  if (fs.statSync(p).isFile()) {
    const n = fs.statSync(p).size;
    total += n;
    sizes.push([f, n]);
  }
}
console.log(`  total ${(total / 1e6).toFixed(1)} MB in ${sizes.length} files; largest:`);
for (const [f, n] of sizes.sort((a, b) => b[1] - a[1]).slice(0, 6)) console.log(`    ${(n / 1e6).toFixed(2).padStart(6)} MB  ${f}`);

console.log('\nRegion-outage drill on the sandbox (all three stacks, speed 600)');
const out = path.join(tmp, 'drill');
const t0 = Date.now();
const r = spawnSync(process.execPath, [path.join(root, 'bin/aegis-dr.js'), 'drill', '--out', out, '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
const wall = Date.now() - t0;
try {
  const res = JSON.parse(r.stdout);
  console.log(`  result ${res.ok ? 'PASSED' : 'FAILED'}; wall time ${(wall / 1000).toFixed(1)} s (sandbox start, triggers, readiness, failover, sync, failback)`);
  for (const s of res.stacks) console.log(`  ${s.stack.padEnd(6)} RTO ${(s.rtoMs / 1000).toFixed(1)} s (incident to verified), RPO ${s.rpoSeconds} s`);
  console.log(`  ${res.sandbox.mutations} data-changing calls; failovers ${JSON.stringify(res.sandbox.failovers)}; split brain: ${res.sandbox.splitBrain}`);
} catch {
  console.log(`  drill did not produce JSON (exit ${r.status}): ${r.stderr.slice(-500)}`);
}

fs.rmSync(tmp, { recursive: true, force: true });
