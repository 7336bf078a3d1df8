/**
 * Readiness check "Cluster access": one SelfSubjectAccessReview per permission the phases use
 * (src/plan/kubernetes-permissions.ts), asked of each site's API server through
 * @kubernetes/client-node with the clouds' own tokens (the plan names its clusters by cloud). The
 * sandbox's API servers authorize every request with a per-cluster RBAC model
 * (src/sandbox/kubernetes/rbac.ts); the scenario dr-cluster-access-denied takes patch on
 * deployments/scale and create on jobs away from the DR role, which readiness must name, with the
 * cloud-side fix, before a failover meets the 403.
 */
import { AppsV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { KUBERNETES_PERMISSIONS } from '../../src/plan/kubernetes-permissions.js';
import type { ResultRow } from '../../src/phases/types.js';
import { NAMESPACE, TOPOLOGY } from '../../src/sandbox/estate.js';
import { caught } from '../support/wait.js';
import { sandboxPerSuite } from '../support/sandbox.js';

const suite = sandboxPerSuite('readiness-access', { speed: 2000, clusterAccess: 'cloud' });
const readiness = () => suite.phase('readiness', { maxAttempts: 2 });

const accessRows = (rows: ResultRow[]) =>
  rows
    .filter((r) => r.item === 'Cluster access')
    .sort((a, b) => (a.stack ?? '').localeCompare(b.stack ?? ''));

describe('readiness: cluster access (SelfSubjectAccessReview)', () => {
  it('passes on the default sandbox: every permission the phases use is allowed on both sites of every cloud', async () => {
    const { result } = await readiness();
    const rows = accessRows(result.rows);
    expect(rows.map((r) => [r.stack, r.status])).toEqual([
      ['aws', 'pass'],
      ['azure', 'pass'],
      ['gcp', 'pass'],
    ]);
    for (const r of rows)
      expect(r.detail).toBe(
        `${KUBERNETES_PERMISSIONS.length} permissions allowed on the dr cluster (namespace ${NAMESPACE}) and on the primary cluster (namespace ${NAMESPACE})`,
      );
    const reviews = JSON.stringify(suite.sandbox.world.requests.summary()).match(
      /createSelfSubjectAccessReview/g,
    );
    expect(reviews).not.toBeNull();
  }, 60_000);

  it('dr-cluster-access-denied: the refused permissions are named with the phases that need them and the cloud-side fix; the API server really refuses them', async () => {
    suite.sandbox.applyScenario('dr-cluster-access-denied');
    const { result } = await readiness();
    expect(result.ok).toBe(false);
    const rows = accessRows(result.rows);
    expect(rows.map((r) => r.status)).toEqual(['fail', 'fail', 'fail']);
    const fix = {
      aws: /give the job's IAM role an EKS access entry on the cluster/,
      azure: /Azure Kubernetes Service RBAC Writer role on the cluster/,
      gcp: /roles\/container\.developer/,
    } as const;
    for (const r of rows) {
      expect(r.detail).toMatch(
        /^SelfSubjectAccessReview says the dr cluster \(namespace aegis\) refuses patch deployments\/scale in apps \(scale, declare, failback: [^)]*\); create jobs in batch \(verify, sync: [^)]*\): expected every permission the phases use to be allowed; /,
      );
      expect(r.detail).toMatch(fix[r.stack as keyof typeof fix]);
      expect(r.detail).not.toMatch(/primary cluster.*refuses/);
      expect(r.detail.split(/\.\s/).length).toBeLessThanOrEqual(2); // one sentence (the doc pointer ends it)
    }
    expect(result.outputs['failed-items']).toMatch(/aws\/Cluster access/);

    // the same identity meets the 403 the check predicted (kubeconfig user, same RBAC model)
    const kc = new KubeConfig();
    kc.loadFromFile(suite.sandbox.kubeconfigFile!);
    kc.setCurrentContext(TOPOLOGY.azure.contexts.dr);
    const apps = kc.makeApiClient(AppsV1Api);
    const err = await caught(
      apps.patchNamespacedDeploymentScale(
        { name: 'aegis-api', namespace: NAMESPACE, body: { spec: { replicas: 6 } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    expect((err as { code?: number }).code).toBe(403);
    expect(String((err as { body?: unknown }).body)).toMatch(
      /deployments.apps \\?"aegis-api\\?" is forbidden: User \\?"aegis-dr\\?" cannot patch resource \\?"deployments\/scale\\?" in API group \\?"apps\\?" in the namespace \\?"aegis\\?"/,
    );
    // what the scenario left alone still works
    const read = await apps.readNamespacedDeployment({ name: 'aegis-api', namespace: NAMESPACE });
    expect(read.metadata?.name).toBe('aegis-api');
  }, 60_000);
});
