import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import {
  FunctionCode,
  MonitoredFunction,
  MonitoredFunctionError,
  MonitoredFunctionValidationError,
  nodejsMajorOf,
  validateMonitoredFunctionProps,
} from '../../src/monitored-function/index.js';
import type { MonitoredFunctionProps, PropIssue } from '../../src/monitored-function/index.js';
import { NODE_ENTRY, PYTHON_SOURCE_DIR, newStack, pythonProps } from './support.js';

/** Validates `overrides` on top of valid props; returns the issues. */
function issuesOf(overrides: Partial<MonitoredFunctionProps>): PropIssue[] {
  return validateMonitoredFunctionProps(pythonProps(overrides));
}

/** The single issue the overrides cause (fails when there are none or several). */
function onlyIssue(overrides: Partial<MonitoredFunctionProps>): PropIssue {
  const issues = issuesOf(overrides);
  expect(issues).toHaveLength(1);
  return issues[0];
}

function nodeProps(
  code: Parameters<typeof FunctionCode.nodejs>[0],
): Partial<MonitoredFunctionProps> {
  return { code: FunctionCode.nodejs(code) };
}

describe('validation: valid props', () => {
  it('accepts the minimal props', () => {
    // Prepare / Act / Assess
    expect(issuesOf({})).toEqual([]);
  });

  it('accepts every option set to a valid value', () => {
    // Prepare
    const stack = new Stack();
    const vpc = new ec2.Vpc(stack, 'Vpc');
    const props: Partial<MonitoredFunctionProps> = {
      architecture: lambda.Architecture.X86_64,
      timeout: Duration.seconds(900),
      memorySize: 10_240,
      environment: { STAGE: 'prod', TABLE_NAME: 'orders' },
      description: 'x'.repeat(256),
      tags: { team: 'platform', 'cost-center': '42' },
      additionalPolicies: [
        'arn:aws:iam::aws:policy/ReadOnlyAccess',
        'arn:aws-cn:iam::123456789012:policy/path/my-policy',
        iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonS3ReadOnlyAccess'),
      ],
      logs: { retention: logs.RetentionDays.TEN_YEARS, removalPolicy: RemovalPolicy.DESTROY },
      alarms: {
        emails: ['a@example.com', 'b@example.org'],
        topicName: 'my_topic-1',
        errors: {
          strategy: 'threshold',
          thresholdPercent: 0,
          evaluationPeriods: 1440,
          datapointsToAlarm: 3,
        },
        duration: { thresholdPercent: 99.5, evaluationPeriods: 5, datapointsToAlarm: 5 },
        memory: { thresholdPercent: 0.1 },
      },
      vpc: {
        vpc,
        subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        securityGroups: [new ec2.SecurityGroup(stack, 'Sg', { vpc })],
      },
      async: { retryAttempts: 2, maxEventAge: Duration.hours(6), deadLetterQueue: true },
      concurrency: { reserved: 10, provisioned: 10 },
      dashboard: { dashboardName: 'orders_dashboard-1' },
    };

    // Act
    const issues = issuesOf(props);

    // Assess
    expect(issues).toEqual([]);
  });

  it('does not range-check tokens (they resolve at deploy time)', () => {
    // Prepare
    const tokenNumber = Token.asNumber({ Ref: 'Memory' });

    // Act
    const issues = issuesOf({
      memorySize: tokenNumber,
      timeout: Duration.seconds(tokenNumber),
      concurrency: { reserved: tokenNumber, provisioned: tokenNumber },
      environment: { VALUE: Token.asString({ Ref: 'Big' }) },
      description: Token.asString({ Ref: 'Description' }),
    });

    // Assess
    expect(issues).toEqual([]);
  });

  it('reports every problem at once, in prop order', () => {
    // Prepare / Act
    const issues = issuesOf({ functionName: 'bad name', memorySize: 1, alarms: { emails: [] } });

    // Assess
    expect(issues.map((issue) => issue.prop)).toEqual([
      'functionName',
      'memorySize',
      'alarms.emails',
    ]);
  });
});

describe('validation: functionName', () => {
  it.each(['', 'has space', 'dot.name', 'x'.repeat(65), 'ünïcode'])('rejects "%s"', (name) => {
    const issue = onlyIssue({ functionName: name });
    expect(issue.prop).toBe('functionName');
    expect(issue.message).toMatch(/^functionName (is required|must be 1–64 characters)/);
  });

  it('accepts 64 characters of letters, digits, - and _', () => {
    expect(issuesOf({ functionName: `a-_9${'x'.repeat(60)}` })).toEqual([]);
  });

  it("rejects a functionNaming other than 'explicit' or 'generated'", () => {
    const issue = onlyIssue({ functionNaming: 'auto' as never });

    expect(issue.prop).toBe('functionNaming');
    expect(issue.message).toContain('\'generated\' (CloudFormation names it); got "auto"');
  });

  it('rejects a token: derived names need the literal', () => {
    const issue = onlyIssue({ functionName: Token.asString({ Ref: 'Name' }) });
    expect(issue.message).toContain('must be a literal string, not a token');
  });
});

describe('validation: code', () => {
  it('requires code', () => {
    const issue = onlyIssue({ code: undefined });
    expect(issue.prop).toBe('code');
    expect(issue.message).toContain('FunctionCode.python');
  });

  it('rejects an object that is not a FunctionCode', () => {
    expect(onlyIssue({ code: { kind: 'java' } as never }).prop).toBe('code');
  });

  it('requires code.sourceDir for Python', () => {
    const issue = onlyIssue({
      code: FunctionCode.python({ sourceDir: '', runtime: lambda.Runtime.PYTHON_3_13 }),
    });
    expect(issue.prop).toBe('code.sourceDir');
  });

  it('requires code.sourceDir to be an existing folder', () => {
    const issue = onlyIssue({
      code: FunctionCode.python({ sourceDir: NODE_ENTRY, runtime: lambda.Runtime.PYTHON_3_13 }),
    });
    expect(issue.message).toBe(
      `code.sourceDir must be an existing folder; ${NODE_ENTRY} is not one.`,
    );
  });

  it.each([lambda.Runtime.PYTHON_3_8, lambda.Runtime.NODEJS_22_X])(
    'rejects code.runtime %s for Python',
    (runtime) => {
      const issue = onlyIssue({
        code: FunctionCode.python({ sourceDir: PYTHON_SOURCE_DIR, runtime }),
      });
      expect(issue.prop).toBe('code.runtime');
      expect(issue.message).toContain('python3.9, python3.10');
      expect(issue.message).toContain(`got ${runtime.name}`);
    },
  );

  it.each(['main', 'main.', '.handler', 'main.lambda handler', `${'m'.repeat(124)}.h1234`])(
    'rejects the Python handler "%s"',
    (handler) => {
      const issue = onlyIssue({
        code: FunctionCode.python({
          sourceDir: PYTHON_SOURCE_DIR,
          runtime: lambda.Runtime.PYTHON_3_13,
          handler,
        }),
      });
      expect(issue.prop).toBe('code.handler');
    },
  );

  it.each(['main.lambda_handler', 'pkg/app.handler', 'pkg.app.handle_event'])(
    'accepts the Python handler "%s"',
    (handler) => {
      expect(
        issuesOf({
          code: FunctionCode.python({
            sourceDir: PYTHON_SOURCE_DIR,
            runtime: lambda.Runtime.PYTHON_3_13,
            handler,
          }),
        }),
      ).toEqual([]);
    },
  );

  it('requires code.entry for Node.js', () => {
    expect(onlyIssue(nodeProps({ entry: '' })).prop).toBe('code.entry');
  });

  it('requires code.entry to be an existing file', () => {
    const issue = onlyIssue(nodeProps({ entry: PYTHON_SOURCE_DIR }));
    expect(issue.message).toBe(
      `code.entry must be an existing file; ${PYTHON_SOURCE_DIR} is not one.`,
    );
  });

  it.each([lambda.Runtime.NODEJS_18_X, lambda.Runtime.NODEJS_LATEST, lambda.Runtime.PYTHON_3_13])(
    'rejects the Node.js runtime %s',
    (runtime) => {
      const issue = onlyIssue(nodeProps({ entry: NODE_ENTRY, runtime }));
      expect(issue.prop).toBe('code.runtime');
      expect(issue.message).toContain('nodejs20.x or newer');
    },
  );

  it('rejects a Node.js handler that is not an identifier', () => {
    expect(onlyIssue(nodeProps({ entry: NODE_ENTRY, handler: 'index.handler' })).prop).toBe(
      'code.handler',
    );
  });

  it('rejects an unknown bundle format', () => {
    const issue = onlyIssue(nodeProps({ entry: NODE_ENTRY, bundling: { format: 'umd' as never } }));
    expect(issue.prop).toBe('code.bundling.format');
  });

  it('derives the Node.js major of pinned runtimes only', () => {
    expect(nodejsMajorOf(lambda.Runtime.NODEJS_20_X)).toBe(20);
    expect(nodejsMajorOf(lambda.Runtime.NODEJS_24_X)).toBe(24);
    expect(nodejsMajorOf(lambda.Runtime.NODEJS_18_X)).toBeUndefined();
    expect(nodejsMajorOf(lambda.Runtime.NODEJS_LATEST)).toBeUndefined();
    expect(nodejsMajorOf(lambda.Runtime.PYTHON_3_13)).toBeUndefined();
  });
});

describe('validation: function settings', () => {
  it('rejects an architecture other than arm64 or x86_64', () => {
    const issue = onlyIssue({ architecture: { name: 'riscv' } as never });
    expect(issue.prop).toBe('architecture');
  });

  it.each([
    Duration.seconds(0),
    Duration.seconds(901),
    Duration.millis(1500),
    Duration.minutes(16),
  ])('rejects timeout %s', (timeout) => {
    const issue = onlyIssue({ timeout });
    expect(issue.prop).toBe('timeout');
    expect(issue.message).toMatch(/^timeout must be whole seconds from 1 to 900; got /);
  });

  it('rejects a timeout that is not a Duration', () => {
    expect(onlyIssue({ timeout: 30 as never }).message).toContain('must be a Duration');
  });

  it.each([127, 10_241, 256.5])('rejects memorySize %d', (memorySize) => {
    expect(onlyIssue({ memorySize }).message).toBe(
      `memorySize must be a whole number from 128 to 10240 MB; got ${memorySize}.`,
    );
  });

  it.each(['1BAD', 'A', 'has-dash', 'AWS_REGION', 'AWS_LAMBDA_FUNCTION_NAME'])(
    'rejects the environment variable %s',
    (key) => {
      expect(onlyIssue({ environment: { [key]: 'x' } }).prop).toBe(`environment.${key}`);
    },
  );

  it('rejects a non-string environment value', () => {
    expect(onlyIssue({ environment: { COUNT: 3 as never } }).message).toContain('must be a string');
  });

  it('rejects environment variables over 4 KB as JSON', () => {
    const issue = onlyIssue({ environment: { BIG: 'x'.repeat(4096) } });
    expect(issue.prop).toBe('environment');
    expect(issue.message).toContain('4106 bytes as JSON; Lambda allows 4096');
  });

  it('rejects a description over 256 characters', () => {
    expect(onlyIssue({ description: 'x'.repeat(257) }).prop).toBe('description');
  });

  it.each([
    [{ 'aws:team': 'x' }, 'key must not start with "aws:"'],
    [{ ['k'.repeat(129)]: 'x' }, 'key must be 1–128'],
    [{ team: 'v'.repeat(257) }, 'value must be at most 256'],
    [{ team: 'semi;colon' }, 'value must be at most 256'],
  ])('rejects the tags %j', (tags, message) => {
    expect(onlyIssue({ tags }).message).toContain(message);
  });
});

describe('validation: additionalPolicies', () => {
  it('rejects a string that is not a managed policy ARN', () => {
    const issue = onlyIssue({ additionalPolicies: ['AmazonS3ReadOnlyAccess'] });
    expect(issue.prop).toBe('additionalPolicies[0]');
    expect(issue.message).toContain('must be a managed policy ARN');
  });

  it('rejects a repeated ARN', () => {
    const arn = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
    expect(onlyIssue({ additionalPolicies: [arn, arn] }).prop).toBe('additionalPolicies[1]');
  });

  it('rejects something that is neither an ARN nor a managed policy', () => {
    expect(onlyIssue({ additionalPolicies: [42 as never] }).prop).toBe('additionalPolicies[0]');
  });

  it('accepts a token ARN', () => {
    expect(issuesOf({ additionalPolicies: [Token.asString({ Ref: 'PolicyArn' })] })).toEqual([]);
  });
});

describe('validation: logs', () => {
  it('rejects a retention CloudWatch does not accept', () => {
    const issue = onlyIssue({ logs: { retention: 2 as logs.RetentionDays } });
    expect(issue.prop).toBe('logs.retention');
    expect(issue.message).toContain(
      '1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731',
    );
  });

  it('rejects an unknown removal policy', () => {
    expect(onlyIssue({ logs: { removalPolicy: 'keep' as RemovalPolicy } }).prop).toBe(
      'logs.removalPolicy',
    );
  });
});

describe('validation: alarms', () => {
  it('requires an email in ISO27001 mode (the default), naming the prop and the fix', () => {
    const issue = onlyIssue({ alarms: {} });
    expect(issue).toEqual({
      prop: 'alarms.emails',
      message:
        'alarms.emails must contain at least one address when alarms.iso27001 is true (the default). Add an address or set alarms.iso27001 to false.',
    });
  });

  it('requires an email when alarms is omitted entirely', () => {
    expect(onlyIssue({ alarms: undefined }).prop).toBe('alarms.emails');
  });

  it('allows no email when iso27001 is false', () => {
    expect(issuesOf({ alarms: { iso27001: false } })).toEqual([]);
  });

  it.each(['not-an-email', 'a@b', 'two words@example.com'])('rejects the email %s', (email) => {
    expect(onlyIssue({ alarms: { emails: [email] } }).prop).toBe('alarms.emails[0]');
  });

  it('rejects an address listed twice (case-insensitively)', () => {
    const issue = onlyIssue({ alarms: { emails: ['Ops@example.com', 'ops@EXAMPLE.com'] } });
    expect(issue.prop).toBe('alarms.emails[1]');
  });

  it('rejects an invalid topic name', () => {
    expect(onlyIssue({ alarms: { emails: ['a@example.com'], topicName: 'has.dot' } }).prop).toBe(
      'alarms.topicName',
    );
  });

  it('rejects an unknown error strategy', () => {
    const issue = onlyIssue({
      alarms: { emails: ['a@example.com'], errors: { strategy: 'eventually' } as never },
    });
    expect(issue.prop).toBe('alarms.errors.strategy');
  });

  it('rejects threshold settings on the immediate strategy', () => {
    const issue = onlyIssue({
      alarms: {
        emails: ['a@example.com'],
        errors: { strategy: 'immediate', thresholdPercent: 5 } as never,
      },
    });
    expect(issue.prop).toBe('alarms.errors.thresholdPercent');
    expect(issue.message).toContain("only applies when alarms.errors.strategy is 'threshold'");
  });

  it.each([-1, 100, 150, Number.NaN])(
    'rejects an error-rate threshold of %d%%',
    (thresholdPercent) => {
      const issue = onlyIssue({
        alarms: { emails: ['a@example.com'], errors: { strategy: 'threshold', thresholdPercent } },
      });
      expect(issue.prop).toBe('alarms.errors.thresholdPercent');
    },
  );

  it.each([0, 1441, 1.5])('rejects %d evaluation periods', (evaluationPeriods) => {
    const issue = onlyIssue({
      alarms: { emails: ['a@example.com'], errors: { strategy: 'threshold', evaluationPeriods } },
    });
    expect(issue.prop).toBe('alarms.errors.evaluationPeriods');
  });

  it('rejects more datapoints than evaluation periods', () => {
    const issue = onlyIssue({
      alarms: {
        emails: ['a@example.com'],
        errors: { strategy: 'threshold', evaluationPeriods: 3, datapointsToAlarm: 4 },
      },
    });
    expect(issue.message).toBe(
      'alarms.errors.datapointsToAlarm (4) must not exceed alarms.errors.evaluationPeriods (3): an alarm cannot need more breaching periods than it evaluates.',
    );
  });

  it('checks datapoints against the default evaluation periods too', () => {
    const issue = onlyIssue({
      alarms: {
        emails: ['a@example.com'],
        errors: { strategy: 'threshold', datapointsToAlarm: 3 },
      },
    });
    expect(issue.message).toContain('alarms.errors.evaluationPeriods (2, the default)');
  });

  it.each(['duration', 'memory'] as const)('rejects %s thresholds outside (0, 100)', (alarm) => {
    for (const thresholdPercent of [0, 100, -5]) {
      const issue = onlyIssue({
        alarms: { emails: ['a@example.com'], [alarm]: { thresholdPercent } },
      });
      expect(issue.prop).toBe(`alarms.${alarm}.thresholdPercent`);
    }
  });

  it.each(['duration', 'memory'] as const)('rejects %s datapoints above its periods', (alarm) => {
    const issue = onlyIssue({
      alarms: { emails: ['a@example.com'], [alarm]: { datapointsToAlarm: 2 } },
    });
    expect(issue.prop).toBe(`alarms.${alarm}.datapointsToAlarm`);
    expect(issue.message).toContain('(1, the default)');
  });
});

describe('validation: vpc', () => {
  const stack = new Stack();
  const vpc = new ec2.Vpc(stack, 'Vpc');

  it('requires security groups when subnets are given', () => {
    const issue = onlyIssue({
      vpc: { vpc, subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, securityGroups: [] },
    });
    expect(issue.prop).toBe('vpc.securityGroups');
    expect(issue.message).toContain(
      'must contain at least one security group when vpc.subnets is set',
    );
  });

  it('requires subnets', () => {
    const sg = new ec2.SecurityGroup(stack, 'Sg1', { vpc });
    expect(onlyIssue({ vpc: { vpc, securityGroups: [sg] } as never }).prop).toBe('vpc.subnets');
  });

  it('requires the VPC', () => {
    const sg = new ec2.SecurityGroup(stack, 'Sg2', { vpc });
    expect(onlyIssue({ vpc: { subnets: {}, securityGroups: [sg] } as never }).prop).toBe('vpc.vpc');
  });
});

describe('validation: async and concurrency', () => {
  it.each([-1, 3, 0.5])('rejects %d retry attempts', (retryAttempts) => {
    expect(onlyIssue({ async: { retryAttempts } }).message).toBe(
      `async.retryAttempts must be a whole number from 0 to 2; got ${retryAttempts}.`,
    );
  });

  it.each([Duration.seconds(59), Duration.hours(7)])('rejects maxEventAge %s', (maxEventAge) => {
    expect(onlyIssue({ async: { maxEventAge } }).prop).toBe('async.maxEventAge');
  });

  it('rejects negative reserved concurrency', () => {
    expect(onlyIssue({ concurrency: { reserved: -1 } }).prop).toBe('concurrency.reserved');
  });

  it('rejects provisioned concurrency below 1', () => {
    expect(onlyIssue({ concurrency: { provisioned: 0 } }).prop).toBe('concurrency.provisioned');
  });

  it('rejects provisioned concurrency above the reserved concurrency', () => {
    const issue = onlyIssue({ concurrency: { reserved: 2, provisioned: 3 } });
    expect(issue.message).toContain(
      'concurrency.provisioned (3) must not exceed concurrency.reserved (2)',
    );
  });
});

describe('validation: dashboard', () => {
  it('rejects an invalid dashboard name', () => {
    expect(onlyIssue({ dashboard: { dashboardName: 'has space' } }).prop).toBe(
      'dashboard.dashboardName',
    );
  });
});

describe('validation: MonitoredFunction', () => {
  it('throws MonitoredFunctionValidationError naming the construct and the prop, before creating anything', () => {
    // Prepare
    const { stack } = newStack();

    // Act
    const act = (): MonitoredFunction =>
      new MonitoredFunction(stack, 'my-fn', pythonProps({ functionName: 'my-fn', alarms: {} }));

    // Assess
    expect(act).toThrow(MonitoredFunctionValidationError);
    expect(act).toThrow(
      'MonitoredFunction(my-fn): alarms.emails must contain at least one address when alarms.iso27001 is true (the default). Add an address or set alarms.iso27001 to false.',
    );
    expect(stack.node.tryFindChild('my-fn')).toBeUndefined();
  });

  it('lists every issue when there are several', () => {
    // Prepare
    const { stack } = newStack();

    // Act
    let error: unknown;
    try {
      new MonitoredFunction(stack, 'Fn', pythonProps({ memorySize: 64, alarms: {} }));
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(MonitoredFunctionError);
    const validation = error as MonitoredFunctionValidationError;
    expect(validation.name).toBe('MonitoredFunctionValidationError');
    expect(validation.issues.map((i) => i.prop)).toEqual(['memorySize', 'alarms.emails']);
    expect(validation.message).toBe(
      'MonitoredFunction(Fn) has 2 invalid props:\n' +
        '  - memorySize must be a whole number from 128 to 10240 MB; got 64.\n' +
        '  - alarms.emails must contain at least one address when alarms.iso27001 is true (the default). Add an address or set alarms.iso27001 to false.',
    );
  });
});
