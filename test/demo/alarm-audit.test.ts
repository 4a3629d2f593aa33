import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstFiring, seriesOf, type AuditedAlarm } from '../../src/demo/alarm-audit.js';
import type { MetricSeries } from '../../src/demo/result.js';

const START = Date.UTC(2026, 10, 23, 12);

function alarm(overrides: Partial<AuditedAlarm> = {}): AuditedAlarm {
  return {
    alarmName: 'fn-errors',
    namespace: 'AWS/Lambda',
    metricName: 'Errors',
    dimensions: { FunctionName: 'fn' },
    statistic: 'Sum',
    periodSeconds: 60,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    threshold: 1,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    treatMissingData: 'notBreaching',
    ...overrides,
  };
}

function series(points: [number, number][], dimensions = { FunctionName: 'fn' }): MetricSeries {
  return {
    namespace: 'AWS/Lambda',
    metricName: 'Errors',
    dimensions,
    points: points.map(([second, value]) => ({ time: START + second * 1000, value })),
  };
}

describe('alarm audit: matching', () => {
  it('watches only the series with the same namespace, metric and dimensions', () => {
    const mine = series([[0, 1]]);
    const other = series([[0, 1]], { FunctionName: 'other' });
    const extra = { ...series([[0, 1]]), dimensions: { FunctionName: 'fn', Resource: 'fn:live' } };
    expect(seriesOf(alarm(), [mine, other, extra])).toEqual([mine]);
  });
});

describe('alarm audit: first firing', () => {
  it('fires at the end of the first period whose sum reaches the threshold', () => {
    const firing = firstFiring(
      alarm(),
      [
        series([
          [30, 0],
          [150, 2],
        ]),
      ],
      START,
      START + 600_000,
    );
    expect(firing).toEqual({ alarmName: 'fn-errors', time: START + 180_000, value: 2 });
  });

  it('does not fire below the threshold or without data', () => {
    expect(firstFiring(alarm({ threshold: 5 }), [series([[0, 4]])], START, START + 600_000)).toBe(
      undefined,
    );
    expect(firstFiring(alarm(), [], START, START + 600_000)).toBe(undefined);
  });

  it('needs M breaching periods out of N (2 of 3)', () => {
    const a = alarm({ evaluationPeriods: 3, datapointsToAlarm: 2 });
    // one breaching period, then one later two periods apart: never 2 within 3
    expect(
      firstFiring(
        a,
        [
          series([
            [0, 1],
            [240, 1],
          ]),
        ],
        START,
        START + 600_000,
      ),
    ).toBe(undefined);
    // breaching at minutes 0 and 2: fires at the end of minute 2
    expect(
      firstFiring(
        a,
        [
          series([
            [0, 1],
            [120, 1],
          ]),
        ],
        START,
        START + 600_000,
      )?.time,
    ).toBe(START + 180_000);
  });

  it('agrees with a brute-force M-of-N count over random per-minute sums', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 3 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        (sums, n, mRaw, threshold) => {
          const m = Math.min(mRaw, n);
          const a = alarm({ evaluationPeriods: n, datapointsToAlarm: m, threshold });
          const points = sums.map((value, minute): [number, number] => [minute * 60 + 1, value]);
          const firing = firstFiring(a, [series(points)], START, START + sums.length * 60_000);
          // Oracle: the first minute i whose window [i-n+1, i] (minutes before 0 have no data)
          // has >= m sums >= threshold.
          let expected: number | undefined;
          for (let i = 0; i < sums.length && expected === undefined; i++) {
            const window = sums.slice(Math.max(0, i - n + 1), i + 1);
            if (window.filter((sum) => sum >= threshold).length >= m) expected = i;
          }
          expect(firing?.time).toBe(
            expected === undefined ? undefined : START + (expected + 1) * 60_000,
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});
