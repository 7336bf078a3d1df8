/**
 * Endpoint binding (src/phases/shared/binding.ts) against the sandbox, whose applications read
 * their database writer from a ConfigMap (RDS) or Secret (Cloud SQL) key at pod start
 * (src/sandbox/binding.ts): after a cross-region promotion, verify's "Database writes" check
 * fails until the key is repointed and the deployments restarted; the database phase does both;
 * a re-run changes nothing; a changed key without a restart changes nothing either.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runFailover } from '../../src/drill/pipeline.js';
import { Journal } from '../../src/engine/journal.js';
import { createContext } from '../../src/engine/step.js';
import { loadPlan } from '../../src/plan/load.js';
import { setDrain } from '../../src/phases/drain.js';
import { createEnvironment } from '../../src/phases/environment.js';
import { failbackStack } from '../../src/phases/failback.js';
import { journalGateOverride } from '../../src/phases/recovered.js';
import { reprotectUntilHealthy } from '../../src/phases/reprotect.js';
import { runPhase } from '../../src/phases/runner.js';
import { syncStack } from '../../src/phases/sync.js';
import type { PhaseContext } from '../../src/phases/types.js';
import { instanceHost } from '../../src/sandbox/binding.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import type { CloudKind } from '../../src/sandbox/world.js';

const RETRY = { retry: { maxAttempts: 2, baseMs: 1, capMs: 5 } };

async function open(cloud: CloudKind, withBinding: boolean): Promise<{ sandbox: Sandbox; work: string }> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `aegis-binding-${cloud}-`));
  const sandbox = await startSandbox({
    outDir: work,
    speed: 3000,
    prometheus: 'builtin',
    clouds: [cloud],
    bindings: true,
    planOverrides: (doc) => {
      if (!withBinding) delete doc.stacks[cloud].database.binding;
    },
  });
  return { sandbox, work };
}

async function phase(
  sb: Sandbox,
  work: string,
  name: string,
  inputs: Record<string, string> = {},
  dryRun = false,
) {
  const { result } = await runPhase({
    phase: name,
    planFile: sb.planFile!,
    journalFile: path.join(work, 'journal.jsonl'),
    inputs: { 'incident-class': 'region-outage', ...inputs },
    run: RETRY,
    dryRun,
  });
  return result;
}

/** Declare (fence the primary), promote DR, move traffic; then verify's database-writes row. */
async function failover(sb: Sandbox, work: string, bound: boolean) {
  await phase(sb, work, 'declare');
  // a dry run first: it says what the bind would do and changes nothing
  const before = sb.world.monitor.mutations.length;
  const dry = await phase(sb, work, 'database', {}, true);
  expect(sb.world.monitor.mutations.slice(before)).toEqual([]);
  expect(dry.rows.find((r) => r.item === 'Endpoint binding')?.status).toBe(bound ? 'would-do' : 'skip');
  const db = await phase(sb, work, 'database');
  await phase(sb, work, 'traffic');
  const verify = await phase(sb, work, 'verify');
  return { db, writes: verify.rows.find((r) => r.item === 'Database writes') };
}

describe.each<CloudKind>(['aws', 'gcp'])('endpoint binding on %s', (cloud) => {
  it('without a binding in the plan: the bind step says so and verify sees the writes fail', async () => {
    const { sandbox, work } = await open(cloud, false);
    try {
      const { db, writes } = await failover(sandbox, work, false);
      expect(db.rows.find((r) => r.item === 'Endpoint binding')).toMatchObject({
        status: 'skip',
        detail: expect.stringMatching(/names no binding/),
      });
      // the DR pods still point at the old primary: an orphan now, whose writes replicate nowhere
      expect(writes).toMatchObject({ status: 'fail', detail: expect.stringMatching(/not the writer/) });
    } finally {
      await sandbox.close();
      fs.rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);

  it('with a binding: the database phase repoints and restarts, verify passes, a re-run changes nothing', async () => {
    const { sandbox, work } = await open(cloud, true);
    try {
      const { db, writes } = await failover(sandbox, work, true);
      const bind = db.rows.find((r) => r.item === 'Endpoint binding');
      expect(bind).toMatchObject({ status: 'done' });
      expect(writes).toMatchObject({ status: 'pass', detail: expect.stringMatching(/\(the writer\)/) });
      const stack = sandbox.world.stack(cloud);
      const writer = stack.database.instances!.get(stack.database.writerId!)!;
      expect(writer.site).toBe('dr');
      const before = sandbox.world.monitor.mutations.length;
      const again = await phase(sandbox, work, 'database');
      expect(again.rows.find((r) => r.item === 'Endpoint binding')?.detail).toMatch(/^already done/);
      expect(sandbox.world.monitor.mutations.slice(before)).toEqual([]);
    } finally {
      await sandbox.close();
      fs.rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('a changed ConfigMap without a restart', () => {
  it('leaves the running pods on the old endpoint: their writes still fail', async () => {
    const { sandbox, work } = await open('aws', false);
    try {
      await failover(sandbox, work, false);
      const stack = sandbox.world.stack('aws');
      const writer = stack.database.instances!.get(stack.database.writerId!)!;
      // repoint the key by hand through the sandbox's Kubernetes API, as `kubectl patch` would
      const cm = stack.sites.dr.cluster.configMaps.get(stack.binding!.name)!;
      const url = `${sandbox.endpoints['kubernetes.aws.dr']}/api/v1/namespaces/${stack.sites.dr.cluster.namespace}/configmaps/${stack.binding!.name}`;
      const host = `${writer.id}.c0sandbox.${stack.sites.dr.region}.rds.aegis.test`;
      const res = await fetch(url, {
        method: 'PATCH',
        headers: { 'content-type': 'application/merge-patch+json' },
        body: JSON.stringify({ data: { [stack.binding!.key]: host } }),
      });
      expect(res.status).toBe(200);
      expect(cm).toBeDefined();
      expect(stack.sites.dr.cluster.configMaps.get(stack.binding!.name)![stack.binding!.key]).toBe(host);
      const verify = await phase(sandbox, work, 'verify');
      expect(verify.rows.find((r) => r.item === 'Database writes')).toMatchObject({
        status: 'fail',
        detail: expect.stringMatching(/not the writer/),
      });
    } finally {
      await sandbox.close();
      fs.rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);
});

describe.each<CloudKind>(['aws', 'gcp'])('%s drill failover and failback with a binding', (cloud) => {
  it('the drill binds DR to the promoted writer, failback binds the primary back; re-runs change nothing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `aegis-binding-fb-${cloud}-`));
    const sb = await startSandbox({
      outDir: dir,
      speed: 2000,
      prometheus: 'builtin',
      clouds: [cloud],
      bindings: true,
    });
    try {
      const journal = new Journal({ file: path.join(dir, 'journal.jsonl') });
      const context = async (inputs: Record<string, string>): Promise<PhaseContext> => {
        const plan = await loadPlan(sb.planFile!);
        process.env[plan.doc.application.tokenEnv] ??= 'sandbox-token';
        return {
          plan,
          stacks: [cloud],
          run: createContext(journal, {}),
          env: createEnvironment(plan),
          inputs,
        };
      };
      const fails = (rows: { status: string }[]) => rows.filter((r) => r.status === 'fail');
      const stack = sb.world.stack(cloud);
      const key = () => {
        const b = stack.binding!;
        const objects = (site: 'primary' | 'dr') =>
          b.kind === 'configmap' ? stack.sites[site].cluster.configMaps : stack.sites[site].cluster.secrets;
        return { primary: objects('primary').get(b.name)![b.key], dr: objects('dr').get(b.name)![b.key] };
      };
      const writerHost = () => instanceHost(stack, stack.database.instances!.get(stack.database.writerId!)!);

      // region outage: the DR pods point at the primary writer, in a region that is down
      const ctx = await context({ 'incident-class': 'region-outage' });
      sb.applyScenario('region-outage', [cloud]);
      const over = await runFailover(ctx, ctx.plan.classes['region-outage']);
      expect(fails(over.rows)).toEqual([]);
      expect(over.rows.find((r) => r.item === 'Endpoint binding')?.status).toBe('done');
      expect(over.rows.find((r) => r.item === 'Database writes')?.status).toBe('pass');
      expect(key().dr).toBe(writerHost());

      sb.applyScenario('primary-recovered', [cloud]);
      await setDrain(ctx, 'declare', cloud, 'primary', true);
      expect(fails(await reprotectUntilHealthy(ctx, cloud, 60_000))).toEqual([]);
      await syncStack(ctx, cloud, 'dry-run');
      await syncStack(ctx, cloud, 'execute');
      const fbCtx = await context({
        'incident-class': 'region-outage',
        'skip-health-gate': 'true',
        'override-reason': 'test',
      });
      journalGateOverride(fbCtx, 'failback', 0);
      const back = await failbackStack(fbCtx, cloud, 0, true);
      expect(fails(back)).toEqual([]);
      expect(stack.database.writer).toBe('primary');
      expect(back.find((r) => r.item === 'Endpoint binding')?.status).toBe('done');
      expect(back.find((r) => r.item === 'Database writes')?.status).toBe('pass');
      expect(key().primary).toBe(writerHost());
      // every primary pod started after the key changed, so each writes to the writer
      const pods = [...stack.sites.primary.cluster.pods.values()].filter((p) => p.deployment === 'aegis-api');
      expect(pods.length).toBeGreaterThan(0);
      expect(pods.every((p) => p.dbHost === writerHost())).toBe(true);

      const before = sb.world.monitor.mutations.length;
      const again = await failbackStack(fbCtx, cloud, 0, true);
      expect(fails(again)).toEqual([]);
      expect(again.find((r) => r.item === 'Endpoint binding')?.detail).toMatch(/^already done/);
      const changes = sb.world.monitor.mutations
        .slice(before)
        .filter((m) => !(m.service === 'app' || /jobs\/aegis-integrity/.test(m.target)));
      expect(changes).toEqual([]);
    } finally {
      await sb.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
