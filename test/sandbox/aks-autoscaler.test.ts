/**
 * The AKS cluster autoscaler of the sandbox, as the AKS documentation describes it
 * (https://learn.microsoft.com/en-us/azure/aks/cluster-autoscaler-overview): pods that cannot be
 * scheduled make it add nodes at its next scan, within minCount..maxCount ("The maximum count
 * limits scale-out, and the minimum count prevents scale-in below the capacity you require"); it
 * never grows a pool whose pods fit. So a DR pool on standby reaches the production size only when
 * the scale phase moves minCount, and never above maxCount. Driven through the official SDKs
 * (@azure/arm-containerservice, @kubernetes/client-node) over loopback.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ContainerServiceClient } from '@azure/arm-containerservice';
import { AutoscalingV2Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { runPhase } from '../../src/phases/runner.js';
import { armClientOptions, armConnection, secureClient } from '../../src/providers/azure/credentials.js';
import { AKS_SCAN_INTERVAL_S } from '../../src/sandbox/azure/aks.js';
import { NAMESPACE, POOL, SANDBOX_SUBSCRIPTION, TOPOLOGY } from '../../src/sandbox/estate.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { until } from '../support/wait.js';

const AZ = TOPOLOGY.azure;
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

let sandbox: Sandbox;
let work: string;
let aks: ContainerServiceClient;
let hpa: AutoscalingV2Api;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-aks-autoscaler-'));
  sandbox = await startSandbox({ outDir: work, speed: 2000, prometheus: 'builtin', clouds: ['azure'] });
  const conn = armConnection(sandbox.endpoints.arm);
  aks = secureClient(
    new ContainerServiceClient(conn.credential, SANDBOX_SUBSCRIPTION, armClientOptions(conn)),
    conn,
  );
  const kc = new KubeConfig();
  kc.loadFromFile(sandbox.kubeconfigFile!);
  kc.setCurrentContext(AZ.contexts.dr);
  hpa = kc.makeApiClient(AutoscalingV2Api);
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

/** The DR agent pool as ARM answers it. */
const drPool = () => aks.agentPools.get(AZ.resourceGroups.dr, AZ.clusters.dr, AZ.pool);

/** Hold the DR deployment at `replicas` through its HPA (the HPA owns the replicas). */
const demand = (replicas: number) =>
  hpa.patchNamespacedHorizontalPodAutoscaler(
    {
      name: 'aegis-api',
      namespace: NAMESPACE,
      body: { spec: { minReplicas: replicas, maxReplicas: replicas } },
    },
    merge,
  );

/** Let `n` autoscaler scans (and the nodes' boot) go by. */
const scans = async (n: number) => {
  const t = Date.now();
  await until(
    async () => Date.now(),
    (now) => now - t > sandbox.world.realMs(n * AKS_SCAN_INTERVAL_S),
  );
};

describe('AKS cluster autoscaler (sandbox)', () => {
  it('adds the nodes pending pods need, reaches the production size only once minCount is moved, and never exceeds maxCount', async () => {
    const site = sandbox.world.stack('azure').sites.dr;
    const writesBefore = sandbox.world.monitor.mutations.filter((m) => m.service === 'arm').length;
    expect(await drPool()).toMatchObject({ count: POOL.standby, minCount: POOL.min, maxCount: POOL.max });

    // 8 replicas need 4 nodes (2 pods each): the autoscaler adds one node for the pending pods
    await demand(8);
    await until(drPool, (p) => p.count === 4);
    await until(
      async () => site.cluster.nodes.filter((n) => n.ready).length,
      (n) => n === 4,
    );
    // ...and no more: the pods fit, so the pool stays under the production size however long it waits
    await scans(30);
    expect((await drPool()).count).toBe(4);
    expect(POOL.active).toBeGreaterThan(4);
    // the autoscaler's own scale is no ARM write
    expect(sandbox.world.monitor.mutations.filter((m) => m.service === 'arm')).toHaveLength(writesBefore);

    // the scale phase moves minCount to the production size: the nodes come up and stay
    const { result } = await runPhase({
      phase: 'scale',
      planFile: sandbox.planFile!,
      journalFile: path.join(work, 'journal.jsonl'),
      stack: 'azure',
      inputs: { target: 'dr', 'incident-class': 'region-outage' },
      run: { retry: { maxAttempts: 3, baseMs: 1, capMs: 5 } },
    });
    expect(result.rows.find((r) => r.item === 'Node pool dr')?.status).toBe('done');
    expect(await drPool()).toMatchObject({ count: POOL.active, minCount: POOL.active });
    expect(site.cluster.nodes.filter((n) => n.ready)).toHaveLength(POOL.active);

    // 30 replicas would need 15 nodes: the pool grows to maxCount and no further; pods stay Pending
    await demand(30);
    await until(drPool, (p) => p.count === POOL.max);
    await scans(30);
    const p = await drPool();
    expect(p.count).toBe(POOL.max);
    expect(p.maxCount).toBe(POOL.max);
    expect(site.cluster.nodes).toHaveLength(POOL.max);
    expect(
      [...site.cluster.pods.values()].filter((x) => x.deployment === 'aegis-api' && !x.node).length,
    ).toBe(30 - 2 * POOL.max);
  }, 60_000);
});
