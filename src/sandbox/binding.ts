/**
 * Endpoint binding in the sandbox: how a site's application finds its database writer, and where
 * its writes really go.
 *
 * - A stack with a `binding` names a ConfigMap or Secret key holding the writer's endpoint (RDS:
 *   the instance endpoint address; Cloud SQL: the instance's private IP). Each pod reads it once,
 *   when it starts: a ConfigMap or Secret consumed as an environment variable is not updated while
 *   the pod runs, only a new pod (a rollout restart) sees a new value
 *   (https://kubernetes.io/docs/concepts/configuration/configmap/#configmaps-consumed-as-environment-variables-are-not-updated-automatically,
 *   https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-environment-variables).
 * - A pod bound to the writer writes; bound to a replica, its writes fail (the replica is
 *   read-only); bound to an instance whose region is down, they fail (no connection); bound to an
 *   orphan (an old writer a promotion left standalone), they succeed on the orphan, where nothing
 *   replicates them: the write probe reports the host it wrote to, so verify tells the two apart.
 * - A stack without a binding keeps the older model (`boundInstance` in dbtopology.ts: the app
 *   finds the writer by itself), as an Azure failover group's listener does.
 */
import { createHash } from 'node:crypto';
import type { DbInstanceWorld } from './dbtopology.js';
import type { ClusterState, PodState, SiteWorld, StackWorld } from './world.js';

/** Where a stack's application reads its writer endpoint from (the plan's `database.binding`). */
export interface BindingWorld {
  kind: 'configmap' | 'secret';
  name: string;
  key: string;
}

/** The default sandbox binding of a stack: RDS in a ConfigMap, Cloud SQL in a Secret. */
export function defaultBinding(kind: 'rds' | 'azure-sql' | 'cloud-sql'): BindingWorld | undefined {
  if (kind === 'rds') return { kind: 'configmap', name: 'aegis-db', key: 'writer.host' };
  if (kind === 'cloud-sql') return { kind: 'secret', name: 'aegis-db', key: 'writer.host' };
  return undefined;
}

/**
 * The endpoint an instance answers on: the RDS endpoint address
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ConnectToInstance.html), or the
 * Cloud SQL instance's private IP (`ipAddresses[type=PRIVATE]`,
 * https://cloud.google.com/sql/docs/mysql/admin-api/rest/v1beta4/instances#IpMapping).
 */
export function instanceHost(stack: StackWorld, inst: Pick<DbInstanceWorld, 'id' | 'site'>): string {
  const region = stack.sites[inst.site].region;
  if (stack.database.kind === 'rds') return `${inst.id}.c0sandbox.${region}.rds.aegis.test`;
  const h = createHash('sha256').update(`${stack.name}/${inst.id}`).digest();
  return `10.${inst.site === 'primary' ? 201 : 202}.${h[0]}.${(h[1] % 250) + 2}`;
}

/** The instance answering on `host`, if any. */
export function instanceAt(stack: StackWorld, host: string | undefined): DbInstanceWorld | undefined {
  if (!host) return undefined;
  return [...(stack.database.instances?.values() ?? [])].find((i) => instanceHost(stack, i) === host);
}

/** The binding's current value in a cluster (what a pod starting now reads). */
export function bindingValue(stack: StackWorld, cluster: ClusterState): string | undefined {
  const b = stack.binding;
  if (!b) return undefined;
  const data = b.kind === 'configmap' ? cluster.configMaps.get(b.name) : cluster.secrets.get(b.name);
  return data?.[b.key];
}

/** Create the binding's object in both sites, pointing at the current writer. */
export function seedBinding(stack: StackWorld, binding: BindingWorld): void {
  stack.binding = binding;
  const writer = stack.database.writerId ? stack.database.instances?.get(stack.database.writerId) : undefined;
  if (!writer) return;
  for (const site of Object.values(stack.sites) as SiteWorld[]) {
    const map = binding.kind === 'configmap' ? site.cluster.configMaps : site.cluster.secrets;
    map.set(binding.name, { ...(map.get(binding.name) ?? {}), [binding.key]: instanceHost(stack, writer) });
  }
}

export type WriteTarget =
  | { ok: true; host?: string; instance?: string; orphan: boolean }
  | { ok: false; host?: string; reason: string };

/**
 * Where one pod's writes go. Without a binding: the site's bound instance (the older model).
 * With one: the instance its endpoint, read at start, names.
 */
export function podWriteTarget(stack: StackWorld, pod: PodState): WriteTarget {
  if (!stack.binding) return { ok: true, orphan: false };
  const host = pod.dbHost;
  const inst = instanceAt(stack, host);
  if (!inst)
    return { ok: false, host, reason: `no database answers on ${host ?? '(no endpoint configured)'}` };
  if (!stack.sites[inst.site].up)
    return { ok: false, host, reason: `${host} does not answer (its region is down)` };
  if (inst.status === 'creating') return { ok: false, host, reason: `${host} is still being created` };
  if (inst.source)
    return {
      ok: false,
      host,
      reason: `${host} is a read replica: cannot execute INSERT in a read-only transaction`,
    };
  return { ok: true, host, instance: inst.id, orphan: inst.id !== stack.database.writerId };
}
