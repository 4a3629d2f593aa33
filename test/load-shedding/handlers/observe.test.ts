import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withCorrelationId } from '../../../src/load-shedding/handlers/observe.js';
import { createLogger } from '../../../src/observability/logger.js';
import { recordingLogger } from './world.js';

describe('load-shedding handlers: correlated logger', () => {
  it('adds the correlation id to attribute objects, keeping every attribute', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.array(fc.dictionary(fc.constantFrom('a', 'b', 'ruleArn'), fc.integer()), {
          maxLength: 3,
        }),
        (correlationId, extras) => {
          // Prepare
          const sink = recordingLogger();
          const logger = withCorrelationId(sink, correlationId);

          // Act
          logger.info('hello', ...extras);

          // Assess
          expect(sink.lines).toEqual([
            {
              level: 'info',
              message: 'hello',
              attributes: Object.assign({ correlationId }, ...extras) as Record<string, unknown>,
            },
          ]);
        },
      ),
    );
  });

  it('keeps a lone string as `extra` and a lone Error as `error`, at every level', () => {
    // Prepare
    const sink = recordingLogger();
    const logger = withCorrelationId(sink, 'c-1');
    const error = new Error('boom');

    // Act
    logger.debug('d', 'some text');
    logger.warn('w', error);
    logger.error('e');

    // Assess
    expect(sink.lines).toEqual([
      { level: 'debug', message: 'd', attributes: { correlationId: 'c-1', extra: 'some text' } },
      { level: 'warn', message: 'w', attributes: { correlationId: 'c-1', error } },
      { level: 'error', message: 'e', attributes: { correlationId: 'c-1' } },
    ]);
  });

  it('works over a Powertools logger (its methods keep their `this`)', () => {
    // Prepare
    const powertools = createLogger({ serviceName: 'load-shedding', logLevel: 'SILENT' });
    const logger = withCorrelationId(powertools, 'c-2');

    // Act + Assess
    expect(() => {
      logger.info('hello', { a: 1 });
    }).not.toThrow();
  });
});
