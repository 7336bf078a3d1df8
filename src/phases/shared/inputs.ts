/**
 * Inputs and outputs several phases declare alike (incident class, target, failed items) and the
 * readers that check them, each refusal one sentence naming the input.
 */
import { UserError } from '../../engine/errors.js';
import { parseDuration } from '../../plan/duration.js';
import type { IncidentClassName, ResolvedIncidentClass, SiteName } from '../../plan/types.js';
import type { InputDef, PhaseContext, ResultRow } from '../types.js';
import { clip } from '../../engine/clip.js';

export const INCIDENT_CLASSES: IncidentClassName[] = [
  'region-outage',
  'database-corruption',
  'network-partition',
  'compute-failure',
];

/**
 * The incident class: required by declare (no default: an incident is never silently a region
 * outage); every later phase defaults to the class declared in the journal (src/phases/incident.ts).
 */
export const CLASS_INPUT: InputDef = {
  name: 'incident-class',
  kind: 'enum',
  choices: INCIDENT_CLASSES,
  description:
    'region-outage, database-corruption, network-partition or compute-failure: selects the phases (an excluded phase journals why and changes nothing), the database mode and the RTO/RPO targets. Required by declare; later phases default to the class declared in the journal.',
  default: '',
};

export const TARGET_INPUT: InputDef = {
  name: 'target',
  kind: 'enum',
  choices: ['dr', 'primary'],
  description: 'The site to move to: dr (failover) or primary (failback).',
  default: 'dr',
};

export const FAILED_OUTPUT = {
  name: 'failed-items',
  description: 'Comma-separated stack/item names that failed.',
};

/** The `failed-items` output of a phase's rows. */
export function outputsOf(rows: ResultRow[]): Record<string, string> {
  return {
    'failed-items': rows
      .filter((r) => r.status === 'fail')
      .map((r) => `${r.stack}/${r.item}`)
      .join(','),
  };
}

/** The class of this run, as the runner resolved it (input, else the journal's declaration). */
export function incidentClass(ctx: PhaseContext): ResolvedIncidentClass {
  const name = (ctx.inputs['incident-class'] ?? '') as IncidentClassName;
  if (!name) {
    throw new UserError(
      'input incident-class is empty and no incident was declared: set incident-class, or run declare first with the same journal.',
    );
  }
  if (!INCIDENT_CLASSES.includes(name)) {
    throw new UserError(
      `input incident-class is "${clip(name)}": expected one of ${INCIDENT_CLASSES.join(', ')}.`,
    );
  }
  return ctx.plan.classes[name];
}

/** The site a phase moves toward: "dr" for a failover (default), "primary" for a failback. */
export function targetSite(ctx: PhaseContext): SiteName {
  const t = ctx.inputs['target'] || 'dr';
  if (t !== 'dr' && t !== 'primary')
    throw new UserError(`input target is "${clip(t)}": expected dr or primary.`);
  return t;
}

/** The words a boolean input accepts (as YAML 1.1 and the GitHub runner's getBooleanInput read them). */
export const BOOLEAN_WORDS = {
  true: ['true', 'yes', 'on', '1'],
  false: ['false', 'no', 'off', '0'],
} as const;

/** A boolean input's value, or a UserError naming the input and the accepted words. */
export function parseBoolean(name: string, raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if ((BOOLEAN_WORDS.true as readonly string[]).includes(v)) return true;
  if ((BOOLEAN_WORDS.false as readonly string[]).includes(v)) return false;
  throw new UserError(
    `input "${name}" is "${clip(raw.trim())}": expected true or false (also accepted: ${[...BOOLEAN_WORDS.true, ...BOOLEAN_WORDS.false].filter((w) => w !== 'true' && w !== 'false').join(', ')}); write true or false.`,
  );
}

/** One input's value in its canonical text ("true"/"false", a whole number, ...), or a UserError. */
export function parseInput(def: InputDef, raw: string | undefined): string | undefined {
  const text = (raw ?? '').trim();
  if (text === '') {
    if (def.required && !def.default)
      throw new UserError(`input "${def.name}" is empty: it is required; ${def.description}`);
    return def.default;
  }
  switch (def.kind) {
    case 'boolean':
      return String(parseBoolean(def.name, text));
    case 'integer':
      if (!/^-?\d+$/.test(text))
        throw new UserError(
          `input "${def.name}" is "${clip(text)}": expected a whole number; write digits only.`,
        );
      return String(Number(text));
    case 'duration':
      try {
        parseDuration(text);
      } catch {
        throw new UserError(
          `input "${def.name}" is "${clip(text)}": expected a duration such as 90s, 15m or 2h; write a number and a unit.`,
        );
      }
      return text;
    case 'enum':
      if (!def.choices?.includes(text))
        throw new UserError(
          `input "${def.name}" is "${clip(text)}": expected one of ${def.choices?.join(', ')}; write one of them.`,
        );
      return text;
    case 'list':
      return text
        .split(/[,\n]/)
        .map((x) => x.trim())
        .filter(Boolean)
        .join(',');
    case 'string':
      return text;
  }
}

/**
 * Every declared input of a phase parsed by its kind: the one reader for the action and the CLI.
 * Values of names the phase does not declare pass through untouched (the CLI refuses an unknown
 * `--input` name itself; a caller such as `status` may share one input map across phases).
 */
export function parseInputs(
  defs: readonly InputDef[],
  raw: Record<string, string | undefined>,
): Record<string, string | undefined> {
  return { ...raw, ...Object.fromEntries(defs.map((d) => [d.name, parseInput(d, raw[d.name])])) };
}
