import { readdirSync } from 'node:fs';
import { Annotations, ArnFormat, Duration, Stack, Tags } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { planAlarms } from './alarm-plan.js';
import type { AlarmSpec, MetricSpec } from './alarm-plan.js';
import {
  hasDeadLetterQueue,
  insightsVersionOf,
  resolveAlarmConfig,
  timeoutSecondsOf,
} from './config.js';
import { createFunctionDashboard } from './dashboard.js';
import { MONITORED_FUNCTION_DEFAULTS as D } from './defaults.js';
import { MonitoredFunctionValidationError } from './errors.js';
import { CODE_DEFAULTS } from './function-code.js';
import type {
  NodejsBundleFunctionCode,
  NodejsFunctionCode,
  PythonFunctionCode,
} from './function-code.js';
import {
  functionLogsArns,
  insightsArnsOf,
  insightsStatement,
  logsStatement,
  vpcArnsOf,
  vpcStatements,
  xrayStatement,
  alarmsPublishStatement,
} from './iam-statements.js';
import { acknowledgeFinding, wildcardResourceFindingId } from './nag.js';
import { ALARM_KEYS, deadLetterQueueNameOf, defaultTopicNameOf, logGroupNameOf } from './naming.js';
import type { AlarmKey } from './naming.js';
import { assertLocalEsbuild, nodejsBundlingOptions } from './node-bundling.js';
import type { MonitoredFunctionProps, MonitoredFunctionVpcOptions } from './props.js';
import { pythonCode } from './python-packaging.js';
import { pythonRuntimeDeprecation } from './python-runtimes.js';
import { nodejsMajorOf, validateMonitoredFunctionProps } from './validation.js';

/** The alarms of a MonitoredFunction; `errors` always exists, the others when enabled. */
export type MonitoredFunctionAlarms = { readonly errors: cloudwatch.Alarm } & {
  readonly [K in Exclude<AlarmKey, 'errors'>]?: cloudwatch.Alarm;
};

/** Warning id for a Python runtime Lambda has deprecated. */
export const DEPRECATED_RUNTIME_WARNING = 'aws-ops-kit:monitored-function:deprecated-runtime';
/** Warning id for a KMS key whose policy the construct could not extend. */
export const IMPORTED_KEY_WARNING = 'aws-ops-kit:monitored-function:imported-key';

/**
 * A Lambda function with its operations built in: a scoped execution role, its own log group
 * with retention, an SNS alarm topic with email subscriptions, CloudWatch alarms on errors
 * (immediate or error-rate), throttles and, when enabled, duration, memory, dead-letter and
 * async failures; plus optional VPC attachment, async settings, concurrency, X-Ray, Lambda
 * Insights and a dashboard. Python code is packaged locally with pip; Node.js code is bundled
 * locally with esbuild. Every prop is validated at synth time by name.
 */
export class MonitoredFunction extends Construct implements iam.IGrantable {
  /** The Lambda function. */
  readonly function: lambda.Function;
  /** The execution role (explicit, never AWSLambdaBasicExecutionRole). */
  readonly role: iam.Role;
  /** The log group `/aws/lambda/<functionName>`. */
  readonly logGroup: logs.LogGroup;
  /** The alarm topic `<functionName>-alarms` (or `alarms.topicName`). */
  readonly alarmTopic: sns.Topic;
  /** Every alarm, by key. */
  readonly alarms: MonitoredFunctionAlarms;
  /** The dead-letter queue, when `async.deadLetterQueue` is set. */
  readonly deadLetterQueue?: sqs.IQueue;
  /** The alias `live`, when provisioned concurrency is set. */
  readonly alias?: lambda.Alias;
  /** What callers and event sources should invoke: the alias when there is one, else the function. */
  readonly invocationTarget: lambda.IFunction;
  /** The dashboard, when `dashboard` is set. */
  readonly dashboard?: cloudwatch.Dashboard;
  /** The role: grant this construct permissions like any other grantable. */
  readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: MonitoredFunctionProps) {
    // Validated before super(): an invalid prop leaves the construct tree untouched.
    const issues = validateMonitoredFunctionProps(props);
    if (issues.length > 0) {
      throw new MonitoredFunctionValidationError(id, issues);
    }
    const vpcPlacement = resolveVpcPlacement(id, props);
    super(scope, id);
    const functionName = props.functionName;

    this.logGroup = this.createLogGroup(props);
    this.role = this.createRole(props, vpcPlacement);
    this.grantPrincipal = this.role;
    this.alarmTopic = this.createAlarmTopic(props);
    this.deadLetterQueue = this.resolveDeadLetterQueue(props);

    this.function = this.createFunction(props, vpcPlacement);
    this.configureTracing(props);
    this.configureInsights(props);
    this.alias = this.createAlias(props);
    this.invocationTarget = this.alias ?? this.function;

    this.alarms = this.createAlarms(props);
    if (props.dashboard !== undefined) {
      this.dashboard = createFunctionDashboard(this, 'Dashboard', {
        dashboardName: props.dashboard.dashboardName ?? functionName,
        function: this.function,
        timeoutSeconds: timeoutSecondsOf(props),
        alarms: this.alarmList(),
        insights: insightsVersionOf(props) !== undefined,
        deadLetterQueue: this.deadLetterQueue,
      });
    }
    for (const [key, value] of Object.entries(props.tags ?? {})) {
      Tags.of(this).add(key, value);
    }
  }

  /** The function's name. */
  get functionName(): string {
    return this.function.functionName;
  }

  /** The function's ARN. */
  get functionArn(): string {
    return this.function.functionArn;
  }

  /** The execution role's ARN. */
  get roleArn(): string {
    return this.role.roleArn;
  }

  /** The execution role's name. */
  get roleName(): string {
    return this.role.roleName;
  }

  /** The log group's name. */
  get logGroupName(): string {
    return this.logGroup.logGroupName;
  }

  /** The alarm topic's ARN. */
  get alarmTopicArn(): string {
    return this.alarmTopic.topicArn;
  }

  /** Every alarm, in creation order. */
  alarmList(): cloudwatch.Alarm[] {
    return ALARM_KEYS.flatMap((key) => {
      const alarm = this.alarms[key];
      return alarm ? [alarm] : [];
    });
  }

  /** Lets `grantee` invoke the function (and its versions and aliases). */
  grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return this.function.grantInvoke(grantee);
  }

  /** Adds a statement to the role's default policy (kept apart from the construct's own). */
  addToRolePolicy(statement: iam.PolicyStatement): void {
    this.role.addToPrincipalPolicy(statement);
  }

  /** Adds an environment variable to the function. */
  addEnvironment(key: string, value: string): this {
    this.function.addEnvironment(key, value);
    return this;
  }

  private createLogGroup(props: MonitoredFunctionProps): logs.LogGroup {
    const logGroupName = logGroupNameOf(props.functionName);
    const key = props.logs?.encryptionKey;
    if (key) {
      this.allowServiceToUseKey(
        key,
        'logs.encryptionKey',
        new iam.PolicyStatement({
          sid: `AllowCloudWatchLogs-${props.functionName}`,
          principals: [new iam.ServicePrincipal(`logs.${Stack.of(this).region}.amazonaws.com`)],
          actions: [
            'kms:Encrypt*',
            'kms:Decrypt*',
            'kms:ReEncrypt*',
            'kms:GenerateDataKey*',
            'kms:Describe*',
          ],
          resources: ['*'],
          conditions: {
            ArnEquals: {
              'kms:EncryptionContext:aws:logs:arn': Stack.of(this).formatArn({
                service: 'logs',
                resource: 'log-group',
                resourceName: logGroupName,
                arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              }),
            },
          },
        }),
      );
    }
    return new logs.LogGroup(this, 'LogGroup', {
      logGroupName,
      retention: props.logs?.retention ?? D.logRetention,
      encryptionKey: key,
      removalPolicy: props.logs?.removalPolicy ?? D.logRemovalPolicy,
    });
  }

  private createRole(props: MonitoredFunctionProps, vpc: VpcPlacement | undefined): iam.Role {
    const functionName = props.functionName;
    const logArns = functionLogsArns(this, functionName);
    const statements = [logsStatement(logArns)];
    const wildcards: { arn: string; reason: string }[] = [
      {
        arn: logArns.streams,
        reason:
          'Lambda names the log streams of its own log group at run time; the wildcard covers only the streams of /aws/lambda/' +
          `${functionName}.`,
      },
    ];
    const starReasons: string[] = [];

    if (vpc) {
      const arns = vpcArnsOf(this, vpc.subnetIds, vpc.securityGroupIds);
      statements.push(...vpcStatements(arns));
      wildcards.push({
        arn: arns.networkInterfaces,
        reason:
          'Lambda creates, and later deletes, the network interfaces of a VPC function and names them at run time: their ids cannot be known at synth. Creation is limited to the listed subnets and security groups.',
      });
      starReasons.push(
        'ec2:DescribeNetworkInterfaces and ec2:DescribeSubnets (EC2 Describe actions support no resource-level permissions)',
      );
    }
    if (insightsVersionOf(props) !== undefined) {
      const arns = insightsArnsOf(this);
      statements.push(insightsStatement(arns));
      wildcards.push({
        arn: arns.groupAndStreams,
        reason:
          'Lambda Insights writes streams named at run time into the shared /aws/lambda-insights log group; this is the scoped equivalent of CloudWatchLambdaInsightsExecutionRolePolicy.',
      });
    }
    if (props.tracing ?? D.tracing) {
      statements.push(xrayStatement());
      starReasons.push(
        'xray:PutTraceSegments and xray:PutTelemetryRecords (X-Ray supports no resource-level permissions)',
      );
    }

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the Lambda function ${functionName}`,
      inlinePolicies: {
        [ROLE_POLICY_NAME]: new iam.PolicyDocument({ statements }),
      },
    });
    (props.additionalPolicies ?? []).forEach((policy, index) => {
      role.addManagedPolicy(
        typeof policy === 'string'
          ? iam.ManagedPolicy.fromManagedPolicyArn(this, `AdditionalPolicy${index}`, policy)
          : policy,
      );
    });

    const cfnRole = role.node.defaultChild as iam.CfnRole;
    for (const wildcard of wildcards) {
      acknowledgeFinding(cfnRole, wildcardResourceFindingId(this, wildcard.arn), wildcard.reason);
    }
    if (starReasons.length > 0) {
      acknowledgeFinding(
        cfnRole,
        'AwsSolutions-IAM5[Resource::*]',
        `Resource "*" is the only value IAM accepts for ${starReasons.join('; and for ')}.`,
      );
    }
    return role;
  }

  private createAlarmTopic(props: MonitoredFunctionProps): sns.Topic {
    const options = props.alarms ?? {};
    const key = options.topicEncryptionKey;
    if (key) {
      this.allowServiceToUseKey(
        key,
        'alarms.topicEncryptionKey',
        new iam.PolicyStatement({
          sid: `AllowCloudWatchAlarms-${props.functionName}`,
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
        }),
      );
    }
    const topic = new sns.Topic(this, 'AlarmTopic', {
      topicName: options.topicName ?? defaultTopicNameOf(props.functionName),
      displayName: `Alarms of ${props.functionName}`,
      masterKey: key,
      enforceSSL: true,
    });
    topic.addToResourcePolicy(alarmsPublishStatement(topic));
    for (const email of options.emails ?? []) {
      topic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    return topic;
  }

  private resolveDeadLetterQueue(props: MonitoredFunctionProps): sqs.IQueue | undefined {
    const option = props.async?.deadLetterQueue;
    if (!hasDeadLetterQueue(props) || option === undefined || option === false) {
      return undefined;
    }
    if (option !== true) {
      // Sending to a KMS-encrypted queue also needs the key; the Lambda L2 only grants SendMessage.
      option.encryptionMasterKey?.grant(this.role, 'kms:GenerateDataKey', 'kms:Decrypt');
      return option;
    }
    return new sqs.Queue(this, 'DeadLetterQueue', {
      queueName: deadLetterQueueNameOf(props.functionName),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(D.deadLetterQueueRetentionDays),
    });
  }

  private commonFunctionOptions(
    props: MonitoredFunctionProps,
    vpc: VpcPlacement | undefined,
  ): lambda.FunctionOptions {
    const async = props.async;
    return {
      functionName: props.functionNaming === 'generated' ? undefined : props.functionName,
      description: props.description,
      role: this.role,
      architecture: architectureOf(props),
      timeout: props.timeout ?? Duration.seconds(D.timeoutSeconds),
      memorySize: props.memorySize ?? D.memorySize,
      environment: props.environment ? { ...props.environment } : undefined,
      logGroup: this.logGroup,
      reservedConcurrentExecutions: props.concurrency?.reserved,
      retryAttempts: async?.retryAttempts ?? D.retryAttempts,
      maxEventAge: async?.maxEventAge,
      onFailure: async?.onFailure,
      deadLetterQueue: this.deadLetterQueue,
      vpc: vpc?.options.vpc,
      vpcSubnets: vpc?.options.subnets,
      securityGroups: vpc ? [...vpc.options.securityGroups] : undefined,
      allowPublicSubnet: vpc?.options.allowPublicSubnet,
    };
  }

  private createFunction(
    props: MonitoredFunctionProps,
    vpc: VpcPlacement | undefined,
  ): lambda.Function {
    const code = props.code;
    if (code.kind === 'python') return this.createPythonFunction(props, code, vpc);
    if (code.kind === 'nodejs') return this.createNodejsFunction(props, code, vpc);
    return this.createNodejsBundleFunction(props, code, vpc);
  }

  private createPythonFunction(
    props: MonitoredFunctionProps,
    code: PythonFunctionCode,
    vpc: VpcPlacement | undefined,
  ): lambda.Function {
    const deprecation = pythonRuntimeDeprecation(code.runtime);
    if (deprecation !== undefined) {
      Annotations.of(this).addWarningV2(DEPRECATED_RUNTIME_WARNING, deprecation);
    }
    const options = this.commonFunctionOptions(props, vpc);
    return new lambda.Function(this, 'Function', {
      ...options,
      runtime: code.runtime,
      handler: code.handler ?? CODE_DEFAULTS.pythonHandler,
      code: pythonCode({
        sourceDir: code.sourceDir,
        requirementsFile: code.requirementsFile,
        runtime: code.runtime,
        architecture: architectureOf(props),
        pip: code.pip,
        exclude: code.exclude,
      }),
    });
  }

  private createNodejsFunction(
    props: MonitoredFunctionProps,
    code: NodejsFunctionCode,
    vpc: VpcPlacement | undefined,
  ): lambda.Function {
    assertLocalEsbuild(props.functionName);
    const runtime = code.runtime ?? CODE_DEFAULTS.nodejsRuntime;
    const major = nodejsMajorOf(runtime) ?? CODE_DEFAULTS.minimumNodejsMajor;
    const sourceMap = code.bundling?.sourceMap ?? true;
    const options = this.commonFunctionOptions(props, vpc);
    const environment = { ...options.environment };
    if (sourceMap && environment.NODE_OPTIONS === undefined) {
      environment.NODE_OPTIONS = '--enable-source-maps';
    }
    const fn = new nodejs.NodejsFunction(this, 'Function', {
      ...options,
      environment,
      runtime,
      entry: code.entry,
      handler: code.handler ?? CODE_DEFAULTS.nodejsHandler,
      depsLockFilePath: code.bundling?.depsLockFilePath,
      projectRoot: code.bundling?.projectRoot,
      bundling: nodejsBundlingOptions(props.functionName, major, code.bundling),
    });
    this.acknowledgeNodejsRuntime(fn, runtime);
    return fn;
  }

  /** A bundle built ahead of time: deployed as is, so synthesis needs neither esbuild nor sources. */
  private createNodejsBundleFunction(
    props: MonitoredFunctionProps,
    code: NodejsBundleFunctionCode,
    vpc: VpcPlacement | undefined,
  ): lambda.Function {
    const runtime = code.runtime ?? CODE_DEFAULTS.nodejsRuntime;
    const options = this.commonFunctionOptions(props, vpc);
    const environment = { ...options.environment };
    const hasSourceMap = readdirSync(code.directory).some((file) => file.endsWith('.map'));
    if (hasSourceMap && environment.NODE_OPTIONS === undefined) {
      environment.NODE_OPTIONS = '--enable-source-maps';
    }
    const fn = new lambda.Function(this, 'Function', {
      ...options,
      environment,
      runtime,
      handler: code.handler ?? CODE_DEFAULTS.nodejsBundleHandler,
      code: lambda.Code.fromAsset(code.directory),
    });
    this.acknowledgeNodejsRuntime(fn, runtime);
    return fn;
  }

  private acknowledgeNodejsRuntime(fn: lambda.Function, runtime: lambda.Runtime): void {
    if (runtime.name === CODE_DEFAULTS.nodejsRuntime.name) {
      acknowledgeFinding(
        fn.node.defaultChild as lambda.CfnFunction,
        'AwsSolutions-L1',
        `${runtime.name} is the Node.js runtime aws-ops-kit targets (its bundles are built for node${nodejsMajorOf(runtime) ?? CODE_DEFAULTS.minimumNodejsMajor}); it is in standard support.`,
      );
    }
  }

  /**
   * Active tracing is set on the L1 resource, not through the L2's `tracing` prop: the L2
   * would add the X-Ray statement (Resource "*") to the role's DefaultPolicy, where its
   * cdk-nag acknowledgement would also hide wildcards that users add there. The statement is
   * in the construct's own inline policy instead (see createRole).
   */
  private configureTracing(props: MonitoredFunctionProps): void {
    if (props.tracing ?? D.tracing) {
      const cfn = this.function.node.defaultChild as lambda.CfnFunction;
      cfn.tracingConfig = { mode: lambda.Tracing.ACTIVE };
    }
  }

  /**
   * The Insights layer is added here rather than through the L2's `insightsVersion` prop, which
   * would attach the AWS managed CloudWatchLambdaInsightsExecutionRolePolicy (logs:CreateLogGroup
   * on "*"); the role gets the scoped statement instead. The layer ARN is chosen for the
   * function's architecture and the stack's region (a region mapping when the region is unknown).
   */
  private configureInsights(props: MonitoredFunctionProps): void {
    const version = insightsVersionOf(props);
    if (version === undefined) {
      return;
    }
    const { arn } = version._bind(this, this.function);
    this.function.addLayers(lambda.LayerVersion.fromLayerVersionArn(this, 'InsightsLayer', arn));
  }

  private createAlias(props: MonitoredFunctionProps): lambda.Alias | undefined {
    const provisioned = props.concurrency?.provisioned;
    if (provisioned === undefined) {
      return undefined;
    }
    const async = props.async;
    // Async settings are per qualifier: the alias needs its own copy of the function's.
    return new lambda.Alias(this, 'LiveAlias', {
      aliasName: D.aliasName,
      version: this.function.currentVersion,
      provisionedConcurrentExecutions: provisioned,
      retryAttempts: async?.retryAttempts ?? D.retryAttempts,
      maxEventAge: async?.maxEventAge,
      onFailure: async?.onFailure,
    });
  }

  private createAlarms(props: MonitoredFunctionProps): MonitoredFunctionAlarms {
    const specs = planAlarms(resolveAlarmConfig(props), {
      functionName: this.function.functionName,
      deadLetterQueueName: this.deadLetterQueue?.queueName,
    });
    const topics: sns.ITopic[] = [this.alarmTopic, ...(props.alarms?.topics ?? [])];
    const notifyOnOk = props.alarms?.notifyOnOk ?? D.notifyOnOk;
    const alarms: Partial<Record<AlarmKey, cloudwatch.Alarm>> = {};
    for (const spec of specs) {
      const alarm = this.createAlarm(spec);
      for (const topic of topics) {
        const action = new cloudwatchActions.SnsAction(topic);
        alarm.addAlarmAction(action);
        if (notifyOnOk) {
          alarm.addOkAction(action);
        }
      }
      alarms[spec.key] = alarm;
    }
    const errors = alarms.errors;
    /* v8 ignore next 3 -- planAlarms always plans the errors alarm */
    if (errors === undefined) {
      throw new Error('MonitoredFunction: the errors alarm was not planned');
    }
    return { ...alarms, errors };
  }

  private createAlarm(spec: AlarmSpec): cloudwatch.Alarm {
    const period = Duration.seconds(spec.periodSeconds);
    const toMetric = (metric: MetricSpec): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: metric.namespace,
        metricName: metric.metricName,
        dimensionsMap: { ...metric.dimensions },
        statistic: metric.statistic,
        period,
      });
    const source = spec.source;
    const metric: cloudwatch.IMetric =
      source.kind === 'metric'
        ? toMetric(source.metric)
        : new cloudwatch.MathExpression({
            expression: source.expression,
            label: source.label,
            period,
            usingMetrics: Object.fromEntries(
              Object.entries(source.metrics).map(([id, m]) => [id, toMetric(m)]),
            ),
          });
    return new cloudwatch.Alarm(this, `${pascalCase(spec.key)}Alarm`, {
      alarmName: spec.alarmName,
      alarmDescription: spec.description,
      metric,
      threshold: spec.threshold,
      evaluationPeriods: spec.evaluationPeriods,
      datapointsToAlarm: spec.datapointsToAlarm,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /**
   * Adds a statement to a key defined in this app; an imported key's policy cannot be changed
   * from here, so the user is told what to add.
   */
  private allowServiceToUseKey(key: kms.IKey, prop: string, statement: iam.PolicyStatement): void {
    const { statementAdded } = key.addToResourcePolicy(statement, true);
    if (!statementAdded) {
      Annotations.of(this).addWarningV2(
        IMPORTED_KEY_WARNING,
        `${prop} is an imported key, so its key policy cannot be extended here. Add this statement to it yourself: ${JSON.stringify(Stack.of(this).resolve(statement.toStatementJson()))}`,
      );
    }
  }
}

/** Name of the role's inline policy that holds the construct's own statements. */
export const ROLE_POLICY_NAME = 'MonitoredFunctionBase';

interface VpcPlacement {
  readonly options: MonitoredFunctionVpcOptions;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
}

function architectureOf(props: MonitoredFunctionProps): lambda.Architecture {
  return props.architecture ?? D.architecture;
}

function pascalCase(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}

/** The subnets and security groups of a VPC function; checked before the construct exists. */
function resolveVpcPlacement(id: string, props: MonitoredFunctionProps): VpcPlacement | undefined {
  const options = props.vpc;
  if (options === undefined) {
    return undefined;
  }
  let subnetIds: string[];
  try {
    subnetIds = options.vpc.selectSubnets(options.subnets).subnetIds;
  } catch (error) {
    throw new MonitoredFunctionValidationError(id, [
      {
        prop: 'vpc.subnets',
        message: `vpc.subnets cannot be selected in vpc.vpc: ${(error as Error).message}`,
      },
    ]);
  }
  if (subnetIds.length === 0) {
    throw new MonitoredFunctionValidationError(id, [
      {
        prop: 'vpc.subnets',
        message: 'vpc.subnets selects no subnet of vpc.vpc: select at least one subnet.',
      },
    ]);
  }
  return {
    options,
    subnetIds,
    securityGroupIds: options.securityGroups.map((group) => group.securityGroupId),
  };
}
