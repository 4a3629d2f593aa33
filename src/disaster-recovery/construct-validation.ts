/**
 * Synth-time validation of DisasterRecoveryOrchestrationProps: every problem found, each naming
 * its prop and saying how to fix it, before any resource is created. Tokens are not checked.
 *
 * Hand-written rather than a zod schema (like LoadShedding's): the props hold CDK objects
 * (Duration, ITopic) and cross-field rules (throttler timeout against the function timeout).
 */
import { Duration, Token } from 'aws-cdk-lib';
import {
  formatPropIssues,
  type PropIssue,
  PropIssues,
  renameFunctionIssues,
} from '../common/prop-issues.js';
import { REGION, ROLE_ARN } from './contract.js';
import { DisasterRecoveryError } from './errors.js';
import {
  DISASTER_RECOVERY_CONSTRUCT_DEFAULTS as D,
  DISASTER_RECOVERY_RESOURCE_SETTINGS as S,
  DR_NAME_PREFIX_MAX_LENGTH,
} from './construct-props.js';
import type { DisasterRecoveryOrchestrationProps } from './construct-props.js';

export type { PropIssue };

/**
 * One or more DisasterRecoveryOrchestration props are invalid. Raised at synth time before any
 * resource is created, with every problem found; `issues` names each prop.
 */
export class DisasterRecoveryValidationError extends DisasterRecoveryError {
  readonly issues: readonly PropIssue[];

  constructor(constructId: string, issues: readonly PropIssue[]) {
    super(formatPropIssues('DisasterRecoveryOrchestration', constructId, issues));
    this.name = 'DisasterRecoveryValidationError';
    this.issues = Object.freeze([...issues]);
  }
}

const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
// Deliberately loose: SNS checks the address when it sends the confirmation.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const NAME_PREFIX = /^[a-zA-Z0-9-_]+$/;

class Issues extends PropIssues {
  /** An optional number within [min, max] (whole when `integer`); tokens pass. */
  number(
    prop: string,
    value: unknown,
    range: { min: number; max: number; integer?: boolean },
    fallback: number,
  ): void {
    if (value === undefined || (typeof value === 'number' && Token.isUnresolved(value))) return;
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (!range.integer || Number.isInteger(value)) &&
      value >= range.min &&
      value <= range.max;
    if (!ok) {
      const kind = range.integer ? 'a whole number' : 'a number';
      this.add(
        prop,
        `must be ${kind} from ${range.min} to ${range.max}; got ${JSON.stringify(value)}. Fix it, or leave it unset for the default (${fallback}).`,
      );
    }
  }

  /** Whole seconds of an optional Duration within [min, max]; `undefined` when invalid/unset. */
  seconds(prop: string, value: unknown, min: number, max: number): number | undefined {
    if (value === undefined) return undefined;
    if (!(value instanceof Duration)) {
      this.add(prop, `must be a Duration, e.g. Duration.seconds(${max}).`);
      return undefined;
    }
    if (value.isUnresolved()) return undefined;
    const seconds = value.toSeconds({ integral: false });
    if (!Number.isInteger(seconds) || seconds < min || seconds > max) {
      this.add(prop, `must be whole seconds from ${min} to ${max}; got ${seconds} s.`);
      return undefined;
    }
    return seconds;
  }

  /** A list of unique literal strings that each match `test`; tokens pass. */
  uniqueStrings(
    prop: string,
    values: readonly unknown[],
    test: (value: string) => boolean,
    expected: string,
  ): void {
    const seen = new Map<string, number>();
    values.forEach((value, index) => {
      const at = `${prop}[${index}]`;
      if (typeof value !== 'string') {
        this.add(at, `must be a string: ${expected}; got ${JSON.stringify(value)}.`);
        return;
      }
      if (Token.isUnresolved(value)) return;
      if (!test(value)) {
        this.add(at, `must be ${expected}; got '${value}'.`);
        return;
      }
      const first = seen.get(value);
      if (first !== undefined) {
        this.add(at, `repeats ${prop}[${first}] ('${value}'): list each once.`);
        return;
      }
      seen.set(value, index);
    });
  }
}

/**
 * Checks every prop (but the function settings MonitoredFunction checks itself) and returns
 * every problem found; empty when the props are valid.
 */
export function validateDisasterRecoveryProps(
  props: DisasterRecoveryOrchestrationProps,
): PropIssue[] {
  const issues = new Issues();
  validateRegions(issues, props.regions);
  validateRoles(issues, props.crossAccountRoleArns);
  validateAlerts(issues, props.alerts);
  validateRateLimit(issues, props.rateLimit);
  validateTiming(issues, props);
  issues.number(
    'alarms.rateLimitErrorThreshold',
    props.alarms?.rateLimitErrorThreshold,
    { min: 1, max: 100_000, integer: true },
    D.rateLimitErrorThreshold,
  );
  issues.number(
    'alarms.retriesExhaustedThreshold',
    props.alarms?.retriesExhaustedThreshold,
    { min: 1, max: 100_000, integer: true },
    D.retriesExhaustedThreshold,
  );
  validateNamePrefix(issues, props.functions?.namePrefix);
  return issues.all();
}

function validateRegions(issues: Issues, regions: unknown): void {
  if (!Array.isArray(regions) || regions.length === 0) {
    issues.add(
      'regions',
      "must list at least one region whose DRS the handlers use, e.g. ['us-east-1', 'us-west-2'].",
    );
    return;
  }
  issues.uniqueStrings(
    'regions',
    regions,
    (region) => REGION.test(region),
    'an AWS region code like us-east-1',
  );
}

function validateRoles(issues: Issues, roles: unknown): void {
  if (roles === undefined) return;
  if (!Array.isArray(roles)) {
    issues.add('crossAccountRoleArns', 'must be an array of IAM role ARNs.');
    return;
  }
  const accounts = new Map<string, number>();
  roles.forEach((arn: unknown, index) => {
    const prop = `crossAccountRoleArns[${index}]`;
    if (typeof arn === 'string' && Token.isUnresolved(arn)) {
      issues.add(
        prop,
        'must be a literal role ARN, not a token: the handlers pick the role by the account id in it.',
      );
      return;
    }
    const match = typeof arn === 'string' ? ROLE_ARN.exec(arn) : null;
    if (!match) {
      issues.add(
        prop,
        `must be an IAM role ARN like arn:aws:iam::210987654321:role/DrsOrchestration; got ${JSON.stringify(arn)}.`,
      );
      return;
    }
    const first = accounts.get(match[2]);
    if (first !== undefined) {
      issues.add(
        prop,
        `is a second role of account ${match[2]} (after crossAccountRoleArns[${first}]): give one role per account.`,
      );
      return;
    }
    accounts.set(match[2], index);
  });
}

function validateAlerts(
  issues: Issues,
  alerts: DisasterRecoveryOrchestrationProps['alerts'],
): void {
  if (alerts === undefined) return;
  const name: unknown = alerts.topicName;
  if (name !== undefined) {
    if (alerts.topic !== undefined) {
      issues.add(
        'alerts.topicName',
        'names the topic the construct creates, but alerts.topic is given: remove one of them.',
      );
    } else if (typeof name !== 'string' || (!Token.isUnresolved(name) && !TOPIC_NAME.test(name))) {
      issues.add(
        'alerts.topicName',
        `must be 1–256 characters of a-z, A-Z, 0-9, - and _; got ${JSON.stringify(name)}.`,
      );
    }
  }
  if (alerts.emails !== undefined) {
    issues.uniqueStrings(
      'alerts.emails',
      alerts.emails,
      (email) => EMAIL.test(email),
      'an email address like ops@example.com',
    );
  }
}

function validateRateLimit(
  issues: Issues,
  rateLimit: DisasterRecoveryOrchestrationProps['rateLimit'],
): void {
  if (rateLimit === undefined) return;
  const limiter: unknown = rateLimit.limiter;
  if (limiter !== undefined && limiter !== 'local' && limiter !== 'shared') {
    issues.add(
      'rateLimit.limiter',
      `must be 'local' (one bucket per Lambda container) or 'shared' (one DynamoDB bucket for all); got ${JSON.stringify(limiter)}.`,
    );
  }
  issues.number(
    'rateLimit.ratePerSecond',
    rateLimit.ratePerSecond,
    { min: 0.1, max: 100 },
    D.ratePerSecond,
  );
  issues.number('rateLimit.burst', rateLimit.burst, { min: 1, max: 1000, integer: true }, D.burst);
  const rate = rateLimit.ratePerSecond ?? D.ratePerSecond;
  const burst = rateLimit.burst ?? D.burst;
  if (
    !Token.isUnresolved(rate) &&
    !Token.isUnresolved(burst) &&
    Number.isFinite(rate) &&
    Number.isFinite(burst) &&
    burst < rate
  ) {
    issues.add(
      'rateLimit.burst',
      `(${burst}) is below rateLimit.ratePerSecond (${rate}): the bucket could never hold one second of requests. Raise the burst or lower the rate.`,
    );
  }
}

function validateTiming(issues: Issues, props: DisasterRecoveryOrchestrationProps): void {
  issues.number(
    'jobThrottler.maxActiveJobs',
    props.jobThrottler?.maxActiveJobs,
    { min: 1, max: 1000, integer: true },
    D.maxActiveJobs,
  );
  const waitSeconds = issues.seconds(
    'jobThrottler.timeout',
    props.jobThrottler?.timeout,
    1,
    S.maxThrottlerTimeoutSeconds,
  );
  const pollSeconds = issues.seconds(
    'jobThrottler.pollInterval',
    props.jobThrottler?.pollInterval,
    1,
    600,
  );
  const functionSeconds = issues.seconds(
    'functions.timeout',
    props.functions?.timeout,
    S.minFunctionTimeoutSeconds,
    S.maxFunctionTimeoutSeconds,
  );
  const wait = waitSeconds ?? secondsOf(props.jobThrottler?.timeout, D.jobThrottlerTimeout);
  const poll = pollSeconds ?? secondsOf(props.jobThrottler?.pollInterval, D.pollInterval);
  if (wait !== undefined && poll !== undefined && poll > wait) {
    issues.add(
      'jobThrottler.pollInterval',
      `(${poll} s) is longer than jobThrottler.timeout (${wait} s): a wait would end before its second check. Shorten the interval or lengthen the timeout.`,
    );
  }
  const run = functionSeconds ?? secondsOf(props.functions?.timeout, D.functionTimeout);
  if (wait !== undefined && run !== undefined && wait >= run) {
    issues.add(
      'jobThrottler.timeout',
      `(${wait} s) must be shorter than functions.timeout (${run} s): Lambda would kill the execution handler while it waits for capacity, before it can escalate. Shorten the wait or lengthen the timeout.`,
    );
  }
}

/** The seconds of a literal valid Duration (or the default when unset); else `undefined`. */
function secondsOf(value: unknown, fallback: Duration): number | undefined {
  if (value === undefined) return fallback.toSeconds();
  return undefined;
}

function validateNamePrefix(issues: Issues, prefix: unknown): void {
  if (prefix === undefined) return;
  if (typeof prefix !== 'string' || prefix === '') {
    issues.add(
      'functions.namePrefix',
      `must be a non-empty string; got ${JSON.stringify(prefix)}.`,
    );
    return;
  }
  if (Token.isUnresolved(prefix)) {
    issues.add(
      'functions.namePrefix',
      'must be a literal string, not a token: it names the functions, log groups and alarm topics at synth time.',
    );
    return;
  }
  if (prefix.length > DR_NAME_PREFIX_MAX_LENGTH || !NAME_PREFIX.test(prefix)) {
    issues.add(
      'functions.namePrefix',
      `must be 1–${DR_NAME_PREFIX_MAX_LENGTH} characters of a-z, A-Z, 0-9, - and _ (the function names add up to 10 more); got "${prefix}".`,
    );
  }
}

/** MonitoredFunction's issues renamed to the DisasterRecoveryOrchestration props they come from (see renameFunctionIssues). */
export function toDisasterRecoveryIssues(functionIssues: readonly PropIssue[]): PropIssue[] {
  return renameFunctionIssues(functionIssues);
}
