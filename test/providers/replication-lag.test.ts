/**
 * Replication lag from the clouds' monitoring services, through the official SDKs on loopback:
 * CloudWatch GetMetricData (AWS/RDS ReplicaLag, AWS JSON 1.0) and Cloud Monitoring
 * timeSeries.list (cloudsql replica_lag, REST), against the sandbox's emulators. The sandbox's lag
 * is world state: it grows while a stalled replica's primary takes writes, and stops being reported
 * (no new datapoint) once the primary's region is down.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Stack } from '../../src/plan/types.js';
import { createAwsProviders } from '../../src/providers/aws/index.js';
import { createGcpProviders } from '../../src/providers/gcp/index.js';
import type { CloudProviders, LagReading } from '../../src/providers/types.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sandbox: Sandbox;
const providers: Record<string, CloudProviders> = {};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  sandbox = await startSandbox({ clouds: ['aws', 'gcp'], speed: 600, prometheus: 'builtin' });
  const stacks = sandbox.planDocument.stacks as Record<string, Stack>;
  providers.aws = createAwsProviders(stacks.aws);
  providers.gcp = createGcpProviders(stacks.gcp);
  await sleep(400); // a few cloud minutes of samples
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
});

const read = (cloud: string, site: 'primary' | 'dr' = 'dr') =>
  providers[cloud].database.replicationLag!(site);

describe.each([
  ['aws', 'cloudwatch', 'aegis-db-replica'],
  ['gcp', 'cloud-monitoring', 'aegis-db-dr-replica'],
])('%s replication lag', (cloud, source, replica) => {
  it('is measured from the cloud while replication is healthy', async () => {
    const r = (await read(cloud)) as LagReading;
    expect(r).toMatchObject({ source, replica, seconds: 1.5 });
    expect(Date.now() - r.observedAt.getTime()).toBeLessThan(60_000);
  });
});

describe('a stalled replica, then the primary region down', () => {
  let before: Record<string, LagReading> = {};
  it('lag grows while the primary takes writes', async () => {
    sandbox.applyScenario('replication-stalled');
    await sleep(300);
    before = { aws: (await read('aws'))!, gcp: (await read('gcp'))! };
    await sleep(1200);
    for (const cloud of ['aws', 'gcp']) {
      const after = (await read(cloud))!;
      expect(after.seconds).toBeGreaterThan(before[cloud].seconds + 0.8);
      expect(after.observedAt.getTime()).toBeGreaterThan(before[cloud].observedAt.getTime());
    }
  });

  it('is no longer reported once the primary is down: the last datapoint stays, and ages', async () => {
    sandbox.applyScenario('region-outage');
    await sleep(100);
    const last = { aws: (await read('aws'))!, gcp: (await read('gcp'))! };
    await sleep(800);
    for (const cloud of ['aws', 'gcp'] as const) {
      const again = (await read(cloud))!;
      // no new datapoint: the newest is the one from before the outage
      expect(again.observedAt.getTime()).toBe(last[cloud].observedAt.getTime());
      expect(again.seconds).toBe(last[cloud].seconds);
      expect(Date.now() - again.observedAt.getTime()).toBeGreaterThanOrEqual(700);
    }
  });
});
