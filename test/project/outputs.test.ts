/**
 * Output names: the tables of docs/OUTPUT.md match each generated action.yml (current names and
 * deprecated aliases), every output read in the example workflows, the project's workflows and
 * the docs exists on the action it is read from and is not a deprecated name, and the runner
 * gives a deprecated alias the value of its new name.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { PHASES } from '../../src/phases/registry.js';
import { withAliases } from '../../src/phases/results.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
type Outputs = Record<string, { description: string }>;

const actionOutputs = (phase: string | undefined): Outputs => {
  const file = phase ? path.join(ROOT, 'actions', phase, 'action.yml') : path.join(ROOT, 'action.yml');
  return (parse(fs.readFileSync(file, 'utf8')) as { outputs: Outputs }).outputs;
};
const isDeprecated = (o: { description: string }) => o.description.startsWith('Deprecated');

/** The rows of the Markdown table under `heading` in docs/OUTPUT.md, cells unquoted. */
function table(heading: string): string[][] {
  const text = fs.readFileSync(path.join(ROOT, 'docs/OUTPUT.md'), 'utf8');
  const from = text.indexOf(heading);
  expect(from).toBeGreaterThan(-1);
  const lines = text.slice(from).split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const l of lines.slice(start + 2)) {
    if (!l.startsWith('|')) break;
    rows.push(
      l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  }
  return rows;
}
const names = (cell: string) => [...cell.matchAll(/`([\w-]+)`/g)].map((m) => m[1]).sort();

describe('docs/OUTPUT.md against each action.yml', () => {
  it('lists every action with exactly its current outputs', () => {
    const rows = table('## Action outputs: one naming scheme');
    expect(rows.map((r) => r[0]).sort()).toEqual(PHASES.map((p) => p.name).sort());
    for (const [phase, cell] of rows) {
      const current = Object.entries(actionOutputs(phase))
        .filter(([, o]) => !isDeprecated(o))
        .map(([n]) => n)
        .sort();
      expect({ phase, outputs: names(cell) }).toEqual({ phase, outputs: current });
    }
  });

  it('lists every deprecated alias with the name that replaces it', () => {
    const rows = table('### Deprecated names');
    const documented = rows
      .map(([phase, old, now]) => `${phase}: ${names(old)[0]} -> ${names(now)[0]}`)
      .sort();
    const declared = PHASES.flatMap((p) =>
      p.outputs.filter((o) => o.aliasOf).map((o) => `${p.name}: ${o.name} -> ${o.aliasOf}`),
    ).sort();
    expect(documented).toEqual(declared);
    for (const [phase, old] of rows) expect(isDeprecated(actionOutputs(phase)[names(old)[0]])).toBe(true);
  });
});

/** Our action a step uses: its phase, `root` for the root action, undefined for another action. */
function phaseOf(step: { uses?: unknown; with?: Record<string, unknown> }): string | undefined {
  const uses = typeof step.uses === 'string' ? step.uses : '';
  const m = /^(?:cloud-aegis\/aegis-dr|\.)\/actions\/([\w-]+)(?:@|$)/.exec(uses);
  if (m) return m[1];
  if (/^(?:cloud-aegis\/aegis-dr(?:@|$)|\.\/?$)/.test(uses)) return 'root';
  return undefined;
}

/** Every `steps:` list in a parsed YAML document (a workflow, a job, a fragment in the docs). */
function stepLists(node: unknown, out: unknown[][] = []): unknown[][] {
  if (Array.isArray(node)) for (const n of node) stepLists(n, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'steps' && Array.isArray(v)) out.push(v);
      stepLists(v, out);
    }
  }
  return out;
}

/** The YAML documents of a file: the file itself, or each fenced yaml block of a Markdown file. */
function yamlDocs(file: string): { text: string; docs: unknown[] } {
  const text = fs.readFileSync(file, 'utf8');
  if (!file.endsWith('.md')) return { text, docs: [parse(text)] };
  const docs: unknown[] = [];
  for (const m of text.matchAll(/```ya?ml\n([\s\S]*?)```/g)) {
    try {
      docs.push(parse(m[1]));
    } catch {
      // a fragment that is not YAML on its own (an ellipsis, a partial step) has no step to read
    }
  }
  return { text, docs };
}

const listDir = (dir: string, ext: RegExp) =>
  fs.existsSync(path.join(ROOT, dir))
    ? fs
        .readdirSync(path.join(ROOT, dir))
        .filter((f) => ext.test(f))
        .map((f) => path.join(ROOT, dir, f))
    : [];

describe('outputs read in workflows and docs', () => {
  const files = [
    ...listDir('workflows-examples', /\.ya?ml$/),
    ...listDir('.github/workflows', /\.ya?ml$/),
    ...listDir('docs', /\.md$/),
  ];

  it.each(files.map((f) => [path.relative(ROOT, f), f]))(
    '%s reads only current outputs that its action declares',
    (_name, file) => {
      const { text, docs } = yamlDocs(file);
      const idToPhase = new Map<string, string>();
      for (const steps of docs.flatMap((d) => stepLists(d))) {
        for (const s of steps as { id?: string; uses?: string; with?: Record<string, unknown> }[]) {
          const phase = s && typeof s === 'object' ? phaseOf(s) : undefined;
          if (!phase || !s.id) continue;
          idToPhase.set(s.id, phase === 'root' ? `root:${String(s.with?.phase ?? '')}` : phase);
        }
      }
      const problems: string[] = [];
      for (const m of text.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
        const [, id, name] = m;
        const phase = idToPhase.get(id);
        if (phase === undefined) continue; // another action's step
        const outputs = actionOutputs(phase.startsWith('root:') ? undefined : phase);
        if (!(name in outputs)) problems.push(`steps.${id}.outputs.${name}: ${phase} has no output ${name}`);
        else if (isDeprecated(outputs[name]))
          problems.push(`steps.${id}.outputs.${name}: ${name} is deprecated (${outputs[name].description})`);
      }
      expect(problems).toEqual([]);
    },
  );
});

describe('deprecated aliases carry the value of their new name', () => {
  it.each(PHASES.flatMap((p) => p.outputs.filter((o) => o.aliasOf).map((o) => [p.name, o.name, o.aliasOf!])))(
    '%s: %s = %s',
    (phase, alias, of) => {
      const defs = PHASES.find((p) => p.name === phase)!.outputs;
      const out = withAliases(defs, { [of]: 'value-of-new-name' });
      expect(out[alias]).toBe('value-of-new-name');
    },
  );
});
