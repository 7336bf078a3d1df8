/**
 * The runbook's numbers that are not plain schema defaults: its four incident classes
 * ("Incident Classification" table) and which stack types belong to which cloud.
 */
import type { CloudName, DatabaseMode, IncidentClassName, PhaseName } from './schema.js';

/** A runbook incident class as written in the runbook (durations as plan strings). */
export interface IncidentClassDefault {
  description: string;
  phases: PhaseName[];
  rto: string;
  rpo: string;
  databaseMode: DatabaseMode;
}

/** The runbook's incident classes: failover type, RTO and RPO targets. */
export const DEFAULT_CLASSES: Readonly<Record<IncidentClassName, Readonly<IncidentClassDefault>>> = {
  'region-outage': {
    description: 'Region outage: full failover to the DR region.',
    phases: ['readiness', 'declare', 'drain', 'database', 'scale', 'traffic', 'verify'],
    rto: '30m',
    rpo: '5m',
    databaseMode: 'cross-region',
  },
  'database-corruption': {
    description: 'Database corruption: database-only failover.',
    phases: ['database', 'verify'],
    rto: '15m',
    rpo: '1m',
    databaseMode: 'in-region',
  },
  'network-partition': {
    description: 'Network partition: routing failover.',
    phases: ['traffic', 'verify'],
    rto: '10m',
    rpo: '0s',
    databaseMode: 'in-region',
  },
  'compute-failure': {
    description: 'Compute failure: cluster failover.',
    phases: ['scale', 'traffic', 'verify'],
    rto: '20m',
    rpo: '2m',
    databaseMode: 'in-region',
  },
};

/** The incident class names in runbook order. */
export const INCIDENT_CLASS_NAMES = Object.keys(DEFAULT_CLASSES) as IncidentClassName[];

/** The database, traffic and node-pool `type` each cloud uses. */
export const CLOUD_TYPES: Readonly<
  Record<CloudName, { database: string; traffic: string; nodePool: string }>
> = {
  aws: { database: 'rds', traffic: 'route53', nodePool: 'eks' },
  azure: { database: 'azure-sql', traffic: 'traffic-manager', nodePool: 'aks' },
  gcp: { database: 'cloud-sql', traffic: 'cloud-dns', nodePool: 'gke' },
};

/** Database types whose cross-region failover promotes a named read replica. */
export const REPLICA_DATABASE_TYPES = ['rds', 'cloud-sql'] as const;
