/**
 * Readiness reads the replication lag series only once Prometheus holds it: on a fresh sandbox
 * whose first scrapes of /metrics fail (a deliberately late first scrape) no check reports the
 * series missing. With no series at all (every scrape failing) a reachable primary fails the check
 * (missing data is never a lag of 0), and an unreachable primary is reported as such on every cloud,
 * whatever its replica says (the race behind `FAIL gcp Replication: no replication lag series`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PrometheusClient } from '../../src/providers/prometheus.js';
import { runPhase } from '../../src/phases/runner.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { requirePrometheus } from '../support/prometheus.js';
import { until } from '../support/wait.js';

const binary = requirePrometheus();
const maybe = binary ? describe : describe.skip;

let sandbox: Sandbox;
let work: string;

maybe('readiness and the replication lag series', () => {
  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-readiness-'));
    sandbox = await startSandbox({
      outDir: work,
      speed: 1000,
      prometheus: 'real',
      // the first three scrapes of the app's /metrics fail: the first good one is late
      faults: [{ service: 'app', operation: 'metrics', kind: 'error', rate: 1, times: 3 }],
    });
  }, 90_000);

  afterAll(async () => {
    await sandbox?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  const readiness = () =>
    runPhase({
      phase: 'readiness',
      planFile: sandbox.planFile!,
      journalFile: path.join(work, 'journal.jsonl'),
      run: { retry: { maxAttempts: 2, baseMs: 1, capMs: 5 } },
    });
  const replicationRows = <R extends { item: string }>(rows: R[]) =>
    rows.filter((r) => r.item === 'Replication');

  it('a fresh sandbox whose first scrape was late: every check passes (the AWS switch plane warns), the lag series is read', async () => {
    expect(sandbox.faults.list()).toHaveLength(1);
    const { result } = await readiness();
    // the one warning: the AWS switch calls Route 53's control plane while the primary is us-east-1
    expect(
      result.rows.filter((r) => r.status !== 'pass').map((r) => `${r.stack} ${r.item} ${r.status}`),
    ).toEqual(['aws Traffic switch plane warn']);
    for (const r of replicationRows(result.rows)) expect(r.detail).toMatch(/^lag \d/);
  }, 60_000);

  it('no lag series while the primary answers: the lag of the cloud is read where the cloud reports one; elsewhere the check fails naming the missing series', async () => {
    sandbox.faults.add({ service: 'app', operation: 'metrics', kind: 'error', rate: 1 });
    const prom = new PrometheusClient(sandbox.prometheus.url);
    await until(
      () => prom.query('aegis_db_replication_lag_seconds'),
      (s) => s.length === 0,
    );
    const { result } = await readiness();
    const rows = replicationRows(result.rows);
    expect(rows.map((r) => r.stack).sort()).toEqual(['aws', 'azure', 'gcp']);
    const by = (stack: string) => rows.find((r) => r.stack === stack)!;
    // RDS and Cloud SQL: CloudWatch and Cloud Monitoring report the lag without the app's series
    expect(by('aws')).toMatchObject({ status: 'pass', detail: /^lag 1\.5 s by cloudwatch / });
    expect(by('gcp')).toMatchObject({ status: 'pass', detail: /^lag 1\.5 s by cloud-monitoring / });
    // Azure SQL: ARM gives no lag in seconds, and missing data is never a lag of 0
    expect(by('azure')).toMatchObject({
      status: 'fail',
      detail:
        /no replication lag series in Prometheus \(and the azure-sql API gives no replication lag in seconds\)/,
    });
  }, 60_000);

  it('no lag series and the primary region down: every cloud says primary unreachable, none fails', async () => {
    sandbox.applyScenario('region-outage');
    const { result } = await readiness();
    const rows = replicationRows(result.rows);
    expect(rows).toHaveLength(3);
    // the clouds that measure the lag show the last datapoint from before the outage
    for (const r of rows)
      expect(r).toMatchObject({
        status: 'warn',
        detail:
          r.stack === 'azure'
            ? /^primary unreachable: .*no lag series$/
            : /^primary unreachable: .*last lag 1\.5 s by (cloudwatch|cloud-monitoring)$/,
      });
  }, 60_000);
});
