/**
 * Readiness check "DR quota" through the official SDKs against the sandbox's quota emulators:
 * AWS Service Quotas GetServiceQuota and EC2 DescribeInstanceTypes, Azure compute usages and
 * resource SKUs, GCP Compute regions.get and machineTypes.get. The default sandbox's DR regions
 * have room for the production size; the scenario dr-quota-low fills the DR region's family quota
 * with the standby pool and other instances, which readiness must name in one sentence with the
 * fix (a quota increase).
 */
import type { ResultRow } from '../../src/phases/types.js';
import { POOL } from '../../src/sandbox/estate.js';
import { familyQuota } from '../../src/providers/aws/capacity.js';
import { sandboxPerSuite } from '../support/sandbox.js';

const CLOUDS = ['aws', 'azure', 'gcp'] as const;

const suite = sandboxPerSuite('readiness-quota', { speed: 2000, clouds: [...CLOUDS] });
const readiness = () => suite.phase('readiness', { maxAttempts: 2 });

const quotaRows = (rows: ResultRow[]) =>
  Object.fromEntries(rows.filter((r) => r.item === 'DR quota').map((r) => [r.stack, r]));

describe('familyQuota: the EC2 On-Demand quota of an instance type', () => {
  it.each([
    ['m6i.xlarge', 'L-1216C47A'],
    ['c7g.large', 'L-1216C47A'],
    ['t3.medium', 'L-1216C47A'],
    ['g5.xlarge', 'L-DB2E81BA'],
    ['p4d.24xlarge', 'L-417A185B'],
    ['inf2.xlarge', 'L-1945791B'],
    ['x2iedn.xlarge', 'L-7295265B'],
  ])('%s counts against %s', (type, code) => {
    expect(familyQuota(type)?.code).toBe(code);
  });
});

describe('readiness: DR quota', () => {
  it('passes on the default sandbox: each DR region has room for the production size', async () => {
    const { result } = await readiness();
    const rows = quotaRows(result.rows);
    expect(Object.keys(rows).sort()).toEqual([...CLOUDS]);
    for (const c of CLOUDS) expect(rows[c].status).toBe('pass');
    expect(rows.aws.detail).toBe(
      `us-west-2 holds ${POOL.active} x m6i.xlarge (4 vCPUs each, ${POOL.standby} running): Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances (L-1216C47A): 24 vCPUs needed, limit 96 vCPUs (usage not counted: Service Quotas gives the limit, the usage is a CloudWatch metric this check does not read)`,
    );
    expect(rows.azure.detail).toBe(
      `westus2 holds ${POOL.active} x Standard_D4s_v5 (4 vCPUs each, ${POOL.standby} running): Standard DSv5 Family vCPUs (standardDSv5Family): 12 vCPUs needed, 76 vCPUs free (limit 96, in use 20); Total Regional vCPUs (cores): 12 vCPUs needed, 180 vCPUs free (limit 200, in use 20)`,
    );
    expect(rows.gcp.detail).toBe(
      `us-central1 holds ${POOL.active} x e2-standard-4 (4 vCPUs each, ${POOL.standby} running): E2_CPUS: 12 vCPUs needed, 76 vCPUs free (limit 96, in use 20); CPUS: 12 vCPUs needed, 180 vCPUs free (limit 200, in use 20)`,
    );
  }, 60_000);

  it('dr-quota-low: fails naming the region, the quota, needed and free vCPUs, and the quota increase to request', async () => {
    suite.sandbox.applyScenario('dr-quota-low');
    const { result } = await readiness();
    const rows = quotaRows(result.rows);
    for (const c of CLOUDS) expect(rows[c].status).toBe('fail');
    expect(rows.aws.detail).toBe(
      'DR region us-west-2 cannot hold the node pool at its production size: quota Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances (L-1216C47A) has limit 20 vCPUs and the pool needs 24 vCPUs for 6 x m6i.xlarge (4 vCPUs each, 3 running); request a quota increase of at least 4 vCPUs for Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances (L-1216C47A) in us-west-2 before a failover needs it.',
    );
    expect(rows.azure.detail).toBe(
      'DR region westus2 cannot hold the node pool at its production size: quota Standard DSv5 Family vCPUs (standardDSv5Family) has 0 vCPUs free (limit 20, in use 20) and the pool needs another 12 vCPUs for 6 x Standard_D4s_v5 (4 vCPUs each, 3 running); request a quota increase of at least 12 vCPUs for Standard DSv5 Family vCPUs (standardDSv5Family) in westus2 before a failover needs it.',
    );
    expect(rows.gcp.detail).toBe(
      'DR region us-central1 cannot hold the node pool at its production size: quota E2_CPUS has 0 vCPUs free (limit 20, in use 20) and the pool needs another 12 vCPUs for 6 x e2-standard-4 (4 vCPUs each, 3 running); request a quota increase of at least 12 vCPUs for E2_CPUS in us-central1 before a failover needs it.',
    );
    expect(result.outputs['failed-items']).toMatch(/aws\/DR quota/);
  }, 60_000);
});
