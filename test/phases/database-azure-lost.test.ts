/**
 * An Azure failover group failover whose answer is slow or lost is sent once, through
 * @azure/arm-sql against the sandbox: the re-observe after the act waits for the failover the
 * first call started instead of sending another (FailoverGroups_Failover twice).
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Journal } from '../../src/engine/journal.js';
import { createContext } from '../../src/engine/step.js';
import { loadPlan } from '../../src/plan/load.js';
import { failoverDatabase } from '../../src/phases/database.js';
import { createEnvironment } from '../../src/phases/environment.js';
import type { PhaseContext } from '../../src/phases/types.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

const REQUEST_TIMEOUT_MS = 1000;

// load the providers first, so that the timing of the first act is the calls' own, not an import's
beforeAll(async () => {
  await Promise.all([
    import('../../src/providers/azure/index.js'),
    import('../../src/providers/kubernetes/cluster.js'),
  ]);
}, 60_000);

describe('azure failover group failover with a slow or lost answer', () => {
  let sb: Sandbox;
  let dir: string;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-azlost-'));
    sb = await startSandbox({
      outDir: dir,
      speed: 1000,
      prometheus: 'builtin',
      clouds: ['azure'],
      planOverrides: (doc) => {
        doc.thresholds.deadlines = { ...doc.thresholds.deadlines, database: '20s' };
      },
    });
  });
  afterEach(async () => {
    sb.faults.clear();
    await sb.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function failover(journal: Journal) {
    const plan = await loadPlan(sb.planFile!);
    const run = createContext(journal, {
      retry: { maxAttempts: 4, baseMs: 50, capMs: 500, requestTimeoutMs: REQUEST_TIMEOUT_MS },
      // the primary is left unfenced here: the test is about the failover call, not the fence
      force: { by: 'octocat', reason: 'test: the failover call alone' },
    });
    const ctx = { plan, stacks: ['azure'], run, env: createEnvironment(plan), inputs: {} } as PhaseContext;
    return failoverDatabase(ctx, 'database', 'azure', 'dr', 'cross-region');
  }

  /** FailoverGroups_Failover requests the sandbox received (answered or not). */
  const sent = () =>
    sb.world.requests.records.filter((r) => r.service === 'arm' && r.operation === 'FailoverGroups_Failover')
      .length;

  it('an act whose calls together outlast one request timeout is not sent again by the retry', async () => {
    // each call answers within the per-request timeout, but the POST and the SDK's first status
    // poll together take longer than one request may: the act as a whole must not be abandoned
    // and started again while its first POST is still on its way
    sb.faults.add({
      service: 'arm',
      operations: ['FailoverGroups_Failover', 'FailoverGroups_AsyncOperation'],
      kind: 'slow',
      delayMs: 700,
      rate: 1,
      times: 2,
    });
    const journal = new Journal();
    const rows = await failover(journal);
    expect(rows[0].status).toBe('done');
    expect(sb.world.stacks.get('azure')!.database.writer).toBe('dr');
    expect(sent()).toBe(1);
  }, 60_000);

  it('a failover whose answer comes after the per-request timeout is waited for, not sent again', async () => {
    // ARM carries the POST out 1.6 s after it arrived, after the client gave up on it at 1 s
    sb.faults.add({
      service: 'arm',
      operation: 'FailoverGroups_Failover',
      kind: 'slow',
      delayMs: 1600,
      rate: 1,
      times: 1,
    });
    const journal = new Journal();
    const rows = await failover(journal);
    expect(rows[0].status).toBe('done');
    expect(sb.world.stacks.get('azure')!.database.writer).toBe('dr');
    expect(sent()).toBe(1);
  }, 60_000);
});
