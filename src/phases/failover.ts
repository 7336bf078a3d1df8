/**
 * The failover and failback phases as actions: declare, drain, database, scale, traffic, verify,
 * sync and failback. Each works on every stack of the run at once and is safe to re-run.
 */
import { UserError } from '../engine/errors.js';
import { parseDuration } from '../plan/duration.js';
import type { DatabaseMode } from '../plan/types.js';
import {
  DRAIN_ANNOTATION,
  forEachStack,
  incidentClass,
  observe,
  otherSite,
  perStackOutput,
  probe,
  row,
  targetSite,
} from './common.js';
import { runJob, verifyRows } from './verify.js';
import { drainSite, failoverDatabase, scaleDeployments, setDrain, sizePool, switchTraffic } from './steps.js';
import type { InputDef, PhaseContext, PhaseDef, ResultRow } from './types.js';

const CLASS_INPUT: InputDef = {
  name: 'incident-class',
  description:
    'region-outage, database-corruption, network-partition or compute-failure (selects phases, database mode, RTO/RPO).',
  default: 'region-outage',
};
const TARGET_INPUT: InputDef = {
  name: 'target',
  description: 'The site to move to: dr (failover) or primary (failback).',
  default: 'dr',
};

function outputsOf(rows: ResultRow[]): Record<string, string> {
  return {
    'failed-items': rows
      .filter((r) => r.status === 'fail')
      .map((r) => `${r.stack}/${r.item}`)
      .join(','),
  };
}

const FAILED_OUTPUT = { name: 'failed-items', description: 'Comma-separated stack/item names that failed.' };

export const declarePhase: PhaseDef = {
  name: 'declare',
  title: 'Declare failover',
  description:
    'Opens the failover (incident class, reason, target), fences the primary by setting the drain annotation on its deployments, and starts the DR node pool growing at once.',
  inputs: [
    CLASS_INPUT,
    {
      name: 'reason',
      description: 'Why the failover is declared (journal, report, notifications).',
      default: '',
    },
  ],
  outputs: [
    { name: 'incident-class', description: 'The incident class declared.' },
    { name: 'rto', description: 'RTO target of the class, in seconds.' },
    { name: 'rpo', description: 'RPO target of the class, in seconds.' },
    FAILED_OUTPUT,
  ],
  async run(ctx) {
    const cls = incidentClass(ctx);
    const reason = ctx.inputs['reason'] || 'not given';
    const { ok, rows } = await forEachStack(ctx, (name) => declareStack(ctx, name));
    return {
      ok,
      rows,
      outputs: {
        'incident-class': cls.name,
        rto: String(cls.rtoMs / 1000),
        rpo: String(cls.rpoMs / 1000),
        ...outputsOf(rows),
      },
      markdown: `Declared **${cls.name}** (RTO ${cls.rtoMs / 60000} min, RPO ${cls.rpoMs / 60000} min): ${reason}`,
    };
  },
};

export async function declareStack(ctx: PhaseContext, name: string): Promise<ResultRow[]> {
  const cls = incidentClass(ctx);
  observe(ctx, 'declare', 'incident', name, name, {
    incidentClass: cls.name,
    reason: ctx.inputs['reason'] || 'not given',
    target: 'dr',
    rtoMs: cls.rtoMs,
    rpoMs: cls.rpoMs,
    phases: cls.phases,
  });
  const rows: ResultRow[] = [
    row(name, 'Incident', 'info', `${cls.name}: ${ctx.inputs['reason'] || 'no reason given'}`),
  ];
  const fenceNeeded = cls.phases.includes('database') || cls.phases.includes('traffic');
  const [fence, pool] = await Promise.all([
    fenceNeeded ? setDrain(ctx, 'declare', name, 'primary', true) : Promise.resolve([]),
    cls.phases.includes('scale')
      ? sizePool(ctx, 'declare', name, 'dr', 'active', false)
      : Promise.resolve([]),
  ]);
  return [...rows, ...fence, ...pool];
}

export const drainPhase: PhaseDef = {
  name: 'drain',
  title: 'Drain in-flight requests',
  description:
    'Waits until active connections on every primary pod reach zero (read through the Kubernetes pod proxy, summed over pods) within the plan deadline.',
  inputs: [TARGET_INPUT],
  outputs: [FAILED_OUTPUT],
  async run(ctx) {
    const from = otherSite(targetSite(ctx));
    const { ok, rows } = await forEachStack(ctx, (name) => drainSite(ctx, 'drain', name, from));
    return { ok, rows, outputs: outputsOf(rows) };
  },
};

export function databaseMode(ctx: PhaseContext): DatabaseMode {
  const m = ctx.inputs['database-mode'];
  if (m) {
    if (!['in-region', 'cross-region', 'planned', 'forced'].includes(m)) {
      throw new UserError(
        `input database-mode is "${m}": expected in-region, cross-region, planned or forced.`,
      );
    }
    return m as DatabaseMode;
  }
  return incidentClass(ctx).databaseMode;
}

export const databasePhase: PhaseDef = {
  name: 'database',
  title: 'Database failover',
  description:
    'Fails the database over (RDS Multi-AZ or replica promotion, Azure SQL failover group, Cloud SQL HA or replica promotion) after reading the current primary; refuses while the old primary accepts writes; records the RPO.',
  inputs: [
    CLASS_INPUT,
    TARGET_INPUT,
    {
      name: 'database-mode',
      description: 'Override of the class mode: in-region, cross-region, planned or forced.',
      default: '',
    },
    {
      name: 'allow-data-loss',
      description: 'Allow an Azure forced failover (data loss) when the primary is unreachable.',
      default: 'false',
    },
    {
      name: 'reason',
      description: 'Why the database is failed over (recorded in the journal).',
      default: '',
    },
  ],
  outputs: [
    FAILED_OUTPUT,
    {
      name: 'rpo-seconds',
      description: 'Replication lag at promotion per stack, "stack=seconds" comma-separated.',
    },
  ],
  async run(ctx) {
    const target = targetSite(ctx);
    const mode = databaseMode(ctx);
    const { ok, rows } = await forEachStack(ctx, (name) =>
      failoverDatabase(ctx, 'database', name, target, mode),
    );
    const rpo = perStackOutput(
      ctx,
      (r) => r.phase === 'database' && r.step === 'failover' && r.data?.rpoSeconds !== undefined,
      (r) => (r.data!.rpoSeconds as number).toFixed(1),
    );
    return { ok, rows, outputs: { ...outputsOf(rows), 'rpo-seconds': rpo } };
  },
};

export async function scaleStack(
  ctx: PhaseContext,
  phase: string,
  name: string,
  site: 'primary' | 'dr',
): Promise<ResultRow[]> {
  const [pool, deps] = await Promise.all([
    sizePool(ctx, phase, name, site, 'active', true),
    scaleDeployments(ctx, phase, name, site, 'active'),
  ]);
  return [...pool, ...deps];
}

export const scalePhase: PhaseDef = {
  name: 'scale',
  title: 'Scale the target cluster',
  description:
    'Grows the target node pool (EKS nodegroup, AKS node pool, GKE node pool) and waits for the nodes to be Ready, then scales the deployments to production replicas and waits for the rollout.',
  inputs: [TARGET_INPUT],
  outputs: [FAILED_OUTPUT],
  async run(ctx) {
    const target = targetSite(ctx);
    const { ok, rows } = await forEachStack(ctx, (name) => scaleStack(ctx, 'scale', name, target));
    return { ok, rows, outputs: outputsOf(rows) };
  },
};

export const trafficPhase: PhaseDef = {
  name: 'traffic',
  title: 'Traffic switch',
  description:
    'Moves traffic to the target (Route 53 UPSERT and primary health check, Traffic Manager endpoints, Cloud DNS record), waits for the change, and confirms through DNS queries.',
  inputs: [TARGET_INPUT],
  outputs: [FAILED_OUTPUT],
  async run(ctx) {
    const target = targetSite(ctx);
    const { ok, rows } = await forEachStack(ctx, (name) => switchTraffic(ctx, 'traffic', name, target));
    return { ok, rows, outputs: outputsOf(rows) };
  },
};

export const verifyPhase: PhaseDef = {
  name: 'verify',
  title: 'Post-failover verification',
  description:
    'Checks the serving site: API health and region, deployments available, 5xx rate under the threshold, data integrity Job, policy engine health, and an end-to-end scan.',
  inputs: [TARGET_INPUT],
  outputs: [{ name: 'passed', description: '"true" when every check passed.' }, FAILED_OUTPUT],
  async run(ctx) {
    const target = targetSite(ctx);
    const { ok, rows } = await forEachStack(ctx, (name) => verifyRows(ctx, name, target));
    return { ok, rows, outputs: { passed: String(ok), ...outputsOf(rows) } };
  },
};

/** Parse "conflicts: N" (or JSON {"conflicts": N}) from the sync job's log. */
export function parseConflicts(logs: string): number | undefined {
  const m = /"?conflicts"?\s*[:=]\s*(\d+)/i.exec(logs);
  return m ? Number(m[1]) : undefined;
}

export async function syncStack(
  ctx: PhaseContext,
  name: string,
  mode: 'dry-run' | 'execute',
): Promise<ResultRow[]> {
  const job = ctx.plan.doc.application.syncJob;
  const command = [...job.command, mode === 'execute' ? '--execute' : '--dry-run'];
  if (ctx.run.dryRun && mode === 'execute') {
    return [
      row(name, 'Data sync', 'would-do', `would run ${command.join(' ')} as a Job on the primary cluster`),
    ];
  }
  const r = await runJob(ctx, name, 'primary', `sync-${mode}`, job.image, command);
  const conflicts = parseConflicts(r.logs);
  observe(ctx, 'sync', mode, name, `k8s:primary/job/${r.job}`, {
    succeeded: r.succeeded,
    conflicts,
    logTail: r.logs.slice(-500),
  });
  const ok = r.succeeded && conflicts === 0;
  return [
    row(
      name,
      `Data sync (${mode})`,
      ok ? 'pass' : 'fail',
      `job ${r.job} ${r.succeeded ? 'succeeded' : 'failed'}; conflicts: ${conflicts ?? 'not reported'}${ok ? '' : ' (failback stops unless the sync reports zero conflicts)'}`,
    ),
  ];
}

export const syncPhase: PhaseDef = {
  name: 'sync',
  title: 'Data sync from DR',
  description:
    'Runs the data sync from DR to primary as a Kubernetes Job (./aegis dr sync-from-dr), in dry-run or execute mode, and fails unless it reports zero conflicts.',
  inputs: [{ name: 'mode', description: 'dry-run (report conflicts only) or execute.', default: 'dry-run' }],
  outputs: [
    { name: 'conflicts', description: 'Conflicts reported, per stack, "stack=N" comma-separated.' },
    FAILED_OUTPUT,
  ],
  async run(ctx) {
    const mode = ctx.inputs['mode'] || 'dry-run';
    if (mode !== 'dry-run' && mode !== 'execute')
      throw new UserError(`input mode is "${mode}": expected dry-run or execute.`);
    const { ok, rows } = await forEachStack(ctx, (name) => syncStack(ctx, name, mode));
    const conflicts = perStackOutput(
      ctx,
      (r) => r.phase === 'sync',
      (r) => String(r.data?.conflicts ?? 'unknown'),
    );
    return { ok, rows, outputs: { conflicts, ...outputsOf(rows) } };
  },
};

/** Was the primary healthy for the plan's duration? (Prometheus min_over_time of its health) */
async function primaryHealthyFor(ctx: PhaseContext, name: string): Promise<ResultRow> {
  const stack = ctx.plan.stack(name);
  const wanted = ctx.inputs['confirm-healthy-for'];
  let ms = ctx.plan.limits.failbackHealthyForMs;
  if (wanted) {
    try {
      ms = parseDuration(wanted);
    } catch {
      throw new UserError(`input confirm-healthy-for is "${wanted}": expected a duration such as 2h or 90m.`);
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
