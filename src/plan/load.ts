/**
 * Load a DR plan file: parse the YAML, validate it against the schema and the rules the schema
 * cannot express, and resolve it (defaults, durations in ms, the runbook's incident classes).
 *
 * Every problem is reported at once, each with the file, line and column of the key or value at
 * fault, its dotted path and one sentence saying what was found and what was expected. Nothing is
 * read or contacted besides the plan file itself: kubeconfig paths are resolved, not opened.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { ErrorObject } from 'ajv';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { didYouMean, UserError } from '../engine/errors.js';
import { INLINE, PlanError, unreadablePlan } from './errors.js';
import { CLOUD_TYPES, DEFAULT_CLASSES, INCIDENT_CLASS_NAMES, REPLICA_DATABASE_TYPES } from './defaults.js';
import { parseDuration } from './duration.js';
import validatePlanSchema from './generated/plan-validator.js';
import { clip } from '../engine/clip.js';
import type {
  CloudName,
  IncidentClassName,
  Limits,
  Plan,
  PlanInput,
  PlanProblem,
  ResolvedIncidentClass,
  Stack,
} from './types.js';

import { commsProblems } from './check-comms.js';

export { INLINE, PlanError, formatProblem, unreadablePlan } from './errors.js';

// ---------------------------------------------------------------------------------------------
// Problems before they have a position: a path and where on that path to point.

type Segment = string | number;
/** `key`: the key of the last segment; `value`: its value; `parent`: the key holding the path's parent. */
type Where = 'key' | 'value' | 'parent';
interface Raw {
  segs: Segment[];
  where: Where;
  message: string;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `stacks.aws.primary.deployments[0].name` */
export function formatPath(segs: readonly Segment[]): string {
  let out = '';
  for (const s of segs) out += typeof s === 'number' ? `[${s}]` : out ? `.${s}` : s;
  return out;
}

function code(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return `\`${s === undefined ? s : clip(s)}\``;
}

function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'no value';
  if (Array.isArray(v)) return 'a list';
  if (isObj(v)) return 'a mapping';
  if (typeof v === 'string') return `the string ${code(v)}`;
  if (typeof v === 'boolean') return `the boolean ${v}`;
  if (typeof v === 'number') return Number.isInteger(v) ? `the integer ${v}` : `the number ${v}`;
  return code(v);
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping of keys to values',
  array: 'a list',
  null: 'no value',
};

function list(values: readonly unknown[]): string {
  return values.map((v) => String(v)).join(', ');
}

function getAt(data: unknown, segs: readonly Segment[]): unknown {
  let cur = data;
  for (const s of segs) {
    if (Array.isArray(cur)) cur = cur[Number(s)];
    else if (isObj(cur)) cur = cur[String(s)];
    else return undefined;
  }
  return cur;
}

function pointerToSegs(pointer: string, data: unknown): Segment[] {
  if (!pointer) return [];
  const out: Segment[] = [];
  let cur = data;
  for (const raw of pointer.slice(1).split('/')) {
    const s = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const seg: Segment = Array.isArray(cur) && /^[0-9]+$/.test(s) ? Number(s) : s;
    out.push(seg);
    cur = getAt(cur, [seg]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Schema validation: ajv on the TypeBox schema (unions discriminated on `type`), compiled at build
// time into `generated/plan-validator.js` (see validator-source.ts).

const DURATION_PATTERN = '^([0-9]+(ms|s|m|h))+$';
const URL_PATTERN = '^https?://';
const HOSTPORT_PATTERN = '^[^:]+:[0-9]+$';

function schemaHint(schema: unknown): string {
  if (!isObj(schema)) return '';
  if (schema.pattern === DURATION_PATTERN) return ' (a duration such as 5m)';
  if (schema.pattern === URL_PATTERN) return ' (an http:// or https:// URL)';
  if (Array.isArray(schema.enum)) return ` (one of ${list(schema.enum)})`;
  if (isObj(schema.discriminator) && Array.isArray(schema.oneOf))
    return ` (with a \`type\` of ${list(tags(schema))})`;
  if (typeof schema.const === 'string') return ` (\`${schema.const}\`)`;
  if (typeof schema.type === 'string' && TYPE_NAMES[schema.type]) return ` (${TYPE_NAMES[schema.type]})`;
  return '';
}

function tags(schema: Json): string[] {
  return (schema.oneOf as Json[]).map((m) => String(((m.properties as Json).type as Json).const));
}

function schemaError(e: ErrorObject, data: unknown): Raw {
  const segs = pointerToSegs(e.instancePath, data);
  const value = e.data;
  const parent = (e.parentSchema ?? {}) as Json;
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': {
      const missing = String(params.missingProperty);
      const fieldSchema = isObj(parent.properties) ? (parent.properties as Json)[missing] : undefined;
      const holder = segs.length ? `\`${formatPath(segs)}\`` : 'The plan';
      return {
        segs: [...segs, missing],
        where: 'parent',
        message: `${holder} has no \`${missing}\`; add the required field \`${missing}\`${schemaHint(fieldSchema)}.`,
      };
    }
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      if (isObj(parent.patternProperties)) {
        const pattern = Object.keys(parent.patternProperties)[0];
        return {
          segs: [...segs, key],
          where: 'key',
          message: `The name ${code(key)} is not valid; expected lowercase letters, digits and dashes, starting with a letter (pattern ${pattern}), such as aws or gcp-eu.`,
        };
      }
      const allowed = Object.keys((parent.properties as Json | undefined) ?? {});
      const guess = didYouMean(key, allowed);
      return {
        segs: [...segs, key],
        where: 'key',
        message: `Unknown key ${code(key)}${guess ? `; did you mean \`${guess}\`?` : '.'} Allowed keys here: ${list(allowed)}.`,
      };
    }
    case 'type': {
      const expected = String(params.type)
        .split(',')
        .map((t) => TYPE_NAMES[t] ?? t)
        .join(' or ');
      const hint =
        typeof parent.type === 'string' && schemaHint(parent) === ` (${TYPE_NAMES[parent.type]})`
          ? ''
          : schemaHint(parent);
      return { segs, where: 'value', message: `Found ${describeValue(value)}, expected ${expected}${hint}.` };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]) ?? [];
      const guess = typeof value === 'string' ? didYouMean(value, allowed.map(String)) : undefined;
      return {
        segs,
        where: 'value',
        message: `Found ${code(value)}, expected one of ${list(allowed)}${guess ? `; did you mean \`${guess}\`?` : '.'}`,
      };
    }
    case 'const':
      return {
        segs,
        where: 'value',
        message: `Found ${code(value)}, expected \`${String(params.allowedValue)}\`.`,
      };
    case 'pattern': {
      const pattern = String(params.pattern);
      if (pattern === DURATION_PATTERN) {
        return {
          segs,
          where: 'value',
          message: `${code(value)} is not a duration; expected a whole number followed by ms, s, m or h, such as 90s, 5m, 2h or 1h30m.`,
        };
      }
      if (pattern === URL_PATTERN) {
        return {
          segs,
          where: 'value',
          message: `${code(value)} is not a URL; expected an http:// or https:// URL such as https://api.aegis.io.`,
        };
      }
      if (pattern === HOSTPORT_PATTERN) {
        return {
          segs,
          where: 'value',
          message: `${code(value)} is not a host:port address; expected a host and a port such as 127.0.0.1:53.`,
        };
      }
      return {
        segs,
        where: 'value',
        message: `${code(value)} does not match the expected pattern ${pattern}.`,
      };
    }
    case 'minLength':
      return { segs, where: 'value', message: 'The value is empty; expected a non-empty string.' };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {
        segs,
        where: 'value',
        message: `Found ${String(value)}, expected a number ${String(params.comparison)} ${String(params.limit)}.`,
      };
    case 'minItems':
      return {
        segs,
        where: 'value',
        message: `The list has ${Array.isArray(value) ? value.length : 0} item(s), expected at least ${String(params.limit)}.`,
      };
    case 'minProperties':
      if (segs.length === 1 && segs[0] === 'stacks') {
        return {
          segs,
          where: 'key',
          message:
            'No stacks are defined; expected at least one stack, such as `aws:` with its cloud, sites, database, traffic and nodePool.',
        };
      }
      return {
        segs,
        where: 'key',
        message: `The mapping is empty; expected at least ${String(params.limit)} entry.`,
      };
    case 'discriminator': {
      const kinds = tags(parent);
      const what = String(segs[segs.length - 1] ?? 'value');
      if (params.error === 'tag' && (!isObj(value) || !('type' in value))) {
        return {
          segs,
          where: 'key',
          message: `\`${what}\` has no \`type\`; expected \`type\` to be one of ${list(kinds)}.`,
        };
      }
      const found = isObj(value) ? value.type : undefined;
      const guess = typeof found === 'string' ? didYouMean(found, kinds) : undefined;
      return {
        segs: [...segs, 'type'],
        where: 'value',
        message: `Found ${what} type ${code(found)}, expected one of ${list(kinds)}${guess ? `; did you mean \`${guess}\`?` : '.'}`,
      };
    }
    default:
      return { segs, where: 'value', message: `${e.message ?? 'is not valid'} (${e.keyword}).` };
  }
}

function schemaProblems(errors: ErrorObject[], data: unknown): Raw[] {
  // A value of the wrong type makes every other complaint about the same value noise.
  const typed = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  const out: Raw[] = [];
  for (const e of errors) {
    if (e.keyword !== 'type' && typed.has(e.instancePath)) continue;
    out.push(schemaError(e, data));
  }
  return out;
}

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

function checkDuration(raw: Raw[], segs: Segment[], value: unknown, positive: boolean): number | undefined {
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

function semanticProblems(doc: Json, written: Json): Raw[] {
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

function resolveClasses(doc: Json, raw: Raw[]): Record<IncidentClassName, ResolvedIncidentClass> {
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

// ---------------------------------------------------------------------------------------------
// YAML: parse, and map a path back to a line and column.

function yamlProblemMessage(code: string, message: string, keyText: string | undefined): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return `The key ${keyText ? `\`${keyText}\` ` : ''}appears more than once in this mapping; expected each key once, so remove or merge the repeated one.`;
    case 'TAB_AS_INDENT':
      return 'A tab is used for indentation; YAML indents with spaces only, so replace the tab with spaces.';
    case 'MULTIPLE_DOCS':
      return 'The file holds more than one YAML document; a plan is a single document, so remove the `---` separator and what follows it.';
    default:
      return `YAML syntax error: ${message.replace(/\.$/, '')}; fix the YAML at this position.`;
  }
}

interface Position {
  line: number;
  column: number;
}

class SourceMap {
  private readonly doc: Document;
  private readonly lines: LineCounter;

  constructor(doc: Document, lines: LineCounter) {
    this.doc = doc;
    this.lines = lines;
  }

  pos(offset: number | undefined): Position {
    const { line, col } = this.lines.linePos(Math.max(0, offset ?? 0));
    return { line, column: col };
  }

  /** Where the document's content starts (after leading comments), or 1:1. */
  contentStart(): Position {
    return this.pos(SourceMap.start(this.doc.contents) ?? 0);
  }

  /** Walk `segs` through the YAML tree: the deepest key and value nodes found. */
  private walk(segs: readonly Segment[]): { key?: unknown; value?: unknown; found: number } {
    let cur: unknown = this.doc.contents;
    let key: unknown;
    let value: unknown = cur;
    let found = 0;
    for (const seg of segs) {
      if (isAlias(cur)) cur = cur.resolve(this.doc);
      if (isMap(cur)) {
        const pair = cur.items.findLast(
          (p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg),
        );
        if (!pair) break;
        key = pair.key;
        value = pair.value;
      } else if (isSeq(cur)) {
        const item = cur.items[Number(seg)];
        if (item === undefined) break;
        key = item;
        value = item;
      } else break;
      cur = value;
      found++;
    }
    return { key, value, found };
  }

  private static start(node: unknown): number | undefined {
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    return range ? range[0] : undefined;
  }

  /** The position a problem points at. */
  locate(segs: readonly Segment[], where: Where): Position {
    const target = where === 'parent' ? segs.slice(0, -1) : segs;
    const { key, value, found } = this.walk(target);
    const rootStart = SourceMap.start(this.doc.contents) ?? 0;
    if (found === 0) return this.pos(rootStart);
    if (found < target.length || where !== 'value') return this.pos(SourceMap.start(key) ?? rootStart);
    const hasValue =
      value !== null && value !== undefined && !(isScalar(value) && value.value === null && !value.source);
    return this.pos((hasValue ? SourceMap.start(value) : undefined) ?? SourceMap.start(key) ?? rootStart);
  }

  /** The key text at `offset`, when a map key starts there (for duplicate-key messages). */
  keyAt(offset: number): string | undefined {
    let found: string | undefined;
    const visit = (node: unknown): void => {
      if (found !== undefined) return;
      if (isMap(node)) {
        for (const p of node.items) {
          if (SourceMap.start(p.key) === offset)
            found = isScalar(p.key) ? String(p.key.value) : String(p.key);
          visit(p.value);
        }
      } else if (isSeq(node)) node.items.forEach(visit);
    };
    visit(this.doc.contents);
    return found;
  }
}

// ---------------------------------------------------------------------------------------------
// Resolution.

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? resolve(homedir(), p.slice(2)) : p;
}

function resolvePlan(
  doc: PlanInput,
  file: string,
  classes: Record<IncidentClassName, ResolvedIncidentClass>,
): Plan {
  const base = file === INLINE ? process.cwd() : dirname(resolve(file));
  const t = doc.thresholds;
  for (const stack of Object.values(doc.stacks)) {
    for (const site of [stack.primary, stack.dr]) {
      const k = site.kubernetes;
      if (k.kubeconfig) {
        const p = expandHome(k.kubeconfig);
        k.kubeconfig = isAbsolute(p) ? p : resolve(base, p);
      }
      for (const d of site.deployments) {
        d.active ??= t.replicas.production;
        d.standby ??= t.replicas.standby;
      }
    }
  }
  const tr = doc.triggers;
  const limits: Limits = {
    replicationLagSeconds: t.replicationLagSeconds,
    backupMaxAgeMs: parseDuration(t.backupMaxAge),
    dnsTtlSeconds: t.dnsTtlSeconds,
    errorRate: t.errorRate,
    errorRateWindowMs: parseDuration(t.errorRateWindow),
    failbackHealthyForMs: parseDuration(t.failbackHealthyFor),
    replicas: { standby: t.replicas.standby, production: t.replicas.production },
    deadlinesMs: {
      drain: parseDuration(t.deadlines.drain),
      database: parseDuration(t.deadlines.database),
      traffic: parseDuration(t.deadlines.traffic),
      scale: parseDuration(t.deadlines.scale),
      verify: parseDuration(t.deadlines.verify),
      plannedFailover: t.deadlines.plannedFailover
        ? parseDuration(t.deadlines.plannedFailover)
        : Math.floor(parseDuration(t.deadlines.database) / 3),
    },
    triggers: {
      healthScoreBelow: tr.healthScoreBelow,
      healthCheckFailuresAbove: tr.healthCheckFailuresAbove,
      failureWindowMs: parseDuration(tr.failureWindow),
      replicationLagAbove: tr.replicationLagAbove,
      consecutive: tr.consecutive,
      holdForMs: parseDuration(tr.holdFor),
      intervalMs: parseDuration(tr.interval),
    },
  };
  const stackNames = Object.keys(doc.stacks);
  return {
    file: file === INLINE ? INLINE : resolve(file),
    doc,
    limits,
    classes,
    stackNames,
    stack(name: string): Stack {
      const s = Object.hasOwn(doc.stacks, name) ? doc.stacks[name] : undefined;
      if (s) return s;
      const guess = didYouMean(name, stackNames);
      throw new UserError(
        `The plan has no stack \`${clip(name)}\`; its stacks are ${list(stackNames)}${guess ? ` (did you mean \`${guess}\`?)` : ''}. Pass one of those names.`,
      );
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Entry points.

/**
 * Validate plan text and, when it is valid, resolve it. Never throws for a bad plan: every problem
 * is returned, in file order.
 */
export function validatePlanText(
  text: string,
  file: string = INLINE,
): { plan?: Plan; problems: PlanProblem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const map = new SourceMap(doc, lines);
  const problems: PlanProblem[] = [];
  const add = (pos: Position, path: string, message: string): void => {
    problems.push({ file, line: pos.line, column: pos.column, path, message });
  };
  const sorted = (): PlanProblem[] => problems.sort((a, b) => a.line - b.line || a.column - b.column);

  // Report every repeated key and tab; of other syntax errors only the first, since what
  // follows a syntax error is mostly its echo.
  let fatal = false;
  const duplicates = new Set<string>();
  for (const err of doc.errors) {
    const pos = map.pos(err.pos[0]);
    if (err.code === 'DUPLICATE_KEY') duplicates.add(`${pos.line}:${pos.column}`);
    else if (err.code !== 'TAB_AS_INDENT' && fatal) continue;
    else fatal = true;
    add(pos, '', yamlProblemMessage(err.code, err.message, map.keyAt(err.pos[0])));
  }
  if (fatal) return { problems: sorted() };

  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  if (!isObj(data)) {
    add(
      map.contentStart(),
      '',
      data === null || data === undefined
        ? 'The plan file is empty; expected a mapping that starts with `apiVersion: aegis.io/v1` and `kind: DRPlan`.'
        : `The plan is ${describeValue(data)}; expected a mapping that starts with \`apiVersion: aegis.io/v1\` and \`kind: DRPlan\`.`,
    );
    return { problems: sorted() };
  }
  const written = structuredClone(data);

  const validate = validatePlanSchema;
  const raw: Raw[] = validate(data) ? [] : schemaProblems(validate.errors ?? [], data);
  // A rule about a part of the plan that already breaks the schema would only add noise.
  const broken = raw.map((r) => formatPath(r.segs));
  const related = (a: string, b: string): boolean =>
    a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`);
  for (const r of semanticProblems(data, written)) {
    const path = formatPath(r.segs);
    if (!broken.some((b) => related(b, path) || related(path, b))) raw.push(r);
  }

  const seen = new Set<string>();
  for (const r of raw) {
    const pos = map.locate(r.segs, r.where);
    // the value of a repeated key is reported as such, not as whatever it lacks
    if (duplicates.has(`${pos.line}:${pos.column}`)) continue;
    const path = formatPath(r.segs);
    const id = `${pos.line}:${pos.column}:${path}:${r.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    add(pos, path, r.message);
  }
  if (problems.length > 0) return { problems: sorted() };

  const plan = resolvePlan(data as PlanInput, file, resolveClasses(data, []));
  return { plan, problems: [] };
}

/** Parse and resolve plan text. @throws PlanError listing every problem. */
export function parsePlan(text: string, file: string = INLINE): Plan {
  const { plan, problems } = validatePlanText(text, file);
  if (!plan) throw new PlanError(problems);
  return plan;
}

/** Read, validate and resolve a plan file. @throws PlanError listing every problem. */
export async function loadPlan(file: string): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw unreadablePlan(file, err);
  }
  return parsePlan(text, file);
}
