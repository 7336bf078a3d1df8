/**
 * Client connections of a site as the app would report them. After the drain annotation is set
 * (`site.drainStartedAt`), open connections decay linearly to zero over 20 cloud seconds and stay
 * there; before that the site's `connections` count is reported as is. The Kubernetes emulator's
 * pod proxy and the app emulator both read this, so they always agree.
 */
import type { SiteWorld, World } from './world.js';

/** Cloud seconds a draining site takes to lose all its open connections. */
export const DRAIN_CLOUD_SECONDS = 20;

/** Open client connections of `site` right now (whole site, all pods together). */
export function activeConnections(world: World, site: SiteWorld): number {
  if (site.drainStartedAt === undefined) return site.connections;
  const start = site.connectionsAtDrain ?? site.connections;
  const total = world.realMs(DRAIN_CLOUD_SECONDS);
  const elapsed = world.now() - site.drainStartedAt;
  if (total <= 0 || elapsed >= total) return 0;
  return Math.max(0, Math.ceil(start * (1 - elapsed / total)));
}

/**
 * One pod's share of `total` connections among `pods` pods: the remainder goes to the first pods,
 * so the shares always add up to `total`.
 */
export function connectionShare(total: number, pods: number, index: number): number {
  if (pods <= 0 || index < 0 || index >= pods) return 0;
  return Math.floor(total / pods) + (index < total % pods ? 1 : 0);
}
