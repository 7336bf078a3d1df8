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
