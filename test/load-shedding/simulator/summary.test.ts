import { describe, expect, it } from 'vitest';
import {
  primaryPercent,
  summarise,
  type SummaryInput,
} from '../../../src/load-shedding/simulator/summary.js';

const P = 'arn:primary';
const S = 'arn:secondary';
const MIN = 60_000;
const split = (primary: number, secondary: number) => [
  { targetGroupArn: P, weight: primary },
  { targetGroupArn: S, weight: secondary },
];

function input(overrides: Partial<SummaryInput> = {}): SummaryInput {
  return {
    startTime: 0,
    primaryArn: P,
    floorPercent: 80,
    capacityRps: 100,
    timeline: [],
    baseline: [
      { id: 'a', groups: split(100, 0) },
      { id: 'b', groups: split(80, 20) },
    ],
    writes: [],
    finalRules: { a: split(100, 0), b: split(80, 20) },
    steps: [],
    elbv2Calls: [],
    alarmTransitions: [],
    ...overrides,
  };
}

describe('load-shedding simulator: summary', () => {
  it('primaryPercent: the weight share, 0 for an all-zero rule', () => {
    expect(primaryPercent(split(160, 40), P)).toBe(80);
    expect(primaryPercent(split(0, 0), P)).toBe(0);
  });

  it('times the first shed, the deepest shed and the restore from the alarm transitions', () => {
    // Prepare: ALARM at 1 min, sheds at 1 and 2 min, OK at 3 min, restores at 5 and 6 min.
    const summary = summarise(
      input({
        alarmTransitions: [
          { time: 1 * MIN, to: 'ALARM' },
          { time: 3 * MIN, to: 'OK' },
        ],
        writes: [
          { time: 1 * MIN + 100, ruleId: 'a', groups: split(90, 10) },
          { time: 1 * MIN + 100, ruleId: 'b', groups: split(70, 30) },
          { time: 2 * MIN + 100, ruleId: 'a', groups: split(80, 20) },
          { time: 5 * MIN, ruleId: 'a', groups: split(90, 10) },
          { time: 6 * MIN, ruleId: 'a', groups: split(100, 0) },
          { time: 6 * MIN, ruleId: 'b', groups: split(80, 20) },
        ],
        steps: [
          {
            seq: 3,
            time: 1 * MIN + 100,
            outcome: 'shed',
            writes: [{ status: 'written' }, { status: 'written' }],
          },
          {
            seq: 6,
            time: 2 * MIN + 100,
            outcome: 'shed',
            writes: [{ status: 'written' }, { status: 'unchanged' }],
          },
          { seq: 7, time: 3 * MIN, outcome: 'bake', writes: [] },
        ],
        elbv2Calls: [
          { seq: 1, operation: 'DescribeRules' },
          { seq: 2, operation: 'ModifyRule' },
          { seq: 4, operation: 'DescribeRules' },
          { seq: 5, operation: 'DescribeRules' },
          { seq: 8, operation: 'DescribeRules' },
        ],
      }),
    );

    // Assess
    expect(summary).toMatchObject({
      firstAlarmAtSeconds: 60,
      timeToFirstShedSeconds: 0.1,
      timeToMaxShedSeconds: 60.1,
      maxShedPrimarySharePercent: 75,
      minPrimaryWeightPercent: 70,
      reachedFloor: true,
      timeToRestoreSeconds: 180,
      finalWeightsAtBaseline: true,
      shedSteps: 2,
      restoreSteps: 0,
      totalElbv2Writes: 1,
      totalElbv2Describes: 4,
      writesPerStep: { average: 1.5, max: 2 },
      describesPerStep: { average: 1.5, max: 2 },
      minSecondsBetweenWritesOfARule: 60,
    });
  });

  it('reports what did not happen as null, and weights away from baseline', () => {
    const summary = summarise(
      input({
        finalRules: { a: split(90, 10), b: split(80, 20) },
        alarmTransitions: [{ time: 0, to: 'OK' }],
      }),
    );
    expect(summary).toMatchObject({
      firstAlarmAtSeconds: null,
      timeToFirstShedSeconds: null,
      timeToMaxShedSeconds: null,
      timeToRestoreSeconds: null,
      minSecondsBetweenWritesOfARule: null,
      finalWeightsAtBaseline: false,
      reachedFloor: false,
      writesPerStep: { average: 0, max: 0 },
    });
  });

  it('counts the minutes the primary got more than its capacity', () => {
    const row = (primaryRps: number) => ({
      minute: 0,
      time: '',
      offeredRps: 0,
      primaryRps,
      primarySharePercent: 0,
      primaryWeights: {},
      metricValue: 0,
      alarm: 'OK' as const,
      actions: [],
      elbv2Writes: 0,
      elbv2Describes: 0,
    });
    expect(summarise(input({ timeline: [row(99), row(100), row(101)] })).overloadedMinutes).toBe(1);
  });
});
