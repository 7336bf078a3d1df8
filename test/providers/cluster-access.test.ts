/**
 * Cluster access from the cloud identity, through the official SDKs against the sandbox: EKS
 * DescribeCluster + a presigned STS token, AKS listClusterUserCredential + an Entra token, GKE
 * clusters.get + an access token; a readiness run on a plan whose sites name clusters by cloud;
 * a wrong token and an expired EKS token refused with a Kubernetes 401; an expired token replaced.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eksToken, eksClusterAccess } from '../../src/providers/aws/cluster-access.js';
import { SANDBOX_CREDENTIALS } from '../../src/providers/aws/common.js';
import { aksClusterAccess } from '../../src/providers/azure/cluster-access.js';
import { gkeClusterAccess } from '../../src/providers/gcp/cluster-access.js';
import { TokenCache, type ClusterAccess } from '../../src/providers/kubernetes/access.js';
import { KubernetesCluster } from '../../src/providers/kubernetes/cluster.js';
import { runPhase } from '../../src/phases/runner.js';
import { eksTokenProblem } from '../../src/sandbox/kubernetes/index.js';
import { SANDBOX_PROJECT, TOPOLOGY } from '../../src/sandbox/estate.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sandbox: Sandbox;
let work: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-access-'));
  sandbox = await startSandbox({ outDir: work, speed: 1000, prometheus: 'builtin', clusterAccess: 'cloud' });
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

/** The names of the site's Ready nodes, read through a cluster reached with `access`. */
async function deploymentsThrough(access: ClusterAccess): Promise<string[]> {
  const cluster = new KubernetesCluster({ namespace: 'aegis', access });
  const d = await cluster.deployment('aegis-api');
  return d ? ['aegis-api'] : [];
}

describe.each([
  [
    'EKS',
    () =>
      eksClusterAccess(
        { name: TOPOLOGY.aws.clusters.dr, region: TOPOLOGY.aws.regions.dr },
        sandbox.endpoints.eks,
      ),
    /^EKS cluster aegis-dr \(us-west-2\)/,
  ],
  [
    'AKS',
    () =>
      aksClusterAccess(
        {
          subscriptionId: sandbox.planDocument.stacks.azure.nodePool.subscriptionId,
          resourceGroup: TOPOLOGY.azure.resourceGroups.dr,
          name: TOPOLOGY.azure.clusters.dr,
        },
        sandbox.endpoints.arm,
      ),
    /^AKS cluster aegis-dr-aks/,
  ],
  [
    'GKE',
    () =>
      gkeClusterAccess(
        { project: SANDBOX_PROJECT, location: TOPOLOGY.gcp.regions.dr, name: TOPOLOGY.gcp.clusters.dr },
        sandbox.endpoints.container,
      ),
    /^GKE cluster aegis-dr/,
  ],
])('%s: server from the cloud API, token from the cloud credentials', (_cloud, resolve, label) => {
  it('reaches the DR cluster with no kubeconfig', async () => {
    const access = await resolve();
    expect(access.label).toMatch(label);
    expect(access.server).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/clusters\/(aws|azure|gcp)-dr$/);
    await expect(deploymentsThrough(access)).resolves.toContain('aegis-api');
  });

  it('a wrong token is refused with a Kubernetes 401 Status', async () => {
    const access = await resolve();
    const wrong: ClusterAccess = { ...access, token: async () => 'not-a-token-of-this-cloud' };
    const err = await deploymentsThrough(wrong).then(
      () => undefined,
      (e: Error & { status?: number }) => e,
    );
    expect({ status: err?.status, message: err?.message }).toEqual({
      status: 401,
      message: expect.stringMatching(/failed with HTTP 401/),
    });
  });
});

describe('EKS token', () => {
  it('has the shape aws eks get-token gives: k8s-aws-v1. + base64url of a presigned GetCallerIdentity', async () => {
    const t = await eksToken('aegis-dr', 'us-west-2', SANDBOX_CREDENTIALS, new Date('2026-12-02T03:00:00Z'));
    expect(t.token).toMatch(/^k8s-aws-v1\.[A-Za-z0-9_-]+$/);
    const url = new URL(Buffer.from(t.token.slice('k8s-aws-v1.'.length), 'base64url').toString());
    expect(url.host).toBe('sts.us-west-2.amazonaws.com');
    expect(url.searchParams.get('Action')).toBe('GetCallerIdentity');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(url.searchParams.get('X-Amz-SignedHeaders')!.split(';')).toEqual(['host', 'x-k8s-aws-id']);
    expect(url.searchParams.get('X-Amz-Date')).toBe('20261202T030000Z');
    expect(t.expiresAt).toBe(Date.parse('2026-12-02T03:14:00Z'));
    expect(eksTokenProblem(t.token, Date.parse('2026-12-02T03:14:59Z'))).toBeUndefined();
    expect(eksTokenProblem(t.token, Date.parse('2026-12-02T03:15:01Z'))).toBe('the token has expired');
  });

  it('an expired token is refused by the API server, and the client replaces it before it expires', async () => {
    // The client's clock starts 20 minutes in the past: its first token is already expired on the
    // server's clock. Refused; then the clock moves on and the cached token is replaced.
    let clock = Date.now() - 20 * 60_000;
    const access = await eksClusterAccess(
      { name: TOPOLOGY.aws.clusters.dr, region: TOPOLOGY.aws.regions.dr },
      sandbox.endpoints.eks,
      {},
      () => clock,
    );
    await expect(deploymentsThrough(access)).rejects.toMatchObject({ status: 401 });
    const stale = await access.token();
    clock += 13.5 * 60_000; // within a minute of the 14-minute expiry: a new token is taken
    const fresh = await access.token();
    expect(fresh).not.toBe(stale);
    clock = Date.now();
    await expect(deploymentsThrough(access)).resolves.toContain('aegis-api');
  });
});

describe('TokenCache', () => {
  it('fetches once for concurrent callers and again only near expiry', async () => {
    let now = 0;
    let n = 0;
    const cache = new TokenCache(
      async () => ({ token: `t${++n}`, expiresAt: now + 600_000 }),
      () => now,
    );
    expect(await Promise.all([cache.get(), cache.get()])).toEqual(['t1', 't1']);
    now = 539_000;
    expect(await cache.get()).toBe('t1');
    now = 540_000;
    expect(await cache.get()).toBe('t2');
  });
});

describe('readiness on a plan whose sites name their clusters by cloud', () => {
  it('reads every DR cluster from the cloud identity', async () => {
    const doc = sandbox.planDocument;
    for (const stack of Object.values<any>(doc.stacks)) {
      expect(stack.dr.kubernetes.kubeconfig).toBeUndefined();
      expect(Object.keys(stack.dr.kubernetes.cluster)).toHaveLength(1);
    }
    const { result } = await runPhase({
      phase: 'readiness',
      planFile: sandbox.planFile!,
      journalFile: path.join(work, 'journal.jsonl'),
      inputs: {},
      run: { retry: { maxAttempts: 2, baseMs: 1, capMs: 5 } },
    });
    const nodeRows = result.rows.filter((r) => /node/i.test(r.item));
    expect(nodeRows.length).toBeGreaterThanOrEqual(3);
    for (const row of nodeRows) expect(`${row.item}: ${row.status} ${row.detail}`).toMatch(/: pass /);
  });
});
