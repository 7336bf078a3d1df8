/** The kubeconfig that points kubectl and client-node at the emulated clusters. */
import { stringify as toYaml } from 'yaml';
import { type World, SITES } from '../world.js';
import { clusterPath } from './routes.js';

/** Bearer token of the sandbox kubeconfig user (any bearer token is accepted). */
export const SANDBOX_KUBE_TOKEN = 'aegis-sandbox-token';

/**
 * Kubeconfig YAML with one cluster, user binding and context per stack and site of the world
 * (contexts named `<stack>-<site>`, e.g. aws-primary, as TOPOLOGY's `contexts`), all served by the
 * emulator at `baseUrl` (`http://127.0.0.1:PORT`), with a static bearer token user.
 */
export function writeKubeconfig(baseUrl: string, world: World): string {
  const base = baseUrl.replace(/\/+$/, '');
  const clusters: unknown[] = [];
  const contexts: unknown[] = [];
  for (const stack of world.stacks.values()) {
    for (const site of SITES) {
      const name = `${stack.name}-${site}`;
      clusters.push({
        name,
        cluster: { server: `${base}${clusterPath(stack.name, site)}`, 'insecure-skip-tls-verify': true },
      });
      contexts.push({
        name,
        context: { cluster: name, user: 'aegis-sandbox', namespace: stack.sites[site].cluster.namespace },
      });
    }
  }
  const first = contexts[0] as { name: string } | undefined;
  return toYaml({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters,
    users: [{ name: 'aegis-sandbox', user: { token: SANDBOX_KUBE_TOKEN } }],
    contexts,
    'current-context': first?.name ?? '',
  });
}
