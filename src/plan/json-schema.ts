/**
 * The plan's JSON Schema, derived from the TypeBox schema in `schema.ts`.
 *
 * `planJsonSchema()` is what we publish (`schema/dr-plan.schema.json`, for editors through the
 * yaml-language-server `$schema` comment); `validationSchema()` is the same document tuned for
 * the loader: unions of objects are discriminated on `type`, so a wrong field yields the error of
 * the member its `type` selects instead of every member's.
 */
import { writeFile } from 'node:fs/promises';
import { Plan } from './schema.js';

type Json = Record<string, unknown>;

const DRAFT = 'http://json-schema.org/draft-07/schema#';

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep copy without TypeBox's symbol keys, with tidy-ups applied to every subschema. */
function tidy(node: unknown, discriminate: boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => tidy(n, discriminate));
  if (!isObject(node)) return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    // `default` and `const` values are data, not schemas
    out[k] = k === 'default' || k === 'const' || k === 'enum' ? structuredClone(v) : tidy(v, discriminate);
  }
  const anyOf = out.anyOf as Json[] | undefined;
  if (Array.isArray(anyOf) && anyOf.length > 0) {
    // A union of string literals reads better (for editors and in errors) as an enum.
    if (anyOf.every((m) => isObject(m) && 'const' in m && m.type === 'string')) {
      const { anyOf: _drop, ...rest } = out;
      return { type: 'string', enum: anyOf.map((m) => m.const), ...rest };
    }
    // A union of objects told apart by a `type` literal.
    const tagged = anyOf.every(
      (m) =>
        isObject(m) &&
        isObject(m.properties) &&
        isObject((m.properties as Json).type) &&
        'const' in ((m.properties as Json).type as Json),
    );
    if (tagged && discriminate) {
      const { anyOf: _drop, ...rest } = out;
      return { type: 'object', discriminator: { propertyName: 'type' }, oneOf: anyOf, ...rest };
    }
  }
  // A field that has a default need not be written: take it out of `required`, so editors do not
  // ask for it (the loader fills it in).
  if (Array.isArray(out.required) && isObject(out.properties)) {
    const props = out.properties as Json;
    const required = (out.required as string[]).filter(
      (name) => !(isObject(props[name]) && 'default' in (props[name] as Json)),
    );
    if (required.length > 0) out.required = required;
    else delete out.required;
  }
  return out;
}

/** The published JSON Schema of a DR plan file (draft-07), as a plain JSON object. */
export function planJsonSchema(): Json {
  const body = tidy(Plan, false) as Json;
  return { $schema: DRAFT, ...body };
}

/** The schema the loader compiles with ajv (`discriminator: true`). */
export function validationSchema(): Json {
  const { $schema: _drop, ...body } = { $schema: DRAFT, ...(tidy(Plan, true) as Json) };
  return body;
}

/** The text of `schema/dr-plan.schema.json`: `planJsonSchema()` pretty-printed, with a final newline. */
export function planJsonSchemaText(): string {
  return `${JSON.stringify(planJsonSchema(), null, 2)}\n`;
}

/** Write the published schema (the build calls this with `schema/dr-plan.schema.json`). */
export async function writePlanJsonSchema(file: string): Promise<void> {
  await writeFile(file, planJsonSchemaText(), 'utf8');
}
