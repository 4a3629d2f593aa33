import { describe, expect, it } from 'vitest';
import { DEFAULT_START_TIME, VirtualClock } from '../../../src/simulation/virtual-clock.js';
import { LocalRunConfigError, TaskFailure } from '../../../src/workflow/local-run/errors.js';
import { SimulatedGlue, jsonGlueJob } from '../../../src/workflow/local-run/glue.js';
import { bodyText, type ObjectStore } from '../../../src/workflow/local-run/object-store.js';

function memoryStore(
  objects: Record<string, string> = {},
): ObjectStore & { objects: Record<string, string> } {
  return {
    objects,
    getText: (bucket, key) => {
      const text = objects[`${bucket}/${key}`];
      return text === undefined ? Promise.reject(new Error('NoSuchKey')) : Promise.resolve(text);
    },
    putText: (bucket, key, text) => {
      objects[`${bucket}/${key}`] = text;
      return Promise.resolve();
    },
  };
}

const IO = {
  '--input-bucket': 'b',
  '--input-key': 'in',
  '--output-bucket': 'b',
  '--output-key': 'out',
};

describe('local-run: SimulatedGlue', () => {
  it('reads the input, transforms it and writes the output after its duration', async () => {
    const clock = VirtualClock.create();
    const store = memoryStore({ 'b/in': '[1,2]' });
    const glue = new SimulatedGlue({
      clock,
      store,
      jobs: {
        j: jsonGlueJob(
          (input, ctx) => ({ n: (input as number[]).length, id: ctx.arguments['--x'] }),
          { durationMs: 5_000, defaultArguments: { '--x': 'd' } },
        ),
      },
    });
    const run = await clock.run(() => glue.runJob('j', IO));
    expect(run).toMatchObject({
      JobName: 'j',
      JobRunState: 'SUCCEEDED',
      ExecutionTime: 5,
      Timeout: 2880,
    });
    expect(run.Arguments['--x']).toBe('d');
    expect(store.objects['b/out']).toBe('{"n":2,"id":"d"}');
  });

  it('fails the task with States.TaskFailed and the JobRun as cause when the code fails', async () => {
    const clock = VirtualClock.create();
    const glue = new SimulatedGlue({
      clock,
      store: memoryStore(),
      jobs: { j: jsonGlueJob((x) => x) },
    });
    const missingInput = await clock.run(() => glue.runJob('j', IO).catch((e: unknown) => e));
    expect(missingInput).toBeInstanceOf(TaskFailure);
    expect((missingInput as TaskFailure).name).toBe('States.TaskFailed');
    expect(JSON.parse((missingInput as TaskFailure).cause)).toMatchObject({
      JobRunState: 'FAILED',
      ErrorMessage: 'Error: NoSuchKey',
    });
    const missingArgs = await clock.run(() => glue.runJob('j', {}).catch((e: unknown) => e));
    expect((missingArgs as TaskFailure).cause).toMatch(
      /--input-bucket, --input-key, --output-bucket, --output-key are missing/,
    );
  });

  it('ends TIMEOUT after the job timeout, and refuses unknown jobs and bad durations', async () => {
    const clock = VirtualClock.create();
    const glue = new SimulatedGlue({
      clock,
      store: memoryStore({ 'b/in': '1' }),
      jobs: { slow: { transform: (t) => t, durationMs: 3 * 60_000, timeoutMinutes: 1 } },
    });
    const timedOut = await clock.run(() => glue.runJob('slow', IO).catch((e: unknown) => e));
    expect(JSON.parse((timedOut as TaskFailure).cause)).toMatchObject({ JobRunState: 'TIMEOUT' });
    // The run stops at the job's timeout, not at its 3 minutes.
    expect(clock.now() - DEFAULT_START_TIME).toBe(60_000);
    expect(glue.has('slow')).toBe(true);
    await expect(glue.runJob('nope', IO)).rejects.toThrow(/Job nope not found/);
    expect(
      () =>
        new SimulatedGlue({
          clock,
          store: memoryStore(),
          jobs: { bad: { transform: (t) => t, durationMs: -1 } },
        }),
    ).toThrow(LocalRunConfigError);
  });
});

describe('local-run: bodyText', () => {
  it('reads text, bytes, SDK streams and async iterables', async () => {
    expect(await bodyText('a')).toBe('a');
    expect(await bodyText(new TextEncoder().encode('b'))).toBe('b');
    expect(await bodyText({ transformToString: () => Promise.resolve('c') })).toBe('c');
    const chunks: AsyncIterable<string | Uint8Array> = {
      [Symbol.asyncIterator]: () => {
        const items: (string | Uint8Array)[] = ['d', new TextEncoder().encode('e')];
        return {
          next: () =>
            Promise.resolve(
              items.length > 0
                ? { done: false as const, value: items.shift() as string | Uint8Array }
                : { done: true as const, value: undefined },
            ),
        };
      },
    };
    expect(await bodyText(chunks)).toBe('de');
    await expect(bodyText(undefined)).rejects.toThrow(/no readable Body/);
  });
});
