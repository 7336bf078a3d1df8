/**
 * What a phase is: a provider-agnostic module that reads the plan, talks to clouds only through
 * the provider interfaces, runs its work as engine steps, and returns outputs and a summary.
 * The same PhaseDef drives the GitHub Action (its action.yml is generated from it) and the CLI.
 */
import type { RunContext } from '../engine/step.js';
import type { Plan, SiteName } from '../plan/types.js';
import type { CloudProviders } from '../providers/types.js';

/** What an input holds; the one parser (shared/inputs.ts parseInputs) checks each kind. */
export type InputKind = 'boolean' | 'integer' | 'duration' | 'enum' | 'string' | 'list';

export interface InputDef {
  name: string;
  description: string;
  kind: InputKind;
  /** The accepted values of an enum (listed in the generated action.yml). */
  choices?: readonly string[];
  /** Written once: the action.yml default, the CLI default and the parser's value when empty. */
  default?: string;
  required?: boolean;
}

export interface OutputDef {
  name: string;
  description: string;
  /**
   * A deprecated name kept for one release: the output carries the same value as the output named
   * here (the runner copies it), and the generated action.yml says so. See docs/OUTPUT.md.
   */
  aliasOf?: string;
}

/** One row of a phase's result table (a check, a step, a stack). */
export interface ResultRow {
  stack?: string;
  item: string;
  status: 'pass' | 'fail' | 'warn' | 'skip' | 'info' | 'would-do' | 'done';
  detail: string;
}

export interface PhaseResult {
  ok: boolean;
  outputs: Record<string, string>;
  rows: ResultRow[];
  /** Extra markdown for the job summary (mermaid, notes). */
  markdown?: string;
}

/** Access to the estate; built from the plan by src/phases/environment.ts. */
export interface Environment {
  providers(stack: string): Promise<CloudProviders>;
  /** The Kubernetes API of one site of a stack. */
  cluster(stack: string, site: SiteName): Promise<import('../providers/kubernetes/types.js').Cluster>;
  /** The plan's Prometheus; a clear error when the plan has none. */
  prometheus(): import('../providers/prometheus.js').PrometheusClient;
}

export interface PhaseContext {
  plan: Plan;
  /** Stacks this run covers (all of the plan's unless one was chosen). */
  stacks: string[];
  run: RunContext;
  env: Environment;
  /** Phase-specific inputs by input name (strings, as from action inputs or CLI flags). */
  inputs: Record<string, string | undefined>;
  /**
   * The journal file named by the common `journal` input, as given (relative to the working
   * directory). An `offline` phase gets an in-memory journal in `run`, and reads this file itself
   * when it needs one (the report).
   */
  journalFile?: string;
}

export interface PhaseDef {
  name: string;
  title: string;
  /** One sentence: what the phase does (action description, `aegis-dr phases`). */
  description: string;
  /** Inputs beyond the common ones (plan, stack, dry-run, journal). */
  inputs: InputDef[];
  outputs: OutputDef[];
  /**
   * Whether the phase needs a valid plan only (validate, report) or talks to clouds. An offline
   * phase's run gets an in-memory journal: the runner does not open the journal file for appending.
   */
  offline?: boolean;
  /**
   * The value of the common `dry-run` input when it is not given (default false). `sync` dry-runs
   * by default: the one input that decides whether it changes data is `dry-run`, and its default
   * is the safe one.
   */
  dryRunByDefault?: boolean;
  run(ctx: PhaseContext): Promise<PhaseResult>;
}
