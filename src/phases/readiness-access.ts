/**
 * Readiness check "Cluster access": before a failover needs them, ask each site's API server
 * whether the job's identity may make every call the phases make there
 * (`KUBERNETES_PERMISSIONS`), with one SelfSubjectAccessReview per permission, as `kubectl auth
 * can-i` does (https://kubernetes.io/docs/reference/access-authn-authz/authorization/#checking-api-access).
 * A missing EKS access entry, AKS role binding or GKE IAM grant then fails readiness by name,
 * instead of a 403 in the middle of the failover. The DR cluster gates; a primary that does not
 * answer is a warning (a region outage), as for the other checks that read the primary.
 */
import type { Stack, SiteName } from '../plan/types.js';
import { KUBERNETES_PERMISSIONS, permissionText } from '../plan/kubernetes-permissions.js';
import { isUnreachable, probe } from './shared/observe.js';
import { errorText, row } from './shared/rows.js';
import type { PhaseContext, ResultRow } from './types.js';

export const CLUSTER_ACCESS_ITEM = 'Cluster access';

/** What to change, per cloud, for a permission the cluster refuses (docs/CLUSTER-ACCESS.md). */
function cloudFix(stack: Stack): string {
  switch (stack.cloud) {
    case 'aws':
      return "give the job's IAM role an EKS access entry on the cluster with an access policy (or a Kubernetes RoleBinding of its group) that grants them";
    case 'azure':
      return "assign the job's identity the Azure Kubernetes Service RBAC Writer role on the cluster (or a RoleBinding to its object id) that grants them";
    case 'gcp':
      return "grant the job's service account roles/container.developer on the project (or a RoleBinding to it) that covers them";
  }
}

interface SiteAccess {
  site: SiteName;
  /** Permissions refused, as kubectl words them, with the phases that need them. */
  denied: string[];
  checked: number;
  /** Set when the API server could not be asked. */
  error?: unknown;
}

async function reviewSite(ctx: PhaseContext, name: string, site: SiteName): Promise<SiteAccess> {
  try {
    const cluster = await ctx.env.cluster(name, site);
    const answers = await Promise.all(
      KUBERNETES_PERMISSIONS.map((p) => probe(ctx, () => cluster.canI(p), `kubernetes:${name}/${site}`)),
    );
    const denied = KUBERNETES_PERMISSIONS.filter((_, i) => !answers[i].allowed).map(
      (p) => `${permissionText(p)} (${p.phases.join(', ')}: ${p.why})`,
    );
    return { site, denied, checked: answers.length };
  } catch (err) {
    return { site, denied: [], checked: 0, error: err };
  }
}

/** The "Cluster access" row of one stack: both sites' clusters, the DR one gating. */
export async function clusterAccessRow(ctx: PhaseContext, name: string, stack: Stack): Promise<ResultRow> {
  const [dr, primary] = await Promise.all([reviewSite(ctx, name, 'dr'), reviewSite(ctx, name, 'primary')]);
  const ns = (s: SiteName) => stack[s].kubernetes.namespace;
  const refused = [dr, primary].filter((a) => a.denied.length > 0);
  if (refused.length > 0) {
    const which = refused
      .map((a) => `the ${a.site} cluster (namespace ${ns(a.site)}) refuses ${a.denied.join('; ')}`)
      .join(', and ');
    return row(
      name,
      CLUSTER_ACCESS_ITEM,
      'fail',
      `SelfSubjectAccessReview says ${which}: expected every permission the phases use to be allowed; ${cloudFix(stack)} (see docs/CLUSTER-ACCESS.md).`,
    );
  }
  if (dr.error)
    return row(
      name,
      CLUSTER_ACCESS_ITEM,
      'fail',
      `the dr cluster could not be asked: ${errorText(dr.error)}`,
    );
  const ok = `${dr.checked} permissions allowed on the dr cluster (namespace ${ns('dr')})`;
  if (primary.error)
    return row(
      name,
      CLUSTER_ACCESS_ITEM,
      isUnreachable(primary.error) ? 'warn' : 'fail',
      `${ok}; primary ${isUnreachable(primary.error) ? 'unreachable' : 'could not be asked'}: ${errorText(primary.error)}`,
    );
  return row(
    name,
    CLUSTER_ACCESS_ITEM,
    'pass',
    `${ok} and on the primary cluster (namespace ${ns('primary')})`,
  );
}
