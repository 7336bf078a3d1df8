/**
 * `traffic` (runbook step 4): moves the traffic switch to the target (Route 53 record, the
 * failover records' primary health check inverted, or ARC routing controls; Traffic Manager
 * endpoints; Cloud DNS record),
 * waits for the change, then confirms through DNS queries at the authoritative servers.
 */
import { runStep } from '../engine/step.js';
import type { SiteName } from '../plan/types.js';
import { queryDns } from '../providers/dns/resolver.js';
import type { Operation, TrafficState } from '../providers/types.js';
import { dnsServerOf, forEachStack } from './shared/context.js';
import { CLASS_INPUT, FAILED_OUTPUT, outputsOf, TARGET_INPUT, targetSite } from './shared/inputs.js';
import { awaitOperation } from './shared/observe.js';
import { outcomeRow, row } from './shared/rows.js';
import type { PhaseContext, PhaseDef, ResultRow } from './types.js';

export const trafficPhase: PhaseDef = {
  name: 'traffic',
  title: 'Traffic switch',
  description:
    "Moves traffic to the target (Route 53 simple or weighted UPSERT, the failover records' primary health check inverted, or Route 53 ARC routing controls; Traffic Manager endpoints; Cloud DNS record), waits for the change, and confirms through DNS queries.",
  inputs: [TARGET_INPUT, CLASS_INPUT],
  outputs: [FAILED_OUTPUT],
  async run(ctx) {
    const target = targetSite(ctx);
    const { ok, rows } = await forEachStack(ctx, (name) => switchTraffic(ctx, 'traffic', name, target));
    return { ok, rows, outputs: outputsOf(rows) };
  },
};

/** Shortest interval between two polls of a Route 53 change. */
export const ROUTE53_MIN_POLL_MS = 500;

/** Move the traffic switch to `target`, wait for the service, then confirm through DNS. */
export async function switchTraffic(
  ctx: PhaseContext,
  phase: string,
  name: string,
  target: SiteName,
): Promise<ResultRow[]> {
  const stack = ctx.plan.stack(name);
  const providers = await ctx.env.providers(name);
  const ttl = ctx.plan.limits.dnsTtlSeconds;
  let op: Operation | undefined;
  // Route 53 allows 5 requests a second per account, shared by every call of every stack: poll a
  // change at most twice a second, so the reads around it (before and after) still fit
  const minPollMs = stack.traffic.type === 'route53' ? ROUTE53_MIN_POLL_MS : undefined;
  const r = await runStep<TrafficState>(ctx.run, {
    phase,
    step: 'switch',
    stack: name,
    target: `${stack.traffic.type}:${'record' in stack.traffic && stack.traffic.record ? stack.traffic.record : (stack.traffic as { profile?: string }).profile}`,
    observe: () => providers.traffic.describe(),
    satisfied: (s) => s.active === target && (s.switchedTo ?? target) === target && op === undefined,
    action: (s) =>
      `point ${providers.traffic.expectation(target).name} from ${s.active} to ${target} (${providers.traffic.expectation(target).value}, TTL ${ttl} s)`,
    act: async () => {
      op = await providers.traffic.switchTo(target, ttl);
    },
    wait: async () => {
      await awaitOperation(
        ctx,
        `traffic change ${op?.id}`,
        op,
        (o) => providers.traffic.poll(o),
        ctx.plan.limits.deadlinesMs.traffic,
        minPollMs,
        { phase, step: 'switch', stack: name },
      );
      const after = await providers.traffic.describe();
      op = undefined;
      return after;
    },
    minPollMs,
    deadlineMs: ctx.plan.limits.deadlinesMs.traffic,
    data: () => (op ? { change: op.id } : undefined),
  });
  const rows = [
    outcomeRow(name, 'Traffic switch', r, `${stack.traffic.type} now sends traffic to ${target}`),
  ];
  if (r.outcome === 'would-do') return rows;
  // DNS confirmation, as `dig +short api.aegis.io` would show it at the authoritative servers
  const exp = providers.traffic.expectation(target);
  const server = dnsServerOf(stack);
  const d = await runStep(ctx.run, {
    phase,
    step: 'dns-confirm',
    stack: name,
    target: `dns:${exp.name}`,
    observe: () => dnsAnswers(exp, server),
    satisfied: (values) => values.includes(exp.value.replace(/\.$/, '')),
    inProgress: () => true,
    action: `wait until ${exp.name} ${exp.type} resolves to ${exp.value}`,
    deadlineMs: ctx.plan.limits.deadlinesMs.traffic,
  });
  rows.push(
    row(
      name,
      'DNS',
      d.outcome === 'would-do' ? 'would-do' : 'pass',
      `${exp.name} ${exp.type} -> ${(d.after ?? d.before).join(', ')}`,
    ),
  );
  return rows;
}

/**
 * What `dig` shows for the expectation: the record's answers, and where the record is an address
 * record whose target is a host name (an alias to a load balancer, which Route 53 answers with the
 * load balancer's addresses), the target name itself once the answers equal its addresses.
 */
export async function dnsAnswers(
  exp: { name: string; type: string; value: string },
  server: ReturnType<typeof dnsServerOf>,
): Promise<string[]> {
  const answers = (await queryDns(exp.name, exp.type, { server })).answers.map((a) =>
    a.data.replace(/\.$/, ''),
  );
  const value = exp.value.replace(/\.$/, '');
  if (!['A', 'AAAA'].includes(exp.type.toUpperCase()) || IP.test(value) || answers.length === 0)
    return answers;
  const addresses = (await queryDns(value, exp.type, { server })).answers.map((a) => a.data);
  const same =
    addresses.length > 0 &&
    addresses.length === answers.length &&
    addresses.every((a) => answers.includes(a));
  return same ? [...answers, value] : answers;
}

const IP = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]+:[0-9a-f:]*)$/i;
