// S3-backed Step Functions workflows: the stage kit (contract, S3 path convention, stage
// handlers, JSON and streaming stages), the S3Workflow construct and its Glue job, and the
// local runner that executes a synthesized definition against the simulation.
export * from './contract.js';
export * from './paths.js';
export * from './errors.js';
export * from './json-lines.js';
export * from './stage.js';
export * from './stage-store.js';
export * from './stage-handler.js';
export * from './stage-simulation.js';
export * from './construct-props.js';
export * from './construct-validation.js';
export * from './construct-naming.js';
export * from './construct-definition.js';
export * from './construct-resources.js';
export * from './construct-iam.js';
export * from './construct-glue.js';
export * from './construct.js';
export { LocalStateMachine, type ExecutionResult } from './local-run/runner.js';
export { WorkflowPipe as LocalWorkflowPipe } from './local-run/pipe.js';
export { SimulatedGlue, jsonGlueJob } from './local-run/glue.js';
export {
  createWorkflowWorld,
  type WorkflowWorld,
  type WorkflowWorldOptions,
} from './local-run/world.js';
export { MAX_PAYLOAD_BYTES } from './local-run/errors.js';
export * from './smoke.js';
export { EXAMPLE_INPUT } from './example-input.js';
export {
  assertValidStateMachines,
  validateAsl,
  validateStateMachines,
  InvalidDefinitionError,
  type AslValidation,
  type AslValidationOptions,
} from './local-run/asl-validation.js';
export type {
  ExecutionLogEvent,
  ExecutionLogLevel,
  ExecutionLoggingConfig,
} from './local-run/execution-log.js';
