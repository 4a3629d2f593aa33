/**
 * The spec's properties that belong to the stage kit, checked through the real handler on the
 * S3 simulation with random execution ids, stage names and data.
 */
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { etl } from '../../../examples/workflow/stages/logic/etl.js';
import { filterRecords, filterStage } from '../../../examples/workflow/stages/logic/filter.js';
import {
  followUpActions,
  reactiveStage,
} from '../../../examples/workflow/stages/logic/reactive.js';
import { scoreRecord, scoreStage } from '../../../examples/workflow/stages/logic/score.js';
import { storeStage, summarize } from '../../../examples/workflow/stages/logic/store.js';
import { stageResultSchema, type JsonValue } from '../../../src/workflow/contract.js';
import { s3Uri, stageOutputKey, stageResultKey } from '../../../src/workflow/paths.js';
import { createStageHandler } from '../../../src/workflow/stage-handler.js';
import type { Stage } from '../../../src/workflow/stage.js';
import { jsonArb, segmentArb, stagePairArb } from './arbitraries.js';
import { BUCKET, stageWorld, type World } from './world.js';

const worlds: World[] = [];
function world(options: Parameters<typeof stageWorld>[0] = {}): World {
  const w = stageWorld(options);
  worlds.push(w);
  return w;
}
afterEach(() => {
  for (const w of worlds.splice(0)) w.dispose();
  vi.restoreAllMocks();
});

const identity = (input: JsonValue) => input;

/** Raw activity events as producers might send them. */
const rawRecordArb = fc.record(
  {
    id: fc.oneof(fc.string({ minLength: 1, maxLength: 4 }), fc.nat(50)),
    customerId: fc.constantFrom('c1', 'c2', 'c3', ''),
    type: fc.constantFrom('purchase', 'cart', 'view', 'signup', 'refund', 'PURCHASE'),
    amount: fc.oneof(
      fc.double({ min: 0, max: 2000, noNaN: true }),
      fc.constantFrom('12.50', '$1,000', 'x'),
    ),
    timestamp: fc.oneof(fc.integer({ min: 1.7e12, max: 1.8e12 }), fc.constant('not a date')),
  },
  { requiredKeys: ['customerId', 'type'] },
);
const batchArb = fc.record({ records: fc.array(rawRecordArb, { maxLength: 20 }) });

describe('workflow kit properties: paths and inputs through the handler', () => {
  it('Property 2: S3 Output Path Convention — the output lands at executions/{executionId}/{currentStage}/output.json', async () => {
    await fc.assert(
      fc.asyncProperty(segmentArb, segmentArb, jsonArb, async (executionId, stage, data) => {
        // Prepare
        const w = world();
        // Act
        const result = await w.run(identity, {
          executionId,
          currentStage: stage,
          initialData: data,
        });
        // Assess
        const key = `executions/${executionId}/${stage}/output.json`;
        expect(result.output).toEqual({ bucket: BUCKET, key });
        expect(w.s3.keys(BUCKET, 'executions/')).toEqual(
          [key, stageResultKey(executionId, stage)].sort(),
        );
        w.dispose();
      }),
      { numRuns: 25 },
    );
  });

  it('Property 3: S3 Input Path Convention — a later stage reads executions/{executionId}/{previousStage}/output.json', async () => {
    await fc.assert(
      fc.asyncProperty(
        segmentArb,
        stagePairArb,
        jsonArb,
        jsonArb,
        async (executionId, [previous, current], data, decoy) => {
          // Prepare
          const w = world();
          await w.s3.putText(
            BUCKET,
            stageOutputKey(executionId, previous),
            JSON.stringify(data),
            'application/json',
          );
          // Act
          let seen: unknown;
          const result = await w.run(
            (input: JsonValue) => {
              seen = input;
              return null;
            },
            { executionId, currentStage: current, previousStage: previous, initialData: decoy },
          );
          // Assess
          expect(seen).toEqual(data);
          expect(result.input).toBe(
            s3Uri({ bucket: BUCKET, key: stageOutputKey(executionId, previous) }),
          );
          w.dispose();
        },
      ),
      { numRuns: 25 },
    );
  });

  it('Property 4: First Stage Input Source — the first stage gets initialData and reads nothing from S3', async () => {
    await fc.assert(
      fc.asyncProperty(
        segmentArb,
        jsonArb,
        fc.constantFrom(null, undefined),
        async (stage, data, previousStage) => {
          // Prepare
          const w = world();
          let seen: unknown;
          // Act
          await w.run(
            (input: JsonValue) => {
              seen = input;
              return 1;
            },
            { executionId: 'e', currentStage: stage, previousStage, initialData: data },
          );
          // Assess
          expect(seen).toEqual(data);
          expect(w.s3.stats().byOperation.GetObject?.calls ?? 0).toBe(0);
          w.dispose();
        },
      ),
      { numRuns: 25 },
    );
  });

  it('Property 5: S3 Organization by Execution ID — every object an execution writes is under executions/{its id}/', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(segmentArb, { minLength: 1, maxLength: 4 }),
        fc.uniqueArray(segmentArb, { minLength: 1, maxLength: 3 }),
        async (executionIds, stages) => {
          // Prepare
          const w = world();
          // Act: every execution runs the chain, interleaved stage by stage
          for (const [i, stage] of stages.entries()) {
            for (const executionId of executionIds) {
              await w.run(() => ({ executionId, stage }), {
                executionId,
                currentStage: stage,
                ...(i === 0 ? { initialData: 0 } : { previousStage: stages[i - 1] }),
              });
            }
          }
          // Assess
          for (const executionId of executionIds) {
            const own = w.s3.keys(BUCKET, `executions/${executionId}/`);
            expect(own).toHaveLength(stages.length * 2);
            for (const stage of stages) {
              expect(await w.json(stageOutputKey(executionId, stage))).toEqual({
                executionId,
                stage,
              });
            }
          }
          expect(w.s3.keys(BUCKET)).toHaveLength(executionIds.length * stages.length * 2);
          w.dispose();
        },
      ),
      { numRuns: 15 },
    );
  });

  it('Property 6: S3 Output Persistence — every stage output stays readable, equal to what the stage returned', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(jsonArb, { minLength: 1, maxLength: 5 }), async (outputs) => {
        // Prepare
        const w = world();
        // Act
        for (const [i, output] of outputs.entries()) {
          await w.run(() => output, {
            executionId: 'persist',
            currentStage: `s${i}`,
            ...(i === 0 ? { initialData: null } : { previousStage: `s${i - 1}` }),
          });
        }
        // Assess: later stages neither deleted nor changed earlier outputs
        for (const [i, output] of outputs.entries()) {
          expect(await w.json(stageOutputKey('persist', `s${i}`))).toEqual(output);
        }
        w.dispose();
      }),
      { numRuns: 25 },
    );
  });
});

describe('workflow kit properties: stages are independent of the workflow around them', () => {
  const LOGIC_DIR = join(
    dirname(fileURLToPath(import.meta.url)),
    '../../../examples/workflow/stages/logic',
  );

  it('Property 9: No Hardcoded Dependencies — a stage output depends only on its input, not on ids, buckets or stage names', async () => {
    // Static half: the stage logic imports no AWS SDK, no fs, and names no bucket or key.
    for (const file of readdirSync(LOGIC_DIR)) {
      const source = readFileSync(join(LOGIC_DIR, file), 'utf8');
      expect(source, file).not.toMatch(/@aws-sdk|node:fs|process\.env|executions\/|s3:\/\//);
    }
    await fc.assert(
      fc.asyncProperty(
        batchArb,
        fc.tuple(segmentArb, segmentArb),
        fc.tuple(segmentArb, segmentArb),
        async (batch, [idA, idB], [stageA, stageB]) => {
          // Prepare
          const w = world();
          w.s3.createBucket('elsewhere-bucket');
          // Act
          await w.run(etl, { executionId: idA, currentStage: stageA, initialData: batch });
          await w.run(etl, {
            executionId: idB,
            currentStage: stageB,
            workflowBucket: 'elsewhere-bucket',
            initialData: batch,
          });
          // Assess
          const a = await w.s3.readText(BUCKET, stageOutputKey(idA, stageA));
          const b = await w.s3.readText('elsewhere-bucket', stageOutputKey(idB, stageB));
          expect(a).toBe(b);
          w.dispose();
        },
      ),
      { numRuns: 20 },
    );
  });

  it('Property 10: Stage Reordering Independence — any order of stages runs through the kit as the composition in that order', async () => {
    // Record-to-record stages of both forms; any permutation is a valid workflow.
    const addTen = (input: number[]) => input.map((n) => n + 10);
    const keepEven = (input: number[]) => input.filter((n) => n % 2 === 0);
    const double = (input: number[]) => input.map((n) => n * 2);
    const pure = { addTen, keepEven, double } as const;
    type Name = keyof typeof pure;
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(['addTen', 'keepEven', 'double'] as Name[], { minLength: 1 }),
        fc.array(fc.integer({ min: -100, max: 100 }), { maxLength: 10 }),
        async (order, data) => {
          // Prepare
          const w = world();
          // Act
          let previous: string | undefined;
          for (const name of order) {
            await w.run(pure[name], {
              executionId: 'e',
              currentStage: name,
              ...(previous ? { previousStage: previous } : { initialData: data }),
            });
            previous = name;
          }
          // Assess
          const expected = order.reduce((value: number[], name) => pure[name](value), data);
          expect(await w.json(stageOutputKey('e', order[order.length - 1] as string))).toEqual(
            expected,
          );
          w.dispose();
        },
      ),
      { numRuns: 30 },
    );
  });

  it('Property 11: Independent Testability — each example stage alone (initialData) equals the stage mid-chain (S3) and the plain function', async () => {
    await fc.assert(
      fc.asyncProperty(batchArb, async (batch) => {
        // Prepare: the expected values come from the plain functions, no kit involved
        const cleaned = etl(batch);
        const filtered = filterRecords(cleaned);
        const scored = filtered.map(scoreRecord);
        const summary = summarize(scored);
        const cases: [string, Stage<never, unknown>, unknown, unknown][] = [
          ['filter', filterStage as Stage<never, unknown>, cleaned, filtered],
          ['score', scoreStage as Stage<never, unknown>, filtered, scored],
          ['store', storeStage as Stage<never, unknown>, scored, summary],
          ['reactive', reactiveStage as Stage<never, unknown>, summary, followUpActions(summary)],
        ];
        const w = world();
        for (const [name, stage, input, expected] of cases) {
          // Act: alone, as a first stage
          await w.run(stage, {
            executionId: 'alone',
            currentStage: name,
            initialData: input as JsonValue,
          });
          // Act: in a chain, after a stage that wrote the same input
          await w.s3.putText(
            BUCKET,
            stageOutputKey('chain', `before-${name}`),
            JSON.stringify(input),
            'application/json',
          );
          await w.run(stage, {
            executionId: 'chain',
            currentStage: name,
            previousStage: `before-${name}`,
          });
          // Assess (score streams: its output is JSON Lines, read back through a JSON stage)
          const read = async (id: string) => {
            await w.run(identity, {
              executionId: id,
              currentStage: `read-${name}`,
              previousStage: name,
            });
            return w.json(stageOutputKey(id, `read-${name}`));
          };
          expect(await read('alone')).toEqual(expected);
          expect(await read('chain')).toEqual(expected);
        }
        w.dispose();
      }),
      { numRuns: 15 },
    );
  });
});

describe('workflow kit properties: errors and logs', () => {
  it('Property 31: Error Information Recording — type, message and stack of any stage error are in the StageResult', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.stringMatching(/^[A-Z][A-Za-z]{0,20}Error$/),
        fc.string({ maxLength: 60 }),
        segmentArb,
        async (name, message, stage) => {
          // Prepare
          const w = world();
          const error = new Error(message);
          error.name = name;
          // Act
          const thrown = await w
            .run(() => Promise.reject(error), {
              executionId: 'e',
              currentStage: stage,
              initialData: 1,
            })
            .catch((e: unknown) => e);
          // Assess
          expect(thrown).toBe(error);
          const recorded = stageResultSchema.parse(await w.json(stageResultKey('e', stage)));
          expect(recorded).toMatchObject({
            status: 'FAILED',
            stage,
            errorType: name,
            errorMessage: message,
          });
          expect(recorded.status === 'FAILED' && recorded.stackTrace.length > 0).toBe(true);
          const stackText = (error.stack ?? '')
            .split('\n')
            .slice(1)
            .map((l) => l.trim());
          expect(recorded.status === 'FAILED' ? recorded.stackTrace : []).toEqual(
            stackText.filter((l) => l),
          );
          const logged = w.lines.find((l) => l.message === 'Stage failed');
          expect(logged?.attributes).toMatchObject({ errorType: name, errorMessage: message });
          w.dispose();
        },
      ),
      { numRuns: 25 },
    );
  });

  it('Property 36: Lambda Execution Context Logging — the first line names execution id and stage; the correlation id is the execution id', async () => {
    await fc.assert(
      fc.asyncProperty(
        segmentArb,
        stagePairArb,
        fc.boolean(),
        async (executionId, [previous, current], first) => {
          // Prepare
          const w = world();
          if (!first)
            await w.s3.putText(
              BUCKET,
              stageOutputKey(executionId, previous),
              '1',
              'application/json',
            );
          // Act
          await w.run(identity, {
            executionId,
            currentStage: current,
            ...(first ? { initialData: 1 } : { previousStage: previous }),
          });
          // Assess
          const [start] = w.lines;
          expect(start?.message).toBe('Stage started');
          expect(start?.attributes).toMatchObject({
            executionId,
            currentStage: current,
            previousStage: first ? null : previous,
          });
          expect(w.lines.every((l) => l.correlationId === executionId)).toBe(true);
          w.dispose();
        },
      ),
      { numRuns: 25 },
    );
  });

  it('Property 37: Lambda S3 Path Logging — the start and end lines carry the input and output S3 paths', async () => {
    await fc.assert(
      fc.asyncProperty(
        segmentArb,
        stagePairArb,
        fc.boolean(),
        async (executionId, [previous, current], first) => {
          // Prepare
          const w = world();
          if (!first)
            await w.s3.putText(
              BUCKET,
              stageOutputKey(executionId, previous),
              '1',
              'application/json',
            );
          // Act
          await w.run(identity, {
            executionId,
            currentStage: current,
            ...(first ? { initialData: 1 } : { previousStage: previous }),
          });
          // Assess
          const paths = {
            input: first
              ? 'initialData'
              : `s3://${BUCKET}/executions/${executionId}/${previous}/output.json`,
            output: `s3://${BUCKET}/executions/${executionId}/${current}/output.json`,
          };
          expect(w.lines.find((l) => l.message === 'Stage started')?.attributes).toMatchObject(
            paths,
          );
          expect(w.lines.find((l) => l.message === 'Stage succeeded')?.attributes).toMatchObject(
            paths,
          );
          w.dispose();
        },
      ),
      { numRuns: 25 },
    );
  });

  it('the default logger is Powertools JSON with correlation_id = execution id and both paths', async () => {
    // Prepare
    const w = world();
    const written: string[] = [];
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const { loggerFor: _omit, ...deps } = w.deps;
    // Act
    await w.clock.run(() =>
      createStageHandler(
        identity,
        deps,
      )({ executionId: 'exec-42', currentStage: 'etl', initialData: [] }),
    );
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    // Assess
    const lines = written
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const start = lines.find((l) => l.message === 'Stage started');
    expect(start).toMatchObject({
      level: 'INFO',
      service: 'test-workflow',
      correlation_id: 'exec-42',
      executionId: 'exec-42',
      stage: 'etl',
      input: 'initialData',
      output: `s3://${BUCKET}/executions/exec-42/etl/output.json`,
    });
  });
});
