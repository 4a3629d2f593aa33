import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ALARM_NAME_MAX_LENGTH,
  ERROR_RATE_EXPRESSION,
  planAlarms,
} from '../../src/monitored-function/index.js';
import type {
  AlarmSpec,
  ResolvedAlarmConfig,
  ResolvedPercentAlarm,
} from '../../src/monitored-function/index.js';

const BASE: ResolvedAlarmConfig = {
  functionName: 'orders-fn',
  timeoutSeconds: 60,
  errors: { strategy: 'immediate' },
  throttles: true,
  duration: undefined,
  memory: undefined,
  deadLetterQueue: false,
  onFailureDestination: false,
  asyncConfigured: false,
};

const TARGETS = { functionName: 'orders-fn-ref', deadLetterQueueName: 'orders-fn-dlq-ref' };

function plan(overrides: Partial<ResolvedAlarmConfig> = {}): AlarmSpec[] {
  return planAlarms({ ...BASE, ...overrides }, TARGETS);
}

function byKey(specs: readonly AlarmSpec[], key: AlarmSpec['key']): AlarmSpec {
  const spec = specs.find((s) => s.key === key);
  if (!spec) {
    throw new Error(`no ${key} alarm planned`);
  }
  return spec;
}

describe('alarm-plan: defaults', () => {
  it('plans an immediate errors alarm and a throttles alarm, nothing else', () => {
    // Act
    const specs = plan();

    // Assess
    expect(specs.map((s) => s.alarmName)).toEqual(['orders-fn-errors', 'orders-fn-throttles']);
    expect(byKey(specs, 'errors')).toEqual({
      key: 'errors',
      alarmName: 'orders-fn-errors',
      description: expect.stringContaining('Errors Sum > 0') as unknown,
      source: {
        kind: 'metric',
        metric: {
          namespace: 'AWS/Lambda',
          metricName: 'Errors',
          dimensions: { FunctionName: 'orders-fn-ref' },
          statistic: 'Sum',
        },
      },
      threshold: 0,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      periodSeconds: 60,
    });
    expect(byKey(specs, 'throttles')).toMatchObject({
      source: { kind: 'metric', metric: { metricName: 'Throttles', statistic: 'Sum' } },
      threshold: 0,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
    });
  });

  it('leaves out the throttles alarm when disabled', () => {
    expect(plan({ throttles: false }).map((s) => s.key)).toEqual(['errors']);
  });
});

describe('alarm-plan: error rate', () => {
  it('alarms on 100 × Errors / Invocations above the threshold in M of K periods', () => {
    // Act
    const errors = byKey(
      plan({
        errors: {
          strategy: 'threshold',
          thresholdPercent: 5,
          evaluationPeriods: 3,
          datapointsToAlarm: 2,
        },
      }),
      'errors',
    );

    // Assess
    expect(errors.source).toEqual({
      kind: 'expression',
      expression: 'IF(invocations > 0, 100 * errors / invocations, 0)',
      label: 'Error rate (%)',
      metrics: {
        errors: {
          namespace: 'AWS/Lambda',
          metricName: 'Errors',
          dimensions: { FunctionName: 'orders-fn-ref' },
          statistic: 'Sum',
        },
        invocations: {
          namespace: 'AWS/Lambda',
          metricName: 'Invocations',
          dimensions: { FunctionName: 'orders-fn-ref' },
          statistic: 'Sum',
        },
      },
    });
    expect(errors).toMatchObject({
      threshold: 5,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      periodSeconds: 60,
    });
    expect(errors.description).toContain(
      'error rate above 5% (100 × Errors / Invocations) in 2 of 3',
    );
  });

  it('guards the expression against periods without invocations', () => {
    expect(ERROR_RATE_EXPRESSION).toMatch(/^IF\(invocations > 0, .*, 0\)$/);
  });
});

describe('alarm-plan: optional alarms', () => {
  it('alarms when the maximum duration exceeds a share of the timeout', () => {
    // Act
    const duration = byKey(
      plan({
        timeoutSeconds: 30,
        duration: { thresholdPercent: 80, evaluationPeriods: 2, datapointsToAlarm: 1 },
      }),
      'duration',
    );

    // Assess
    expect(duration).toMatchObject({
      alarmName: 'orders-fn-duration',
      source: {
        kind: 'metric',
        metric: { metricName: 'Duration', statistic: 'Maximum', namespace: 'AWS/Lambda' },
      },
      threshold: 24_000,
      evaluationPeriods: 2,
      datapointsToAlarm: 1,
    });
  });

  it('alarms on Lambda Insights memory utilisation', () => {
    const memory = byKey(
      plan({ memory: { thresholdPercent: 90, evaluationPeriods: 1, datapointsToAlarm: 1 } }),
      'memory',
    );
    expect(memory).toMatchObject({
      alarmName: 'orders-fn-memory',
      source: {
        kind: 'metric',
        metric: {
          namespace: 'LambdaInsights',
          metricName: 'memory_utilization',
          dimensions: { function_name: 'orders-fn-ref' },
          statistic: 'Maximum',
        },
      },
      threshold: 90,
    });
  });

  it('alarms on dead-letter queue depth and on failed dead-letter writes', () => {
    // Act
    const specs = plan({ deadLetterQueue: true, asyncConfigured: true });

    // Assess
    expect(specs.map((s) => s.key)).toEqual([
      'errors',
      'throttles',
      'deadLetterQueue',
      'deadLetterErrors',
    ]);
    expect(byKey(specs, 'deadLetterQueue')).toMatchObject({
      alarmName: 'orders-fn-dlq',
      source: {
        kind: 'metric',
        metric: {
          namespace: 'AWS/SQS',
          metricName: 'ApproximateNumberOfMessagesVisible',
          dimensions: { QueueName: 'orders-fn-dlq-ref' },
          statistic: 'Maximum',
        },
      },
      threshold: 0,
    });
    expect(byKey(specs, 'deadLetterErrors')).toMatchObject({
      alarmName: 'orders-fn-dlq-errors',
      source: { kind: 'metric', metric: { metricName: 'DeadLetterErrors', statistic: 'Sum' } },
    });
  });

  it('plans no queue-depth alarm when the queue name is unknown', () => {
    const specs = planAlarms({ ...BASE, deadLetterQueue: true }, { functionName: 'fn' });
    expect(specs.map((s) => s.key)).toEqual(['errors', 'throttles', 'deadLetterErrors']);
  });

  it('alarms on failed deliveries to the on-failure destination', () => {
    const specs = plan({ onFailureDestination: true, asyncConfigured: true });
    expect(specs.map((s) => s.key)).toEqual(['errors', 'throttles', 'destinationDeliveryFailures']);
    expect(byKey(specs, 'destinationDeliveryFailures')).toMatchObject({
      alarmName: 'orders-fn-destination-failures',
      source: {
        kind: 'metric',
        metric: { metricName: 'DestinationDeliveryFailures', statistic: 'Sum' },
      },
    });
  });

  it('alarms on dropped async events only when nothing keeps failed events', () => {
    expect(plan({ asyncConfigured: true }).map((s) => s.key)).toContain('asyncEventsDropped');
    expect(byKey(plan({ asyncConfigured: true }), 'asyncEventsDropped')).toMatchObject({
      alarmName: 'orders-fn-async-dropped',
      source: { kind: 'metric', metric: { metricName: 'AsyncEventsDropped', statistic: 'Sum' } },
    });
    expect(plan({ asyncConfigured: false }).map((s) => s.key)).not.toContain('asyncEventsDropped');
  });
});

const percentAlarm: fc.Arbitrary<ResolvedPercentAlarm> = fc
  .record({
    thresholdPercent: fc.double({ min: 0.01, max: 99.99, noNaN: true }),
    evaluationPeriods: fc.integer({ min: 1, max: 1440 }),
  })
  .chain((base) =>
    fc
      .integer({ min: 1, max: base.evaluationPeriods })
      .map((datapointsToAlarm) => ({ ...base, datapointsToAlarm })),
  );

const config: fc.Arbitrary<ResolvedAlarmConfig> = fc.record({
  functionName: fc.stringMatching(/^[a-zA-Z0-9_-]{1,64}$/),
  timeoutSeconds: fc.integer({ min: 1, max: 900 }),
  errors: fc.oneof(
    fc.constant({ strategy: 'immediate' as const }),
    percentAlarm.map((p) => ({ strategy: 'threshold' as const, ...p })),
  ),
  throttles: fc.boolean(),
  duration: fc.option(percentAlarm, { nil: undefined }),
  memory: fc.option(percentAlarm, { nil: undefined }),
  deadLetterQueue: fc.boolean(),
  onFailureDestination: fc.boolean(),
  asyncConfigured: fc.boolean(),
});

describe('alarm-plan: invariants', () => {
  it('every alarm is well-formed for CloudWatch and named after the function', () => {
    fc.assert(
      fc.property(config, (cfg) => {
        const specs = planAlarms(cfg, TARGETS);
        const names = specs.map((s) => s.alarmName);
        expect(new Set(names).size).toBe(names.length);
        expect(specs[0]?.key).toBe('errors');
        for (const spec of specs) {
          expect(spec.alarmName.startsWith(`${cfg.functionName}-`)).toBe(true);
          expect(spec.alarmName.length).toBeLessThanOrEqual(ALARM_NAME_MAX_LENGTH);
          expect(spec.periodSeconds).toBe(60);
          expect(spec.datapointsToAlarm).toBeGreaterThanOrEqual(1);
          expect(spec.datapointsToAlarm).toBeLessThanOrEqual(spec.evaluationPeriods);
          expect(spec.evaluationPeriods * spec.periodSeconds).toBeLessThanOrEqual(86_400);
          expect(spec.threshold).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });

  it('the duration threshold is the chosen share of the timeout, below the timeout', () => {
    fc.assert(
      fc.property(config, percentAlarm, (cfg, duration) => {
        const spec = byKey(planAlarms({ ...cfg, duration }, TARGETS), 'duration');
        expect(spec.threshold).toBeCloseTo(
          (cfg.timeoutSeconds * 1000 * duration.thresholdPercent) / 100,
          6,
        );
        expect(spec.threshold).toBeLessThan(cfg.timeoutSeconds * 1000);
      }),
    );
  });

  it('the async-failure alarms follow the configured failure targets', () => {
    fc.assert(
      fc.property(config, (cfg) => {
        const keys = new Set(planAlarms(cfg, TARGETS).map((s) => s.key));
        expect(keys.has('deadLetterErrors')).toBe(cfg.deadLetterQueue);
        expect(keys.has('destinationDeliveryFailures')).toBe(cfg.onFailureDestination);
        expect(keys.has('asyncEventsDropped')).toBe(
          cfg.asyncConfigured && !cfg.deadLetterQueue && !cfg.onFailureDestination,
        );
      }),
    );
  });
});
