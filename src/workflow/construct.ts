import { Names, Stack, Token } from 'aws-cdk-lib';
import type { CfnElement } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as pipes from 'aws-cdk-lib/aws-pipes';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { IConstruct } from 'constructs';
import { MonitoredFunction } from '../monitored-function/construct.js';
import { FunctionCode } from '../monitored-function/function-code.js';
import { acknowledgeFinding, wildcardResourceFindingId } from '../monitored-function/nag.js';
import type { MonitoredFunctionProps } from '../monitored-function/props.js';
import { validateMonitoredFunctionProps } from '../monitored-function/validation.js';
import { WorkflowEnvVars } from './contract.js';
import { buildWorkflowDefinition } from './construct-definition.js';
import type { DefinitionStep } from './construct-definition.js';
import { WorkflowGlueJob } from './construct-glue.js';
import {
  EXECUTION_OBJECTS_REASON,
  executionObjectStatements,
  executionObjectsArn,
} from './construct-iam.js';
import { explicitFunctionName, purposeOf } from './construct-naming.js';
import { S3_WORKFLOW_DEFAULTS as D } from './construct-props.js';
import type {
  ExistingFunctionStep,
  LambdaStageStep,
  S3WorkflowProps,
  WorkflowStep,
  WorkflowType,
} from './construct-props.js';
import {
  createAlertTopic,
  createFailureDetection,
  createWorkflowBucket,
  createWorkflowPipe,
  createWorkflowQueues,
  invocationTypeOf,
} from './construct-resources.js';
import type { PipeInvocationType } from './construct-resources.js';
import {
  S3WorkflowValidationError,
  validateS3WorkflowProps,
  workflowTimeoutOf,
} from './construct-validation.js';
import type { PropIssue } from './construct-validation.js';

/** One stage of a built workflow, as tooling (local runs, docs, tests) needs to know it. */
export interface WorkflowStageInfo {
  /** Stage name: S3 folder, state name and `currentStage`. */
  readonly name: string;
  /** `lambda` (built from an entry), `function` (existing), `glue`. */
  readonly kind: WorkflowStep['kind'];
  /** The stage before it, or `undefined` for the first. */
  readonly previousStage: string | undefined;
  /** The Task state's name in the definition. */
  readonly stateName: string;
  /** Lambda stages: the function (for `lambda`, the MonitoredFunction's function). */
  readonly function?: lambda.IFunction;
  /** `lambda` stages: the handler entry file. */
  readonly entry?: string;
  /** `glue` stages: the job. */
  readonly glueJob?: WorkflowGlueJob;
}

/** Logical ids and names a local runner needs to bind the synthesized definition. */
export interface WorkflowLocalRunManifest {
  readonly type: WorkflowType;
  readonly invocationType: PipeInvocationType;
  readonly stateMachineLogicalId: string;
  readonly bucketLogicalId: string;
  readonly queueLogicalId: string;
  readonly deadLetterQueueLogicalId: string;
  readonly stages: readonly {
    readonly name: string;
    readonly kind: WorkflowStep['kind'];
    readonly stateName: string;
    readonly previousStage: string | undefined;
    /** Lambda stages defined in this stack: the `AWS::Lambda::Function` logical id. */
    readonly functionLogicalId?: string;
    /** `lambda` stages: the handler entry file to bind the task to. */
    readonly entry?: string;
    /** `glue` stages: the job name (the task's `JobName`) and the script path. */
    readonly jobName?: string;
    readonly glueJobLogicalId?: string;
  }[];
}

/** Alarms and rules that report failures. */
export interface WorkflowMonitoring {
  readonly failureRule?: events.Rule;
  readonly executionsFailedAlarm?: cloudwatch.Alarm;
  readonly executionsTimedOutAlarm?: cloudwatch.Alarm;
  readonly deadLetterQueueAlarm: cloudwatch.Alarm;
}

/**
 * An S3-backed Step Functions workflow: SQS queue (with a dead-letter queue) → EventBridge Pipe
 * (batch size 1) → EXPRESS or STANDARD state machine running the steps in order. Steps pass
 * only a small execution context; data moves through the workflow bucket under
 * `executions/{executionId}/{stage}/output.json`.
 *
 * Creates the bucket (and its access-log bucket), the stage functions (MonitoredFunctions named
 * `{StackName}-{Environment}-{Purpose}`), the Glue jobs, the state machine with full logging and
 * X-Ray, the Pipe, the alert topic, and failure detection that suits the type.
 */
export class S3Workflow extends Construct {
  readonly type: WorkflowType;
  /** How the Pipe starts executions (follows `type`). */
  readonly invocationType: PipeInvocationType;
  readonly bucket: s3.Bucket;
  readonly accessLogsBucket: s3.IBucket;
  /** Send one message per execution here: its body (JSON) is the workflow's `initialData`. */
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  readonly pipe: pipes.CfnPipe;
  readonly pipeRole: iam.Role;
  readonly alertTopic: sns.Topic;
  readonly monitoring: WorkflowMonitoring;
  /** The stages in order. */
  readonly stages: readonly WorkflowStageInfo[];
  /** Functions built from entries, by stage name. */
  readonly functions: Readonly<Record<string, MonitoredFunction>>;
  /** Glue jobs, by stage name. */
  readonly glueJobs: Readonly<Record<string, WorkflowGlueJob>>;

  constructor(scope: Construct, id: string, props: S3WorkflowProps) {
    const issues = validate(scope, props);
    if (issues.length > 0) {
      throw new S3WorkflowValidationError(id, issues);
    }
    super(scope, id);
    this.type = props.type;
    this.invocationType = invocationTypeOf(props.type);
    const timeout = workflowTimeoutOf(props.type, props.timeout);

    const buckets = createWorkflowBucket(this, props);
    this.bucket = buckets.bucket;
    this.accessLogsBucket = buckets.accessLogsBucket;
    const queues = createWorkflowQueues(this, props, timeout);
    this.queue = queues.queue;
    this.deadLetterQueue = queues.deadLetterQueue;

    const functions: Record<string, MonitoredFunction> = {};
    const glueJobs: Record<string, WorkflowGlueJob> = {};
    const definitionSteps: DefinitionStep[] = props.steps.map((step) => {
      if (step.kind === 'glue') {
        const job = new WorkflowGlueJob(this, `GlueJob-${step.name}`, {
          step,
          bucket: this.bucket,
          jobName: this.resourceName(
            props,
            step.jobPurpose ?? purposeOf(step.name),
            `GlueJob-${step.name}`,
          ),
        });
        glueJobs[step.name] = job;
        return { kind: 'glue', stage: step.name, jobName: job.jobName };
      }
      if (step.kind === 'lambda') {
        const fn = this.createStageFunction(props, step);
        functions[step.name] = fn;
        return { kind: 'lambda', stage: step.name, function: fn.function };
      }
      this.grantExistingFunction(step);
      return { kind: 'lambda', stage: step.name, function: step.function };
    });
    this.functions = Object.freeze(functions);
    this.glueJobs = Object.freeze(glueJobs);

    const definition = buildWorkflowDefinition(this, {
      steps: definitionSteps,
      bucketName: this.bucket.bucketName,
      executionObjectsArn: executionObjectsArn(this.bucket),
    });
    this.logGroup = new logs.LogGroup(this, 'StateMachineLogs', {
      retention: props.logRetention ?? D.logRetention,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType:
        props.type === 'EXPRESS' ? sfn.StateMachineType.EXPRESS : sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(definition.chain),
      timeout,
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      comment: `S3-backed ${props.type} workflow: ${props.steps.map((s) => s.name).join(' → ')}`,
    });
    this.acknowledgeStateMachineWildcards(definitionSteps);

    const pipe = createWorkflowPipe(this, this.queue, this.stateMachine, props.type);
    this.pipe = pipe.pipe;
    this.pipeRole = pipe.role;

    this.alertTopic = createAlertTopic(this, props);
    this.monitoring = createFailureDetection(this, props, this.stateMachine, this.deadLetterQueue, [
      this.alertTopic,
      ...(props.alerts?.topics ?? []),
    ]);

    this.stages = Object.freeze(
      props.steps.map((step, index): WorkflowStageInfo => ({
        name: step.name,
        kind: step.kind,
        previousStage: index === 0 ? undefined : props.steps[index - 1].name,
        stateName: definition.stepStates[index].stateId,
        function:
          step.kind === 'lambda'
            ? functions[step.name].function
            : step.kind === 'function'
              ? step.function
              : undefined,
        entry: step.kind === 'lambda' ? step.entry : undefined,
        glueJob: step.kind === 'glue' ? glueJobs[step.name] : undefined,
      })),
    );
  }

  /** Lets `grantee` send messages (start executions) to the workflow queue. */
  grantStart(grantee: iam.IGrantable): iam.Grant {
    return this.queue.grantSendMessages(grantee);
  }

  /** Logical ids of what a local run binds to, for this stack's synthesized template. */
  localRunManifest(): WorkflowLocalRunManifest {
    const stack = Stack.of(this);
    const logicalId = (construct: IConstruct): string =>
      stack.getLogicalId(construct.node.defaultChild as CfnElement);
    return {
      type: this.type,
      invocationType: this.invocationType,
      stateMachineLogicalId: logicalId(this.stateMachine),
      bucketLogicalId: logicalId(this.bucket),
      queueLogicalId: logicalId(this.queue),
      deadLetterQueueLogicalId: logicalId(this.deadLetterQueue),
      stages: this.stages.map((stage) => {
        const fn = stage.function;
        const inStack =
          fn !== undefined && fn.node.defaultChild !== undefined && Stack.of(fn) === stack;
        return {
          name: stage.name,
          kind: stage.kind,
          stateName: stage.stateName,
          previousStage: stage.previousStage,
          ...(inStack ? { functionLogicalId: logicalId(fn) } : {}),
          ...(stage.entry === undefined ? {} : { entry: stage.entry }),
          ...(stage.glueJob === undefined
            ? {}
            : {
                jobName: stage.glueJob.jobName,
                glueJobLogicalId: stack.getLogicalId(stage.glueJob.job),
              }),
        };
      }),
    };
  }

  /** `{StackName}-{Environment}-{Purpose}`, or a name derived from the construct path. */
  private resourceName(props: S3WorkflowProps, purpose: string, id: string): string {
    if ((props.functions?.naming ?? D.naming) === 'explicit') {
      return explicitFunctionName(Stack.of(this).stackName, props.environment, purpose);
    }
    return (
      Names.uniqueResourceName(this, { maxLength: 64 - id.length - 1, separator: '-' }) + `-${id}`
    );
  }

  private createStageFunction(props: S3WorkflowProps, step: LambdaStageStep): MonitoredFunction {
    const functionName = this.resourceName(
      props,
      step.functionPurpose ?? purposeOf(step.name),
      step.name,
    );
    const fn = new MonitoredFunction(
      this,
      `Stage-${step.name}`,
      stageFunctionProps(props, step, functionName, this.bucket.bucketName),
    );
    for (const statement of executionObjectStatements(this.bucket)) {
      fn.role.addToPrincipalPolicy(statement);
    }
    const policy = fn.role.node.tryFindChild('DefaultPolicy') as iam.Policy;
    acknowledgeFinding(
      policy.node.defaultChild as iam.CfnPolicy,
      wildcardResourceFindingId(this, executionObjectsArn(this.bucket)),
      EXECUTION_OBJECTS_REASON,
    );
    return fn;
  }

  /** An existing function reads and writes `executions/*` too, when its role is known. */
  private grantExistingFunction(step: ExistingFunctionStep): void {
    const role = step.function.role;
    if (step.grantBucketAccess === false || role === undefined) return;
    for (const statement of executionObjectStatements(this.bucket)) {
      role.addToPrincipalPolicy(statement);
    }
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy?.node.defaultChild !== undefined) {
      acknowledgeFinding(
        policy.node.defaultChild,
        wildcardResourceFindingId(this, executionObjectsArn(this.bucket)),
        EXECUTION_OBJECTS_REASON,
      );
    }
  }

  /**
   * The state machine role's wildcards: logs delivery and X-Ray accept only `*`; invoking a
   * function's versions needs `<arn>:*`; the S3 put of StoreInitialData is on `executions/*`.
   */
  private acknowledgeStateMachineWildcards(steps: readonly DefinitionStep[]): void {
    const policy = this.stateMachine.role.node.tryFindChild('DefaultPolicy') as iam.Policy;
    const cfnPolicy = policy.node.defaultChild as iam.CfnPolicy;
    acknowledgeFinding(
      cfnPolicy,
      'AwsSolutions-IAM5[Resource::*]',
      'Resource "*" is the only value IAM accepts for the CloudWatch Logs delivery actions (logs:CreateLogDelivery, ...) and for xray:PutTraceSegments / PutTelemetryRecords / GetSampling*.',
    );
    for (const step of steps) {
      if (step.kind === 'lambda') {
        acknowledgeFinding(
          cfnPolicy,
          wildcardResourceFindingId(this, `${step.function.functionArn}:*`),
          `Lets the state machine invoke the versions and aliases of the ${step.stage} stage function, and nothing else.`,
        );
      }
    }
    if (steps[0]?.kind === 'glue') {
      acknowledgeFinding(
        cfnPolicy,
        wildcardResourceFindingId(this, executionObjectsArn(this.bucket)),
        EXECUTION_OBJECTS_REASON,
      );
    }
  }
}

/** The MonitoredFunction props of a kit-built stage. */
function stageFunctionProps(
  props: S3WorkflowProps,
  step: LambdaStageStep,
  functionName: string,
  bucketName: string,
): MonitoredFunctionProps {
  const options = props.functions ?? {};
  return {
    // 'generated': CloudFormation names the function, as it did the old ones (spec 14.1);
    // functionName (a readable, path-derived literal) still names its log group and alarms.
    functionName,
    ...((options.naming ?? D.naming) === 'generated' ? { functionNaming: 'generated' } : {}),
    description: `Workflow stage ${step.name} (reads the previous stage's S3 output, writes its own)`,
    code: step.code ?? FunctionCode.nodejs({ entry: step.entry }),
    architecture: options.architecture ?? D.architecture,
    timeout: step.timeout ?? D.functionTimeout,
    memorySize: step.memorySize ?? D.functionMemorySize,
    environment: {
      ...step.environment,
      [WorkflowEnvVars.workflowBucket]: bucketName,
      [WorkflowEnvVars.stageName]: step.name,
    },
    logs: options.logs,
    tracing: options.tracing ?? D.tracing,
    alarms: options.monitoring,
  };
}

/** Every problem with the props: the workflow's own, then MonitoredFunction's for each stage. */
function validate(scope: Construct, props: S3WorkflowProps): PropIssue[] {
  const stack = Stack.of(scope);
  const issues = validateS3WorkflowProps(props, {
    stackName: stack.stackName,
    account: Token.isUnresolved(stack.account) ? undefined : stack.account,
  });
  const seen = new Set<string>();
  props.steps.forEach((step, index) => {
    if (step.kind !== 'lambda') return;
    const placeholder = stageFunctionProps(
      props,
      { ...step, timeout: undefined },
      'placeholder',
      'placeholder-bucket',
    );
    for (const issue of validateMonitoredFunctionProps(placeholder)) {
      const shared = issue.prop.startsWith('alarms') || issue.prop.startsWith('logs');
      const prop = shared
        ? `functions.${issue.prop.replace(/^alarms/, 'monitoring')}`
        : // The entry is the step's own prop; given code keeps its `code.` path.
          `steps[${index}].${step.code === undefined ? issue.prop.replace(/^code\./, '') : issue.prop}`;
      const message = issue.message.replace(issue.prop, prop);
      if (!seen.has(message)) {
        seen.add(message);
        issues.push({ prop, message });
      }
    }
  });
  return issues;
}
