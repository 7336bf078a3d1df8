/**
 * The shape of a permission declaration. Each provider module (src/providers/<cloud>/*.ts) keeps a
 * `PERMISSIONS` table next to its code: for each of its provider methods, the SDK operations the
 * method may call and the cloud permission each one needs. `aegis-dr permissions` builds the IAM
 * policy, the Azure and GCP custom roles and the Kubernetes RBAC objects from these tables and from
 * the phases' declarations (src/phases/provider-calls.ts), never from what a run happened to call.
 *
 * This module imports nothing: providers, phases and the generator all depend on it.
 */

/** A cloud whose identity the generator writes a policy for. */
export type PermissionCloud = 'aws' | 'azure' | 'gcp' | 'kubernetes';

/**
 * Where an AWS permission can be narrowed to, from the plan: the generator puts that resource's
 * ARN in the statement instead of "*". Absent: the action has no resource-level permission (or
 * the resource is not known before the call), so the statement says "*" and the policy's notes why.
 */
export type AwsScope =
  | 'rds-db'
  | 'route53-hostedzone'
  | 'route53-healthcheck'
  | 'route53-change'
  | 'eks-cluster'
  | 'eks-nodegroup'
  | 'eks-addon';

/** One SDK call of a cloud API (AWS, Azure, GCP) and the permission it needs. */
export interface CloudNeed {
  cloud: 'aws' | 'azure' | 'gcp';
  /** The operation as the provider names it in `wrapSdkError` and the sandbox in its request log (DescribeDBInstances, FailoverGroups_Get, instances.get). */
  op: string;
  /**
   * The permissions: an IAM action (`rds:PromoteReadReplica`), an Azure operation
   * (`Microsoft.Sql/servers/failoverGroups/failover/action`), a GCP permission
   * (`cloudsql.instances.failover`). Azure's `{endpointType}` is the plan's traffic.endpointType.
   */
  permissions: string[];
  /** True when the call changes something in the cloud. */
  mutates: boolean;
  /** AWS: which plan resource the statement can name. */
  scope?: AwsScope;
  /** Why the permission is there when the op name does not say it (a dependent action). */
  why?: string;
}

/** One Kubernetes API call and the RBAC rule it needs (verb on group/resource[/subresource]). */
export interface KubeNeed {
  cloud: 'kubernetes';
  /** @kubernetes/client-node operation (listNamespacedPod), as the sandbox names it too. */
  op: string;
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';
  /** API group: '' for core, 'apps', 'batch', 'autoscaling', 'networking.k8s.io', 'authorization.k8s.io'. */
  group: string;
  /** Resource, with its subresource after a slash: deployments/scale, pods/proxy, pods/log. */
  resource: string;
  /** Cluster-scoped resources (nodes, selfsubjectaccessreviews) go in a ClusterRole. */
  clusterScoped?: boolean;
  mutates: boolean;
}

export type Need = CloudNeed | KubeNeed;

/** A provider module's table: provider method -> the calls it may make. */
export type ProviderPermissions = Record<string, readonly Need[]>;

/** The AWS IAM action `service:Op` of an SDK operation. */
export function aws(
  service: string,
  op: string,
  opts: { mutates?: boolean; scope?: AwsScope; extra?: string[]; why?: string } = {},
): CloudNeed {
  return {
    cloud: 'aws',
    op,
    permissions: [`${service}:${op}`, ...(opts.extra ?? [])],
    mutates: opts.mutates ?? false,
    ...(opts.scope ? { scope: opts.scope } : {}),
    ...(opts.why ? { why: opts.why } : {}),
  };
}

/** An Azure ARM operation (`FailoverGroups_Get`) and its resource provider operation(s). */
export function azure(op: string, permissions: string | string[], mutates = false): CloudNeed {
  return { cloud: 'azure', op, permissions: [permissions].flat(), mutates };
}

/** A GCP API method (`instances.failover`) and its IAM permission(s). */
export function gcp(op: string, permissions: string | string[], mutates = false, why?: string): CloudNeed {
  return { cloud: 'gcp', op, permissions: [permissions].flat(), mutates, ...(why ? { why } : {}) };
}

/** A Kubernetes API call: its verb on group/resource[/subresource]. */
export function kube(
  op: string,
  verb: KubeNeed['verb'],
  group: string,
  resource: string,
  clusterScoped = false,
): KubeNeed {
  const mutates = !['get', 'list', 'watch'].includes(verb);
  return {
    cloud: 'kubernetes',
    op,
    verb,
    group,
    resource,
    mutates,
    ...(clusterScoped ? { clusterScoped } : {}),
  };
}
