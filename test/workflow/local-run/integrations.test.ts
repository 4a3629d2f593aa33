/**
 * The runner's task integrations on hand-written templates (no synthesis): direct Lambda ARNs,
 * nested Map/Parallel tasks, aws-sdk:s3, glue:startJobRun without .sync, abort, bad definitions.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { S3Model } from '../../../src/simulation/models/s3.js';
import { createSimulatedClient } from '../../../src/simulation/sdk-mount.js';
import { VirtualClock } from '../../../src/simulation/virtual-clock.js';
import { SimulatedGlue, jsonGlueJob } from '../../../src/workflow/local-run/glue.js';
import { s3ObjectStore } from '../../../src/workflow/local-run/object-store.js';
import { LocalStateMachine, localDefinition } from '../../../src/workflow/local-run/runner.js';
import type { CfnTemplate } from '../../../src/workflow/local-run/template.js';

let clock: VirtualClock | undefined;
afterEach(() => {
  clock?.uninstall();
  clock = undefined;
});

const FN_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:LocalStack-Fn';

function templateOf(definition: unknown, type = 'STANDARD'): CfnTemplate {
  return {
    Resources: {
      Fn: { Type: 'AWS::Lambda::Function', Properties: {} },
      Job: { Type: 'AWS::Glue::Job', Properties: { Name: 'job' } },
      M: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: { StateMachineType: type, DefinitionString: JSON.stringify(definition) },
      },
    },
  };
}

describe('local-run: task integrations', () => {
  it('invokes a function given by ARN directly, also inside Map and Parallel states', async () => {
    clock = VirtualClock.install();
    const definition = {
      StartAt: 'Direct',
      States: {
        Direct: { Type: 'Task', Resource: FN_ARN, Next: 'Fan' },
        Fan: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor: {
            StartAt: 'Each',
            States: { Each: { Type: 'Task', Resource: FN_ARN, End: true } },
          },
          Next: 'Both',
        },
        Both: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Left', States: { Left: { Type: 'Task', Resource: FN_ARN, End: true } } },
          ],
          End: true,
        },
      },
    };
    let calls = 0;
    const machine = new LocalStateMachine({
      template: templateOf(definition),
      clock,
      lambdas: {
        Fn: (event) => {
          calls++;
          return Promise.resolve(calls === 1 ? { items: [1, 2] } : event);
        },
      },
    });
    const local = localDefinition(machine.rendered);
    expect(
      (
        local.States.Fan as unknown as {
          ItemProcessor: { States: { Each: { TimeoutSeconds: number } } };
        }
      ).ItemProcessor.States.Each.TimeoutSeconds,
    ).toBeGreaterThan(60);
    const result = await clock.run(() => machine.run({}));
    expect(result.status).toBe('SUCCEEDED');
    expect(calls).toBe(4);
    expect(result.output).toEqual([[1, 2]]);
  });

  it('runs aws-sdk:s3 putObject and getObject, and names S3 errors S3.<Exception>', async () => {
    clock = VirtualClock.install();
    const s3 = new S3Model({ clock, buckets: ['bucket-a'] });
    const definition = {
      StartAt: 'Put',
      States: {
        Put: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:s3:putObject',
          Parameters: { Bucket: 'bucket-a', Key: 'k.json', 'Body.$': '$.data' },
          ResultPath: null,
          Next: 'Get',
        },
        Get: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:s3:getObject',
          Parameters: { Bucket: 'bucket-a', 'Key.$': '$.key' },
          ResultSelector: { 'Body.$': '$.Body' },
          End: true,
        },
      },
    };
    const machine = new LocalStateMachine({
      template: templateOf(definition),
      clock,
      lambdas: {},
      s3: createSimulatedClient(S3Client, {}, s3),
    });
    const ok = await clock.run(() => machine.run({ data: { a: 1 }, key: 'k.json' }));
    expect(ok.status).toBe('SUCCEEDED');
    expect(ok.output).toEqual({ Body: '{"a":1}' });
    const missing = await clock.run(() => machine.run({ data: 'text', key: 'nope.json' }));
    expect(missing.status).toBe('FAILED');
    expect(missing.error).toBe('S3.NoSuchKey');
    s3.dispose();
  });

  it('starts a Glue job without .sync and goes on at once', async () => {
    clock = VirtualClock.install();
    const s3 = new S3Model({ clock, buckets: ['bucket-a'] });
    await s3.putText('bucket-a', 'executions/x/in/output.json', '[1]');
    const client = createSimulatedClient(S3Client, {}, s3);
    const glue = new SimulatedGlue({
      clock,
      store: s3ObjectStore(client),
      jobs: { job: jsonGlueJob((input) => input, { durationMs: 60_000 }) },
    });
    const definition = {
      StartAt: 'Start',
      States: {
        Start: {
          Type: 'Task',
          Resource: 'arn:aws:states:::glue:startJobRun',
          Parameters: {
            JobName: 'job',
            Arguments: {
              '--input-bucket': 'bucket-a',
              '--input-key': 'executions/x/in/output.json',
              '--output-bucket': 'bucket-a',
              '--output-key': 'executions/x/out/output.json',
            },
          },
          End: true,
        },
      },
    };
    const machine = new LocalStateMachine({
      template: templateOf(definition),
      clock,
      lambdas: {},
      glue,
    });
    const result = await clock.run(() => machine.run({}));
    expect(result.status).toBe('SUCCEEDED');
    expect(result.durationMs).toBe(0);
    expect(result.output).toEqual({ JobRunId: 'started:job' });
    await clock.advance(60_000);
    expect(await s3.readText('bucket-a', 'executions/x/out/output.json')).toBe('[1]');
    s3.dispose();
  });

  it('reports an aborted execution as ABORTED', async () => {
    clock = VirtualClock.install();
    const c = clock;
    const machine = new LocalStateMachine({
      template: templateOf({
        StartAt: 'Slow',
        States: { Slow: { Type: 'Task', Resource: FN_ARN, End: true } },
      }),
      clock,
      lambdas: { Fn: () => c.sleep(1_000).then(() => ({})) },
    });
    const result = await clock.run(() => {
      const execution = machine.start({});
      void c.sleep(100).then(() => execution.abort());
      return execution.done;
    });
    expect(result.status).toBe('ABORTED');
  });

  it('explains definitions it cannot run', () => {
    clock = VirtualClock.install();
    const c = clock;
    const unsupported = templateOf({
      StartAt: 'Q',
      States: { Q: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', End: true } },
    });
    expect(() => new LocalStateMachine({ template: unsupported, clock: c, lambdas: {} })).toThrow(
      /uses resource 'arn:aws:states:::sqs:sendMessage', which the local run cannot bind/,
    );
    const s3Task = templateOf({
      StartAt: 'P',
      States: { P: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:s3:putObject', End: true } },
    });
    expect(() => new LocalStateMachine({ template: s3Task, clock: c, lambdas: {} })).toThrow(
      /no S3 client was given/,
    );
    const otherFunction = templateOf({
      StartAt: 'L',
      States: {
        L: {
          Type: 'Task',
          Resource: 'arn:aws:lambda:us-east-1:123456789012:function:elsewhere',
          End: true,
        },
      },
    });
    expect(() => new LocalStateMachine({ template: otherFunction, clock: c, lambdas: {} })).toThrow(
      /invokes 'arn:aws:lambda:us-east-1:123456789012:function:elsewhere', which is no Lambda function of the template/,
    );
    const invalid = templateOf({ StartAt: 'X', States: { X: { Type: 'Pass', Next: 'Nowhere' } } });
    expect(() => new LocalStateMachine({ template: invalid, clock: c, lambdas: {} })).toThrow(
      /is not valid ASL/,
    );
  });
});
