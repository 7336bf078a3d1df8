/**
 * Every failure a service answers is one sentence: the service as a person names it, the
 * operation, the resource, the status and code, what the service said (never its raw JSON body),
 * and what to do. The sandbox answers 403 and 404 in each service's own error format (AWS
 * AccessDenied / NotFound codes, Google PERMISSION_DENIED / NOT_FOUND JSON).
 */
import { ProviderError } from '../../src/engine/errors.js';
import type { Environment } from '../../src/phases/types.js';
import { sandboxPerSuite } from '../support/sandbox.js';

const suite = sandboxPerSuite('errors');
let env: Environment;

beforeAll(async () => {
  env = await suite.environment();
});

type Call = (env: Environment) => Promise<unknown>;
/** service, its name in the sentence, the operation, the resource, a call that reaches it */
const calls: [string, string, string, RegExp, Call][] = [
  [
    'rds',
    'RDS',
    'DescribeDBInstances',
    /DB instance aegis-db/,
    async (e) => (await e.providers('aws')).database.describe(),
  ],
  [
    'route53',
    'Route 53',
    'ListResourceRecordSets',
    /hosted zone/,
    async (e) => (await e.providers('aws')).traffic.describe(),
  ],
  [
    'eks',
    'EKS',
    'DescribeNodegroup',
    /node group/,
    async (e) => (await e.providers('aws')).nodePool.describe('dr'),
  ],
  [
    'sqladmin',
    'Cloud SQL Admin',
    // lastBackup() first finds the current writer: the listing is the first call that fails
    'instances.list',
    /instance aegis-db/,
    async (e) => (await e.providers('gcp')).database.lastBackup(),
  ],
  [
    'clouddns',
    'Cloud DNS',
    'resourceRecordSets.list',
    /zone aegis-zone/,
    async (e) => (await e.providers('gcp')).traffic.describe(),
  ],
  [
    'arm',
    'Azure Resource Manager',
    'FailoverGroups_Get',
    /failover group aegis-fog/,
    async (e) => (await e.providers('azure')).database.describe(),
  ],
  [
    'kubernetes',
    'Kubernetes API',
    'listNode',
    /nodes in aws-dr/,
    async (e) => (await e.cluster('aws', 'dr')).nodes(),
  ],
  [
    'container',
    'GKE',
    'nodePools.get',
    /node pool/,
    async (e) => (await e.providers('gcp')).nodePool.describe('dr'),
  ],
];

const codes: Record<string, Record<number, RegExp>> = {
  rds: { 403: /403 AccessDenied/, 404: /404 DBInstanceNotFound/, 503: /503 ServiceUnavailable/ },
  route53: { 403: /403 AccessDenied/, 404: /404 NoSuchHostedZone/, 503: /503 ServiceUnavailable/ },
  eks: {
    403: /403 AccessDeniedException/,
    404: /404 ResourceNotFoundException/,
    503: /503 ServiceUnavailableException/,
  },
  sqladmin: { 403: /403 PERMISSION_DENIED/, 404: /404 NOT_FOUND/, 503: /503 UNAVAILABLE/ },
  clouddns: { 403: /403/, 404: /404/, 503: /503/ },
  arm: { 403: /403 AuthorizationFailed/, 404: /404 ResourceNotFound/, 503: /503 ServiceUnavailable/ },
  kubernetes: { 403: /403 Forbidden/, 404: /404 NotFound/, 503: /503 ServiceUnavailable/ },
  container: { 403: /403 PERMISSION_DENIED/, 404: /404 NOT_FOUND/, 503: /503 UNAVAILABLE/ },
};
const advice: Record<number, RegExp> = {
  403: /; grant the identity the pipeline runs as the permission for \S+, then run the phase again\.$/,
  404: /; check the resource name in the plan and that the resource exists, then run the phase again\.$/,
  503: /; the service is failing: it was retried until the deadline; check the cloud's status page and run the phase again\.$/,
};

describe('a failure answered by the service is one sentence', () => {
  afterEach(() => suite.sandbox.faults.clear());

  const cells = calls.flatMap(([service, name, op, resource, call]) =>
    [403, 404, 503].map((status) => [service, status, name, op, resource, call] as const),
  );
  it.each(cells)('%s %i', async (service, status, name, op, resource, call) => {
    suite.sandbox.faults.add({ service, kind: 'error', status, rate: 1 });
    const err = await call(env).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProviderError);
    const m = (err as ProviderError).message;
    expect(m.startsWith(`${name} ${op} of `)).toBe(true);
    expect(m).toMatch(resource);
    expect(m).toMatch(codes[service][status]);
    expect(m).toMatch(advice[status]);
    expect(m).not.toMatch(/[{}\n]/);
  });
});
