/**
 * The documents each cloud takes, from the declared needs of one identity:
 * - AWS: an IAM identity-based policy (Version 2012-10-17), one statement per service and resource
 *   kind, resources from the plan where it names them, else "*" with a note why
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html);
 * - Azure: a custom role definition as `az role definition create --role-definition` takes it
 *   (https://learn.microsoft.com/en-us/azure/role-based-access-control/custom-roles);
 * - GCP: a custom role as `gcloud iam roles create --file` takes it
 *   (https://cloud.google.com/iam/docs/creating-custom-roles);
 * - Kubernetes: a Role in the plan's namespace and a ClusterRole for cluster-scoped resources
 *   (https://kubernetes.io/docs/reference/access-authn-authz/rbac/).
 */
import type { Plan, Stack } from '../plan/types.js';
import type { CloudNeed, KubeNeed } from './types.js';
import type { DeclaredNeed, Identity } from './table.js';

export interface IamStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[] | '*';
}
export interface IamPolicy {
  Version: '2012-10-17';
  Statement: IamStatement[];
}
export interface AzureRoleDefinition {
  Name: string;
  IsCustom: true;
  Description: string;
  Actions: string[];
  NotActions: string[];
  DataActions: string[];
  NotDataActions: string[];
  AssignableScopes: string[];
}
export interface GcpRole {
  title: string;
  description: string;
  stage: 'GA';
  includedPermissions: string[];
}
export interface RbacRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
export interface RbacObject {
  apiVersion: 'rbac.authorization.k8s.io/v1';
  kind: 'Role' | 'ClusterRole';
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  rules: RbacRule[];
}

/** A generated document and the notes that explain what it could not narrow. */
export interface Generated<T> {
  document: T;
  notes: string[];
}

const roleName = (identity: Identity) => `aegis-dr-${identity}`;
const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

function stacksOf(plan: Plan | undefined, cloud: string): Stack[] {
  if (!plan) return [];
  return plan.stackNames.map((n) => plan.stack(n)).filter((s) => s.cloud === cloud);
}

/** ARNs of a scope from the plan's AWS stacks; undefined when the plan does not name them. */
function awsArns(scope: CloudNeed['scope'], stacks: Stack[]): string[] | undefined {
  const out: string[] = [];
  for (const s of stacks) {
    const regions = { primary: s.primary.region, dr: s.dr.region };
    const db = s.database.type === 'rds' ? s.database : undefined;
    const t = s.traffic.type === 'route53' ? s.traffic : undefined;
    const np = s.nodePool.type === 'eks' ? s.nodePool : undefined;
    switch (scope) {
      case 'rds-db':
        if (!db) return undefined;
        // the writer, its replica, and the replicas reprotect creates (replicaNamePattern)
        for (const r of [regions.primary, regions.dr]) {
          out.push(`arn:aws:rds:${r}:*:db:${db.instance}`, `arn:aws:rds:${r}:*:db:${db.instance}-*`);
          if (db.replica) out.push(`arn:aws:rds:${r}:*:db:${db.replica}`);
        }
        break;
      case 'route53-hostedzone':
        if (!t) return undefined;
        out.push(`arn:aws:route53:::hostedzone/${t.hostedZoneId}`);
        break;
      case 'route53-healthcheck':
        if (!t) return undefined;
        out.push(`arn:aws:route53:::healthcheck/${t.healthCheckId ?? '*'}`);
        break;
      case 'route53-change':
        out.push('arn:aws:route53:::change/*');
        break;
      case 'eks-cluster':
      case 'eks-nodegroup':
      case 'eks-addon':
        if (!np) return undefined;
        for (const site of ['primary', 'dr'] as const) {
          const c = np.cluster[site];
          const r = regions[site];
          if (scope === 'eks-cluster') out.push(`arn:aws:eks:${r}:*:cluster/${c}`);
          else if (scope === 'eks-nodegroup') out.push(`arn:aws:eks:${r}:*:nodegroup/${c}/${np.nodegroup}/*`);
          else out.push(`arn:aws:eks:${r}:*:addon/${c}/*/*`);
        }
        break;
      default:
        return undefined;
    }
  }
  return out.length ? sorted(out) : undefined;
}

const SERVICE_SID: Record<string, string> = {
  rds: 'Rds',
  route53: 'Route53',
  eks: 'Eks',
  kms: 'Kms',
  cloudwatch: 'CloudWatch',
  'route53-recovery-cluster': 'Route53RecoveryCluster',
};

/** The IAM policy of the AWS needs. */
export function awsPolicy(needs: DeclaredNeed[], plan?: Plan): Generated<IamPolicy> {
  const stacks = stacksOf(plan, 'aws');
  const notes: string[] = [];
  const groups = new Map<string, { actions: Set<string>; resource: string[] | '*' }>();
  for (const { need } of needs) {
    const n = need as CloudNeed;
    for (const action of n.permissions) {
      const service = action.split(':')[0];
      // a dependent action of another service (kms for an encrypted replica) is not on the call's resource
      const scope = service === n.permissions[0].split(':')[0] ? n.scope : undefined;
      const arns = stacks.length ? awsArns(scope, stacks) : undefined;
      const key = `${service}|${arns ? arns.join(',') : '*'}`;
      const g = groups.get(key) ?? { actions: new Set<string>(), resource: arns ?? '*' };
      g.actions.add(action);
      groups.set(key, g);
    }
  }
  const statements: IamStatement[] = [];
  const used = new Map<string, number>();
  for (const [key, g] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const service = key.split('|')[0];
    // a Sid is alphanumeric (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html)
    const base = `${SERVICE_SID[service] ?? service.replace(/[^A-Za-z0-9]/g, '')}${g.resource === '*' ? 'AnyResource' : 'PlanResources'}`;
    const k = (used.get(base) ?? 0) + 1;
    used.set(base, k);
    statements.push({
      Sid: k > 1 ? `${base}${k}` : base,
      Effect: 'Allow',
      Action: sorted(g.actions),
      Resource: g.resource,
    });
    if (g.resource === '*') {
      notes.push(
        stacks.length
          ? `${[...g.actions].sort().join(', ')}: Resource "*" because these actions have no resource-level permission, or list before the instance is known (Service Authorization Reference).`
          : `${[...g.actions].sort().join(', ')}: Resource "*" because no plan was given; pass --plan to name the plan's instances, hosted zone, health check and clusters.`,
      );
    }
  }
  if (stacks.length)
    notes.push('The account id in every ARN is "*": the plan does not name the AWS account.');
  return { document: { Version: '2012-10-17', Statement: statements }, notes };
}

/** The Azure custom role of the Azure needs; AssignableScopes from the plan's resource groups. */
export function azureRole(
  needs: DeclaredNeed[],
  identity: Identity,
  plan?: Plan,
): Generated<AzureRoleDefinition> {
  const stacks = stacksOf(plan, 'azure');
  const endpointTypes = stacks.map((s) =>
    s.traffic.type === 'traffic-manager' ? s.traffic.endpointType : undefined,
  );
  const actions = new Set<string>();
  for (const { need } of needs) {
    for (const p of (need as CloudNeed).permissions) {
      if (!p.includes('{endpointType}')) actions.add(p);
      else
        for (const t of endpointTypes.length ? endpointTypes : ['azureEndpoints'])
          actions.add(p.replace('{endpointType}', endpointTypeName(t ?? 'azureEndpoints')));
    }
  }
  const scopes = new Set<string>();
  for (const s of stacks) {
    const add = (sub: string, rg: string) => scopes.add(`/subscriptions/${sub}/resourceGroups/${rg}`);
    if (s.database.type === 'azure-sql') {
      add(s.database.subscriptionId, s.database.primary.resourceGroup);
      add(s.database.subscriptionId, s.database.dr.resourceGroup);
    }
    if (s.traffic.type === 'traffic-manager') add(s.traffic.subscriptionId, s.traffic.resourceGroup);
    if (s.nodePool.type === 'aks') {
      add(s.nodePool.subscriptionId, s.nodePool.resourceGroup.primary);
      add(s.nodePool.subscriptionId, s.nodePool.resourceGroup.dr);
    }
  }
  const notes: string[] = [];
  if (!scopes.size) {
    scopes.add('/subscriptions/00000000-0000-0000-0000-000000000000');
    notes.push(
      "AssignableScopes is a placeholder subscription because no plan was given; pass --plan to list the plan's resource groups.",
    );
  }
  if ([...actions].some((a) => a.includes('/locations/'))) {
    const subs = sorted([...scopes].map((s) => s.split('/resourceGroups/')[0]));
    notes.push(
      `The */locations/* reads are the status of long-running operations, which ARM serves under the subscription (${subs.join(', ')}), not a resource group: assign the role at that scope too, or expect the status polls to be denied.`,
    );
  }
  return {
    document: {
      Name: roleName(identity),
      IsCustom: true,
      Description: `aegis-dr ${identity}: generated by aegis-dr permissions from the calls its phases declare.`,
      Actions: sorted(actions),
      NotActions: [],
      DataActions: [],
      NotDataActions: [],
      AssignableScopes: sorted(scopes),
    },
    notes,
  };
}

/** The plan's endpointType (any case) as it appears in an operation: azureEndpoints. */
function endpointTypeName(t: string): string {
  const lower = t.toLowerCase();
  for (const n of ['azureEndpoints', 'externalEndpoints', 'nestedEndpoints'])
    if (n.toLowerCase() === lower) return n;
  return t;
}

/** The GCP custom role of the GCP needs. */
export function gcpRole(needs: DeclaredNeed[], identity: Identity): Generated<GcpRole> {
  const perms = new Set<string>();
  for (const { need } of needs) for (const p of (need as CloudNeed).permissions) perms.add(p);
  return {
    document: {
      title: roleName(identity),
      description: `aegis-dr ${identity}: generated by aegis-dr permissions from the calls its phases declare.`,
      stage: 'GA',
      includedPermissions: sorted(perms),
    },
    notes: [],
  };
}

/** The Role (namespaced resources) and ClusterRole (nodes) of the Kubernetes needs. */
export function kubernetesRbac(
  needs: DeclaredNeed[],
  identity: Identity,
  plan?: Plan,
): Generated<RbacObject[]> {
  const namespaces = new Set<string>();
  if (plan) {
    for (const n of plan.stackNames) {
      const s = plan.stack(n);
      namespaces.add(s.primary.kubernetes.namespace);
      namespaces.add(s.dr.kubernetes.namespace);
    }
  }
  if (!namespaces.size) namespaces.add('aegis');
  const rules = (clusterScoped: boolean): RbacRule[] => {
    const byResource = new Map<string, Set<string>>();
    for (const { need } of needs) {
      const k = need as KubeNeed;
      if (Boolean(k.clusterScoped) !== clusterScoped) continue;
      const key = `${k.group}|${k.resource}`;
      (byResource.get(key) ?? byResource.set(key, new Set()).get(key)!).add(k.verb);
    }
    return [...byResource]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, verbs]) => {
        const [group, resource] = key.split('|');
        return { apiGroups: [group], resources: [resource], verbs: sorted(verbs) };
      });
  };
  const labels = { 'app.kubernetes.io/managed-by': 'aegis-dr' };
  const out: RbacObject[] = [];
  const ns = rules(false);
  if (ns.length)
    for (const namespace of sorted(namespaces))
      out.push({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: roleName(identity), namespace, labels },
        rules: ns,
      });
  const cluster = rules(true);
  if (cluster.length)
    out.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: roleName(identity), labels },
      rules: cluster,
    });
  return {
    document: out,
    notes: [
      'Bind each Role with a RoleBinding and the ClusterRole with a ClusterRoleBinding to the identity the job uses in each cluster (an EKS access entry, an AKS Entra group, a GKE Google identity).',
    ],
  };
}
