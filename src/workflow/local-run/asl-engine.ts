/**
 * The ASL interpreter, loaded after the `Promise.withResolvers` polyfill it needs on Node 20.
 * Import aws-local-stepfunctions through this module only: ES modules evaluate their imports
 * in order, so the polyfill is installed before the library's code runs.
 */
import './promise-with-resolvers.js';

export {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type RunOptions as AslRunOptions,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
