import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseScenario,
  type TrafficProfile,
} from '../../../src/load-shedding/simulator/scenario.js';
import {
  MAX_LATENCY_SECONDS,
  offeredRps,
  primaryMinute,
  primaryShare,
  profileRps,
} from '../../../src/load-shedding/simulator/traffic.js';

const primary = { capacityRps: 1000, baseLatencyMs: 50 };

describe('load-shedding simulator: traffic profiles', () => {
  it('a spike multiplies the base load inside its window only', () => {
    const spike = { kind: 'spike', multiplier: 3, startMinute: 10, durationMinutes: 5 } as const;
    expect([9, 10, 14, 15].map((m) => profileRps(spike, 100, m))).toEqual([100, 300, 300, 100]);
  });

  it('points are linear in between, flat outside', () => {
    const points: TrafficProfile = {
      kind: 'points',
      points: [
        { minute: 10, rps: 100 },
        { minute: 20, rps: 300 },
      ],
    };
    expect([0, 10, 15, 20, 90].map((m) => profileRps(points, 0, m))).toEqual([
      100, 100, 200, 300, 300,
    ]);
  });

  it('a constant profile is the base load, and noise stays within its percentage', () => {
    const scenario = parseScenario({
      traffic: { baseRps: 1000, noisePercent: 5, profile: { kind: 'constant' } },
    });
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (noise) => {
        const rps = offeredRps(scenario, 3, noise);
        expect(rps).toBeGreaterThanOrEqual(950);
        expect(rps).toBeLessThanOrEqual(1050);
      }),
    );
    expect(offeredRps(scenario, 3, 0.5)).toBe(1000);
  });
});

describe('load-shedding simulator: primary share and load', () => {
  it('averages the rules, each split by weight; an all-zero rule sends nothing', () => {
    const share = primaryShare([
      { ruleId: 'a', primaryWeight: 100, totalWeight: 100 },
      { ruleId: 'b', primaryWeight: 80, totalWeight: 100 },
      { ruleId: 'c', primaryWeight: 0, totalWeight: 0 },
      { ruleId: 'd', primaryWeight: 160, totalWeight: 200 },
    ]);
    expect(share).toBeCloseTo((1 + 0.8 + 0 + 0.8) / 4, 10);
    expect(primaryShare([])).toBe(0);
  });

  it('the share is always between 0 and 1', () => {
    const rule = fc
      .tuple(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 999 }))
      .map(([p, o]) => ({ ruleId: 'r', primaryWeight: p, totalWeight: p + o }));
    fc.assert(
      fc.property(fc.array(rule, { minLength: 1, maxLength: 10 }), (rules) => {
        const share = primaryShare(rules);
        expect(share).toBeGreaterThanOrEqual(0);
        expect(share).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('errors appear exactly when the load exceeds the capacity', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 5000, noNaN: true }), (rps) => {
        const minute = primaryMinute(rps, primary, 60);
        expect(minute.errors).toBe(Math.round(Math.max(0, rps - 1000) * 60));
        expect(minute.latencySeconds).toBeGreaterThanOrEqual(0.05);
        if (rps > 1000) expect(minute.latencySeconds).toBe(MAX_LATENCY_SECONDS);
      }),
    );
  });

  it('latency rises with utilisation and is the base latency when idle', () => {
    const at = (rps: number) => primaryMinute(rps, primary, 60).latencySeconds;
    expect(at(0)).toBe(0.05);
    expect(at(500)).toBeCloseTo(0.1, 10);
    expect(at(900)).toBeGreaterThan(at(500));
    expect(at(1000)).toBeCloseTo(0.05 / 0.02, 10);
    expect(primaryMinute(10, { capacityRps: 0, baseLatencyMs: 50 }, 60).latencySeconds).toBe(
      MAX_LATENCY_SECONDS,
    );
  });
});
