import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../src/engine/errors.js';
import { PlanError, loadPlan, parsePlan, validatePlanText } from '../../src/plan/load.js';

const example = fileURLToPath(new URL('../../examples/cloud-aegis.plan.yml', import.meta.url));

/** A minimal valid plan: one AWS stack, everything else from the runbook's defaults. */
const MINIMAL = `apiVersion: aegis.io/v1
kind: DRPlan
service: cloud-aegis
application:
  url: https://api.aegis.test
stacks:
  aws:
    cloud: aws
    primary:
      region: us-east-1
      kubernetes: { context: aws-primary, kubeconfig: ./kube/primary.yaml }
    dr:
      region: us-west-2
      kubernetes: { context: aws-dr }
    database: { type: rds, instance: aegis-db, replica: aegis-db-replica }
    traffic:
      type: route53
      hostedZoneId: Z0SANDBOX0AWS
      record: api.aegis.test
      targets: { primary: primary-nlb.aegis.test, dr: dr-nlb.aegis.test }
    nodePool:
      type: eks
      cluster: { primary: aegis, dr: aegis-dr }
      nodegroup: primary
`;

describe('the example plan', () => {
  it('loads, resolves and names the runbook topology', async () => {
    const plan = await loadPlan(example);
    expect(plan.file).toBe(resolve(example));
    expect(plan.stackNames).toEqual(['aws', 'azure', 'gcp']);
    const aws = plan.stack('aws');
    expect(aws.database).toMatchObject({ type: 'rds', instance: 'aegis-db', replica: 'aegis-db-replica' });
    expect(aws.traffic).toMatchObject({
      type: 'route53',
      hostedZoneId: 'Z1234567890ABC',
      record: 'api.aegis.io',
      healthCheckId: 'hc-1234567890abcdef0',
    });
    expect(aws.primary.region).toBe('us-east-1');
    expect(aws.dr.region).toBe('us-west-2');
    expect(plan.stack('azure').database).toMatchObject({
      type: 'azure-sql',
      failoverGroup: 'aegis-fog',
      dr: { resourceGroup: 'aegis-dr-rg', server: 'aegis-dr-sql' },
    });
    expect(plan.stack('azure').traffic).toMatchObject({ type: 'traffic-manager', profile: 'aegis-tm' });
    expect(plan.stack('azure').nodePool).toMatchObject({
      type: 'aks',
      pool: 'agentpool',
      cluster: { dr: 'aegis-dr-aks' },
    });
    expect(plan.stack('gcp').database).toMatchObject({
      type: 'cloud-sql',
      project: 'aegis-prod',
      failoverReplica: 'aegis-db-failover',
    });
    expect(plan.stack('gcp').traffic).toMatchObject({ type: 'cloud-dns', zone: 'aegis-zone' });
    expect(plan.stack('gcp').nodePool).toMatchObject({ type: 'gke', pool: 'primary-pool' });
    expect(plan.doc.notifications?.channels).toHaveProperty('oncall');
    expect(plan.doc.escalation?.length).toBe(4);
  });

  it('starts with a yaml-language-server schema line that resolves once copied (the release asset of this version)', async () => {
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(example, 'utf8');
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(text.split('\n')[0]).toBe(
      `# yaml-language-server: $schema=https://github.com/cloud-aegis/aegis-dr/releases/download/v${version}/dr-plan.schema.json`,
    );
  });

  it('names only commands that exist (aegis-dr validate, not plan validate)', async () => {
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(example, 'utf8');
    expect(text).toContain('`aegis-dr validate <file>`');
    expect(text).not.toMatch(/aegis-dr plan validate/);
  });
});

describe('defaults', () => {
  const plan = parsePlan(MINIMAL, 'minimal.yml');

  it('fills every runbook threshold', () => {
    expect(plan.limits).toEqual({
      replicationLagSeconds: 30,
      backupMaxAgeMs: 6 * 3600_000,
      dnsTtlSeconds: 60,
      errorRate: 0.01,
      errorRateWindowMs: 5 * 60_000,
      failbackHealthyForMs: 2 * 3600_000,
      replicas: { standby: 2, production: 6 },
      deadlinesMs: {
        drain: 5 * 60_000,
        database: 15 * 60_000,
        traffic: 10 * 60_000,
        scale: 15 * 60_000,
        verify: 10 * 60_000,
        plannedFailover: 5 * 60_000,
      },
      triggers: {
        healthScoreBelow: 0.3,
        healthCheckFailuresAbove: 5,
        failureWindowMs: 5 * 60_000,
        replicationLagAbove: 120,
        consecutive: 3,
        holdForMs: 0,
        intervalMs: 30_000,
      },
    });
  });

  it('fills the four incident classes of the runbook', () => {
    expect(plan.classes['region-outage']).toMatchObject({
      phases: ['readiness', 'declare', 'drain', 'database', 'scale', 'traffic', 'verify'],
      rtoMs: 30 * 60_000,
      rpoMs: 5 * 60_000,
      databaseMode: 'cross-region',
    });
    expect(plan.classes['database-corruption']).toMatchObject({
      phases: ['database', 'verify'],
      rtoMs: 15 * 60_000,
      rpoMs: 60_000,
      databaseMode: 'in-region',
    });
    expect(plan.classes['network-partition']).toMatchObject({
      phases: ['traffic', 'verify'],
      rtoMs: 10 * 60_000,
      rpoMs: 0,
      databaseMode: 'in-region',
    });
    expect(plan.classes['compute-failure']).toMatchObject({
      phases: ['scale', 'traffic', 'verify'],
      rtoMs: 20 * 60_000,
      rpoMs: 2 * 60_000,
      databaseMode: 'in-region',
    });
  });

  it('fills sites, node pools and application defaults', () => {
    const s = plan.stack('aws');
    expect(s.primary.kubernetes.namespace).toBe('aegis');
    expect(s.primary.deployments).toEqual([{ name: 'aegis-api', active: 6, standby: 2 }]);
    expect(s.primary.app).toEqual({ connectionsPort: 8080, connectionsPath: '/debug/connections' });
    expect(s.nodePool).toMatchObject({ min: 3, max: 10, active: 6, standby: 3 });
    expect(s.traffic).toMatchObject({ recordType: 'CNAME' });
    expect(plan.doc.application.integrityJob.command).toEqual(['./aegis', 'db', 'check-integrity']);
    expect(plan.doc.application.publicName).toBe('api.aegis.io');
    expect(plan.doc.prometheus).toBeUndefined();
  });

  it('resolves kubeconfig paths against the plan file without reading them', () => {
    const p = parsePlan(MINIMAL, '/plans/team/dr.yml');
    expect(p.stack('aws').primary.kubernetes.kubeconfig).toBe('/plans/team/kube/primary.yaml');
    expect(p.stack('aws').dr.kubernetes.kubeconfig).toBeUndefined();
  });

  it('lets a class override only what it writes', () => {
    const p = parsePlan(`${MINIMAL}incidentClasses:\n  region-outage:\n    rto: 45m\n`, 'x.yml');
    expect(p.classes['region-outage']).toMatchObject({
      rtoMs: 45 * 60_000,
      rpoMs: 5 * 60_000,
      databaseMode: 'cross-region',
    });
    expect(p.classes['region-outage'].phases).toContain('drain');
  });

  it('overrides thresholds and triggers from the file', () => {
    const p = parsePlan(
      `${MINIMAL}prometheus:\n  url: http://127.0.0.1:9090\nthresholds:\n  backupMaxAge: 1h30m\n  deadlines: { drain: 90s }\ntriggers:\n  interval: 250ms\n  consecutive: 5\n`,
      'x.yml',
    );
    expect(p.limits.backupMaxAgeMs).toBe(5_400_000);
    expect(p.limits.deadlinesMs).toMatchObject({ drain: 90_000, database: 15 * 60_000 });
    expect(p.limits.triggers).toMatchObject({ intervalMs: 250, consecutive: 5 });
    expect(p.doc.prometheus?.queries.healthScore).toBe('avg(aegis_health_status) by (region)');
  });
});

describe('errors', () => {
  it('stack() names the stacks when asked for a missing one', () => {
    const plan = parsePlan(MINIMAL, 'x.yml');
    expect(() => plan.stack('awz')).toThrow(UserError);
    expect(() => plan.stack('awz')).toThrow(/no stack `awz`; its stacks are aws \(did you mean `aws`\?\)/);
  });

  it('reports several problems at once, in file order, with file:line:column: path: message', () => {
    const text = MINIMAL.replace('kind: DRPlan', 'kind: Plan')
      .replace('cloud: aws', 'cloud: aws\n    regoin: x')
      .replace('nodegroup: primary', 'nodegroup: primary\n      min: 12\n      max: 4');
    let err: unknown;
    try {
      parsePlan(text, 'plans/bad.yml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PlanError);
    expect(err).toBeInstanceOf(UserError);
    const problems = (err as PlanError).problems;
    expect(problems.map((p) => `${p.line}:${p.column} ${p.path}`)).toEqual([
      '2:7 kind',
      '9:5 stacks.aws.regoin',
      '26:12 stacks.aws.nodePool.min',
    ]);
    const message = (err as PlanError).message;
    expect(message).toContain('has 3 problems');
    expect(message).toContain('plans/bad.yml:2:7: kind: Found `Plan`, expected `DRPlan`.');
    expect(message).toContain('plans/bad.yml:9:5: stacks.aws.regoin: Unknown key `regoin`');
    expect(message).toContain(
      'plans/bad.yml:26:12: stacks.aws.nodePool.min: The node pool min (12) is above its max (4)',
    );
  });

  it('validatePlanText returns problems instead of throwing', () => {
    const r = validatePlanText('kind: DRPlan\n', 'x.yml');
    expect(r.plan).toBeUndefined();
    expect(r.problems.map((p) => p.path)).toEqual(
      expect.arrayContaining(['apiVersion', 'service', 'application', 'stacks']),
    );
  });

  it('loadPlan reports a missing file as a plan problem', async () => {
    await expect(loadPlan('/nonexistent/plan.yml')).rejects.toThrow(
      /plan.yml:1:1: Cannot read the plan file: the file does not exist/,
    );
  });

  it('loadPlan reports problems with the path it was given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plan-'));
    const file = join(dir, 'p.yml');
    writeFileSync(file, MINIMAL.replace('region: us-west-2', 'region: us-east-1'));
    await expect(loadPlan(file)).rejects.toThrow(`${file}:13:15: stacks.aws.dr.region:`);
  });

  it('requires prometheus when triggers are written', () => {
    const r = validatePlanText(`${MINIMAL}triggers:\n  consecutive: 4\n`, 'x.yml');
    expect(r.problems.map((p) => p.message).join()).toContain('needs Prometheus');
  });
});
