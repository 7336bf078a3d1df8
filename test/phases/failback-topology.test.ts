/**
 * Failback on RDS and Cloud SQL as the clouds behave (through the official SDKs against the
 * sandbox): after a cross-region failover the promoted DR instance is standalone and the old
 * primary an orphan, and the data sync copies rows without changing that. Failback must either
 * bring the writer back to the primary region or stop before it fences anything; it must never
 * leave DR fenced with the writer still there (no writer serving).
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runFailover } from '../../src/drill/pipeline.js';
import { Journal } from '../../src/engine/journal.js';
import { createContext } from '../../src/engine/step.js';
import { DRAIN_ANNOTATION } from '../../src/plan/constants.js';
import { loadPlan } from '../../src/plan/load.js';
import { setDrain } from '../../src/phases/drain.js';
import { createEnvironment } from '../../src/phases/environment.js';
import { failbackStack } from '../../src/phases/failback.js';
import { journalGateOverride } from '../../src/phases/recovered.js';
import { reprotectUntilHealthy } from '../../src/phases/reprotect.js';
import { syncStack } from '../../src/phases/sync.js';
import type { PhaseContext } from '../../src/phases/types.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

describe.each(['aws', 'gcp'] as const)('%s failback after a cross-region failover', (cloud) => {
  let sb: Sandbox;
  let dir: string;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-failback-'));
    sb = await startSandbox({ outDir: dir, speed: 2000, prometheus: 'builtin', clouds: [cloud] });
    process.env.AEGIS_API_TOKEN ??= 'sandbox-token';
  });
  afterEach(async () => {
    await sb.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function context(journal: Journal, inputs: Record<string, string> = {}): Promise<PhaseContext> {
    const plan = await loadPlan(sb.planFile!);
    process.env[plan.doc.application.tokenEnv] ??= 'sandbox-token';
    const run = createContext(journal, {});
    return { plan, stacks: [cloud], run, env: createEnvironment(plan), inputs };
  }

  const drFenced = () =>
    sb.world.stacks.get(cloud)!.sites.dr.cluster.deployments.get('aegis-api')!.annotations[
      DRAIN_ANNOTATION
    ] === 'true';

  it('without a replica in the primary region it stops before fencing DR; the writer stays on DR', async () => {
    const journal = new Journal({ file: path.join(dir, 'journal.jsonl') });
    const ctx = await context(journal, { 'incident-class': 'region-outage' });
    sb.applyScenario('region-outage', [cloud]);
    const failover = await runFailover(ctx, ctx.plan.classes['region-outage']);
    expect(failover.rows.filter((r) => r.status === 'fail')).toEqual([]);
    expect(sb.world.stacks.get(cloud)!.database.writer).toBe('dr');

    sb.applyScenario('primary-recovered', [cloud]);
    await setDrain(ctx, 'declare', cloud, 'primary', true);
    await syncStack(ctx, cloud, 'dry-run');
    await syncStack(ctx, cloud, 'execute');
    // the sync copied rows: the topology is the cloud's, unchanged
    expect(sb.world.stacks.get(cloud)!.database.writer).toBe('dr');

    const fbCtx = await context(journal, {
      'incident-class': 'region-outage',
      'skip-health-gate': 'true',
      'override-reason': 'test',
    });
    journalGateOverride(fbCtx, 'failback', 0);
    const mutationsBefore = sb.world.monitor.mutations.length;
    const rows = await failbackStack(fbCtx, cloud, 0, true);
    const failed = rows.filter((r) => r.status === 'fail');
    expect(failed.map((r) => r.detail).join('\n')).toMatch(/reprotect/);
    // nothing touched: DR still serves, unfenced, with the writer
    expect(drFenced()).toBe(false);
    expect(sb.world.stacks.get(cloud)!.database.writer).toBe('dr');
    expect(sb.world.monitor.mutations.slice(mutationsBefore)).toEqual([]);
  }, 120_000);

  it('round trip: failover -> reprotect -> failback -> reprotect, one promotion per direction, no split brain, re-runs change nothing', async () => {
    const journal = new Journal({ file: path.join(dir, 'journal.jsonl') });
    const ctx = await context(journal, { 'incident-class': 'region-outage' });
    const db = () => sb.world.stacks.get(cloud)!.database;
    const mutations = () => sb.world.monitor.mutations.length;
    // what a re-run changes: verify's own probes (the integrity Job, the end-to-end scan the
    // runbook posts) are checks it makes every time, not changes of the estate
    const changes = (from: number) =>
      sb.world.monitor.mutations
        .slice(from)
        .filter((m) => !(m.service === 'app' || /jobs\/aegis-integrity/.test(m.target)));
    const promotions = () =>
      sb.world.monitor.mutations.filter((m) => /PromoteReadReplica|promoteReplica/.test(m.operation));
    const fails = (rows: { status: string }[]) => rows.filter((r) => r.status === 'fail');

    // failover to DR, and its re-run
    sb.applyScenario('region-outage', [cloud]);
    expect(fails((await runFailover(ctx, ctx.plan.classes['region-outage'])).rows)).toEqual([]);
    expect(db().writer).toBe('dr');
    expect(promotions()).toHaveLength(1);
    sb.applyScenario('primary-recovered', [cloud]);
    await setDrain(ctx, 'declare', cloud, 'primary', true);

    // reprotect: a replica of the DR writer in the primary region, built, then healthy; re-run: nothing
    const forward = await reprotectUntilHealthy(ctx, cloud, 60_000);
    expect(fails(forward)).toEqual([]);
    expect(forward.find((r) => r.item === 'Replication')?.status).toBe('pass');
    const primaryReplica = [...db().instances!.values()].find((i) => i.site === 'primary' && i.source);
    expect(primaryReplica?.id).toMatch(/-reprotect-1$/);
    const beforeRerun = mutations();
    await reprotectUntilHealthy(ctx, cloud, 60_000);
    expect(changes(beforeRerun)).toEqual([]);

    // failback: the planned switchover to the primary-region replica
    await syncStack(ctx, cloud, 'dry-run');
    await syncStack(ctx, cloud, 'execute');
    const fbCtx = await context(journal, {
      'incident-class': 'region-outage',
      'skip-health-gate': 'true',
      'override-reason': 'test',
    });
    journalGateOverride(fbCtx, 'failback', 0);
    const back = await failbackStack(fbCtx, cloud, 0, true);
    expect(fails(back)).toEqual([]);
    expect(db().writer).toBe('primary');
    expect(db().writerId).toBe(primaryReplica!.id);
    // the switchover waited for lag 0 as the cloud's monitoring measured it
    const caught = journal.thisRun().find((r) => r.phase === 'failback' && r.step === 'caught-up');
    expect(caught?.data).toMatchObject({
      lagSeconds: 0,
      measuredBy: cloud === 'aws' ? 'cloudwatch' : 'cloud-monitoring',
    });
    expect(promotions()).toHaveLength(2);
    expect(drFenced()).toBe(true); // its old writer is an orphan until the reverse reprotect
    // the orphans are journaled: the failover's old primary and the failback's old DR writer
    const orphans = journal.thisRun().filter((r) => r.step === 'orphan');
    expect(orphans.map((r) => r.data?.instance)).toEqual([
      cloud === 'aws' ? 'aegis-db' : 'aegis-db',
      cloud === 'aws' ? 'aegis-db-replica' : 'aegis-db-dr-replica',
    ]);
    const fbRerun = mutations();
    expect(fails(await failbackStack(fbCtx, cloud, 0, true))).toEqual([]);
    expect(changes(fbRerun)).toEqual([]);

    // reverse reprotect: a replica of the primary writer in DR, then DR's fence comes off
    const reverse = await reprotectUntilHealthy(ctx, cloud, 60_000);
    expect(fails(reverse)).toEqual([]);
    expect(drFenced()).toBe(false);
    const drReplica = [...db().instances!.values()].find((i) => i.site === 'dr' && i.source);
    expect(drReplica?.source).toBe(primaryReplica!.id);
    const reverseRerun = mutations();
    await reprotectUntilHealthy(ctx, cloud, 60_000);
    expect(changes(reverseRerun)).toEqual([]);

    // one promotion per database per direction, never two writers taking writes
    expect(promotions().map((m) => m.target)).toEqual([
      cloud === 'aws' ? 'aegis-db-replica' : 'aegis-db-dr-replica',
      primaryReplica!.id,
    ]);
    expect(sb.world.monitor.splitBrain).toEqual([]);
  }, 240_000);
});
