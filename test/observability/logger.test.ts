import { describe, expect, it, vi } from 'vitest';
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

  it('writes one structured JSON line with service, level, message and correlation id', () => {
    // Prepare: capture what the logger writes.
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const logger = createLogger({
        serviceName: 'load-shedding',
        correlationId: 'evt-7',
        logLevel: 'INFO',
      });

      // Act
      logger.info('shed one step', { primaryWeight: 95 });
      logger.debug('below the level, not written');
    } finally {
      write.mockRestore();
    }

    // Assess
    const entries = lines
      .join('')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      level: 'INFO',
      message: 'shed one step',
      service: 'load-shedding',
      correlation_id: 'evt-7',
      primaryWeight: 95,
    });
  });

  it('the silent logger writes nothing at any level', () => {
    const write = vi.spyOn(process.stdout, 'write');
    const errorWrite = vi.spyOn(process.stderr, 'write');
    try {
      silentLogger.debug('a');
      silentLogger.info('b');
      silentLogger.warn('c');
      silentLogger.error('d');
      expect(write).not.toHaveBeenCalled();
      expect(errorWrite).not.toHaveBeenCalled();
    } finally {
      write.mockRestore();
      errorWrite.mockRestore();
    }
  });
});

describe('observability: createTracer', () => {
  it('honours an explicit enabled flag', () => {
    expect(createTracer({ serviceName: 'x', enabled: false }).isTracingEnabled()).toBe(false);
    expect(createTracer({ serviceName: 'y' })).toBeDefined();
  });
});
