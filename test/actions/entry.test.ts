/**
 * The action entry as GitHub runs it (src/actions/run.ts), with @actions/core replaced by a
 * recording stub: each mistake a workflow can make ends in one setFailed sentence, with the
 * annotations and summary it deserves and no stack trace; a phase run writes its step log (a group
 * per stack, a line as each step starts and ends) and its summary in the outcome vocabulary.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jest } from '@jest/globals';
import * as core from '../support/core.js';

jest.unstable_mockModule('@actions/core', () => core);
const { runAction } = await import('../../src/actions/run.js');
const { startSandbox } = await import('../../src/sandbox/index.js');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-entry-'));
const badPlan = path.join(work, 'bad-plan.yml');
fs.writeFileSync(badPlan, 'apiVersion: aegis.io/v1\nkind: DRPlan\nservice: x\nstackz: {}\n');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
beforeEach(() => core.reset());

describe('the error funnel: thrown error -> setFailed, annotations, summary', () => {
  it.each([
    {
      reason: 'a boolean input that is not a boolean is refused, naming the input and the accepted values',
      phase: 'readiness',
      inputs: { 'dry-run': 'maybe' },
      failed: /^input "dry-run" is "maybe": expected true or false \(also accepted: yes, on, 1, no, off, 0\); write true or false\.$/,
      annotations: 0,
      summary: undefined,
    },
    {
      reason: 'an unknown phase names the phases there are',
      phase: undefined,
      inputs: { phase: 'failovr' },
      failed: /failovr.*(did you mean|expected)/i,
      annotations: 0,
      summary: undefined,
    },
    {
      reason: 'a plan file that cannot be read is a plan problem: annotated on the file, named in the summary',
      phase: 'readiness',
      inputs: { plan: path.join(work, 'missing.yml') },
      failed: /^The DR plan .*missing\.yml has 1 problem\(s\)/,
      annotations: 1,
      summary: /## DR plan is invalid/,
    },
    {
      reason: 'force without a reason is refused before anything runs',
      phase: 'database',
      inputs: { plan: badPlan, force: 'true' },
      failed: /^Input 'force-reason' is empty while 'force' is true/,
      annotations: 0,
      summary: undefined,
    },
    {
      reason: 'an invalid plan fails once, with each problem annotated on its line and a summary table',
      phase: 'readiness',
      inputs: { plan: badPlan },
      failed: /^The DR plan .*bad-plan\.yml has \d+ problem\(s\); each is annotated on its line\.$/,
      annotations: 1,
      summary: /## DR plan is invalid[\s\S]*\| Line \| Field \| Problem \|/,
    },
  ])('$reason', async ({ phase, inputs, failed, annotations, summary }) => {
    Object.assign(core.inputs, inputs);
    await runAction(phase);
    const f = core.of('setFailed');
    expect(f).toHaveLength(1);
    expect(String(f[0])).toMatch(failed);
    expect(String(f[0])).not.toMatch(/\n\s+at /); // no stack trace
    expect(core.of('error').length).toBeGreaterThanOrEqual(annotations);
    if (annotations === 0) expect(core.of('error')).toEqual([]);
    const s = core.of('summary').join('\n');
    if (summary) expect(s).toMatch(summary);
    else expect(s).toBe('');
  });
});

describe('the step log of a phase run', () => {
  it('a group per stack, a line as each step starts and ends, the summary in the outcome words', async () => {
    const sandbox = await startSandbox({ outDir: path.join(work, 'sb'), speed: 1000, prometheus: 'builtin' });
    try {
      Object.assign(core.inputs, {
        plan: sandbox.planFile!,
        journal: path.join(work, 'journal.jsonl'),
        'dry-run': 'true',
        'incident-class': 'region-outage', // no declaration in this journal: the class is given
      });
      await runAction('scale');
      expect(core.of('setFailed')).toEqual([]);
      const groups = core.of('startGroup');
      expect(new Set(groups)).toEqual(new Set(['stack aws', 'stack azure', 'stack gcp']));
      // every group is closed, and groups never nest
      let depth = 0;
      for (const c of core.calls) {
        if (c.fn === 'startGroup') expect(++depth).toBe(1);
        if (c.fn === 'endGroup') expect(--depth).toBe(0);
      }
      expect(depth).toBe(0);
      const lines = core.of('info').map(String);
      expect(lines.filter((l) => /^started {2}scale\/node-pool/.test(l))).toHaveLength(3);
      expect(lines.filter((l) => /^would do {2}scale\/node-pool/.test(l))).toHaveLength(3);
      const s = core.of('summary').join('\n');
      expect(s).toMatch(/\| aws \| .* \| would do \|/);
      expect(s).not.toMatch(/\| (PASS|DONE|WOULD|SKIP) \|/);
    } finally {
      await sandbox.close();
    }
  }, 60_000);
});
