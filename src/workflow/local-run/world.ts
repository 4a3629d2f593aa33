/**
 * A whole S3Workflow deployment on the simulation, read from its synthesized template: the
 * workflow bucket (S3 model), the queue and its DLQ with the template's visibility timeout and
 * redrive (SQS model), the Pipe with the template's batch size and invocation type, the state
 * machine run by `LocalStateMachine`, every stage function bound (by its WORKFLOW_STAGE_NAME)
 * to the REAL stage kit handler on a resilient S3 client mounted on the model, and every Glue
 * step to a simulated job run. Tests and `opskit workflow run` use it.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { silentLogger } from '../../observability/logger.js';
import { S3Model } from '../../simulation/models/s3.js';
import { SqsModel } from '../../simulation/models/sqs.js';
import { createSimulatedClient } from '../../simulation/sdk-mount.js';
import type { VirtualClock } from '../../simulation/virtual-clock.js';
import { WorkflowEnvVars } from '../contract.js';
import { createStageHandler } from '../stage-handler.js';
import { simulatedStageDeps } from '../stage-simulation.js';
import type { Stage } from '../stage.js';
import { lifecycleRulesOf } from './bucket-lifecycle.js';
import { LocalRunConfigError } from './errors.js';
import { SimulatedGlue, type SimulatedGlueJob } from './glue.js';
import { s3ObjectStore } from './object-store.js';
import { WorkflowPipe, type PipeInvocationType } from './pipe.js';
import { LocalStateMachine, taskStatesOf, type LocalLambdaHandler } from './runner.js';
import {
  TemplateResolver,
  renderStateMachine,
  type CfnTemplate,
  type RenderAccount,
} from './template.js';

export interface WorkflowWorldOptions {
  readonly template: CfnTemplate;
  /** An installed global VirtualClock. */
  readonly clock: VirtualClock;
  /** The stage implementations, by stage name (the functions' WORKFLOW_STAGE_NAME). */
  readonly stages: Readonly<Record<string, Stage<never, unknown>>>;
  /** The simulated Glue jobs, by the name of their step (the Task state). */
  readonly glueJobs?: Readonly<Record<string, SimulatedGlueJob>>;
  /** Wraps a stage's handler, e.g. to inject a failure. */
  readonly wrapStage?: (stage: string, handler: LocalLambdaHandler) => LocalLambdaHandler;
  readonly account?: RenderAccount;
  /** Start the Pipe polling the queue. @default true */
  readonly pipeEnabled?: boolean;
  /** S3 bodies above this many bytes go to a temp directory. @default 1 MiB */
  readonly spillThresholdBytes?: number;
}

export interface WorkflowWorld {
  readonly clock: VirtualClock;
  readonly machine: LocalStateMachine;
  readonly s3: S3Model;
  readonly sqs: SqsModel;
  readonly glue: SimulatedGlue;
  readonly pipe: WorkflowPipe;
  readonly bucket: string;
  readonly queueUrl: string;
  readonly dlqUrl: string;
  /** Sends one message to the workflow queue (the body is serialised as JSON). */
  send(body: unknown): string;
  /** Stops the Pipe and removes the S3 model's temp directory. */
  dispose(): Promise<void>;
}

type Properties = Readonly<Record<string, unknown>>;

function props(resolver: TemplateResolver, id: string): Properties {
  return resolver.resource(id).Properties ?? {};
}

function only(ids: readonly string[], what: string): string {
  if (ids.length !== 1) {
    throw new LocalRunConfigError(
      `The template has ${ids.length} ${what} (${ids.join(', ') || 'none'}); the local world ` +
        'expects the one an S3Workflow creates.',
    );
  }
  return ids[0];
}

/** The stage functions of the template: logical id → stage name and environment. */
function stageFunctions(
  resolver: TemplateResolver,
): { id: string; stage: string; bucket: string }[] {
  const found: { id: string; stage: string; bucket: string }[] = [];
  for (const id of resolver.logicalIdsOf('AWS::Lambda::Function')) {
    const environment = props(resolver, id).Environment as { Variables?: unknown } | undefined;
    const variables = resolver.resolve(environment?.Variables ?? {}) as Record<string, unknown>;
    const stage = variables[WorkflowEnvVars.stageName];
    const bucket = variables[WorkflowEnvVars.workflowBucket];
    if (typeof stage === 'string' && typeof bucket === 'string') found.push({ id, stage, bucket });
  }
  return found;
}

interface QueueSettings {
  readonly queueId: string;
  readonly dlqId: string;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
}

function queueSettings(resolver: TemplateResolver): QueueSettings {
  const withRedrive = resolver
    .logicalIdsOf('AWS::SQS::Queue')
    .filter((id) => props(resolver, id).RedrivePolicy !== undefined);
  const queueId = only(withRedrive, 'queues with a dead-letter queue');
  const queue = props(resolver, queueId);
  const redrive = queue.RedrivePolicy as {
    deadLetterTargetArn?: unknown;
    maxReceiveCount?: unknown;
  };
  const dlqArn = resolver.resolve(redrive.deadLetterTargetArn);
  const dlqId = resolver
    .logicalIdsOf('AWS::SQS::Queue')
    .find((id) => resolver.getAtt(id, 'Arn') === dlqArn);
  if (dlqId === undefined) {
    throw new LocalRunConfigError(`The dead-letter queue of '${queueId}' is not in the template.`);
  }
  return {
    queueId,
    dlqId,
    visibilityTimeoutSeconds: Number(resolver.resolve(queue.VisibilityTimeout ?? 30)),
    maxReceiveCount: Number(resolver.resolve(redrive.maxReceiveCount)),
  };
}

function pipeSettings(resolver: TemplateResolver): {
  batchSize: number;
  invocationType: PipeInvocationType;
} {
  const pipe = props(resolver, only(resolver.logicalIdsOf('AWS::Pipes::Pipe'), 'Pipes'));
  const source = pipe.SourceParameters as
    { SqsQueueParameters?: { BatchSize?: unknown } } | undefined;
  const target = pipe.TargetParameters as
    { StepFunctionStateMachineParameters?: { InvocationType?: unknown } } | undefined;
  const invocationType = target?.StepFunctionStateMachineParameters?.InvocationType;
  return {
    batchSize: Number(source?.SqsQueueParameters?.BatchSize ?? 10),
    invocationType: invocationType === 'REQUEST_RESPONSE' ? 'REQUEST_RESPONSE' : 'FIRE_AND_FORGET',
  };
}

/** Builds the world (see the module comment). */
export function createWorkflowWorld(options: WorkflowWorldOptions): WorkflowWorld {
  const { clock, template } = options;
  const resolver = new TemplateResolver(template, options.account);
  const functions = stageFunctions(resolver);
  if (functions.length === 0) {
    throw new LocalRunConfigError(
      `The template has no stage function (a Lambda with ${WorkflowEnvVars.stageName} and ` +
        `${WorkflowEnvVars.workflowBucket}): synthesize a stack with an S3Workflow.`,
    );
  }
  const bucket = (functions[0] as { bucket: string }).bucket;
  const s3 = new S3Model({
    clock,
    region: resolver.region,
    buckets: [bucket],
    ...(options.spillThresholdBytes === undefined
      ? {}
      : { spillThresholdBytes: options.spillThresholdBytes }),
  });
  // The deployed bucket's lifecycle (executions/ expiring after N days), on the model's clock.
  const bucketId = resolver
    .logicalIdsOf('AWS::S3::Bucket')
    .find((id) => resolver.physicalName(id) === bucket);
  if (bucketId !== undefined) {
    const configuration = resolver.resolve(props(resolver, bucketId).LifecycleConfiguration);
    s3.setLifecycleRules(bucket, lifecycleRulesOf(configuration, bucket));
  }
  const holder: { machine?: LocalStateMachine } = {};
  // Writes are recorded against the running state once the machine exists.
  const recorded = {
    name: 's3',
    handle: (...args: Parameters<S3Model['handle']>) =>
      (holder.machine?.recordingS3Model(s3) ?? s3).handle(...args),
  };
  const lambdas: Record<string, LocalLambdaHandler> = {};
  for (const fn of functions) {
    const stage = options.stages[fn.stage];
    if (stage === undefined) {
      throw new LocalRunConfigError(
        `The template's function '${fn.id}' runs stage '${fn.stage}', but options.stages has ` +
          `no '${fn.stage}' (it has: ${Object.keys(options.stages).join(', ') || 'none'}).`,
      );
    }
    const handler = createStageHandler(
      stage,
      simulatedStageDeps(recorded, {
        clock,
        region: resolver.region,
        workflowBucket: fn.bucket,
        stageName: fn.stage,
        loggerFor: () => silentLogger,
        // Deterministic jitter for the resilience layer's retries.
        random: () => 0.5,
      }),
    );
    const bound: LocalLambdaHandler = (event, context) => handler(event, context);
    lambdas[fn.id] = options.wrapStage?.(fn.stage, bound) ?? bound;
  }
  const glueClient = createSimulatedClient(S3Client, { region: resolver.region }, recorded);
  const jobs: Record<string, SimulatedGlueJob> = {};
  for (const [stateName, state] of taskStatesOf(renderStateMachine(resolver).definition)) {
    const parameters = state.Parameters as { JobName?: unknown } | undefined;
    if (!String(state.Resource).includes(':glue:') || typeof parameters?.JobName !== 'string')
      continue;
    const job = options.glueJobs?.[stateName];
    if (job === undefined) {
      throw new LocalRunConfigError(
        `Step '${stateName}' runs Glue job '${parameters.JobName}': give its simulation in options.glueJobs['${stateName}'].`,
      );
    }
    const jobId = resolver
      .logicalIdsOf('AWS::Glue::Job')
      .find((id) => resolver.physicalName(id) === parameters.JobName);
    const defaults =
      jobId === undefined
        ? {}
        : (resolver.resolve(props(resolver, jobId).DefaultArguments ?? {}) as Record<
            string,
            string
          >);
    jobs[parameters.JobName] = {
      ...job,
      defaultArguments: { ...defaults, ...job.defaultArguments },
    };
  }
  const glue = new SimulatedGlue({ clock, store: s3ObjectStore(glueClient), jobs });
  const machine = new LocalStateMachine({
    template,
    clock,
    lambdas,
    account: options.account,
    glue,
    s3: glueClient,
  });
  holder.machine = machine;

  const sqs = new SqsModel({ clock, region: resolver.region });
  const settings = queueSettings(resolver);
  const dlq = sqs.createQueue({ name: resolver.physicalName(settings.dlqId) });
  const queue = sqs.createQueue({
    name: resolver.physicalName(settings.queueId),
    visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds,
    redrivePolicy: { deadLetterTargetArn: dlq.arn, maxReceiveCount: settings.maxReceiveCount },
  });
  const pipeConfig = pipeSettings(resolver);
  const pipe = new WorkflowPipe({
    clock,
    sqs,
    queueUrl: queue.url,
    machine,
    batchSize: pipeConfig.batchSize,
    invocationType: pipeConfig.invocationType,
    enabled: options.pipeEnabled ?? true,
  });
  return {
    clock,
    machine,
    s3,
    sqs,
    glue,
    pipe,
    bucket,
    queueUrl: queue.url,
    dlqUrl: dlq.url,
    send: (body) =>
      sqs.sendMessage({ QueueUrl: queue.url, MessageBody: JSON.stringify(body) }).MessageId ?? '',
    dispose: async () => {
      await clock.run(() => pipe.stop());
      s3.dispose();
    },
  };
}
