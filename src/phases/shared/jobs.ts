/** Kubernetes Jobs the phases run in a site (data integrity check, data sync) and wait for. */
import { pollUntil } from '../../engine/step.js';
import type { SiteName } from '../../plan/types.js';
import type { PhaseContext } from '../types.js';
import { probe } from './observe.js';

function jobName(kind: string): string {
  return `aegis-${kind}-${Date.now().toString(36)}`;
}

/** Run a Kubernetes Job in a site and return its result and logs. */
export async function runJob(
  ctx: PhaseContext,
  name: string,
  site: SiteName,
  kind: string,
  image: string,
  command: string[],
): Promise<{ succeeded: boolean; logs: string; job: string }> {
  const cluster = await ctx.env.cluster(name, site);
  const job = jobName(kind);
  await probe(ctx, () =>
    cluster.runJob({
      name: job,
      image,
      command,
      labels: { 'app.kubernetes.io/part-of': 'aegis-dr', 'aegis.io/check': kind },
    }),
  );
  const st = await pollUntil(
    ctx.run,
    `job ${job} on the ${site} cluster`,
    async () => {
      const s = await probe(ctx, () => cluster.job(job));
      return s?.done ? s : undefined;
    },
    ctx.plan.limits.deadlinesMs.verify,
    undefined,
    undefined,
    { step: `job ${kind}`, stack: name },
  );
  return { succeeded: st.succeeded, logs: st.logs ?? '', job };
}
