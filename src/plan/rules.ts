/**
 * The plan's rules that its JSON Schema cannot express (URLs, positive durations, per-cloud shapes,
 * names that must agree across sections), as problems with a path for load.ts to place.
 */
import { didYouMean } from '../engine/errors.js';
import { commsProblems } from './check-comms.js';
import { CLOUD_TYPES, DEFAULT_CLASSES, INCIDENT_CLASS_NAMES, REPLICA_DATABASE_TYPES } from './defaults.js';
import { parseDuration } from './duration.js';
import {
  code,
  DURATION_PATTERN,
  getAt,
  isObj,
  list,
  type Json,
  type Raw,
  type Segment,
} from './problem-text.js';
import type { CloudName, IncidentClassName, ResolvedIncidentClass } from './types.js';
// ---------------------------------------------------------------------------------------------
// Checks the schema cannot express.

const URL_FIELDS: Segment[][] = [
  ['application', 'url'],
  ['application', 'primaryUrl'],
  ['application', 'drUrl'],
  ['prometheus', 'url'],
];

/** Durations that must be positive (a zero deadline or window cannot be met or measured). */
const POSITIVE_DURATIONS: Segment[][] = [
  ['thresholds', 'backupMaxAge'],
  ['thresholds', 'errorRateWindow'],
  ['thresholds', 'failbackHealthyFor'],
  ['thresholds', 'deadlines', 'drain'],
  ['thresholds', 'deadlines', 'database'],
  ['thresholds', 'deadlines', 'traffic'],
  ['thresholds', 'deadlines', 'scale'],
  ['thresholds', 'deadlines', 'verify'],
  ['thresholds', 'deadlines', 'plannedFailover'],
  ['triggers', 'failureWindow'],
  ['triggers', 'interval'],
];
const OTHER_DURATIONS: Segment[][] = [['triggers', 'holdFor']];

function checkUrl(raw: Raw[], segs: Segment[], value: unknown): void {
  if (typeof value !== 'string' || !/^https?:\/\//.test(value)) return; // the schema reports these
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    raw.push({
      segs,
      where: 'value',
      message: `${code(value)} is not a well-formed URL; expected scheme://host[:port][/path].`,
    });
    return;
  }
  if (!url.hostname) {
    raw.push({
      segs,
      where: 'value',
      message: `${code(value)} has no host name; expected scheme://host[:port][/path].`,
    });
  } else if (url.username || url.password) {
    raw.push({
      segs,
      where: 'value',
      message: `${code(value)} embeds credentials; remove them from the URL and pass secrets through the environment.`,
    });
  }
}

export function checkDuration(
  raw: Raw[],
  segs: Segment[],
  value: unknown,
  positive: boolean,
): number | undefined {
  if (typeof value !== 'string' || !new RegExp(DURATION_PATTERN).test(value)) return undefined; // schema
  try {
    const ms = parseDuration(value);
    if (positive && ms === 0) {
      raw.push({
        segs,
        where: 'value',
        message: `Found a zero duration ${code(value)}, expected a duration longer than 0s.`,
      });
    }
    return ms;
  } catch (err) {
    raw.push({ segs, where: 'value', message: (err as Error).message });
    return undefined;
  }
}

const int = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isInteger(v) ? v : undefined;

/** The `kubernetes.cluster` key of each cloud. */
const CLUSTER_KIND: Record<CloudName, string> = { aws: 'eks', azure: 'aks', gcp: 'gke' };

export function semanticProblems(doc: Json, written: Json): Raw[] {
  const raw: Raw[] = [];
  for (const segs of URL_FIELDS) checkUrl(raw, segs, getAt(doc, segs));
  for (const segs of POSITIVE_DURATIONS) checkDuration(raw, segs, getAt(doc, segs), true);
  for (const segs of OTHER_DURATIONS) checkDuration(raw, segs, getAt(doc, segs), false);

  const replicas = isObj(getAt(doc, ['thresholds', 'replicas']))
    ? (getAt(doc, ['thresholds', 'replicas']) as Json)
    : {};
  const standbyDefault = int(replicas.standby);
  const productionDefault = int(replicas.production);
  if (standbyDefault !== undefined && productionDefault !== undefined && standbyDefault > productionDefault) {
    raw.push({
      segs: ['thresholds', 'replicas', 'standby'],
      where: 'value',
      message: `Standby replicas (${standbyDefault}) exceed production replicas (${productionDefault}); expected standby <= production.`,
    });
  }

  // Incident classes: durations, duplicate phases; resolved for the cross-stack checks below.
  const classes = resolveClasses(doc, raw);

  // Stacks.
  const stacks = isObj(doc.stacks) ? doc.stacks : {};
  for (const [name, stackValue] of Object.entries(stacks)) {
    if (!isObj(stackValue)) continue;
    const at = (...rest: Segment[]): Segment[] => ['stacks', name, ...rest];
    const cloud = stackValue.cloud as CloudName;
    const wanted = CLOUD_TYPES[cloud];
    for (const section of ['database', 'traffic', 'nodePool'] as const) {
      const found = isObj(stackValue[section]) ? (stackValue[section] as Json).type : undefined;
      if (!wanted || typeof found !== 'string' || found === wanted[section]) continue;
      const owner = (Object.keys(CLOUD_TYPES) as CloudName[]).find((c) => CLOUD_TYPES[c][section] === found);
      if (!owner) continue; // an unknown type: the schema reports it
      raw.push({
        segs: at(section, 'type'),
        where: 'value',
        message: `Found ${section} type \`${found}\` (a ${owner} type) on a stack whose cloud is ${cloud}; expected \`${wanted[section]}\`, or set \`cloud: ${owner}\`.`,
      });
    }

    const primary = isObj(stackValue.primary) ? stackValue.primary : {};
    const dr = isObj(stackValue.dr) ? stackValue.dr : {};
    if (typeof primary.region === 'string' && primary.region === dr.region) {
      raw.push({
        segs: at('dr', 'region'),
        where: 'value',
        message: `The DR site is in the primary's region ${code(dr.region)}; expected a different region for the DR site.`,
      });
    }

    // Traffic: ARC routing controls need their cluster; a TTL history is a pair.
    const traffic = isObj(stackValue.traffic) ? stackValue.traffic : {};
    if (
      traffic.type === 'route53' &&
      (traffic.routing === 'arc-routing-control') !== (traffic.arc !== undefined)
    ) {
      raw.push({
        segs: at('traffic', traffic.arc === undefined ? 'routing' : 'arc'),
        where: traffic.arc === undefined ? 'value' : 'key',
        message:
          traffic.arc === undefined
            ? 'Found routing `arc-routing-control` without `arc`; expected `arc: { clusterEndpoints, routingControlArns }` naming the ARC cluster and the two routing controls.'
            : `Found \`arc\` while routing is \`${String(traffic.routing ?? 'simple')}\`; expected routing \`arc-routing-control\` to use the routing controls, or remove arc.`,
      });
    }
    if ((traffic.ttlLoweredAt === undefined) !== (traffic.previousTtlSeconds === undefined)) {
      const given = traffic.ttlLoweredAt === undefined ? 'previousTtlSeconds' : 'ttlLoweredAt';
      raw.push({
        segs: at('traffic', given),
        where: 'key',
        message: `Found ${given} alone; expected both ttlLoweredAt (when the TTL was lowered) and previousTtlSeconds (what it was before), or neither.`,
      });
    }

    // Cluster access: named by the stack's own cloud, and either by cloud or by kubeconfig.
    for (const site of ['primary', 'dr'] as const) {
      const k8s = isObj((site === 'primary' ? primary : dr).kubernetes)
        ? ((site === 'primary' ? primary : dr).kubernetes as Json)
        : {};
      if (!isObj(k8s.cluster)) continue;
      const kind = Object.keys(k8s.cluster)[0];
      const want = CLUSTER_KIND[cloud];
      if (want && kind && kind !== want && Object.values(CLUSTER_KIND).includes(kind)) {
        raw.push({
          segs: at(site, 'kubernetes', 'cluster', kind),
          where: 'key',
          message: `Found a ${kind} cluster on a stack whose cloud is ${cloud}; expected \`cluster: { ${want}: ... }\`, since the token comes from the stack's ${cloud} login.`,
        });
      }
      for (const key of ['kubeconfig', 'context'] as const) {
        if (k8s[key] === undefined) continue;
        raw.push({
          segs: at(site, 'kubernetes', key),
          where: 'key',
          message: `Found both kubernetes.cluster and kubernetes.${key}; expected one way to reach the cluster: remove ${key} to use the cloud identity, or cluster to use the kubeconfig.`,
        });
      }
    }

    // Deployments: counts per deployment and the same set on both sites.
    const names: Record<string, string[]> = {};
    for (const site of ['primary', 'dr'] as const) {
      const siteValue = site === 'primary' ? primary : dr;
      const deployments = Array.isArray(siteValue.deployments) ? siteValue.deployments : [];
      names[site] = [];
      deployments.forEach((d: unknown, i: number) => {
        if (!isObj(d) || typeof d.name !== 'string') return;
        if (names[site].includes(d.name)) {
          raw.push({
            segs: at(site, 'deployments', i, 'name'),
            where: 'value',
            message: `The deployment ${code(d.name)} is listed twice on the ${site} site; expected each deployment once.`,
          });
        }
        names[site].push(d.name);
        const active = int(d.active) ?? productionDefault;
        const standby = int(d.standby) ?? standbyDefault;
        const explicit = int(d.active) !== undefined || int(d.standby) !== undefined;
        if (explicit && active !== undefined && standby !== undefined && active >= 0 && standby > active) {
          raw.push({
            segs: at(site, 'deployments', i, int(d.standby) !== undefined ? 'standby' : 'active'),
            where: 'value',
            message: `The deployment ${code(d.name)} has more standby replicas (${standby}) than active replicas (${active}); expected standby <= active.`,
          });
        }
      });
    }
    if (names.primary.length > 0 && names.dr.length > 0) {
      for (const [site, other] of [
        ['primary', 'dr'],
        ['dr', 'primary'],
      ] as const) {
        for (const n of names[site].filter((x) => !names[other].includes(x))) {
          raw.push({
            segs: at(site, 'deployments', names[site].indexOf(n), 'name'),
            where: 'value',
            message: `The deployment ${code(n)} is on the ${site} site but not on the ${other} site; expected both sites to list the same deployments.`,
          });
        }
      }
    }

    // Kubeconfig must be a path (resolved later, never read here).
    for (const site of ['primary', 'dr'] as const) {
      const siteValue = site === 'primary' ? primary : dr;
      const k8s = isObj(siteValue.kubernetes) ? siteValue.kubernetes : {};
      if (typeof k8s.kubeconfig === 'string' && k8s.kubeconfig.trim() === '') {
        raw.push({
          segs: at(site, 'kubernetes', 'kubeconfig'),
          where: 'value',
          message:
            'The kubeconfig path is empty; expected a path relative to the plan file, or omit it to use $KUBECONFIG.',
        });
      }
      const app = isObj(siteValue.app) ? siteValue.app : {};
      checkUrl(raw, at(site, 'app', 'url'), app.url);
    }
    checkUrl(raw, at('publicUrl'), stackValue.publicUrl);

    // Node pool sizes.
    const pool = isObj(stackValue.nodePool) ? stackValue.nodePool : {};
    const count = (v: unknown): number | undefined =>
      int(v) !== undefined && (v as number) >= 0 ? (v as number) : undefined;
    const [min, max, active, standby] = [
      count(pool.min),
      count(pool.max),
      count(pool.active),
      count(pool.standby),
    ];
    if (min !== undefined && max !== undefined) {
      if (min > max) {
        raw.push({
          segs: at('nodePool', 'min'),
          where: 'value',
          message: `The node pool min (${min}) is above its max (${max}); expected min <= max.`,
        });
      } else {
        for (const [field, n] of [
          ['active', active],
          ['standby', standby],
        ] as const) {
          if (n !== undefined && (n < min || n > max)) {
            raw.push({
              segs: at('nodePool', field),
              where: 'value',
              message: `The node pool ${field} size (${n}) is outside min..max (${min}..${max}); expected min <= ${field} <= max.`,
            });
          }
        }
      }
    }
    if (active !== undefined && standby !== undefined && standby > active) {
      raw.push({
        segs: at('nodePool', 'standby'),
        where: 'value',
        message: `The node pool standby size (${standby}) is above its active size (${active}); expected standby <= active.`,
      });
    }

    // Cross-region database failover promotes a named read replica.
    const db = isObj(stackValue.database) ? stackValue.database : {};
    if ((REPLICA_DATABASE_TYPES as readonly unknown[]).includes(db.type) && !db.replica) {
      const needing = Object.values(classes).filter(
        (c) => c.databaseMode === 'cross-region' && c.phases.includes('database'),
      );
      if (needing.length > 0) {
        raw.push({
          segs: at('database'),
          where: 'key',
          message: `The ${String(db.type)} database has no \`replica\`, but incident class ${needing.map((c) => c.name).join(', ')} fails over cross-region; name the DR-region read replica in \`replica\`, or set that class's databaseMode to in-region.`,
        });
      }
    }

    // Endpoint overrides.
    const endpoints = isObj(stackValue.endpoints) ? stackValue.endpoints : {};
    for (const [key, value] of Object.entries(endpoints)) {
      if (key === 'dns') {
        const port = typeof value === 'string' ? Number(value.slice(value.lastIndexOf(':') + 1)) : NaN;
        if (typeof value === 'string' && /^[^:]+:[0-9]+$/.test(value) && (port < 1 || port > 65535)) {
          raw.push({
            segs: at('endpoints', 'dns'),
            where: 'value',
            message: `The DNS server port ${port} is out of range; expected a port from 1 to 65535.`,
          });
        }
      } else {
        checkUrl(raw, at('endpoints', key), value);
      }
    }
  }

  // Prometheus answers the trigger queries and the verify phase's error-rate check.
  if (!isObj(doc.prometheus)) {
    const usesTriggersPhase = Object.values(classes).some((c) => c.phases.includes('triggers'));
    const thresholds = isObj(written.thresholds) ? written.thresholds : {};
    let reason: { segs: Segment[]; what: string } | undefined;
    if ('triggers' in written) reason = { segs: ['triggers'], what: 'The `triggers` section' };
    else if (usesTriggersPhase)
      reason = { segs: ['incidentClasses'], what: 'An incident class that runs the `triggers` phase' };
    else if ('errorRate' in thresholds)
      reason = { segs: ['thresholds', 'errorRate'], what: 'The verify error-rate threshold' };
    else if ('errorRateWindow' in thresholds)
      reason = { segs: ['thresholds', 'errorRateWindow'], what: 'The verify error-rate window' };
    if (reason) {
      raw.push({
        segs: reason.segs,
        where: 'key',
        message: `${reason.what} needs Prometheus, but the plan has no \`prometheus\` section; add \`prometheus: { url: ... }\` with the server's URL.`,
      });
    }
  }

  // Notifications and escalation.
  raw.push(...commsProblems(doc, { code, list, didYouMean, checkUrl, checkDuration }));
  return raw;
}

export function resolveClasses(doc: Json, raw: Raw[]): Record<IncidentClassName, ResolvedIncidentClass> {
  const written = isObj(doc.incidentClasses) ? doc.incidentClasses : {};
  const out = {} as Record<IncidentClassName, ResolvedIncidentClass>;
  for (const name of INCIDENT_CLASS_NAMES) {
    const base = DEFAULT_CLASSES[name];
    const over = isObj(written[name]) ? (written[name] as Json) : {};
    const phases = Array.isArray(over.phases)
      ? (over.phases as ResolvedIncidentClass['phases'])
      : [...base.phases];
    phases.forEach((p, i) => {
      if (phases.indexOf(p) !== i) {
        raw.push({
          segs: ['incidentClasses', name, 'phases', i],
          where: 'value',
          message: `The phase \`${p}\` is listed twice; expected each phase once.`,
        });
      }
    });
    const rtoMs =
      checkDuration(raw, ['incidentClasses', name, 'rto'], over.rto, true) ?? parseDuration(base.rto);
    const rpoMs =
      checkDuration(raw, ['incidentClasses', name, 'rpo'], over.rpo, false) ?? parseDuration(base.rpo);
    out[name] = {
      name,
      description: typeof over.description === 'string' ? over.description : base.description,
      phases,
      rtoMs,
      rpoMs,
      databaseMode: (over.databaseMode as ResolvedIncidentClass['databaseMode']) ?? base.databaseMode,
    };
  }
  return out;
}
