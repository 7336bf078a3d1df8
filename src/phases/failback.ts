/**
 * `failback`: returns a stack to its primary region, composed of the other phases' bodies. Gated
 * on the primary being healthy for the plan's duration and on a zero-conflict data sync (sync):
 * primary scaled up (scale), DR fenced and drained (drain), the database back on primary
 * (database), primary unfenced, traffic back (traffic), region primary verified (verify), and DR
 * returned to standby (scale) with its fence lifted (drain).
 */
import { UserError } from '../engine/errors.js';
import { DRAIN_ANNOTATION } from '../plan/constants.js';
import { parseDuration } from '../plan/duration.js';
import { failoverDatabase } from './database.js';
import { drainSite, setDrain } from './drain.js';
import { scaleDeployments, scaleStack, sizePool } from './scale.js';
import { forEachStack } from './shared/context.js';
import { FAILED_OUTPUT, outputsOf } from './shared/inputs.js';
import { probe } from './shared/observe.js';
import { row } from './shared/rows.js';
import { switchTraffic } from './traffic.js';
import type { PhaseContext, PhaseDef, ResultRow } from './types.js';
import { verifyRows } from './verify.js';
import { clip } from '../engine/clip.js';

export const failbackPhase: PhaseDef = {
  name: 'failback',
  title: 'Failback to primary',
  description: `Gated on the primary being healthy for the plan's duration and on a zero-conflict data sync: scales the primary up, fences DR, returns the database and traffic to primary, verifies region primary, and returns DR to standby (${DRAIN_ANNOTATION} lifted).`,
  inputs: [
    {
      name: 'confirm-healthy-for',
      description:
        "How long the primary must have been healthy (e.g. 2h); default: the plan's thresholds.failbackHealthyFor.",
      default: '',
    },
    {
      name: 'skip-health-gate',
      description: 'Fail back even if the primary has not been healthy for the whole duration (drills only).',
      default: 'false',
    },
  ],
  outputs: [{ name: 'passed', description: '"true" when failback completed and verified.' }, FAILED_OUTPUT],
  async run(ctx) {
    const { ok, rows } = await forEachStack(ctx, (name) => failbackStack(ctx, name));
    return { ok, rows, outputs: { passed: String(ok), ...outputsOf(rows) } };
  },
};

export async function failbackStack(ctx: PhaseContext, name: string): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  const gate = await primaryHealthyFor(ctx, name);
  if (gate.status === 'fail' && ctx.inputs['skip-health-gate'] === 'true') {
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
  rows.push(...(await setDrain(ctx, 'failback', name, 'dr', true)));
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
  rows.push(...(await setDrain(ctx, 'failback', name, 'primary', false)));
  // 5. traffic back, 6. verify region primary
  rows.push(...(await switchTraffic(ctx, 'failback', name, 'primary')));
  rows.push(...(await verifyRows(ctx, name, 'primary')));
  // 7. DR back to standby: replicas, node pool, and the fence lifted (its database is a replica again)
  const [deps, pool] = await Promise.all([
    scaleDeployments(ctx, 'failback', name, 'dr', 'standby'),
    sizePool(ctx, 'failback', name, 'dr', 'standby', false),
  ]);
  rows.push(...deps, ...pool);
  rows.push(...(await setDrain(ctx, 'failback', name, 'dr', false)));
  return rows;
}

/** Was the primary healthy for the plan's duration? (Prometheus min_over_time of its health) */
async function primaryHealthyFor(ctx: PhaseContext, name: string): Promise<ResultRow> {
  const stack = ctx.plan.stack(name);
  const wanted = ctx.inputs['confirm-healthy-for'];
  let ms = ctx.plan.limits.failbackHealthyForMs;
  if (wanted) {
    try {
      ms = parseDuration(wanted);
    } catch {
      throw new UserError(
        `input confirm-healthy-for is "${clip(wanted)}": expected a duration such as 2h or 90m.`,
      );
    }
  }
  const q = ctx.plan.doc.prometheus!.queries.primaryHealthy.replace(
    /\[[0-9]+(ms|s|m|h)\]/g,
    `[${Math.round(ms / 1000)}s]`,
  );
  const samples = await probe(ctx, () => ctx.env.prometheus().query(q));
  const s = samples.find(
    (x) =>
      (x.labels.stack ?? name) === name && (!x.labels.region || x.labels.region === stack.primary.region),
  );
  const hours = +(ms / 3_600_000).toFixed(2);
  const ok = s !== undefined && s.value >= 1;
  return row(
    name,
    'Primary healthy',
    ok ? 'pass' : 'fail',
    s ? `lowest primary health over ${hours} h: ${s.value}` : `no primary health series over ${hours} h`,
  );
}
