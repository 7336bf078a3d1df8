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
import { parseDuration } from './duration.js';
import validatePlanSchema from './generated/plan-validator.js';
import { clip } from '../engine/clip.js';
import type {
  IncidentClassName,
  Limits,
  Plan,
  PlanInput,
  PlanProblem,
  ResolvedIncidentClass,
  Stack,
} from './types.js';

import {
  code,
  describeValue,
  formatPath,
  isObj,
  list,
  pointerToSegs,
  TYPE_NAMES,
  type Json,
  type Raw,
  type Segment,
  type Where,
  DURATION_PATTERN,
  HOSTPORT_PATTERN,
  URL_PATTERN,
} from './problem-text.js';
import { resolveClasses, semanticProblems } from './rules.js';

export { INLINE, PlanError, formatProblem, unreadablePlan } from './errors.js';
export { formatPath } from './problem-text.js';

// ---------------------------------------------------------------------------------------------
// Problems before they have a position: a path and where on that path to point.

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
