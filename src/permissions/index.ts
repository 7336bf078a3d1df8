/**
 * `aegis-dr permissions`: the least-privilege documents of an identity, per cloud, generated from
 * the declaration table (see ./types.ts, ./table.ts) and formatted as JSON or YAML.
 */
import YAML from 'yaml';
import { UserError } from '../engine/errors.js';
import { clip } from '../engine/clip.js';
import type { Plan } from '../plan/types.js';
import { awsPolicy, azureRole, gcpRole, kubernetesRbac, type Generated } from './documents.js';
import {
  CLOUDS,
  IDENTITIES,
  loadDeclarations,
  needsOf,
  type DeclarationTable,
  type Identity,
} from './table.js';
import type { PermissionCloud } from './types.js';

export { CLOUDS, IDENTITIES, loadDeclarations, needsOf, phasesOf, type Identity } from './table.js';
export type { AzureRoleDefinition, GcpRole, IamPolicy, RbacObject } from './documents.js';

export interface PermissionsRequest {
  plan?: Plan;
  cloud?: string;
  identity?: string;
  phase?: string;
}

/** The documents of every cloud asked for (all four when `cloud` is absent), with their notes. */
export type PermissionDocuments = Partial<Record<PermissionCloud, Generated<unknown>>>;

function check<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
  dflt?: T,
): T[] {
  if (value === undefined) return dflt ? [dflt] : [...allowed];
  if (!allowed.includes(value as T))
    throw new UserError(`--${name} is "${clip(value)}": expected one of ${allowed.join(', ')}.`);
  return [value as T];
}

/** Which clouds a plan uses (every cloud when there is no plan; Kubernetes always). */
function cloudsOf(plan: Plan | undefined): Set<PermissionCloud> {
  if (!plan) return new Set(CLOUDS);
  const used = new Set<PermissionCloud>(['kubernetes']);
  for (const n of plan.stackNames) used.add(plan.stack(n).cloud as PermissionCloud);
  return used;
}

/** Whether sites reach their clusters by their cloud (then the cloud policy grants the cluster lookup). */
function usesClusterAccess(plan: Plan | undefined): boolean {
  if (!plan) return true;
  return plan.stackNames.some((n) => {
    const s = plan.stack(n);
    return Boolean(s.primary.kubernetes.cluster || s.dr.kubernetes.cluster);
  });
}

/** Generate one cloud's document for an identity. */
export function generate(
  table: DeclarationTable,
  cloud: PermissionCloud,
  identity: Identity,
  opts: { plan?: Plan; phase?: string } = {},
): Generated<unknown> {
  const needs = needsOf(table, {
    cloud,
    identity,
    phase: opts.phase,
    clusterAccess: usesClusterAccess(opts.plan),
  });
  switch (cloud) {
    case 'aws':
      return awsPolicy(needs, opts.plan);
    case 'azure':
      return azureRole(needs, identity, opts.plan);
    case 'gcp':
      return gcpRole(needs, identity);
    case 'kubernetes':
      return kubernetesRbac(needs, identity, opts.plan);
  }
}

/** The documents a request asks for. */
export async function permissionDocuments(req: PermissionsRequest): Promise<PermissionDocuments> {
  const clouds = check('cloud', req.cloud, CLOUDS);
  const [identity] = check('identity', req.identity, IDENTITIES, 'failover');
  const used = cloudsOf(req.plan);
  if (req.cloud && !used.has(req.cloud as PermissionCloud)) {
    throw new UserError(
      `--cloud is ${req.cloud}, which no stack of ${req.plan?.file ?? 'the plan'} uses: expected one of ${[...used].join(', ')}.`,
    );
  }
  const table = await loadDeclarations();
  const out: PermissionDocuments = {};
  for (const cloud of clouds)
    if (used.has(cloud)) out[cloud] = generate(table, cloud, identity, { plan: req.plan, phase: req.phase });
  return out;
}

/**
 * The documents as text. One cloud: its document alone (JSON that the cloud's CLI takes as is; the
 * Kubernetes objects as a multi-document YAML or a List in JSON). Several: keyed by cloud. The
 * notes go to `notes` (YAML comments, or the caller prints them apart so the JSON stays valid).
 */
export function formatDocuments(
  docs: PermissionDocuments,
  format: string | undefined,
): { text: string; notes: string[] } {
  const [fmt] = check('format', format, ['json', 'yaml'] as const, 'json');
  const entries = Object.entries(docs) as [PermissionCloud, Generated<unknown>][];
  const notes = entries.flatMap(([cloud, g]) => g.notes.map((n) => `${cloud}: ${n}`));
  const single = entries.length === 1 ? entries[0] : undefined;
  if (fmt === 'json') {
    const value = single
      ? single[0] === 'kubernetes'
        ? { apiVersion: 'v1', kind: 'List', items: single[1].document }
        : single[1].document
      : Object.fromEntries(entries.map(([c, g]) => [c, g.document]));
    return { text: JSON.stringify(value, null, 2), notes };
  }
  const comments = notes.map((n) => `# ${n}`).join('\n');
  let body: string;
  if (single && single[0] === 'kubernetes')
    body = (single[1].document as unknown[]).map((d) => YAML.stringify(d)).join('---\n');
  else
    body = YAML.stringify(
      single ? single[1].document : Object.fromEntries(entries.map(([c, g]) => [c, g.document])),
    );
  return { text: `${comments ? `${comments}\n` : ''}${body}`.trimEnd(), notes };
}

/**
 * The documents of both identities on every cloud, as the sandbox enforces them
 * (`startSandbox({ enforcePermissions })`, src/sandbox/iam.ts).
 */
export async function identityGrants(
  plan?: Plan,
): Promise<Record<Identity, Record<PermissionCloud, unknown>>> {
  const table = await loadDeclarations();
  const out = {} as Record<Identity, Record<PermissionCloud, unknown>>;
  for (const identity of IDENTITIES) {
    out[identity] = {} as Record<PermissionCloud, unknown>;
    for (const cloud of CLOUDS) out[identity][cloud] = generate(table, cloud, identity, { plan }).document;
  }
  return out;
}
