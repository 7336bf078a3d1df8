/**
 * The failover pipeline for an incident class: per stack, and every stack at once,
 *   declare (fence primary, start the DR node pool) ->
 *     [drain -> database]  in parallel with  [scale: node pool Ready + deployments rolled out]
 *   -> traffic (only after the database is promoted and the DR deployments are available)
 *   -> verify.
 * Database corruption stays in the primary region (in-region HA failover), so it verifies there.
 */
import type { ResolvedIncidentClass, SiteName } from '../plan/types.js';
import { failoverDatabase } from '../phases/database.js';
import { declareStack } from '../phases/declare.js';
import { drainSite } from '../phases/drain.js';
import { scaleStack } from '../phases/scale.js';
import { servingSite } from '../phases/incident.js';
import { allSteps, forEachStack } from '../phases/shared/context.js';
import { bindWriter } from '../phases/shared/binding.js';
import { row } from '../phases/shared/rows.js';
import { switchTraffic } from '../phases/traffic.js';
import type { PhaseContext, ResultRow } from '../phases/types.js';
import { verifyRows } from '../phases/verify.js';

export { servingSite };

export async function failoverStack(
  ctx: PhaseContext,
  name: string,
  cls: ResolvedIncidentClass,
): Promise<ResultRow[]> {
  const has = (p: string) => cls.phases.includes(p as never);
  const target = servingSite(cls);
  const rows: ResultRow[] = [];
  if (has('declare')) rows.push(...(await declareStack(ctx, name)));
  const dbTarget: SiteName = ['in-region', 'point-in-time'].includes(cls.databaseMode) ? 'primary' : 'dr';
  const [dbRows, scaleRows] = await allSteps<[ResultRow[], ResultRow[]]>([
    (async () => {
      const r: ResultRow[] = [];
      if (has('drain')) r.push(...(await drainSite(ctx, 'drain', name, 'primary')));
      if (has('database'))
        r.push(...(await failoverDatabase(ctx, 'database', name, dbTarget, cls.databaseMode)));
      return r;
    })(),
    has('scale') ? scaleStack(ctx, 'scale', name, 'dr') : Promise.resolve([]),
  ]);
  rows.push(...dbRows, ...scaleRows);
  // repoint the application at the new writer once the serving site has its capacity
  if (has('database') && !dbRows.some((r) => r.status === 'fail'))
    rows.push(...(await bindWriter(ctx, 'database', name, target)));
  if (has('traffic')) rows.push(...(await switchTraffic(ctx, 'traffic', name, target)));
  rows.push(...(await verifyRows(ctx, name, target)));
  return rows;
}

export async function runFailover(
  ctx: PhaseContext,
  cls: ResolvedIncidentClass,
): Promise<{ ok: boolean; rows: ResultRow[] }> {
  return forEachStack(ctx, async (name) => {
    try {
      return await failoverStack(ctx, name, cls);
    } catch (err) {
      return [row(name, 'failover', 'fail', (err as Error).message)];
    }
  });
}
