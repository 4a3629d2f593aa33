import { describe, expect, it } from 'vitest';
import { runDrill } from '../../src/disaster-recovery/simulator/drill.js';

describe('simulator: drill runner', () => {
  it('runs a small drill with clean-up and reports a consistent timeline', async () => {
    const result = await runDrill({
      servers: 20,
      waves: 2,
      concurrency: 2,
      terminate: true,
      statusPollMs: 60_000,
    });
    expect(result).toMatchObject({
      servers: 20,
      waves: 2,
      concurrency: 2,
      launched: 20,
      jobsStarted: 2,
      jobsExpected: 2,
      jobsReused: 2, // the duplicate of wave 1 and the late redelivery
      quotaErrors: 0,
      failedCalls: 0,
      failedInvocations: 0,
    });
    const kinds = result.timeline.map((e) => e.kind);
    expect(kinds.filter((k) => k === 'wave-terminating')).toHaveLength(2);
    expect(kinds.at(-1)).toBe('wave-completed'); // the redelivery polls too
    expect(kinds).toContain('redelivery');
    const times = result.timeline.map((e) => e.atMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(result.durationMs).toBe(
      Math.max(
        ...result.timeline
          .filter((e) => e.kind === 'wave-completed' && e.container <= 2)
          .map((e) => e.atMs),
      ),
    );
  });

  it('records a failed invocation with its error instead of throwing', async () => {
    const result = await runDrill({
      servers: 4,
      waves: 1,
      concurrency: 1,
      duplicateDeliveries: 0,
      redeliverAfterDrill: false,
      world: { config: { maxRetries: 0 }, drs: { faults: { probability: 1 } } },
    });
    expect(result.failedInvocations).toBe(1);
    expect(result.timeline.at(-1)).toMatchObject({
      kind: 'invocation-failed',
      detail: expect.stringMatching(/^RetryExhaustedError/),
    });
  });
});
