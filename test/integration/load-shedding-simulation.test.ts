import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/load-shedding/simulator/runner.js';
import { parseScenario, type ScenarioInput } from '../../src/load-shedding/simulator/scenario.js';

// The scenario runner end to end: the real handlers deployed on the simulation models, driven
// only by the traffic the runner derives from the live ELBv2 weights each minute.

/** A short spike: 3x for 12 minutes from minute 3, quick steps, 60 minutes in all. */
function shortSpike(overrides: ScenarioInput = {}): ScenarioInput {
  return {
    durationMinutes: 60,
    traffic: { profile: { kind: 'spike', multiplier: 3, startMinute: 3, durationMinutes: 12 } },
    ...overrides,
    controller: {
      shedPercent: 10,
      restorePercent: 10,
      restoreDelaySeconds: 60,
      ...overrides.controller,
    },
  };
}

describe('load-shedding simulator: runner', () => {
  it('sheds under a spike, then restores every rule, the 80/20 canary included, exactly', async () => {
    // Act
    const result = await runScenario(parseScenario(shortSpike()));

    // Assess
    const { summary, timeline } = result;
    expect(result.errors).toEqual([]);
    expect(summary.shedSteps).toBeGreaterThan(0);
    expect(summary.restoreSteps).toBeGreaterThan(0);
    expect(summary.finalWeightsAtBaseline).toBe(true);
    expect(result.rules.find((r) => r.id === 'l1-r3')?.baselinePercent).toBe(80);
    expect(timeline.at(-1)?.primaryWeights).toEqual({
      'l1-default': 100,
      'l1-r1': 100,
      'l1-r2': 100,
      'l1-r3': 80,
    });
    // The alarm fired while the spike overloaded the primary, and shedding brought it under.
    expect(summary.firstAlarmAtSeconds).not.toBeNull();
    expect(summary.timeToFirstShedSeconds).toBeLessThan(60);
    expect(summary.maxShedPrimarySharePercent).toBeLessThan(95);
    const lastSpikeMinute = timeline[14];
    expect(lastSpikeMinute.primaryRps).toBeLessThan(lastSpikeMinute.offeredRps * 0.6);
    expect(summary.timeToRestoreSeconds).toBeGreaterThan(0);
    expect(summary.writesPerStep).toEqual({ average: 4, max: 4 });
    // The timeline's per-minute counts add up to the totals.
    expect(timeline.reduce((n, r) => n + r.elbv2Writes, 0)).toBe(summary.totalElbv2Writes);
    expect(timeline.reduce((n, r) => n + r.elbv2Describes, 0)).toBe(summary.totalElbv2Describes);
  });

  it('a primary that cannot cope sheds down to the floor and never below it', async () => {
    // Act: capacity far below even the base load, at most 30 points shed.
    const result = await runScenario(
      parseScenario(
        shortSpike({
          durationMinutes: 20,
          primary: { capacityRps: 100 },
          controller: { maxShedPercent: 30 },
        }),
      ),
    );

    // Assess
    const { summary, timeline } = result;
    expect(summary.reachedFloor).toBe(true);
    expect(summary.floorPercent).toBe(70);
    expect(summary.minPrimaryWeightPercent).toBe(70);
    for (const row of timeline) {
      for (const share of Object.values(row.primaryWeights))
        expect(share).toBeGreaterThanOrEqual(70);
    }
    // From 100 to 70 in steps of 10: the floor after three steps, one shed delay apart.
    expect(summary.timeToMaxShedSeconds).toBeGreaterThanOrEqual(120);
    expect(timeline.at(-1)?.alarm).toBe('ALARM');
  });

  it('takes at most one step per interval on any rule', async () => {
    // Act
    const result = await runScenario(
      parseScenario(
        shortSpike({ controller: { shedDelaySeconds: 120, restoreDelaySeconds: 180 } }),
      ),
    );

    // Assess
    expect(result.summary.shedSteps).toBeGreaterThan(1);
    expect(result.summary.minSecondsBetweenWritesOfARule).toBeGreaterThanOrEqual(120);
  });

  it('a dry run decides but writes nothing', async () => {
    // Act
    const result = await runScenario(
      parseScenario(shortSpike({ durationMinutes: 20, controller: { dryRun: true } })),
    );

    // Assess
    const { summary, timeline } = result;
    expect(timeline.flatMap((r) => r.actions)).toContain('shed');
    expect(summary.totalElbv2Writes).toBe(0);
    expect(summary.writesPerStep.max).toBe(0);
    expect(summary.minPrimaryWeightPercent).toBe(80);
    expect(timeline.every((r) => r.primaryWeights['l1-default'] === 100)).toBe(true);
    expect(summary.finalWeightsAtBaseline).toBe(true);
    expect(result.errors).toEqual([]);
  });

  it('is deterministic for a seed, and the seed changes the traffic', async () => {
    // Prepare
    const scenario = parseScenario(shortSpike({ durationMinutes: 25 }));

    // Act
    const first = await runScenario(scenario, { seed: 42 });
    const again = await runScenario(scenario, { seed: 42 });
    const other = await runScenario(scenario, { seed: 43 });

    // Assess
    expect(again).toEqual(first);
    expect(first.scenario.seed).toBe(42);
    expect(other.timeline.map((r) => r.offeredRps)).not.toEqual(
      first.timeline.map((r) => r.offeredRps),
    );
  });

  it('runs a latency alarm over two listeners with a piecewise traffic ramp', async () => {
    // Act
    const result = await runScenario(
      parseScenario({
        durationMinutes: 40,
        layout: { listeners: 2, rulesPerListener: 1, secondaries: 1, canary: false },
        alarm: { metric: 'latency', threshold: 1, evaluationPeriods: 2, datapointsToAlarm: 2 },
        traffic: {
          noisePercent: 0,
          profile: {
            kind: 'points',
            points: [
              { minute: 0, rps: 1000 },
              { minute: 5, rps: 2500 },
              { minute: 15, rps: 2500 },
              { minute: 16, rps: 800 },
            ],
          },
        },
        controller: { shedPercent: 20, restorePercent: 20, restoreDelaySeconds: 60 },
      }),
    );

    // Assess
    expect(result.rules.map((r) => r.id)).toEqual(['l1-default', 'l1-r1', 'l2-default', 'l2-r1']);
    expect(result.timeline[10].metricValue).toBeGreaterThan(1);
    expect(result.summary.shedSteps).toBeGreaterThan(0);
    expect(result.summary.finalWeightsAtBaseline).toBe(true);
    expect(result.errors).toEqual([]);
  });
});
