/**
 * RPO evidence of the database step, through the official SDKs against the sandbox: the cloud's
 * replication lag (CloudWatch ReplicaLag, Cloud Monitoring replica_lag) when it reports one, an
 * upper bound (last lag plus its age) once the primary has vanished, and the app metric as the
 * fallback (a cloud whose API gives no lag in seconds, or a read the cloud refuses).
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Journal, type JournalRecord } from '../../src/engine/journal.js';
import { createContext } from '../../src/engine/step.js';
import { loadPlan } from '../../src/plan/load.js';
import { failoverDatabase } from '../../src/phases/database.js';
import { createEnvironment } from '../../src/phases/environment.js';
import type { PhaseContext, ResultRow } from '../../src/phases/types.js';
import { rpoOf } from '../../src/report/figures.js';
import type { CloudKind } from '../../src/sandbox/world.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let sb: Sandbox;
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-rpo-'));
});
afterEach(async () => {
  await sb?.close();
  sb = undefined as unknown as Sandbox; // closed: the next test starts its own
  fs.rmSync(dir, { recursive: true, force: true });
});

async function start(clouds: CloudKind[]) {
  sb = await startSandbox({ outDir: dir, speed: 600, prometheus: 'builtin', clouds });
  await sleep(300); // a few cloud minutes of lag samples
}

/** Fail one stack's database over to DR; returns its rows and the failover record. */
async function failover(stack: string): Promise<{ rows: ResultRow[]; record: JournalRecord }> {
  const plan = await loadPlan(sb.planFile!);
  const journal = new Journal();
  const run = createContext(journal, {
    // the fence is not what these tests are about
    force: { by: 'octocat', reason: 'test: the RPO evidence alone' },
    retry: { maxAttempts: 2, baseMs: 1, capMs: 5 },
  });
  const ctx = { plan, stacks: [stack], run, env: createEnvironment(plan), inputs: {} } as PhaseContext;
  const rows = await failoverDatabase(ctx, 'database', stack, 'dr', 'cross-region');
  const record = journal.thisRun().find((r) => r.step === 'failover' && r.outcome === 'done')!;
  expect(record).toBeDefined();
  return { rows, record };
}

describe('RPO from the cloud, the primary reachable', () => {
  it.each([
    ['aws', 'cloudwatch'],
    ['gcp', 'cloud-monitoring'],
  ])(
    '%s: the lag at promotion as %s reports it, measured',
    async (cloud, source) => {
      await start([cloud as CloudKind]);
      const { rows, record } = await failover(cloud);
      expect(record.data).toMatchObject({
        rpoKind: 'measured',
        rpoSource: source,
        rpoSeconds: 1.5,
        lagSeconds: 1.5,
      });
      expect(record.data!.lagAgeSeconds as number).toBeLessThan(5);
      // observed before the promotion ended, and recently
      expect(Date.parse(record.data!.rpoObservedAt as string)).toBeLessThanOrEqual(
        Date.parse(record.endedAt),
      );
      expect(rows[0].detail).toContain(`RPO 1.5 s (replication lag at promotion, by ${source})`);
      expect(rpoOf(record, true)).toMatchObject({ kind: 'measured', seconds: 1.5 });
    },
    60_000,
  );
});

describe('RPO after the primary vanished: an upper bound', () => {
  it.each([
    ['aws', 'cloudwatch'],
    ['gcp', 'cloud-monitoring'],
  ])(
    '%s: the last lag %s observed, plus its age',
    async (cloud, source) => {
      await start([cloud as CloudKind]);
      sb.applyScenario('replication-stalled');
      await sleep(800); // the replica falls behind while the primary takes writes
      sb.applyScenario('region-outage');
      const vanishedAt = Date.now();
      await sleep(700); // no datapoint arrives any more
      const { rows, record } = await failover(cloud);
      const d = record.data as Record<string, number | string>;
      expect(d).toMatchObject({ rpoKind: 'upper-bound', rpoSource: source });
      const lag = d.lagSeconds as number;
      const age = d.lagAgeSeconds as number;
      expect(lag).toBeGreaterThan(1.5 + 0.5); // grew while stalled
      expect(Date.parse(d.rpoObservedAt as string)).toBeLessThanOrEqual(vanishedAt + 50);
      expect(age).toBeGreaterThanOrEqual(0.6);
      expect(d.rpoSeconds as number).toBeCloseTo(lag + age, 3);
      expect(rows[0].detail).toMatch(
        /RPO ≤ [0-9.]+ s \(last lag [0-9.]+ s by .*, observed [0-9.]+ s before the promotion; the primary had vanished\)/,
      );
      const fig = rpoOf(record, true);
      expect(fig).toMatchObject({ kind: 'upper bound', seconds: d.rpoSeconds });
      expect(fig.reason).toMatch(
        /^last lag [0-9.]+ s by (cloudwatch|cloud-monitoring), observed [0-9.]+ s before the promotion; the primary had vanished/,
      );
    },
    60_000,
  );
});

describe('RPO from the app metric, when the cloud gives no lag', () => {
  it('aws: CloudWatch refuses the read (AccessDenied): the app metric, and why', async () => {
    await start(['aws']);
    sb.faults.add({ service: 'cloudwatch', kind: 'error', status: 403, rate: 1 });
    const { record } = await failover('aws');
    expect(record.data).toMatchObject({ rpoKind: 'measured', rpoSource: 'app-metric', rpoSeconds: 1.5 });
    expect(record.data!.cloudNote).toMatch(/could not be read/);
    expect(rpoOf(record, true).reason).toMatch(/by the app metric/);
  }, 60_000);

  it('azure: a failover group gives no lag in seconds: the app metric', async () => {
    await start(['azure']);
    const { record } = await failover('azure');
    expect(record.data).toMatchObject({ rpoKind: 'measured', rpoSource: 'app-metric' });
    expect(record.data!.cloudNote).toMatch(/gives no replication lag in seconds/);
  }, 60_000);
});

describe('the report of a recorded RPO', () => {
  const record = (data: Record<string, unknown>) =>
    ({
      phase: 'database',
      step: 'failover',
      stack: 'aws',
      outcome: 'done',
      data,
    }) as unknown as JournalRecord;

  it('an upper bound from the app metric says its age is not known', () => {
    const fig = rpoOf(
      record({ rpoKind: 'upper-bound', rpoSource: 'app-metric', rpoSeconds: 4, lagSeconds: 4 }),
      true,
    );
    expect(fig).toMatchObject({ kind: 'upper bound', seconds: 4 });
    expect(fig.reason).toBe(
      'last lag 4.0 s by the app metric (its age not recorded); the primary had vanished, so writes it took after that cannot be counted',
    );
  });

  it('a cloud upper bound is the recorded figure, the last lag plus its age', () => {
    const fig = rpoOf(
      record({
        rpoKind: 'upper-bound',
        rpoSource: 'cloudwatch',
        rpoSeconds: 42.5,
        lagSeconds: 12.5,
        lagAgeSeconds: 30,
      }),
      true,
    );
    expect(fig).toMatchObject({ kind: 'upper bound', seconds: 42.5 });
    expect(fig.reason).toMatch(/^last lag 12\.5 s by cloudwatch, observed 30\.0 s before the promotion;/);
  });
});
