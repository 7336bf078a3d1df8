/**
 * The `sandbox` and `drill` commands. Both load the sandbox and drill modules lazily, so the
 * other commands (and the actions, which share the bundle) never pay for them.
 */
import type { IncidentClassName } from '../plan/types.js';
import { registerCommand } from './main.js';
import { progressPrinter } from './progress.js';
import { clip } from '../engine/clip.js';
import { UserError } from '../engine/errors.js';

function speedOf(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(n > 0))
    throw new UserError(
      `--speed is "${clip(v)}": expected a number above 0 (600 makes a 120 s failover take 0.2 s).`,
    );
  return n;
}

registerCommand((program, io, setExit) => {
  program
    .command('sandbox')
    .description('Start the embedded multi-cloud sandbox on 127.0.0.1 and serve until interrupted.')
    .requiredOption('--out <dir>', 'where to write plan.yml, kubeconfig and endpoints.json')
    .option('--scenario <name>', 'inject a scenario at start (region-outage, database-corruption, ...)')
    .option('--speed <n>', 'divide every cloud duration by this', '600')
    .option('--builtin-prometheus', 'answer the plan queries in-process even when Prometheus is installed')
    .option(
      '--enforce-permissions',
      'give each identity exactly its `aegis-dr permissions` policy and deny anything else as the cloud does',
    )
    .action(
      async (opts: {
        out: string;
        scenario?: string;
        speed?: string;
        builtinPrometheus?: boolean;
        enforcePermissions?: boolean;
      }) => {
        const { startSandbox } = await import('../sandbox/index.js');
        const { scenarioNames } = await import('../sandbox/scenarios.js');
        const { identityGrants } = await import('../permissions/index.js');
        const sb = await startSandbox({
          enforcePermissions: opts.enforcePermissions
            ? ((await identityGrants()) as import('../sandbox/iam.js').Grants)
            : undefined,
          outDir: opts.out,
          scenario: opts.scenario,
          speed: speedOf(opts.speed),
          prometheus: opts.builtinPrometheus ? 'builtin' : 'auto',
        });
        for (const n of sb.notes) io.out(`note: ${n}`);
        if (opts.enforcePermissions) {
          const { SANDBOX_READ_ONLY_ACCESS_KEY, SANDBOX_READ_ONLY_TOKEN } = await import('../sandbox/iam.js');
          io.out(
            `permissions enforced: the plan's credentials are the failover identity; read-only: AWS access key ${SANDBOX_READ_ONLY_ACCESS_KEY}, bearer ${SANDBOX_READ_ONLY_TOKEN} (Azure, GCP, Kubernetes)`,
          );
        }
        io.out(`plan:       ${sb.planFile}`);
        io.out(`kubeconfig: ${sb.kubeconfigFile}`);
        io.out(`endpoints:  ${opts.out.replace(/\/+$/, '')}/endpoints.json`);
        for (const [k, v] of Object.entries(sb.endpoints)) io.out(`  ${k.padEnd(26)} ${v}`);
        io.out(
          `scenarios: ${scenarioNames().join(', ')} (POST ${sb.endpoints.control}/_sandbox/scenario {"name":"..."})`,
        );
        io.out('serving; press Ctrl-C to stop');
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await sb.close();
        setExit(0);
      },
    );

  program
    .command('drill')
    .description(
      'Run a full DR drill: on the embedded sandbox (no cloud account) unless --plan is given: scenario, triggers, readiness, failover, verify, failback, verify; prints the timeline and RTO/RPO per stack.',
    )
    .option(
      '--plan <file>',
      'drill against the estate of this plan instead of the sandbox (use --dry-run for a rehearsal)',
    )
    .option('--scenario <name>', 'sandbox scenario to inject', 'region-outage')
    .option('--class <class>', 'incident class (default: from the scenario)')
    .option('--stack <name>', 'one stack (or a comma list); default: all')
    .option('--dry-run', 'print what would change and make no mutating call')
    .option('--speed <n>', 'sandbox speed factor', '600')
    .option('--durations <mode>', 'sandbox durations within each range: random, low, mean or high', 'random')
    .option('--journal <file>', 'journal file (default: in the drill folder)')
    .option(
      '--out <dir>',
      'drill folder for the journal, sandbox files and result (default: .aegis-dr/drill-<time>)',
    )
    .option('--builtin-prometheus', 'do not start a real Prometheus even when installed')
    .option(
      '--report <file>',
      'write the Markdown report here instead of report.md in the drill folder: the result, timeline and RTO/RPO table, then the report built from the journal',
    )
    .option('--json', 'print the result as JSON')
    .option(
      '--figures',
      "also print the sandbox's benchmark figures (failover against its critical path, API calls per service)",
    )
    .option('--no-failback', 'stop after the failover and its verification (a failover-only drill)')
    .option(
      '--cluster-access <mode>',
      "how the sandbox plan reaches its clusters: kubeconfig (default) or cloud (each site names its EKS/AKS/GKE cluster; server and token come from the cloud's API and credentials)",
    )
    .action(
      async (opts: {
        clusterAccess?: string;
        failback?: boolean;
        report?: string;
        plan?: string;
        scenario?: string;
        class?: string;
        stack?: string;
        dryRun?: boolean;
        speed?: string;
        durations?: string;
        journal?: string;
        out?: string;
        builtinPrometheus?: boolean;
        json?: boolean;
        figures?: boolean;
      }) => {
        const { BENCH_SPEED, runDrill } = await import('../drill/drill.js');
        const { figuresText, summaryText } = await import('../drill/summary.js');
        const durations = opts.durations ?? 'random';
        if (!['random', 'low', 'mean', 'high'].includes(durations)) {
          throw new UserError(
            `--durations is "${clip(durations)}": expected random, low, mean or high (the sandbox's pick within each cloud duration range).`,
          );
        }
        const clusterAccess = opts.clusterAccess ?? 'kubeconfig';
        if (clusterAccess !== 'kubeconfig' && clusterAccess !== 'cloud') {
          throw new UserError(
            `--cluster-access is "${clip(clusterAccess)}": expected kubeconfig or cloud (how the sandbox plan's sites reach their clusters).`,
          );
        }
        if (opts.plan && opts.clusterAccess) {
          throw new UserError(
            `--cluster-access applies to the sandbox plan only, and --plan names your own: set kubernetes.cluster in that plan instead.`,
          );
        }
        const result = await runDrill({
          clusterAccess,
          durations: durations as 'random' | 'low' | 'mean' | 'high',
          plan: opts.plan,
          scenario: opts.scenario,
          incidentClass: opts.class as IncidentClassName | undefined,
          stack: opts.stack,
          dryRun: opts.dryRun,
          speed: speedOf(opts.speed),
          journalFile: opts.journal,
          outDir: opts.out,
          prometheus: opts.builtinPrometheus ? 'builtin' : 'auto',
          noFailback: opts.failback === false,
          reportFile: opts.report,
          progress: opts.json ? undefined : progressPrinter(io, undefined),
          log: opts.json ? undefined : (l) => io.out(l),
        });
        if (opts.json) {
          io.out(JSON.stringify(result, null, 2));
        } else {
          // the end of the output is for the person: the figures (when asked), then the verdict and
          // the table, then where the full report (with the timeline) is
          if (opts.figures) io.out(`\n${figuresText(result, BENCH_SPEED)}`);
          io.out('');
          io.out(summaryText(result));
        }
        setExit(result.ok ? 0 : 1);
      },
    );
});
