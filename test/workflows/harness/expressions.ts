/**
 * Expressions evaluated by GitHub's own package (@actions/expressions: lexer, parser, evaluator,
 * the built-in functions such as fromJSON, contains, format). The status functions are not in it:
 * the runner defines them from the state of the job or step, so the harness passes them in, as
 * https://docs.github.com/en/actions/reference/workflows-and-actions/expressions#status-check-functions
 * describes them:
 *   success()   "Returns true when all previous steps have succeeded" (for a job: every job it
 *               depends on, through the whole `needs` chain, succeeded);
 *   always()    "Causes the step to always execute, and returns true, even when canceled";
 *   cancelled() "Returns true if the workflow was canceled";
 *   failure()   "Returns true when any previous step of a job fails" (for a job: when any
 *               ancestor job fails).
 */
import { Evaluator, Lexer, Parser, data } from '@actions/expressions';
import type { Token } from './parse.js';

/** The contexts an expression may read, as plain JSON values. */
export type Contexts = Record<string, unknown>;

export interface Status {
  success: boolean;
  failure: boolean;
  cancelled: boolean;
}

const CONTEXT_NAMES = [
  'github',
  'inputs',
  'vars',
  'secrets',
  'env',
  'needs',
  'steps',
  'job',
  'jobs',
  'runner',
  'strategy',
  'matrix',
];

function toData(value: unknown): data.ExpressionData {
  return JSON.parse(JSON.stringify(value ?? null), data.reviver) as data.ExpressionData;
}

function statusFunctions(status: Status) {
  const bool = (b: boolean) => () => new data.BooleanData(b);
  return new Map(
    [
      { name: 'success', minArgs: 0, maxArgs: 0, call: bool(status.success) },
      { name: 'failure', minArgs: 0, maxArgs: 0, call: bool(status.failure) },
      { name: 'cancelled', minArgs: 0, maxArgs: 0, call: bool(status.cancelled) },
      { name: 'always', minArgs: 0, maxArgs: 0, call: bool(true) },
    ].map((f) => [f.name, f]),
  );
}

/** Evaluate one expression (the text inside `${{ }}`) to GitHub's data value. */
export function evaluate(expr: string, ctx: Contexts, status?: Status): data.ExpressionData {
  const fns = statusFunctions(status ?? { success: true, failure: false, cancelled: false });
  const lexed = new Lexer(expr).lex();
  const parsed = new Parser(lexed.tokens, CONTEXT_NAMES, [...fns.values()]).parse();
  const dict = new data.Dictionary();
  for (const name of CONTEXT_NAMES) dict.add(name, toData(ctx[name] ?? {}));
  return new Evaluator(parsed, dict, fns).evaluate();
}

/** Truthiness as `if:` uses it (GitHub's falsy values: false, 0, -0, "", null; NaN). */
export function condition(expr: string, ctx: Contexts, status: Status): boolean {
  const v = evaluate(expr, ctx, status);
  switch (v.kind) {
    case data.Kind.Boolean:
      return (v as data.BooleanData).value;
    case data.Kind.Null:
      return false;
    case data.Kind.Number: {
      const n = (v as data.NumberData).value;
      return n !== 0 && !Number.isNaN(n);
    }
    case data.Kind.String:
      return (v as data.StringData).value !== '';
    default:
      return true;
  }
}

/** A token evaluated to a string, as the runner passes `with:` and `env:` values: an expression's value coerced to a string. */
export function tokenString(token: Token | undefined, ctx: Contexts, status?: Status): string {
  if (token === undefined || token === null) return '';
  if (typeof token !== 'object') return String(token);
  if (token.type === 3) return evaluate(token.expr, ctx, status).coerceString();
  throw new Error(`expected a scalar, found a ${token.type === 1 ? 'sequence' : 'mapping'}`);
}

/** A token evaluated to a JSON value (mappings and sequences recursively; expressions to their values). */
export function tokenValue(token: Token | undefined, ctx: Contexts, status?: Status): unknown {
  if (token === undefined) return undefined;
  if (token === null || typeof token !== 'object') return token;
  if (token.type === 1) return token.seq.map((t) => tokenValue(t, ctx, status));
  if (token.type === 2)
    return Object.fromEntries(token.map.map((p) => [String(p.Key), tokenValue(p.Value, ctx, status)]));
  return JSON.parse(JSON.stringify(evaluate(token.expr, ctx, status), data.replacer));
}
