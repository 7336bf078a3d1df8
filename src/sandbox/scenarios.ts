/**
 * Scenarios: the runbook's four incident classes and the readiness failures, applied to a
 * running world. Each returns one sentence saying what it did.
 */
import { clip } from '../engine/clip.js';
import { didYouMean, UserError } from '../engine/errors.js';
import { CONFIGMAP } from './estate.js';
import { sampleLagNow, stallReplication } from './replication-lag.js';
import { denyAccess } from './kubernetes/rbac.js';
import { quotaOf } from './quotas.js';
import type { StackWorld, World } from './world.js';

/** How long a recovering region's nodes take to come back, in cloud seconds. */
export const REGION_RECOVERY_CLOUD_SECONDS = 60 * 60;

/** How long a scenario's routine backup or maintenance runs, in cloud seconds. */
export const ROUTINE_CLOUD_SECONDS = 600;

/** Put a routine operation (not a failover) on each stack's primary database, deterministically. */
function routine(w: World, stacks: StackWorld[], kind: 'backup' | 'maintenance'): void {
  for (const s of stacks) {
    const since = w.now();
    const until = since + w.realMs(ROUTINE_CLOUD_SECONDS);
    const r = { kind, since, until, id: `${kind}-${since}` };
    s.database.routine = r;
    w.schedule(until - since, () => {
      if (s.database.routine === r) s.database.routine = undefined;
    });
  }
}

export interface ScenarioDef {
  description: string;
  /** Incident class a drill runs for this scenario (readiness failures have none). */
  incidentClass?: 'region-outage' | 'database-corruption' | 'network-partition' | 'compute-failure';
  /** An incident the runbook answers with an escalation, never an automatic failover. */
  escalate?: boolean;
  apply(world: World, stacks: StackWorld[]): void;
}

export const SCENARIOS: Record<string, ScenarioDef> = {
  healthy: { description: 'Nothing wrong: the estate as the runbook expects it.', apply: () => undefined },
  'region-outage': {
    description: 'The primary region is down: its cluster, app and regional cloud APIs stop answering.',
    incidentClass: 'region-outage',
    apply: (_w, stacks) => {
      for (const s of stacks) s.sites.primary.up = false;
    },
  },
  'database-corruption': {
    description:
      'The primary database is corrupted by a storage fault (an in-region HA failover leaves it behind; logical-corruption is bad writes): writes fail integrity, replication lag climbs past the trigger.',
    incidentClass: 'database-corruption',
    apply: (_w, stacks) => {
      for (const s of stacks) {
        s.database.corrupted = true;
        s.database.lagSeconds = 150;
      }
    },
  },
  'logical-corruption': {
    description:
      'Logical corruption (bad writes) on the primary database: it replicated to the HA standby and the replicas, so a failover keeps it; a point-in-time restore to before it gives a clean database.',
    incidentClass: 'database-corruption',
    apply: (_w, stacks) => {
      for (const s of stacks) {
        s.database.corrupted = true;
        s.database.corruptionReplicated = true;
        s.database.logicalCorruptionAt = Date.now();
      }
    },
  },
  'backup-running': {
    description:
      'An automated backup is running on the primary database for 10 minutes (cloud time): RDS shows backing-up, Cloud SQL a BACKUP_VOLUME operation; neither is a failover.',
    apply: (w, stacks) => routine(w, stacks, 'backup'),
  },
  'maintenance-running': {
    description:
      'A maintenance update is running on the primary database for 10 minutes (cloud time): RDS shows maintenance, Cloud SQL a MAINTENANCE operation; neither is a failover.',
    apply: (w, stacks) => routine(w, stacks, 'maintenance'),
  },
  'network-partition': {
    description: 'Users cannot reach the primary site; the site and its database are otherwise up.',
    incidentClass: 'network-partition',
    apply: (_w, stacks) => {
      for (const s of stacks) s.sites.primary.healthy = false;
    },
  },
  'compute-failure': {
    description: 'The primary cluster lost its nodes: pods cannot run there.',
    incidentClass: 'compute-failure',
    apply: (_w, stacks) => {
      for (const s of stacks) for (const n of s.sites.primary.cluster.nodes) n.ready = false;
    },
  },
  'two-region-failure': {
    description: 'Both regions are unhealthy at once (escalate; never an automatic failover).',
    escalate: true,
    apply: (_w, stacks) => {
      for (const s of stacks) {
        s.sites.primary.healthy = false;
        s.sites.dr.healthy = false;
      }
    },
  },
  'failover-past-rto': {
    description:
      'The primary region is down (as region-outage); the drill also sets the class RTO below what the failover takes, so the RTO budget runs out (escalate to VP Engineering).',
    incidentClass: 'region-outage',
    apply: (_w, stacks) => {
      for (const s of stacks) s.sites.primary.up = false;
    },
  },
  'corrupted-replica': {
    description:
      'The primary region is down and logical corruption had already replicated: the promoted DR database fails the data integrity check (escalate: stop the failover, engage DBA + Security).',
    incidentClass: 'region-outage',
    apply: (_w, stacks) => {
      for (const s of stacks) {
        s.sites.primary.up = false;
        s.database.corrupted = true;
        s.database.corruptionReplicated = true;
      }
    },
  },
  'dr-node-not-ready': {
    description: 'Readiness failure: one DR node is NotReady.',
    apply: (_w, stacks) => {
      for (const s of stacks) if (s.sites.dr.cluster.nodes[0]) s.sites.dr.cluster.nodes[0].ready = false;
    },
  },
  'replication-stalled': {
    description:
      'The DR replica stopped applying changes: its replication lag (CloudWatch ReplicaLag, Cloud Monitoring replica_lag and the app metric) grows by a second every second while the primary takes writes.',
    apply: (w, stacks) => {
      for (const s of stacks) stallReplication(w, s);
    },
  },
  'lag-above-threshold': {
    description: 'Readiness failure: replication lag is 45 s (limit 30 s).',
    apply: (_w, stacks) => {
      for (const s of stacks) s.database.lagSeconds = 45;
    },
  },
  'replication-lag-high': {
    description:
      'Replication lag is 150 s (trigger 120 s) while the primary is healthy: the RPO is at risk; a page, not a failover.',
    apply: (_w, stacks) => {
      for (const s of stacks) s.database.lagSeconds = 150;
    },
  },
  'replication-broken': {
    description: 'Readiness failure: the cloud reports replication unhealthy.',
    apply: (_w, stacks) => {
      for (const s of stacks) s.database.replicationHealthy = false;
    },
  },
  'stale-backup': {
    description:
      'Readiness failure: the newest backup is 9 hours old (limit 6 h). RDS snapshots and Cloud SQL backup runs; an Azure SQL Database keeps a continuous restore window with no newest-backup time, so its check is unchanged.',
    apply: (w, stacks) => {
      for (const s of stacks) s.database.lastBackupAt = w.now() - 9 * 3600 * 1000;
    },
  },
  'ttl-too-high': {
    description: 'Readiness failure: the public record TTL is 300 s (must be <= 60 s).',
    apply: (_w, stacks) => {
      for (const s of stacks) s.traffic.record.ttl = 300;
    },
  },
  'config-drift': {
    description:
      'Readiness failure: the DR configmap differs from the primary in db.pool.size and opa.bundle.',
    apply: (_w, stacks) => {
      for (const s of stacks) {
        const cm = s.sites.dr.cluster.configMaps.get(CONFIGMAP);
        if (cm) {
          cm['db.pool.size'] = '10';
          cm['opa.bundle'] = 'policies-2026.10.4';
        }
      }
    },
  },
  'dr-unhealthy': {
    description:
      'A drill finds the DR site unhealthy: its health endpoint answers 503 and one DR node is NotReady (the primary is fine). Readiness fails on DR, the "DR environment unhealthy" rule contacts the Platform team, and no failover runs.',
    apply: (_w, stacks) => {
      for (const s of stacks) {
        s.sites.dr.healthy = false;
        if (s.sites.dr.cluster.nodes[0]) s.sites.dr.cluster.nodes[0].ready = false;
      }
    },
  },
  'dr-cluster-access-denied': {
    description:
      "Readiness failure: the DR cluster's role binding for the job's identity lacks patch on deployments/scale and create on jobs (the DR scale and the integrity Job would be refused with 403).",
    apply: (_w, stacks) => {
      for (const s of stacks)
        denyAccess(s.sites.dr.cluster, [
          { verb: 'patch', group: 'apps', resource: 'deployments', subresource: 'scale' },
          { verb: 'create', group: 'batch', resource: 'jobs' },
        ]);
    },
  },
  'dr-quota-low': {
    description:
      "Readiness failure: the DR region's vCPU quota for the node pool's machine family is 20, all of it in use (the standby pool and other instances): the pool cannot grow to its production size.",
    apply: (_w, stacks) => {
      for (const s of stacks) quotaOf(s.sites.dr).familyVcpus = 20;
    },
  },
  'dr-health-down': {
    description: 'Readiness failure: the DR health endpoint answers 503.',
    apply: (_w, stacks) => {
      for (const s of stacks) s.sites.dr.healthy = false;
    },
  },
  'primary-recovered': {
    description:
      'The primary region is back: its control plane answers at once, its nodes come Ready an hour (cloud time) later (fence it again before they do).',
    apply: (w, stacks) => {
      for (const s of stacks) {
        s.sites.primary.up = true;
        s.sites.primary.healthy = true;
        s.database.corrupted = false;
        s.database.corruptionReplicated = false;
        for (const n of s.sites.primary.cluster.nodes) {
          n.ready = false;
          w.schedule(w.regionRecoveryRealMs ?? w.realMs(REGION_RECOVERY_CLOUD_SECONDS), () => {
            n.ready = true;
          });
        }
      }
    },
  },
};

/** Whether the runbook answers this scenario with an escalation instead of a failover. */
export function escalates(name: string): boolean {
  return SCENARIOS[name]?.escalate === true;
}

export function scenarioNames(): string[] {
  return Object.keys(SCENARIOS);
}

/** Refuse a scenario name that does not exist, with a did-you-mean, before anything starts. */
export function checkScenario(name: string, option = '--scenario'): void {
  if (SCENARIOS[name]) return;
  const guess = didYouMean(name, scenarioNames());
  throw new UserError(
    `${option} is "${clip(name)}", which is not a sandbox scenario: ${guess ? `did you mean "${guess}"? ` : ''}expected one of ${scenarioNames().join(', ')}.`,
  );
}

export function applyScenario(world: World, name: string, stackNames?: string[]): string {
  checkScenario(name, 'the scenario');
  const def = SCENARIOS[name];
  const stacks = [...world.stacks.values()].filter((s) => !stackNames || stackNames.includes(s.name));
  def.apply(world, stacks);
  world.settle();
  sampleLagNow(world);
  return def.description;
}
