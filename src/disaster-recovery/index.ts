// Disaster recovery on Elastic Disaster Recovery: the rate-limited DRS client, job throttler
// with leases, shared account-wide limiter, escalation, the execution and query handler
// factories (the Lambda entries are bundled from handlers/*.ts), the drill simulator and the
// DisasterRecoveryOrchestration construct.
export * from './contract.js';
export * from './errors.js';
export * from './capacity.js';
export * from './clients.js';
export * from './drs-client.js';
export * from './quotas.js';
export * from './lease-store.js';
export * from './shared-limiter.js';
export * from './throttler.js';
export * from './start-outcome.js';
export * from './escalation.js';
export * from './observability.js';
export * from './runtime.js';
export {
  createExecutionHandler,
  type ExecutionHandler,
  type ExecutionResult,
} from './handlers/execution.js';
export { createQueryHandler, type QueryHandler, type QueryResult } from './handlers/query.js';
export { defaultDeps } from './handlers/default-deps.js';
export type { DisasterRecoveryDeps, DrsServices } from './handlers/deps.js';
export * from './handlers/idempotency.js';
export * from './simulator/index.js';
export * from './construct-props.js';
export * from './construct-validation.js';
export * from './construct-handlers.js';
export * from './construct.js';
