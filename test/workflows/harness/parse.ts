/**
 * GitHub's own workflow parser (@actions/workflow-parser) run over a workflow file. The package
 * imports JSON without import attributes, which plain Node and Jest refuse, so it is bundled with
 * esbuild once per process and run in a child Node process (as test/workflows.test.ts does); the
 * result comes back as the parser's own JSON serialisation of its tokens:
 *   - `template`: `convertWorkflowTemplate`, the parser's model of the run (jobs in file order,
 *     `needs`, job and step `if` already wrapped in `success() && (...)` when they hold no status
 *     function, generated step ids), and
 *   - `raw`: the parsed token tree of the whole file (`with:`, `env:`, `continue-on-error`,
 *     `environment`, `permissions` ... are there; the model above drops `with:`), in which every
 *     `${{ }}` is already an expression token, and a string that embeds expressions is GitHub's
 *     `format('...{0}...', expr)` expression.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '../../..');

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

let bundle: string | undefined;

async function parserBundle(): Promise<string> {
  if (bundle) return bundle;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-wfharness-'));
  const entry = path.join(dir, 'entry.mjs');
  fs.writeFileSync(
    entry,
    `import { readFileSync } from 'node:fs';
import { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } from '@actions/workflow-parser';
const out = [];
for (const file of process.argv.slice(2)) {
  const parsed = parseWorkflow({ name: file, content: readFileSync(file, 'utf8') }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  let template = null;
  if (parsed.value && errors.length === 0) {
    template = await convertWorkflowTemplate(parsed.context, parsed.value);
    for (const e of template.errors ?? []) errors.push(e.Message);
  }
  out.push({ file, errors, template, raw: parsed.value ?? null });
}
process.stdout.write(JSON.stringify(out));
`,
  );
  const out = path.join(dir, 'parse.mjs');
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: out,
    nodePaths: [path.join(ROOT, 'node_modules')],
    logLevel: 'error',
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  bundle = out;
  return out;
}

/** Parse workflow files with GitHub's parser. @throws when the parser itself cannot run. */
export async function parseWorkflows(files: string[]): Promise<ParsedWorkflow[]> {
  const b = await parserBundle();
  const r = spawnSync(process.execPath, [b, ...files], {
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`the workflow parser exited with ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as ParsedWorkflow[];
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
