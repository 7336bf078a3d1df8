/** PATCH bodies: JSON merge patch (RFC 7386, also used for strategic merge), JSON patch (RFC 6902), and the field checks of patched objects. */
import type { ServiceRequest } from '../http.js';
import { StatusError, invalid } from './status.js';

export const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return patch;
  const out: Record<string, unknown> = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k.startsWith('$setElementOrder') || k.startsWith('$retainKeys')) continue;
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new Error(`JSON pointer ${JSON.stringify(path)} must start with "/"`);
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** RFC 6902 JSON patch (add, remove, replace, move, copy, test). */
export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new Error('a JSON patch must be an array of operations');
  let root: unknown = structuredClone(doc);
  const parentOf = (segs: string[]): { parent: unknown; key: string } => {
    let cur: unknown = root;
    for (const s of segs.slice(0, -1)) {
      if (Array.isArray(cur)) cur = cur[Number(s)];
      else if (isObj(cur)) cur = cur[s];
      else cur = undefined;
      if (cur === undefined) throw new Error(`path /${segs.join('/')} does not exist (missing ${s})`);
    }
    return { parent: cur, key: segs[segs.length - 1] };
  };
  const get = (segs: string[]): unknown => {
    let cur: unknown = root;
    for (const s of segs) {
      if (Array.isArray(cur)) cur = cur[Number(s)];
      else if (isObj(cur)) cur = cur[s];
      else return undefined;
    }
    return cur;
  };
  const remove = (segs: string[]): unknown => {
    const { parent, key } = parentOf(segs);
    if (Array.isArray(parent)) return parent.splice(Number(key), 1)[0];
    if (isObj(parent) && key in parent) {
      const v = parent[key];
      delete parent[key];
      return v;
    }
    throw new Error(`path /${segs.join('/')} does not exist`);
  };
  const add = (segs: string[], value: unknown) => {
    if (segs.length === 0) {
      root = value;
      return;
    }
    const { parent, key } = parentOf(segs);
    if (Array.isArray(parent)) {
      if (key === '-') parent.push(value);
      else parent.splice(Number(key), 0, value);
    } else if (isObj(parent)) parent[key] = value;
    else throw new Error(`path /${segs.join('/')} has no parent object`);
  };
  for (const op of ops as { op?: string; path?: string; from?: string; value?: unknown }[]) {
    const segs = pointer(String(op.path ?? ''));
    switch (op.op) {
      case 'add':
        add(segs, structuredClone(op.value));
        break;
      case 'remove':
        remove(segs);
        break;
      case 'replace':
        if (get(segs) === undefined) throw new Error(`replace: path ${op.path} does not exist`);
        if (segs.length === 0) root = structuredClone(op.value);
        else {
          const { parent, key } = parentOf(segs);
          if (Array.isArray(parent)) parent[Number(key)] = structuredClone(op.value);
          else (parent as Record<string, unknown>)[key] = structuredClone(op.value);
        }
        break;
      case 'move':
        add(segs, remove(pointer(String(op.from ?? ''))));
        break;
      case 'copy':
        add(segs, structuredClone(get(pointer(String(op.from ?? '')))));
        break;
      case 'test':
        if (JSON.stringify(get(segs)) !== JSON.stringify(op.value))
          throw new Error(`test failed at ${op.path}`);
        break;
      default:
        throw new Error(`unknown JSON patch operation ${JSON.stringify(op.op)}`);
    }
  }
  return root;
}

export function applyPatch(
  req: ServiceRequest,
  kind: string,
  name: string,
  doc: unknown,
): Record<string, unknown> {
  const ct = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  let body: unknown;
  try {
    body = req.json();
  } catch (err) {
    throw new StatusError(
      400,
      'BadRequest',
      `the body of the ${kind} "${name}" patch is not valid JSON: ${(err as Error).message}`,
    );
  }
  let out: unknown;
  try {
    if (ct === 'application/merge-patch+json' || ct === 'application/strategic-merge-patch+json')
      out = mergePatch(doc, body);
    else if (ct === 'application/json-patch+json') out = jsonPatch(doc, body);
    else {
      throw new StatusError(
        415,
        'UnsupportedMediaType',
        `the patch Content-Type ${JSON.stringify(ct)} is not supported: use application/merge-patch+json, application/strategic-merge-patch+json or application/json-patch+json`,
      );
    }
  } catch (err) {
    if (err instanceof StatusError) throw err;
    throw invalid(kind, name, (err as Error).message);
  }
  if (!isObj(out)) throw invalid(kind, name, 'the patched object is not a JSON object');
  return out;
}

export function readReplicas(kind: string, name: string, spec: unknown): number {
  const replicas = isObj(spec) ? spec.replicas : undefined;
  if (replicas === undefined) return NaN;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw invalid(
      kind,
      name,
      `spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be a whole number greater than or equal to 0`,
    );
  }
  return replicas;
}

export function readStringMap(kind: string, name: string, field: string, v: unknown): Record<string, string> {
  if (v === undefined) return {};
  if (!isObj(v)) throw invalid(kind, name, `${field}: Invalid value: expected a map of strings`);
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string')
      throw invalid(kind, name, `${field}[${k}]: Invalid value: ${JSON.stringify(x)}: must be a string`);
  }
  return { ...(v as Record<string, string>) };
}
