/** Object metadata shared by every kind: stable uids, timestamps, the cluster a request addresses, lists. */
import type { SiteName } from '../../plan/types.js';
import type { ClusterState, SiteWorld, StackWorld } from '../world.js';

export function uid(key: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < key.length; i++) {
    h1 = Math.imul(h1 ^ key.charCodeAt(i), 16777619) >>> 0;
    h2 = Math.imul(h2 ^ key.charCodeAt(i), 2246822519) >>> 0;
  }
  const hex = (h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0')).slice(0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8000-${hex.padEnd(12, '0').slice(0, 12)}`;
}

export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface Where {
  key: string;
  stack: StackWorld;
  site: SiteName;
  siteWorld: SiteWorld;
  cluster: ClusterState;
}

export function list(kind: string, apiVersion: string, rv: number, items: unknown[]) {
  return { kind, apiVersion, metadata: { resourceVersion: String(rv) }, items };
}
