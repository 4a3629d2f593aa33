import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CHECK_MESSAGE_VERSION,
  CheckReasons,
  LoadSheddingAlarmTypes,
  LoadSheddingDefaults,
  LoadSheddingEnvVars,
  alarmStateChangeEventSchema,
  alarmStateChangePattern,
  alarmTimestampMs,
  checkMessageSchema,
  listenerArnSchema,
  targetGroupArnSchema,
  parseCheckMessage,
  parseListenerArn,
  parseLoadSheddingConfig,
  parseTargetGroupArn,
  serializeCheckMessage,
  toLoadSheddingEnvironment,
  type CheckMessage,
  type LoadSheddingConfig,
} from '../../src/load-shedding/contract.js';
import {
  CheckMessageError,
  LoadSheddingConfigError,
  LoadSheddingError,
} from '../../src/load-shedding/errors.js';

const TG =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/my-service/73e2d6bc24d8a067';
const LISTENER_1 =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/my-alb/50dc6c495c0c9188/f2f7dc8efc522ab2';
const LISTENER_2 =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/my-alb/50dc6c495c0c9188/0000000000000001';
const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/load-shedding-checks';

/** The required variables, valid. */
const required = (): Record<string, string> => ({
  PRIMARY_TARGET_GROUP_ARN: TG,
  LISTENER_ARNS: LISTENER_1,
  ALARM_NAME: 'my-service-5xx',
  STATE_TABLE_NAME: 'load-shedding-state',
  CHECK_QUEUE_URL: QUEUE,
});

/** The error parsing `env` raises (fails the test if it parses). */
function configError(env: Record<string, string | undefined>): LoadSheddingConfigError {
  try {
    parseLoadSheddingConfig(env);
  } catch (error) {
    if (error instanceof LoadSheddingConfigError) return error;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('contract: parseLoadSheddingConfig', () => {
  it('reads every variable', () => {
    const env = {
      ...required(),
      LISTENER_ARNS: JSON.stringify([LISTENER_1, LISTENER_2]),
      SHED_PERCENT: '10',
      RESTORE_PERCENT: '20',
      MAX_SHED_PERCENT: '40',
      SHED_DELAY_SECONDS: '0',
      RESTORE_DELAY_SECONDS: '900',
      MAX_INSUFFICIENT_DATA_CHECKS: '3',
      ALARM_TYPE: 'composite',
      DRY_RUN: 'true',
      METRICS_NAMESPACE: 'Team/LoadShedding',
      UNRELATED: 'ignored',
    };

    const config = parseLoadSheddingConfig(env);

    expect(config).toEqual({
      primaryTargetGroupArn: TG,
      listenerArns: [LISTENER_1, LISTENER_2],
      alarmName: 'my-service-5xx',
      alarmType: 'composite',
      shedPercent: 10,
      restorePercent: 20,
      maxShedPercent: 40,
      shedDelaySeconds: 0,
      restoreDelaySeconds: 900,
      maxInsufficientDataChecks: 3,
      stateTableName: 'load-shedding-state',
      checkQueueUrl: QUEUE,
      dryRun: true,
      metricsNamespace: 'Team/LoadShedding',
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.listenerArns)).toBe(true);
  });

  it('applies the defaults to unset and blank optional variables', () => {
    const config = parseLoadSheddingConfig({
      ...required(),
      SHED_PERCENT: '  ',
      DRY_RUN: '',
      ALARM_TYPE: ' ',
    });

    expect(config).toMatchObject({
      shedPercent: 5,
      restorePercent: 5,
      maxShedPercent: 100,
      shedDelaySeconds: 60,
      restoreDelaySeconds: 120,
      maxInsufficientDataChecks: 5,
      dryRun: false,
      metricsNamespace: 'AwsOpsKit/LoadShedding',
    });
    expect(LoadSheddingDefaults.metricsNamespace).toBe('AwsOpsKit/LoadShedding');
    // No alarm type: unknown, so the check asks for both kinds (as before ALARM_TYPE existed).
    expect(config.alarmType).toBeUndefined();
  });

  it.each([
    ['metric', 'metric'],
    ['composite', 'composite'],
    [' Metric ', 'metric'],
    ['COMPOSITE', 'composite'],
  ])('reads ALARM_TYPE %j as %s', (raw, expected) => {
    const config = parseLoadSheddingConfig({ ...required(), ALARM_TYPE: raw });

    expect(config.alarmType).toBe(expected);
  });

  it.each(['MetricAlarm', 'both', 'metric,composite'])(
    'refuses ALARM_TYPE %j, naming the variable, the value and the fix',
    (raw) => {
      const error = configError({ ...required(), ALARM_TYPE: raw });

      expect(error.problems).toEqual([
        {
          variable: 'ALARM_TYPE',
          message: expect.stringContaining(
            `ALARM_TYPE must be 'metric' or 'composite', got '${raw}'`,
          ) as string,
        },
      ]);
      expect(error.message).toContain('or unset it to read either kind');
    },
  );

  it.each(Object.keys(required()))('names %s when it is missing, with the fix', (variable) => {
    const env = { ...required(), [variable]: undefined };

    const error = configError(env);

    expect(error.problems).toEqual([
      { variable, message: expect.stringContaining(`${variable} must be`) },
    ]);
    expect(error.message).toContain(`${variable} must be`);
    expect(error.message).toContain('it is not set: set it to');
    expect(error).toBeInstanceOf(LoadSheddingError);
    expect(error.name).toBe('LoadSheddingConfigError');
  });

  it.each([
    ['PRIMARY_TARGET_GROUP_ARN', 'my-service', 'must be an ELBv2 target group ARN'],
    [
      'PRIMARY_TARGET_GROUP_ARN',
      TG.replace('targetgroup', 'loadbalancer/app'),
      'must be an ELBv2 target group ARN',
    ],
    [
      'PRIMARY_TARGET_GROUP_ARN',
      TG.replace('73e2d6bc24d8a067', 'xyz'),
      'must be an ELBv2 target group ARN',
    ],
    [
      'PRIMARY_TARGET_GROUP_ARN',
      TG.replace('my-service', '-bad-'),
      'must be an ELBv2 target group ARN',
    ],
    ['LISTENER_ARNS', '[not json', 'must be a JSON array of strings'],
    ['LISTENER_ARNS', '[1, 2]', 'must be a JSON array of strings'],
    [
      'LISTENER_ARNS',
      '{"a": 1}',
      'LISTENER_ARNS[0] must be an Application Load Balancer listener ARN',
    ],
    ['LISTENER_ARNS', '[]', 'is an empty list'],
    [
      'LISTENER_ARNS',
      `${LISTENER_1},`,
      'LISTENER_ARNS[1] must be an Application Load Balancer listener ARN',
    ],
    [
      'LISTENER_ARNS',
      LISTENER_1.replace('/app/', '/net/'),
      'LISTENER_ARNS[0] must be an Application Load Balancer listener ARN',
    ],
    ['LISTENER_ARNS', `${LISTENER_1},${LISTENER_1}`, 'LISTENER_ARNS[1] repeats'],
    ['ALARM_NAME', 'x'.repeat(256), 'longer than 255 characters'],
    ['SHED_PERCENT', '0', 'SHED_PERCENT must be a whole number from 1 to 100'],
    ['SHED_PERCENT', '101', 'SHED_PERCENT must be a whole number from 1 to 100'],
    ['SHED_PERCENT', '2.5', "got '2.5'"],
    ['SHED_PERCENT', 'five', "got 'five'"],
    ['RESTORE_PERCENT', '-1', 'RESTORE_PERCENT must be a whole number from 1 to 100'],
    ['MAX_SHED_PERCENT', '0', 'MAX_SHED_PERCENT must be a whole number from 1 to 100'],
    ['SHED_DELAY_SECONDS', '901', 'SHED_DELAY_SECONDS must be a whole number from 0 to 900'],
    ['SHED_DELAY_SECONDS', '1e3', 'SQS DelaySeconds allows 0–900'],
    ['RESTORE_DELAY_SECONDS', '1000', 'RESTORE_DELAY_SECONDS must be a whole number from 0 to 900'],
    [
      'MAX_INSUFFICIENT_DATA_CHECKS',
      '0',
      'MAX_INSUFFICIENT_DATA_CHECKS must be a whole number from 1 to 100',
    ],
    ['STATE_TABLE_NAME', 'ab', 'STATE_TABLE_NAME must be a DynamoDB table name'],
    ['STATE_TABLE_NAME', 'bad name!', 'STATE_TABLE_NAME must be a DynamoDB table name'],
    ['CHECK_QUEUE_URL', 'not a url', 'CHECK_QUEUE_URL must be an SQS queue URL'],
    [
      'CHECK_QUEUE_URL',
      'ftp://sqs.eu-west-1.amazonaws.com/123456789012/q',
      'CHECK_QUEUE_URL must be an SQS queue URL',
    ],
    [
      'CHECK_QUEUE_URL',
      'https://sqs.eu-west-1.amazonaws.com/q',
      'CHECK_QUEUE_URL must be an SQS queue URL',
    ],
    ['CHECK_QUEUE_URL', `${QUEUE}.fifo`, 'FIFO queues ignore the per-message delay'],
    ['DRY_RUN', 'yes', "DRY_RUN must be 'true' or 'false', got 'yes'"],
    ['METRICS_NAMESPACE', 'AWS/ELB', 'METRICS_NAMESPACE must be a CloudWatch namespace'],
    ['METRICS_NAMESPACE', 'bad|char', 'METRICS_NAMESPACE must be a CloudWatch namespace'],
  ])('rejects %s=%j, naming it', (variable, value, expected) => {
    const error = configError({ ...required(), [variable]: value });

    expect(error.problems).toHaveLength(1);
    expect(error.problems[0].variable).toBe(variable);
    expect(error.problems[0].message).toContain(expected);
    expect(error.problems[0].message).toContain(variable);
  });

  it('reports every problem at once', () => {
    const error = configError({ SHED_PERCENT: '0', DRY_RUN: 'maybe' });

    expect(error.problems.map((p) => p.variable).sort()).toEqual(
      [...Object.keys(required()), 'SHED_PERCENT', 'DRY_RUN'].sort(),
    );
    expect(error.message).toMatch(/^Invalid load-shedding configuration \(7 problem\(s\)\):\n- /);
  });

  it('accepts listener lists as JSON or comma-separated with spaces', () => {
    const fromJson = parseLoadSheddingConfig({
      ...required(),
      LISTENER_ARNS: ` ["${LISTENER_1}", "${LISTENER_2}"] `,
    });
    const fromCsv = parseLoadSheddingConfig({
      ...required(),
      LISTENER_ARNS: `${LISTENER_1} , ${LISTENER_2}`,
    });

    expect(fromJson.listenerArns).toEqual([LISTENER_1, LISTENER_2]);
    expect(fromCsv.listenerArns).toEqual([LISTENER_1, LISTENER_2]);
  });

  it.each([
    ['aws-cn', 'cn-north-1', 'https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q'],
    ['aws-us-gov', 'us-gov-west-1', 'https://sqs.us-gov-west-1.amazonaws.com/123456789012/q'],
    ['aws-iso-b', 'us-isob-east-1', 'https://sqs.us-isob-east-1.sc2s.sgov.gov/123456789012/q'],
  ])('accepts ARNs of the %s partition', (partition, region, queue) => {
    const swap = (arn: string) =>
      arn.replace('arn:aws:', `arn:${partition}:`).replace('eu-west-1', region);

    const config = parseLoadSheddingConfig({
      ...required(),
      PRIMARY_TARGET_GROUP_ARN: swap(TG),
      LISTENER_ARNS: swap(LISTENER_1),
      CHECK_QUEUE_URL: queue,
      STATE_TABLE_NAME: `arn:${partition}:dynamodb:${region}:123456789012:table/state`,
    });

    expect(config.primaryTargetGroupArn).toBe(swap(TG));
  });

  it('rejects listeners of another region or partition than the primary', () => {
    const error = configError({
      ...required(),
      LISTENER_ARNS: `${LISTENER_1},${LISTENER_2.replace('eu-west-1', 'us-east-1')}`,
    });

    expect(error.problems).toEqual([
      {
        variable: 'LISTENER_ARNS',
        message: expect.stringContaining(
          'LISTENER_ARNS[1] is in aws/us-east-1, but the primary target group',
        ),
      },
    ]);
  });

  it('rejects an environment that is not an object', () => {
    const error = configError(null as unknown as Record<string, string>);

    expect(error.problems).toEqual([{ variable: 'environment', message: expect.any(String) }]);
  });

  it('reads process.env by default', () => {
    const saved = { ...process.env };
    Object.assign(process.env, required());
    try {
      expect(parseLoadSheddingConfig().alarmName).toBe('my-service-5xx');
    } finally {
      for (const key of Object.keys(required())) if (!(key in saved)) delete process.env[key];
    }
  });
});

describe('contract: toLoadSheddingEnvironment', () => {
  const configArb: fc.Arbitrary<LoadSheddingConfig> = fc.record({
    primaryTargetGroupArn: fc.constant(TG),
    listenerArns: fc.subarray([LISTENER_1, LISTENER_2], { minLength: 1 }),
    alarmName: fc.string({ minLength: 1, maxLength: 255 }).filter((s) => s.trim() !== ''),
    shedPercent: fc.integer({ min: 1, max: 100 }),
    restorePercent: fc.integer({ min: 1, max: 100 }),
    maxShedPercent: fc.integer({ min: 1, max: 100 }),
    shedDelaySeconds: fc.integer({ min: 0, max: 900 }),
    restoreDelaySeconds: fc.integer({ min: 0, max: 900 }),
    maxInsufficientDataChecks: fc.integer({ min: 1, max: 100 }),
    stateTableName: fc.stringMatching(/^[A-Za-z0-9_.-]{3,40}$/),
    checkQueueUrl: fc.constant(QUEUE),
    dryRun: fc.boolean(),
    metricsNamespace: fc
      .stringMatching(/^[A-Za-z0-9._/#:-][A-Za-z0-9._/#: -]{0,30}$/)
      .filter((ns) => !ns.startsWith('AWS/')),
    alarmType: fc.option(fc.constantFrom(...LoadSheddingAlarmTypes), { nil: undefined }),
  });

  it('writes an environment that parses back to the same configuration', () => {
    fc.assert(
      fc.property(configArb, (config) => {
        const env = toLoadSheddingEnvironment(config);

        // Every variable, but ALARM_TYPE only when the alarm type is known.
        const expectedVariables = Object.values(LoadSheddingEnvVars).filter(
          (name) => config.alarmType !== undefined || name !== LoadSheddingEnvVars.alarmType,
        );
        expect(Object.keys(env).sort()).toEqual(expectedVariables.sort());
        expect(env[LoadSheddingEnvVars.alarmType]).toBe(config.alarmType);
        expect(parseLoadSheddingConfig(env)).toEqual(config);
      }),
    );
  });
});

describe('contract: ARNs', () => {
  it('splits a target group ARN into its parts', () => {
    expect(parseTargetGroupArn(TG)).toEqual({
      partition: 'aws',
      region: 'eu-west-1',
      accountId: '123456789012',
      name: 'my-service',
      resource: 'targetgroup/my-service/73e2d6bc24d8a067',
    });
    expect(parseTargetGroupArn(LISTENER_1)).toBeUndefined();
  });

  it('validates ARNs with zod schemas the construct can reuse', () => {
    expect(targetGroupArnSchema.safeParse(TG).success).toBe(true);
    expect(targetGroupArnSchema.safeParse(LISTENER_1).success).toBe(false);
    expect(listenerArnSchema.safeParse(LISTENER_1).success).toBe(true);
    expect(listenerArnSchema.safeParse(TG).error?.issues[0].message).toMatch(
      /Application Load Balancer listener ARN/,
    );
  });

  it('splits an ALB listener ARN into its parts', () => {
    expect(parseListenerArn(LISTENER_1)).toEqual({
      partition: 'aws',
      region: 'eu-west-1',
      accountId: '123456789012',
      loadBalancerName: 'my-alb',
    });
    expect(parseListenerArn(TG)).toBeUndefined();
  });
});

/** CloudWatch's documented sample event, with the controller's alarm. */
const alarmEvent = () => ({
  version: '0',
  id: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
  'detail-type': 'CloudWatch Alarm State Change',
  source: 'aws.cloudwatch',
  account: '123456789012',
  time: '2019-10-02T17:04:40Z',
  region: 'eu-west-1',
  resources: ['arn:aws:cloudwatch:eu-west-1:123456789012:alarm:my-service-5xx'],
  detail: {
    alarmName: 'my-service-5xx',
    configuration: {
      metrics: [
        {
          id: 'm1',
          metricStat: {
            metric: { namespace: 'AWS/ApplicationELB', name: 'HTTPCode_Target_5XX_Count' },
          },
        },
      ],
    },
    previousState: {
      reason: 'Threshold Crossed',
      timestamp: '2019-10-02T17:04:40.985+0000',
      value: 'OK',
    },
    state: {
      reason: 'Threshold Crossed',
      timestamp: '2019-10-02T17:04:40.989+0000',
      value: 'ALARM',
    },
  },
});

describe('contract: alarm state change event', () => {
  it('parses a metric alarm event and keeps the fields it does not check', () => {
    const event = alarmStateChangeEventSchema.parse(alarmEvent());

    expect(event.detail.state.value).toBe('ALARM');
    expect(event.detail.previousState.value).toBe('OK');
    expect(event.detail).toHaveProperty('configuration');
  });

  it('parses a composite alarm event (no metrics, extra state fields)', () => {
    const composite = alarmEvent();
    composite.detail = {
      ...composite.detail,
      configuration: { alarmRule: 'ALARM(a) OR ALARM(b)' } as never,
      state: {
        ...composite.detail.state,
        value: 'INSUFFICIENT_DATA',
        actionsSuppressedBy: 'WaitPeriod',
      } as never,
    };

    expect(alarmStateChangeEventSchema.parse(composite).detail.state.value).toBe(
      'INSUFFICIENT_DATA',
    );
  });

  it.each([
    ['another source', (e: ReturnType<typeof alarmEvent>) => ({ ...e, source: 'aws.ec2' })],
    [
      'another detail-type',
      (e: ReturnType<typeof alarmEvent>) => ({
        ...e,
        'detail-type': 'EC2 Instance State-change Notification',
      }),
    ],
    [
      'an unknown state',
      (e: ReturnType<typeof alarmEvent>) => ({
        ...e,
        detail: { ...e.detail, state: { ...e.detail.state, value: 'BROKEN' } },
      }),
    ],
    [
      'a bad timestamp',
      (e: ReturnType<typeof alarmEvent>) => ({
        ...e,
        detail: { ...e.detail, state: { ...e.detail.state, timestamp: 'yesterday' } },
      }),
    ],
    [
      'no previous state',
      (e: ReturnType<typeof alarmEvent>) => ({
        ...e,
        detail: { alarmName: e.detail.alarmName, state: e.detail.state },
      }),
    ],
    [
      'no alarm name',
      (e: ReturnType<typeof alarmEvent>) => ({ ...e, detail: { ...e.detail, alarmName: '' } }),
    ],
  ])('rejects an event with %s', (_, mutate) => {
    expect(alarmStateChangeEventSchema.safeParse(mutate(alarmEvent())).success).toBe(false);
  });

  it('reads CloudWatch and ISO timestamps, and nothing else', () => {
    expect(alarmTimestampMs('2019-10-02T17:04:40.989+0000')).toBe(
      Date.UTC(2019, 9, 2, 17, 4, 40, 989),
    );
    expect(alarmTimestampMs('2019-10-02T19:04:40.989+02:00')).toBe(
      Date.UTC(2019, 9, 2, 17, 4, 40, 989),
    );
    expect(alarmTimestampMs('2019-10-02T17:04:40Z')).toBe(Date.UTC(2019, 9, 2, 17, 4, 40));
    expect(alarmTimestampMs('2019-10-02')).toBeNaN();
    expect(alarmTimestampMs('2019-13-45T17:04:40Z')).toBeNaN();
  });

  it('builds the EventBridge pattern of one alarm', () => {
    expect(alarmStateChangePattern('arn:aws:cloudwatch:eu-west-1:123456789012:alarm:a')).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      resources: ['arn:aws:cloudwatch:eu-west-1:123456789012:alarm:a'],
    });
  });
});

const message = (): CheckMessage => ({
  v: 1,
  kind: 'check',
  primaryTargetGroupArn: TG,
  chainId: 'c0a8f1e2-0000-4000-8000-000000000001',
  checkId: 'c0a8f1e2-0000-4000-8000-000000000002',
  stateVersion: 3,
  reason: 'shed',
  correlationId: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
  scheduledAt: '2025-01-01T00:00:00.000Z',
});

describe('contract: check message', () => {
  const messageArb: fc.Arbitrary<CheckMessage> = fc.record({
    v: fc.constant(CHECK_MESSAGE_VERSION as 1),
    kind: fc.constant('check' as const),
    primaryTargetGroupArn: fc.constant(TG),
    chainId: fc.string({ minLength: 1, maxLength: 128 }),
    checkId: fc.string({ minLength: 1, maxLength: 128 }),
    stateVersion: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    reason: fc.constantFrom(...CheckReasons),
    correlationId: fc.string({ minLength: 1, maxLength: 256 }),
    scheduledAt: fc
      .integer({ min: 0, max: Date.UTC(9999, 0, 1) })
      .map((ms) => new Date(ms).toISOString()),
  });

  it('round-trips through serialize and parse', () => {
    fc.assert(
      fc.property(messageArb, (original) => {
        expect(parseCheckMessage(serializeCheckMessage(original))).toEqual(original);
      }),
    );
  });

  it('drops unknown fields, so a later sender may add optional ones', () => {
    const parsed = parseCheckMessage(JSON.stringify({ ...message(), addedLater: true }));

    expect(parsed).toEqual(message());
  });

  it('rejects a body that is not JSON', () => {
    expect(() => parseCheckMessage('{oops')).toThrow(CheckMessageError);
    expect(() => parseCheckMessage('{oops')).toThrow(/not JSON/);
  });

  it.each([
    ['another version', { v: 2 }, 'v:'],
    ['another kind', { kind: 'shed' }, 'kind:'],
    [
      'a bad primary',
      { primaryTargetGroupArn: 'tg' },
      'primaryTargetGroupArn: must be an ELBv2 target group ARN',
    ],
    ['an empty check id', { checkId: '' }, 'checkId:'],
    ['a state version 0', { stateVersion: 0 }, 'stateVersion:'],
    ['an unknown reason', { reason: 'because' }, 'reason:'],
    ['a bad time', { scheduledAt: 'now' }, 'scheduledAt:'],
  ])('rejects a message with %s, naming the field', (_, change, field) => {
    const body = JSON.stringify({ ...message(), ...change });

    expect(() => parseCheckMessage(body)).toThrow(CheckMessageError);
    expect(() => parseCheckMessage(body)).toThrow(field);
  });

  it('rejects a JSON body that is not an object', () => {
    expect(() => parseCheckMessage('42')).toThrow(/body:/);
  });

  it('refuses to serialize an invalid message', () => {
    const bad = { ...message(), stateVersion: -1 };

    expect(() => serializeCheckMessage(bad)).toThrow(
      /Refusing to send an invalid check message: stateVersion/,
    );
    expect(checkMessageSchema.safeParse(bad).success).toBe(false);
  });
});
