/**
 * `verify`: the runbook's post-failover checks on the site now serving: API health says healthy
 * and the right region; every deployment available; 5xx rate under the threshold (Prometheus);
 * the data integrity check run as a Kubernetes Job; policy engine health; an end-to-end scan.
 */
import { clip } from '../engine/clip.js';
import { UserError } from '../engine/errors.js';
import { pollUntil, waitMs } from '../engine/step.js';
import type { SiteName } from '../plan/types.js';
import { appRequest, joinUrl, publicUrl } from './shared/app.js';
import { deploymentsOf, forEachStack } from './shared/context.js';
import { servingSite } from './incident.js';
import { CLASS_INPUT, FAILED_OUTPUT, incidentClass, outputsOf } from './shared/inputs.js';
import { currentWriter } from './shared/binding.js';
import { runJob } from './shared/jobs.js';
import { observe, probe } from './shared/observe.js';
import { errorText, row } from './shared/rows.js';
import type { PhaseContext, PhaseDef, ResultRow } from './types.js';

export const verifyPhase: PhaseDef = {
  name: 'verify',
  title: 'Post-failover verification',
  description:
    'Checks the serving site: API health and region, deployments available, 5xx rate under the threshold, data integrity Job, policy engine health, and an end-to-end scan.',
  inputs: [
    {
      name: 'target',
      kind: 'enum',
      choices: ['dr', 'primary'],
      description:
        'The site to check: dr or primary; empty = the site the incident class serves from (primary for an in-region database failover, else dr).',
      default: '',
    },
    CLASS_INPUT,
  ],
  outputs: [{ name: 'passed', description: '"true" when every check passed.' }, FAILED_OUTPUT],
  async run(ctx) {
    const target = verifyTarget(ctx);
    const { ok, rows } = await forEachStack(ctx, (name) => verifyRows(ctx, name, target));
    return { ok, rows, outputs: { passed: String(ok), ...outputsOf(rows) } };
  },
};

/** The site verify checks: the `target` input, else the site the incident class serves from. */
export function verifyTarget(ctx: PhaseContext): SiteName {
  const t = ctx.inputs['target']?.trim();
  if (t) {
    if (t !== 'dr' && t !== 'primary')
      throw new UserError(`input target is "${clip(t)}": expected dr or primary.`);
    return t;
  }
  return servingSite(incidentClass(ctx));
}

/** A check's row, and facts its journal record carries beyond status and detail. */
type CheckRow = ResultRow & { facts?: Record<string, unknown> };
type Check = { item: string; run: () => Promise<CheckRow> };

/** The checks of one stack on the site now serving (also failback's check of the primary). */
export async function verifyRows(ctx: PhaseContext, name: string, target: SiteName): Promise<ResultRow[]> {
  const stack = ctx.plan.stack(name);
  const app = ctx.plan.doc.application;
  const base = publicUrl(ctx.plan, stack);
  const token = process.env[app.tokenEnv];
  const checks: Check[] = [
    {
      item: 'API health',
      run: async () => {
        const url = joinUrl(base, '/health');
        const r = await probe(ctx, () => appRequest(url));
        // when the healthy answer arrived through the public name: the report's "service restored"
        const answeredAt = new Date().toISOString();
        const ok = r.status === 200 && r.body?.status === 'healthy' && r.body?.region === target;
        return {
          ...row(
            name,
            'API health',
            ok ? 'pass' : 'fail',
            `GET ${url} -> ${r.status} ${JSON.stringify({ status: r.body?.status, region: r.body?.region })} (expected healthy, ${target})`,
          ),
          facts: { answeredAt, region: r.body?.region },
        };
      },
    },
    {
      item: 'Deployments',
      run: async () => {
        const cluster = await ctx.env.cluster(name, target);
        const deps = await Promise.all(
          deploymentsOf(stack, target).map((d) => probe(ctx, () => cluster.deployment(d))),
        );
        const bad = deps.filter((d) => !d || d.availableReplicas < d.replicas || d.replicas === 0);
        return row(
          name,
          'Deployments',
          bad.length ? 'fail' : 'pass',
          deps
            .map((d, i) =>
              d
                ? `${d.name} ${d.availableReplicas}/${d.replicas}`
                : `${deploymentsOf(stack, target)[i]} missing`,
            )
            .join(', '),
        );
      },
    },
    {
      item: 'Error rate',
      run: async () => {
        const { query: q, windowS } = await errorRateQuery(ctx, name, target);
        const region = stack[target].region;
        const mine = (x: { labels: Record<string, string> }) =>
          x.labels.region === region && (!x.labels.stack || x.labels.stack === name);
        const [samples, up] = await Promise.all([
          probe(ctx, () => ctx.env.prometheus().query(q)),
          probe(ctx, () => ctx.env.prometheus().query(TARGET_UP_QUERY)),
        ]);
        const limit = ctx.plan.limits.errorRate;
        const where = `in ${region} over ${windowS} s`;
        // A target Prometheus cannot scrape reports up == 0, while a rate over the window still
        // reads its samples from before it went down: the ratio would describe a site that no
        // longer answers (https://prometheus.io/docs/concepts/jobs_instances/).
        const down = up.filter((x) => mine(x) && x.value === 0);
        if (down.length > 0) {
          const which = down
            .map((x) => `${x.labels.job ?? 'job?'}/${x.labels.instance ?? 'instance?'}`)
            .join(', ');
          return row(
            name,
            'Error rate',
            'fail',
            `Prometheus reports the scrape target${down.length === 1 ? '' : 's'} of ${region} down (up == 0: ${which}); its error rate cannot be measured. Check that the ${target} site is up and that Prometheus reaches it.`,
          );
        }
        const s = samples.find(mine);
        if (!s || !Number.isFinite(s.value)) {
          // no series, or NaN (0/0): missing data, never a rate of 0. A ratio without series is
          // still a pass when the region served requests and has no 5xx series yet.
          const rq = ctx.plan.doc.prometheus!.queries.requestRate.replace(
            /\[[0-9]+(ms|s|m|h)\]/g,
            `[${windowS}s]`,
          );
          const served = (await probe(ctx, () => ctx.env.prometheus().query(rq))).find(mine);
          if (!s && served && served.value > 0) {
            return row(
              name,
              'Error rate',
              'pass',
              `no 5xx series ${where}; ${served.value.toFixed(2)} requests/s served`,
            );
          }
          return row(
            name,
            'Error rate',
            'fail',
            `no data: Prometheus has ${s ? 'a 5xx ratio of NaN (no requests)' : 'no series'} for ${region} over ${windowS} s and ${served && served.value > 0 ? 'requests' : 'no requests'} in ${JSON.stringify(rq)}; the site served nothing or its scrape target is down, which is not a 5xx rate of 0. Check that traffic reaches ${target} and that Prometheus scrapes it.`,
          );
        }
        return row(
          name,
          'Error rate',
          s.value < limit ? 'pass' : 'fail',
          `5xx ratio ${(s.value * 100).toFixed(2)} % ${where} (limit ${(limit * 100).toFixed(2)} %)`,
        );
      },
    },
    {
      item: 'Data integrity',
      run: async () => {
        const r = await runJob(ctx, name, target, 'integrity', app.integrityJob, app.integrityJob.command);
        return row(
          name,
          'Data integrity',
          r.succeeded ? 'pass' : 'fail',
          `job ${r.job}: ${r.logs.trim().split('\n').at(-1) ?? ''}`,
        );
      },
    },
    {
      item: 'Policy engine',
      run: async () => {
        const url = joinUrl(base, '/api/v1/policies/health');
        const r = await probe(ctx, () => appRequest(url));
        const ok = r.status === 200 && r.body?.opa_external === 'ok' && r.body?.opa_embedded === 'ok';
        return row(
          name,
          'Policy engine',
          ok ? 'pass' : 'fail',
          `GET ${url} -> ${r.status} ${r.text.slice(0, 100)}`,
        );
      },
    },
    {
      item: 'End-to-end scan',
      run: async () => {
        if (!token)
          return row(
            name,
            'End-to-end scan',
            'fail',
            `no API token: set the ${app.tokenEnv} environment variable (a secret) for the scan test.`,
          );
        const url = joinUrl(base, '/api/v1/scans');
        const created = await probe(ctx, () =>
          appRequest(url, { method: 'POST', body: app.scanRequest, token }),
        );
        if (created.status >= 300 || !created.body?.id) {
          return row(
            name,
            'End-to-end scan',
            'fail',
            `POST ${url} -> ${created.status} ${created.text.slice(0, 120)}`,
          );
        }
        const id = String(created.body.id);
        const done = await pollUntil(
          ctx.run,
          `scan ${id}`,
          async () => {
            const s = await probe(ctx, () => appRequest(joinUrl(url, encodeURIComponent(id)), { token }));
            return s.body?.status === 'completed' || s.body?.status === 'failed' ? s : undefined;
          },
          ctx.plan.limits.deadlinesMs.verify,
          undefined,
          undefined,
          { phase: 'verify', step: 'End-to-end scan', stack: name },
        );
        return row(
          name,
          'End-to-end scan',
          done.body.status === 'completed' ? 'pass' : 'fail',
          `scan ${id} ${done.body.status}`,
        );
      },
    },
  ];
  if (app.writeProbePath) checks.push(writesCheck(ctx, name, target, joinUrl(base, app.writeProbePath)));
  if (ctx.run.dryRun) {
    return checks.map((c) =>
      row(name, c.item, 'would-do', `would check on ${target} (read-only checks are skipped in dry-run)`),
    );
  }
  return Promise.all(
    checks.map(async (c) => {
      let r: CheckRow;
      try {
        r = await c.run();
      } catch (err) {
        r = row(name, c.item, 'fail', errorText(err));
      }
      const { facts, ...result } = r;
      observe(ctx, 'verify', c.item, name, `${name}:${target}`, {
        status: result.status,
        detail: result.detail,
        ...facts,
      });
      ctx.run.progress({
        type: 'check',
        phase: 'verify',
        stack: name,
        item: c.item,
        status: result.status,
        detail: result.detail,
      });
      return result;
    }),
  );
}

/**
 * "Database writes succeeding" (the runbook's post-failover criterion): the application's write
 * probe, through the public name, answers 2xx and names the host it wrote to, which must be the
 * current writer's endpoint when one is known (an app still bound to the old writer may write to
 * an orphan that replicates nowhere; one bound to a replica fails).
 */
function writesCheck(ctx: PhaseContext, name: string, target: SiteName, url: string): Check {
  const item = 'Database writes';
  return {
    item,
    run: async () => {
      const [r, writer] = await Promise.all([
        probe(ctx, () => appRequest(url, { method: 'POST', body: {} })),
        currentWriter(ctx, name),
      ]);
      const host = r.body?.database?.host as string | undefined;
      if (r.status < 200 || r.status >= 300)
        return row(
          name,
          item,
          'fail',
          `POST ${url} -> ${r.status} ${r.text.slice(0, 200)} (expected 2xx from ${target})`,
        );
      if (writer && host !== writer.endpoint)
        return row(
          name,
          item,
          'fail',
          `POST ${url} -> ${r.status}, but the write went to ${host ?? 'an unnamed host'}, not the writer ${writer.endpoint}${writer.instance ? ` (${writer.instance})` : ''}: repoint the application (database.binding) and restart it.`,
        );
      return row(
        name,
        item,
        'pass',
        `POST ${url} -> ${r.status}; written to ${host ?? 'the database'}${writer ? ' (the writer)' : ''}`,
      );
    },
  };
}

/**
 * Prometheus' own health of each scrape target (1 scraped, 0 not). The error-rate check reads the
 * samples that carry the serving site's `region` label (and the stack's `stack` label when
 * present): a site whose targets carry no region label is not checked this way.
 */
export const TARGET_UP_QUERY = 'up';

/**
 * The error-rate query over the plan's window (`thresholds.errorRateWindow`, the runbook's "error
 * rate < 1% for 5 consecutive minutes"). After a traffic switch to `target` it first waits until
 * the whole window lies after the switch (and its DNS confirmation), then measures exactly that
 * window: errors served before the switch are not this site's, and a shorter window would not be
 * the runbook's check.
 */
export async function errorRateQuery(
  ctx: PhaseContext,
  name: string,
  target: SiteName,
): Promise<{ query: string; windowS: number }> {
  const q = ctx.plan.doc.prometheus!.queries.errorRate;
  const windowMs = ctx.plan.limits.errorRateWindowMs;
  const windowS = Math.max(1, Math.round(windowMs / 1000));
  const switched = ctx.run.journal.records
    .filter(
      (r) =>
        r.stack === name &&
        r.step === 'switch' &&
        r.outcome === 'done' &&
        JSON.stringify(r.after ?? {}).includes(`"active":"${target}"`),
    )
    .at(-1);
  if (!switched) return { query: q, windowS };
  // traffic has moved once DNS answers with the target (Traffic Manager changes what it answers
  // only after the endpoint update): the window starts at that confirmation when there is one
  const confirmed = ctx.run.journal.records.find(
    (r) => r.stack === name && r.step === 'dns-confirm' && r.seq > switched.seq && r.outcome !== 'failed',
  );
  const movedAt = Math.max(Date.parse(switched.endedAt), confirmed ? Date.parse(confirmed.endedAt) : 0);
  const since = Date.now() - movedAt;
  if (since < windowMs)
    await waitMs(
      ctx.run,
      `the ${windowS} s error-rate window since traffic moved to ${target}`,
      windowMs - since,
      {
        phase: 'verify',
        step: 'Error rate',
        stack: name,
      },
    );
  return { query: q.replace(/\[[0-9]+(ms|s|m|h)\]/g, `[${windowS}s]`), windowS };
}
