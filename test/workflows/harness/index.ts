export {
  WorkflowHarness,
  type WorkflowRun,
  type JobRecord,
  type StepRecord,
  type RunOptions,
  type Approval,
} from './run.js';
export { ArtifactStore } from './steps.js';
export { parseWorkflows } from './parse.js';
export { evaluate, condition } from './expressions.js';
