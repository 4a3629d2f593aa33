/**
 * The disaster-recovery contract: what the `DisasterRecoveryOrchestration` construct puts into the
 * environment, the events its two handlers accept, the table layouts and the metric names. The
 * construct, the handlers and the runtime library all import this module, so they can never
 * disagree on a variable name, a default, an event shape or a metric.
 *
 * Pure: zod only, no AWS SDK import.
 */
import { z } from 'zod';
import {
  type Env,
  received,
  splitList,
  unsetIfBlank,
  wholeNumberVariable,
} from '../common/env-schemas.js';
import { MetricNamespaces } from '../observability/namespaces.js';
import { DEFAULT_RETRY_CONFIG } from '../resilience/retry-config.js';
import { DrsConfigError, DrsEventError, type ConfigProblem } from './errors.js';

// ---------------------------------------------------------------------------------------------
// Identifiers
// ---------------------------------------------------------------------------------------------

const PARTITION = 'aws(?:-[a-z]+)*';
const REGION_PATTERN = '[a-z]{2}(?:-[a-z]+)+-\\d{1,2}';
/** An AWS region name such as `us-east-1` or `us-gov-west-1`. */
export const REGION = new RegExp(`^${REGION_PATTERN}$`);
/** A 12-digit AWS account id. */
export const ACCOUNT_ID = /^\d{12}$/;
/** DRS source server id (API reference: `^s-[0-9a-zA-Z]{17}$`). */
export const SOURCE_SERVER_ID = /^s-[0-9a-zA-Z]{17}$/;
/** DRS job id (API reference: `^drsjob-[0-9a-zA-Z]{17}$`). */
export const JOB_ID = /^drsjob-[0-9a-zA-Z]{17}$/;
/** DRS recovery instance id (an EC2 instance id). */
export const RECOVERY_INSTANCE_ID = /^i-[0-9a-fA-F]{8,21}$/;
/** An IAM role ARN; group 2 is its account. */
export const ROLE_ARN = new RegExp(`^arn:(${PARTITION}):iam::(\\d{12}):role/[\\w+=,.@/-]{1,512}$`);
const SNS_TOPIC_ARN = new RegExp(
  `^arn:${PARTITION}:sns:${REGION_PATTERN}:\\d{12}:[A-Za-z0-9_-]{1,256}(\\.fifo)?$`,
);
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const TABLE_ARN = new RegExp(
  `^arn:${PARTITION}:dynamodb:${REGION_PATTERN}:\\d{12}:table/[A-Za-z0-9_.-]{3,255}$`,
);

const ROLE_EXAMPLE = 'arn:aws:iam::123456789012:role/DrsOrchestration';
const TOPIC_EXAMPLE = 'arn:aws:sns:us-east-1:123456789012:DRS-RateLimitAlerts';

// ---------------------------------------------------------------------------------------------
// DRS quotas (Service Quotas service code `drs`)
// ---------------------------------------------------------------------------------------------

/** Service code of DRS in Service Quotas. */
export const DRS_SERVICE_CODE = 'drs';

/** The DRS quotas the throttler enforces; sources disagree on the values, so read them. */
export interface DrsQuotas {
  /** Jobs in PENDING or STARTED at once, per account and region. */
  readonly maxConcurrentJobs: number;
  /** Source servers in one StartRecovery job. */
  readonly maxServersPerJob: number;
  /** Source servers in all active jobs together, per account and region. */
  readonly maxServersInActiveJobs: number;
  /** Active jobs one source server may be in. */
  readonly maxJobsPerServer: number;
}

/** Service Quotas codes of the four quotas (AWS-FACTS.md). */
export const DrsQuotaCodes = Object.freeze({
  maxConcurrentJobs: 'L-D88FAC3A',
  maxServersPerJob: 'L-B827C881',
  maxServersInActiveJobs: 'L-05AFA8C6',
  maxJobsPerServer: 'L-DD6D028C',
} as const satisfies Record<keyof DrsQuotas, string>);

/** Values used when Service Quotas cannot be read (the documented defaults). */
export const DEFAULT_DRS_QUOTAS: DrsQuotas = Object.freeze({
  maxConcurrentJobs: 20,
  maxServersPerJob: 100,
  maxServersInActiveJobs: 500,
  maxJobsPerServer: 1,
});

/** StartRecovery accepts 1–200 source servers whatever the quota says. */
export const START_RECOVERY_MAX_SERVERS = 200;

// ---------------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------------

/** Handler modules under `src/disaster-recovery/handlers/` (entry `handler`). */
export const DrsHandlerFiles = Object.freeze({
  execution: 'execution.ts',
  query: 'query.ts',
} as const);

// ---------------------------------------------------------------------------------------------
// Environment
// ---------------------------------------------------------------------------------------------

/** Names of the environment variables the handlers read; the construct sets them. */
export const DrsEnvVars = Object.freeze({
  regions: 'DRS_REGIONS',
  crossAccountRoles: 'DRS_CROSS_ACCOUNT_ROLES',
  jobThreshold: 'DRS_JOB_THRESHOLD',
  throttlerTimeoutSeconds: 'DRS_THROTTLER_TIMEOUT_SECONDS',
  pollIntervalSeconds: 'DRS_POLL_INTERVAL_SECONDS',
  jobWindowHours: 'DRS_JOB_WINDOW_HOURS',
  limiterMode: 'DRS_LIMITER_MODE',
  limiterTableName: 'DRS_LIMITER_TABLE_NAME',
  ratePerSecond: 'DRS_RATE_PER_SECOND',
  burst: 'DRS_BURST',
  leaseTableName: 'DRS_LEASE_TABLE_NAME',
  leaseTtlSeconds: 'DRS_LEASE_TTL_SECONDS',
  alertTopicArn: 'DRS_ALERTS_TOPIC_ARN',
  quotaCacheSeconds: 'DRS_QUOTA_CACHE_SECONDS',
  maxRetries: 'DRS_MAX_RETRIES',
  quotaMaxConcurrentJobs: 'DRS_QUOTA_MAX_CONCURRENT_JOBS',
  quotaMaxServersPerJob: 'DRS_QUOTA_MAX_SERVERS_PER_JOB',
  quotaMaxServersInActiveJobs: 'DRS_QUOTA_MAX_SERVERS_IN_ACTIVE_JOBS',
  quotaMaxJobsPerServer: 'DRS_QUOTA_MAX_JOBS_PER_SERVER',
} as const);

/** Where the DRS request-rate limit lives: this container only, or shared by the account. */
export const LimiterModes = ['local', 'shared'] as const;
export type LimiterMode = (typeof LimiterModes)[number];

/** The configuration of both handlers, parsed once at cold start. */
export interface DisasterRecoveryConfig {
  /** Regions the account-capacity query covers (and the only ones events may name). */
  readonly regions: readonly string[];
  /** Role to assume per target account id; the handler's own account needs none. @default {} */
  readonly crossAccountRoles: Readonly<Record<string, string>>;
  /**
   * Most active (PENDING/STARTED) jobs the orchestration lets exist per account and region; the
   * throttler uses the lower of this and the concurrent-jobs quota. @default 20
   */
  readonly jobThreshold: number;
  /** How long `waitForCapacity` waits before it gives up, in seconds. @default 600 */
  readonly throttlerTimeoutSeconds: number;
  /** Seconds between capacity checks while waiting. @default 30 */
  readonly pollIntervalSeconds: number;
  /** How far back DescribeJobs looks for active jobs, in hours. @default 24 */
  readonly jobWindowHours: number;
  /** Request-rate limiter of DRS calls. @default 'local' */
  readonly limiterMode: LimiterMode;
  /** DynamoDB table of the shared limiter; required when `limiterMode` is `shared`. */
  readonly limiterTableName?: string;
  /** DRS requests per second per account and region. @default 10 */
  readonly ratePerSecond: number;
  /** Burst of the DRS limiter (token bucket capacity). @default 20 */
  readonly burst: number;
  /**
   * DynamoDB table of the capacity leases that guard "count then start" between concurrent
   * invocations. Unset: no lease (only safe with a single concurrent invocation).
   */
  readonly leaseTableName?: string;
  /** A lease a crashed invocation left behind stops counting after this many seconds. @default 900 */
  readonly leaseTtlSeconds: number;
  /** SNS topic of escalations. Unset: escalations are logged only. */
  readonly alertTopicArn?: string;
  /** How long quota values read from Service Quotas are reused, in seconds. @default 300 */
  readonly quotaCacheSeconds: number;
  /** Retries of a throttled or failed DRS call after the first attempt. @default 5 */
  readonly maxRetries: number;
  /** Quota values used when Service Quotas cannot be read. @default DEFAULT_DRS_QUOTAS */
  readonly quotaFallbacks: DrsQuotas;
}

/** Defaults of the optional settings; the construct documents them with `@default`. */
export const DrsDefaults = Object.freeze({
  jobThreshold: 20,
  throttlerTimeoutSeconds: 600,
  pollIntervalSeconds: 30,
  jobWindowHours: 24,
  limiterMode: 'local',
  ratePerSecond: 10,
  burst: 20,
  leaseTtlSeconds: 900,
  quotaCacheSeconds: 300,
  maxRetries: 5,
} as const satisfies Partial<DisasterRecoveryConfig>);

/**
 * The shortest lease TTL that outlives a start: the throttler's wait plus the retries of the
 * StartRecovery call (each backs off at most the retry layer's delay cap). A shorter TTL lets a
 * lease or an idempotency claim lapse while its holder still starts the job, so a duplicate
 * delivery could take the claim over and start a second job.
 */
export function minimumLeaseTtlSeconds(
  throttlerTimeoutSeconds: number,
  maxRetries: number,
): number {
  return throttlerTimeoutSeconds + Math.ceil((maxRetries * DEFAULT_RETRY_CONFIG.maxDelayMs) / 1000);
}

/** CloudWatch namespace of every DRS metric (the spec's alarms depend on it). */
export const DRS_METRICS_NAMESPACE = MetricNamespaces.disasterRecovery;

const V = DrsEnvVars;

function positiveNumber(variable: string, max: number, fallback: number, fix: string) {
  const problem = (input: unknown): string =>
    `${variable} must be a number above 0 and at most ${max}, ${received(input)}: ${fix}, ` +
    `or unset it to use the default (${fallback}).`;
  return z.preprocess(
    unsetIfBlank,
    z
      .string()
      .trim()
      .regex(/^\d+(\.\d+)?$/, { error: (issue) => problem(issue.input) })
      .transform(Number)
      .pipe(
        z
          .number()
          .gt(0, { error: (issue) => problem(issue.input) })
          .max(max, { error: (issue) => problem(issue.input) }),
      )
      .default(fallback),
  );
}

function tableName(variable: string, what: string) {
  return z.preprocess(
    unsetIfBlank,
    z
      .string()
      .trim()
      .refine((name) => TABLE_NAME.test(name) || TABLE_ARN.test(name), {
        error: (issue) =>
          `${variable} must be a DynamoDB table name (3–255 letters, digits, _ . -) or table ` +
          `ARN, got '${String(issue.input)}': set it to the ${what} table the construct created.`,
      })
      .optional(),
  );
}

const regionsVariable = z.preprocess(
  unsetIfBlank,
  z
    .string({
      error: (issue) =>
        `${V.regions} must list the DRS regions, ${received(issue.input)}: set it to a JSON ` +
        'array or a comma-separated list such as us-east-1,us-west-2.',
    })
    .transform((raw, ctx) => {
      const list = splitList(raw);
      const isString = (entry: unknown): entry is string => typeof entry === 'string';
      if (!Array.isArray(list) || !list.every(isString) || list.length === 0) {
        ctx.addIssue({
          code: 'custom',
          message:
            `${V.regions} must be a non-empty JSON array of strings or a comma-separated list, ` +
            `got '${raw}': write ["us-east-1","us-west-2"] or us-east-1,us-west-2.`,
        });
        return z.NEVER;
      }
      const entries: string[] = list;
      const seen = new Set<string>();
      entries.forEach((region, i) => {
        if (!REGION.test(region)) {
          ctx.addIssue({
            code: 'custom',
            message: `${V.regions}[${i}] must be a region name like us-east-1, got '${region}'.`,
          });
        } else if (seen.has(region)) {
          ctx.addIssue({
            code: 'custom',
            message: `${V.regions}[${i}] repeats '${region}': list each region once.`,
          });
        }
        seen.add(region);
      });
      return entries;
    }),
);

const crossAccountRolesVariable = z.preprocess(
  unsetIfBlank,
  z
    .string()
    .transform((raw, ctx): Record<string, string> => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw) as unknown;
      } catch {
        parsed = undefined;
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        ctx.addIssue({
          code: 'custom',
          message:
            `${V.crossAccountRoles} must be a JSON object from account id to role ARN, got ` +
            `'${raw}': write {"123456789012":"${ROLE_EXAMPLE}"}, or unset it when every ` +
            'recovery runs in the handler’s own account.',
        });
        return z.NEVER;
      }
      const roles: Record<string, string> = {};
      for (const [account, role] of Object.entries(parsed)) {
        const match = typeof role === 'string' ? ROLE_ARN.exec(role) : null;
        if (!ACCOUNT_ID.test(account)) {
          ctx.addIssue({
            code: 'custom',
            message: `${V.crossAccountRoles} key '${account}' must be a 12-digit account id.`,
          });
        } else if (!match) {
          ctx.addIssue({
            code: 'custom',
            message:
              `${V.crossAccountRoles}["${account}"] must be an IAM role ARN like ` +
              `${ROLE_EXAMPLE}, got ${JSON.stringify(role)}.`,
          });
        } else if (match[2] !== account) {
          ctx.addIssue({
            code: 'custom',
            message:
              `${V.crossAccountRoles}["${account}"] names a role of account ${match[2]}: the ` +
              'role to assume must live in the account whose DRS it drives.',
          });
        } else {
          roles[account] = role as string;
        }
      }
      return roles;
    })
    .default({}),
);

/**
 * The zod schema of the environment (keys are variable names, so every issue's path names its
 * variable); the output is a {@link DisasterRecoveryConfig}. Prefer
 * {@link parseDisasterRecoveryConfig}, which turns issues into one readable error.
 */
export const disasterRecoveryEnvSchema = z
  .object({
    [V.regions]: regionsVariable,
    [V.crossAccountRoles]: crossAccountRolesVariable,
    [V.jobThreshold]: wholeNumberVariable(
      V.jobThreshold,
      1,
      1000,
      DrsDefaults.jobThreshold,
      'set it to the most active DRS jobs the orchestration may run per account and region',
    ),
    [V.throttlerTimeoutSeconds]: wholeNumberVariable(
      V.throttlerTimeoutSeconds,
      1,
      3600,
      DrsDefaults.throttlerTimeoutSeconds,
      'set it to how long a wave may wait for DRS job capacity (keep it below the function timeout)',
    ),
    [V.pollIntervalSeconds]: wholeNumberVariable(
      V.pollIntervalSeconds,
      1,
      600,
      DrsDefaults.pollIntervalSeconds,
      'set it to the seconds between capacity checks while waiting',
    ),
    [V.jobWindowHours]: wholeNumberVariable(
      V.jobWindowHours,
      1,
      720,
      DrsDefaults.jobWindowHours,
      'set it to how many hours back a job may have started and still be running',
    ),
    [V.limiterMode]: z.preprocess(
      unsetIfBlank,
      z
        .string()
        .trim()
        .toLowerCase()
        .pipe(
          z.enum(LimiterModes, {
            error: (issue) =>
              `${V.limiterMode} must be 'local' or 'shared', got '${String(issue.input)}': ` +
              "'shared' limits the whole account through a DynamoDB table, 'local' each container.",
          }),
        )
        .default(DrsDefaults.limiterMode),
    ),
    [V.limiterTableName]: tableName(V.limiterTableName, 'shared-limiter'),
    [V.ratePerSecond]: positiveNumber(
      V.ratePerSecond,
      1000,
      DrsDefaults.ratePerSecond,
      'set it to the DRS requests per second allowed per account and region',
    ),
    [V.burst]: positiveNumber(
      V.burst,
      10000,
      DrsDefaults.burst,
      'set it to how many DRS requests may go out at once after a quiet period',
    ),
    [V.leaseTableName]: tableName(V.leaseTableName, 'lease'),
    [V.leaseTtlSeconds]: wholeNumberVariable(
      V.leaseTtlSeconds,
      60,
      86_400,
      DrsDefaults.leaseTtlSeconds,
      'set it to how long capacity held by a crashed invocation stays reserved',
    ),
    [V.alertTopicArn]: z.preprocess(
      unsetIfBlank,
      z
        .string()
        .trim()
        .refine((arn) => SNS_TOPIC_ARN.test(arn), {
          error: (issue) =>
            `${V.alertTopicArn} must be an SNS topic ARN like ${TOPIC_EXAMPLE}, got ` +
            `'${String(issue.input)}': set it to the alert topic, or unset it to log escalations only.`,
        })
        .optional(),
    ),
    [V.quotaCacheSeconds]: wholeNumberVariable(
      V.quotaCacheSeconds,
      0,
      86_400,
      DrsDefaults.quotaCacheSeconds,
      'set it to how long quota values read from Service Quotas are reused',
    ),
    [V.maxRetries]: wholeNumberVariable(
      V.maxRetries,
      0,
      20,
      DrsDefaults.maxRetries,
      'set it to the retries of a throttled DRS call',
    ),
    [V.quotaMaxConcurrentJobs]: wholeNumberVariable(
      V.quotaMaxConcurrentJobs,
      1,
      10_000,
      DEFAULT_DRS_QUOTAS.maxConcurrentJobs,
      `set it to your concurrent-jobs quota (${DrsQuotaCodes.maxConcurrentJobs})`,
    ),
    [V.quotaMaxServersPerJob]: wholeNumberVariable(
      V.quotaMaxServersPerJob,
      1,
      START_RECOVERY_MAX_SERVERS,
      DEFAULT_DRS_QUOTAS.maxServersPerJob,
      `set it to your servers-per-job quota (${DrsQuotaCodes.maxServersPerJob})`,
    ),
    [V.quotaMaxServersInActiveJobs]: wholeNumberVariable(
      V.quotaMaxServersInActiveJobs,
      1,
      100_000,
      DEFAULT_DRS_QUOTAS.maxServersInActiveJobs,
      `set it to your servers-in-all-jobs quota (${DrsQuotaCodes.maxServersInActiveJobs})`,
    ),
    [V.quotaMaxJobsPerServer]: wholeNumberVariable(
      V.quotaMaxJobsPerServer,
      1,
      100,
      DEFAULT_DRS_QUOTAS.maxJobsPerServer,
      `set it to your jobs-per-server quota (${DrsQuotaCodes.maxJobsPerServer})`,
    ),
  })
  .superRefine((env, ctx) => {
    if (env[V.limiterMode] === 'shared' && env[V.limiterTableName] === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [V.limiterTableName],
        message:
          `${V.limiterTableName} is not set, but ${V.limiterMode} is 'shared': set it to the ` +
          "shared-limiter table the construct created, or set the mode to 'local'.",
      });
    }
    if (env[V.pollIntervalSeconds] > env[V.throttlerTimeoutSeconds]) {
      ctx.addIssue({
        code: 'custom',
        path: [V.pollIntervalSeconds],
        message:
          `${V.pollIntervalSeconds} (${env[V.pollIntervalSeconds]}) is longer than ` +
          `${V.throttlerTimeoutSeconds} (${env[V.throttlerTimeoutSeconds]}): a wait would end ` +
          'before its second check; lower the interval or raise the timeout.',
      });
    }
    const leaseFloor = minimumLeaseTtlSeconds(env[V.throttlerTimeoutSeconds], env[V.maxRetries]);
    if (env[V.leaseTtlSeconds] < leaseFloor) {
      ctx.addIssue({
        code: 'custom',
        path: [V.leaseTtlSeconds],
        message:
          `${V.leaseTtlSeconds} (${env[V.leaseTtlSeconds]}) is shorter than ` +
          `${V.throttlerTimeoutSeconds} (${env[V.throttlerTimeoutSeconds]}) plus the retry ` +
          `budget of ${V.maxRetries} (${env[V.maxRetries]} × ` +
          `${DEFAULT_RETRY_CONFIG.maxDelayMs / 1000} s): a claim could lapse while its holder ` +
          `still starts the job, and a duplicate delivery start a second one. Set it to at ` +
          `least ${leaseFloor}, or lower the timeout or the retries.`,
      });
    }
  })
  .transform((env): DisasterRecoveryConfig => ({
    regions: env[V.regions],
    crossAccountRoles: env[V.crossAccountRoles],
    jobThreshold: env[V.jobThreshold],
    throttlerTimeoutSeconds: env[V.throttlerTimeoutSeconds],
    pollIntervalSeconds: env[V.pollIntervalSeconds],
    jobWindowHours: env[V.jobWindowHours],
    limiterMode: env[V.limiterMode],
    ...(env[V.limiterTableName] === undefined ? {} : { limiterTableName: env[V.limiterTableName] }),
    ratePerSecond: env[V.ratePerSecond],
    burst: env[V.burst],
    ...(env[V.leaseTableName] === undefined ? {} : { leaseTableName: env[V.leaseTableName] }),
    leaseTtlSeconds: env[V.leaseTtlSeconds],
    ...(env[V.alertTopicArn] === undefined ? {} : { alertTopicArn: env[V.alertTopicArn] }),
    quotaCacheSeconds: env[V.quotaCacheSeconds],
    maxRetries: env[V.maxRetries],
    quotaFallbacks: {
      maxConcurrentJobs: env[V.quotaMaxConcurrentJobs],
      maxServersPerJob: env[V.quotaMaxServersPerJob],
      maxServersInActiveJobs: env[V.quotaMaxServersInActiveJobs],
      maxJobsPerServer: env[V.quotaMaxJobsPerServer],
    },
  }));

function problemsOf(issues: readonly z.core.$ZodIssue[]): ConfigProblem[] {
  return issues.map((issue) => ({
    variable: String(issue.path[0] ?? 'environment'),
    message: issue.message,
  }));
}

/**
 * Reads the configuration from the environment (once, at cold start).
 * @throws {DrsConfigError} listing every bad or missing variable with its fix.
 */
export function parseDisasterRecoveryConfig(env: Env = process.env): DisasterRecoveryConfig {
  const result = disasterRecoveryEnvSchema.safeParse(env);
  if (!result.success) throw new DrsConfigError(problemsOf(result.error.issues));
  const config = result.data;
  return Object.freeze({
    ...config,
    regions: Object.freeze([...config.regions]),
    crossAccountRoles: Object.freeze({ ...config.crossAccountRoles }),
    quotaFallbacks: Object.freeze({ ...config.quotaFallbacks }),
  });
}

/**
 * The environment variables for a configuration: what the construct sets on the functions.
 * `parseDisasterRecoveryConfig(toDisasterRecoveryEnvironment(c))` gives `c` back. Values are
 * written as they are (the construct may pass CDK tokens), so validate before if needed.
 */
export function toDisasterRecoveryEnvironment(
  config: DisasterRecoveryConfig,
): Record<string, string> {
  return {
    [V.regions]: JSON.stringify(config.regions),
    [V.crossAccountRoles]: JSON.stringify(config.crossAccountRoles),
    [V.jobThreshold]: String(config.jobThreshold),
    [V.throttlerTimeoutSeconds]: String(config.throttlerTimeoutSeconds),
    [V.pollIntervalSeconds]: String(config.pollIntervalSeconds),
    [V.jobWindowHours]: String(config.jobWindowHours),
    [V.limiterMode]: config.limiterMode,
    ...(config.limiterTableName === undefined
      ? {}
      : { [V.limiterTableName]: config.limiterTableName }),
    [V.ratePerSecond]: String(config.ratePerSecond),
    [V.burst]: String(config.burst),
    ...(config.leaseTableName === undefined ? {} : { [V.leaseTableName]: config.leaseTableName }),
    [V.leaseTtlSeconds]: String(config.leaseTtlSeconds),
    ...(config.alertTopicArn === undefined ? {} : { [V.alertTopicArn]: config.alertTopicArn }),
    [V.quotaCacheSeconds]: String(config.quotaCacheSeconds),
    [V.maxRetries]: String(config.maxRetries),
    [V.quotaMaxConcurrentJobs]: String(config.quotaFallbacks.maxConcurrentJobs),
    [V.quotaMaxServersPerJob]: String(config.quotaFallbacks.maxServersPerJob),
    [V.quotaMaxServersInActiveJobs]: String(config.quotaFallbacks.maxServersInActiveJobs),
    [V.quotaMaxJobsPerServer]: String(config.quotaFallbacks.maxJobsPerServer),
  };
}

// ---------------------------------------------------------------------------------------------
// Tables (the construct creates them; the lease store and the shared limiter write them)
// ---------------------------------------------------------------------------------------------

/**
 * Layout shared by the lease table and the shared-limiter table (they may be one table: their
 * keys never collide). Partition key only, type String; TTL on {@link DRS_TABLE_TTL_ATTRIBUTE}.
 */
export const DRS_TABLE_PARTITION_KEY = 'pk';
/** TTL attribute (epoch seconds): expired leases and idle limiter items disappear. */
export const DRS_TABLE_TTL_ATTRIBUTE = 'expiresAt';

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

const waveId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, {
    error: 'must be 1–64 letters, digits, _ . : or - (it becomes part of idempotency keys)',
  });
const region = z.string().regex(REGION, { error: 'must be a region name like us-east-1' });
const accountId = z
  .string()
  .regex(ACCOUNT_ID, { error: 'must be a 12-digit account id' })
  .optional();
const unique = <T extends z.ZodType<string>>(item: T, what: string, max: number) =>
  z
    .array(item)
    .min(1, { error: `must list at least one ${what}` })
    .max(max, { error: `lists more than ${max} ${what}s` })
    .refine((ids) => new Set(ids).size === ids.length, { error: `repeats a ${what}` });

/** Start recovery (or a drill) for a wave: split into jobs within the quotas, each throttled. */
export const startWaveEventSchema = z.object({
  action: z.literal('startWave'),
  waveId,
  sourceServerIds: unique(
    z.string().regex(SOURCE_SERVER_ID, { error: 'must be a DRS source server id like s-…' }),
    'source server id',
    10_000,
  ),
  isDrill: z.boolean(),
  region,
  accountId,
});

/** Status of the jobs a startWave returned. */
export const waveStatusEventSchema = z.object({
  action: z.literal('waveStatus'),
  waveId,
  jobIds: unique(
    z.string().regex(JOB_ID, { error: 'must be a DRS job id like drsjob-…' }),
    'job id',
    1000,
  ),
  region,
  accountId,
});

/** Terminate recovery instances (the end of a drill). */
export const terminateEventSchema = z.object({
  action: z.literal('terminate'),
  waveId: waveId.optional(),
  recoveryInstanceIds: unique(
    z.string().regex(RECOVERY_INSTANCE_ID, { error: 'must be a recovery instance id like i-…' }),
    'recovery instance id',
    1000,
  ),
  region,
  accountId,
});

export const executionEventSchema = z.discriminatedUnion('action', [
  startWaveEventSchema,
  waveStatusEventSchema,
  terminateEventSchema,
]);
export type StartWaveEvent = z.infer<typeof startWaveEventSchema>;
export type WaveStatusEvent = z.infer<typeof waveStatusEventSchema>;
export type TerminateEvent = z.infer<typeof terminateEventSchema>;
export type ExecutionEvent = z.infer<typeof executionEventSchema>;

/** Capacity of one region: replicating servers, active jobs, servers in jobs vs. quotas. */
export const regionalCapacityEventSchema = z.object({
  action: z.literal('regionalCapacity'),
  region,
  accountId,
});

/** Capacity of every region (default: the configured ones), queried concurrently. */
export const accountCapacityEventSchema = z.object({
  action: z.literal('accountCapacity'),
  regions: z
    .array(region)
    .min(1)
    .refine((r) => new Set(r).size === r.length, { error: 'repeats a region' })
    .optional(),
  accountId,
});

export const queryEventSchema = z.discriminatedUnion('action', [
  regionalCapacityEventSchema,
  accountCapacityEventSchema,
]);
export type RegionalCapacityEvent = z.infer<typeof regionalCapacityEventSchema>;
export type AccountCapacityEvent = z.infer<typeof accountCapacityEventSchema>;
export type QueryEvent = z.infer<typeof queryEventSchema>;

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((i) => `${i.path.length > 0 ? i.path.map(String).join('.') : '(event)'}: ${i.message}`)
    .join('; ');
}

/** @throws {DrsEventError} naming every bad field of an execution event. */
export function parseExecutionEvent(event: unknown): ExecutionEvent {
  const result = executionEventSchema.safeParse(event);
  if (result.success) return result.data;
  throw new DrsEventError(
    `Invalid execution event: ${describeIssues(result.error.issues)}. Expected ` +
      "{ action: 'startWave' | 'waveStatus' | 'terminate', region, … } (see contract.ts).",
  );
}

/** @throws {DrsEventError} naming every bad field of a query event. */
export function parseQueryEvent(event: unknown): QueryEvent {
  const result = queryEventSchema.safeParse(event);
  if (result.success) return result.data;
  throw new DrsEventError(
    `Invalid query event: ${describeIssues(result.error.issues)}. Expected ` +
      "{ action: 'regionalCapacity', region } or { action: 'accountCapacity', regions? }.",
  );
}

// ---------------------------------------------------------------------------------------------
// Metrics (namespace DRS_METRICS_NAMESPACE)
// ---------------------------------------------------------------------------------------------

/** Metric names the DRS layer records. */
export const DrsMetricNames = Object.freeze({
  /** Count per throttling/quota error. Dimensions: Service=drs + ErrorType, and Service=drs alone. */
  rateLimitErrors: 'RateLimitErrors',
  /** Count per retry. Dimensions: Service=drs, Attempt (1 = first retry). */
  retries: 'Retries',
  /** Count per call that ran out of retries. Dimensions: Service=drs. */
  retriesExhausted: 'RetriesExhausted',
  /** Count per logical call. Dimensions: Service=drs, Operation, Outcome (Success|Failure). */
  apiCalls: 'ApiCalls',
  /** Count per throttler wait that timed out. Dimensions: Service=drs. */
  throttlerTimeouts: 'ThrottlerTimeouts',
  /** Seconds a wave waited for job capacity. Dimensions: Service=drs. */
  throttlerWaitTime: 'ThrottlerWaitTime',
  /** Count per escalation published (or logged). Dimensions: Service=drs, Reason. */
  escalations: 'Escalations',
} as const);

/** Dimension names of the DRS metrics. */
export const DrsMetricDimensions = Object.freeze({
  service: 'Service',
  errorType: 'ErrorType',
  attempt: 'Attempt',
  operation: 'Operation',
  outcome: 'Outcome',
  reason: 'Reason',
} as const);

/** Value of the `Service` dimension every DRS metric carries. */
export const DRS_SERVICE_DIMENSION = 'drs';

/**
 * The exact metric + dimension set the construct's alarms watch (spec: ≥ 10 rate-limit errors
 * in 5 min, ≥ 3 exhausted retries in 5 min). Both are recorded with this one dimension.
 */
export const DrsAlarmMetrics = Object.freeze({
  rateLimitErrors: {
    metricName: DrsMetricNames.rateLimitErrors,
    dimensions: { Service: DRS_SERVICE_DIMENSION },
    threshold: 10,
    periodSeconds: 300,
  },
  retriesExhausted: {
    metricName: DrsMetricNames.retriesExhausted,
    dimensions: { Service: DRS_SERVICE_DIMENSION },
    threshold: 3,
    periodSeconds: 300,
  },
} as const);

/** Default name of the alert topic the construct creates when none is given. */
export const DEFAULT_ALERT_TOPIC_NAME = 'DRS-RateLimitAlerts';
