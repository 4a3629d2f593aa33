import { describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../../src/observability/logger.js';
import { createTracer } from '../../src/observability/tracer.js';

describe('observability: createLogger', () => {
  it('sets the service name, correlation id and persistent keys', () => {
    const logger = createLogger({
      serviceName: 'load-shedding',
      correlationId: 'evt-1',
      logLevel: 'DEBUG',
      persistentKeys: { capability: 'load-shedding' },
    });
    expect(logger.getCorrelationId()).toBe('evt-1');
    expect(logger.getLevelName()).toBe('DEBUG');
    expect(logger.getPersistentLogAttributes()).toMatchObject({ capability: 'load-shedding' });
  });

  it('works without optional settings', () => {
    const logger = createLogger({ serviceName: 'x' });
    expect(logger.getCorrelationId()).toBeUndefined();
  });

  it('silent logger swallows every level', () => {
    expect(() => {
      silentLogger.debug('a');
      silentLogger.info('b');
      silentLogger.warn('c');
      silentLogger.error('d');
    }).not.toThrow();
  });
});

describe('observability: createTracer', () => {
  it('honours an explicit enabled flag', () => {
    expect(createTracer({ serviceName: 'x', enabled: false }).isTracingEnabled()).toBe(false);
    expect(createTracer({ serviceName: 'y' })).toBeDefined();
  });
});
