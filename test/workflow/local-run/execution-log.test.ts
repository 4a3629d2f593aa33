import { describe, expect, it } from 'vitest';
import {
  ExecutionLogWriter,
  loggedAtLevel,
  loggingConfigOf,
  type ExecutionLoggingConfig,
} from '../../../src/workflow/local-run/execution-log.js';
import { TemplateResolver } from '../../../src/workflow/local-run/template.js';

const ARN = 'arn:aws:states:us-east-1:123456789012:execution:m:e-1';
const task = { name: 'etl', type: 'Task' };

function run(config: ExecutionLoggingConfig) {
  const log = new ExecutionLogWriter(
    config,
    ARN,
    new Map([['etl', 'arn:aws:states:::lambda:invoke']]),
  );
  log.started(1, { a: 1 }, 'arn:aws:iam::123456789012:role/r');
  log.add({ type: 'StateEntered', timestamp: 2, state: { ...task, input: { a: 1 } } });
  log.add({ type: 'StateFailed', timestamp: 3, state: task, Error: 'E', Cause: { m: 'x' } });
  log.add({ type: 'StateRetried', timestamp: 4, state: task });
  log.add({ type: 'StateExited', timestamp: 5, state: { ...task, output: { b: 2 } } });
  log.add({ type: 'ExecutionSucceeded', timestamp: 6 });
  log.finished(6, 'SUCCEEDED', { output: { b: 2 } });
  return log.events;
}

describe('workflow local run: execution history log events', () => {
  it('ALL with execution data: every event, inputs and outputs as JSON text', () => {
    const events = run({ level: 'ALL', includeExecutionData: true });
    expect(events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskFailed',
      'TaskScheduled',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events[1]?.details).toEqual({
      name: 'etl',
      input: '{"a":1}',
      inputDetails: { truncated: false },
    });
    expect(events[2]?.details).toEqual({ resourceType: 'lambda', resource: 'invoke' });
    // TaskFailed names the resource as TaskScheduled does (TaskFailedEventDetails).
    expect(events[3]?.details).toEqual({
      error: 'E',
      cause: '{"m":"x"}',
      resourceType: 'lambda',
      resource: 'invoke',
    });
    expect(events.at(-1)).toEqual({
      id: '7',
      type: 'ExecutionSucceeded',
      details: { output: '{"b":2}', outputDetails: { truncated: false } },
      previous_event_id: '6',
      event_timestamp: '6',
      execution_arn: ARN,
      redrive_count: '0',
    });
  });

  it('without execution data: no input or output anywhere', () => {
    const events = run({ level: 'ALL', includeExecutionData: false });
    expect(JSON.stringify(events)).not.toMatch(/"(input|output)(Details)?"/);
    expect(events[0]?.details).toEqual({ roleArn: 'arn:aws:iam::123456789012:role/r' });
  });

  it('ERROR keeps failures, FATAL only the execution ending in failure, OFF nothing', () => {
    expect(run({ level: 'ERROR', includeExecutionData: true }).map((e) => e.type)).toEqual([
      'TaskFailed',
    ]);
    expect(run({ level: 'OFF', includeExecutionData: true })).toEqual([]);
    expect(loggedAtLevel('ExecutionTimedOut', 'FATAL')).toBe(true);
    expect(loggedAtLevel('TaskFailed', 'FATAL')).toBe(false);
    const log = new ExecutionLogWriter({ level: 'FATAL', includeExecutionData: false }, ARN);
    log.finished(1, 'TIMED_OUT', {});
    log.finished(2, 'ABORTED', {});
    log.finished(3, 'FAILED', { error: 'E', cause: 'c' });
    log.add({ type: 'StateEntered', timestamp: 4, state: { name: 'p', type: 'Pass' } });
    log.add({ type: 'StateFailed', timestamp: 4, state: { name: 'p', type: 'Pass' } });
    expect(log.events.map((e) => [e.type, e.details])).toEqual([
      ['ExecutionTimedOut', { error: 'States.Timeout', cause: '' }],
      ['ExecutionAborted', {}],
      ['ExecutionFailed', { error: 'E', cause: 'c' }],
    ]);
  });

  it('ERROR also logs a Fail state being entered; FATAL only the execution failure', () => {
    // Prepare: a task fails, its Catch leads to a Fail state, the execution fails.
    const failing = (level: ExecutionLoggingConfig['level']) => {
      const log = new ExecutionLogWriter({ level, includeExecutionData: false }, ARN);
      log.started(1, {}, 'arn:aws:iam::123456789012:role/r');
      log.add({ type: 'StateEntered', timestamp: 2, state: task });
      log.add({ type: 'StateFailed', timestamp: 3, state: task, Error: 'E', Cause: 'c' });
      log.add({ type: 'StateEntered', timestamp: 4, state: { name: 'EtlFailed', type: 'Fail' } });
      log.finished(5, 'FAILED', { error: 'E', cause: 'c' });
      return log.events.map((e) => e.type);
    };

    // Act / Assess
    expect(failing('ERROR')).toEqual(['TaskFailed', 'FailStateEntered', 'ExecutionFailed']);
    expect(failing('FATAL')).toEqual(['ExecutionFailed']);
    // A task without a known resource keeps what it has.
    const bare = new ExecutionLogWriter({ level: 'ALL', includeExecutionData: false }, ARN);
    bare.add({ type: 'StateFailed', timestamp: 1, state: task, Error: 'E', Cause: 'c' });
    expect(bare.events[0]?.details).toEqual({ error: 'E', cause: 'c', resource: '' });
  });

  it('levels follow the Step Functions log level table', () => {
    const errorOnly = ['FailStateEntered', 'LambdaFunctionFailed', 'LambdaFunctionTimedOut'];
    const errorOnlyTasks = ['TaskFailed', 'TaskStartFailed', 'TaskSubmitFailed', 'TaskTimedOut'];
    const errorOnlyStates = ['MapStateFailed', 'ParallelStateAborted', 'WaitStateAborted'];
    for (const type of [...errorOnly, ...errorOnlyTasks, ...errorOnlyStates]) {
      expect([type, loggedAtLevel(type, 'ERROR'), loggedAtLevel(type, 'FATAL')]).toEqual([
        type,
        true,
        false,
      ]);
    }
    for (const type of ['ExecutionFailed', 'ExecutionTimedOut', 'ExecutionAborted']) {
      expect([type, loggedAtLevel(type, 'ERROR'), loggedAtLevel(type, 'FATAL')]).toEqual([
        type,
        true,
        true,
      ]);
    }
    for (const type of [
      'TaskScheduled',
      'TaskStateEntered',
      'FailStateExited',
      'ExecutionStarted',
    ]) {
      expect([type, loggedAtLevel(type, 'ALL'), loggedAtLevel(type, 'ERROR')]).toEqual([
        type,
        true,
        false,
      ]);
    }
  });

  it("reads the state machine's LoggingConfiguration; none means OFF", () => {
    const template = {
      Resources: {
        Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/sfn/wf' } },
        Logged: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: {
            LoggingConfiguration: {
              Level: 'ERROR',
              IncludeExecutionData: false,
              Destinations: [
                { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': ['Logs', 'Arn'] } } },
              ],
            },
          },
        },
        Silent: { Type: 'AWS::StepFunctions::StateMachine', Properties: {} },
      },
    };
    const resolver = new TemplateResolver(template);
    expect(loggingConfigOf(resolver, 'Logged')).toEqual({
      level: 'ERROR',
      includeExecutionData: false,
      logGroupArn: expect.stringMatching(/:log-group:\/sfn\/wf:\*$/),
      logGroupName: '/sfn/wf',
    });
    expect(loggingConfigOf(resolver, 'Silent')).toEqual({
      level: 'OFF',
      includeExecutionData: false,
    });
  });
});
