/**
 * Wire-level tests of the emulated Kubernetes API through the official @kubernetes/client-node
 * 2.x client over HTTP on loopback, one kubeconfig context per stack and site.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ApiException,
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  Watch,
  setHeaderOptions,
  type V1Node,
} from '@kubernetes/client-node';
import { classify, wrapSdkError } from '../../src/engine/errors.js';
import { CONFIGMAP, createEstate, NAMESPACE, TOPOLOGY } from '../../src/sandbox/estate.js';
import { FaultRegistry } from '../../src/sandbox/faults.js';
import { startService, type RunningService } from '../../src/sandbox/http.js';
import {
  jobCommand,
  jobEnv,
  jsonPatch,
  kubernetesService,
  mergePatch,
  parseLabelSelector,
  registerJobHandler,
  writeKubeconfig,
} from '../../src/sandbox/kubernetes/index.js';
import { activeConnections, connectionShare } from '../../src/sandbox/connections.js';
import { hpasOf } from '../../src/sandbox/kubernetes/hpa.js';
import { World } from '../../src/sandbox/world.js';
import { caught, until } from '../support/wait.js';

const ns = NAMESPACE;
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const jsonPatchOpt = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

function statusOf(err: unknown): { code?: number; reason?: string; message?: string } {
  const body = (err as ApiException<string>).body;
  return typeof body === 'string' ? JSON.parse(body) : (body as object);
}

let dir: string;
let world: World;
let faults: FaultRegistry;
let svc: RunningService;
let kubeconfigPath: string;

function clients(context: string) {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  kc.setCurrentContext(context);
  return {
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    batch: kc.makeApiClient(BatchV1Api),
    kc,
  };
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-k8s-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  world = createEstate(new World({ speed: 2000, seed: 7 }));
  world.start(5);
  faults = new FaultRegistry();
  svc = await startService(kubernetesService(), { world, faults });
  kubeconfigPath = path.join(dir, `kubeconfig-${svc.port}`);
  fs.writeFileSync(kubeconfigPath, writeKubeconfig(svc.url, world));
});

afterEach(async () => {
  world.stop();
  await svc.close();
});

describe('kubeconfig', () => {
  it('has one context per stack and site, named as TOPOLOGY contexts, served under /clusters/<stack>-<site>', () => {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    const names = kc.getContexts().map((c) => c.name);
    for (const cloud of ['aws', 'azure', 'gcp'] as const) {
      for (const site of ['primary', 'dr'] as const) {
        const ctx = TOPOLOGY[cloud].contexts[site];
        expect(names).toContain(ctx);
        const c = kc.getContextObject(ctx)!;
        expect(c.namespace).toBe(ns);
        const cluster = kc.getCluster(c.cluster)!;
        expect(cluster.server).toBe(`${svc.url}/clusters/${cloud}-${site}`);
        expect(cluster.skipTLSVerify).toBe(true);
      }
    }
  });
});

describe('nodes and pods', () => {
  it('lists nodes with their Ready condition and watches new nodes come Ready', async () => {
    const { core, kc } = clients('aws-dr');
    const nodes = await core.listNode();
    // the node group's three nodes and the system node group's two, told apart by their label
    expect(nodes.items).toHaveLength(5);
    expect(nodes.items.map((n) => n.metadata?.labels?.['eks.amazonaws.com/nodegroup'])).toEqual([
      'primary',
      'primary',
      'primary',
      'system',
      'system',
    ]);
    const pool = await core.listNode({ labelSelector: 'eks.amazonaws.com/nodegroup=primary' });
    expect(pool.items).toHaveLength(3);
    for (const n of nodes.items) {
      expect(n.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(n.metadata?.labels?.['topology.kubernetes.io/region']).toBe('us-west-2');
    }
    const events: { type: string; name: string; ready: string }[] = [];
    const watch = new Watch(kc);
    const ctl = await watch.watch(
      '/api/v1/nodes',
      {},
      (type, obj: V1Node) =>
        events.push({
          type,
          name: obj.metadata!.name!,
          ready: obj.status!.conditions!.find((c) => c.type === 'Ready')!.status,
        }),
      () => undefined,
    );
    try {
      await until(
        async () => events.length,
        (n) => n >= 5,
      );
      world.stack('aws').sites.dr.pool.desired = 4;
      world.settle();
      const added = await until(
        async () => events.filter((e) => e.name.endsWith('-3')),
        (e) =>
          e.some((x) => x.type === 'ADDED') && e.some((x) => x.type === 'MODIFIED' && x.ready === 'True'),
      );
      expect(added[0]).toMatchObject({ type: 'ADDED', ready: 'False' });
    } finally {
      ctl.abort();
    }
  });

  it('lists pods by label selector and reads one', async () => {
    const { core } = clients('gcp-primary');
    const all = await core.listNamespacedPod({ namespace: ns });
    const api = await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=aegis-api' });
    expect(api.items).toHaveLength(6);
    expect(all.items.length).toBeGreaterThanOrEqual(6);
    expect(
      (await core.listNamespacedPod({ namespace: ns, labelSelector: 'app in (other)' })).items,
    ).toHaveLength(0);
    const pod = await core.readNamespacedPod({ namespace: ns, name: api.items[0].metadata!.name! });
    expect(pod.status?.phase).toBe('Running');
    expect(pod.metadata?.creationTimestamp).toBeInstanceOf(Date);
    const err = await caught(core.readNamespacedPod({ namespace: ns, name: 'nope' }));
    expect((err as ApiException<string>).code).toBe(404);
    expect(statusOf(err)).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 });
  });

  it('label selector grammar', () => {
    const l = { app: 'aegis-api', tier: 'web' };
    const ok = (s: string) => parseLabelSelector(s).every((r) => r(l));
    expect(ok('app=aegis-api,tier!=db')).toBe(true);
    expect(ok('app==aegis-api,tier in (web, api)')).toBe(true);
    expect(ok('tier notin (web)')).toBe(false);
    expect(ok('app,!missing')).toBe(true);
    expect(ok('missing')).toBe(false);
  });
});

describe('deployments', () => {
  it('scales through the scale subresource; readyReplicas follow only as far as Ready nodes allow', async () => {
    // the scale subresource on its own: without the HPA that would take the replicas back (hpa.test.ts)
    hpasOf(world.stack('aws').sites.dr.cluster).clear();
    const { apps } = clients('aws-dr');
    const before = await apps.readNamespacedDeployment({ name: 'aegis-api', namespace: ns });
    expect(before.status).toMatchObject({
      replicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      updatedReplicas: 2,
    });
    const gen = before.metadata!.generation!;
    const scale = await apps.patchNamespacedDeploymentScale(
      { name: 'aegis-api', namespace: ns, body: { spec: { replicas: 10 } } },
      merge,
    );
    expect(scale.spec?.replicas).toBe(10);
    const after = await apps.readNamespacedDeployment({ name: 'aegis-api', namespace: ns });
    expect(after.metadata?.generation).toBe(gen + 1);
    expect(after.spec?.replicas).toBe(10);
    // 3 Ready nodes hold 6 pods: readiness stops there
    const capped = await until(
      () => apps.readNamespacedDeployment({ name: 'aegis-api', namespace: ns }),
      (d) => d.status?.readyReplicas === 6,
    );
    expect(capped.status?.observedGeneration).toBe(gen + 1);
    expect(capped.status?.conditions?.find((c) => c.type === 'Available')?.status).toBe('False');
    await new Promise((r) => setTimeout(r, 100));
    expect(
      (await apps.readNamespacedDeployment({ name: 'aegis-api', namespace: ns })).status?.readyReplicas,
    ).toBe(6);
    // grow the node pool: new nodes come Ready over time and the rest of the pods follow
    world.stack('aws').sites.dr.pool.desired = 5;
    const full = await until(
      () => apps.readNamespacedDeployment({ name: 'aegis-api', namespace: ns }),
      (d) => d.status?.readyReplicas === 10,
    );
    expect(full.status?.conditions?.find((c) => c.type === 'Available')?.status).toBe('True');
    expect(full.status?.conditions?.find((c) => c.type === 'Progressing')?.reason).toBe(
      'NewReplicaSetAvailable',
    );
    expect(world.monitor.mutations.filter((m) => m.service === 'kubernetes')).toEqual([
      expect.objectContaining({
        operation: 'patchNamespacedDeploymentScale',
        target: 'aws-dr/deployments/aegis-api/scale',
      }),
    ]);
  });

  it('replaces the scale (PUT), and a same-size scale does not bump the generation', async () => {
    const { apps } = clients('azure-dr');
    const s = await apps.readNamespacedDeploymentScale({ name: 'aegis-api', namespace: ns });
    expect(s.spec?.replicas).toBe(2);
    const gen = (await apps.readNamespacedDeployment({ name: 'aegis-api', namespace: ns })).metadata!
      .generation!;
    await apps.replaceNamespacedDeploymentScale({
      name: 'aegis-api',
      namespace: ns,
      body: { ...s, spec: { replicas: 2 } },
    });
    expect(
      (await apps.readNamespacedDeployment({ name: 'aegis-api', namespace: ns })).metadata!.generation,
    ).toBe(gen);
    await apps.replaceNamespacedDeploymentScale({
      name: 'aegis-api',
      namespace: ns,
      body: { ...s, spec: { replicas: 4 } },
    });
    expect((await apps.readNamespacedDeployment({ name: 'aegis-api', namespace: ns })).spec?.replicas).toBe(
      4,
    );
  });

  it('patches with JSON patch (the default) and strategic merge patch', async () => {
    const { apps } = clients('gcp-dr');
    await apps.patchNamespacedDeployment(
      { name: 'aegis-api', namespace: ns, body: [{ op: 'replace', path: '/spec/replicas', value: 3 }] },
      jsonPatchOpt,
    );
    await apps.patchNamespacedDeployment({
      name: 'aegis-api',
      namespace: ns,
      body: [{ op: 'add', path: '/metadata/annotations/aegis.io~1owner', value: 'sre' }],
    });
    await apps.patchNamespacedDeployment(
      { name: 'aegis-api', namespace: ns, body: { metadata: { annotations: { 'aegis.io/note': 'drill' } } } },
      strategic,
    );
    const d = await apps.readNamespacedDeployment({ name: 'aegis-api', namespace: ns });
    expect(d.spec?.replicas).toBe(3);
    expect(d.metadata?.annotations).toMatchObject({ 'aegis.io/owner': 'sre', 'aegis.io/note': 'drill' });
    const bad = await caught(
      apps.patchNamespacedDeployment(
        { name: 'aegis-api', namespace: ns, body: { spec: { replicas: -1 } } },
        merge,
      ),
    );
    expect(statusOf(bad)).toMatchObject({ reason: 'Invalid', code: 422 });
  });

  it('the drain annotation drains connections to zero through the pod proxy; removing it restores them', async () => {
    const { apps, core } = clients('aws-primary');
    const site = world.stack('aws').sites.primary;
    const pods = (await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=aegis-api' })).items.map(
      (p) => p.metadata!.name!,
    );
    const total = async () => {
      let sum = 0;
      for (const p of pods) {
        const body: unknown = await core.connectGetNamespacedPodProxyWithPath({
          name: `${p}:8080`,
          namespace: ns,
          path: 'debug/connections',
        });
        sum += (typeof body === 'string' ? JSON.parse(body) : (body as { active: number })).active;
      }
      return sum;
    };
    expect(await total()).toBe(120);
    await apps.patchNamespacedDeployment(
      { name: 'aegis-api', namespace: ns, body: { metadata: { annotations: { 'aegis.io/drain': 'true' } } } },
      merge,
    );
    expect(site.drainStartedAt).toBeDefined();
    expect(site.connectionsAtDrain).toBe(120);
    const started = site.drainStartedAt;
    // annotating again does not restart the drain
    await apps.patchNamespacedDeployment(
      { name: 'aegis-api', namespace: ns, body: { metadata: { annotations: { 'aegis.io/drain': 'true' } } } },
      merge,
    );
    expect(site.drainStartedAt).toBe(started);
    await until(total, (n) => n === 0);
    expect(activeConnections(world, site)).toBe(0);
    await apps.patchNamespacedDeployment(
      { name: 'aegis-api', namespace: ns, body: { metadata: { annotations: { 'aegis.io/drain': null } } } },
      merge,
    );
    expect(site.drainStartedAt).toBeUndefined();
    expect(await total()).toBe(120);
    const other = await caught(
      core.connectGetNamespacedPodProxyWithPath({ name: `${pods[0]}:8080`, namespace: ns, path: 'admin' }),
    );
    expect((other as ApiException<string>).code).toBe(404);
  });

  it('connection shares add up to the total', () => {
    for (const total of [0, 1, 7, 120]) {
      let sum = 0;
      for (let i = 0; i < 6; i++) sum += connectionShare(total, 6, i);
      expect(sum).toBe(total);
    }
  });
});

describe('configmaps', () => {
  it('gets and lists the aegis configmap', async () => {
    const { core } = clients('azure-primary');
    const cm = await core.readNamespacedConfigMap({ name: CONFIGMAP, namespace: ns });
    expect(cm.data).toMatchObject({ 'db.pool.size': '40', region: 'primary', 'cloud.region': 'eastus' });
    const list = await core.listNamespacedConfigMap({ namespace: ns });
    expect(list.items.map((c) => c.metadata?.name)).toEqual([CONFIGMAP]);
    expect(
      ((await caught(core.readNamespacedConfigMap({ name: 'nope', namespace: ns }))) as ApiException<string>)
        .code,
    ).toBe(404);
  });
});

describe('jobs', () => {
  let unregister: (() => void) | undefined;
  afterEach(() => unregister?.());

  it('creates a job whose pod runs, succeeds through the plugged handler, and logs; deletes it', async () => {
    const seen: { command: string[]; env: Record<string, string>; site: string }[] = [];
    unregister = registerJobHandler(
      (job) => job.name.startsWith('integrity-'),
      (job, ctx) => {
        seen.push({ command: jobCommand(job), env: jobEnv(job), site: `${ctx.stack.name}-${ctx.site}` });
        return { succeeded: true, logs: 'rows=42 checksum=ok\n' };
      },
    );
    const { batch, core } = clients('aws-dr');
    const body = {
      metadata: { name: 'integrity-check-1', labels: { 'aegis.io/step': 'integrity' } },
      spec: {
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [
              {
                name: 'check',
                image: 'registry.aegis.test/tools:1',
                command: ['check', '--all'],
                env: [{ name: 'MODE', value: 'full' }],
              },
            ],
          },
        },
      },
    };
    const created = await batch.createNamespacedJob({ namespace: ns, body });
    expect(created.status?.active).toBe(1);
    const dup = await caught(batch.createNamespacedJob({ namespace: ns, body }));
    expect(statusOf(dup)).toMatchObject({ reason: 'AlreadyExists', code: 409 });
    const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: 'job-name=integrity-check-1' });
    expect(pods.items).toHaveLength(1);
    const done = await until(
      () => batch.readNamespacedJob({ name: 'integrity-check-1', namespace: ns }),
      (j) => (j.status?.succeeded ?? 0) > 0,
    );
    expect(done.status?.conditions?.find((c) => c.type === 'Complete')?.status).toBe('True');
    expect(seen).toEqual([{ command: ['check', '--all'], env: { MODE: 'full' }, site: 'aws-dr' }]);
    const logs = await core.readNamespacedPodLog({ name: pods.items[0].metadata!.name!, namespace: ns });
    expect(logs).toBe('rows=42 checksum=ok\n');
    expect((await batch.listNamespacedJob({ namespace: ns })).items).toHaveLength(1);
    await batch.deleteNamespacedJob({
      name: 'integrity-check-1',
      namespace: ns,
      propagationPolicy: 'Background',
    });
    expect(
      (
        (await caught(
          batch.readNamespacedJob({ name: 'integrity-check-1', namespace: ns }),
        )) as ApiException<string>
      ).code,
    ).toBe(404);
    expect(
      (await core.listNamespacedPod({ namespace: ns, labelSelector: 'job-name=integrity-check-1' })).items,
    ).toHaveLength(0);
    const ops = world.monitor.mutations.map((m) => m.operation);
    expect(ops).toEqual(['createNamespacedJob', 'deleteNamespacedJob']);
  });

  it('a failing handler fails the job with its logs; the default handler succeeds with "ok"', async () => {
    unregister = registerJobHandler(
      (job) => job.name === 'sync-bad',
      () => ({ succeeded: false, logs: 'conflicts=3' }),
    );
    const { batch } = clients('gcp-dr');
    const spec = {
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
    };
    await batch.createNamespacedJob({ namespace: ns, body: { metadata: { name: 'sync-bad' }, spec } });
    await batch.createNamespacedJob({ namespace: ns, body: { metadata: { name: 'plain' }, spec } });
    const bad = await until(
      () => batch.readNamespacedJob({ name: 'sync-bad', namespace: ns }),
      (j) => (j.status?.failed ?? 0) > 0,
    );
    expect(bad.status?.conditions?.find((c) => c.type === 'Failed')?.status).toBe('True');
    const plain = await until(
      () => batch.readNamespacedJob({ name: 'plain', namespace: ns }),
      (j) => (j.status?.succeeded ?? 0) > 0,
    );
    expect(plain.status?.active).toBeUndefined();
    expect(world.stack('gcp').sites.dr.cluster.jobs.get('plain')?.logs).toBe('ok');
  });

  it('refuses an invalid job name', async () => {
    const { batch } = clients('aws-primary');
    const err = await caught(
      batch.createNamespacedJob({
        namespace: ns,
        body: {
          metadata: { name: 'Bad_Name' },
          spec: { template: { spec: { containers: [{ name: 'c' }] } } },
        },
      }),
    );
    expect(statusOf(err)).toMatchObject({ reason: 'Invalid', code: 422 });
    expect(world.monitor.mutations).toHaveLength(0);
  });
});

describe('failures', () => {
  it('an unreachable site resets the connection (transient); the other site keeps answering', async () => {
    world.stack('aws').sites.primary.up = false;
    const err = await caught(clients('aws-primary').core.listNode());
    const c = classify(wrapSdkError('kubernetes', 'listNode', err));
    expect(c.kind).toBe('transient');
    const other = await clients('aws-dr').core.listNode();
    expect(other.items.length).toBe(5);
  });

  it('a throttling fault answers 429 TooManyRequests with Retry-After, classified throttled', async () => {
    faults.add({
      service: 'kubernetes',
      operation: 'readNamespacedDeployment',
      kind: 'throttle',
      nth: 1,
      retryAfterSeconds: 3,
    });
    const { apps } = clients('azure-primary');
    const err = await caught(apps.readNamespacedDeployment({ name: 'aegis-api', namespace: ns }));
    expect(statusOf(err)).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', code: 429 });
    const c = classify(wrapSdkError('kubernetes', 'readNamespacedDeployment', err));
    expect(c).toMatchObject({ kind: 'throttled', retryAfterMs: 3000 });
    // the next call goes through
    expect((await apps.readNamespacedDeployment({ name: 'aegis-api', namespace: ns })).spec?.replicas).toBe(
      6,
    );
  });

  it('a server error fault is a 503 Status, classified transient', async () => {
    faults.add({ service: 'kubernetes', kind: 'error', nth: 1 });
    const err = await caught(clients('gcp-primary').core.listNode());
    expect(statusOf(err)).toMatchObject({ reason: 'ServiceUnavailable', code: 503 });
    expect(classify(wrapSdkError('kubernetes', 'listNode', err)).kind).toBe('transient');
  });

  it('an unknown cluster is a 404 Status naming the clusters there are', async () => {
    const res = await fetch(`${svc.url}/clusters/oci-primary/api/v1/nodes`);
    expect(res.status).toBe(404);
    const body = (await res.json()) as { message: string };
    expect(body).toMatchObject({ kind: 'Status', reason: 'NotFound' });
    expect(body.message).toMatch(/aws-primary/);
  });
});

describe('kubectl support', () => {
  it('serves discovery and meta.k8s.io Table output, as kubectl get asks', async () => {
    const api = (await (await fetch(`${svc.url}/clusters/aws-dr/apis/apps/v1`)).json()) as {
      resources: { name: string }[];
    };
    expect(api.resources.map((r) => r.name)).toContain('deployments/scale');
    const res = await fetch(`${svc.url}/clusters/aws-dr/api/v1/nodes`, {
      headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' },
    });
    const table = (await res.json()) as { kind: string; rows: { cells: unknown[] }[] };
    expect(table.kind).toBe('Table');
    expect(table.rows.map((r) => r.cells[1])).toEqual(['Ready', 'Ready', 'Ready', 'Ready', 'Ready']);
  });
});

describe('patch helpers', () => {
  it('merge patch removes nulls and merges maps', () => {
    expect(mergePatch({ a: { b: 1, c: 2 }, d: 1 }, { a: { b: null, e: 3 }, d: [1] })).toEqual({
      a: { c: 2, e: 3 },
      d: [1],
    });
  });
  it('JSON patch add/remove/replace/test', () => {
    const doc = { metadata: { annotations: { x: '1' } }, spec: { replicas: 1 } };
    const out = jsonPatch(doc, [
      { op: 'test', path: '/spec/replicas', value: 1 },
      { op: 'replace', path: '/spec/replicas', value: 2 },
      { op: 'remove', path: '/metadata/annotations/x' },
      { op: 'add', path: '/metadata/annotations/a~1b', value: 'y' },
    ]);
    expect(out).toEqual({ metadata: { annotations: { 'a/b': 'y' } }, spec: { replicas: 2 } });
    expect(doc.spec.replicas).toBe(1);
    expect(() => jsonPatch(doc, [{ op: 'replace', path: '/nope/x', value: 1 }])).toThrow();
  });
});
