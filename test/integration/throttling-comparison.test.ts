import { describe, expect, it } from 'vitest';
import { WORKLOAD, runThrottlingScenario } from '../../bench/throttling.bench.js';

// The benchmark's claim, kept honest in CI: against a 10 TPS quota the kit's limiter + retry
// receives fewer throttles and fails fewer calls than the SDK's own retry modes, at about the
// ideal completion time. Virtual time, so this is a correctness check, not a timing test.
describe('integration: kit vs SDK retry against a throttling API', () => {
  it('the kit beats SDK standard and adaptive retry on throttles and failed calls', async () => {
    const standard = await runThrottlingScenario('sdk-standard');
    const adaptive = await runThrottlingScenario('sdk-adaptive');
    const kit = await runThrottlingScenario('kit');

    expect(kit.failedCalls).toBe(0);
    expect(kit.throttles).toBeLessThan(standard.throttles);
    expect(kit.throttles).toBeLessThan(adaptive.throttles);
    expect(kit.failedCalls).toBeLessThan(standard.failedCalls);
    expect(kit.failedCalls).toBeLessThanOrEqual(adaptive.failedCalls);
    expect(kit.completionRatio).toBeLessThanOrEqual(1.05);
    // Every throttle the kit received was retried and counted.
    expect(kit.kitRetries).toBe(kit.throttles);
    expect(kit.requests).toBe(WORKLOAD.calls + kit.throttles);
  });
});
