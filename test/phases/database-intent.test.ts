/**
 * Intent before act, per cloud, through the official SDKs against the sandbox: an in-region HA
 * failover whose runner dies between the call and the journal record is not repeated by the
 * re-run (the cloud's own history shows it landed), and a new journal after a failover does not
 * fail over a second time (a second RDS force-failover or Cloud SQL failover would move the writer
 * back) unless forced with a reason.
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
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { caught, until } from '../support/wait.js';

const FAILOVER_CALL: Record<string, string> = { aws: 'RebootDBInstance', gcp: 'instances.failover' };

describe.each(['aws', 'gcp'] as const)('%s in-region failover, intent before act', (cloud) => {
  let sb: Sandbox;
  let dir: string;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-intent-'));
    sb = await startSandbox({ outDir: dir, speed: 1000, prometheus: 'builtin', clouds: [cloud] });
  });
  afterEach(async () => {
    await sb.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function inRegion(journal: Journal, opts: { signal?: AbortSignal; force?: boolean } = {}) {
    const plan = await loadPlan(sb.planFile!);
    const run = createContext(journal, {
      signal: opts.signal,
      force: opts.force ? { by: 'octocat', reason: 'drill: a second failover on purpose' } : undefined,
    });
    const ctx = { plan, stacks: [cloud], run, env: createEnvironment(plan), inputs: {} };
    return failoverDatabase(ctx, 'database', cloud, 'primary', 'in-region');
  }

  const settled = () =>
    until(
      async () => sb.world.stacks.get(cloud)!.database.status,
      (s) => s === 'available',
    );
  /** Failover calls the cloud received (Cloud SQL counts a failover in the world when it ends). */
  const failovers = () =>
    sb.world.monitor.mutations.filter((m) => m.operation === FAILOVER_CALL[cloud]).length;

  it('a runner killed between the failover call and its record: the re-run fails over once in all', async () => {
    const file = path.join(dir, 'journal.jsonl');
    const atKill = path.join(dir, 'journal-at-kill.jsonl');
    const abort = new AbortController();
    sb.world.monitor.onMutation = (m) => {
      if (m.operation !== FAILOVER_CALL[cloud]) return;
      // what a killed runner leaves on disk: the journal as it was when the call went out
      fs.writeFileSync(atKill, fs.existsSync(file) ? fs.readFileSync(file) : '');
      abort.abort(new Error('runner killed'));
    };
    // the first runner may or may not see the abort before its wait ends: what it left on disk
    // at the call is what counts
    await inRegion(new Journal({ file }), { signal: abort.signal }).catch(() => undefined);
    sb.world.monitor.onMutation = undefined;
    expect(failovers()).toBe(1);
    await settled();
    const zone = sb.world.stacks.get(cloud)!.database.writerZone;

    const rerun = new Journal({ file: atKill });
    await inRegion(rerun);
    expect(failovers()).toBe(1);
    expect(sb.world.stacks.get(cloud)!.database.writerZone).toBe(zone);
    const record = rerun.thisRun().find((r) => r.step === 'failover' && r.outcome === 'done');
    expect(record?.data?.evidence).toEqual(expect.stringMatching(/fail/i));
    // and a third run, on that journal, sees it done
    await inRegion(rerun);
    expect(failovers()).toBe(1);
  }, 60_000);

  it('a new journal after a failover refuses, naming the event and its time; forced with a reason it acts', async () => {
    await inRegion(new Journal());
    await settled();
    expect(failovers()).toBe(1);

    const err = await caught(inRegion(new Journal()));
    expect(err).toBeInstanceOf(StepFailed);
    expect((err as StepFailed).record.outcome).toBe('refused');
    expect((err as Error).message).toMatch(/fail ?over/i);
    expect((err as Error).message).toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    expect((err as Error).message).toMatch(/force/);
    expect(failovers()).toBe(1);

    await inRegion(new Journal(), { force: true });
    expect(failovers()).toBe(2);
  }, 60_000);
});
