/**
 * The sandbox as a witness of fences: what stops the application's writes on a real cluster, and
 * what does not. Through the official @kubernetes/client-node client on loopback: the drain
 * annotation alone stops nothing (the application does not watch its Deployment), a Deployment
 * scaled to zero stops the writes, and a NetworkPolicy that cuts the pods' egress to the database
 * stops the writes of pods that start after it, only where the network plugin enforces it. The
 * proof each time is the database's count of writes from the primary site.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ApiException,
  AppsV1Api,
  KubeConfig,
  NetworkingV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1NetworkPolicy,
} from '@kubernetes/client-node';
import { DRAIN_ANNOTATION } from '../../src/plan/constants.js';
import { createEstate, NAMESPACE, TOPOLOGY } from '../../src/sandbox/estate.js';
import { FaultRegistry } from '../../src/sandbox/faults.js';
import { startService, type RunningService } from '../../src/sandbox/http.js';
import { kubernetesService, writeKubeconfig } from '../../src/sandbox/kubernetes/index.js';
import { selectsObject } from '../../src/sandbox/kubernetes/selectors.js';
import {
  cidrContains,
  DATABASE_ADDRESS,
  policyTypes,
  ruleAllowsDatabase,
  type NetworkPolicyState,
} from '../../src/sandbox/writes.js';
import { readyPods, World, type StackWorld } from '../../src/sandbox/world.js';
import { caught, until } from '../support/wait.js';

const ns = NAMESPACE;
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

describe('LabelSelector objects (matchLabels and matchExpressions are ANDed)', () => {
  const pod = { app: 'aegis-api', tier: 'api' };
  it.each([
    ['an empty selector selects every pod', {}, true],
    ['matchLabels that all hold', { matchLabels: { app: 'aegis-api' } }, true],
    ['matchLabels with one value that differs', { matchLabels: { app: 'aegis-api', tier: 'web' } }, false],
    [
      'In with the value',
      { matchExpressions: [{ key: 'app', operator: 'In', values: ['x', 'aegis-api'] }] },
      true,
    ],
    ['In without the key', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, false],
    [
      'NotIn with the value',
      { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['aegis-api'] }] },
      false,
    ],
    [
      'NotIn without the key selects',
      { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] },
      true,
    ],
    ['Exists', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, true],
    [
      'DoesNotExist on a present key',
      { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] },
      false,
    ],
    [
      'matchLabels and an expression that fails',
      {
        matchLabels: { app: 'aegis-api' },
        matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }],
      },
      false,
    ],
  ])('%s', (_why, selector, selected) => {
    expect(selectsObject(selector, pod)).toBe(selected);
  });
});

describe('NetworkPolicy egress semantics', () => {
  const policy = (spec: Partial<NetworkPolicyState['spec']>): NetworkPolicyState => ({
    name: 'p',
    labels: {},
    annotations: {},
    spec: { podSelector: {}, ...spec },
    createdAt: 0,
    uid: 'u',
  });
  it.each([
    ['no policyTypes and no egress section: Ingress only', {}, ['Ingress']],
    ['no policyTypes and an egress section: Ingress and Egress', { egress: [] }, ['Ingress', 'Egress']],
    ['policyTypes as written', { policyTypes: ['Egress'] }, ['Egress']],
  ])('%s', (_why, spec, types) => {
    expect(policyTypes(policy(spec))).toEqual(types);
  });

  it.each([
    ['a rule with no to and no ports allows everything', {}, true],
    [
      'a rule limited to DNS ports does not reach the database',
      { ports: [{ protocol: 'UDP', port: 53 }] },
      false,
    ],
    ['a port range holding 5432', { ports: [{ port: 5000, endPort: 6000 }] }, true],
    ['an ipBlock holding the database', { to: [{ ipBlock: { cidr: '10.200.0.0/16' } }] }, true],
    [
      'an ipBlock whose except holds the database',
      { to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.200.0.0/24'] } }] },
      false,
    ],
    ['a podSelector peer (the database is outside the cluster)', { to: [{ podSelector: {} }] }, false],
  ])('%s', (_why, rule, allowed) => {
    expect(ruleAllowsDatabase(rule, 5432)).toBe(allowed);
  });

  it('matches IPv4 CIDRs bit by bit', () => {
    expect(cidrContains('0.0.0.0/0', DATABASE_ADDRESS)).toBe(true);
    expect(cidrContains('10.200.0.8/29', DATABASE_ADDRESS)).toBe(true);
    expect(cidrContains('10.200.0.0/29', DATABASE_ADDRESS)).toBe(false);
    expect(cidrContains('fd00::/8', DATABASE_ADDRESS)).toBe(false);
  });
});

let dir: string;
let world: World;
let svc: RunningService;
let kubeconfigPath: string;
let aws: StackWorld;

function clients(context: string) {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  kc.setCurrentContext(context);
  return { apps: kc.makeApiClient(AppsV1Api), net: kc.makeApiClient(NetworkingV1Api) };
}

const primary = () => clients(TOPOLOGY.aws.contexts.primary);
const writes = () => aws.database.writesFrom.primary;

/** The primary's write count once it has grown past `n` (the site writes). */
const grows = (n: number) =>
  until(
    async () => writes(),
    (w) => w > n + 5,
  );

/** Scale the primary's aegis-api to `n` and wait for `n` ready pods. */
async function scaleTo(n: number): Promise<void> {
  await primary().apps.patchNamespacedDeploymentScale(
    { name: 'aegis-api', namespace: ns, body: { spec: { replicas: n } } },
    merge,
  );
  await until(
    async () => readyPods(aws.sites.primary.cluster, 'aegis-api'),
    (r) => r === n,
  );
}

const denyEgress = (podSelector: V1NetworkPolicy['spec'] extends infer S ? S : never): V1NetworkPolicy => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'aegis-dr-fence' },
  spec: { ...podSelector!, policyTypes: ['Egress'], egress: [] },
});

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-fences-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  world = createEstate(new World({ speed: 2000, seed: 7 }));
  world.start(5);
  svc = await startService(kubernetesService(), { world, faults: new FaultRegistry() });
  kubeconfigPath = path.join(dir, `kubeconfig-${svc.port}`);
  fs.writeFileSync(kubeconfigPath, writeKubeconfig(svc.url, world));
  aws = world.stack('aws');
  await until(
    async () => readyPods(aws.sites.primary.cluster, 'aegis-api'),
    (r) => r === 6,
  );
});

afterEach(async () => {
  world.stop();
  await svc.close();
});

describe('what stops the primary application writing', () => {
  it('the drain annotation alone does not: the application does not watch its Deployment', async () => {
    await primary().apps.patchNamespacedDeployment(
      {
        name: 'aegis-api',
        namespace: ns,
        body: { metadata: { annotations: { [DRAIN_ANNOTATION]: 'true' } } },
      },
      merge,
    );
    await grows(writes());
    expect(world.acceptsWrites(aws, 'primary')).toBe(true);
  });

  it('the annotation does stop an application that watches its own Deployment', async () => {
    aws.appWatchesDeployment = true;
    await primary().apps.patchNamespacedDeployment(
      {
        name: 'aegis-api',
        namespace: ns,
        body: { metadata: { annotations: { [DRAIN_ANNOTATION]: 'true' } } },
      },
      merge,
    );
    world.settle();
    expect(world.acceptsWrites(aws, 'primary')).toBe(false);
  });

  it('scale to zero does: no pod, no write (the count stays flat)', async () => {
    await scaleTo(0);
    const flat = writes();
    // the DR site keeps writing (to the primary database, across regions) while the primary count stays put
    const dr = aws.database.writesFrom.dr;
    await until(
      async () => aws.database.writesFrom.dr,
      (w) => w > dr + 5,
    );
    expect(writes()).toBe(flat);
  });

  it('an enforced deny-all-egress NetworkPolicy blocks new pods; pods connected before it keep their open connections', async () => {
    const created = await primary().net.createNamespacedNetworkPolicy({
      namespace: ns,
      body: denyEgress({
        podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['aegis-api'] }] },
      }),
    });
    expect(created.spec?.policyTypes).toEqual(['Egress']);
    // open connections stay open: the running pods still write
    await grows(writes());
    // new pods (a restart, a scale-up by someone else) cannot open a connection to the database
    await scaleTo(0);
    await scaleTo(6);
    const flat = writes();
    const dr = aws.database.writesFrom.dr;
    await until(
      async () => aws.database.writesFrom.dr,
      (w) => w > dr + 5,
    );
    expect(writes()).toBe(flat);
    expect(world.acceptsWrites(aws, 'primary')).toBe(false);
    // deleting it lets the pods reach the database again
    await primary().net.deleteNamespacedNetworkPolicy({ name: 'aegis-dr-fence', namespace: ns });
    await grows(flat);
  });

  it('a policy that selects other pods, or one that allows the database port, leaves the writes alone', async () => {
    await primary().net.createNamespacedNetworkPolicy({
      namespace: ns,
      body: denyEgress({ podSelector: { matchLabels: { app: 'aegis-worker' } } }),
    });
    await primary().net.createNamespacedNetworkPolicy({
      namespace: ns,
      body: {
        metadata: { name: 'allow-db' },
        spec: {
          podSelector: { matchLabels: { app: 'aegis-api' } },
          policyTypes: ['Egress'],
          egress: [
            { to: [{ ipBlock: { cidr: '10.200.0.0/16' } }], ports: [{ protocol: 'TCP', port: 5432 }] },
          ],
        },
      },
    });
    await scaleTo(0);
    await scaleTo(6);
    await grows(writes());
  });

  it('a NetworkPolicy does nothing where the network plugin does not enforce it', async () => {
    aws.sites.primary.networkPolicyEnforced = false;
    await primary().net.createNamespacedNetworkPolicy({
      namespace: ns,
      body: denyEgress({ podSelector: {} }),
    });
    await scaleTo(0);
    await scaleTo(6);
    await grows(writes());
  });

  it('the API server validates a NetworkPolicy and refuses a second one of the same name', async () => {
    const bad = await caught(
      primary().net.createNamespacedNetworkPolicy({
        namespace: ns,
        body: {
          metadata: { name: 'bad' },
          spec: { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] } },
        },
      }),
    );
    expect((bad as ApiException<string>).code).toBe(422);
    await primary().net.createNamespacedNetworkPolicy({
      namespace: ns,
      body: denyEgress({ podSelector: {} }),
    });
    const again = await caught(
      primary().net.createNamespacedNetworkPolicy({ namespace: ns, body: denyEgress({ podSelector: {} }) }),
    );
    expect((again as ApiException<string>).code).toBe(409);
    const list = await primary().net.listNamespacedNetworkPolicy({ namespace: ns });
    expect(list.items.map((p) => p.metadata?.name)).toEqual(['aegis-dr-fence']);
  });
});
