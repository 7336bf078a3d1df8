/**
 * Cloud SQL Enterprise Plus advanced DR through @google-cloud/sql against the sandbox
 * (https://cloud.google.com/sql/docs/postgres/use-advanced-disaster-recovery): with
 * `database.advancedDr` the failover in a region outage is a replica failover to the designated DR
 * replica (promoteReplica failover=true: the old primary rejoins as its replica when its region is
 * back, so no reprotect and no orphan), and failback is a switchover (zero data loss, roles
 * reversed), after which DR's fence comes off. Without a designated DR replica the move is refused
 * with one sentence and nothing changes.
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
import { failoverDatabase } from '../../src/phases/database.js';
import { setDrain } from '../../src/phases/drain.js';
import { createEnvironment } from '../../src/phases/environment.js';
import { failbackStack } from '../../src/phases/failback.js';
import { journalGateOverride } from '../../src/phases/recovered.js';
import { syncStack } from '../../src/phases/sync.js';
import type { PhaseContext } from '../../src/phases/types.js';
import { orphansOf } from '../../src/sandbox/dbtopology.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

const PRIMARY = 'aegis-db';
const DR_REPLICA = 'aegis-db-dr-replica';

describe('Cloud SQL advanced DR', () => {
  let sb: Sandbox;
  let dir: string;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-advdr-'));
    sb = await startSandbox({
      outDir: dir,
      speed: 2000,
      prometheus: 'builtin',
      clouds: ['gcp'],
      planOverrides: (doc) => {
        doc.stacks.gcp.database.advancedDr = true;
      },
    });
    const db = sb.world.stacks.get('gcp')!.database;
    for (const i of db.instances!.values()) i.edition = 'ENTERPRISE_PLUS';
    db.instances!.get(PRIMARY)!.drReplica = DR_REPLICA;
  });
  afterEach(async () => {
    await sb.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const db = () => sb.world.stacks.get('gcp')!.database;
  const moves = () => sb.world.monitor.mutations.filter((m) => /promoteReplica|switchover/.test(m.operation));
  const fails = (rows: { status: string }[]) => rows.filter((r) => r.status === 'fail');
  const drFenced = () =>
    sb.world.stacks.get('gcp')!.sites.dr.cluster.deployments.get('aegis-api')!.annotations[
      DRAIN_ANNOTATION
    ] === 'true';

  async function context(journal: Journal, inputs: Record<string, string> = {}): Promise<PhaseContext> {
    const plan = await loadPlan(sb.planFile!);
    process.env[plan.doc.application.tokenEnv] ??= 'sandbox-token';
    return { plan, stacks: ['gcp'], run: createContext(journal, {}), env: createEnvironment(plan), inputs };
  }

  it('replica failover in an outage, the old primary rejoins, failback by switchover; one move per direction, no orphan, no split brain', async () => {
    const journal = new Journal({ file: path.join(dir, 'journal.jsonl') });
    const ctx = await context(journal, { 'incident-class': 'region-outage' });

    sb.applyScenario('region-outage', ['gcp']);
    expect(fails((await runFailover(ctx, ctx.plan.classes['region-outage'])).rows)).toEqual([]);
    expect(db().writerId).toBe(DR_REPLICA);
    expect(moves().map((m) => `${m.operation} ${m.target}`)).toEqual([
      `instances.promoteReplica ${DR_REPLICA}`,
    ]);
    // the region comes back: the old primary is a replica of the DR writer, not an orphan
    sb.applyScenario('primary-recovered', ['gcp']);
    await setDrain(ctx, 'declare', 'gcp', 'primary', true);
    const stack = sb.world.stacks.get('gcp')!;
    sb.world.settle();
    expect(db().instances!.get(PRIMARY)!.source).toBe(DR_REPLICA);
    expect(orphansOf(stack)).toEqual([]);

    // failback: a switchover back to the old primary, zero data loss; DR's fence comes off
    await syncStack(ctx, 'gcp', 'dry-run');
    await syncStack(ctx, 'gcp', 'execute');
    const fbCtx = await context(journal, {
      'incident-class': 'region-outage',
      'skip-health-gate': 'true',
      'override-reason': 'test',
    });
    journalGateOverride(fbCtx, 'failback', 0);
    const back = await failbackStack(fbCtx, 'gcp', 0, true);
    expect(fails(back)).toEqual([]);
    expect(db().writerId).toBe(PRIMARY);
    expect(db().instances!.get(DR_REPLICA)!.source).toBe(PRIMARY);
    expect(moves().map((m) => `${m.operation} ${m.target}`)).toEqual([
      `instances.promoteReplica ${DR_REPLICA}`,
      `instances.switchover ${PRIMARY}`,
    ]);
    expect(drFenced()).toBe(false);
    expect(orphansOf(stack)).toEqual([]);

    // a re-run moves nothing
    const before = moves().length;
    expect(fails(await failbackStack(fbCtx, 'gcp', 0, true))).toEqual([]);
    expect(moves()).toHaveLength(before);
    expect(sb.world.monitor.splitBrain).toEqual([]);
  }, 240_000);

  it('without a designated DR replica the move is refused with one sentence and nothing changes', async () => {
    db().instances!.get(PRIMARY)!.drReplica = undefined;
    const journal = new Journal();
    const ctx = await context(journal, { 'incident-class': 'region-outage' });
    sb.applyScenario('region-outage', ['gcp']);
    await expect(failoverDatabase(ctx, 'database', 'gcp', 'dr', 'cross-region')).rejects.toThrow(
      /database\.advancedDr is set but aegis-db has no designated DR replica in .*: designate one \(gcloud sql instances patch aegis-db --failover-dr-replica-name=<replica>\), or remove advancedDr from the plan\.$/,
    );
    expect(moves()).toEqual([]);
    expect(db().writerId).toBe(PRIMARY);
  }, 120_000);
});
