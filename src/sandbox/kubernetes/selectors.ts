/** Label selectors (the labelSelector query parameter). */
import { StatusError } from './status.js';

export type Requirement = (labels: Record<string, string>) => boolean;

/** Parse a Kubernetes label selector (=, ==, !=, in, notin, exists, !exists). */
export function parseLabelSelector(selector: string): Requirement[] {
  const reqs: Requirement[] = [];
  const terms: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(cur);
      cur = '';
    } else cur += ch;
  }
  terms.push(cur);
  for (const raw of terms) {
    const t = raw.trim();
    if (!t) continue;
    let m: RegExpExecArray | null;
    if ((m = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(t))) {
      const key = m[1];
      const values = m[3].split(',').map((v) => v.trim());
      const neg = m[2] === 'notin';
      reqs.push((l) => (neg ? !(key in l) || !values.includes(l[key]) : key in l && values.includes(l[key])));
    } else if ((m = /^([^\s!=]+)\s*!=\s*(\S*)$/.exec(t))) {
      const [, key, value] = m;
      reqs.push((l) => l[key] !== value);
    } else if ((m = /^([^\s!=]+)\s*==?\s*(\S*)$/.exec(t))) {
      const [, key, value] = m;
      reqs.push((l) => l[key] === value);
    } else if ((m = /^!\s*([^\s!=]+)$/.exec(t))) {
      const key = m[1];
      reqs.push((l) => !(key in l));
    } else if ((m = /^([^\s!=(),]+)$/.exec(t))) {
      const key = m[1];
      reqs.push((l) => key in l);
    } else {
      throw new StatusError(
        400,
        'BadRequest',
        `unable to parse requirement: labelSelector term ${JSON.stringify(t)} is not a valid label selector`,
      );
    }
  }
  return reqs;
}

export function selects(selector: string | null, labels: Record<string, string>): boolean {
  if (!selector) return true;
  return parseLabelSelector(selector).every((r) => r(labels));
}

/** A LabelSelector object (metav1.LabelSelector), as a NetworkPolicy's podSelector holds it. */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/**
 * Whether a LabelSelector object selects `labels`: every matchLabels pair and every
 * matchExpressions requirement must hold (they are ANDed); an empty selector selects everything.
 * Operators In, NotIn, Exists, DoesNotExist; In/NotIn need values, Exists/DoesNotExist take none
 * (https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#resources-that-support-set-based-requirements).
 * NotIn selects an object without the key too, as the string form `key notin (a)` does.
 * @throws StatusError 422 on an unknown operator or values that do not fit it (the API server's validation).
 */
export function selectsObject(
  selector: LabelSelectorObject | undefined,
  labels: Record<string, string>,
): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!(e.key in labels) || !values.includes(labels[e.key])) return false;
        break;
      case 'NotIn':
        if (e.key in labels && values.includes(labels[e.key])) return false;
        break;
      case 'Exists':
        if (!(e.key in labels)) return false;
        break;
      case 'DoesNotExist':
        if (e.key in labels) return false;
        break;
      default:
        throw new StatusError(
          422,
          'Invalid',
          `matchExpressions operator ${JSON.stringify(e.operator)} is not supported: expected In, NotIn, Exists or DoesNotExist`,
        );
    }
  }
  return true;
}

/** The API server's validation of a LabelSelector object: values for In/NotIn, none for Exists/DoesNotExist. */
export function labelSelectorProblem(selector: unknown, field: string): string | undefined {
  if (selector === undefined) return undefined;
  if (typeof selector !== 'object' || selector === null || Array.isArray(selector))
    return `${field}: Invalid value: expected a LabelSelector object`;
  const s = selector as LabelSelectorObject;
  for (const [i, e] of (s.matchExpressions ?? []).entries()) {
    const at = `${field}.matchExpressions[${i}]`;
    if (typeof e?.key !== 'string' || !e.key) return `${at}.key: Required value`;
    const n = e.values?.length ?? 0;
    if (e.operator === 'In' || e.operator === 'NotIn') {
      if (n === 0)
        return `${at}.values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`;
    } else if (e.operator === 'Exists' || e.operator === 'DoesNotExist') {
      if (n > 0)
        return `${at}.values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`;
    } else
      return `${at}.operator: Invalid value: ${JSON.stringify(e.operator)}: not a valid selector operator`;
  }
  return undefined;
}
