/**
 * SQS → EventBridge Pipe → state machine, on the simulation. The Pipe's SQS source polls like a
 * Lambda event source mapping (the simulation's `SqsEventSourceMapping` does the polling,
 * deletes and redrive), and its target starts the state machine with the batch as a JSON array
 * of SQS records, even at batch size 1:
 *
 * - REQUEST_RESPONSE (Express, StartSyncExecution): the Pipe waits for the execution; when it
 *   does not succeed the batch fails, the message comes back after its visibility timeout, and
 *   the queue's redrive policy moves it to the DLQ after maxReceiveCount receives.
 * - FIRE_AND_FORGET (Standard, StartExecution): the Pipe returns once the execution started;
 *   the message is deleted whatever the execution does later.
 */
import { LambdaRuntime } from '../../simulation/lambda-runtime.js';
import {
  SqsEventSourceMapping,
  type BatchRecord,
  type SqsEvent,
} from '../../simulation/models/sqs-event-source.js';
import type { SqsModel } from '../../simulation/models/sqs.js';
import type { VirtualClock } from '../../simulation/virtual-clock.js';
import { LocalRunConfigError } from './errors.js';
import type { ExecutionResult, LocalExecution, LocalStateMachine } from './runner.js';

export type PipeInvocationType = 'REQUEST_RESPONSE' | 'FIRE_AND_FORGET';

export interface WorkflowPipeOptions {
  readonly clock: VirtualClock;
  readonly sqs: SqsModel;
  readonly queueUrl: string;
  readonly machine: LocalStateMachine;
  /** @default - REQUEST_RESPONSE for Express, FIRE_AND_FORGET for Standard */
  readonly invocationType?: PipeInvocationType;
  /** @default 1 (the S3Workflow's) */
  readonly batchSize?: number;
  /** Start polling at once. @default true */
  readonly enabled?: boolean;
}

/** The longest a synchronous Express execution can keep the Pipe waiting (5 minutes). */
const SYNC_INVOCATION_LIMIT_MS = 900_000;
const PIPE_FUNCTION = 'pipe-target';

/** Why an execution failed the Pipe's batch. */
export class PipeTargetError extends Error {
  readonly execution: ExecutionResult;

  constructor(execution: ExecutionResult) {
    super(
      `Execution ${execution.name} ended ${execution.status}` +
        (execution.error === undefined ? '' : ` (${execution.error})`),
    );
    this.name = 'PipeTargetError';
    this.execution = execution;
  }
}

export class WorkflowPipe {
  readonly invocationType: PipeInvocationType;
  private readonly mapping: SqsEventSourceMapping;
  private readonly started: LocalExecution[] = [];

  constructor(options: WorkflowPipeOptions) {
    const type = options.machine.type;
    this.invocationType =
      options.invocationType ?? (type === 'EXPRESS' ? 'REQUEST_RESPONSE' : 'FIRE_AND_FORGET');
    if (this.invocationType === 'REQUEST_RESPONSE' && type !== 'EXPRESS') {
      throw new LocalRunConfigError(
        'A Pipe with REQUEST_RESPONSE targets Express state machines only (StartSyncExecution); ' +
          'use FIRE_AND_FORGET for a Standard one.',
      );
    }
    const runtime = new LambdaRuntime({
      clock: options.clock,
      region: options.machine.resolver.region,
      accountId: options.machine.resolver.accountId,
    });
    runtime.register<SqsEvent, unknown>({
      name: PIPE_FUNCTION,
      timeoutMs: SYNC_INVOCATION_LIMIT_MS,
      handler: async (event) => {
        const execution = options.machine.start(event.Records);
        this.started.push(execution);
        if (this.invocationType === 'FIRE_AND_FORGET') {
          return { executionArn: execution.executionArn };
        }
        const result = await execution.done;
        if (result.status !== 'SUCCEEDED') throw new PipeTargetError(result);
        return { executionArn: result.executionArn, status: result.status };
      },
    });
    this.mapping = new SqsEventSourceMapping({
      sqs: options.sqs,
      queueUrl: options.queueUrl,
      runtime,
      functionName: PIPE_FUNCTION,
      batchSize: options.batchSize ?? 1,
      pollers: 1,
      enabled: options.enabled ?? true,
    });
  }

  /** Batches delivered to the state machine, oldest first. */
  deliveries(): BatchRecord[] {
    return this.mapping.batches();
  }

  /** Executions the Pipe started, oldest first. */
  executions(): readonly LocalExecution[] {
    return [...this.started];
  }

  /** Resolves when every started execution has ended. */
  async settled(): Promise<ExecutionResult[]> {
    return Promise.all(this.started.map((execution) => execution.done));
  }

  start(): void {
    this.mapping.start();
  }

  /** Stops polling; resolves when the delivery in progress is done. */
  async stop(): Promise<void> {
    await this.mapping.stop();
    const failure = this.mapping.error;
    if (failure instanceof Error) throw failure;
    if (failure !== undefined) throw new Error(`The Pipe stopped: ${JSON.stringify(failure)}`);
  }
}
