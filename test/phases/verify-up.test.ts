/**
 * Verify's error-rate check against the real Prometheus: each sandbox site has a scrape target of
 * its own that goes down with its site, and Prometheus reports a target it cannot scrape as
 * `up == 0` (https://prometheus.io/docs/concepts/jobs_instances/#automatically-generated-labels-and-time-series).
 * A site whose target is down fails the check with a message that says so, whatever a rate over
 * the window still reads from the samples before it went down.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runPhase } from '../../src/phases/runner.js';
import { PrometheusClient } from '../../src/providers/prometheus.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { requirePrometheus } from '../support/prometheus.js';
import { until } from '../support/wait.js';

const binary = requirePrometheus();
const maybe = binary ? describe : describe.skip;

let sandbox: Sandbox;
let work: string;

maybe('verify reads up', () => {
  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-verify-up-'));
    sandbox = await startSandbox({ outDir: work, speed: 1000, prometheus: 'real', clouds: ['gcp'] });
  }, 90_000);

  afterAll(async () => {
    await sandbox?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  const verify = (target: 'primary' | 'dr') =>
    runPhase({
      phase: 'verify',
      planFile: sandbox.planFile!,
      journalFile: path.join(work, 'journal.jsonl'),
      inputs: { target, 'incident-class': 'region-outage' },
      run: { retry: { maxAttempts: 2, baseMs: 1, capMs: 5 } },
    });

  it('every site has a target of its own, up while its site is', async () => {
    const prom = new PrometheusClient(sandbox.prometheus.url);
    const up = await prom.query('up{job="aegis-site"}');
    expect(up.map((s) => [s.labels.site, s.labels.region, s.value]).sort()).toEqual([
      ['dr', 'us-central1', 1],
      ['primary', 'us-east1', 1],
    ]);
    // a rate over the 5 s window needs two scrapes of the site's requests: wait for the first
    // window's worth of them (right after the sandbox starts there may be only one)
    await until(
      () => prom.query('sum(rate(aegis_http_requests_total[5s])) by (region)'),
      (v) => v.some((x) => x.labels.region === 'us-east1'),
    );
    const { result } = await verify('primary');
    const rate = result.rows.find((r) => r.item === 'Error rate');
    expect([rate?.status, rate?.detail]).toEqual(['pass', rate?.detail]);
  }, 60_000);

  it('a site whose target is down fails the error-rate check, saying Prometheus reports it down', async () => {
    sandbox.world.stack('gcp').sites.dr.up = false;
    const prom = new PrometheusClient(sandbox.prometheus.url);
    await until(
      () => prom.query('up{job="aegis-site",site="dr"}'),
      (s) => s.length === 1 && s[0].value === 0,
    );
    const { result } = await verify('dr');
    expect(result.rows.find((r) => r.item === 'Error rate')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(
        /^Prometheus reports the scrape target of us-central1 down \(up == 0: aegis-site\/127\.0\.0\.1:\d+\)/,
      ),
    });
  }, 60_000);
});
