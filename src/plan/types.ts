/**
 * The resolved plan: what the loader hands to phases once a plan file is valid. Defaults are
 * applied, durations are milliseconds, and every incident class of the runbook is present.
 */
import type { CloudName, DatabaseMode, IncidentClassName, PhaseName, PlanInput, Stack } from './schema.js';

export type { CloudName, DatabaseMode, IncidentClassName, PhaseName, PlanInput, Stack };
export type { SiteName, Site, Database, DatabaseBinding, Traffic, NodePool, Endpoints } from './schema.js';

export interface ResolvedIncidentClass {
  name: IncidentClassName;
  description: string;
  phases: PhaseName[];
  rtoMs: number;
  rpoMs: number;
  databaseMode: DatabaseMode;
}

/** Every runbook number, resolved to milliseconds where it is a duration. */
export interface Limits {
  replicationLagSeconds: number;
  backupMaxAgeMs: number;
  dnsTtlSeconds: number;
  errorRate: number;
  errorRateWindowMs: number;
  failbackHealthyForMs: number;
  replicas: { standby: number; production: number };
  deadlinesMs: {
    drain: number;
    database: number;
    traffic: number;
    scale: number;
    verify: number;
    /** Azure SQL: how long a planned failover is waited for before deciding (a third of database by default). */
    plannedFailover: number;
  };
  triggers: {
    healthScoreBelow: number;
    healthCheckFailuresAbove: number;
    failureWindowMs: number;
    replicationLagAbove: number;
    consecutive: number;
    holdForMs: number;
    intervalMs: number;
  };
}

export interface Plan {
  /** Absolute path of the plan file (or `<inline>`). */
  file: string;
  /** The document with schema defaults applied. */
  doc: PlanInput;
  limits: Limits;
  classes: Record<IncidentClassName, ResolvedIncidentClass>;
  /** Stack names in file order. */
  stackNames: string[];
  stack(name: string): Stack;
}

/** One problem found in a plan file. */
export interface PlanProblem {
  file: string;
  line: number;
  column: number;
  /** JSON-pointer-like dotted path, e.g. `stacks.aws.database.instance`. */
  path: string;
  message: string;
}
