/**
 * Orphaned databases: after a promotion (RDS PromoteReadReplica, Cloud SQL promoteReplica) the
 * old writer is a standalone instance that still accepts writes, and nothing replicates them. The
 * tool never deletes it: it journals it (instance, region, the time from which it may hold writes
 * that never replicated) so the report lists it for a person to reconcile and retire.
 */
import type { DatabaseState } from '../../providers/types.js';
import type { PhaseContext } from '../types.js';
import { observe } from './observe.js';

/**
 * Journal the writer `before` held as an orphan when `after` shows another writer. `since` is
 * when it stopped being the writer, moved back by the replication lag at promotion (writes it
 * took in that window may never have reached the new writer).
 */
export function journalOrphan(
  ctx: PhaseContext,
  phase: string,
  name: string,
  before: DatabaseState,
  after: DatabaseState | undefined,
  promotedAt: Date,
  lagSeconds: number | undefined,
): void {
  const old = before.topology?.writer;
  const now = after?.topology?.writer;
  if (!old || !now || old.id === now.id) return;
  const region = ctx.plan.stack(name)[old.site === 'dr' ? 'dr' : 'primary'].region;
  const since = new Date(promotedAt.getTime() - Math.round((lagSeconds ?? 0) * 1000));
  observe(ctx, phase, 'orphan', name, `database:${old.id}`, {
    instance: old.id,
    site: old.site,
    region,
    since: since.toISOString(),
    writer: now.id,
    lagSecondsAtPromotion: lagSeconds,
  });
}
