/**
 * `failback`: returns a stack to its primary region, composed of the other phases' bodies. Gated
 * on the primary being healthy for the plan's duration and on a zero-conflict data sync (sync):
 * primary scaled up (scale), DR fenced and drained (drain), the database back on primary
 * (database), primary unfenced, traffic back (traffic), region primary verified (verify), and DR
 * returned to standby (scale) with its fence lifted (drain).
 */
import { DRAIN_ANNOTATION } from '../plan/constants.js';
import { failoverDatabase } from './database.js';
import { applyFence, drainSite, liftFence } from './drain.js';
import { scaleDeployments, scaleStack, sizePool } from './scale.js';
import { forEachStack } from './shared/context.js';
import { healthyForMs, journalGateOverride, OVERRIDE_REASON_INPUT, primaryHealthyFor } from './recovered.js';
import { CLASS_INPUT, FAILED_OUTPUT, outputsOf } from './shared/inputs.js';
import { row } from './shared/rows.js';
import { switchTraffic } from './traffic.js';
import type { PhaseContext, PhaseDef, ResultRow } from './types.js';
import { verifyRows } from './verify.js';

export const failbackPhase: PhaseDef = {
  name: 'failback',
  title: 'Failback to primary',
  description: `Gated on the primary being healthy for the plan's duration and on a zero-conflict data sync: scales the primary up, fences DR, returns the database and traffic to primary, verifies region primary, and returns DR to standby (${DRAIN_ANNOTATION} lifted).`,
  inputs: [
    {
      name: 'confirm-healthy-for',
      kind: 'duration',
      description:
        "How long the primary must have been healthy (e.g. 2h); default: the plan's thresholds.failbackHealthyFor.",
      default: '',
    },
    {
      name: 'skip-health-gate',
      kind: 'boolean',
      description:
        'Fail back even if the primary has not been healthy for the whole duration (drills only); needs override-reason, journaled with the actor.',
      default: 'false',
    },
    OVERRIDE_REASON_INPUT,
    CLASS_INPUT,
  ],
  outputs: [{ name: 'passed', description: '"true" when failback completed and verified.' }, FAILED_OUTPUT],
  async run(ctx) {
    // The gate first: a shortened or skipped gate is an override, refused without a reason and
    // journaled with who and why before anything is contacted.
    const gate = healthyForMs(ctx);
    const skip = ctx.inputs['skip-health-gate'] === 'true';
    if (gate.override || skip) journalGateOverride(ctx, 'failback', skip ? 0 : gate.ms);
    const { ok, rows } = await forEachStack(ctx, (name) => failbackStack(ctx, name, gate.ms, skip));
    return { ok, rows, outputs: { passed: String(ok), ...outputsOf(rows) } };
  },
};

export async function failbackStack(
  ctx: PhaseContext,
  name: string,
  gateMs = ctx.plan.limits.failbackHealthyForMs,
  skipGate = ctx.inputs['skip-health-gate'] === 'true',
): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  const gate = await primaryHealthyFor(ctx, name, gateMs);
  if (gate.status === 'fail' && skipGate) {
    rows.push({ ...gate, status: 'warn', detail: `${gate.detail}; gate skipped (skip-health-gate)` });
  } else {
    rows.push(gate);
    if (gate.status === 'fail') return rows;
  }
  const synced = ctx.run.journal.records.some(
    (r) =>
      r.phase === 'sync' &&
      r.step === 'execute' &&
      r.stack === name &&
      r.data?.succeeded === true &&
      r.data?.conflicts === 0,
  );
  if (!synced && ctx.plan.stack(name).database.type !== 'azure-sql') {
    rows.push(
      row(
        name,
        'Data sync',
        'fail',
        'no successful sync with zero conflicts in the journal: run sync with mode dry-run, then execute, before failback.',
      ),
    );
    return rows;
  }
  // 1. primary up to production capacity while DR still serves
  rows.push(...(await scaleStack(ctx, 'failback', name, 'primary')));
  // 2. fence DR, 3. database back to primary, 4. unfence primary
  rows.push(...(await applyFence(ctx, 'failback', name, 'dr')));
  rows.push(...(await drainSite(ctx, 'failback', name, 'dr')));
  const stack = ctx.plan.stack(name);
  rows.push(
    ...(await failoverDatabase(
      ctx,
      'failback',
      name,
      'primary',
      stack.database.type === 'azure-sql' ? 'planned' : 'cross-region',
    )),
  );
  rows.push(...(await liftFence(ctx, 'failback', name, 'primary')));
  // 5. traffic back, 6. verify region primary
  rows.push(...(await switchTraffic(ctx, 'failback', name, 'primary')));
  rows.push(...(await verifyRows(ctx, name, 'primary')));
  // 7. DR back to standby: replicas, node pool, and the fence lifted (its database is a replica again)
  const [deps, pool] = await Promise.all([
    scaleDeployments(ctx, 'failback', name, 'dr', 'standby'),
    sizePool(ctx, 'failback', name, 'dr', 'standby', false),
  ]);
  rows.push(...deps, ...pool);
  rows.push(...(await liftFence(ctx, 'failback', name, 'dr')));
  return rows;
}
