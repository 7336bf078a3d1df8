/**
 * Every call declared: each provider module's SDK operations appear in its PERMISSIONS table, each
 * public provider method has a row, and each phase's provider calls are in its declaration
 * (src/phases/provider-calls.ts). A failure names the call, the file and line, and where to add it.
 * Read from the source, so a call added in parallel by someone else fails here until declared.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadDeclarations } from '../../src/permissions/index.js';
import { PHASE_PROVIDER_CALLS } from '../../src/phases/provider-calls.js';

const ROOT = process.cwd();
const rel = (f: string) => path.relative(ROOT, f);

/** Operation-shaped string literals of one cloud's SDK calls, with their line. */
const OP_SHAPES: Record<string, RegExp[]> = {
  // AWS SDK v3: `.send(new XCommand(`
  aws: [/new ([A-Z][A-Za-z]+)Command\(/g],
  // ARM operation ids as the SDK error and the sandbox name them: FailoverGroups_Get
  azure: [/'([A-Z][a-z][A-Za-z]*_[A-Z][a-z][A-Za-z]*)'/g],
  // Google API methods: instances.failover, nodePools.setSize, changes.create
  gcp: [
    /'((?:instances|operations|backupRuns|nodePools|clusters|changes|resourceRecordSets|managedZones)\.[a-zA-Z]+)'/g,
  ],
  // @kubernetes/client-node operations: listNamespacedPod, connectGetNamespacedPodProxyWithPath
  kubernetes: [/'((?:list|read|patch|create|delete|replace|connect)[A-Z][A-Za-z]+)'/g],
};

function opsIn(file: string, cloud: string): { op: string; line: number }[] {
  const text = fs.readFileSync(file, 'utf8');
  // the declaration table itself names the operations; only the code outside it counts
  const code = text.replace(/export const PERMISSIONS = \{[\s\S]*?\} satisfies ProviderPermissions;/, (m) =>
    m.replace(/[^\n]/g, ' '),
  );
  const out: { op: string; line: number }[] = [];
  for (const re of OP_SHAPES[cloud]) {
    for (const m of code.matchAll(re)) {
      const line = code.slice(0, m.index).split('\n').length;
      const before = code.slice(code.lastIndexOf('\n', m.index) + 1, m.index).trim();
      if (before.startsWith('*') || before.startsWith('//')) continue; // prose in a comment
      out.push({ op: m[1], line });
    }
  }
  return out;
}

const MODULES: { cloud: string; role: string; file: string }[] = [
  ...['aws', 'azure', 'gcp'].flatMap((cloud) => [
    { cloud, role: 'database', file: `src/providers/${cloud}/database.ts` },
    { cloud, role: 'traffic', file: `src/providers/${cloud}/traffic.ts` },
    { cloud, role: 'nodePool', file: `src/providers/${cloud}/nodepool.ts` },
    { cloud, role: 'clusterAccess', file: `src/providers/${cloud}/cluster-access.ts` },
  ]),
  { cloud: 'kubernetes', role: 'cluster', file: 'src/providers/kubernetes/cluster.ts' },
  // modules a provider class delegates to, whose tables src/permissions/table.ts merges into the role
  { cloud: 'aws', role: 'traffic', file: 'src/providers/aws/arc.ts' },
  { cloud: 'aws', role: 'database', file: 'src/providers/aws/cloudwatch-lag.ts' },
  { cloud: 'gcp', role: 'database', file: 'src/providers/gcp/monitoring-lag.ts' },
  { cloud: 'aws', role: 'database', file: 'src/providers/aws/rds-restore.ts' },
  { cloud: 'gcp', role: 'database', file: 'src/providers/gcp/sql-restore.ts' },
  { cloud: 'azure', role: 'database', file: 'src/providers/azure/sql-restore.ts' },
  ...['aws', 'azure', 'gcp'].map((cloud) => ({
    cloud,
    role: 'nodePool',
    file: `src/providers/${cloud}/capacity.ts`,
  })),
];

describe('every provider call has a permission declaration', () => {
  test('each SDK operation a provider module calls is in its PERMISSIONS table', async () => {
    const table = await loadDeclarations();
    const missing: string[] = [];
    for (const m of MODULES) {
      const rows = table[m.cloud as keyof typeof table][m.role]!;
      const declared = new Set(Object.values(rows).flatMap((needs) => needs.map((n) => n.op)));
      for (const { op, line } of opsIn(path.join(ROOT, m.file), m.cloud)) {
        if (!declared.has(op))
          missing.push(
            `${m.file}:${line} calls ${op}, which its PERMISSIONS table does not declare: add it (with its ${m.cloud} permission and whether it mutates) under the method that calls it in the PERMISSIONS table at the top of ${m.file}.`,
          );
      }
    }
    expect(missing).toEqual([]);
  });

  test('no other provider file calls a cloud SDK operation undeclared', () => {
    const declaredFiles = new Set(MODULES.map((m) => m.file));
    const stray: string[] = [];
    for (const cloud of ['aws', 'azure', 'gcp', 'kubernetes']) {
      const dir = path.join(ROOT, 'src/providers', cloud);
      for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
        const file = rel(path.join(dir, f));
        if (declaredFiles.has(file)) continue;
        for (const { op, line } of opsIn(path.join(ROOT, file), cloud))
          stray.push(
            `${file}:${line} calls ${op} outside a module with a PERMISSIONS table: move the call into the provider module that owns it, or add a PERMISSIONS table to ${file} and load it in src/permissions/table.ts.`,
          );
      }
    }
    expect(stray).toEqual([]);
  });

  test('each public method of a provider class has a row (an empty one when it calls nothing)', async () => {
    const table = await loadDeclarations();
    const missing: string[] = [];
    for (const m of MODULES.filter((x) => x.role !== 'clusterAccess')) {
      const text = fs.readFileSync(path.join(ROOT, m.file), 'utf8');
      const rows = table[m.cloud as keyof typeof table][m.role]!;
      for (const mm of text.matchAll(/^ {2}async ([a-z][A-Za-z]+)\(/gm)) {
        const method = mm[1];
        if (['constructor', 'topology'].includes(method)) continue;
        if (!(method in rows))
          missing.push(
            `${m.file}: method ${method} has no row in its PERMISSIONS table: add \`${method}: [...]\` (the calls it makes) to the table at the top of the file.`,
          );
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('every provider method a phase calls is in its declaration', () => {
  const SHARED = path.join(ROOT, 'src/phases/shared');
  /** The phase's own module and the shared modules it imports (other phases' steps are declared by set). */
  function sources(phase: string): string[] {
    const own = path.join(ROOT, 'src/phases', `${phase}.ts`);
    if (!fs.existsSync(own)) return [];
    const files = [own];
    for (const m of fs.readFileSync(own, 'utf8').matchAll(/from '\.\/shared\/([a-z-]+)\.js'/g))
      files.push(path.join(SHARED, `${m[1]}.ts`));
    if (phase === 'database') files.push(path.join(ROOT, 'src/phases/database-azure.ts'));
    return files;
  }
  /** Methods of the provider interfaces (src/providers/types.ts), not of plan objects that share a name. */
  const PROVIDER_METHODS = new Set([
    'describe',
    'lastBackup',
    'restorePoints',
    'failover',
    'poll',
    'failoverHistory',
    'createReplica',
    'enableHighAvailability',
    'switchTo',
    'expectation',
    'networkPolicy',
    'resize',
  ]);
  const CLUSTER_METHODS =
    'nodes|pods|deployment|scale|autoscaler|setAutoscalerBounds|annotate|configMap|podProxyGet|runJob|job|deleteJob|egressFence|createEgressFence|deleteEgressFence';

  test.each(Object.keys(PHASE_PROVIDER_CALLS).filter((p) => p !== 'status'))('%s', (phase) => {
    const declared = new Set<string>(PHASE_PROVIDER_CALLS[phase]);
    const missing: string[] = [];
    for (const file of sources(phase)) {
      const text = fs.readFileSync(file, 'utf8');
      const found = [
        ...[...text.matchAll(/\b(?:providers|p)\.(database|traffic|nodePool)\.([a-zA-Z]+)!?\(/g)].map(
          (m) => `${m[1]}.${m[2]}`,
        ),
        ...[...text.matchAll(/\bdb\.([a-zA-Z]+)!?\(/g)].map((m) => `database.${m[1]}`),
        ...[...text.matchAll(new RegExp(`\\b(?:cluster|c|k8s)\\.(${CLUSTER_METHODS})\\(`, 'g'))].map(
          (m) => `cluster.${m[1]}`,
        ),
      ];
      for (const call of found.filter(
        (c) => c.startsWith('cluster.') || PROVIDER_METHODS.has(c.split('.')[1]),
      ))
        if (!declared.has(call))
          missing.push(
            `${rel(file)} calls ${call} in phase ${phase}, which src/phases/provider-calls.ts does not list: add '${call}' to PHASE_PROVIDER_CALLS.${phase}.`,
          );
    }
    expect([...new Set(missing)]).toEqual([]);
  });
});
