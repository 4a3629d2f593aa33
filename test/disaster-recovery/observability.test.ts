import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { DrsMetricNames } from '../../src/disaster-recovery/contract.js';
import {
  DrsMetrics,
  drsMetricRecorder,
  retryLayerLogger,
  silentDrsLogger,
} from '../../src/disaster-recovery/observability.js';
import { createLogger } from '../../src/observability/logger.js';
import { InMemoryMetricRecorder } from '../../src/observability/metrics.js';
import type { ServiceErrorSpec } from '../../src/simulation/service-error.js';
import { HOME_REGION, createLibraryWorld } from './library-support.js';

const THROTTLE: ServiceErrorSpec = {
  name: 'ThrottlingException',
  httpStatusCode: 429,
  message: 'Rate exceeded',
  retryAfterSeconds: 1,
};
const MAX_RETRIES = 3;

/** Runs one DescribeJobs per entry, the entry being how many throttles come first. */
async function runScript(failures: readonly number[], logger = silentDrsLogger) {
  const world = createLibraryWorld({
    drs: { throttling: { account: 'none' } },
    env: { DRS_MAX_RETRIES: String(MAX_RETRIES) },
  });
  const client = world.runtime({ logger }).drs({ region: HOME_REGION });
  await world.clock.run(async () => {
    for (const count of failures) {
      if (count > 0) world.drs().failNext(count, THROTTLE);
      await client.describeJobs().catch(() => undefined);
    }
  });
  return world;
}

function captureOutput(): { lines: () => Record<string, unknown>[]; restore: () => void } {
  // Powertools writes INFO to stdout, WARN and above to stderr.
  const chunks: string[] = [];
  const capture = (chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(capture),
    vi.spyOn(process.stderr, 'write').mockImplementation(capture),
  ];
  return {
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.trim().startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}

describe('observability: Property 9 — metrics publication correctness', () => {
  it('counts rate-limit errors by type, retries by attempt, exhaustion and calls by outcome', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: MAX_RETRIES + 1 }), { minLength: 1, maxLength: 8 }),
        async (failures) => {
          // Act: a call with MAX_RETRIES + 1 throttles runs out of retries.
          const world = await runScript(failures);

          // Assess
          const m = world.metrics;
          const exhausted = failures.filter((f) => f > MAX_RETRIES).length;
          const throttles = failures.reduce((sum, f) => sum + f, 0);
          expect(m.sum(DrsMetricNames.rateLimitErrors, { ErrorType: 'ThrottlingException' })).toBe(
            throttles,
          );
          // The alarm's series (Service only) carries the same total.
          expect(
            m
              .matching(DrsMetricNames.rateLimitErrors)
              .filter((p) => Object.keys(p.dimensions).length === 1)
              .reduce((sum, p) => sum + p.value, 0),
          ).toBe(throttles);
          for (let attempt = 1; attempt <= MAX_RETRIES; attempt += 1) {
            const reached = failures.filter((f) => Math.min(f, MAX_RETRIES) >= attempt).length;
            expect(
              m.sum(DrsMetricNames.retries, { Service: 'drs', Attempt: String(attempt) }),
            ).toBe(reached);
          }
          expect(m.sum(DrsMetricNames.retriesExhausted, { Service: 'drs' })).toBe(exhausted);
          expect(
            m.sum(DrsMetricNames.apiCalls, { Operation: 'DescribeJobs', Outcome: 'Success' }),
          ).toBe(failures.length - exhausted);
          expect(
            m.sum(DrsMetricNames.apiCalls, { Operation: 'DescribeJobs', Outcome: 'Failure' }),
          ).toBe(exhausted);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('the DRS recorder renames only Throttles and keeps every other metric as it is', () => {
    // Prepare
    const inner = new InMemoryMetricRecorder();
    const recorder = drsMetricRecorder(inner);

    // Act
    recorder.record('Throttles', 'Count', 1, { Service: 'drs', ErrorCode: 'ThrottlingException' });
    recorder.record('Throttles', 'Count', 1);
    recorder.record('ApiCalls', 'Count', 1, { Service: 'drs', Operation: 'X', Outcome: 'Success' });
    new DrsMetrics(recorder).throttlerWait(2.5);

    // Assess
    expect(inner.points).toEqual([
      {
        name: 'RateLimitErrors',
        unit: 'Count',
        value: 1,
        dimensions: { Service: 'drs', ErrorType: 'ThrottlingException' },
      },
      { name: 'RateLimitErrors', unit: 'Count', value: 1, dimensions: { Service: 'drs' } },
      {
        name: 'RateLimitErrors',
        unit: 'Count',
        value: 1,
        dimensions: { Service: 'drs', ErrorType: 'Unknown' },
      },
      { name: 'RateLimitErrors', unit: 'Count', value: 1, dimensions: { Service: 'drs' } },
      {
        name: 'ApiCalls',
        unit: 'Count',
        value: 1,
        dimensions: { Service: 'drs', Operation: 'X', Outcome: 'Success' },
      },
      { name: 'ThrottlerWaitTime', unit: 'Seconds', value: 2.5, dimensions: { Service: 'drs' } },
    ]);
  });
});

describe('observability: Property 12 — structured error logging', () => {
  it('WARNING per retryable error, CRITICAL on exhaustion, JSON with the correlation id', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: MAX_RETRIES + 1 }),
        fc.stringMatching(/^[a-z0-9-]{4,20}$/),
        async (failures, correlationId) => {
          // Prepare
          const out = captureOutput();
          try {
            const logger = createLogger({
              serviceName: 'drs-test',
              correlationId,
              logLevel: 'INFO',
            });

            // Act
            await runScript([failures], logger);
          } finally {
            out.restore();
          }

          // Assess
          const lines = out.lines();
          const retried = lines.filter(
            (l) => l.message === 'Retryable error: retrying after backoff',
          );
          const exhausted = lines.filter((l) => l.level === 'CRITICAL');
          expect(lines.every((l) => l.correlation_id === correlationId)).toBe(true);
          expect(retried).toHaveLength(Math.min(failures, MAX_RETRIES));
          for (const line of retried) {
            expect(line).toMatchObject({
              level: 'WARN',
              operation: 'DescribeJobs',
              errorCode: 'ThrottlingException',
              errorCategory: 'throttling',
              region: HOME_REGION,
              accountId: 'self',
            });
          }
          if (failures > MAX_RETRIES) {
            // The retry layer's exhaustion line and the escalation, both CRITICAL.
            expect(exhausted.map((l) => l.message)).toEqual([
              'Retries exhausted: giving up',
              'DRS escalation: operator action needed',
            ]);
            expect(exhausted[0]).toMatchObject({
              attempts: MAX_RETRIES + 1,
              errorCode: 'ThrottlingException',
            });
          } else {
            expect(exhausted).toHaveLength(0);
          }
        },
      ),
      { numRuns: 15 },
    );
  });

  it('the retry-layer logger maps only ERROR to CRITICAL', () => {
    // Prepare
    const calls: string[] = [];
    const record = (level: string) => () => {
      calls.push(level);
    };
    const logger = retryLayerLogger({
      debug: record('debug'),
      info: record('info'),
      warn: record('warn'),
      error: record('error'),
      critical: record('critical'),
    });

    // Act
    logger.debug('a');
    logger.info('b');
    logger.warn('c');
    logger.error('d');

    // Assess
    expect(calls).toEqual(['debug', 'info', 'warn', 'critical']);
  });
});
