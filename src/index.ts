// aws-ops-kit: the constructs at the top level, each capability's full API as a namespace (and
// as its own subpath export, e.g. `aws-ops-kit/load-shedding`).
export { DisasterRecoveryOrchestration } from './disaster-recovery/construct.js';
export { LoadShedding } from './load-shedding/construct.js';
export { FunctionCode } from './monitored-function/function-code.js';
export { MonitoredFunction } from './monitored-function/construct.js';
export { EcsTaskStarter } from './task-starter/construct.js';
export { S3Workflow } from './workflow/construct.js';
export { WorkflowStep } from './workflow/construct-props.js';
export * as disasterRecovery from './disaster-recovery/index.js';
export * as loadShedding from './load-shedding/index.js';
export * as monitoredFunction from './monitored-function/index.js';
export * as observability from './observability/index.js';
export * as resilience from './resilience/index.js';
export * as simulation from './simulation/index.js';
export * as taskStarter from './task-starter/index.js';
export * as workflow from './workflow/index.js';
export { KIT_VERSION } from './version.js';
