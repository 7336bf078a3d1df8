import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { planJsonSchema, planJsonSchemaText } from '../../src/plan/json-schema.js';

const committed = fileURLToPath(new URL('../../schema/dr-plan.schema.json', import.meta.url));
const example = fileURLToPath(new URL('../../examples/cloud-aegis.plan.yml', import.meta.url));

describe('the published JSON Schema', () => {
  it('is current (schema/dr-plan.schema.json matches planJsonSchema())', () => {
    const text = readFileSync(committed, 'utf8');
    if (text !== planJsonSchemaText()) {
      throw new Error(
        'schema/dr-plan.schema.json is out of date with src/plan/schema.ts; run `npm run build` and commit the result.',
      );
    }
  });

  it('is draft-07 and compiles in strict mode', () => {
    const schema = planJsonSchema();
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    const ajv = new Ajv({ strict: true, allErrors: true });
    expect(() => ajv.compile(schema)).not.toThrow();
  });

  it('accepts the example plan as written (fields with defaults are not required)', () => {
    const ajv = new Ajv({ strict: true, allErrors: true });
    const validate = ajv.compile(planJsonSchema());
    const ok = validate(parse(readFileSync(example, 'utf8')));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });
});
