/**
 * Point-in-time recovery (database-mode point-in-time), per cloud through the official SDKs against
 * the sandbox: logical corruption survives an in-region HA failover (the standby is synchronous);
 * a restore to before the corruption makes one clean new instance, journaled with the data window
 * lost and the new writer's instance and endpoint; a re-run makes no mutating call; a restore time
 * that is missing, in the future or outside the cloud's window is refused with one sentence and
 * changes nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../../src/engine/errors.js';
import { Journal } from '../../src/engine/journal.js';
import { createContext } from '../../src/engine/step.js';
import { loadPlan } from '../../src/plan/load.js';
import { failoverDatabase } from '../../src/phases/database.js';
import { createEnvironment } from '../../src/phases/environment.js';
import type { PhaseContext } from '../../src/phases/types.js';
import { restoreSection } from '../../src/report/restores.js';
import { dataCorrupted } from '../../src/sandbox/dbtopology.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { caught, until } from '../support/wait.js';

const RESTORE_CALL: Record<string, string> = {
  aws: 'RestoreDBInstanceToPointInTime',
  gcp: 'instances.clone',
  azure: 'Databases_CreateOrUpdate',
};
/** The name the plan's pattern gives the first restore, and the database the restore starts from. */
const RESTORED: Record<string, string> = {
  aws: 'aegis-db-pitr-1',
  gcp: 'aegis-db-pitr-1',
  azure: 'aegis-fog-pitr-1',
};
const SOURCE: Record<string, RegExp> = {
  aws: /^aegis-db$/,
  gcp: /^aegis-db$/,
  azure: /\/servers\/[^/]+\/databases\/aegis$/,
};
const MIN = 60_000;

describe.each(['aws', 'gcp', 'azure'] as const)('%s point-in-time recovery', (cloud) => {
  let sb: Sandbox;
  let dir: string;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-pitr-'));
    sb = await startSandbox({ outDir: dir, speed: 2000, prometheus: 'builtin', clouds: [cloud] });
  });
  afterEach(async () => {
    await sb.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function context(journal: Journal, restoreTime?: string, dryRun = false): Promise<PhaseContext> {
    const plan = await loadPlan(sb.planFile!);
    return {
      plan,
      stacks: [cloud],
      run: createContext(journal, { dryRun }),
      env: createEnvironment(plan),
      inputs: {
        'incident-class': 'database-corruption',
        ...(restoreTime ? { 'restore-time': restoreTime } : {}),
      },
    } as PhaseContext;
  }
  const db = () => sb.world.stacks.get(cloud)!.database;
  const mutations = () => sb.world.monitor.mutations.length;
  const restores = () => sb.world.monitor.mutations.filter((m) => m.operation === RESTORE_CALL[cloud]);
  /** The restored instance (RDS, Cloud SQL) or database (Azure SQL) as the sandbox holds it. */
  const restoredInst = () =>
    cloud === 'azure' ? db().restoredDatabases?.get(RESTORED[cloud]) : db().instances?.get(RESTORED[cloud]);

  // Azure SQL has no in-region HA failover to call
  (cloud === 'azure' ? it.skip : it)(
    'logical corruption survives an in-region HA failover (the standby carries it)',
    async () => {
      sb.applyScenario('logical-corruption', [cloud]);
      const ctx = await context(new Journal());
      const rows = await failoverDatabase(ctx, 'database', cloud, 'primary', 'in-region');
      expect(rows.filter((r) => r.status === 'fail')).toEqual([]);
      await until(
        async () => db().failovers,
        (n) => n > 0,
      );
      expect(db().corrupted).toBe(true);
    },
    60_000,
  );

  it('restores once to before the corruption: a clean standalone instance, the data window lost, a re-run changes nothing', async () => {
    sb.applyScenario('logical-corruption', [cloud]);
    const corruptAt = db().logicalCorruptionAt!;
    const at = new Date(corruptAt - 10 * MIN).toISOString();
    const journal = new Journal();
    const rows = await failoverDatabase(
      await context(journal, at),
      'database',
      cloud,
      'primary',
      'point-in-time',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'done' });
    expect(rows[0].detail).toMatch(/data window lost/);
    expect(restores().map((m) => m.target)).toEqual([RESTORED[cloud]]);
    const inst = restoredInst()!;
    expect(inst).toMatchObject({ site: 'primary', status: 'available' });
    expect(inst.source).toBeUndefined();
    expect(dataCorrupted(sb.world.stacks.get(cloud)!, inst)).toBe(false);
    const rec = journal.records.filter((r) => r.phase === 'database' && r.step === 'restore');
    expect(rec.map((r) => r.outcome)).toEqual(['intent', 'done']);
    const data = rec[1].data!;
    expect(data).toMatchObject({ mode: 'point-in-time', restoreTime: at, writerInstance: RESTORED[cloud] });
    expect(String(data.restoredFrom)).toMatch(SOURCE[cloud]);
    expect(String(data.writerEndpoint)).toMatch(/:\d+$/);
    // no declaration in this journal: the window runs to the restore (at least the 10 minutes)
    expect(data.dataWindowLostSeconds as number).toBeGreaterThanOrEqual(600);
    expect(data.dataWindowLostSeconds as number).toBeLessThan(700);

    const before = mutations();
    const again = await failoverDatabase(
      await context(journal, at),
      'database',
      cloud,
      'primary',
      'point-in-time',
    );
    expect(again[0]).toMatchObject({ status: 'pass' });
    expect(mutations()).toBe(before);
    expect(restores()).toHaveLength(1);
  }, 60_000);

  it('dry-run says what it would restore and makes no mutating call', async () => {
    sb.applyScenario('logical-corruption', [cloud]);
    const at = new Date(db().logicalCorruptionAt! - 10 * MIN).toISOString();
    const journal = new Journal();
    const rows = await failoverDatabase(
      await context(journal, at, true),
      'database',
      cloud,
      'primary',
      'point-in-time',
    );
    expect(rows[0]).toMatchObject({ status: 'would-do' });
    const rec = journal.records.find((r) => r.step === 'restore')!;
    expect(rec.outcome).toBe('would-do');
    expect(rec.action).toContain(`as ${RESTORED[cloud]}`);
    expect(mutations()).toBe(0);
  }, 60_000);

  it('a runner that died after the restore call: the re-run finds the instance by the intent and waits, it does not restore again', async () => {
    sb.applyScenario('logical-corruption', [cloud]);
    const at = new Date(db().logicalCorruptionAt! - 10 * MIN).toISOString();
    const first = new Journal();
    await failoverDatabase(await context(first, at), 'database', cloud, 'primary', 'point-in-time');
    // what the dead runner left: the intent, no outcome; the instance is still being built
    const intent = first.records.find((r) => r.step === 'restore' && r.outcome === 'intent')!;
    restoredInst()!.status = 'creating';
    sb.world.schedule(3000, () => {
      restoredInst()!.status = 'available';
    });
    const journal = new Journal();
    const { seq: _seq, runId: _run, prev: _prev, hash: _hash, ...entry } = intent;
    journal.append(entry);
    const rows = await failoverDatabase(
      await context(journal, at),
      'database',
      cloud,
      'primary',
      'point-in-time',
    );
    expect(rows[0]).toMatchObject({ status: 'done' });
    expect(restores()).toHaveLength(1);
    const done = journal.records.find((r) => r.step === 'restore' && r.outcome === 'done')!;
    expect(done.action).toMatch(/already under way/);
    expect(done.data).toMatchObject({ writerInstance: RESTORED[cloud] });
  }, 60_000);

  it('the data window lost runs from the restore time to the declaration, and the report lists the restore', async () => {
    sb.applyScenario('logical-corruption', [cloud]);
    const corruptAt = db().logicalCorruptionAt!;
    const journal = new Journal();
    const declaredAt = new Date(corruptAt + 2 * MIN).toISOString();
    journal.append({
      phase: 'declare',
      step: 'incident',
      stack: cloud,
      target: `stack:${cloud}`,
      outcome: 'done',
      startedAt: declaredAt,
      endedAt: declaredAt,
      durationMs: 0,
      attempts: 1,
      dryRun: false,
      data: { incidentClass: 'database-corruption', declaredAt },
    });
    const at = new Date(corruptAt - 10 * MIN).toISOString();
    await failoverDatabase(await context(journal, at), 'database', cloud, 'primary', 'point-in-time');
    const done = journal.records.find((r) => r.step === 'restore' && r.outcome === 'done')!;
    expect(done.data).toMatchObject({
      dataWindowLostSeconds: 720,
      dataWindowEnd: declaredAt,
      dataWindowEndBasis: 'declaration',
    });
    const report = restoreSection(journal.records).join('\n');
    expect(report).toMatch(/### Point-in-time restores/);
    expect(report).toContain(`| ${cloud} | ${RESTORED[cloud]} |`);
    expect(report).toContain('| 720 s |');
  }, 60_000);

  it('a restore to a time after the corruption gives a corrupted instance (the sandbox is a witness)', async () => {
    sb.applyScenario('logical-corruption', [cloud]);
    db().logicalCorruptionAt = Date.now() - 30 * MIN;
    const at = new Date(Date.now() - 10 * MIN).toISOString();
    await failoverDatabase(await context(new Journal(), at), 'database', cloud, 'primary', 'point-in-time');
    expect(dataCorrupted(sb.world.stacks.get(cloud)!, restoredInst()!)).toBe(true);
  }, 60_000);

  it('the cloud itself refuses a taken target name and a time outside its window', async () => {
    const ctx = await context(new Journal());
    const database = (await ctx.env.providers(cloud)).database;
    const { source } = await database.restoreWindow!();
    const taken = await caught(
      database.restoreToPointInTime!({
        source,
        name: { aws: 'aegis-db-replica', gcp: 'aegis-db-dr-replica', azure: 'aegis' }[cloud],
        restoreTime: new Date(Date.now() - 10 * MIN),
      }),
    );
    expect((taken as Error).message).toMatch(/already exists/);
    const old = await caught(
      database.restoreToPointInTime!({
        source,
        name: 'aegis-db-pitr-9',
        restoreTime: new Date(Date.now() - 30 * 86400_000),
      }),
    );
    expect((old as Error).message).toMatch(
      /outside the (restorable|point-in-time recovery|point-in-time restore) window/,
    );
    expect(restores()).toEqual([]);
  }, 60_000);

  it.each([
    ['missing', undefined, /restore-time is empty/],
    ['not RFC 3339', 'yesterday at noon', /expected an RFC 3339 time/],
    ['in the future', new Date(Date.now() + 3600_000).toISOString(), /in the future/],
    [
      'before the earliest restorable time',
      new Date(Date.now() - 30 * 86400_000).toISOString(),
      /before the earliest restorable time/,
    ],
    [
      'after the latest restorable time',
      new Date(Date.now() - 1000).toISOString(),
      /after the latest restorable time/,
    ],
  ])(
    'restore-time %s: one sentence, nothing changed',
    async (_what, value, message) => {
      // the Cloud SQL and Azure SQL windows run to now
      if (cloud !== 'aws' && _what === 'after the latest restorable time') return;
      const err = await caught(
        failoverDatabase(await context(new Journal(), value), 'database', cloud, 'primary', 'point-in-time'),
      );
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toMatch(/\n/);
      expect(mutations()).toBe(0);
    },
    60_000,
  );
});
