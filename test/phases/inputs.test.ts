/**
 * The one reader of phase inputs (src/phases/shared/inputs.ts): each kind, with the reason for
 * each case; and every output a phase declares is in its generated action.yml.
 */
import { COMMON_OUTPUTS } from '../../src/phases/results.js';
import fs from 'node:fs';
import YAML from 'yaml';
import { UserError } from '../../src/engine/errors.js';
import { PHASES } from '../../src/phases/registry.js';
import { parseInput, parseInputs } from '../../src/phases/shared/inputs.js';
import type { InputDef } from '../../src/phases/types.js';

const def = (kind: InputDef['kind'], extra: Partial<InputDef> = {}): InputDef => ({
  name: 'x',
  description: 'an input',
  kind,
  ...extra,
});

describe('parseInput', () => {
  it.each([
    { reason: 'yes is true, as dry-run always read it', d: def('boolean'), raw: 'yes', want: 'true' },
    {
      reason: 'allow-data-loss: yes is true too (it used to be silently false)',
      d: def('boolean', { name: 'allow-data-loss' }),
      raw: 'yes',
      want: 'true',
    },
    { reason: 'booleans ignore case and spaces', d: def('boolean'), raw: ' OFF ', want: 'false' },
    {
      reason: 'empty takes the default written once',
      d: def('boolean', { default: 'false' }),
      raw: '',
      want: 'false',
    },
    { reason: 'an integer keeps its value', d: def('integer'), raw: '042', want: '42' },
    { reason: 'a duration is kept as written', d: def('duration'), raw: '2h', want: '2h' },
    {
      reason: 'an enum accepts one of its choices',
      d: def('enum', { choices: ['dr', 'primary'] }),
      raw: 'primary',
      want: 'primary',
    },
    {
      reason: 'a list is trimmed and joined with commas',
      d: def('list'),
      raw: 'aws, gcp\nazure',
      want: 'aws,gcp,azure',
    },
    { reason: 'a string is kept', d: def('string'), raw: 'us-east-1 down', want: 'us-east-1 down' },
  ])('$reason', ({ d, raw, want }) => {
    expect(parseInput(d, raw)).toBe(want);
  });

  it.each([
    {
      reason: 'maybe is no boolean: the accepted words are named',
      d: def('boolean'),
      raw: 'maybe',
      msg: /input "x" is "maybe": expected true or false \(also accepted: yes, on, 1, no, off, 0\)/,
    },
    {
      reason: 'a fraction is no whole number',
      d: def('integer'),
      raw: '1.5',
      msg: /expected a whole number/,
    },
    {
      reason: 'a duration needs a unit',
      d: def('duration'),
      raw: 'soon',
      msg: /expected a duration such as 90s, 15m or 2h/,
    },
    {
      reason: 'an enum lists its choices',
      d: def('enum', { choices: ['dr', 'primary'] }),
      raw: 'west',
      msg: /expected one of dr, primary/,
    },
    {
      reason: 'a required input with no default cannot be empty',
      d: def('string', { required: true }),
      raw: ' ',
      msg: /is empty: it is required/,
    },
  ])('$reason', ({ d, raw, msg }) => {
    expect(() => parseInput(d, raw)).toThrow(UserError);
    expect(() => parseInput(d, raw)).toThrow(msg);
  });

  it('parseInputs parses the declared inputs and passes the others through', () => {
    const defs = [def('boolean', { name: 'allow-data-loss', default: 'false' })];
    expect(parseInputs(defs, { 'allow-data-loss': 'yes', other: 'x' })).toEqual({
      'allow-data-loss': 'true',
      other: 'x',
    });
    expect(parseInputs(defs, {})).toEqual({ 'allow-data-loss': 'false' });
  });
});

describe('the generated action.yml of each phase', () => {
  it.each(PHASES.map((p) => [p.name, p] as const))(
    '%s: its outputs and the choices of its inputs',
    (name, phase) => {
      const meta = YAML.parse(fs.readFileSync(`actions/${name}/action.yml`, 'utf8'));
      // a phase's own outputs and the ones every phase writes (passed, results), each once
      const names = new Set([...phase.outputs, ...COMMON_OUTPUTS].map((o) => o.name));
      expect(Object.keys(meta.outputs ?? {}).sort()).toEqual([...names].sort());
      for (const i of phase.inputs) {
        expect(meta.inputs[i.name]).toBeDefined();
        expect(String(meta.inputs[i.name].default)).toBe(i.default ?? '');
        if (i.choices) expect(meta.inputs[i.name].description).toContain(`One of: ${i.choices.join(', ')}.`);
      }
    },
  );
});
