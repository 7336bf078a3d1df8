// The type of the generated standalone validator beside this file (see src/plan/validator-source.ts).
import type { ValidateFunction } from 'ajv';

declare const validate: ValidateFunction;
export default validate;
