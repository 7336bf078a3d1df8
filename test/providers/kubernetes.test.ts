/**
 * Integration tests of the Kubernetes cluster adapter: the official @kubernetes/client-node client
 * over HTTP on loopback against the sandbox's emulated API servers, through a kubeconfig file.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { classify, ProviderError, UserError } from '../../src/engine/errors.js';
import { DRAIN_ANNOTATION } from '../../src/plan/constants.js';
import { KubernetesCluster, rolloutComplete } from '../../src/providers/kubernetes/cluster.js';
import { CONFIGMAP, createEstate, NAMESPACE, TOPOLOGY } from '../../src/sandbox/estate.js';
import { FaultRegistry } from '../../src/sandbox/faults.js';
import { startService, type RunningService } from '../../src/sandbox/http.js';
import {
  jobEnv,
  kubernetesService,
  registerJobHandler,
  writeKubeconfig,
} from '../../src/sandbox/kubernetes/index.js';
import { hpasOf } from '../../src/sandbox/kubernetes/hpa.js';
import { World } from '../../src/sandbox/world.js';
import { caught, until } from '../support/wait.js';

let dir: string;
let world: World;
let faults: FaultRegistry;
let svc: RunningService;
let kubeconfig: string;

const cluster = (context: string) => new KubernetesCluster({ kubeconfig, context, namespace: NAMESPACE });

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-k8s-provider-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  world = createEstate(new World({ speed: 2000, seed: 11 }));
  world.start(5);
  faults = new FaultRegistry();
  svc = await startService(kubernetesService(), { world, faults });
  kubeconfig = path.join(dir, `kubeconfig-${svc.port}`);
  fs.writeFileSync(kubeconfig, writeKubeconfig(svc.url, world));
});

afterEach(async () => {
  world.stop();
  await svc.close();
});

describe('KubernetesCluster', () => {
  it('reads nodes, pods, the deployment and the configmap', async () => {
    const c = cluster(TOPOLOGY.azure.contexts.dr);
    const nodes = await c.nodes();
    expect(nodes).toHaveLength(5); // the agent pool's three and the system pool's two
    expect(nodes.every((n) => n.ready)).toBe(true);
    const pool = await c.nodes('kubernetes.azure.com/agentpool=agentpool');
    expect(pool.map((n) => n.name)).toEqual(
      [0, 1, 2].map((i) => `${TOPOLOGY.azure.clusters.dr}-agentpool-${i}`),
    );
    expect(await c.nodes('kubernetes.azure.com/mode=system')).toHaveLength(2);
    const pods = await c.pods('app=aegis-api');
    expect(pods).toHaveLength(2);
    expect(pods[0]).toMatchObject({ phase: 'Running', ready: true, labels: { app: 'aegis-api' } });
    const d = await c.deployment('aegis-api');
    expect(d).toMatchObject({
      name: 'aegis-api',
      replicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      updatedReplicas: 2,
    });
    expect(rolloutComplete(d!)).toBe(true);
    expect(await c.deployment('missing')).toBeUndefined();
    expect(await c.configMap(CONFIGMAP)).toMatchObject({ 'cloud.region': 'westus2', region: 'dr' });
    expect(await c.configMap('missing')).toBeUndefined();
    expect(world.monitor.mutations).toHaveLength(0);
  });

  it('scales: the rollout completes only once new nodes are Ready', async () => {
    // the rollout on its own: without the HPA that would take the replicas back
    hpasOf(world.stack('gcp').sites.dr.cluster).clear();
    const c = cluster(TOPOLOGY.gcp.contexts.dr);
    await c.scale('aegis-api', 8);
    const first = await c.deployment('aegis-api');
    expect(first?.replicas).toBe(8);
    expect(rolloutComplete(first!)).toBe(false);
    // 3 nodes x 2 pods: stuck at 6 until the pool grows
    await until(
      () => c.deployment('aegis-api'),
      (d) => d?.readyReplicas === 6,
    );
    expect(rolloutComplete((await c.deployment('aegis-api'))!)).toBe(false);
    world.stack('gcp').sites.dr.pool.desired = 4;
    const nodes = await c.nodes('cloud.google.com/gke-nodepool=primary-pool');
    expect(nodes).toHaveLength(4);
    await until(
      () => c.nodes(),
      (n) => n.every((x) => x.ready),
    );
    const done = await until(
      () => c.deployment('aegis-api'),
      (d) => rolloutComplete(d!),
    );
    expect(done).toMatchObject({ replicas: 8, readyReplicas: 8, availableReplicas: 8, updatedReplicas: 8 });
    expect(done!.observedGeneration).toBeGreaterThanOrEqual(done!.generation);
    // scaling to the same size again is a no-op for the generation
    await c.scale('aegis-api', 8);
    expect((await c.deployment('aegis-api'))!.generation).toBe(done!.generation);
  });

  it('annotates to drain: connections reach zero through the pod proxy; null removes the annotation', async () => {
    const c = cluster(TOPOLOGY.aws.contexts.primary);
    const pods = await c.pods('app=aegis-api');
    const active = async () => {
      let sum = 0;
      for (const p of pods)
        sum += (JSON.parse(await c.podProxyGet(p.name, 8080, '/debug/connections')) as { active: number })
          .active;
      return sum;
    };
    expect(await active()).toBe(120);
    await c.annotate('aegis-api', { [DRAIN_ANNOTATION]: 'true' });
    expect((await c.deployment('aegis-api'))?.annotations[DRAIN_ANNOTATION]).toBe('true');
    await until(active, (n) => n === 0);
    await c.annotate('aegis-api', { [DRAIN_ANNOTATION]: null });
    expect((await c.deployment('aegis-api'))?.annotations[DRAIN_ANNOTATION]).toBeUndefined();
    expect(await active()).toBe(120);
    const err = await caught(c.podProxyGet(pods[0].name, 8080, '/nope'));
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).status).toBe(404);
    expect(classify(err).kind).toBe('permanent');
  });

  it('runs a job idempotently, reads its logs once done, and deletes it', async () => {
    const envs: Record<string, string>[] = [];
    const off = registerJobHandler(
      (job) => job.name === 'aegis-sync-1',
      (job) => {
        envs.push(jobEnv(job));
        return { succeeded: true, logs: 'synced rows=10 conflicts=0' };
      },
    );
    try {
      const c = cluster(TOPOLOGY.aws.contexts.dr);
      expect(await c.job('aegis-sync-1')).toBeUndefined();
      const spec = {
        name: 'aegis-sync-1',
        image: 'registry.aegis.test/sync:1',
        command: ['sync'],
        env: { FROM: 'primary' },
      };
      await c.runJob(spec);
      await c.runJob(spec); // already there: left alone
      expect(world.monitor.mutations.filter((m) => m.operation === 'createNamespacedJob')).toHaveLength(1);
      const status = await until(
        () => c.job('aegis-sync-1'),
        (j) => j?.done === true,
      );
      expect(status).toEqual({ done: true, succeeded: true, logs: 'synced rows=10 conflicts=0' });
      expect(envs).toEqual([{ FROM: 'primary' }]);
      await c.deleteJob('aegis-sync-1');
      await c.deleteJob('aegis-sync-1'); // already gone: fine
      expect(await c.job('aegis-sync-1')).toBeUndefined();
      expect(await c.pods('job-name=aegis-sync-1')).toHaveLength(0);
    } finally {
      off();
    }
  });

  it('reports a failed job as done and not succeeded', async () => {
    const off = registerJobHandler(
      (job) => job.name === 'integrity-x',
      () => ({ succeeded: false, logs: 'checksum mismatch' }),
    );
    try {
      const c = cluster(TOPOLOGY.gcp.contexts.primary);
      await c.runJob({ name: 'integrity-x', image: 'busybox', command: ['false'] });
      const s = await until(
        () => c.job('integrity-x'),
        (j) => j?.done === true,
      );
      expect(s).toEqual({ done: true, succeeded: false, logs: 'checksum mismatch' });
    } finally {
      off();
    }
  });

  it('an unreachable site gives a transient ProviderError; the other site still answers', async () => {
    world.stack('azure').sites.primary.up = false;
    const err = await caught(cluster(TOPOLOGY.azure.contexts.primary).nodes());
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).service).toBe('kubernetes');
    expect((err as ProviderError).operation).toBe('listNode');
    expect(classify(err).kind).toBe('transient');
    expect((err as Error).message).toMatch(/azure-primary.*check that the cluster is reachable/);
    expect(await cluster(TOPOLOGY.azure.contexts.dr).nodes('kubernetes.azure.com/mode=user')).toHaveLength(3);
  });

  it('a 429 is classified throttled with the advertised Retry-After', async () => {
    faults.add({
      service: 'kubernetes',
      operation: 'patchNamespacedDeploymentScale',
      kind: 'throttle',
      nth: 1,
      retryAfterSeconds: 2,
    });
    const c = cluster(TOPOLOGY.aws.contexts.dr);
    const err = await caught(c.scale('aegis-api', 4));
    expect(err).toBeInstanceOf(ProviderError);
    expect(classify(err)).toMatchObject({ kind: 'throttled', retryAfterMs: 2000 });
    expect((err as Error).message).toMatch(/429 TooManyRequests/);
    expect(world.monitor.mutations).toHaveLength(0);
    await c.scale('aegis-api', 4);
    expect((await c.deployment('aegis-api'))?.replicas).toBe(4);
  });

  it('a 503 is transient; a bad context or kubeconfig is a UserError naming the field', async () => {
    faults.add({ service: 'kubernetes', kind: 'error', status: 503, nth: 1 });
    const err = await caught(cluster(TOPOLOGY.gcp.contexts.dr).configMap(CONFIGMAP));
    expect(classify(err).kind).toBe('transient');
    const bad = await caught(cluster('nowhere').nodes());
    expect(bad).toBeInstanceOf(UserError);
    expect((bad as Error).message).toMatch(/kubernetes\.context "nowhere".*aws-primary/);
    const missing = await caught(
      new KubernetesCluster({ kubeconfig: path.join(dir, 'absent'), namespace: NAMESPACE }).nodes(),
    );
    expect(missing).toBeInstanceOf(UserError);
    expect((missing as Error).message).toMatch(/kubernetes\.kubeconfig/);
  });
});
