/**
 * Which provider methods each phase may call: the per-phase half of the least-privilege
 * declaration (the other half, which cloud permission each method needs, is the `PERMISSIONS`
 * table next to each provider's code). `aegis-dr permissions --phase P` joins the two; a test
 * (test/permissions/declared.test.ts) reads each phase module and the phase modules it imports and
 * fails when one calls a provider method that is not listed here.
 *
 * The sets follow the composition of the phases: failback reuses drain, database, scale, traffic
 * and verify; readiness and triggers fence a primary that answers again while an incident is open
 * (`fenceReturnedPrimary`), so their per-phase sets hold the fence's writes. The read-only
 * identity keeps only the calls of READ_ONLY_PHASES that change nothing.
 */
import type { Cluster } from '../providers/kubernetes/types.js';
import type { DatabaseProvider, NodePoolProvider, TrafficProvider } from '../providers/types.js';

/** A provider method as `<role>.<method>`; `clusterAccess.connect` reaches a cluster by its cloud. */
export type ProviderCall =
  | `database.${keyof DatabaseProvider & string}`
  | `traffic.${keyof TrafficProvider & string}`
  | `nodePool.${keyof NodePoolProvider & string}`
  | `cluster.${keyof Cluster & string}`
  | 'clusterAccess.connect';

/** applyFence / fenceReturnedPrimary (src/phases/drain.ts): annotation, scale to zero, egress NetworkPolicy. */
const FENCE: ProviderCall[] = [
  'cluster.deployment',
  'cluster.annotate',
  'cluster.scale',
  'cluster.pods',
  'cluster.egressFence',
  'cluster.createEgressFence',
  'nodePool.networkPolicy',
];
/** liftFence (src/phases/drain.ts). */
const LIFT: ProviderCall[] = [
  'cluster.deployment',
  'cluster.annotate',
  'cluster.scale',
  'cluster.egressFence',
  'cluster.deleteEgressFence',
];
/** drainSite: in-flight requests through the pod proxy. */
const DRAIN: ProviderCall[] = [...FENCE, ...LIFT, 'cluster.pods', 'cluster.podProxyGet'];
/** src/phases/recovered.ts: is the recovered primary healthy (failback gate, readiness during an incident). */
const RECOVERED: ProviderCall[] = [
  'database.describe',
  'traffic.describe',
  'cluster.nodes',
  'cluster.deployment',
];
/** src/phases/shared/jobs.ts: integrity check and data sync Jobs. */
const JOBS: ProviderCall[] = ['cluster.runJob', 'cluster.job'];
/** src/phases/scale.ts (node pool, HPA bounds, replicas, rollout). */
const SCALE: ProviderCall[] = [
  'nodePool.describe',
  'nodePool.resize',
  'cluster.nodes',
  'cluster.deployment',
  'cluster.scale',
  'cluster.autoscaler',
  'cluster.setAutoscalerBounds',
];
/** src/phases/database.ts (and database-azure.ts): the promotion and its fence check. */
const DATABASE: ProviderCall[] = [
  'database.describe',
  'database.replicationLag',
  'database.restoreWindow',
  'database.restored',
  'database.restoreToPointInTime',
  'database.failover',
  'cluster.objectData',
  'cluster.setObjectKey',
  'cluster.restart',
  'database.poll',
  'database.failoverHistory',
  'cluster.deployment',
  'cluster.egressFence',
  'nodePool.networkPolicy',
  ...LIFT,
];
const TRAFFIC: ProviderCall[] = [
  'traffic.describe',
  'traffic.switchTo',
  'traffic.poll',
  'traffic.expectation',
];
const VERIFY: ProviderCall[] = ['cluster.deployment', 'database.describe', ...JOBS];

/** Per phase (and `status`, the read-only CLI command), the provider methods it may call. */
export const PHASE_PROVIDER_CALLS: Record<string, readonly ProviderCall[]> = {
  validate: [],
  readiness: [
    'database.describe',
    'database.replicationLag',
    'traffic.switchPlane',
    'nodePool.capacity',
    'cluster.canI',
    'database.lastBackup',
    'database.restorePoints',
    'traffic.expectation',
    'cluster.nodes',
    'cluster.deployment',
    'cluster.configMap',
    ...RECOVERED,
    ...FENCE,
  ],
  triggers: [...FENCE],
  declare: [...FENCE, ...SCALE],
  drain: DRAIN,
  database: DATABASE,
  scale: SCALE,
  traffic: TRAFFIC,
  verify: VERIFY,
  sync: JOBS,
  failback: [...DATABASE, ...DRAIN, ...SCALE, ...TRAFFIC, ...VERIFY, ...RECOVERED],
  reprotect: ['database.describe', 'database.createReplica', 'database.enableHighAvailability', ...LIFT],
  notify: [],
  escalate: [],
  report: [],
  status: ['database.describe', 'traffic.describe', 'nodePool.describe', 'cluster.deployment'],
};

/** Optional methods of the provider interfaces (src/providers/types.ts): a cloud may not have them. */
export const OPTIONAL_CALLS: readonly ProviderCall[] = [
  'database.restorePoints',
  'database.replicationLag',
  'traffic.switchPlane',
  'nodePool.capacity',
  'database.createReplica',
  'database.enableHighAvailability',
];

/** The phases whose reads the read-only identity may make (its policy keeps no mutating call). */
export const READ_ONLY_PHASES = ['readiness', 'triggers', 'validate', 'report', 'status'] as const;

/** The distinct provider methods of `phases`, sorted. */
export function providerCallsOf(phases: readonly string[]): ProviderCall[] {
  const out = new Set<ProviderCall>();
  for (const p of phases) for (const c of PHASE_PROVIDER_CALLS[p] ?? []) out.add(c);
  return [...out].sort();
}
