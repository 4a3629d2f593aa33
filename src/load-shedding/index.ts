// The load-shedding capability: pure algorithm and decisions, the AWS adapters, the handler
// factories (the Lambda entries themselves are bundled from handlers/*.ts) and the construct.
export * from './weights.js';
export * from './controller.js';
export * from './state.js';
export * from './contract.js';
export * from './errors.js';
export * from './elb-rules.js';
export * from './state-store.js';
export {
  createAlarmEventHandler,
  type AlarmEventHandler,
  type AlarmEventResult,
  type InvocationContext,
} from './handlers/alarm-event.js';
export {
  createCheckQueueHandler,
  type BatchItemFailure,
  type CheckQueueHandler,
  type CheckQueueResult,
} from './handlers/check-queue.js';
export {
  LOAD_SHEDDING_SERVICE_NAME,
  defaultDeps,
  type DepsSource,
  type LoadSheddingClients,
  type LoadSheddingDeps,
} from './handlers/deps.js';
export { AlarmEventError, CheckQueueEventError, StateContentionError } from './handlers/errors.js';
export * from './construct-props.js';
export * from './construct-validation.js';
export * from './construct-arns.js';
export * from './construct-iam.js';
export * from './construct-handlers.js';
export * from './construct.js';
