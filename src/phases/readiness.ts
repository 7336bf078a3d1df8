/**
 * `readiness`: the runbook's six pre-failover checks, for every stack at once.
 *   1. DR nodes Ready and DR pods running          4. DNS TTL at the zone's authoritative servers
 *   2. replication lag (the cloud, else Prometheus) 5. DR configmap equal to the primary's
 *      by the cloud's own status                   6. DR health endpoint answers 200
 *   3. last backup age
 * and beyond the runbook: "Cluster access" (readiness-access.ts: a SelfSubjectAccessReview per
 * Kubernetes permission the phases use, on both sites) and "DR quota" (readiness-quota.ts: the DR
 * region's vCPU quota for the pool's machine family against the production size).
 * A check that needs the primary region reports "primary unreachable" (warn) instead of blocking
 * when that region does not answer: during a region outage that is the expected state.
 */
import { UserError } from '../engine/errors.js';
import { queryDns } from '../providers/dns/resolver.js';
import type { Stack } from '../plan/types.js';
import { appRequest, joinUrl, siteUrl } from './shared/app.js';
import { deploymentsOf, dnsServerOf, forEachStack } from './shared/context.js';
import { isUnreachable, observe, probe, sampleFor } from './shared/observe.js';
import { errorText, row } from './shared/rows.js';
import { cloudLag, LAG_STALE_MS } from './shared/rpo.js';
import { fenceEnforcementRow, fenceReturnedPrimary } from './drain.js';
import { servingSite } from './incident.js';
import { poolSelector } from './scale.js';
import { CLUSTER_ACCESS_ITEM, clusterAccessRow } from './readiness-access.js';
import { DR_QUOTA_ITEM, drQuotaRow } from './readiness-quota.js';
import { healthyForMs, journalGateOverride, OVERRIDE_REASON_INPUT, recoveredRows } from './recovered.js';
import { CLASS_INPUT, FAILED_OUTPUT, incidentClass, outputsOf } from './shared/inputs.js';
import { deprecatedOutput } from './results.js';
import type { PhaseContext, PhaseDef, ResultRow } from './types.js';

type Check = (ctx: PhaseContext, stackName: string, stack: Stack) => Promise<ResultRow>;

const drCluster: Check = async (ctx, name, stack) => {
  const cluster = await ctx.env.cluster(name, 'dr');
  // the nodes of the pool the plan scales, by its cloud's label: not the system pool's
  const selector = poolSelector(stack.nodePool);
  const nodes = await probe(ctx, () => cluster.nodes(selector));
  const notReady = nodes.filter((n) => !n.ready).map((n) => n.name);
  const deps = await Promise.all(
    deploymentsOf(stack, 'dr').map((d) => probe(ctx, () => cluster.deployment(d))),
  );
  const missing = deploymentsOf(stack, 'dr').filter((_, i) => !deps[i]);
  const notRunning = deps
    .filter((d) => d && d.readyReplicas < Math.max(1, d.replicas))
    .map((d) => `${d!.name} ${d!.readyReplicas}/${d!.replicas}`);
  const ok = nodes.length > 0 && notReady.length === 0 && missing.length === 0 && notRunning.length === 0;
  const detail = ok
    ? `${nodes.length}/${nodes.length} nodes of pool ${selector} Ready; ${deps.map((d) => `${d!.name} ${d!.readyReplicas}/${d!.replicas}`).join(', ')} running`
    : [
        nodes.length === 0 ? `no nodes of pool ${selector}` : '',
        notReady.length ? `nodes not Ready: ${notReady.join(', ')}` : '',
        missing.length ? `deployments missing: ${missing.join(', ')}` : '',
        notRunning.length ? `pods not running: ${notRunning.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; ');
  return row(name, 'DR nodes and pods', ok ? 'pass' : 'fail', detail);
};

const replication: Check = async (ctx, name, stack) => {
  const limit = ctx.plan.limits.replicationLagSeconds;
  const providers = await ctx.env.providers(name);
  const [db, cloud, lagSamples] = await Promise.all([
    probe(ctx, () => providers.database.describe()),
    cloudLag(ctx, name, 'dr'),
    probe(ctx, () => ctx.env.prometheus().query(ctx.plan.doc.prometheus!.queries.replicationLag)),
  ]);
  // The cloud's own lag (CloudWatch ReplicaLag, Cloud Monitoring replica_lag) when it reports a
  // current datapoint; else the application's metric through Prometheus.
  const fresh =
    cloud.reading && Date.now() - cloud.reading.observedAt.getTime() <= LAG_STALE_MS
      ? cloud.reading
      : undefined;
  const appLag = sampleFor(
    lagSamples.filter((s) => s.labels.site !== 'primary'),
    name,
    stack,
  )?.value;
  const lag = cloud.reading && !db.primaryReachable ? cloud.reading.seconds : (fresh?.seconds ?? appLag);
  const by = (cloud.reading && !db.primaryReachable) || fresh ? ` by ${cloud.reading!.source}` : '';
  // An unreachable primary is the condition, whatever the replica and its lag series say: with the
  // writer gone the lag is not a measure of anything (a replica may still call itself RUNNABLE, as
  // Cloud SQL's does, and its series may be missing or stale). Every cloud reports it the same way.
  if (!db.primaryReachable) {
    const seen = lag === undefined ? 'no lag series' : `last lag ${lag.toFixed(1)} s${by}`;
    return row(name, 'Replication', 'warn', `primary unreachable: ${db.replication.detail}; ${seen}`);
  }
  const problems: string[] = [];
  if (lag === undefined)
    problems.push(`no replication lag series in Prometheus${cloud.note ? ` (and ${cloud.note})` : ''}`);
  else if (!(lag < limit)) problems.push(`lag ${lag.toFixed(1)} s${by} is not under ${limit} s`);
  if (!db.replication.healthy) problems.push(`replication unhealthy: ${db.replication.detail}`);
  const detail = `lag ${lag === undefined ? 'unknown' : `${lag.toFixed(1)} s${by}`} (limit ${limit} s); ${db.replication.detail}`;
  return row(
    name,
    'Replication',
    problems.length ? 'fail' : 'pass',
    problems.length ? problems.join('; ') : detail,
  );
};

const backup: Check = async (ctx, name) => {
  const providers = await ctx.env.providers(name);
  const maxMs = ctx.plan.limits.backupMaxAgeMs;
  const db = providers.database;
  if (db.restorePoints) {
    // backups kept as a continuous point-in-time window (Azure SQL Database): any time in it can
    // be restored, up to the last few minutes' log backup, so there is no newest backup to age
    const points = await probe(ctx, () => db.restorePoints!());
    if (points.continuousFrom) {
      const days = (Date.now() - points.continuousFrom.getTime()) / 86_400_000;
      const [what] = points.found.split(':');
      return row(
        name,
        'Last backup',
        days > 0 ? 'pass' : 'fail',
        `continuous ${what.replace(/^restore points/, 'restore point')}: point-in-time restore from ${points.continuousFrom.toISOString()} (${days.toFixed(1)} days)`,
      );
    }
    if (!points.newestDiscrete)
      return row(
        name,
        'Last backup',
        'fail',
        `no restore point to recover from: found ${points.found}; expected a CONTINUOUS restore point (point-in-time restore) or a backup newer than ${(maxMs / 3_600_000).toFixed(1)} h. Check the database's backup retention in the cloud console.`,
      );
  }
  const last = await probe(ctx, () => db.lastBackup());
  if (!last) return row(name, 'Last backup', 'fail', 'no successful backup found');
  const ageH = (Date.now() - last.getTime()) / 3_600_000;
  const ok = Date.now() - last.getTime() < maxMs;
  return row(
    name,
    'Last backup',
    ok ? 'pass' : 'fail',
    `${ageH.toFixed(1)} h old at ${last.toISOString()} (limit ${(maxMs / 3_600_000).toFixed(1)} h)`,
  );
};

const dnsTtl: Check = async (ctx, name, stack) => {
  const providers = await ctx.env.providers(name);
  const exp = providers.traffic.expectation('dr');
  const limit = ctx.plan.limits.dnsTtlSeconds;
  const answer = await probe(ctx, () => queryDns(exp.name, exp.type, { server: dnsServerOf(stack) }));
  const rec = answer.answers.find((a) => a.name.replace(/\.$/, '') === exp.name.replace(/\.$/, ''));
  if (!rec)
    return row(
      name,
      'DNS TTL',
      'fail',
      `${exp.name} ${exp.type}: no answer from ${answer.server} (${answer.rcode})`,
    );
  const seen = `${exp.name} TTL ${rec.ttl} s at ${answer.server}`;
  if (rec.ttl > limit)
    return row(
      name,
      'DNS TTL',
      'fail',
      `${seen} is above thresholds.dnsTtlSeconds ${limit} s: lower it now, and record when in traffic.ttlLoweredAt with the old TTL in traffic.previousTtlSeconds (resolvers keep the old TTL for up to ${rec.ttl} s after the change).`,
    );
  const late = ttlLoweredTooLate(stack, limit);
  if (late) return row(name, 'DNS TTL', 'fail', `${seen} (<= ${limit} s), but ${late}`);
  return row(name, 'DNS TTL', 'pass', `${seen} (must be <= ${limit} s)`);
};

/**
 * Whether the TTL was lowered less than one old TTL ago: resolvers that cached the record before
 * the change keep it for the old TTL, so a switch before then does not reach their users. The plan
 * says when (`traffic.ttlLoweredAt`) and from what (`traffic.previousTtlSeconds`): no DNS API keeps
 * a record's TTL history (Route 53 GetChange reports a change's status, not its content), and the
 * TTL a readiness run sees was already the low one. A sentence naming the problem, or undefined.
 */
export function ttlLoweredTooLate(stack: Stack, limit: number, now = Date.now()): string | undefined {
  const t = stack.traffic as { ttlLoweredAt?: string; previousTtlSeconds?: number };
  if (t.ttlLoweredAt === undefined && t.previousTtlSeconds === undefined) return undefined;
  if (t.ttlLoweredAt === undefined || t.previousTtlSeconds === undefined)
    return `traffic.${t.ttlLoweredAt === undefined ? 'previousTtlSeconds' : 'ttlLoweredAt'} is set without traffic.${t.ttlLoweredAt === undefined ? 'ttlLoweredAt' : 'previousTtlSeconds'}: give both (when the TTL was lowered, and what it was before) or neither.`;
  const at = Date.parse(t.ttlLoweredAt);
  if (Number.isNaN(at))
    return `traffic.ttlLoweredAt is "${t.ttlLoweredAt}", not a date: give it as ISO 8601 (2026-12-01T09:00:00Z).`;
  if (t.previousTtlSeconds <= limit) return undefined;
  const safeAt = at + t.previousTtlSeconds * 1000;
  if (now >= safeAt) return undefined;
  const left = Math.ceil((safeAt - now) / 1000);
  return `it was lowered from ${t.previousTtlSeconds} s at ${new Date(at).toISOString()} (traffic.ttlLoweredAt), less than one old TTL ago: resolvers may keep the old answer until ${new Date(safeAt).toISOString()} (${left} s from now), so a switch before then leaves their users on the old site. Wait until then; lowering the TTL during a failover helps nobody.`;
}

/**
 * Which plane the traffic switch calls (a provider that can tell): a control plane in the primary's
 * own region is a warning (a region outage can stall it), a missing data-plane piece a failure.
 */
async function switchPlaneRows(ctx: PhaseContext, name: string, stack: Stack): Promise<ResultRow[]> {
  const providers = await ctx.env.providers(name);
  if (!providers.traffic.switchPlane) return [];
  const item = 'Traffic switch plane';
  let r: ResultRow;
  try {
    const plane = await probe(ctx, () => providers.traffic.switchPlane!());
    const missing = plane.pieces.filter((p) => !p.found);
    const found = plane.pieces.map((p) => `${p.name}: ${p.detail}`).join('; ');
    const cp = plane.controlPlane;
    if (missing.length) {
      r = row(
        name,
        item,
        'fail',
        `the switch relies on pieces that are missing: ${missing.map((p) => `${p.name} (${p.detail})`).join('; ')}. Create them before a failover.`,
      );
    } else if (cp && cp.region === stack.primary.region) {
      const rto = ctx.plan.classes['region-outage']?.rtoMs;
      r = row(
        name,
        item,
        'warn',
        `the switch calls the ${cp.service} control plane (${cp.calls}), which depends on ${cp.region}, the primary's own region: a region outage can stall it. ${cp.note ? `${cp.note[0].toUpperCase()}${cp.note.slice(1)}` : 'Accelerated recovery unknown'}; with it on, changes resume within about 60 minutes${rto ? `, past the region-outage RTO of ${Math.round(rto / 60000)} min` : ''}. Move the switch to the data plane: Route 53 ARC routing controls (traffic.routing: arc-routing-control), or failover records that fail over by health alone.${found ? ` Found: ${found}.` : ''}`,
      );
    } else {
      r = row(
        name,
        item,
        'pass',
        `${cp ? `control plane ${cp.service} in ${cp.region}, not the primary's region ${stack.primary.region}` : 'data plane only'}${found ? `; ${found}` : ''}`,
      );
    }
  } catch (err) {
    r = row(name, item, 'fail', errorText(err));
  }
  observe(ctx, 'readiness', item, name, name, { status: r.status, detail: r.detail });
  return [r];
}

const config: Check = async (ctx, name) => {
  const cm = ctx.plan.doc.application.configMap;
  const [dr, primary] = await Promise.all([
    ctx.env.cluster(name, 'dr').then((c) => probe(ctx, () => c.configMap(cm.name))),
    ctx.env.cluster(name, 'primary').then((c) => probe(ctx, () => c.configMap(cm.name))),
  ]);
  if (!dr) return row(name, 'DR config', 'fail', `configmap ${cm.name} is missing on the DR cluster`);
  if (!primary)
    return row(name, 'DR config', 'fail', `configmap ${cm.name} is missing on the primary cluster`);
  const keys = new Set(
    [...Object.keys(dr), ...Object.keys(primary)].filter((k) => !cm.ignoreKeys.includes(k)),
  );
  const differ = [...keys].filter((k) => dr[k] !== primary[k]).sort();
  return row(
    name,
    'DR config',
    differ.length ? 'fail' : 'pass',
    differ.length
      ? `DR differs from primary in: ${differ.join(', ')}`
      : `${keys.size} keys equal (ignoring ${cm.ignoreKeys.join(', ') || 'none'})`,
  );
};

const drHealth: Check = async (ctx, name, stack) => {
  const url = joinUrl(siteUrl(ctx.plan, stack, 'dr'), '/health');
  const r = await probe(ctx, () => appRequest(url));
  return row(
    name,
    'DR health',
    r.status === 200 ? 'pass' : 'fail',
    `GET ${url} -> ${r.status} ${r.text.slice(0, 120)}`,
  );
};

/** Checks that read the primary region: an unreachable primary is a warning, not a failure. */
const CHECKS: { item: string; run: Check; needsPrimary: boolean }[] = [
  { item: 'DR nodes and pods', run: drCluster, needsPrimary: false },
  { item: 'Replication', run: replication, needsPrimary: true },
  { item: 'Last backup', run: backup, needsPrimary: true },
  { item: 'DNS TTL', run: dnsTtl, needsPrimary: false },
  { item: 'DR config', run: config, needsPrimary: true },
  { item: 'DR health', run: drHealth, needsPrimary: false },
  { item: CLUSTER_ACCESS_ITEM, run: clusterAccessRow, needsPrimary: false },
  { item: DR_QUOTA_ITEM, run: drQuotaRow, needsPrimary: false },
];

/** Checks that only matter when the service moves to the DR site. */
const DR_SITE_CHECKS = [
  'DR nodes and pods',
  'Replication',
  'DNS TTL',
  'DR config',
  'DR health',
  DR_QUOTA_ITEM,
];

export async function readinessRows(ctx: PhaseContext, name: string): Promise<ResultRow[]> {
  const stack = ctx.plan.stack(name);
  const given = ctx.inputs['incident-class']?.trim();
  const inRegion = given ? servingSite(incidentClass(ctx)) === 'primary' : false;
  const rows = await Promise.all(
    CHECKS.map(async (c) => {
      if (inRegion && DR_SITE_CHECKS.includes(c.item)) {
        const r = row(
          name,
          c.item,
          'skip',
          `the incident class ${given} fails over within the primary region: the DR site does not gate it`,
        );
        observe(ctx, 'readiness', c.item, name, name, { status: r.status, detail: r.detail });
        return r;
      }
      const started = Date.now();
      let r: ResultRow;
      try {
        r = await c.run(ctx, name, stack);
      } catch (err) {
        r =
          c.needsPrimary && isUnreachable(err)
            ? row(name, c.item, 'warn', `primary unreachable: ${errorText(err)}`)
            : row(name, c.item, 'fail', errorText(err));
      }
      observe(ctx, 'readiness', c.item, name, name, {
        status: r.status,
        detail: r.detail,
        ms: Date.now() - started,
      });
      ctx.run.progress({
        type: 'check',
        phase: 'readiness',
        stack: name,
        item: c.item,
        status: r.status,
        detail: r.detail,
      });
      return r;
    }),
  );
  // the switch's plane matters only when the service moves to the DR site
  return inRegion ? rows : [...rows, ...(await switchPlaneRows(ctx, name, stack))];
}

export const readinessPhase: PhaseDef = {
  name: 'readiness',
  title: 'Pre-failover readiness',
  description:
    "Runs the runbook's six pre-failover checks on every stack (DR nodes and pods, replication lag and health, last backup age, DNS TTL and when it was lowered, DR config drift, DR health) and, beyond the runbook, whether the identity may make every Kubernetes call the phases make (cluster access), whether the DR region's vCPU quota holds the node pool at its production size (DR quota) and, for Route 53, which plane the traffic switch calls, or in mode failback its \"primary recovered\" checks (primary nodes Ready, primary healthy for the plan's duration, sync possible, DR serving).",
  inputs: [
    {
      name: 'mode',
      kind: 'enum',
      choices: ['failover', 'failback'],
      description:
        "failover (the six pre-failover checks) or failback (primary recovered: nodes Ready, healthy for the plan's duration, sync possible, DR serving).",
      default: 'failover',
    },
    {
      name: 'confirm-healthy-for',
      kind: 'duration',
      description:
        "Mode failback: how long the primary must have been healthy; default the plan's thresholds.failbackHealthyFor. Shorter than the plan's is an override: it needs override-reason, and is journaled.",
      default: '',
    },
    OVERRIDE_REASON_INPUT,
    {
      ...CLASS_INPUT,
      description:
        'Mode failover: the incident class, when known. A class that fails over within the primary region (database-corruption: in-region HA standby) does not depend on the DR site, so its checks and the cross-region replication lag are reported, not gating.',
    },
  ],
  outputs: [
    { ...FAILED_OUTPUT, description: 'Comma-separated stack/check names that failed.' },
    deprecatedOutput('ready', 'passed'),
    deprecatedOutput('failed-checks', 'failed-items'),
  ],
  async run(ctx) {
    const mode = ctx.inputs['mode'] || 'failover';
    if (mode !== 'failover' && mode !== 'failback') {
      throw new UserError(`input mode is "${mode}": expected failover or failback.`);
    }
    let check = (s: string) => readinessRows(ctx, s);
    if (mode === 'failback') {
      const gate = healthyForMs(ctx);
      if (gate.override) journalGateOverride(ctx, 'readiness', gate.ms);
      check = (s: string) => recoveredRows(ctx, s, gate.ms);
    }
    // A fence that outlasts the outage: while an incident is open, a primary that answers again is
    // fenced before anything else is checked (drain.ts).
    const checkFenced = async (s: string) => [
      ...(await fenceReturnedPrimary(ctx, 'readiness', s)),
      ...(await check(s)),
    ];
    const checked = await forEachStack(ctx, checkFenced);
    // the fence's enforcement is read once every stack's checks are done, so that its cloud calls
    // never overlap a check's first connection to a cluster (one stack at a time)
    const enforcement: ResultRow[] = [];
    if (mode === 'failover')
      for (const s of ctx.stacks) {
        try {
          enforcement.push(...(await fenceEnforcementRow(ctx, s)));
        } catch (err) {
          enforcement.push(row(s, 'Fence enforcement', 'warn', `could not be read: ${errorText(err)}`));
        }
      }
    const ok = checked.ok;
    const rows = [...checked.rows, ...enforcement];
    // `passed` ("true" when every check passed, warnings allowed) is added by the runner
    return { ok, rows, outputs: outputsOf(rows) };
  },
};
