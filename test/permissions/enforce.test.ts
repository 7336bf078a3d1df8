/**
 * The sandbox as a witness of least privilege: started with the generated documents of each
 * identity, it answers a call outside them with the cloud's own denial (RDS Query XML AccessDenied,
 * EKS AccessDeniedException, ARM AuthorizationFailed, Google PERMISSION_DENIED, Kubernetes 403
 * Forbidden), over the official SDKs on loopback. The read-only identity reads and is refused every
 * change; a permission taken out of the failover policy fails the failover with the denial naming it.
 * (The whole drill runs with enforcement always on: test/e2e/drill.test.ts.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PromoteReadReplicaCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { EKSClient, UpdateNodegroupConfigCommand } from '@aws-sdk/client-eks';
import { SqlInstancesServiceClient } from '@google-cloud/sql';
import { runFailover } from '../../src/drill/pipeline.js';
import { Journal } from '../../src/engine/journal.js';
import { createContext } from '../../src/engine/step.js';
import { identityGrants } from '../../src/permissions/index.js';
import { loadPlan } from '../../src/plan/load.js';
import { createEnvironment } from '../../src/phases/environment.js';
import { AzureDatabase } from '../../src/providers/azure/database.js';
import { staticTokenCredential } from '../../src/providers/azure/credentials.js';
import { gaxOptions, parseEndpoint, staticAuthClient } from '../../src/providers/gcp/clients.js';
import { KubernetesCluster } from '../../src/providers/kubernetes/cluster.js';
import { SANDBOX_PROJECT, TOPOLOGY } from '../../src/sandbox/estate.js';
import {
  SANDBOX_READ_ONLY_ACCESS_KEY,
  SANDBOX_READ_ONLY_TOKEN,
  type Grants,
  type GrantDocuments,
} from '../../src/sandbox/iam.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

const READ_ONLY_AWS = { accessKeyId: SANDBOX_READ_ONLY_ACCESS_KEY, secretAccessKey: 'sandbox-secret' };
const T = TOPOLOGY;

let sb: Sandbox;
let dir: string;
let grants: Grants;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-enforce-'));
  grants = (await identityGrants()) as Grants;
  sb = await startSandbox({
    outDir: dir,
    speed: 1000,
    prometheus: 'builtin',
    enforcePermissions: structuredClone(grants),
  });
  process.env.AEGIS_API_TOKEN = 'sandbox-token';
}, 60_000);
afterAll(async () => {
  await sb?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the read-only identity reads, and every change is refused with the cloud’s denial', () => {
  test('RDS (Query XML): AccessDenied naming rds:PromoteReadReplica', async () => {
    const rds = new RDSClient({
      endpoint: sb.endpoints.rds,
      region: T.aws.regions.dr,
      credentials: READ_ONLY_AWS,
    });
    const out = await rds.send(new DescribeDBInstancesCommand({}));
    expect(out.DBInstances?.length).toBeGreaterThan(0);
    const err = await rds
      .send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: T.aws.db.replica }))
      .catch((e: unknown) => e as { name: string; message: string; $metadata: { httpStatusCode: number } });
    expect(err).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect((err as Error).message).toMatch(
      /^User: arn:aws:sts::000000000000:assumed-role\/aegis-dr-read-only\/aegis-dr is not authorized to perform: rds:PromoteReadReplica on resource: arn:aws:rds:us-west-2:000000000000:db:aegis-db-replica because no identity-based policy allows the rds:PromoteReadReplica action$/,
    );
    expect(sb.world.monitor.mutations).toEqual([]);
  });

  test('EKS (REST-JSON): AccessDeniedException naming eks:UpdateNodegroupConfig', async () => {
    const eks = new EKSClient({
      endpoint: sb.endpoints.eks,
      region: T.aws.regions.dr,
      credentials: READ_ONLY_AWS,
    });
    const err = await eks
      .send(
        new UpdateNodegroupConfigCommand({
          clusterName: T.aws.clusters.dr,
          nodegroupName: T.aws.nodegroup,
          scalingConfig: { minSize: 3, maxSize: 10, desiredSize: 6 },
        }),
      )
      .catch((e: unknown) => e as Error);
    expect((err as Error).name).toBe('AccessDeniedException');
    expect((err as Error).message).toMatch(/not authorized to perform: eks:UpdateNodegroupConfig/);
  });

  test('Azure SQL (ARM): AuthorizationFailed naming the failover group action', async () => {
    const plan = await loadPlan(sb.planFile!);
    const db = plan.stack('azure').database as ConstructorParameters<typeof AzureDatabase>[0];
    const ro = new AzureDatabase(db, sb.endpoints.arm, staticTokenCredential(SANDBOX_READ_ONLY_TOKEN));
    expect((await ro.describe()).writer).toBe('primary');
    const err = await ro.failover('dr', 'forced').catch((e: unknown) => e as Error);
    expect((err as Error).message).toMatch(/AuthorizationFailed|403/);
    expect((err as Error).message).toMatch(
      /does not have authorization to perform action 'Microsoft\.Sql\/servers\/failoverGroups\/forceFailoverAllowDataLoss\/action'/,
    );
  });

  test('Cloud SQL (google.rpc.Status): PERMISSION_DENIED naming cloudsql.instances.failover', async () => {
    const opts = gaxOptions(parseEndpoint('sqladmin', sb.endpoints.sqladmin));
    const client = new SqlInstancesServiceClient({
      ...opts,
      authClient: staticAuthClient(SANDBOX_READ_ONLY_TOKEN) as unknown as typeof opts.authClient,
    });
    const [inst] = await client.get({ project: SANDBOX_PROJECT, instance: T.gcp.sql.instance });
    expect(inst.name).toBe(T.gcp.sql.instance);
    const err = await client
      .failover({ project: SANDBOX_PROJECT, instance: T.gcp.sql.instance })
      .then((): Error & { code?: number } => new Error('the failover was allowed'))
      .catch((e: unknown) => e as Error & { code?: number });
    // gax over HTTP/1.1 fallback surfaces the HTTP status; over gRPC it would be 7 PERMISSION_DENIED
    expect([7, 403]).toContain(err.code);
    expect(err.message).toMatch(/PERMISSION_DENIED|Permission/);
    expect(err.message).toMatch(/Permission 'cloudsql\.instances\.failover' denied/);
    await client.close();
  });

  test('Kubernetes: 403 Forbidden in RBAC wording for patch deployments/scale; reads pass', async () => {
    const kc = fs
      .readFileSync(sb.kubeconfigFile!, 'utf8')
      .replace(/token: \S+/g, `token: ${SANDBOX_READ_ONLY_TOKEN}`);
    const file = path.join(dir, 'kubeconfig-read-only');
    fs.writeFileSync(file, kc);
    const c = new KubernetesCluster({ kubeconfig: file, context: 'aws-dr', namespace: 'aegis' });
    expect((await c.deployment('aegis-api'))?.name).toBe('aegis-api');
    expect((await c.nodes()).length).toBeGreaterThan(0);
    const err = await c.scale('aegis-api', 0).catch((e: unknown) => e as Error);
    expect((err as Error).message).toMatch(
      /403 Forbidden: deployments\.apps "aegis-api" is forbidden: User "aegis-dr-read-only" cannot patch resource "deployments\/scale" in API group "apps" in the namespace "aegis"/,
    );
  });
});

describe('a permission missing from the failover policy fails the failover', () => {
  test('without rds:PromoteReadReplica the AWS promotion is denied by name and nothing is promoted', async () => {
    const failover = structuredClone(grants.failover!) as GrantDocuments;
    for (const s of failover.aws!.Statement)
      s.Action = [s.Action].flat().filter((a) => a !== 'rds:PromoteReadReplica');
    sb.permissions!.grants = { ...sb.permissions!.grants, failover };
    sb.applyScenario('region-outage', ['aws']);
    const plan = await loadPlan(sb.planFile!);
    const ctx = {
      plan,
      stacks: ['aws'],
      run: createContext(new Journal(), {}),
      env: createEnvironment(plan),
      inputs: { 'incident-class': 'region-outage' },
    };
    const r = await runFailover(ctx, plan.classes['region-outage']);
    expect(r.ok).toBe(false);
    const failed = r.rows.filter((x) => x.status === 'fail').map((x) => x.detail);
    expect(failed.join('\n')).toMatch(
      /AccessDenied[\s\S]*rds:PromoteReadReplica|rds:PromoteReadReplica[\s\S]*AccessDenied/,
    );
    expect(sb.world.monitor.mutations.filter((m) => m.service === 'rds')).toEqual([]);
  }, 120_000);
});

describe('the failover policy is enough', () => {
  test('a whole region-outage failover of every stack passes and no call is denied', async () => {
    const dir2 = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-enforce-full-'));
    const sb2 = await startSandbox({
      outDir: dir2,
      speed: 1000,
      prometheus: 'builtin',
      enforcePermissions: structuredClone(grants),
    });
    try {
      sb2.applyScenario('region-outage');
      const plan = await loadPlan(sb2.planFile!);
      const r = await runFailover(
        {
          plan,
          stacks: plan.stackNames,
          run: createContext(new Journal(), {}),
          env: createEnvironment(plan),
          inputs: { 'incident-class': 'region-outage' },
        },
        plan.classes['region-outage'],
      );
      const denied = sb2.world.requests.records.filter((x) => x.status === 403);
      expect(denied.map((x) => `${x.service} ${x.operation}`)).toEqual([]);
      expect(r.rows.filter((x) => x.status === 'fail')).toEqual([]);
      expect(r.ok).toBe(true);
    } finally {
      await sb2.close();
      fs.rmSync(dir2, { recursive: true, force: true });
    }
  }, 180_000);
});
