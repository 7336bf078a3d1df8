// Build-time metadata: phases (for action.yml files) and the plan's JSON Schema.
export { PHASES } from '../src/phases/registry.js';
export { planJsonSchemaText } from '../src/plan/json-schema.js';
export { planValidatorSource } from '../src/plan/validator-source.js';
export { COMMON_OUTPUTS } from '../src/phases/results.js';
