/**
 * Azure SQL failover group: planned first, forced only where data loss is allowed, through
 * @azure/arm-sql against the sandbox. A planned failover needs both sides (it synchronizes the
 * primary and the secondary first) and fails with the roles unchanged when the primary is
 * unreachable; a forced one may lose the writes that had not replicated.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Journal } from '../../src/engine/journal.js';
import { createContext, StepFailed } from '../../src/engine/step.js';
import { loadPlan } from '../../src/plan/load.js';
import { failoverDatabase } from '../../src/phases/database.js';
import { createEnvironment } from '../../src/phases/environment.js';
import type { PhaseContext } from '../../src/phases/types.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { afterPlanned, firstMove, lossAllowedBy } from '../../src/phases/database-azure.js';
import { caught } from '../support/wait.js';

const FAILOVER_CALLS = ['FailoverGroups_Failover', 'FailoverGroups_ForceFailoverAllowDataLoss'];

describe('azure planned, then forced where data loss is allowed', () => {
  let sb: Sandbox;
  let dir: string;
  let planAllowsLoss = true;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-azmodes-'));
  });
  afterEach(async () => {
    await sb?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function start(allowDataLoss: boolean) {
    planAllowsLoss = allowDataLoss;
    sb = await startSandbox({
      outDir: dir,
      speed: 1000,
      prometheus: 'builtin',
      clouds: ['azure'],
      planOverrides: (doc) => {
        const db = doc.stacks.azure.database as { allowDataLoss?: boolean };
        db.allowDataLoss = planAllowsLoss;
      },
    });
  }

  async function failover(journal: Journal, inputs: Record<string, string> = {}) {
    const plan = await loadPlan(sb.planFile!);
    const run = createContext(journal, {
      // the fence is not what these tests are about
      force: { by: 'octocat', reason: 'test: the failover mode alone' },
    });
    const ctx = { plan, stacks: ['azure'], run, env: createEnvironment(plan), inputs } as PhaseContext;
    return failoverDatabase(ctx, 'database', 'azure', 'dr', 'cross-region');
  }

  /** The failover calls the cloud carried out, in order. */
  const calls = () =>
    sb.world.monitor.mutations.filter((m) => FAILOVER_CALLS.includes(m.operation)).map((m) => m.operation);

  it('a primary whose ARM read fails once is failed over planned (no data loss), not forced', async () => {
    await start(true);
    // describe reads the DR server first, then the primary: the primary's read answers 503 once
    sb.faults.add({ service: 'arm', operation: 'FailoverGroups_Get', kind: 'error', status: 503, nth: 2 });
    const journal = new Journal();
    await failover(journal);
    expect(sb.world.stacks.get('azure')!.database.writer).toBe('dr');
    expect(calls()).toEqual(['FailoverGroups_Failover']);
  }, 60_000);

  it('primary region down, data loss allowed by the plan: planned first, then forced, and the journal says why', async () => {
    await start(true);
    sb.world.stacks.get('azure')!.sites.primary.up = false;
    const journal = new Journal();
    const rows = await failover(journal);
    expect(sb.world.stacks.get('azure')!.database.writer).toBe('dr');
    expect(calls()).toEqual(['FailoverGroups_Failover', 'FailoverGroups_ForceFailoverAllowDataLoss']);
    const record = journal.thisRun().find((r) => r.step === 'failover' && r.outcome === 'done');
    expect(record?.data?.decision).toBe('forced');
    expect(record?.data?.decisionReason).toMatch(/planned failover of aegis-fog failed/);
    expect(record?.data?.decisionReason).toMatch(/plan/);
    expect(rows[0].detail).toMatch(/forced/);
  }, 60_000);

  it('primary region down, data loss not allowed: the planned failover fails, nothing is forced, one sentence names allow-data-loss', async () => {
    await start(false);
    sb.world.stacks.get('azure')!.sites.primary.up = false;
    const err = await caught(failover(new Journal()));
    expect(err).toBeInstanceOf(StepFailed);
    expect((err as Error).message).toMatch(/allow-data-loss/);
    expect((err as Error).message).not.toMatch(/\n/);
    expect(calls()).toEqual(['FailoverGroups_Failover']);
    expect(sb.world.stacks.get('azure')!.database.writer).toBe('primary');
  }, 60_000);

  it('primary region down, data loss allowed by the input alone: planned, then forced', async () => {
    await start(false);
    sb.world.stacks.get('azure')!.sites.primary.up = false;
    const journal = new Journal();
    await failover(journal, { 'allow-data-loss': 'true' });
    expect(calls()).toEqual(['FailoverGroups_Failover', 'FailoverGroups_ForceFailoverAllowDataLoss']);
    const record = journal.thisRun().find((r) => r.step === 'failover' && r.outcome === 'done');
    expect(record?.data?.decisionReason).toMatch(/input allow-data-loss/);
  }, 60_000);
});

describe('the Azure decision, case by case', () => {
  it.each([
    {
      requested: 'cross-region',
      want: 'planned',
      reason: 'a region outage tries planned first: it loses no data when it can work',
    },
    { requested: 'planned', want: 'planned', reason: 'planned asked for is planned' },
    { requested: 'in-region', want: 'planned', reason: 'no in-region switch on a failover group: planned' },
    {
      requested: 'forced',
      want: 'forced',
      reason: 'forced asked for explicitly (database-mode forced) is forced at once',
    },
  ] as const)('first move for $requested is $want: $reason', ({ requested, want }) => {
    expect(firstMove(requested).mode).toBe(want);
  });

  it.each([
    {
      reachable: true,
      plan: true,
      input: undefined,
      force: false,
      reason: 'primary reachable: forcing would lose writes a planned failover keeps, even when allowed',
    },
    {
      reachable: true,
      plan: false,
      input: 'true',
      force: false,
      reason: 'primary reachable, input allows: still not forced',
    },
    {
      reachable: true,
      plan: false,
      input: undefined,
      force: false,
      reason: 'primary reachable, nothing allows: not forced',
    },
    {
      reachable: false,
      plan: true,
      input: undefined,
      force: true,
      reason: 'outage, the plan allows data loss: forced, reason names the plan',
    },
    {
      reachable: false,
      plan: false,
      input: 'true',
      force: true,
      reason: 'outage, the input allows data loss: forced, reason names the input',
    },
    {
      reachable: false,
      plan: true,
      input: 'true',
      force: true,
      reason: 'outage, both allow: forced, the plan named first',
    },
    {
      reachable: false,
      plan: false,
      input: 'false',
      force: false,
      reason: 'outage, nothing allows: stop with a sentence naming allow-data-loss',
    },
    {
      reachable: false,
      plan: false,
      input: undefined,
      force: false,
      reason: 'outage, input absent: stop with a sentence naming allow-data-loss',
    },
  ])(
    'planned failed, primary reachable=$reachable, plan allows=$plan, input=$input: force=$force ($reason)',
    ({ reachable, plan, input, force }) => {
      const allowedBy = lossAllowedBy(plan, input);
      const d = afterPlanned('the planned failover of fog failed (x)', reachable, allowedBy);
      expect(d.force).toBe(force);
      if (force)
        expect(d.reason).toMatch(plan ? /the plan \(database.allowDataLoss\)/ : /the input allow-data-loss/);
      else if (!reachable) expect(d.reason).toMatch(/pass allow-data-loss: true/);
      else expect(d.reason).toMatch(/primary reachable/);
    },
  );
});
