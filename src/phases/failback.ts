/**
 * `failback`: returns a stack to its primary region, composed of the other phases' bodies; this
 * module owns the whole order. Gated on the primary being healthy for the plan's duration and on a
 * zero-conflict data sync (sync). RDS / Cloud SQL: a healthy replica of the DR writer in the
 * primary region must exist (built by reprotect) before anything is touched. Then: the recovered
 * primary fenced before capacity comes up there (drain), primary scaled up (scale), DR fenced and
 * drained (drain), replication lag 0, the primary-region replica promoted (database: a planned
 * switchover), primary unfenced, traffic back (traffic), region primary verified (verify), and
 * only then DR back to standby (scale). DR stays fenced on RDS / Cloud SQL (its old writer is an
 * orphan that accepts writes) until the reverse reprotect lifts it; Azure lifts it at once.
 */
import { DRAIN_ANNOTATION } from '../plan/constants.js';
import { failoverDatabase } from './database.js';
import { applyFence, drainSite, liftFence } from './drain.js';
import { scaleDeployments, scaleStack, sizePool } from './scale.js';
import { allSteps, forEachStack } from './shared/context.js';
import { healthyForMs, journalGateOverride, OVERRIDE_REASON_INPUT, primaryHealthyFor } from './recovered.js';
import { DeadlineError } from '../engine/errors.js';
import { formatMs, pollUntil } from '../engine/step.js';
import { replicaIn } from '../providers/topology.js';
import { CLASS_INPUT, FAILED_OUTPUT, outputsOf } from './shared/inputs.js';
import { observe, probe, sampleFor } from './shared/observe.js';
import { row } from './shared/rows.js';
import { cloudLag, LAG_STALE_MS } from './shared/rpo.js';
import { switchTraffic } from './traffic.js';
import type { PhaseContext, PhaseDef, ResultRow } from './types.js';
import { verifyRows } from './verify.js';
import { bindWriter } from './shared/binding.js';

export const failbackPhase: PhaseDef = {
  name: 'failback',
  title: 'Failback to primary',
  description: `Gated on the primary being healthy for the plan's duration, on a zero-conflict data sync and (RDS, Cloud SQL) on a healthy replica in the primary region built by reprotect: fences the primary, scales it up, fences and drains DR, waits for replication lag 0, switches the database over, moves traffic back, verifies region primary, then returns DR to standby (Azure: ${DRAIN_ANNOTATION} lifted; RDS, Cloud SQL: DR stays fenced until reprotect).`,
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
  const stack = ctx.plan.stack(name);
  const azure = stack.database.type === 'azure-sql';
  const synced = ctx.run.journal.records.some(
    (r) =>
      r.phase === 'sync' &&
      r.step === 'execute' &&
      r.stack === name &&
      r.data?.succeeded === true &&
      r.data?.conflicts === 0,
  );
  if (!synced && !azure) {
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
  // 0. RDS / Cloud SQL: the database can come back only through a healthy replica of the DR writer
  // in the primary region (a promoted replica never becomes a replica again): checked before
  // anything is fenced, drained or scaled.
  let switched = false;
  if (!azure) {
    const ready = await switchoverReady(ctx, name);
    rows.push(ready.row);
    if (ready.row.status === 'fail') return rows;
    switched = ready.switched;
  }
  // A re-run after the switchover (the writer is on primary already) goes on from step 6: the
  // primary was scaled and DR fenced before the promotion, and fencing the primary again would
  // stop its writes for nothing.
  if (!switched) {
    // 1. fence the recovered primary before any capacity comes up there, 2. scale it up while DR serves
    rows.push(...(await applyFence(ctx, 'failback', name, 'primary')));
    rows.push(...(await scaleStack(ctx, 'failback', name, 'primary')));
    // 3. fence and drain DR: from here nothing writes
    rows.push(...(await applyFence(ctx, 'failback', name, 'dr')));
    rows.push(...(await drainSite(ctx, 'failback', name, 'dr')));
  }
  const failed = (rs: ResultRow[]) => rs.some((r) => r.status === 'fail');
  // 4. replication caught up (lag 0), 5. the planned switchover (promote the primary-region replica)
  const db: ResultRow[] = azure || switched ? [] : await caughtUp(ctx, name);
  if (!failed(db))
    db.push(
      ...(await failoverDatabase(ctx, 'failback', name, 'primary', azure ? 'planned' : 'cross-region')),
    );
  rows.push(...db);
  if (failed(db)) {
    // the writer is still on DR: give the service its writer back rather than leave none
    rows.push(...(await liftFence(ctx, 'failback', name, 'dr')));
    return rows;
  }
  // repoint the primary's application at its writer while it is still fenced (shared/binding.ts)
  const bound = await bindWriter(ctx, 'failback', name, 'primary');
  rows.push(...bound);
  if (failed(bound)) return rows;
  // 6. unfence primary, 7. traffic back, 8. verify region primary
  rows.push(...(await liftFence(ctx, 'failback', name, 'primary')));
  rows.push(...(await switchTraffic(ctx, 'failback', name, 'primary')));
  const verified = await verifyRows(ctx, name, 'primary');
  rows.push(...verified);
  if (failed(verified)) return rows;
  // 9. DR back to standby, only after the primary verified
  const [deps, pool] = await allSteps<[ResultRow[], ResultRow[]]>([
    scaleDeployments(ctx, 'failback', name, 'dr', 'standby'),
    sizePool(ctx, 'failback', name, 'dr', 'standby', false),
  ]);
  rows.push(...deps, ...pool);
  // Azure: the failover group made DR the secondary by itself, and a Cloud SQL advanced-DR
  // switchover made DR's old writer the primary's DR replica: DR's fence is lifted. RDS / Cloud
  // SQL otherwise: DR's old writer is an orphan that accepts writes; DR stays fenced until the
  // reverse reprotect has built a replica of the primary writer there, which lifts it.
  const database = ctx.plan.stack(name).database;
  if (azure || (database.type === 'cloud-sql' && database.advancedDr))
    rows.push(...(await liftFence(ctx, 'failback', name, 'dr')));
  else
    rows.push(
      row(
        name,
        'DR fence',
        'warn',
        `DR stays fenced: run reprotect to build a replica of the primary writer in DR; it lifts the fence once the replica is healthy.`,
      ),
    );
  return rows;
}

/**
 * Can the database come back to the primary region? Yes when the writer is there already (a
 * re-run) or a healthy replica of the DR writer is there, by the cloud's own topology.
 */
export async function switchoverReady(
  ctx: PhaseContext,
  name: string,
): Promise<{ row: ResultRow; switched: boolean }> {
  const stack = ctx.plan.stack(name);
  const providers = await ctx.env.providers(name);
  const s = await probe(ctx, () => providers.database.describe(), undefined, {
    deadlineMs: ctx.plan.limits.deadlinesMs.database,
  });
  const t = s.topology;
  const w = t?.writer;
  observe(ctx, 'failback', 'switchover-ready', name, `${stack.database.type}:${w?.id ?? 'unknown'}`, {
    writer: w?.id,
    writerSite: s.writer,
    replicas: t?.replicas.map((r) => ({ id: r.id, site: r.site, healthy: r.healthy, status: r.status })),
  });
  if (s.writer === 'primary')
    return {
      switched: true,
      row: row(
        name,
        'Switchover ready',
        'pass',
        `the writer ${w?.id ?? ''} is on the primary region already`,
      ),
    };
  const replica = replicaIn(t, 'primary');
  if (replica?.healthy)
    return {
      switched: false,
      row: row(
        name,
        'Switchover ready',
        'pass',
        `replica ${replica.id} of ${w?.id} in ${stack.primary.region} is healthy`,
      ),
    };
  const seen = (t?.replicas ?? []).filter((r) => r.site === 'primary');
  const fail = row(
    name,
    'Switchover ready',
    'fail',
    `the writer ${w?.id ?? 'unknown'} has no healthy replica in ${stack.primary.region}${seen.length ? ` (${seen.map((r) => `${r.id}: ${r.status}`).join(', ')})` : ''}: run reprotect first and wait until it reports the replica healthy, then run failback again (nothing was fenced, drained or scaled).`,
  );
  return { row: fail, switched: false };
}

/**
 * Wait, with nothing writing, until the primary-region replica has caught up: the cloud says it
 * replicates and the replication lag reads 0, as the cloud's monitoring measures it (CloudWatch
 * ReplicaLag, Cloud Monitoring replica_lag: a datapoint newer than the stale limit) or, where the
 * cloud reports none, the plan's Prometheus query (site primary); bounded by the database deadline.
 */
async function caughtUp(ctx: PhaseContext, name: string): Promise<ResultRow[]> {
  const providers = await ctx.env.providers(name);
  const deadline = ctx.plan.limits.deadlinesMs.database;
  const query = ctx.plan.doc.prometheus?.queries.replicationLag;
  let last: { lag?: number; healthy?: boolean; by?: string } = {};
  if (ctx.run.dryRun)
    return [
      row(
        name,
        'Replication caught up',
        'would-do',
        'would wait for replication lag 0 to the primary-region replica',
      ),
    ];
  try {
    await pollUntil(
      ctx.run,
      `${name}: replication lag 0 to the primary-region replica`,
      async () => {
        const s = await providers.database.describe();
        if (s.writer === 'primary') return true; // a re-run after the switchover
        const healthy = replicaIn(s.topology, 'primary')?.healthy === true;
        let lag: number | undefined;
        let by: string | undefined;
        const { reading } = await cloudLag(ctx, name, 'primary');
        if (reading && Date.now() - reading.observedAt.getTime() <= LAG_STALE_MS) {
          lag = reading.seconds;
          by = reading.source;
        } else if (query) {
          const samples = await ctx.env.prometheus().query(query);
          lag = sampleFor(
            samples.filter((x) => x.labels.site === 'primary'),
            name,
            ctx.plan.stack(name),
          )?.value;
          by = 'prometheus';
        }
        last = { lag, healthy, by };
        return healthy && (by === undefined || lag === 0) ? true : undefined;
      },
      deadline,
    );
  } catch (err) {
    if (!(err instanceof DeadlineError)) throw err;
    return [
      row(
        name,
        'Replication caught up',
        'fail',
        `the primary-region replica did not catch up within ${formatMs(deadline)} (replicating: ${last.healthy ?? 'unknown'}, lag: ${last.lag !== undefined ? `${last.lag} s by ${last.by}` : 'not reported'}): DR's fence is lifted again; check replication, then run failback again.`,
      ),
    ];
  }
  observe(ctx, 'failback', 'caught-up', name, `database`, {
    lagSeconds: last.lag ?? 0,
    measuredBy: last.by ?? 'cloud replica status',
  });
  return [
    row(
      name,
      'Replication caught up',
      'pass',
      last.by
        ? `replication lag 0 with DR fenced (measured by ${last.by})`
        : 'replica replicating with DR fenced (no lag reported by the cloud, no lag query in the plan)',
    ),
  ];
}
