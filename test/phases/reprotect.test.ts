/**
 * reprotect checks what the cloud requires before it creates anything (RDS through the SDK against
 * the sandbox): automated backups on the writer, and a KMS key of the destination region for an
 * encrypted writer; each missing one is one sentence naming what to set, and nothing is created.
 * A replica being built is reported as building (a warning) and its creation journaled as intent
 * then outcome.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runFailover } from '../../src/drill/pipeline.js';
import { UserError } from '../../src/engine/errors.js';
import { Journal } from '../../src/engine/journal.js';
import { createContext } from '../../src/engine/step.js';
import { loadPlan } from '../../src/plan/load.js';
import { createEnvironment } from '../../src/phases/environment.js';
import { reprotectStack } from '../../src/phases/reprotect.js';
import type { PhaseContext } from '../../src/phases/types.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { caught } from '../support/wait.js';

describe('reprotect on RDS', () => {
  let sb: Sandbox;
  let dir: string;
  afterEach(async () => {
    await sb.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function failedOver(withKeys: boolean): Promise<PhaseContext> {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-reprotect-'));
    sb = await startSandbox({
      outDir: dir,
      speed: 2000,
      prometheus: 'builtin',
      clouds: ['aws'],
      planOverrides: (doc) => {
        const db = (doc as { stacks: Record<string, { database: Record<string, unknown> }> }).stacks.aws
          .database;
        if (!withKeys) delete db.kmsKeyIds;
      },
    });
    const plan = await loadPlan(sb.planFile!);
    process.env[plan.doc.application.tokenEnv] ??= 'sandbox-token';
    const ctx = {
      plan,
      stacks: ['aws'],
      run: createContext(new Journal(), {}),
      env: createEnvironment(plan),
      inputs: { 'incident-class': 'region-outage' },
    } as PhaseContext;
    sb.applyScenario('region-outage', ['aws']);
    const r = await runFailover(ctx, plan.classes['region-outage']);
    expect(r.rows.filter((x) => x.status === 'fail')).toEqual([]);
    sb.applyScenario('primary-recovered', ['aws']);
    return ctx;
  }
  const creates = () =>
    sb.world.monitor.mutations.filter((m) => m.operation === 'CreateDBInstanceReadReplica');

  it('an encrypted writer without database.kmsKeyIds.primary: one sentence naming the field, nothing created', async () => {
    const ctx = await failedOver(false);
    const err = await caught(reprotectStack(ctx, 'aws'));
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/database\.kmsKeyIds\.primary/);
    expect((err as Error).message).not.toMatch(/\n/);
    expect(creates()).toEqual([]);
  }, 60_000);

  it('a writer with backups off: one sentence saying to turn them on, nothing created', async () => {
    const ctx = await failedOver(true);
    sb.world.stacks.get('aws')!.database.instances!.get('aegis-db-replica')!.backupRetentionDays = 0;
    const err = await caught(reprotectStack(ctx, 'aws'));
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/backups off.*BackupRetentionPeriod/);
    expect(creates()).toEqual([]);
  }, 60_000);

  it('starts the replica, reports it building, journals intent then outcome', async () => {
    const ctx = await failedOver(true);
    const rows = await reprotectStack(ctx, 'aws');
    expect(creates().map((m) => m.target)).toEqual(['aegis-db-reprotect-1']);
    expect(rows.find((r) => r.item === 'Replication')).toMatchObject({ status: 'warn' });
    expect(rows.find((r) => r.item === 'Replication')?.detail).toMatch(/being built/);
    const records = ctx.run.journal.records.filter((r) => r.phase === 'reprotect' && r.step === 'replica');
    expect(records.map((r) => r.outcome)).toEqual(['intent', 'done']);
  }, 60_000);
});
