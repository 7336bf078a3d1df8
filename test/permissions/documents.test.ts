/**
 * `aegis-dr permissions`: the generated documents have the shapes each cloud takes (an IAM policy,
 * an Azure custom role, a GCP custom role, Kubernetes RBAC objects that the official client
 * parses), name the plan's resources where the plan names them, and the CLI prints them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadAllYaml } from '@kubernetes/client-node';
import YAML from 'yaml';
import { main } from '../../src/cli/main.js';
import '../../src/cli/permissions.js';
import { parsePlan } from '../../src/plan/load.js';
import {
  formatDocuments,
  generate,
  loadDeclarations,
  permissionDocuments,
  type AzureRoleDefinition,
  type GcpRole,
  type IamPolicy,
  type RbacObject,
} from '../../src/permissions/index.js';
import { sandboxPlan } from '../../src/sandbox/index.js';

const endpoints = Object.fromEntries(
  ['rds', 'route53', 'eks', 'arm', 'sqladmin', 'clouddns', 'container', 'dns', 'app', 'prometheus'].map(
    (k, i) => [k, k === 'dns' ? `127.0.0.1:${40000 + i}` : `http://127.0.0.1:${40000 + i}`],
  ),
);
const plan = parsePlan(
  YAML.stringify(sandboxPlan(endpoints, '/tmp/kubeconfig', ['aws', 'azure', 'gcp'])),
  'plan.yml',
);

async function cli(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { out: out.join('\n'), err: err.join('\n'), code };
}

describe('generated documents', () => {
  test('AWS: an IAM policy with the plan resources, failover actions and none of them for read-only', async () => {
    const table = await loadDeclarations();
    const fo = generate(table, 'aws', 'failover', { plan }).document as IamPolicy;
    expect(fo.Version).toBe('2012-10-17');
    for (const s of fo.Statement) {
      expect(s.Sid).toMatch(/^[A-Za-z0-9]+$/);
      expect(s.Effect).toBe('Allow');
      expect(s.Action.length).toBeGreaterThan(0);
      for (const a of s.Action) expect(a).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
      expect(
        s.Resource === '*' ||
          (Array.isArray(s.Resource) && s.Resource.every((r) => r.startsWith('arn:aws:'))),
      ).toBe(true);
    }
    const actions = fo.Statement.flatMap((s) => s.Action);
    for (const a of [
      'rds:PromoteReadReplica',
      'rds:RebootDBInstance',
      'route53:ChangeResourceRecordSets',
      'eks:UpdateNodegroupConfig',
    ])
      expect(actions).toContain(a);
    const zone = plan.stack('aws').traffic as { hostedZoneId: string };
    const change = fo.Statement.find((s) => s.Action.includes('route53:ChangeResourceRecordSets'))!;
    expect(change.Resource).toEqual([`arn:aws:route53:::hostedzone/${zone.hostedZoneId}`]);
    const promote = fo.Statement.find((s) => s.Action.includes('rds:PromoteReadReplica'))!;
    expect(
      (promote.Resource as string[]).some((r) =>
        r.endsWith(`:db:${(plan.stack('aws').database as { replica: string }).replica}`),
      ),
    ).toBe(true);

    const ro = generate(table, 'aws', 'read-only', { plan }).document as IamPolicy;
    const roActions = ro.Statement.flatMap((s) => s.Action);
    expect(roActions).toContain('rds:DescribeDBInstances');
    for (const a of roActions) expect(a).toMatch(/:(Describe|List|Get)/);
  });

  test('Azure: a custom role definition with the plan resource groups as scopes', async () => {
    const table = await loadDeclarations();
    const role = generate(table, 'azure', 'failover', { plan }).document as AzureRoleDefinition;
    expect(role).toMatchObject({
      Name: 'aegis-dr-failover',
      IsCustom: true,
      NotActions: [],
      DataActions: [],
    });
    expect(role.Actions).toContain('Microsoft.Sql/servers/failoverGroups/failover/action');
    expect(role.Actions).toContain('Microsoft.Network/trafficManagerProfiles/azureEndpoints/write');
    expect(role.AssignableScopes.length).toBeGreaterThan(0);
    for (const s of role.AssignableScopes)
      expect(s).toMatch(/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+$/);
    const ro = generate(table, 'azure', 'read-only', { plan }).document as AzureRoleDefinition;
    expect(ro.Actions.filter((a) => !/\/read$/.test(a))).toEqual([]);
  });

  test('GCP: a custom role with includedPermissions', async () => {
    const table = await loadDeclarations();
    const role = generate(table, 'gcp', 'failover', { plan }).document as GcpRole;
    expect(role).toMatchObject({ title: 'aegis-dr-failover', stage: 'GA' });
    for (const p of [
      'cloudsql.instances.failover',
      'cloudsql.instances.promoteReplica',
      'dns.changes.create',
      'container.clusters.update',
    ])
      expect(role.includedPermissions).toContain(p);
    for (const p of role.includedPermissions) expect(p).toMatch(/^[a-z]+\.[A-Za-z]+\.[A-Za-z]+$/);
    const ro = generate(table, 'gcp', 'read-only', { plan }).document as GcpRole;
    expect(ro.includedPermissions).not.toContain('cloudsql.instances.failover');
  });

  test('Kubernetes: a Role and a ClusterRole that the official client parses', async () => {
    const { text } = formatDocuments(await permissionDocuments({ plan, cloud: 'kubernetes' }), 'yaml');
    const objs = loadAllYaml(text) as RbacObject[];
    expect(objs.map((o) => o.kind).sort()).toEqual(['ClusterRole', 'Role']);
    const role = objs.find((o) => o.kind === 'Role')!;
    expect(role.metadata.namespace).toBe('aegis');
    const rule = (res: string) => role.rules.find((r) => r.resources.includes(res));
    expect(rule('pods/proxy')?.verbs).toEqual(['get']);
    expect(rule('jobs')?.verbs).toEqual(['create', 'get']);
    expect(rule('deployments/scale')?.verbs).toEqual(['patch']);
    expect(rule('pods/log')?.verbs).toEqual(['get']);
    expect(objs.find((o) => o.kind === 'ClusterRole')!.rules).toEqual([
      { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews'], verbs: ['create'] },
      { apiGroups: [''], resources: ['nodes'], verbs: ['list'] },
    ]);
    const ro = await permissionDocuments({ plan, cloud: 'kubernetes', identity: 'read-only' });
    const roRules = (ro.kubernetes!.document as RbacObject[]).flatMap((o) => o.rules);
    for (const r of roRules) for (const v of r.verbs) expect(['get', 'list', 'watch']).toContain(v);
  });

  test('--phase narrows to what that phase may call', async () => {
    const table = await loadDeclarations();
    const traffic = generate(table, 'aws', 'failover', { plan, phase: 'traffic' }).document as IamPolicy;
    const actions = traffic.Statement.flatMap((s) => s.Action);
    expect(actions).toContain('route53:ChangeResourceRecordSets');
    expect(actions.some((a) => a.startsWith('rds:'))).toBe(false);
  });
});

describe('aegis-dr permissions', () => {
  let work: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-perm-'));
    fs.writeFileSync(
      path.join(work, 'plan.yml'),
      YAML.stringify(sandboxPlan(endpoints, '/tmp/kubeconfig', ['aws', 'gcp'])),
    );
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('prints the AWS policy as JSON, notes on stderr', async () => {
    const r = await cli('permissions', '--plan', path.join(work, 'plan.yml'), '--cloud', 'aws');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).Version).toBe('2012-10-17');
    expect(r.err).toMatch(/note: aws: .*Resource "\*"/);
  });

  test('prints every cloud the plan uses, as YAML with the notes as comments', async () => {
    const r = await cli(
      'permissions',
      '--plan',
      path.join(work, 'plan.yml'),
      '--identity',
      'read-only',
      '--format',
      'yaml',
    );
    expect(r.code).toBe(0);
    const doc = YAML.parse(r.out);
    expect(Object.keys(doc).sort()).toEqual(['aws', 'gcp', 'kubernetes']);
    expect(r.out).toMatch(/^# /m);
  });

  test('refuses an unknown cloud, identity, phase or format in one sentence', async () => {
    for (const [flag, value] of [
      ['--cloud', 'oci'],
      ['--identity', 'root'],
      ['--phase', 'nope'],
      ['--format', 'xml'],
    ]) {
      const r = await cli('permissions', flag, value);
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(new RegExp(`${flag} is "${value}": expected one of`));
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });

  test('refuses a cloud the plan does not use', async () => {
    const r = await cli('permissions', '--plan', path.join(work, 'plan.yml'), '--cloud', 'azure');
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/--cloud is azure, which no stack of .* uses/);
  });
});
