/**
 * The fault matrix: for one stack's failover per cloud, each fault the sandbox can inject on each
 * service the failover calls, and the outcome the product promises. The test in test/fault/ runs
 * every cell against the sandbox and asserts its outcome; `faultTableMarkdown()` renders the same
 * expectations as docs/FAULTS.md (written by `node scripts/fault-table.mjs`, checked current by a
 * test), so the table a user reads is the table the tests hold the product to.
 */
import type { CloudKind } from './world.js';
import type { FaultSpec } from './faults.js';

/** What a failover does under a fault. */
export type Outcome =
  /** The failover completes: retried with backoff (Retry-After honoured), re-observed after a lost answer. */
  | 'rides'
  /** The failover stops within its deadline with one sentence naming the service and what to do. */
  | 'fails'
  /** The place is recorded as unreachable (a warning row, an `unreachable` journal record) and the failover goes on. */
  | 'unreachable';

export type FaultName =
  'throttle' | '500' | '503' | 'reset' | 'no answer' | 'slow' | '403' | '404' | 'applied, answer lost';

/** The service roles of one stack's failover. */
export type Role = 'database' | 'traffic' | 'node pool' | 'primary Kubernetes API';

export const FAULT_NAMES: FaultName[] = [
  'throttle',
  '500',
  '503',
  'reset',
  'no answer',
  'slow',
  '403',
  '404',
  'applied, answer lost',
];

export const ROLES: Role[] = ['database', 'traffic', 'node pool', 'primary Kubernetes API'];
export const CLOUDS: CloudKind[] = ['aws', 'azure', 'gcp'];

/** How each fault is injected: transient ones a few times in a row, the others for good. */
export const FAULT_SPECS: Record<FaultName, Omit<FaultSpec, 'service' | 'operation' | 'target'>> = {
  throttle: { kind: 'throttle', retryAfterSeconds: 1, rate: 1, times: 3 },
  '500': { kind: 'error', status: 500, rate: 1, times: 3 },
  '503': { kind: 'error', status: 503, rate: 1, times: 3 },
  reset: { kind: 'reset', rate: 1, times: 3 },
  'no answer': { kind: 'timeout', rate: 1 },
  slow: { kind: 'slow', delayMs: 700, rate: 1, times: 3 },
  '403': { kind: 'error', status: 403, rate: 1 },
  '404': { kind: 'error', status: 404, rate: 1 },
  'applied, answer lost': { kind: 'lost', nth: 1 },
};

/** How a fault is described in the table. */
export const FAULT_DESCRIPTIONS: Record<FaultName, string> = {
  throttle: '3 throttles in a row, Retry-After 1 s, in the service’s own format',
  '500': '3 answers 500 in a row',
  '503': '3 answers 503 in a row',
  reset: '3 connection resets in a row',
  'no answer': 'the connection is accepted and never answered, for good',
  slow: '3 answers 0.7 s late (within the per-request timeout)',
  '403': 'permission denied, for good (AccessDenied, AuthorizationFailed, PERMISSION_DENIED, Forbidden)',
  '404': 'not found, for good (the service’s own NotFound)',
  'applied, answer lost': 'the first mutating call is carried out, then its connection is dropped',
};

/** Where a role's calls go on each cloud: the fault service, the operations, the mutating ones. */
export interface Target {
  service: string;
  /** Operations to aim at (absent = every call of the service). */
  operations?: string[];
  /** The cluster, for Kubernetes. */
  target?: string;
  /** The mutating operations (for "applied, answer lost"). */
  mutating: string[];
  /** The service's name in the table. */
  label: string;
}

export function targetOf(cloud: CloudKind, role: Role): Target {
  switch (role) {
    case 'primary Kubernetes API':
      return {
        service: 'kubernetes',
        target: `${cloud}-primary`,
        mutating: ['patchNamespacedDeployment'],
        label: 'Kubernetes API (primary cluster)',
      };
    case 'database':
      if (cloud === 'aws')
        return { service: 'rds', mutating: ['PromoteReadReplica', 'RebootDBInstance'], label: 'RDS' };
      if (cloud === 'gcp')
        return {
          service: 'sqladmin',
          mutating: ['instances.promoteReplica', 'instances.failover'],
          label: 'Cloud SQL',
        };
      return {
        service: 'arm',
        operations: [
          'FailoverGroups_Get',
          'FailoverGroups_Failover',
          'FailoverGroups_ForceFailoverAllowDataLoss',
          'DatabaseOperations_ListByDatabase',
          'RestorePoints_ListByDatabase',
          'FailoverGroups_AsyncOperation',
          'FailoverGroups_OperationResult',
        ],
        mutating: ['FailoverGroups_Failover', 'FailoverGroups_ForceFailoverAllowDataLoss'],
        label: 'Azure SQL (ARM)',
      };
    case 'traffic':
      if (cloud === 'aws')
        return {
          service: 'route53',
          mutating: ['ChangeResourceRecordSets', 'UpdateHealthCheck'],
          label: 'Route 53',
        };
      if (cloud === 'gcp') return { service: 'clouddns', mutating: ['changes.create'], label: 'Cloud DNS' };
      return {
        service: 'arm',
        operations: ['Profiles_Get', 'Profiles_Update', 'Endpoints_Get', 'Endpoints_Update'],
        mutating: ['Profiles_Update', 'Endpoints_Update'],
        label: 'Traffic Manager (ARM)',
      };
    case 'node pool':
      if (cloud === 'aws') return { service: 'eks', mutating: ['UpdateNodegroupConfig'], label: 'EKS' };
      if (cloud === 'gcp') return { service: 'container', mutating: ['nodePools.setSize'], label: 'GKE' };
      return {
        service: 'arm',
        operations: ['AgentPools_Get', 'AgentPools_CreateOrUpdate', 'AgentPools_AsyncOperation'],
        mutating: ['AgentPools_CreateOrUpdate'],
        label: 'AKS (ARM)',
      };
  }
}

/** The fault specs of a cell. */
export function cellFaults(cloud: CloudKind, role: Role, fault: FaultName): FaultSpec[] {
  const t = targetOf(cloud, role);
  const operations = fault === 'applied, answer lost' ? t.mutating : t.operations;
  return [
    {
      ...FAULT_SPECS[fault],
      service: t.service,
      ...(operations ? { operations } : {}),
      ...(t.target ? { target: t.target } : {}),
    },
  ];
}

/**
 * Cells where the product does not yet always do what the table promises, with what goes wrong.
 * The test holds them to the fault firing and to one-sentence errors within the deadline, not to
 * their outcome or to "never sent twice"; the table shows each one.
 */
export const KNOWN_WRONG: Partial<Record<`${CloudKind}|${Role}|${FaultName}`, string>> = {};

export function knownWrong(cloud: CloudKind, role: Role, fault: FaultName): string | undefined {
  return KNOWN_WRONG[`${cloud}|${role}|${fault}`];
}

/** The promised outcome of a cell, with its reason. */
export function expected(cloud: CloudKind, role: Role, fault: FaultName): { outcome: Outcome; why: string } {
  const fence = role === 'primary Kubernetes API';
  switch (fault) {
    case 'throttle':
    case '500':
    case '503':
      return {
        outcome: 'rides',
        why: 'the service answered: asked again with backoff and jitter, Retry-After honoured, until the deadline',
      };
    case 'slow':
      return { outcome: 'rides', why: 'late answers within the per-request timeout are answers' };
    case 'reset':
      return fence
        ? {
            outcome: 'unreachable',
            why: 'declare asks the primary 3 times for the drain annotation and records it unreachable; its other fence methods (the NetworkPolicy, scale to zero) reach the API once it answers again and fence the primary; the database phase checks the fence before it promotes (with the annotation as the only method it refuses, fence before promote)',
          }
        : { outcome: 'rides', why: 'a reset is retried; a lost mutation is re-observed before any retry' };
    case 'no answer':
      if (fence && cloud === 'azure')
        return {
          outcome: 'unreachable',
          why: 'each call is aborted at the per-request timeout and the primary is recorded unreachable; the failover group’s planned failover makes the old primary a read-only secondary, so the promotion goes on without the application fence',
        };
      return fence
        ? {
            outcome: 'fails',
            why: 'each call is aborted at the per-request timeout; the primary cannot be fenced and the second witness (Prometheus) still sees it serving users, so the promotion is refused with one sentence (fence before promote; force with a reason once its users cannot write)',
          }
        : {
            outcome: 'fails',
            why: 'each call is aborted at the per-request timeout, the step fails by its deadline with one sentence',
          };
    case '403':
      return {
        outcome: 'fails',
        why: 'a permission problem is not retried: one sentence says which permission',
      };
    case '404':
      return { outcome: 'fails', why: 'a missing resource is not retried: one sentence says check the plan' };
    case 'applied, answer lost':
      return {
        outcome: 'rides',
        why: 'the step re-observes, sees its change landed, and never sends it twice',
      };
  }
}

const OUTCOME_TEXT: Record<Outcome, string> = {
  rides: 'rides it out',
  fails: 'fails within the deadline, one sentence',
  unreachable: 'unreachable, failover goes on',
};

/** docs/FAULTS.md, from the expectations above. */
export function faultTableMarkdown(): string {
  const lines: string[] = [
    '# Faults: what a failover does when a cloud misbehaves',
    '',
    '<!-- Generated by `node scripts/fault-table.mjs` from src/sandbox/fault-matrix.ts; test/fault/table.test.ts checks it is current. -->',
    '',
    'One stack’s failover (declare, drain, database, scale, traffic) per cloud, with each fault injected by the sandbox on each service the failover calls. Every cell is asserted by `test/fault/matrix.test.ts` against the sandbox, with the official SDKs on the wire.',
    '',
    '| fault | how it is injected |',
    '|---|---|',
    ...FAULT_NAMES.map((f) => `| ${f} | ${FAULT_DESCRIPTIONS[f]} |`),
    '',
  ];
  for (const cloud of CLOUDS) {
    lines.push(`## ${cloud.toUpperCase()}`, '');
    lines.push(`| fault | ${ROLES.map((r) => targetOf(cloud, r).label).join(' | ')} |`);
    lines.push(`|---|${ROLES.map(() => '---').join('|')}|`);
    for (const f of FAULT_NAMES) {
      lines.push(
        `| ${f} | ${ROLES.map((r) => `${OUTCOME_TEXT[expected(cloud, r, f).outcome]}${knownWrong(cloud, r, f) ? ' (**known wrong**)' : ''}`).join(' | ')} |`,
      );
    }
    lines.push('');
  }
  lines.push('## Why', '');
  // one line per distinct reason, naming the cells it covers when it is not every one of its fault
  const whys = new Map<string, { head: string; cells: Set<string> }>();
  for (const f of FAULT_NAMES)
    for (const cloud of CLOUDS)
      for (const r of ROLES) {
        const e = expected(cloud, r, f);
        const w = whys.get(e.why) ?? { head: `${f}: ${OUTCOME_TEXT[e.outcome]}`, cells: new Set<string>() };
        w.cells.add(`${cloud.toUpperCase()} ${targetOf(cloud, r).label}`);
        whys.set(e.why, w);
      }
  for (const [why, { head, cells }] of whys) {
    const f = head.slice(0, head.indexOf(':')) as FaultName;
    const all = [...whys.values()].filter((w) => w.head.startsWith(`${f}:`)).length === 1;
    lines.push(`- **${head}**${all ? '' : ` (${[...cells].join(', ')})`}: ${why}.`);
  }
  lines.push('', '## Known wrong', '');
  const wrong = Object.entries(KNOWN_WRONG);
  if (wrong.length === 0) lines.push('None.');
  for (const [k, v] of wrong) lines.push(`- **${k.split('|').join(' / ')}**: ${v}.`);
  lines.push('');
  return lines.join('\n');
}
