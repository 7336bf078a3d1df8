/**
 * GitHub's own workflow parser (@actions/workflow-parser) run over a workflow file, through the
 * shared bundle-and-spawn helper of test/support/workflow-lint.ts (the package imports JSON without
 * import attributes, which plain Node and Jest refuse); the result comes back as the parser's own
 * JSON serialisation of its tokens:
 *   - `template`: `convertWorkflowTemplate`, the parser's model of the run (jobs in file order,
 *     `needs`, job and step `if` already wrapped in `success() && (...)` when they hold no status
 *     function, generated step ids), and
 *   - `raw`: the parsed token tree of the whole file (`with:`, `env:`, `continue-on-error`,
 *     `environment`, `permissions` ... are there; the model above drops `with:`), in which every
 *     `${{ }}` is already an expression token, and a string that embeds expressions is GitHub's
 *     `format('...{0}...', expr)` expression.
 */
import { workflowParser } from '../../support/workflow-lint.js';

/** A token as the parser serialises it: literal JSON values, or typed objects. */
export type Token =
  | string
  | number
  | boolean
  | null
  | { type: 1; seq: Token[] }
  | { type: 2; map: { Key: Token; Value: Token }[] }
  | { type: 3; expr: string };

export interface TemplateStep {
  id: string;
  name?: Token;
  if?: { type: 3; expr: string };
  uses?: string;
  run?: Token;
  'continue-on-error'?: boolean | Token;
}

export interface TemplateJob {
  type: 'job' | 'reusableWorkflowJob';
  id: string;
  name?: Token;
  needs?: string[];
  if: { type: 3; expr: string };
  steps: TemplateStep[];
}

export interface ParsedWorkflow {
  file: string;
  errors: string[];
  template: { events: Record<string, any>; jobs: TemplateJob[]; concurrency?: Token; env?: Token };
  raw: Token;
}

let parser: ReturnType<typeof workflowParser> | undefined;

/** Parse workflow files with GitHub's parser (bundled once per process by the shared lint helper). @throws when the parser itself cannot run. */
export async function parseWorkflows(files: string[]): Promise<ParsedWorkflow[]> {
  parser ??= workflowParser();
  return (await parser).parse(files) as ParsedWorkflow[];
}

/** Look a key up in a mapping token (undefined when the token is not a mapping or lacks the key). */
export function get(token: Token | undefined, key: string): Token | undefined {
  if (!token || typeof token !== 'object' || token.type !== 2) return undefined;
  return token.map.find((p) => p.Key === key)?.Value;
}

/** The entries of a mapping token, in file order. */
export function entries(token: Token | undefined): [string, Token][] {
  if (!token || typeof token !== 'object' || token.type !== 2) return [];
  return token.map.map((p) => [String(p.Key), p.Value]);
}

/** The items of a sequence token. */
export function items(token: Token | undefined): Token[] {
  if (!token || typeof token !== 'object' || token.type !== 1) return [];
  return token.seq;
}
