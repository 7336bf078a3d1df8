/**
 * The topology of an RDS or Cloud SQL database, as the adapters discover it from the cloud every
 * time: the plan names the logical database and its starting instances; the instances that
 * replicate from them, the replicas reprotect created (named by the plan's pattern), and the
 * instances a promotion left standalone are found from the cloud's own fields (RDS
 * `ReadReplicaSourceDBInstanceIdentifier` / `ReadReplicaDBInstanceIdentifiers`, Cloud SQL
 * `masterInstanceName` / `replicaNames`). Provider-agnostic: the adapters feed it instances.
 */
import type { SiteName } from '../plan/types.js';

/** One instance of the logical database, as the cloud reports it. */
export interface DatabaseInstanceView {
  id: string;
  site: SiteName | 'unknown';
  /** Provider status (available, creating, modifying, RUNNABLE, PENDING_CREATE, unreachable). */
  status: string;
  /** The instance it replicates from; undefined for a standalone instance. */
  source?: string;
  /** A replica that has finished building and replicates, by the cloud's own status. */
  healthy?: boolean;
  /** A replica still being built (RDS creating, Cloud SQL PENDING_CREATE). */
  building?: boolean;
  /** Seconds behind its source, when the cloud's instance API gives it (RDS and Cloud SQL do not: undefined). */
  lagSeconds?: number;
  /** RDS Multi-AZ / Cloud SQL HA (REGIONAL). */
  highAvailability?: boolean;
  backupsEnabled?: boolean;
  encrypted?: boolean;
  zone?: string;
  /** The address the application connects to (RDS endpoint address, Cloud SQL private IP). */
  endpoint?: string;
  /** The cloud's handle for it in another region's call (RDS: the instance ARN). */
  arn?: string;
  /** Whether its region answered. */
  reachable: boolean;
}

export interface DatabaseTopology {
  /** The instance that takes the application's writes. */
  writer?: DatabaseInstanceView;
  /** Replicas of the writer (built or building). */
  replicas: DatabaseInstanceView[];
  /**
   * Standalone instances that are not the writer: an old writer left behind by a promotion. It
   * still accepts writes that replicate nowhere; it is never deleted by this tool.
   */
  orphans: DatabaseInstanceView[];
  /** How the writer was told apart from other standalone instances, in words. */
  basis: string;
}

/**
 * Which standalone instance is the writer:
 * 1. the only standalone instance;
 * 2. else the only one with replicas (reprotect gave it one);
 * 3. else the one the cloud's history shows promoted last (`promotedAt`);
 * 4. else the plan's starting instance.
 */
export function buildTopology(
  instances: DatabaseInstanceView[],
  planInstance: string,
  promotedAt: (id: string) => Date | undefined,
): DatabaseTopology {
  const standalone = instances.filter((i) => !i.source);
  const replicasOf = (id: string) => instances.filter((i) => i.source === id);
  let writer: DatabaseInstanceView | undefined;
  let basis: string;
  if (standalone.length <= 1) {
    writer = standalone[0];
    basis = writer ? 'the only standalone instance' : 'no standalone instance found';
  } else {
    const withReplicas = standalone.filter((i) => replicasOf(i.id).length > 0);
    if (withReplicas.length === 1) {
      writer = withReplicas[0];
      basis = 'the standalone instance with replicas';
    } else {
      const dated = (withReplicas.length ? withReplicas : standalone)
        .map((i) => ({ i, at: promotedAt(i.id) }))
        .filter((x): x is { i: DatabaseInstanceView; at: Date } => x.at !== undefined)
        .sort((a, b) => b.at.getTime() - a.at.getTime());
      if (dated[0]) {
        writer = dated[0].i;
        basis = `promoted last (${dated[0].at.toISOString()})`;
      } else {
        writer = standalone.find((i) => i.id === planInstance) ?? standalone[0];
        basis = 'the plan’s starting instance';
      }
    }
  }
  return {
    writer,
    replicas: writer ? replicasOf(writer.id) : [],
    orphans: standalone.filter((i) => i !== writer),
    basis,
  };
}

/** The healthy replica of the writer in `site`, else any built one there, else undefined. */
export function replicaIn(
  topology: DatabaseTopology | undefined,
  site: SiteName,
): DatabaseInstanceView | undefined {
  const there = (topology?.replicas ?? []).filter((r) => r.site === site);
  return there.find((r) => r.healthy) ?? there.find((r) => !r.building);
}

/**
 * The name of the `n`th replica reprotect creates: the plan's pattern with `{instance}` (the
 * plan's starting instance) and `{n}`, the smallest n not taken by an instance already known.
 */
export function replicaName(pattern: string, instance: string, taken: Iterable<string>): string {
  const names = new Set(taken);
  for (let n = 1; ; n++) {
    const name = pattern.replaceAll('{instance}', instance).replaceAll('{n}', String(n));
    if (!names.has(name)) return name;
  }
}

/** Does `id` follow the pattern (any n)? */
export function followsPattern(pattern: string, instance: string, id: string): boolean {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(
    `^${esc(pattern).replaceAll(esc('{instance}'), esc(instance)).replaceAll(esc('{n}'), '[0-9]+')}$`,
  );
  return re.test(id);
}

/** The default pattern of `database.replicaNamePattern`. */
export const DEFAULT_REPLICA_PATTERN = '{instance}-reprotect-{n}';

/** The default pattern of `database.restoreNamePattern` (the instances a point-in-time restore creates). */
export const DEFAULT_RESTORE_PATTERN = '{instance}-pitr-{n}';
