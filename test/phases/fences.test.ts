/**
 * Fences as the sandbox witnesses them: after declare, the primary application stops writing (its
 * count of writes at the database stays flat while the DR site's grows), because the fence does
 * not rely on the application reading an annotation.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runPhase } from '../../src/phases/runner.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import type { StackWorld } from '../../src/sandbox/world.js';
import { until } from '../support/wait.js';

let sandbox: Sandbox;
let work: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-fences-'));
  sandbox = await startSandbox({ outDir: work, speed: 1000, prometheus: 'builtin', clouds: ['aws'] });
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

const quick = { retry: { maxAttempts: 3, baseMs: 1, capMs: 5 } };

/** The primary's write count stays where it is while the DR site's grows by `n`. */
async function primaryFlat(stack: StackWorld, n = 20): Promise<void> {
  const flat = stack.database.writesFrom.primary;
  const dr = stack.database.writesFrom.dr;
  await until(
    async () => stack.database.writesFrom.dr,
    (w) => w > dr + n,
  );
  expect(stack.database.writesFrom.primary).toBe(flat);
}

describe('declare fences a primary that users can no longer reach but that is still up', () => {
  it('the primary stops writing once declare has run (network partition)', async () => {
    sandbox.applyScenario('network-partition');
    const aws = sandbox.world.stack('aws');
    const before = aws.database.writesFrom.primary;
    await until(
      async () => aws.database.writesFrom.primary,
      (w) => w > before + 5,
    );
    const { result } = await runPhase({
      phase: 'declare',
      planFile: sandbox.planFile!,
      journalFile: path.join(work, 'journal.jsonl'),
      inputs: { 'incident-class': 'network-partition', reason: 'users cannot reach the primary' },
      run: quick,
    });
    expect(result.ok).toBe(true);
    await primaryFlat(aws);
    expect(sandbox.world.acceptsWrites(aws, 'primary')).toBe(false);
  });

  it('lifting the fence restores the journaled replica count, deletes the NetworkPolicy and removes the annotation', async () => {
    const aws = sandbox.world.stack('aws');
    const primary = aws.sites.primary.cluster;
    expect(primary.deployments.get('aegis-api')!.replicas).toBe(0);
    expect([...primary.networkPolicies.keys()]).toEqual(['aegis-dr-fence']);
    const { result, journal } = await runPhase({
      phase: 'database',
      planFile: sandbox.planFile!,
      journalFile: path.join(work, 'journal.jsonl'),
      inputs: { 'incident-class': 'database-corruption' },
      run: quick,
    });
    expect(result.ok).toBe(true);
    const fenced = journal.records.find((r) => r.step === 'fence-replicas' && r.stack === 'aws');
    expect(fenced?.data).toMatchObject({ replicas: 6 });
    expect(journal.records.findIndex((r) => r === fenced)).toBeLessThan(
      journal.records.findIndex((r) => r.step === 'fence-scale' && r.stack === 'aws' && r.outcome === 'done'),
    );
    expect(primary.deployments.get('aegis-api')!.replicas).toBe(6);
    expect(primary.networkPolicies.size).toBe(0);
    expect(primary.deployments.get('aegis-api')!.annotations).toEqual({});
    const before = aws.database.writesFrom.primary;
    await until(
      async () => aws.database.writesFrom.primary,
      (w) => w > before + 5,
    );
  });
});
