/**
 * `aegis-dr status`: after a stopped or failed failover, where each stack stands and the next safe
 * step (src/status/status.ts). Read-only: it reads the journal and describes the cloud.
 */
import { registerCommand } from './main.js';

registerCommand((program, io, setExit) => {
  program
    .command('status')
    .description(
      'Show each stack of the open incident phase by phase (done, failed, pending) from the journal and a fresh read-only look at the cloud, and the next safe command.',
    )
    .requiredOption('--plan <file>', 'the DR plan file')
    .option('--journal <file>', 'the journal of the failover', 'aegis-dr-journal.jsonl')
    .option('--stack <name>', 'one stack (or a comma list); default: every stack in the plan')
    .option('--json', 'print the status as JSON')
    .action(async (opts: { plan: string; journal: string; stack?: string; json?: boolean }) => {
      const { loadPlan } = await import('../plan/load.js');
      const { readJournal } = await import('../engine/journal.js');
      const { selectStacks } = await import('../phases/runner.js');
      const { createEnvironment } = await import('../phases/environment.js');
      const { statusOf, statusText } = await import('../status/status.js');
      const plan = await loadPlan(opts.plan);
      const stacks = selectStacks(plan, opts.stack);
      readJournal(opts.journal); // a missing journal is one sentence before anything is contacted
      const report = await statusOf({
        plan,
        planFile: opts.plan,
        journalFile: opts.journal,
        stacks,
        env: createEnvironment(plan),
      });
      io.out(opts.json ? JSON.stringify(report, null, 2) : statusText(report));
      setExit(0);
    });
});
