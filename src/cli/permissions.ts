/**
 * `aegis-dr permissions`: print the least-privilege policy of an identity per cloud (an AWS IAM
 * policy, an Azure custom role, a GCP custom role, Kubernetes Role/ClusterRole), generated from the
 * permission table each provider declares next to its calls (src/permissions/).
 */
import { registerCommand } from './main.js';

registerCommand((program, io, setExit) => {
  program
    .command('permissions')
    .description(
      'Print the least-privilege AWS IAM policy, Azure and GCP custom roles and Kubernetes RBAC of an identity (failover: every phase; read-only: readiness, triggers, validate, report, status), generated from the calls each phase declares.',
    )
    .option('--plan <file>', 'narrow resources and scopes to those of this DR plan')
    .option('--cloud <cloud>', 'aws, azure, gcp or kubernetes (default: every cloud the plan uses)')
    .option('--identity <identity>', 'failover or read-only', 'failover')
    .option('--phase <phase>', 'only what this phase (or status) may call')
    .option('--format <format>', 'json or yaml', 'json')
    .action(
      async (opts: { plan?: string; cloud?: string; identity?: string; phase?: string; format?: string }) => {
        const { loadPlan } = await import('../plan/load.js');
        const { formatDocuments, permissionDocuments } = await import('../permissions/index.js');
        const plan = opts.plan ? await loadPlan(opts.plan) : undefined;
        const docs = await permissionDocuments({
          plan,
          cloud: opts.cloud,
          identity: opts.identity,
          phase: opts.phase,
        });
        const { text, notes } = formatDocuments(docs, opts.format);
        io.out(text);
        // JSON stays what the cloud's CLI takes: the notes go to stderr (YAML has them as comments)
        if ((opts.format ?? 'json') === 'json') for (const n of notes) io.err(`note: ${n}`);
        setExit(0);
      },
    );
});
