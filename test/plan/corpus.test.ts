/**
 * The corpus of broken plans: every file in test/plan/corpus starts with one or more
 * `# expect: <line>:<column> <substring>` comments; each must match a reported problem at exactly
 * that position whose `path: message` contains the substring.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatProblem, validatePlanText } from '../../src/plan/load.js';

const dir = fileURLToPath(new URL('./corpus/', import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.yml'))
  .sort();

interface Expectation {
  line: number;
  column: number;
  text: string;
}

function expectations(text: string): Expectation[] {
  const out: Expectation[] = [];
  for (const line of text.split('\n')) {
    const m = /^# expect: (\d+):(\d+) (.+)$/.exec(line);
    if (m) out.push({ line: Number(m[1]), column: Number(m[2]), text: m[3] });
    else if (!line.startsWith('#')) break;
  }
  return out;
}

describe('broken plan corpus', () => {
  it('holds at least 45 broken plans', () => {
    expect(files.length).toBeGreaterThanOrEqual(45);
  });

  it.each(files)('%s reports every expected problem at its position', (name) => {
    const text = readFileSync(join(dir, name), 'utf8');
    const wanted = expectations(text);
    expect(wanted.length).toBeGreaterThan(0);
    const file = `test/plan/corpus/${name}`;
    const { plan, problems } = validatePlanText(text, file);
    expect(plan).toBeUndefined();
    const reported = problems.map(formatProblem);
    for (const w of wanted) {
      const hit = problems.find(
        (p) =>
          p.line === w.line &&
          p.column === w.column &&
          `${p.path ? `${p.path}: ` : ''}${p.message}`.includes(w.text),
      );
      if (!hit) {
        throw new Error(
          `${file}: expected a problem at ${w.line}:${w.column} containing "${w.text}"; reported:\n${reported.join('\n')}`,
        );
      }
      expect(hit.file).toBe(file);
    }
  });
});
