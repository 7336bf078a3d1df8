#!/usr/bin/env node
// npm run bench: figures, printed, never asserted. Measured in one run on this machine:
//  - cold start of each action up to input validation, as a ratio to a bundle that imports only
//    @actions/core (target <= 1.15), median of N interleaved runs each; and, for information, the
//    whole validate action on the example plan (YAML parse, schema and rules) against the same;
//  - the size of dist/ in total and per chunk (target: under 15 MB);
//  - the main job, a region-outage drill on the sandbox at speed 600: wall time, RTO/RPO, calls;
//  - a region-outage failover of all three stacks at speed 10: measured time against the critical
//    path of the sandbox's own durations (target <= 1.10) and against the runbook done step after
//    step (target <= 0.6), API calls per service, the Route 53 peak rate (target <= 5 a second);
//  - the failback of all three stacks at speed 20: measured against its own critical path;
//  - the time of `npm test` (skip with --no-test).
//
//   npm run bench [-- --no-test]      BENCH_RUNS=N sets the number of cold-start runs (default 15)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ncc } from './ncc.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.env.BENCH_RUNS ?? 15);
const runTests = !process.argv.includes('--no-test');
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

// The reference: an action that imports only @actions/core, reads the plan input, checks that the
// file can be read and fails with a message, bundled by ncc with the flags of `npm run build`.
const refDir = path.join(root, '.bench');
fs.mkdirSync(path.join(refDir, 'src'), { recursive: true });
fs.writeFileSync(
  path.join(refDir, 'src/ref.mjs'),
  [
    "import * as core from '@actions/core';",
    "import { access } from 'node:fs/promises';",
    "const plan = core.getInput('plan') || '.github/dr-plan.yml';",
    "try { await access(plan); core.setOutput('ok', 'true'); } catch { core.setFailed(`Cannot read the plan file ${plan}.`); }",
    '',
  ].join('\n'),
);
ncc(path.join(refDir, 'src/ref.mjs'), path.join(refDir, 'ref'));
const refEntry = path.join(refDir, 'ref/index.mjs');

console.log(`Node ${process.version}, ${os.cpus().length} cores; median of ${N} interleaved runs\n`);
const baseEnv = {
  GITHUB_OUTPUT: path.join(tmp, 'o'),
  GITHUB_STEP_SUMMARY: path.join(tmp, 's'),
  RUNNER_TEMP: tmp,
};
fs.writeFileSync(baseEnv.GITHUB_OUTPUT, '');
fs.writeFileSync(baseEnv.GITHUB_STEP_SUMMARY, '');
const actions = fs.readdirSync(path.join(root, 'dist/actions')).map((f) => f.replace(/\.js$/, ''));

/** Median time of the reference and of each entry, runs interleaved so load changes hit all alike. */
function coldStart(entries, env) {
  const ref = [];
  const per = Object.fromEntries(entries.map(([name]) => [name, []]));
  for (let i = 0; i < N; i++) {
    ref.push(time([refEntry], env));
    for (const [name, file, extra] of entries) per[name].push(time([file], { ...env, ...extra }));
  }
  const refMs = median(ref);
  console.log(`  reference (@actions/core only)  ${refMs.toFixed(0)} ms`);
  let worst = 0;
  for (const [name] of entries) {
    const m = median(per[name]);
    worst = Math.max(worst, m / refMs);
    console.log(`  ${name.padEnd(31)} ${m.toFixed(0)} ms  ratio ${(m / refMs).toFixed(2)}`);
  }
  return worst;
}

console.log('Cold start to input validation (every action; the plan file is missing -> one clear error)');
const worst = coldStart(
  actions.map((a) => [a, path.join(root, 'dist/actions', `${a}.js`)]),
  { ...baseEnv, INPUT_PLAN: path.join(tmp, 'missing.yml') },
);
console.log(`  worst ratio ${worst.toFixed(2)} (target <= 1.15)`);

console.log(
  '\nWhole validate action on examples/cloud-aegis.plan.yml (YAML, schema, rules, summary), for information',
);
coldStart([['validate (example plan)', path.join(root, 'dist/actions/validate.js')]], {
  ...baseEnv,
  INPUT_PLAN: path.join(root, 'examples/cloud-aegis.plan.yml'),
  INPUT_JOURNAL: path.join(tmp, 'journal.jsonl'),
});

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
for (const [f, n] of sizes.sort((a, b) => b[1] - a[1]).slice(0, 6))
  console.log(`    ${(n / 1e6).toFixed(2).padStart(6)} MB  ${f}`);

/** Run `aegis-dr drill --json` with `args`; the parsed result and the wall time, or undefined. */
function drill(name, args) {
  const t0 = Date.now();
  const r = spawnSync(
    process.execPath,
    [
      path.join(root, 'bin/aegis-dr.js'),
      'drill',
      '--out',
      path.join(tmp, name),
      '--durations',
      'mean',
      '--json',
      ...args,
    ],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const wall = Date.now() - t0;
  try {
    return { res: JSON.parse(r.stdout), wall };
  } catch {
    console.log(`  drill did not produce JSON (exit ${r.status}): ${r.stderr.slice(-500)}`);
    return undefined;
  }
}
const sec = (ms) => `${(ms / 1000).toFixed(2)} s`;
const mark = (ok) => (ok ? 'met' : 'MISSED');

console.log(
  '\nRegion-outage drill on the sandbox, the main job (all three stacks, speed 600, each cloud duration the mean of its range)',
);
const full = drill('full', []);
if (full) {
  const { res, wall } = full;
  console.log(
    `  result ${res.ok ? 'PASSED' : 'FAILED'}; wall time ${(wall / 1000).toFixed(1)} s (sandbox start, triggers, readiness, failover, sync, reprotect, failback, reverse reprotect)`,
  );
  for (const s of res.stacks)
    console.log(
      `  ${s.stack.padEnd(6)} RTO ${(s.rtoMs / 1000).toFixed(1)} s (declaration to verified), RPO ${s.rpoSeconds} s`,
    );
  console.log(
    `  ${res.sandbox.mutations} data-changing calls; failovers ${JSON.stringify(res.sandbox.failovers)}; split brain: ${res.sandbox.splitBrain}`,
  );
  const whole = res.sandbox.requests.services.route53;
  if (whole)
    console.log(
      `  Route 53 over the whole drill: ${whole.total} requests, peak ${whole.peakPerSecond}/s (target <= 5, ${mark(whole.peakPerSecond <= 5)})`,
    );
  if (res.figures) {
    const f = res.figures;
    console.log(
      `  failover ${sec(f.failoverMs)} against a critical path of ${sec(f.criticalPathMs)}: at speed 600 the costs that do not shrink with the`,
    );
    console.log(
      "  sandbox speed (Route 53's 5 requests a second, poll and request latency) dominate, so the ratios are measured at speed 10 below",
    );
  }
}

// At speed 10 a cloud operation lasts a tenth of its real time, so what the pipeline adds
// (polling latency, request time, Route 53's rate limit) is measured against durations that matter.
const SPEED = 10; // BENCH_SPEED in src/drill/drill.ts (the drill summary names it)
console.log(
  `\nRegion-outage failover of all three stacks (failover and verify only, speed ${SPEED}, each cloud duration the mean of its range)`,
);
const fo = drill('failover', ['--speed', String(SPEED), '--no-failback']);
if (fo?.res.figures) {
  const { res } = fo;
  const f = res.figures;
  console.log(
    `  result ${res.ok ? 'PASSED' : 'FAILED'}; failover of all stacks (first failover step to last verify check): ${sec(f.failoverMs)}`,
  );
  console.log(
    `    critical path of the sandbox's durations ${sec(f.criticalPathMs)}  ratio ${f.criticalPathRatio.toFixed(2)} (target <= 1.10, ${mark(f.criticalPathRatio <= 1.1)})`,
  );
  console.log(
    `    runbook step after step               ${sec(f.sequentialMs)}  ratio ${f.sequentialRatio.toFixed(2)} (target <= 0.6, ${mark(f.sequentialRatio <= 0.6)})`,
  );
  for (const s of f.stacks)
    console.log(
      `    ${s.stack.padEnd(6)} measured ${sec(s.failoverMs)}, its critical path ${sec(s.criticalPathMs)}, its runbook ${sec(s.sequentialMs)}`,
    );
  console.log(
    '  API calls during the failover (total, data-changing, throttled or failed (an unreachable region counts as failed), busiest second):',
  );
  for (const [name, c] of Object.entries(f.requests.services)) {
    console.log(
      `    ${name.padEnd(11)} ${String(c.total).padStart(4)}  ${String(c.mutations).padStart(3)} changing  ${String(c.throttled + c.errors).padStart(3)} failed  peak ${c.peakPerSecond}/s`,
    );
  }
  const r53 = f.route53PeakPerSecond;
  console.log(
    `  Route 53 peak: ${r53.sandbox} requests in a sliding second as the sandbox received them, ${r53.limiter ?? 'n/a'} as the client limiter let them through (target <= 5, ${mark(Math.max(r53.sandbox, r53.limiter ?? 0) <= 5)})`,
  );
} else if (fo) console.log('  the drill reported no failover figures');

// The failback (src/phases/failback.ts, after the gate and the sync: fence and scale the primary,
// fence and drain DR, catch up, promote the primary-region replica, traffic back, verify) against
// its own critical path. A full drill: at speed 20 the two replica builds of reprotect (15-30 cloud
// minutes each) take about a minute each.
const FB_SPEED = 20;
console.log(
  `\nFailback of all three stacks after a region-outage failover (a full drill at speed ${FB_SPEED}, each cloud duration the mean of its range)`,
);
const fb = drill('failback', ['--speed', String(FB_SPEED)]);
if (fb?.res.failbackFigures) {
  const b = fb.res.failbackFigures;
  console.log(
    `  result ${fb.res.ok ? 'PASSED' : 'FAILED'}; wall time ${(fb.wall / 1000).toFixed(1)} s; failback of all stacks (first failback step to the primary verified): ${sec(b.failoverMs)}`,
  );
  console.log(
    `    critical path of the sandbox's durations ${sec(b.criticalPathMs)}  ratio ${b.criticalPathRatio.toFixed(2)} (target <= 1.10, ${mark(b.criticalPathRatio <= 1.1)})`,
  );
  console.log(
    `    runbook step after step               ${sec(b.sequentialMs)}  ratio ${b.sequentialRatio.toFixed(2)}`,
  );
  for (const s of b.stacks)
    console.log(
      `    ${s.stack.padEnd(6)} measured ${sec(s.failoverMs)}, its critical path ${sec(s.criticalPathMs)}`,
    );
} else if (fb) console.log('  the drill reported no failback figures (did the failback pass?)');

if (runTests) {
  console.log('\nnpm test (lint, type-check, every test; includes the dist/ rebuild check)');
  const t = Date.now();
  const test = spawnSync('npm', ['test'], { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const summary = /Tests:\s+(.*)/.exec(test.stdout + test.stderr)?.[1] ?? 'no jest summary';
  console.log(
    `  ${test.status === 0 ? 'passed' : `FAILED (exit ${test.status})`} in ${((Date.now() - t) / 1000).toFixed(0)} s; ${summary}`,
  );
}

fs.rmSync(tmp, { recursive: true, force: true });
