import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idealDrillDuration } from '../../src/disaster-recovery/simulator/ideal.js';
import { createDrsWorld } from '../../src/disaster-recovery/simulator/world.js';

describe('simulator: ideal drill duration', () => {
  it('is two 310 s rounds for 600 servers under AWS’s default job quotas', () => {
    expect(
      idealDrillDuration({
        servers: 600,
        concurrentJobs: 20,
        serversPerJob: 100,
        serversInActiveJobs: 500,
        jobStartDelayMs: 10_000,
        launchDurationMs: 300_000,
      }),
    ).toEqual({ inFlight: 500, rounds: 2, jobDurationMs: 310_000, durationMs: 620_000 });
  });

  it('counts the stagger of the last server of a full job', () => {
    const ideal = idealDrillDuration({
      servers: 30,
      concurrentJobs: 1,
      serversPerJob: 10,
      serversInActiveJobs: 500,
      jobStartDelayMs: 0,
      launchDurationMs: 100,
      launchStaggerMs: 5,
    });
    expect(ideal).toEqual({ inFlight: 10, rounds: 3, jobDurationMs: 145, durationMs: 435 });
  });

  it('never promises more servers in flight than either quota allows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 2000 }),
        (servers, concurrentJobs, serversPerJob, serversInActiveJobs) => {
          const ideal = idealDrillDuration({
            servers,
            concurrentJobs,
            serversPerJob,
            serversInActiveJobs,
            jobStartDelayMs: 1,
            launchDurationMs: 1,
          });
          return (
            ideal.inFlight <= concurrentJobs * serversPerJob &&
            ideal.inFlight <= serversInActiveJobs &&
            ideal.rounds * ideal.inFlight >= servers &&
            (ideal.rounds - 1) * ideal.inFlight < servers
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('simulator: world', () => {
  it('names the regions it has when asked for another', () => {
    const world = createDrsWorld({ otherRegions: ['eu-west-1'] });
    expect(world.drsIn('eu-west-1')).not.toBe(world.drs);
    expect(() => world.drsIn('ap-south-1')).toThrow(/us-east-1, eu-west-1/);
    expect(world.config.regions).toEqual(['us-east-1', 'eu-west-1']);
  });
});
