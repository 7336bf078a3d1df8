/**
 * The sandbox world: one consistent, in-memory Cloud Aegis estate that every emulated service
 * (Kubernetes, AWS, Azure, GCP, the Aegis app, DNS, metrics) reads and changes.
 *
 * Time: durations are written in "cloud seconds" (what the real service takes) and divided by the
 * speed factor. Transitions are scheduled with `schedule()` and applied by `settle()`, which every
 * emulator calls at the start of each request (and a background tick calls every few ms), so the
 * world is consistent whatever order requests arrive in.
 *
 * Invariants: `monitor` records every data-changing call, every failover per database, and whether
 * both sites of a stack ever accepted writes at the same time (split brain).
 */
import type { SiteName } from '../plan/types.js';
import { bindingValue, type BindingWorld } from './binding.js';
import { syncTopology, type DbInstanceWorld } from './dbtopology.js';
import { reconcileHpas } from './kubernetes/hpa.js';
import { RequestLog } from './requests.js';
import { type NetworkPolicyState, writerPods } from './writes.js';

export type { NetworkPolicyState } from './writes.js';

export type CloudKind = 'aws' | 'azure' | 'gcp';
export const SITES: SiteName[] = ['primary', 'dr'];

export interface NodeState {
  name: string;
  ready: boolean;
  createdAt: number;
}

export interface DeploymentState {
  name: string;
  replicas: number;
  /** Pods ready and available (computed by `reconcileDeployments`). */
  readyReplicas: number;
  updatedReplicas: number;
  generation: number;
  observedGeneration: number;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  /** Real ms time at which pending pods become ready. */
  readyAt: number;
  /** Annotations of the pod template (`kubectl rollout restart` sets kubectl.kubernetes.io/restartedAt). */
  templateAnnotations?: Record<string, string>;
  /** Bumped when the pod template changes: pods of an older template are replaced (a rolling update). */
  templateVersion?: number;
}

export interface PodState {
  name: string;
  deployment?: string;
  job?: string;
  node?: string;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  ready: boolean;
  labels: Record<string, string>;
  createdAt: number;
  /**
   * Real ms since which the pod has been Ready without a break: its connections to the database
   * are open since then (a NetworkPolicy created later may leave them open, see writes.ts).
   */
  connectedSince?: number;
  /** The pod template version it was created from (see DeploymentState.templateVersion). */
  template?: number;
  /** The database endpoint the pod read from the stack's binding when it started (binding.ts). */
  dbHost?: string;
}

export interface JobState {
  name: string;
  spec: unknown;
  labels: Record<string, string>;
  status: 'running' | 'succeeded' | 'failed';
  logs: string;
  createdAt: number;
  pod: string;
  /** Why the Job controller cannot create its pod (Pod Security admission): it never runs. */
  failedCreate?: string;
}

export interface ClusterState {
  name: string;
  /** Nodes of the site's workload node pool (`SiteWorld.pool`), which the pool's size governs. */
  nodes: NodeState[];
  /**
   * Nodes of the cluster's system node pool (kube-system add-ons; AKS's mode=System pool, GKE's
   * default-pool, an EKS system node group): always there, Ready, never scaled by the runbook and
   * never the pool a phase counts. The application's pods do not run on them.
   */
  systemNodes: NodeState[];
  deployments: Map<string, DeploymentState>;
  pods: Map<string, PodState>;
  configMaps: Map<string, Record<string, string>>;
  /** Secrets (core/v1) of the namespace, their data decoded. */
  secrets: Map<string, Record<string, string>>;
  jobs: Map<string, JobState>;
  /** NetworkPolicies (networking.k8s.io/v1) of the namespace; enforced only where the site's network plugin enforces them. */
  networkPolicies: Map<string, NetworkPolicyState>;
  namespace: string;
  /** Labels of the namespace (Pod Security admission reads pod-security.kubernetes.io/*). */
  namespaceLabels: Record<string, string>;
  resourceVersion: number;
}

export interface NodePoolWorld {
  name: string;
  cluster: string;
  min: number;
  max: number;
  desired: number;
  /** Real ms time until which a resize is in progress. */
  busyUntil: number;
  updates: { id: string; status: 'InProgress' | 'Successful' | 'Failed'; at: number }[];
}

export interface SiteWorld {
  name: SiteName;
  region: string;
  zones: string[];
  /** Region reachable (false during a region outage or partition of this site). */
  up: boolean;
  cluster: ClusterState;
  pool: NodePoolWorld;
  /** The app's target name (load balancer DNS name) that traffic records point at. */
  target: string;
  /** Open client connections (drains to zero after the drain annotation). */
  connections: number;
  healthy: boolean;
  /** Counters for /metrics. */
  requests: { ok: number; error: number };
  healthFailures: number;
  /** Data written while this site served (rows), used by the sync job to report conflicts. */
  writesWhileServing: number;
  /**
   * Whether the cluster's network plugin enforces NetworkPolicy (EKS: the VPC CNI's network policy
   * agent; AKS: networkPolicy azure/calico/cilium; GKE: network policy enforcement or Dataplane V2).
   * A NetworkPolicy created where nothing enforces it is stored and has no effect.
   */
  networkPolicyEnforced: boolean;
  /** Real ms time when the drain annotation was set on this site's deployments (connections decay from then). */
  drainStartedAt?: number;
  /** Connections open when the drain started. */
  connectionsAtDrain?: number;
}

export interface DatabaseWorld {
  kind: 'rds' | 'azure-sql' | 'cloud-sql';
  /** Site whose database accepts writes; the other site's copy is a read replica / secondary. */
  writer: SiteName;
  /** Whether each site's copy accepts writes. Normally only the writer's; after a promotion of a replica while the old primary is up, both. */
  writable: Record<SiteName, boolean>;
  /** Zone of the writer in the primary region (Multi-AZ / HA failover flips it). */
  writerZone: string;
  /** Seconds the replica is behind the writer. */
  lagSeconds: number;
  replicationHealthy: boolean;
  /** Whether the replica link still exists (a promotion breaks it). */
  replicating: boolean;
  status: 'available' | 'rebooting' | 'failing-over' | 'promoting' | 'unavailable';
  busyUntil: number;
  failovers: number;
  lastBackupAt: number;
  corrupted: boolean;
  /**
   * The corruption reached the replicas too (logical corruption replicates: a synchronous standby
   * and a read replica carry it), so a failover does not leave it behind.
   */
  corruptionReplicated?: boolean;
  /**
   * Real ms time logical corruption was written (bad writes, a faulty migration). It reaches every
   * copy: a Multi-AZ / HA standby is synchronous, so a failover keeps it; only a point-in-time
   * restore to an earlier time leaves it out (see `dataCorrupted` in dbtopology.ts).
   */
  logicalCorruptionAt?: number;
  /**
   * Azure SQL: databases a point-in-time restore created on a server, by lowercased name (outside
   * the failover group; see azure/sql-restore.ts).
   */
  restoredDatabases?: Map<string, import('./dbtopology.js').DbInstanceWorld>;
  events: { at: number; message: string }[];
  /**
   * Writes the database received from each site's application (its scheduled scans and user
   * requests), counted while that site accepts writes: the proof that a fence works is that the
   * fenced site's count stops growing.
   */
  writesFrom: Record<SiteName, number>;
  /**
   * A routine operation on the primary instance that does not change the writer (an automated
   * backup, a maintenance update), until `until` (real ms): RDS shows it as the instance status,
   * Cloud SQL as a running operation; both refuse a failover until it ends.
   */
  routine?: { kind: 'backup' | 'maintenance'; since: number; until: number; id: string };
  /**
   * RDS and Cloud SQL: the instances as the cloud holds them (see dbtopology.ts); `writer`,
   * `writable` and `replicating` are derived from them on every settle.
   */
  instances?: Map<string, DbInstanceWorld>;
  /** The instance the application writes to. */
  writerId?: string;
  /** Nothing writes to the writer and its region is up: the replicas have caught up (lag 0). */
  caughtUp?: boolean;
}

export interface RecordWorld {
  zone: string;
  name: string;
  type: string;
  ttl: number;
  values: string[];
}

export interface TrafficWorld {
  kind: 'route53' | 'traffic-manager' | 'cloud-dns';
  /** The record that users resolve; its values follow the traffic service's state. */
  record: RecordWorld;
  /** Endpoint status by site (Traffic Manager endpoints; Route 53 health checks live in its zone). */
  endpointEnabled: Record<SiteName, boolean>;
  /** Changes that are still propagating: id -> real ms time when INSYNC / done. */
  changes: Map<string, { doneAt: number; submittedAt: number }>;
}

export interface StackWorld {
  name: string;
  cloud: CloudKind;
  /**
   * Whether the application watches its own Deployment and refuses writes while it carries the
   * drain annotation. An annotation on a Deployment reaches neither its pods nor a rollout, so by
   * default (false) the annotation alone stops nothing: only zero ready pods or an enforced
   * NetworkPolicy that cuts the pods' egress to the database stop the writes.
   */
  appWatchesDeployment?: boolean;
  /** Where the application reads its database writer from (binding.ts); undefined: it finds the writer by itself. */
  binding?: BindingWorld;
  sites: Record<SiteName, SiteWorld>;
  database: DatabaseWorld;
  traffic: TrafficWorld;
}

export interface MutationRecord {
  at: string;
  service: string;
  operation: string;
  target: string;
}

export interface SplitBrainRecord {
  at: string;
  stack: string;
}

/** Sim durations (cloud seconds) of the real services, before the speed factor. */
export const DURATIONS = {
  rdsFailover: [60, 120],
  rdsPromote: [60, 120],
  /** A new cross-region read replica, from the source's snapshot (hours for a large database). */
  replicaBuild: [900, 1800],
  /** Turning Multi-AZ / HA on for an instance. */
  haModify: [300, 600],
  /**
   * A point-in-time restore to a new instance (RDS RestoreDBInstanceToPointInTime, Cloud SQL clone,
   * Azure SQL PointInTimeRestore): a backup restored, then the logs replayed to the restore time.
   */
  pitrRestore: [600, 1500],
  azureFailover: [30, 90],
  cloudSqlFailover: [30, 60],
  route53Insync: [20, 60],
  trafficManager: [5, 30],
  cloudDnsChange: [5, 30],
  nodeReady: [60, 180],
  podReady: [5, 15],
  drain: [10, 30],
  job: [5, 20],
} as const satisfies Record<string, readonly [number, number]>;

export class InvariantMonitor {
  readonly mutations: MutationRecord[] = [];
  readonly splitBrain: SplitBrainRecord[] = [];
  readonly failovers = new Map<string, number>();
  /** Called after each mutation is logged (the request accounting marks the request data-changing). */
  onMutation?: (m: MutationRecord) => void;

  mutation(service: string, operation: string, target: string): void {
    const m = { at: new Date().toISOString(), service, operation, target };
    this.mutations.push(m);
    this.onMutation?.(m);
  }

  failover(database: string): void {
    this.failovers.set(database, (this.failovers.get(database) ?? 0) + 1);
  }

  toJSON() {
    return {
      mutations: this.mutations,
      mutationCount: this.mutations.length,
      splitBrain: this.splitBrain,
      splitBrainEver: this.splitBrain.length > 0,
      failovers: Object.fromEntries(this.failovers),
    };
  }
}

/** Deterministic pseudo-random numbers (mulberry32), so a seeded sandbox repeats itself. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Scheduled {
  at: number;
  fn: () => void;
}

export interface WorldOptions {
  /** Divides every cloud duration; 600 makes a 120 s failover take 200 ms. */
  speed?: number;
  seed?: number;
  /**
   * How `duration()` picks within a service's range: 'random' (default, seeded), or always the
   * range's 'low', 'mean' or 'high' end, so a benchmark can compare a run with the critical path
   * computed from the same numbers (src/drill/critical-path.ts).
   */
  durations?: DurationMode;
}

/** How the world picks a duration within a service's range. */
export type DurationMode = 'random' | 'low' | 'mean' | 'high';

/** The cloud seconds a fixed duration mode picks from `range` (the mean for 'random'). */
export function pickDuration(
  range: readonly [number, number],
  mode: Exclude<DurationMode, 'random'>,
): number {
  const [lo, hi] = range;
  return mode === 'low' ? lo : mode === 'high' ? hi : (lo + hi) / 2;
}

export class World {
  readonly speed: number;
  /**
   * Real ms a recovered region's nodes take to come Ready (scenario primary-recovered); default an
   * hour of cloud time at the world's speed. A test that checks what a scheduled run does before
   * they are back sets a floor here, so the check does not race the machine's load (at speed 1000
   * an hour is 3.6 s of real time).
   */
  regionRecoveryRealMs?: number;
  readonly stacks = new Map<string, StackWorld>();
  readonly monitor = new InvariantMonitor();
  /** Every request the emulated HTTP services received (see requests.ts). */
  readonly requests = new RequestLog();
  readonly random: () => number;
  private queue: Scheduled[] = [];
  private listeners: (() => void)[] = [];
  private ticker?: NodeJS.Timeout;

  readonly durations: DurationMode;
  /** Base URL of the emulated Kubernetes API servers (set once the sandbox listens), for the clouds' cluster endpoints. */
  kubernetesUrl = '';

  constructor(opts: WorldOptions = {}) {
    this.speed = opts.speed ?? 600;
    this.durations = opts.durations ?? 'random';
    this.random = rng(opts.seed ?? 42);
  }

  /** Real ms now. */
  now(): number {
    return Date.now();
  }

  /** Real ms that `cloudSeconds` of the emulated service takes at this speed. */
  realMs(cloudSeconds: number): number {
    return (cloudSeconds * 1000) / this.speed;
  }

  /** A random duration within a service's range, in real ms. */
  duration(range: readonly [number, number]): number {
    const [lo, hi] = range;
    if (this.durations !== 'random') return this.realMs(pickDuration(range, this.durations));
    return this.realMs(lo + (hi - lo) * this.random());
  }

  /** Run `fn` after `realMs` (applied on the next settle). */
  schedule(realMs: number, fn: () => void): void {
    this.queue.push({ at: this.now() + realMs, fn });
    this.queue.sort((x, y) => x.at - y.at);
  }

  /** Apply every transition that is due, then recompute derived state. */
  settle(): void {
    const now = this.now();
    while (this.queue.length > 0 && this.queue[0].at <= now) {
      const item = this.queue.shift()!;
      item.fn();
    }
    for (const stack of this.stacks.values()) {
      for (const site of SITES) {
        // the HPA controller runs where the cluster's control plane does: not in a region that is down
        if (stack.sites[site].up) reconcileHpas(this, stack.sites[site].cluster);
        reconcileCluster(this, stack.sites[site], stack);
      }
      syncTopology(this, stack);
    }
    this.checkSplitBrain();
    this.countWrites();
    for (const l of this.listeners) l();
  }

  /** Called after each settle (watch streams use it). */
  onChange(fn: () => void): () => void {
    this.listeners.push(fn);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== fn);
    };
  }

  /** Start a background tick so time-based transitions happen without requests. */
  start(intervalMs = 20): void {
    if (this.ticker) return;
    this.ticker = setInterval(() => this.settle(), intervalMs);
    this.ticker.unref();
  }

  stop(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  stack(name: string): StackWorld {
    const s = this.stacks.get(name);
    if (!s) throw new Error(`sandbox has no stack named ${name}`);
    return s;
  }

  /**
   * Whether a site of a stack accepts writes right now: it is up, at least one of its application
   * pods is ready and reaches the database (writes.ts: no enforced NetworkPolicy cuts its egress;
   * the drain annotation counts only when the application watches its Deployment), and either its
   * own database copy is writable or it reaches the writer in the other region.
   */
  acceptsWrites(stack: StackWorld, site: SiteName): boolean {
    const s = stack.sites[site];
    if (!s.up || stack.database.status === 'unavailable') return false;
    if (writerPods(stack, site).length === 0) return false;
    // with a binding, each pod writes where its endpoint points (writerPods keeps those it reaches)
    if (stack.binding) return true;
    if (stack.database.writable[site]) return true;
    const other: SiteName = site === 'primary' ? 'dr' : 'primary';
    return stack.database.writable[other] && stack.sites[other].up;
  }

  /** Count the writes each site's application makes while it accepts writes (one per settle). */
  private countWrites(): void {
    for (const stack of this.stacks.values()) {
      for (const site of SITES) if (this.acceptsWrites(stack, site)) stack.database.writesFrom[site]++;
    }
  }

  /** Split brain: two writable database copies, each taking writes from its own site. */
  splitBrainNow(stack: StackWorld): boolean {
    return (
      stack.database.writable.primary &&
      stack.database.writable.dr &&
      this.acceptsWrites(stack, 'primary') &&
      this.acceptsWrites(stack, 'dr')
    );
  }

  private checkSplitBrain(): void {
    for (const stack of this.stacks.values()) {
      if (this.splitBrainNow(stack)) {
        const last = this.monitor.splitBrain.at(-1);
        if (!last || last.stack !== stack.name || Date.parse(last.at) < this.now() - 1000) {
          this.monitor.splitBrain.push({ at: new Date().toISOString(), stack: stack.name });
        }
      }
    }
  }
}

export function readyPods(cluster: ClusterState, deployment: string): number {
  let n = 0;
  for (const p of cluster.pods.values()) if (p.deployment === deployment && p.ready) n++;
  return n;
}

/** Pods per ready node the scheduler will place. */
export const PODS_PER_NODE = 2;

/**
 * Bring a cluster's pods in line with its deployments and nodes: pods exist for every replica,
 * become ready only on Ready nodes after their start-up time, and vanish when scaled down.
 */
export function reconcileCluster(world: World, site: SiteWorld, stack?: StackWorld): void {
  const c = site.cluster;
  const now = world.now();
  const readyNodes = site.up ? c.nodes.filter((n) => n.ready) : [];
  let capacity = readyNodes.length * PODS_PER_NODE;
  // existing Running job pods take capacity too
  let changed = false;
  for (const d of c.deployments.values()) {
    const version = d.templateVersion ?? 0;
    const all = [...c.pods.values()].filter((p) => p.deployment === d.name);
    const old = all.filter((p) => (p.template ?? 0) !== version);
    let mine = all.filter((p) => (p.template ?? 0) === version);
    // a rolling update (maxSurge 25 %, rounded up): an old pod goes once a new one is ready
    const surge = old.length > 0 ? Math.max(1, Math.ceil(d.replicas * 0.25)) : 0;
    const newReady = mine.filter((p) => p.ready).length;
    const keepOld = Math.max(0, d.replicas - newReady);
    // old pods that are not ready go first
    const oldByReady = [...old].sort((a, b) => Number(a.ready) - Number(b.ready));
    for (let i = 0; i < oldByReady.length - keepOld; i++) {
      c.pods.delete(oldByReady[i].name);
      changed = true;
    }
    const oldLeft = Math.min(old.length, keepOld);
    // scale down: remove newest first
    for (let i = mine.length - 1; i >= d.replicas; i--) {
      c.pods.delete(mine[i].name);
      changed = true;
    }
    mine = mine.slice(0, d.replicas);
    for (let i = mine.length; i < d.replicas && i + oldLeft < d.replicas + surge; i++) {
      const name = `${d.name}-${Math.floor(world.random() * 0xfffff).toString(36)}-${i}`;
      const dbHost = stack ? bindingValue(stack, c) : undefined;
      c.pods.set(name, {
        name,
        deployment: d.name,
        phase: 'Pending',
        ready: false,
        labels: { ...d.labels },
        createdAt: now,
        template: version,
        ...(dbHost !== undefined ? { dbHost } : {}),
      });
      changed = true;
    }
    let ready = 0;
    for (const p of [...c.pods.values()].filter((x) => x.deployment === d.name)) {
      if (capacity > 0) {
        capacity--;
        if (!p.node) {
          p.node = readyNodes[capacity % readyNodes.length].name;
          (p as PodState & { readyAt?: number }).readyAt = now + world.duration(DURATIONS.podReady);
        }
        const readyAt = (p as PodState & { readyAt?: number }).readyAt ?? now;
        const isReady = now >= readyAt;
        if (isReady !== p.ready || p.phase !== (isReady ? 'Running' : 'Pending')) changed = true;
        p.phase = isReady ? 'Running' : 'Pending';
        p.ready = isReady;
        if (isReady) p.connectedSince ??= now;
        else p.connectedSince = undefined;
      } else {
        if (p.ready) changed = true;
        p.connectedSince = undefined;
        p.node = undefined;
        p.phase = 'Pending';
        p.ready = false;
      }
      if (p.ready) ready++;
    }
    const updated = [...c.pods.values()].filter(
      (p) => p.deployment === d.name && (p.template ?? 0) === version,
    ).length;
    if (d.readyReplicas !== ready || d.updatedReplicas !== updated || d.observedGeneration !== d.generation) {
      changed = true;
    }
    d.readyReplicas = ready;
    d.updatedReplicas = updated;
    d.observedGeneration = d.generation;
  }
  // node pool: nodes follow the pool's desired size, each Ready after its boot time
  const pool = site.pool;
  while (c.nodes.length < pool.desired) {
    const node: NodeState = {
      name: `${pool.cluster}-${pool.name}-${c.nodes.length}`,
      ready: false,
      createdAt: now,
    };
    c.nodes.push(node);
    const bootMs = world.duration(DURATIONS.nodeReady);
    world.schedule(bootMs, () => {
      node.ready = true;
    });
    changed = true;
  }
  while (c.nodes.length > pool.desired) {
    c.nodes.pop();
    changed = true;
  }
  if (changed) c.resourceVersion++;
}
