/**
 * The scale phase and a HorizontalPodAutoscaler on the scaled deployment: the HPA owns its
 * target's replicas and, with idle pods, takes back replicas set above its minimum after the
 * scale-down stabilization window (https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/).
 * Scaling to production replicas must move the HPA's minimum, not fight it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runPhase } from '../../src/phases/runner.js';
import { HPA_SCALE_DOWN_STABILIZATION_S, hpasOf } from '../../src/sandbox/kubernetes/hpa.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { until } from '../support/wait.js';

let sandbox: Sandbox;
let work: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-scale-hpa-'));
  sandbox = await startSandbox({ outDir: work, speed: 2000, prometheus: 'builtin', clouds: ['gcp'] });
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('scale with an HPA on the deployment', () => {
  it('moves the DR HPA minimum to 6: the six replicas hold past the stabilization window', async () => {
    const { result } = await runPhase({
      phase: 'scale',
      planFile: sandbox.planFile!,
      journalFile: path.join(work, 'journal.jsonl'),
      inputs: { target: 'dr', 'incident-class': 'region-outage' },
      run: { retry: { maxAttempts: 3, baseMs: 1, capMs: 5 } },
    });
    expect(result.ok).toBe(true);
    const dr = sandbox.world.stack('gcp').sites.dr.cluster;
    expect(hpasOf(dr).get('aegis-api')?.minReplicas).toBe(6);
    const t = Date.now();
    await until(
      async () => Date.now(),
      (now) => now - t > sandbox.world.realMs(3 * HPA_SCALE_DOWN_STABILIZATION_S),
    );
    expect(dr.deployments.get('aegis-api')?.replicas).toBe(6);
  }, 60_000);
});
