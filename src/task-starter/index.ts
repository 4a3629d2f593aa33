// The ECS task starter: the contract (env, events, names), pure decisions, the AWS adapters, the
// handler factories (the Lambda entries themselves are bundled from handlers/*.ts), the
// simulation deployment and the construct.
export * from './contract.js';
export * from './errors.js';
export * from './ip.js';
export * from './task-view.js';
export * from './targets.js';
export * from './run-task.js';
export * from './state-decision.js';
export * from './reconcile-plan.js';
export * from './ecs-adapter.js';
export * from './elb-adapter.js';
export * from './runtime.js';
export * from './registrar.js';
export * from './starter.js';
export * from './waiter.js';
export * from './reconciler.js';
export {
  defaultDeps,
  resolveDeps,
  runtimeOf,
  type DepsSource,
  type InvocationContext,
  type TaskStarterDeps,
} from './handlers/deps.js';
export {
  createStartHandler,
  type StartHandler,
  type StartHandlerResult,
} from './handlers/start.js';
export {
  SYNC_SAFETY_MARGIN_MS,
  createStartSyncHandler,
  type StartSyncHandler,
  type StartSyncHandlerResult,
} from './handlers/start-sync.js';
export {
  createTaskStateHandler,
  type TaskStateHandler,
  type TaskStateHandlerResult,
} from './handlers/task-state.js';
export {
  ReconcileError,
  createReconcileHandler,
  type ReconcileHandler,
  type ReconcileHandlerResult,
} from './handlers/reconcile.js';
export * from './construct-props.js';
export * from './construct-validation.js';
export * from './construct-iam.js';
export * from './construct-handlers.js';
export * from './construct.js';
