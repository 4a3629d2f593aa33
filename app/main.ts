import { pathToFileURL } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import type { AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DisasterRecoveryValidationError } from '../src/disaster-recovery/construct-validation.js';
import { LoadSheddingValidationError } from '../src/load-shedding/construct-validation.js';
import { MonitoredFunctionValidationError } from '../src/monitored-function/errors.js';
import { EcsTaskStarterValidationError } from '../src/task-starter/construct-validation.js';
import { S3WorkflowValidationError } from '../src/workflow/construct-validation.js';
import { ReferenceAppConfigError } from './config-error.js';
import { readCdkJsonContext } from './context.js';
import {
  MONITORED_FUNCTION_CONTEXT_KEY,
  parseMonitoredFunctionConfig,
} from './stacks/monitored-function-config.js';
import { MonitoredFunctionStack } from './stacks/monitored-function-stack.js';
import {
  DISASTER_RECOVERY_CONTEXT_KEY,
  DisasterRecoveryStack,
  parseDisasterRecoveryStackConfig,
} from './stacks/disaster-recovery-stack.js';
import {
  WORKFLOW_CONTEXT_KEY,
  WorkflowStack,
  parseWorkflowStackConfig,
} from './stacks/workflow-stack.js';
import {
  TASK_STARTER_CONTEXT_KEY,
  TaskStarterStack,
  parseTaskStarterStackConfig,
  taskStarterStackEnv,
} from './stacks/task-starter-stack.js';
import {
  LOAD_SHEDDING_CONTEXT_KEY,
  LoadSheddingStack,
  loadSheddingStackEnv,
  parseLoadSheddingStackConfig,
} from './stacks/load-shedding-stack.js';

/**
 * The aws-ops-kit reference app: one stack per capability, configured from cdk.json context,
 * checked by cdk-nag AwsSolutions (synthesis fails on any unacknowledged finding).
 *
 * Account and region come from the CDK CLI (CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION); without
 * them the stacks are environment-agnostic and synthesize offline.
 */
export { ReferenceAppConfigError, readCdkJsonContext };

/** The constructs' prop-validation errors: each names the prop that is wrong. */
const CONSTRUCT_VALIDATION_ERRORS = [
  MonitoredFunctionValidationError,
  LoadSheddingValidationError,
  EcsTaskStarterValidationError,
  S3WorkflowValidationError,
  DisasterRecoveryValidationError,
] as const;

export interface ReferenceAppOptions {
  /**
   * Read the checkout's cdk.json context under `props.context`. `opskit synth --context` turns
   * it off, so that the given file alone configures the stacks.
   * @default true
   */
  readonly checkoutContext?: boolean;
}

/**
 * The app, or a {@link ReferenceAppConfigError} when its configuration is wrong: a context
 * value, or a construct prop it feeds (the constructs' validation errors name the prop).
 */
export function createReferenceApp(props: AppProps = {}, options: ReferenceAppOptions = {}): App {
  try {
    return buildReferenceApp(props, options);
  } catch (error) {
    if (error instanceof Error && CONSTRUCT_VALIDATION_ERRORS.some((t) => error instanceof t)) {
      throw new ReferenceAppConfigError(error.message, { cause: error });
    }
    throw error;
  }
}

function buildReferenceApp(props: AppProps, options: ReferenceAppOptions): App {
  const checkout = (options.checkoutContext ?? true) ? readCdkJsonContext() : {};
  const app = new App({
    outdir: process.env.CDK_OUTDIR ? undefined : 'cdk.out',
    ...props,
    context: { ...checkout, ...props.context },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };

  new MonitoredFunctionStack(app, 'OpsKitMonitoredFunction', {
    env,
    description: 'aws-ops-kit reference: MonitoredFunction',
    config: parseMonitoredFunctionConfig(app.node.tryGetContext(MONITORED_FUNCTION_CONTEXT_KEY)),
  });
  const loadShedding = parseLoadSheddingStackConfig(
    app.node.tryGetContext(LOAD_SHEDDING_CONTEXT_KEY),
  );
  // Deployed where the load balancer is: its rules can only be changed from their own account,
  // and the alarm's events reach only their own region.
  new LoadSheddingStack(app, 'OpsKitLoadShedding', {
    env: loadSheddingStackEnv(loadShedding) ?? env,
    description: 'aws-ops-kit reference: LoadShedding',
    config: loadShedding,
  });
  const taskStarter = parseTaskStarterStackConfig(app.node.tryGetContext(TASK_STARTER_CONTEXT_KEY));
  new TaskStarterStack(app, 'OpsKitTaskStarter', {
    env: taskStarterStackEnv(taskStarter) ?? env,
    description: 'aws-ops-kit reference: EcsTaskStarter',
    config: taskStarter,
  });
  new WorkflowStack(app, 'OpsKitWorkflow', {
    env,
    description: 'aws-ops-kit reference: S3Workflow',
    config: parseWorkflowStackConfig(app.node.tryGetContext(WORKFLOW_CONTEXT_KEY)),
  });
  new DisasterRecoveryStack(app, 'OpsKitDisasterRecovery', {
    env,
    description: 'aws-ops-kit reference: DisasterRecoveryOrchestration',
    config: parseDisasterRecoveryStackConfig(app.node.tryGetContext(DISASTER_RECOVERY_CONTEXT_KEY)),
  });
  return app;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  createReferenceApp().synth();
}
