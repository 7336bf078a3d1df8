/**
 * The emulated HorizontalPodAutoscaler (autoscaling/v2) through @kubernetes/client-node, and its
 * controller as the Kubernetes documentation describes it
 * (https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/): replicas kept
 * within min..max, replicas set by hand above the minimum taken back after the scale-down
 * stabilization window (the sandbox's pods are idle), and a target scaled to 0 left alone.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  AppsV1Api,
  AutoscalingV2Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { createEstate, NAMESPACE, TOPOLOGY } from '../../src/sandbox/estate.js';
import { FaultRegistry } from '../../src/sandbox/faults.js';
import { startService, type RunningService } from '../../src/sandbox/http.js';
import { HPA_SCALE_DOWN_STABILIZATION_S } from '../../src/sandbox/kubernetes/hpa.js';
import { kubernetesService, writeKubeconfig } from '../../src/sandbox/kubernetes/index.js';
import { World } from '../../src/sandbox/world.js';
import { caught, until } from '../support/wait.js';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const namespace = NAMESPACE;

let dir: string;
let world: World;
let svc: RunningService;
let hpa: AutoscalingV2Api;
let apps: AppsV1Api;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-hpa-'));
  world = createEstate(new World({ speed: 2000, seed: 7 }), ['gcp']);
  world.start(5);
  svc = await startService(kubernetesService(), { world, faults: new FaultRegistry() });
  const file = path.join(dir, 'kubeconfig');
  fs.writeFileSync(file, writeKubeconfig(svc.url, world));
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  kc.setCurrentContext(TOPOLOGY.gcp.contexts.dr);
  hpa = kc.makeApiClient(AutoscalingV2Api);
  apps = kc.makeApiClient(AppsV1Api);
});

afterEach(async () => {
  world.stop();
  await svc.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Real ms that pass `n` stabilization windows. */
const windows = (n: number) => {
  const t = Date.now();
  return until(
    async () => Date.now(),
    (now) => now - t > world.realMs(n * HPA_SCALE_DOWN_STABILIZATION_S),
  );
};

describe('HorizontalPodAutoscaler', () => {
  it('lists and reads the DR HPA of aegis-api: minimum the standby replicas', async () => {
    const list = await hpa.listNamespacedHorizontalPodAutoscaler({ namespace });
    expect(
      list.items.map((h) => [h.metadata?.name, h.spec?.scaleTargetRef.name, h.spec?.minReplicas]),
    ).toEqual([['aegis-api', 'aegis-api', 2]]);
    const one = await hpa.readNamespacedHorizontalPodAutoscaler({ name: 'aegis-api', namespace });
    expect(one.spec?.maxReplicas).toBe(10);
  });

  it('takes back replicas set by hand above its minimum once the stabilization window has passed', async () => {
    await apps.patchNamespacedDeploymentScale(
      { name: 'aegis-api', namespace, body: { spec: { replicas: 6 } } },
      merge,
    );
    const d = world.stack('gcp').sites.dr.cluster.deployments.get('aegis-api')!;
    expect(d.replicas).toBe(6);
    await until(
      async () => d.replicas,
      (r) => r === 2,
    );
  });

  it('holds replicas at a moved minimum; refuses a maximum under the minimum by field', async () => {
    await hpa.patchNamespacedHorizontalPodAutoscaler(
      { name: 'aegis-api', namespace, body: { spec: { minReplicas: 6, maxReplicas: 10 } } },
      merge,
    );
    const d = world.stack('gcp').sites.dr.cluster.deployments.get('aegis-api')!;
    expect(d.replicas).toBe(6); // scaled up to the minimum at once
    await windows(3);
    expect(d.replicas).toBe(6);
    const bad = await caught(
      hpa.patchNamespacedHorizontalPodAutoscaler(
        { name: 'aegis-api', namespace, body: { spec: { maxReplicas: 3 } } },
        merge,
      ),
    );
    expect(String((bad as { body?: unknown }).body)).toMatch(/spec\.maxReplicas: Invalid value: 3/);
  });

  it('leaves a target scaled to 0 alone (implicit maintenance-mode deactivation)', async () => {
    await apps.patchNamespacedDeploymentScale(
      { name: 'aegis-api', namespace, body: { spec: { replicas: 0 } } },
      merge,
    );
    await windows(2);
    expect(world.stack('gcp').sites.dr.cluster.deployments.get('aegis-api')!.replicas).toBe(0);
  });
});
