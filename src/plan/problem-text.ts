/**
 * Plan problems before they have a position (a path and where on it to point), and the words the
 * loader and its rule checks use to describe values, shared by load.ts, rules.ts and
 * check-comms.ts.
 */
import { clip } from '../engine/clip.js';
export type Segment = string | number;
/** `key`: the key of the last segment; `value`: its value; `parent`: the key holding the path's parent. */
export type Where = 'key' | 'value' | 'parent';
export interface Raw {
  segs: Segment[];
  where: Where;
  message: string;
}

export type Json = Record<string, unknown>;
export const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `stacks.aws.primary.deployments[0].name` */
export function formatPath(segs: readonly Segment[]): string {
  let out = '';
  for (const s of segs) out += typeof s === 'number' ? `[${s}]` : out ? `.${s}` : s;
  return out;
}

export function code(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return `\`${s === undefined ? s : clip(s)}\``;
}

export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'no value';
  if (Array.isArray(v)) return 'a list';
  if (isObj(v)) return 'a mapping';
  if (typeof v === 'string') return `the string ${code(v)}`;
  if (typeof v === 'boolean') return `the boolean ${v}`;
  if (typeof v === 'number') return Number.isInteger(v) ? `the integer ${v}` : `the number ${v}`;
  return code(v);
}

export const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping of keys to values',
  array: 'a list',
  null: 'no value',
};

export function list(values: readonly unknown[]): string {
  return values.map((v) => String(v)).join(', ');
}

export function getAt(data: unknown, segs: readonly Segment[]): unknown {
  let cur = data;
  for (const s of segs) {
    if (Array.isArray(cur)) cur = cur[Number(s)];
    else if (isObj(cur)) cur = cur[String(s)];
    else return undefined;
  }
  return cur;
}

export function pointerToSegs(pointer: string, data: unknown): Segment[] {
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

export const DURATION_PATTERN = '^([0-9]+(ms|s|m|h))+$';
export const URL_PATTERN = '^https?://';
export const HOSTPORT_PATTERN = '^[^:]+:[0-9]+$';
