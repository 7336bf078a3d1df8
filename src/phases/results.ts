/**
 * The outputs every phase has, so a workflow can test a result without parsing text: `passed`
 * ("true"/"false") and `results`, JSON per stack that `fromJSON()` reads
 * (`fromJSON(steps.verify.outputs.results).aws.passed`). A job output is a string: these are the
 * strings the action really writes.
 */
import type { OutputDef, PhaseResult, ResultRow } from './types.js';

export const COMMON_OUTPUTS: OutputDef[] = [
  { name: 'passed', description: '"true" when the phase succeeded for every stack, else "false".' },
  {
    name: 'results',
    description:
      'JSON per stack: {"<stack>": {"passed": true|false, "rows": [{"item", "status", "detail"}]}}; read it with fromJSON().',
  },
];

/** The release that removes the deprecated output names (one release after they were renamed). */
export const ALIASES_REMOVED_IN = '0.3.0';

/** A deprecated output name that carries the value of `of` until {@link ALIASES_REMOVED_IN}. */
export function deprecatedOutput(name: string, of: string): OutputDef {
  return {
    name,
    aliasOf: of,
    description: `Deprecated: use ${of} (the same value). Kept until ${ALIASES_REMOVED_IN}.`,
  };
}

/** The outputs with every deprecated alias of `defs` set to the value of the output it stands for. */
export function withAliases(
  defs: readonly OutputDef[],
  outputs: Record<string, string>,
): Record<string, string> {
  const out = { ...outputs };
  for (const d of defs) if (d.aliasOf !== undefined) out[d.name] = outputs[d.aliasOf] ?? '';
  return out;
}

export interface StackResult {
  passed: boolean;
  rows: Omit<ResultRow, 'stack'>[];
}

/** The `results` object: one entry per stack of the run (rows without a stack go to every stack). */
export function resultsByStack(rows: ResultRow[], stacks: string[]): Record<string, StackResult> {
  const out: Record<string, StackResult> = {};
  for (const s of stacks) {
    const mine = rows.filter((r) => r.stack === s || r.stack === undefined);
    out[s] = {
      passed: mine.every((r) => r.status !== 'fail'),
      rows: mine.map((r) => ({ item: r.item, status: r.status, detail: r.detail })),
    };
  }
  return out;
}

/**
 * The result with `passed` and `results` added (a phase's own outputs of the same name win), and
 * the deprecated aliases among `defs` (the phase's declared outputs) filled in.
 */
export function withCommonOutputs(
  result: PhaseResult,
  stacks: string[],
  defs: readonly OutputDef[] = [],
): PhaseResult {
  return {
    ...result,
    outputs: withAliases(defs, {
      passed: String(result.ok),
      results: JSON.stringify(resultsByStack(result.rows, stacks)),
      ...result.outputs,
    }),
  };
}
