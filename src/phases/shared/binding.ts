/**
 * Endpoint binding: repoint the application at the database writer after it changed (the
 * database phase after a promotion, failback after its switchover). RDS and Cloud SQL give the
 * promoted instance its own endpoint, so nothing moves the application there by itself; an Azure
 * failover group's read-write listener follows the new primary by itself.
 *
 * Reconcile: read the binding's key and the restarted deployments' pod templates; act only when
 * the key is not the writer's endpoint or a deployment's pods were not started for it (the
 * template annotation `aegis.io/bound-writer`, set with kubectl.kubernetes.io/restartedAt as
 * `kubectl rollout restart` does); then wait until every rollout is complete. A ConfigMap or
 * Secret consumed as an environment variable reaches only pods started after the change
 * (https://kubernetes.io/docs/concepts/configuration/configmap/#configmaps-consumed-as-environment-variables-are-not-updated-automatically),
 * hence the restart.
 */
import { pollUntil, runStep } from '../../engine/step.js';
import type { DatabaseBinding, SiteName } from '../../plan/types.js';
import type { DeploymentStatus } from '../../providers/kubernetes/types.js';
import type { DatabaseState } from '../../providers/types.js';
import type { PhaseContext, ResultRow } from '../types.js';
import { deploymentsOf } from './context.js';
import { probe } from './observe.js';
import { errorText, outcomeRow, row } from './rows.js';

/** Pod-template annotation naming the writer endpoint the pods were (re)started for. */
export const BOUND_WRITER_ANNOTATION = 'aegis.io/bound-writer';

/** The writer's instance and endpoint, with where they were read from. */
export interface WriterEndpoint {
  instance?: string;
  endpoint: string;
  from: 'journal' | 'topology';
}

/** Journal facts of the writer after a database step (added to failover and promotion records). */
export function writerFacts(after: DatabaseState | undefined): Record<string, unknown> {
  const w = after?.topology?.writer;
  return w?.endpoint ? { writerInstance: w.id, writerEndpoint: w.endpoint } : {};
}

/**
 * The current writer: the latest journal record of the stack carrying `data.writerEndpoint`
 * (a failover, a promotion, a point-in-time restore), else the topology the cloud reports.
 */
export async function currentWriter(ctx: PhaseContext, name: string): Promise<WriterEndpoint | undefined> {
  const rec = ctx.run.journal.records
    .filter((r) => r.stack === name && typeof r.data?.writerEndpoint === 'string' && r.outcome !== 'failed')
    .at(-1);
  if (rec)
    return {
      instance: rec.data!.writerInstance as string | undefined,
      endpoint: rec.data!.writerEndpoint as string,
      from: 'journal',
    };
  const providers = await ctx.env.providers(name);
  const s = await probe(ctx, () => providers.database.describe());
  const w = s.topology?.writer;
  return w?.endpoint ? { instance: w.id, endpoint: w.endpoint, from: 'topology' } : undefined;
}

interface BindingState {
  value?: string;
  exists: boolean;
  deployments: DeploymentStatus[];
}

/** Deployments the bind restarts: the plan's `restart`, else the stack's deployments on `site`. */
function restartsOf(ctx: PhaseContext, name: string, site: SiteName, b: DatabaseBinding): string[] {
  return b.restart.length > 0 ? b.restart : deploymentsOf(ctx.plan.stack(name), site);
}

/**
 * The deployment's pods run with `endpoint`, rollout complete. A template that no bind has marked
 * yet counts as started for the key's current value (the caller checks that value): a first bind
 * that finds the key right restarts nothing (an in-region failover keeps the endpoint).
 */
function rolledOut(d: DeploymentStatus, endpoint: string): boolean {
  const marked = d.templateAnnotations?.[BOUND_WRITER_ANNOTATION];
  return (
    (marked === undefined || marked === endpoint) &&
    d.observedGeneration >= d.generation &&
    d.updatedReplicas === d.replicas &&
    d.availableReplicas >= d.replicas &&
    // kubectl rollout status: "old replicas are pending termination" while status.replicas > updated
    (d.currentReplicas === undefined || d.currentReplicas <= d.updatedReplicas)
  );
}

/** Repoint the application of `site` at the current writer (one result row). */
export async function bindWriter(
  ctx: PhaseContext,
  phase: string,
  name: string,
  site: SiteName,
): Promise<ResultRow[]> {
  const stack = ctx.plan.stack(name);
  const b = stack.database.binding;
  if (!b) {
    const note =
      stack.database.type === 'azure-sql'
        ? 'the failover group’s read-write listener follows the new primary by itself'
        : 'the plan names no binding (database.binding); the application must find the new writer itself';
    return [row(name, 'Endpoint binding', 'skip', note)];
  }
  let writer: WriterEndpoint | undefined;
  try {
    writer = await currentWriter(ctx, name);
  } catch (err) {
    return [row(name, 'Endpoint binding', 'fail', `the writer could not be read: ${errorText(err)}`)];
  }
  // a dry run promoted nothing: the writer it would bind is not known yet (its region may be down)
  const movePending = ctx.run.journal
    .thisRun()
    .some((r) => r.stack === name && r.phase === phase && r.step === 'failover' && r.outcome === 'would-do');
  if (ctx.run.dryRun && (!writer || movePending))
    return [
      row(
        name,
        'Endpoint binding',
        'would-do',
        `would set ${b.kind} ${b.name} key ${b.key} on ${site} to the new writer's endpoint and restart ${restartsOf(ctx, name, site, b).join(', ')}`,
      ),
    ];
  if (!writer)
    return [
      row(
        name,
        'Endpoint binding',
        'fail',
        `no writer endpoint is known for stack ${name}: neither the journal nor the database topology names one; check the database phase's result.`,
      ),
    ];
  const endpoint = writer.endpoint;
  const cluster = await ctx.env.cluster(name, site);
  const restarts = restartsOf(ctx, name, site, b);
  const where = `${b.kind} ${b.namespace ? `${b.namespace}/` : ''}${b.name} key ${b.key}`;
  const observeState = async (): Promise<BindingState> => {
    const data = await cluster.objectData(b.kind, b.name, b.namespace);
    const deployments = await Promise.all(restarts.map((d) => cluster.deployment(d)));
    return {
      exists: data !== undefined,
      value: data?.[b.key],
      deployments: deployments.filter((d): d is DeploymentStatus => d !== undefined),
    };
  };
  try {
    const r = await runStep<BindingState>(ctx.run, {
      phase,
      step: 'bind',
      stack: name,
      target: `${site}:${b.kind}/${b.name}#${b.key}`,
      observe: observeState,
      satisfied: (s) => s.value === endpoint && s.deployments.every((d) => rolledOut(d, endpoint)),
      refuse: (s) =>
        !s.exists
          ? `${where} does not exist on ${site}: create it (the application reads its writer from it) or fix database.binding`
          : s.deployments.length < restarts.length
            ? `deployment ${restarts.filter((n) => !s.deployments.some((d) => d.name === n)).join(', ')} named by database.binding.restart does not exist on ${site}`
            : undefined,
      action: (s) =>
        `set ${where} on ${site} to ${endpoint} (was ${s.value ?? 'unset'}) and restart ${restarts.join(', ')}`,
      act: async (s) => {
        const changed = s.value !== endpoint;
        if (changed) await cluster.setObjectKey(b.kind, b.name, b.key, endpoint, b.namespace);
        const at = new Date().toISOString();
        for (const d of s.deployments)
          if (changed || d.templateAnnotations?.[BOUND_WRITER_ANNOTATION] !== endpoint)
            await cluster.restart(d.name, at, { [BOUND_WRITER_ANNOTATION]: endpoint });
      },
      wait: () =>
        pollUntil(
          ctx.run,
          `${restarts.join(', ')} rolled out on ${site} with ${endpoint}`,
          async () => {
            const s = await observeState();
            return s.value === endpoint && s.deployments.every((d) => rolledOut(d, endpoint)) ? s : undefined;
          },
          ctx.plan.limits.deadlinesMs.database,
        ),
      deadlineMs: ctx.plan.limits.deadlinesMs.database,
      summarise: (s) => ({
        value: s.value,
        deployments: Object.fromEntries(
          s.deployments.map((d) => [d.name, d.templateAnnotations?.[BOUND_WRITER_ANNOTATION] ?? null]),
        ),
      }),
      data: () => ({ writerInstance: writer.instance, writerEndpoint: endpoint, writerFrom: writer.from }),
    });
    return [outcomeRow(name, 'Endpoint binding', r, `${where} on ${site} -> ${endpoint} (${writer.from})`)];
  } catch (err) {
    return [row(name, 'Endpoint binding', 'fail', errorText(err))];
  }
}
