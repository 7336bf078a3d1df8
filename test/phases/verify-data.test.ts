/**
 * Verify's error-rate check on missing data: Prometheus answers a ratio with no series, or NaN
 * (0/0), for a region that served no requests in the window. That is missing data, never a rate
 * of 0 (https://prometheus.io/docs/prometheus/latest/querying/operators/: "no matching" elements
 * drop out of a vector division; 0/0 is NaN), so the check fails and says so.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runPhase } from '../../src/phases/runner.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sandbox: Sandbox;
let work: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-verify-data-'));
  sandbox = await startSandbox({ outDir: work, speed: 1000, prometheus: 'builtin', clouds: ['gcp'] });
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('verify error rate without data', () => {
  it('fails the error-rate check of a site that served no requests, saying there is no data', async () => {
    // traffic is on the primary: the DR region has served nothing
    const { result } = await runPhase({
      phase: 'verify',
      planFile: sandbox.planFile!,
      journalFile: path.join(work, 'journal.jsonl'),
      inputs: { target: 'dr' },
      run: { retry: { maxAttempts: 2, baseMs: 1, capMs: 5 } },
    });
    const rate = result.rows.find((r) => r.item === 'Error rate');
    expect(rate).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^no data: .*us-central1/) });
  }, 60_000);

  it('measures the serving site: its ratio is a number and under the limit', async () => {
    const { result } = await runPhase({
      phase: 'verify',
      planFile: sandbox.planFile!,
      journalFile: path.join(work, 'journal.jsonl'),
      inputs: { target: 'primary' },
      run: { retry: { maxAttempts: 2, baseMs: 1, capMs: 5 } },
    });
    const rate = result.rows.find((r) => r.item === 'Error rate');
    expect(rate).toMatchObject({
      status: 'pass',
      detail: expect.stringMatching(/^5xx ratio 0\.\d\d % in us-east1/),
    });
  }, 60_000);
});
