/**
 * "Busy" counts only operations that change the writer: a routine backup or maintenance on the
 * primary (RDS status backing-up / maintenance, a Cloud SQL BACKUP_VOLUME / MAINTENANCE operation)
 * is reported and waited for within a bound, then the in-region failover goes on; it never makes
 * the step wait to its deadline for a failover nobody started. Through the SDKs against the sandbox.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Journal } from '../../src/engine/journal.js';
import { createContext } from '../../src/engine/step.js';
import { loadPlan } from '../../src/plan/load.js';
import { failoverDatabase } from '../../src/phases/database.js';
import { createEnvironment } from '../../src/phases/environment.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

const FAILOVER_CALL: Record<string, string> = { aws: 'RebootDBInstance', gcp: 'instances.failover' };

describe('a routine operation is not a failover under way', () => {
  let sb: Sandbox | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await sb?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['aws', 'backup-running', /backing-up/],
    ['aws', 'maintenance-running', /maintenance/],
    ['gcp', 'backup-running', /BACKUP_VOLUME/],
    ['gcp', 'maintenance-running', /MAINTENANCE/],
  ] as const)(
    '%s with %s: waits for it, then fails over once',
    async (cloud, scenario, shown) => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-busy-'));
      sb = await startSandbox({
        outDir: dir,
        // 200: the 10-minute routine lasts 3 s, longer than the first SDK load
        speed: 200,
        prometheus: 'builtin',
        clouds: [cloud],
        // a short deadline: waiting to it for a failover nobody started fails the test
        planOverrides: (doc) => {
          doc.thresholds.deadlines.database = '20s';
        },
      });
      sb.applyScenario(scenario);
      const plan = await loadPlan(sb.planFile!);
      const journal = new Journal();
      const ctx = {
        plan,
        stacks: [cloud],
        run: createContext(journal),
        env: createEnvironment(plan),
        inputs: {},
      };
      // load the SDK first, so the routine operation is still running when the step looks
      await (await ctx.env.providers(cloud)).database.describe();
      sb.applyScenario(scenario);
      const rows = await failoverDatabase(ctx, 'database', cloud, 'primary', 'in-region');
      expect(rows[0].status).toBe('done');
      expect(sb.world.monitor.mutations.filter((m) => m.operation === FAILOVER_CALL[cloud])).toHaveLength(1);
      const record = journal.records.find((r) => r.step === 'failover' && r.outcome === 'done');
      expect(String(record?.data?.waitedFor)).toMatch(shown);
    },
    60_000,
  );
});
