import { describe, expect, it } from 'vitest';
import { runErrors } from '../../../src/load-shedding/simulator/run-errors.js';
import {
  stepRecordingLogger,
  type StepRecord,
} from '../../../src/load-shedding/simulator/step-log.js';
import { VirtualClock } from '../../../src/simulation/virtual-clock.js';

describe('load-shedding simulator: step log', () => {
  it('keeps the step summaries, numbered, and the error lines; drops the rest', () => {
    // Prepare
    const clock = VirtualClock.create();
    const steps: StepRecord[] = [];
    const errors: string[] = [];
    let seq = 10;
    const logger = stepRecordingLogger(clock, () => ++seq, steps, errors);

    // Act
    logger.debug('noise');
    logger.warn('noise');
    logger.info('Something else.', { outcome: 'shed' });
    logger.info(
      'Load-shedding step done.',
      { correlationId: 'c' },
      {
        outcome: 'shed',
        writes: [{ ruleArn: 'r', operation: 'ModifyRule', status: 'written' }],
      },
    );
    logger.info('Load-shedding step done.', { outcome: 'end', chainEnd: 'restored' });
    logger.info('Load-shedding step done.');
    logger.error('It failed.', { error: new TypeError('bad') });
    logger.error('It failed again.', 'just text');

    // Assess
    expect(steps).toEqual([
      {
        seq: 11,
        time: clock.now(),
        outcome: 'shed',
        chainEnd: undefined,
        writes: [{ operation: 'ModifyRule', status: 'written' }],
      },
      { seq: 12, time: clock.now(), outcome: 'end', chainEnd: 'restored', writes: [] },
      { seq: 13, time: clock.now(), outcome: 'unknown', chainEnd: undefined, writes: [] },
    ]);
    expect(errors).toEqual([
      '2025-01-01T00:00:00.000Z It failed.: TypeError: bad',
      '2025-01-01T00:00:00.000Z It failed again.',
    ]);
  });
});

describe('load-shedding simulator: run errors', () => {
  it('nothing went wrong: no lines', () => {
    expect(
      runErrors({
        errorLogs: [],
        invocations: [{ startTime: 0, functionName: 'f', outcome: 'succeeded' }],
        deadLetters: 0,
        deliveries: [{ time: 0, outcome: 'delivered' }],
        mappingError: undefined,
      }),
    ).toEqual([]);
  });

  it('lists logged errors, failed invocations, dead letters, failed deliveries and a stopped mapping', () => {
    expect(
      runErrors({
        errorLogs: ['logged'],
        invocations: [
          {
            startTime: 0,
            functionName: 'f',
            outcome: 'failed',
            error: { name: 'Error', message: 'x' },
          },
          { startTime: 60_000, functionName: 'g', outcome: 'throttled' },
        ],
        deadLetters: 2,
        deliveries: [{ time: 0, outcome: 'failed' }],
        mappingError: new Error('broken'),
      }),
    ).toEqual([
      'logged',
      `${new Date(0).toISOString()} f invocation failed: Error: x`,
      `${new Date(60_000).toISOString()} g invocation throttled`,
      '2 check message(s) in the dead-letter queue',
      `${new Date(0).toISOString()} EventBridge delivery failed`,
      'the event source mapping stopped: broken',
    ]);
    expect(
      runErrors({
        errorLogs: [],
        invocations: [],
        deadLetters: 0,
        deliveries: [],
        mappingError: { code: 1 },
      }),
    ).toEqual(['the event source mapping stopped: {"code":1}']);
  });
});
