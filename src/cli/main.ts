/**
 * `aegis-dr`: the command line tool over the same phases as the Actions, for when GitHub itself
 * is degraded during a regional outage, and for drills on a laptop.
 */
import { Command, CommanderError, Option } from 'commander';
import { UserError } from '../engine/errors.js';
import { redact, registerEnvSecrets } from '../engine/redact.js';
import { verifyJournal, type JournalRecord } from '../engine/journal.js';
import { repairJournal } from '../engine/journal-repair.js';
import { StepFailed } from '../engine/step.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PlanError, validatePlanText } from '../plan/load.js';
import type { PlanProblem } from '../plan/types.js';
import { PHASES, getPhase } from '../phases/registry.js';
import { resultText } from '../phases/render.js';
import { runPhase } from '../phases/runner.js';
import { progressPrinter } from './progress.js';
import { packageVersion } from './version.js';
import { clip } from '../engine/clip.js';

export interface CliIO {
  out(s: string): void;
  err(s: string): void;
}

const stdio: CliIO = {
  out: (s) => process.stdout.write(s.endsWith('\n') ? s : s + '\n'),
  err: (s) => process.stderr.write(s.endsWith('\n') ? s : s + '\n'),
};

/** Extra commands (sandbox, drill) register themselves here so this file stays small. */
export type CommandPlugin = (program: Command, io: CliIO, setExit: (code: number) => void) => void;
const plugins: CommandPlugin[] = [];
export function registerCommand(p: CommandPlugin): void {
  plugins.push(p);
}

async function validatePlanFile(file: string) {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    const problems: PlanProblem[] = [
      {
        file,
        line: 1,
        column: 1,
        path: '',
        message: `the plan file cannot be read (${code}): check the path.`,
      },
    ];
    return { plan: undefined, problems };
  }
  return validatePlanText(text, path.resolve(file));
}

/** A repair record as `journal verify` lists it. */
export function repairLine(rec: JournalRecord): string {
  const d = rec.data ?? {};
  return `record ${rec.seq} is a repair by ${rec.actor ?? 'unknown'} at ${rec.startedAt}: ${String(d.removedBytes)} bytes after record ${String(d.afterSeq)} moved to ${String(d.sideFile)} (sha256 ${String(d.removedSha256).slice(0, 12)}…): ${String(d.reason)}`;
}

function collect(value: string, prev: Record<string, string>): Record<string, string> {
  const i = value.indexOf('=');
  if (i <= 0)
    throw new UserError(
      `--input "${clip(value)}" is not NAME=VALUE: write it as --input incident-class=region-outage.`,
    );
  return { ...prev, [value.slice(0, i)]: value.slice(i + 1) };
}

export function buildProgram(io: CliIO, setExit: (code: number) => void): Command {
  const program = new Command('aegis-dr')
    .description('Run the Cloud Aegis DR runbook as an auditable, re-runnable pipeline.')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .version(packageVersion(), '-V, --version', 'print the version of aegis-dr');

  program
    .command('validate')
    .description('Validate a DR plan; exit 0 when valid, 1 when not (every problem as file:line:column).')
    .argument('<plan>', 'the plan file')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      const { plan, problems } = await validatePlanFile(file);
      if (opts.json) {
        io.out(
          JSON.stringify({ valid: problems.length === 0, stacks: plan?.stackNames ?? [], problems }, null, 2),
        );
      } else if (problems.length === 0 && plan) {
        io.out(`${file}: valid (stacks: ${plan.stackNames.join(', ')})`);
      } else {
        for (const p of problems)
          io.err(`${p.file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ''}${p.message}`);
        io.err(`${file}: ${problems.length} problem(s)`);
      }
      setExit(problems.length === 0 ? 0 : 1);
    });

  program
    .command('phases')
    .description('List the phases and what each does.')
    .option('--json', 'print as JSON')
    .action((opts: { json?: boolean }) => {
      if (opts.json) {
        io.out(
          JSON.stringify(
            PHASES.map((p) => ({
              name: p.name,
              title: p.title,
              description: p.description,
              inputs: p.inputs,
              outputs: p.outputs,
            })),
            null,
            2,
          ),
        );
        return;
      }
      const w = Math.max(...PHASES.map((p) => p.name.length));
      for (const p of PHASES) io.out(`${p.name.padEnd(w)}  ${p.description}`);
    });

  // `aegis-dr run <phase>`, and `aegis-dr notify` / `aegis-dr escalate` as the same command
  const phaseCommand = (cmd: Command) =>
    cmd
      .requiredOption('--plan <file>', 'the DR plan file')
      .option('--stack <name>', 'one stack (or a comma list); default: every stack in the plan')
      .option('--dry-run', 'print what would change and make no mutating call')
      .option('--no-dry-run', 'change for real a phase that dry-runs by default (sync)')
      .option('--journal <file>', 'append journal records to this file', 'aegis-dr-journal.jsonl')
      .option(
        '--input <name=value>',
        'a phase input (repeatable), e.g. incident-class=region-outage',
        collect,
        {},
      )
      .option('--force <reason>', 'override a safety refusal; the journal records who and why')
      .option('--json', 'print the result as JSON');
  const runAction = async (
    phaseName: string,
    opts: {
      plan: string;
      stack?: string;
      dryRun?: boolean;
      journal: string;
      input: Record<string, string>;
      force?: string;
      json?: boolean;
    },
  ) => {
    const phase = getPhase(phaseName);
    // the runner parses them by their declared kind, as for the action
    const inputs: Record<string, string | undefined> = { ...opts.input };
    for (const k of Object.keys(opts.input)) {
      if (!phase.inputs.some((i) => i.name === k)) {
        throw new UserError(
          `--input ${clip(k)} is not an input of phase ${phase.name}: expected one of ${phase.inputs.map((i) => i.name).join(', ') || '(none)'}.`,
        );
      }
    }
    const user = process.env.USER ?? process.env.USERNAME ?? 'cli';
    const { result } = await runPhase({
      phase: phase.name,
      planFile: opts.plan,
      stack: opts.stack,
      dryRun: opts.dryRun,
      journalFile: opts.journal,
      inputs,
      actor: user,
      force: opts.force ? { by: user, reason: opts.force } : undefined,
      // T+ from the journal's declaration (the runner announces it), as the drill counts
      progress: opts.json ? undefined : progressPrinter(io, undefined),
    });
    if (opts.json) io.out(JSON.stringify(result, null, 2));
    else io.out(resultText(phase.title, result));
    setExit(result.ok ? 0 : 1);
  };
  phaseCommand(
    program
      .command('run')
      .description('Run one phase of the runbook against the estate a plan describes.')
      .argument('<phase>', `one of: ${PHASES.map((p) => p.name).join(', ')}`),
  ).action(runAction);
  for (const name of ['notify', 'escalate']) {
    phaseCommand(program.command(name).description(getPhase(name).description)).action(
      (opts: Parameters<typeof runAction>[1]) => runAction(name, opts),
    );
  }

  const journal = program.command('journal').description('Work with journals.');
  journal
    .command('verify')
    .description(
      'Check a journal hash chain; exit 0 when intact, 1 when a record was edited, removed or reordered.',
    )
    .argument('<file>', 'the journal (JSON lines)')
    .option('--json', 'print the result as JSON')
    .action((file: string, opts: { json?: boolean }) => {
      const r = verifyJournal(file);
      if (opts.json) io.out(JSON.stringify(r, null, 2));
      else if (r.ok) {
        io.out(`${file}: intact, ${r.count} record(s) in ${r.runs.length} run(s)`);
        for (const rec of r.repairs ?? []) io.out(`  ${repairLine(rec)}`);
      } else io.err(`${file}: TAMPERED at record ${r.badSeq}: ${r.reason}`);
      setExit(r.ok ? 0 : 1);
    });
  journal
    .command('repair')
    .description(
      'Move a torn last line (a runner that died mid-write, a full disk) to a side file and append a record saying so, so that verify accepts the journal and phases can go on; an edited journal is left as it is.',
    )
    .argument('<file>', 'the journal (JSON lines)')
    .action((file: string) => {
      const user = process.env.GITHUB_ACTOR ?? process.env.USER ?? process.env.USERNAME ?? 'cli';
      const r = repairJournal(file, { actor: user });
      if (!r.repaired) {
        io.out(`${file}: nothing to repair: ${r.kept} whole record(s), no torn line; nothing was changed.`);
      } else {
        io.out(
          `${file}: repaired: kept ${r.kept} whole record(s), moved the torn last line (${r.removedBytes} bytes) to ${r.sideFile}, and appended record ${r.record!.seq} saying so.`,
        );
        io.out(
          `  next: aegis-dr journal verify ${file}; then run the phase again (it resumes from the journal).`,
        );
      }
      setExit(0);
    });

  for (const p of plugins) p(program, io, setExit);
  return program;
}

/** Run the CLI; returns the exit code (never throws for a user's mistake). */
export async function main(argv: string[], out: CliIO = stdio): Promise<number> {
  let code = 0;
  // every line the CLI prints goes through the one redaction (src/engine/redact.ts)
  registerEnvSecrets();
  const io: CliIO = { out: (s) => out.out(redact(s)), err: (s) => out.err(redact(s)) };
  const program = buildProgram(io, (c) => (code = c));
  program.addOption(new Option('--no-color', 'plain output').hideHelp());
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof PlanError) {
      for (const p of err.problems)
        io.err(`${p.file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ''}${p.message}`);
      io.err(`the plan has ${err.problems.length} problem(s); nothing was contacted.`);
      return 1;
    }
    if (err instanceof UserError || err instanceof StepFailed) {
      io.err(`error: ${err.message}`);
      return 1;
    }
    const e = err as Error;
    io.err(`error: ${e?.message ?? String(err)}`);
    if (process.env.AEGIS_DR_DEBUG) io.err(e?.stack ?? '');
    return 1;
  }
}
