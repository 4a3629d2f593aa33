/**
 * The load-shedding contract: what the construct puts into the environment and onto the wire,
 * and what the handlers read back. Construct and handlers both import this module, so the two
 * can never disagree on a variable name, a default, an event shape or a metric name.
 *
 * Pure: zod only, no AWS SDK import.
 */
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { z } from 'zod';
import {
  type Env,
  received,
  splitList,
  unsetIfBlank,
  wholeNumberVariable,
} from '../common/env-schemas.js';
import { MetricNamespaces } from '../observability/namespaces.js';
import { CheckMessageError, LoadSheddingConfigError, type ConfigProblem } from './errors.js';

// ---------------------------------------------------------------------------------------------
// ARNs (partition-aware: aws, aws-cn, aws-us-gov, aws-iso, ...)
// ---------------------------------------------------------------------------------------------

const PARTITION = 'aws(?:-[a-z]+)*';
const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d{1,2}';
const ACCOUNT = '\\d{12}';
/** ELB names: 1–32 letters, digits and hyphens, not starting or ending with a hyphen. */
const ELB_NAME = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?';
const ELB_ID = '[0-9a-f]{16}';
const ELB_PREFIX = `^arn:(${PARTITION}):elasticloadbalancing:(${REGION}):(${ACCOUNT}):`;
const TARGET_GROUP_ARN = new RegExp(`${ELB_PREFIX}(targetgroup/(${ELB_NAME})/${ELB_ID})$`);
// Weighted forward actions are an Application Load Balancer feature: only `listener/app/...`.
const LISTENER_ARN = new RegExp(`${ELB_PREFIX}listener/app/(${ELB_NAME})/${ELB_ID}/${ELB_ID}$`);

/** Where an ELBv2 resource lives. */
export interface ElbArnParts {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

export interface TargetGroupArnParts extends ElbArnParts {
  /** The target group's name. */
  readonly name: string;
  /** `targetgroup/<name>/<id>`: the value of CloudWatch's `TargetGroup` dimension. */
  readonly resource: string;
}

export interface ListenerArnParts extends ElbArnParts {
  readonly loadBalancerName: string;
}

/** The parts of an ELBv2 target group ARN, or `undefined` when `arn` is not one. */
export function parseTargetGroupArn(arn: string): TargetGroupArnParts | undefined {
  const match = TARGET_GROUP_ARN.exec(arn);
  if (!match) return undefined;
  const [, partition, region, accountId, resource, name] = match;
  return { partition, region, accountId, resource, name };
}

/** The parts of an Application Load Balancer listener ARN, or `undefined` when it is not one. */
export function parseListenerArn(arn: string): ListenerArnParts | undefined {
  const match = LISTENER_ARN.exec(arn);
  if (!match) return undefined;
  const [, partition, region, accountId, loadBalancerName] = match;
  return { partition, region, accountId, loadBalancerName };
}

const TARGET_GROUP_EXAMPLE =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/my-service/73e2d6bc24d8a067';
const LISTENER_EXAMPLE =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/my-alb/50dc6c495c0c9188/f2f7dc8efc522ab2';

/** An ELBv2 target group ARN in any partition. */
export const targetGroupArnSchema = z
  .string()
  .refine((arn) => parseTargetGroupArn(arn) !== undefined, {
    error: `must be an ELBv2 target group ARN like ${TARGET_GROUP_EXAMPLE}`,
  });

/** An Application Load Balancer listener ARN in any partition. */
export const listenerArnSchema = z.string().refine((arn) => parseListenerArn(arn) !== undefined, {
  error: `must be an Application Load Balancer listener ARN like ${LISTENER_EXAMPLE}`,
});

// ---------------------------------------------------------------------------------------------
// Environment
// ---------------------------------------------------------------------------------------------

/** Names of the environment variables the handlers read; the construct sets them. */
export const LoadSheddingEnvVars = Object.freeze({
  primaryTargetGroupArn: 'PRIMARY_TARGET_GROUP_ARN',
  listenerArns: 'LISTENER_ARNS',
  alarmName: 'ALARM_NAME',
  alarmType: 'ALARM_TYPE',
  shedPercent: 'SHED_PERCENT',
  restorePercent: 'RESTORE_PERCENT',
  maxShedPercent: 'MAX_SHED_PERCENT',
  shedDelaySeconds: 'SHED_DELAY_SECONDS',
  restoreDelaySeconds: 'RESTORE_DELAY_SECONDS',
  maxInsufficientDataChecks: 'MAX_INSUFFICIENT_DATA_CHECKS',
  stateTableName: 'STATE_TABLE_NAME',
  checkQueueUrl: 'CHECK_QUEUE_URL',
  dryRun: 'DRY_RUN',
  metricsNamespace: 'METRICS_NAMESPACE',
} as const);

/**
 * Kinds of alarm the check function can be told it reads: `metric` (metric or metric-math
 * alarm) or `composite`. Knowing it lets DescribeAlarms ask for that type alone, and for a
 * metric alarm lets the permission name the alarm's ARN (composite alarms need `*`).
 */
export const LoadSheddingAlarmTypes = ['metric', 'composite'] as const;
export type LoadSheddingAlarmType = (typeof LoadSheddingAlarmTypes)[number];

/** The controller's configuration, parsed once at cold start. */
export interface LoadSheddingConfig {
  /** The target group that sheds traffic; configuration, not read from alarm dimensions. */
  readonly primaryTargetGroupArn: string;
  /** Listeners whose forward rules (default and others) that contain the primary are managed. */
  readonly listenerArns: readonly string[];
  /** The alarm (metric, metric-math or composite) whose state drives the controller. */
  readonly alarmName: string;
  /**
   * What kind of alarm `alarmName` is. Unset (configurations written before the variable
   * existed, or an imported alarm of unknown kind): DescribeAlarms asks for both types, which
   * needs the permission on `*`. @default undefined
   */
  readonly alarmType?: LoadSheddingAlarmType;
  /** Percentage points moved away from the primary per shed step, 1–100. @default 5 */
  readonly shedPercent: number;
  /** Percentage points moved back to the primary per restore step, 1–100. @default 5 */
  readonly restorePercent: number;
  /** Most the primary gives away: its share never goes below `100 - maxShedPercent`. @default 100 */
  readonly maxShedPercent: number;
  /** Seconds between shed steps (the check delay while in ALARM), 0–900. @default 60 */
  readonly shedDelaySeconds: number;
  /** Seconds of OK before the first restore step (bake) and between restore steps, 0–900. @default 120 */
  readonly restoreDelaySeconds: number;
  /** Consecutive INSUFFICIENT_DATA checks after which the chain ends, 1–100. @default 5 */
  readonly maxInsufficientDataChecks: number;
  /** DynamoDB table (name or ARN) holding one state item per primary target group. */
  readonly stateTableName: string;
  /** URL of the standard SQS queue that carries delayed check messages. */
  readonly checkQueueUrl: string;
  /** Log and record every decision, write nothing to ELBv2. @default false */
  readonly dryRun: boolean;
  /** CloudWatch namespace of the controller's metrics. @default MetricNamespaces.loadShedding */
  readonly metricsNamespace: string;
}

/** Defaults of the optional settings; the construct documents them with `@default`. */
export const LoadSheddingDefaults = Object.freeze({
  shedPercent: 5,
  restorePercent: 5,
  maxShedPercent: 100,
  shedDelaySeconds: 60,
  restoreDelaySeconds: 120,
  maxInsufficientDataChecks: 5,
  dryRun: false,
  metricsNamespace: MetricNamespaces.loadShedding,
} as const satisfies Partial<LoadSheddingConfig>);

/** SQS `DelaySeconds` is 0–900 per message, and every delay becomes one. */
export const MAX_DELAY_SECONDS = 900;

const V = LoadSheddingEnvVars;

function requiredString(variable: string, what: string, fix: string) {
  return z.preprocess(
    unsetIfBlank,
    z.string({
      error: (issue) => `${variable} must be ${what}, ${received(issue.input)}: ${fix}.`,
    }),
  );
}

const SQS_QUEUE_URL = /^\/\d{12}\/[A-Za-z0-9_-]{1,80}(\.fifo)?$/;
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const TABLE_ARN = new RegExp(
  `^arn:${PARTITION}:dynamodb:${REGION}:${ACCOUNT}:table/[A-Za-z0-9_.-]{3,255}$`,
);
// CloudWatch: ASCII letters, digits and . - _ / # : and space; AWS/ is reserved for AWS.
const NAMESPACE = /^[A-Za-z0-9.\-_/#: ]{1,255}$/;

const listenerArnsVariable = requiredString(
  V.listenerArns,
  'a JSON array or a comma-separated list of Application Load Balancer listener ARNs',
  `set it to the listeners whose forward rules send traffic to the primary target group, e.g. ${LISTENER_EXAMPLE}`,
).transform((raw, ctx) => {
  const list = splitList(raw);
  const report = (message: string): void =>
    ctx.addIssue({ code: 'custom', message: `${V.listenerArns}${message}` });
  const isString = (entry: unknown): entry is string => typeof entry === 'string';
  if (!Array.isArray(list) || !list.every(isString)) {
    report(
      ` must be a JSON array of strings or a comma-separated list, got '${raw}': write ` +
        `["<listener ARN>", ...] or <listener ARN>,<listener ARN>.`,
    );
    return z.NEVER;
  }
  const entries: string[] = list;
  if (entries.length === 0) {
    report(' is an empty list: name at least one listener ARN.');
    return z.NEVER;
  }
  const seen = new Set<string>();
  entries.forEach((arn, i) => {
    if (parseListenerArn(arn) === undefined) {
      report(
        `[${i}] must be an Application Load Balancer listener ARN like ${LISTENER_EXAMPLE}, ` +
          `got '${arn}': copy the listener ARN from the console or \`aws elbv2 describe-listeners\`.`,
      );
    } else if (seen.has(arn)) {
      report(`[${i}] repeats '${arn}': list each listener once.`);
    }
    seen.add(arn);
  });
  return entries;
});

/**
 * The zod schema of the environment: keys are the variable names (so every issue's path names
 * its variable), the output is a {@link LoadSheddingConfig}. Unknown variables are ignored.
 * Prefer {@link parseLoadSheddingConfig}, which turns issues into one readable error.
 */
export const loadSheddingEnvSchema = z
  .object({
    [V.primaryTargetGroupArn]: requiredString(
      V.primaryTargetGroupArn,
      'the ARN of the target group that sheds traffic',
      `set it to a target group ARN like ${TARGET_GROUP_EXAMPLE}`,
    ).refine((arn) => parseTargetGroupArn(arn) !== undefined, {
      error: (issue) =>
        `${V.primaryTargetGroupArn} must be an ELBv2 target group ARN like ` +
        `${TARGET_GROUP_EXAMPLE}, got '${String(issue.input)}': copy the ARN from the console ` +
        'or `aws elbv2 describe-target-groups`.',
    }),
    [V.listenerArns]: listenerArnsVariable,
    [V.alarmName]: requiredString(
      V.alarmName,
      'the name of the CloudWatch alarm that drives shedding',
      'set it to the alarm name (metric, metric-math and composite alarms all work)',
    ).refine((name) => name.length <= 255, {
      error: `${V.alarmName} is longer than 255 characters, the CloudWatch limit: use the alarm's exact name.`,
    }),
    [V.alarmType]: z.preprocess(
      unsetIfBlank,
      z
        .string()
        .transform((raw, ctx): LoadSheddingAlarmType => {
          const value = raw.trim().toLowerCase();
          const known = LoadSheddingAlarmTypes.find((type) => type === value);
          if (known !== undefined) return known;
          ctx.addIssue({
            code: 'custom',
            message:
              `${V.alarmType} must be 'metric' or 'composite', got '${raw}': set it to the kind ` +
              `of alarm ${V.alarmName} is, or unset it to read either kind (that needs ` +
              'cloudwatch:DescribeAlarms on "*").',
          });
          return z.NEVER;
        })
        .optional(),
    ),
    [V.shedPercent]: wholeNumberVariable(
      V.shedPercent,
      1,
      100,
      LoadSheddingDefaults.shedPercent,
      'set it to the percentage points to move away from the primary per step',
    ),
    [V.restorePercent]: wholeNumberVariable(
      V.restorePercent,
      1,
      100,
      LoadSheddingDefaults.restorePercent,
      'set it to the percentage points to move back to the primary per step',
    ),
    [V.maxShedPercent]: wholeNumberVariable(
      V.maxShedPercent,
      1,
      100,
      LoadSheddingDefaults.maxShedPercent,
      'set it to the most the primary may give away overall (its floor is 100 minus this)',
    ),
    [V.shedDelaySeconds]: wholeNumberVariable(
      V.shedDelaySeconds,
      0,
      MAX_DELAY_SECONDS,
      LoadSheddingDefaults.shedDelaySeconds,
      'set it to the seconds between shed steps (SQS DelaySeconds allows 0–900)',
    ),
    [V.restoreDelaySeconds]: wholeNumberVariable(
      V.restoreDelaySeconds,
      0,
      MAX_DELAY_SECONDS,
      LoadSheddingDefaults.restoreDelaySeconds,
      'set it to the seconds of OK before and between restore steps (SQS DelaySeconds allows 0–900)',
    ),
    [V.maxInsufficientDataChecks]: wholeNumberVariable(
      V.maxInsufficientDataChecks,
      1,
      100,
      LoadSheddingDefaults.maxInsufficientDataChecks,
      'set it to how many INSUFFICIENT_DATA checks in a row end the chain',
    ),
    [V.stateTableName]: requiredString(
      V.stateTableName,
      'the name or ARN of the DynamoDB state table',
      'set it to the table the construct created',
    ).refine((name) => TABLE_NAME.test(name) || TABLE_ARN.test(name), {
      error: (issue) =>
        `${V.stateTableName} must be a DynamoDB table name (3–255 letters, digits, _ . -) or ` +
        `table ARN, got '${String(issue.input)}': set it to the table the construct created.`,
    }),
    [V.checkQueueUrl]: requiredString(
      V.checkQueueUrl,
      'the URL of the SQS check queue',
      'set it to the queue URL the construct created',
    ).superRefine((url, ctx) => {
      const path = URL.canParse(url) ? new URL(url) : undefined;
      const valid =
        path !== undefined &&
        (path.protocol === 'https:' || path.protocol === 'http:') &&
        SQS_QUEUE_URL.test(path.pathname);
      if (!valid) {
        ctx.addIssue({
          code: 'custom',
          message:
            `${V.checkQueueUrl} must be an SQS queue URL like ` +
            `https://sqs.us-east-1.amazonaws.com/123456789012/my-queue, got '${url}': set it to ` +
            'the queue URL the construct created.',
        });
      } else if (path.pathname.endsWith('.fifo')) {
        ctx.addIssue({
          code: 'custom',
          message:
            `${V.checkQueueUrl} names a FIFO queue ('${url}'), but FIFO queues ignore the ` +
            'per-message delay every check relies on: use a standard queue.',
        });
      }
    }),
    [V.dryRun]: z.preprocess(
      unsetIfBlank,
      z
        .string()
        .trim()
        .toLowerCase()
        .pipe(
          z.enum(['true', 'false'], {
            error: (issue) =>
              `${V.dryRun} must be 'true' or 'false', got '${String(issue.input)}': set it to ` +
              "'true' to log decisions without writing, or unset it to use the default (false).",
          }),
        )
        .transform((value) => value === 'true')
        .default(LoadSheddingDefaults.dryRun),
    ),
    [V.metricsNamespace]: z.preprocess(
      unsetIfBlank,
      z
        .string()
        .refine((ns) => NAMESPACE.test(ns) && !ns.startsWith('AWS/'), {
          error: (issue) =>
            `${V.metricsNamespace} must be a CloudWatch namespace (1–255 of A–Z a–z 0–9 . - _ / # : ` +
            `and space, not starting with AWS/), got '${String(issue.input)}': fix it or unset ` +
            `it to use the default (${LoadSheddingDefaults.metricsNamespace}).`,
        })
        .default(LoadSheddingDefaults.metricsNamespace),
    ),
  })
  .superRefine((env, ctx) => {
    // A rule can only forward to target groups of its own region (and partition).
    const primary = parseTargetGroupArn(env[V.primaryTargetGroupArn]);
    if (!primary) return;
    env[V.listenerArns].forEach((arn, i) => {
      const listener = parseListenerArn(arn);
      if (
        listener &&
        (listener.partition !== primary.partition || listener.region !== primary.region)
      ) {
        ctx.addIssue({
          code: 'custom',
          path: [V.listenerArns],
          message:
            `${V.listenerArns}[${i}] is in ${listener.partition}/${listener.region}, but the ` +
            `primary target group (${V.primaryTargetGroupArn}) is in ${primary.partition}/` +
            `${primary.region}: a listener forwards only to target groups of its own region; ` +
            "list the listeners of the primary's load balancer.",
        });
      }
    });
  })
  .transform((env): LoadSheddingConfig => ({
    primaryTargetGroupArn: env[V.primaryTargetGroupArn],
    listenerArns: env[V.listenerArns],
    alarmName: env[V.alarmName],
    alarmType: env[V.alarmType],
    shedPercent: env[V.shedPercent],
    restorePercent: env[V.restorePercent],
    maxShedPercent: env[V.maxShedPercent],
    shedDelaySeconds: env[V.shedDelaySeconds],
    restoreDelaySeconds: env[V.restoreDelaySeconds],
    maxInsufficientDataChecks: env[V.maxInsufficientDataChecks],
    stateTableName: env[V.stateTableName],
    checkQueueUrl: env[V.checkQueueUrl],
    dryRun: env[V.dryRun],
    metricsNamespace: env[V.metricsNamespace],
  }));

/**
 * Reads the configuration from the environment (once, at cold start).
 * @throws {LoadSheddingConfigError} listing every bad or missing variable with its fix.
 */
export function parseLoadSheddingConfig(env: Env = process.env): LoadSheddingConfig {
  const result = loadSheddingEnvSchema.safeParse(env);
  if (result.success) {
    return Object.freeze({
      ...result.data,
      listenerArns: Object.freeze([...result.data.listenerArns]),
    });
  }
  const problems: ConfigProblem[] = result.error.issues.map((issue) => ({
    variable: String(issue.path[0] ?? 'environment'),
    message: issue.message,
  }));
  throw new LoadSheddingConfigError(problems);
}

/**
 * The environment variables for a configuration: what the construct sets on the functions.
 * `parseLoadSheddingConfig(toLoadSheddingEnvironment(config))` gives `config` back (an unset
 * `alarmType` leaves `ALARM_TYPE` out). Values are
 * written as they are (the construct may pass CDK tokens), so validate before if needed.
 */
export function toLoadSheddingEnvironment(config: LoadSheddingConfig): Record<string, string> {
  return {
    // Unset stays unset: an unknown alarm type is read as either kind, as before the variable.
    ...(config.alarmType === undefined ? {} : { [V.alarmType]: config.alarmType }),
    [V.primaryTargetGroupArn]: config.primaryTargetGroupArn,
    [V.listenerArns]: JSON.stringify(config.listenerArns),
    [V.alarmName]: config.alarmName,
    [V.shedPercent]: String(config.shedPercent),
    [V.restorePercent]: String(config.restorePercent),
    [V.maxShedPercent]: String(config.maxShedPercent),
    [V.shedDelaySeconds]: String(config.shedDelaySeconds),
    [V.restoreDelaySeconds]: String(config.restoreDelaySeconds),
    [V.maxInsufficientDataChecks]: String(config.maxInsufficientDataChecks),
    [V.stateTableName]: config.stateTableName,
    [V.checkQueueUrl]: config.checkQueueUrl,
    [V.dryRun]: String(config.dryRun),
    [V.metricsNamespace]: config.metricsNamespace,
  };
}

// ---------------------------------------------------------------------------------------------
// State table layout (the construct creates the table, the state store writes it)
// ---------------------------------------------------------------------------------------------

/** Partition key (type String) of the state table: the primary target group ARN. */
export const STATE_TABLE_PARTITION_KEY = 'pk';
/** TTL attribute (epoch seconds) of the state table; set on idle items only. */
export const STATE_TABLE_TTL_ATTRIBUTE = 'expiresAt';

// ---------------------------------------------------------------------------------------------
// EventBridge: CloudWatch Alarm State Change
// ---------------------------------------------------------------------------------------------

export const AlarmStateValues = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
export type AlarmStateValue = (typeof AlarmStateValues)[number];

// CloudWatch writes `2019-10-02T17:04:40.989+0000` (offset without a colon); accept ISO 8601 too.
const ALARM_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})$/;

/** Epoch milliseconds of an alarm state timestamp; `NaN` when it is not one. */
export function alarmTimestampMs(timestamp: string): number {
  return ALARM_TIMESTAMP.test(timestamp) ? Date.parse(timestamp) : Number.NaN;
}

const alarmStateSchema = z.looseObject({
  value: z.enum(AlarmStateValues),
  timestamp: z.string().refine((ts) => Number.isFinite(alarmTimestampMs(ts)), {
    error: 'must be a timestamp like 2019-10-02T17:04:40.989+0000',
  }),
  reason: z.string().optional(),
});

/**
 * The EventBridge event CloudWatch sends when an alarm (metric, metric-math or composite)
 * changes state. Only the fields the controller reads are checked; the rest pass through.
 */
export const alarmStateChangeEventSchema = EventBridgeSchema.extend({
  source: z.literal('aws.cloudwatch'),
  'detail-type': z.literal('CloudWatch Alarm State Change'),
  detail: z.looseObject({
    alarmName: z.string().min(1),
    state: alarmStateSchema,
    previousState: alarmStateSchema,
  }),
});

export type AlarmStateChangeEvent = z.infer<typeof alarmStateChangeEventSchema>;

/** The EventBridge pattern that matches the events of one alarm (for the construct's rule). */
export function alarmStateChangePattern(alarmArn: string): {
  source: string[];
  'detail-type': string[];
  resources: string[];
} {
  return {
    source: ['aws.cloudwatch'],
    'detail-type': ['CloudWatch Alarm State Change'],
    resources: [alarmArn],
  };
}

// ---------------------------------------------------------------------------------------------
// SQS: the delayed check message the controller sends itself
// ---------------------------------------------------------------------------------------------

/** Why a check was scheduled; for logs only, the check decides from the alarm state it reads. */
export const CheckReasons = ['shed', 'restore', 'bake', 'wait', 'insufficient-data'] as const;
export type CheckReason = (typeof CheckReasons)[number];

export const CHECK_MESSAGE_VERSION = 1;

const idSchema = z.string().min(1).max(128);

/**
 * Body of a check message, version 1. `chainId` + `checkId` must match the pending check of the
 * stored state, else the message is stale. `stateVersion` is the state version whose save
 * scheduled it: a check that arrives before that save has landed is deferred, not dropped
 * (the message is sent before the state is saved; see docs/load-shedding.md). Unknown fields
 * are dropped, so a later producer may add optional ones.
 */
export const checkMessageSchema = z.object({
  v: z.literal(CHECK_MESSAGE_VERSION),
  kind: z.literal('check'),
  primaryTargetGroupArn: targetGroupArnSchema,
  chainId: idSchema,
  checkId: idSchema,
  stateVersion: z.number().int().min(1),
  reason: z.enum(CheckReasons),
  correlationId: z.string().min(1).max(256),
  scheduledAt: z.iso.datetime(),
});

export type CheckMessage = z.infer<typeof checkMessageSchema>;

/** Zod issues as one line, `path: message; …`, naming `root` where the input itself is wrong. */
export function describeIssues(
  issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[],
  root = '(root)',
): string {
  return issues
    .map(
      (issue) =>
        `${issue.path.length > 0 ? issue.path.map(String).join('.') : root}: ${issue.message}`,
    )
    .join('; ');
}

/**
 * The SQS body of a check message.
 * @throws {CheckMessageError} when `message` does not match the schema (a bug in the sender).
 */
export function serializeCheckMessage(message: CheckMessage): string {
  const result = checkMessageSchema.safeParse(message);
  if (!result.success) {
    throw new CheckMessageError(
      `Refusing to send an invalid check message: ${describeIssues(result.error.issues, 'body')}.`,
    );
  }
  return JSON.stringify(result.data);
}

/**
 * Parses an SQS body into a check message.
 * @throws {CheckMessageError} when it is not JSON or not a version-1 check message; retrying
 * cannot fix it, so drop the message (or let it reach the dead-letter queue).
 */
export function parseCheckMessage(body: string): CheckMessage {
  let json: unknown;
  try {
    json = JSON.parse(body) as unknown;
  } catch (error) {
    throw new CheckMessageError(
      `The check message body is not JSON (${body.slice(0, 80)}): it was not sent by the ` +
        'load-shedding controller; drop it.',
      { cause: error },
    );
  }
  const result = checkMessageSchema.safeParse(json);
  if (!result.success) {
    throw new CheckMessageError(
      `The check message is not a version-${CHECK_MESSAGE_VERSION} check: ` +
        `${describeIssues(result.error.issues, 'body')}. Drop it; only the controller sends check messages.`,
    );
  }
  return result.data;
}

// ---------------------------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------------------------

/**
 * Metrics of the controller, recorded in `config.metricsNamespace`. Every one carries the
 * `PrimaryTargetGroup` dimension (`targetgroup/<name>/<id>`, as CloudWatch's ELB metrics).
 */
export const LoadSheddingMetricNames = Object.freeze({
  /** Percent: the primary's lowest share of traffic over its rules after a decision. */
  primaryWeight: 'PrimaryWeightPercent',
  /** Count, one per shed step (whatever the number of rules it wrote). */
  shedActions: 'ShedActions',
  /** Count, one per restore step. */
  restoreActions: 'RestoreActions',
  /** Count, one per rule whose live weights someone else changed (adopted as the baseline). */
  externalEdits: 'ExternalEdits',
  /** Count, one per rule whose last write did not land (retried by the next step). */
  writesNotLanded: 'WritesNotLanded',
  /** Count, one per chain started. */
  chainStarts: 'ChainStarts',
  /** Count, one per chain ended. Dimension `Reason`: restored | insufficient-data. */
  chainEnds: 'ChainEnds',
  /** Count of stale, duplicate or foreign triggers dropped. Dimension `Trigger`: event | check. */
  droppedTriggers: 'DroppedTriggers',
  /** Count of checks that arrived before the state that scheduled them (redelivered later). */
  deferredChecks: 'DeferredChecks',
  /** Count of conditional state writes lost to a concurrent invocation (recorded by handlers). */
  stateConflicts: 'StateConflicts',
} as const);

export type LoadSheddingMetricName =
  (typeof LoadSheddingMetricNames)[keyof typeof LoadSheddingMetricNames];

/** Dimension names of the controller's metrics. */
export const LoadSheddingDimensions = Object.freeze({
  primaryTargetGroup: 'PrimaryTargetGroup',
  reason: 'Reason',
  trigger: 'Trigger',
} as const);
