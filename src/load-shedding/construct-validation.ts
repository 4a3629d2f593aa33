/**
 * Synth-time validation of LoadSheddingProps: every problem found, each naming its prop and
 * saying how to fix it, before any resource is created. Values that are tokens (resolved only
 * at deploy time) are not checked.
 *
 * Hand-written rather than a zod schema, like MonitoredFunction's: the props hold CDK objects
 * (Duration, IAlarm, IApplicationListener) and cross-field rules (delays against the timeout,
 * ARNs against each other and the stack).
 */
import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import {
  formatPropIssues,
  type PropIssue,
  PropIssues,
  renameFunctionIssues,
} from '../common/prop-issues.js';
import {
  LoadSheddingAlarmTypes,
  MAX_DELAY_SECONDS,
  parseListenerArn,
  parseTargetGroupArn,
} from './contract.js';
import type { ElbArnParts, LoadSheddingAlarmType } from './contract.js';
import { LoadSheddingError } from './errors.js';
import {
  LOAD_SHEDDING_CONSTRUCT_DEFAULTS as D,
  NAME_PREFIX_MAX_LENGTH,
} from './construct-props.js';
import type { LoadSheddingAlarmDefinition, LoadSheddingProps } from './construct-props.js';

export type { PropIssue };

/**
 * One or more LoadShedding props are invalid. Raised at synth time before any resource is
 * created, with every problem found; `issues` names each prop.
 */
export class LoadSheddingValidationError extends LoadSheddingError {
  readonly issues: readonly PropIssue[];

  constructor(constructId: string, issues: readonly PropIssue[]) {
    super(formatPropIssues('LoadShedding', constructId, issues));
    this.name = 'LoadSheddingValidationError';
    this.issues = Object.freeze([...issues]);
  }
}

/** Where the stack deploys; `undefined` for an environment-agnostic stack. */
export interface StackPlacement {
  readonly region?: string;
  readonly account?: string;
}

/** `alarm` is an existing alarm (not a definition for the construct to create). */
export function isExistingAlarm(alarm: LoadSheddingProps['alarm']): alarm is cloudwatch.IAlarm {
  return typeof (alarm as Partial<cloudwatch.IAlarm>).alarmArn === 'string';
}

/**
 * The kind of the alarm, when it is known: from the alarm itself (a definition or a
 * `cloudwatch.Alarm` is a metric alarm, a `cloudwatch.CompositeAlarm` a composite one), else
 * from `alarmType`; `undefined` for an imported alarm without `alarmType`.
 */
export function alarmTypeOf(
  props: Pick<LoadSheddingProps, 'alarm' | 'alarmType'>,
): LoadSheddingAlarmType | undefined {
  return intrinsicAlarmType(props.alarm) ?? props.alarmType;
}

/** The kind the alarm object itself tells; imported alarms (`fromAlarmArn` ...) tell none. */
function intrinsicAlarmType(alarm: LoadSheddingProps['alarm']): LoadSheddingAlarmType | undefined {
  if (!isExistingAlarm(alarm) || alarm instanceof cloudwatch.Alarm) return 'metric';
  if (alarm instanceof cloudwatch.CompositeAlarm) return 'composite';
  return undefined;
}

/** The ARN of the primary target group, whichever form it was given in. */
export function targetGroupArnOf(primary: LoadSheddingProps['primaryTargetGroup']): string {
  return typeof primary === 'string' ? primary : primary.targetGroupArn;
}

/** The ARN of a listener, whichever form it was given in. */
export function listenerArnOf(listener: LoadSheddingProps['listeners'][number]): string {
  return typeof listener === 'string' ? listener : listener.listenerArn;
}

const SIMPLE_STATISTICS = new Set([
  'samplecount',
  'n',
  'average',
  'avg',
  'sum',
  'minimum',
  'min',
  'maximum',
  'max',
  'iqm',
]);
const NUMBER = '\\d+(?:\\.\\d+)?';
// p99, p99.9, tm90, wm98, tc90, ts90 (percent 0–100 checked below).
const SINGLE_VALUE_STATISTIC = new RegExp(`^(?:p|tm|wm|tc|ts)(${NUMBER})$`, 'i');
// TM(10%:90%), WM(:95%), TC(0.005:0.030), TS(80%:), PR(:300): percents or absolute bounds.
const RANGE_STATISTIC = new RegExp(
  `^(?:tm|wm|tc|ts|pr)\\((?:${NUMBER}%?)?:(?:${NUMBER}%?)?\\)$`,
  'i',
);

/**
 * Whether CloudWatch accepts `statistic`: a simple statistic (in any case, or CDK's short forms
 * `avg`, `min`, `max`, `n`), a percentile `pNN`, or another extended statistic (`tmNN`, `wmNN`,
 * `tcNN`, `tsNN`, `TM(a:b)`, `WM(a:b)`, `TC(a:b)`, `TS(a:b)`, `PR(a:b)`, `IQM`).
 */
export function isValidStatistic(statistic: string): boolean {
  if (SIMPLE_STATISTICS.has(statistic.toLowerCase())) return true;
  const single = SINGLE_VALUE_STATISTIC.exec(statistic);
  if (single) return Number(single[1]) <= 100;
  // A range needs at least one bound: `TM(:)` is not a statistic.
  return RANGE_STATISTIC.test(statistic) && !statistic.endsWith('(:)');
}

const NAME_PREFIX_PATTERN = /^[a-zA-Z0-9-_]+$/;
// CloudWatch namespaces: letters, digits and . - _ / # : and space.
const NAMESPACE_PATTERN = /^[A-Za-z0-9.\-_/#: ]{1,255}$/;
const ALARM_ARN =
  /^arn:(aws(?:-[a-z]+)*):cloudwatch:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):(\d{12}):alarm:(.{1,255})$/;
const SUPPORTED_OPERATORS: readonly string[] = [
  cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
  cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
];
const LISTENER_EXAMPLE =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/my-alb/50dc6c495c0c9188/f2f7dc8efc522ab2';
const TARGET_GROUP_EXAMPLE =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/my-service/73e2d6bc24d8a067';

class Issues extends PropIssues {
  /** An optional whole number within [min, max]; tokens pass. */
  wholeNumber(prop: string, value: unknown, min: number, max: number, fallback: number): void {
    if (value === undefined || (typeof value === 'number' && Token.isUnresolved(value))) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.add(
        prop,
        `must be a whole number from ${min} to ${max}; got ${JSON.stringify(value)}. Fix it, or leave it unset for the default (${fallback}).`,
      );
    }
  }

  /** Whole seconds of an optional Duration within [min, max]; `undefined` when invalid or unset. */
  wholeSeconds(prop: string, value: unknown, min: number, max: number): number | undefined {
    if (value === undefined) return undefined;
    if (!(value instanceof Duration)) {
      this.add(prop, `must be a Duration, e.g. Duration.seconds(${min}).`);
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

  optionalBoolean(prop: string, value: unknown): void {
    if (value !== undefined && typeof value !== 'boolean') {
      this.add(prop, `must be true or false; got ${JSON.stringify(value)}.`);
    }
  }
}

/**
 * Checks every LoadShedding prop (but the function settings MonitoredFunction checks itself)
 * and returns every problem found; empty when the props are valid.
 */
export function validateLoadSheddingProps(
  props: LoadSheddingProps,
  placement: StackPlacement = {},
): PropIssue[] {
  const issues = new Issues();
  const located: LocatedArn[] = [];
  validatePrimary(issues, props.primaryTargetGroup, located);
  validateListeners(issues, props.listeners, located);
  validateAlarm(issues, props, located);
  validateAlarmType(issues, props);
  validatePlacement(issues, located, placement);
  validatePolicy(issues, props);
  issues.optionalBoolean('dryRun', props.dryRun);
  validateMetricsNamespace(issues, props.metricsNamespace);
  validateNamePrefix(issues, props.functions?.namePrefix);
  return issues.all();
}

/** An ARN given as a literal, with where it lives and which prop gave it. */
interface LocatedArn {
  readonly prop: string;
  readonly parts: ElbArnParts;
}

function validatePrimary(
  issues: Issues,
  primary: LoadSheddingProps['primaryTargetGroup'] | undefined,
  located: LocatedArn[],
): void {
  if (primary === undefined || (typeof primary !== 'string' && !primary.targetGroupArn)) {
    issues.add(
      'primaryTargetGroup',
      `is required: an elbv2.IApplicationTargetGroup or a target group ARN like ${TARGET_GROUP_EXAMPLE}.`,
    );
    return;
  }
  const arn = targetGroupArnOf(primary);
  if (Token.isUnresolved(arn)) return;
  const parts = parseTargetGroupArn(arn);
  if (parts === undefined) {
    issues.add(
      'primaryTargetGroup',
      `must be an ELBv2 target group ARN like ${TARGET_GROUP_EXAMPLE}; got '${arn}'. Copy it from the console or \`aws elbv2 describe-target-groups\`.`,
    );
    return;
  }
  located.push({ prop: 'primaryTargetGroup', parts });
}

function validateListeners(
  issues: Issues,
  listeners: LoadSheddingProps['listeners'] | undefined,
  located: LocatedArn[],
): void {
  if (!Array.isArray(listeners) || listeners.length === 0) {
    issues.add(
      'listeners',
      'must list at least one Application Load Balancer listener (IApplicationListener or ARN) whose rules forward to the primary target group.',
    );
    return;
  }
  const seen = new Map<string, number>();
  (listeners as LoadSheddingProps['listeners']).forEach((listener, index) => {
    const prop = `listeners[${index}]`;
    const arn = listenerArnOf(listener);
    if (typeof arn !== 'string' || arn === '') {
      issues.add(prop, 'must be an elbv2.IApplicationListener or a listener ARN.');
      return;
    }
    if (Token.isUnresolved(arn)) return;
    const parts = parseListenerArn(arn);
    if (parts === undefined) {
      issues.add(
        prop,
        `must be an Application Load Balancer listener ARN (listener/app/...) like ${LISTENER_EXAMPLE}; got '${arn}'. Weighted forward actions exist only on Application Load Balancers.`,
      );
      return;
    }
    const first = seen.get(arn);
    if (first !== undefined) {
      issues.add(prop, `repeats listeners[${first}] ('${arn}'): list each listener once.`);
      return;
    }
    seen.set(arn, index);
    located.push({ prop, parts });
  });
}

function validateAlarm(issues: Issues, props: LoadSheddingProps, located: LocatedArn[]): void {
  const alarm = props.alarm as LoadSheddingProps['alarm'] | undefined;
  if (alarm === undefined || alarm === null || typeof alarm !== 'object') {
    issues.add(
      'alarm',
      'is required: an existing cloudwatch.IAlarm, or { threshold, ... } for the construct to create a metric alarm.',
    );
    return;
  }
  if (isExistingAlarm(alarm)) {
    if (Token.isUnresolved(alarm.alarmArn)) return;
    const match = ALARM_ARN.exec(alarm.alarmArn);
    if (!match) {
      issues.add(
        'alarm',
        `must have a CloudWatch alarm ARN like arn:aws:cloudwatch:eu-west-1:123456789012:alarm:my-alarm; got '${alarm.alarmArn}'.`,
      );
      return;
    }
    const [, partition, region, accountId] = match;
    located.push({ prop: 'alarm', parts: { partition, region, accountId } });
    return;
  }
  validateAlarmDefinition(issues, alarm);
}

function validateAlarmType(issues: Issues, props: LoadSheddingProps): void {
  const given: unknown = props.alarmType;
  if (given === undefined) return;
  if (!isAlarmType(given)) {
    issues.add(
      'alarmType',
      `must be 'metric' or 'composite'; got ${JSON.stringify(given)}. Set it to the kind of the imported alarm, or leave it unset.`,
    );
    return;
  }
  const alarm = props.alarm as LoadSheddingProps['alarm'] | undefined;
  if (alarm === undefined || alarm === null || typeof alarm !== 'object') return; // reported above
  const intrinsic = intrinsicAlarmType(alarm);
  if (intrinsic !== undefined && intrinsic !== given) {
    const what = !isExistingAlarm(alarm)
      ? 'a definition, which the construct creates as a metric alarm'
      : intrinsic === 'metric'
        ? 'a cloudwatch.Alarm, a metric alarm'
        : 'a cloudwatch.CompositeAlarm';
    issues.add(
      'alarmType',
      `is '${given}', but alarm is ${what}. Remove alarmType: it is only needed for an alarm imported by ARN or name.`,
    );
  }
}

function isAlarmType(value: unknown): value is LoadSheddingAlarmType {
  return (LoadSheddingAlarmTypes as readonly unknown[]).includes(value);
}

function validateAlarmDefinition(issues: Issues, definition: LoadSheddingAlarmDefinition): void {
  const { threshold } = definition;
  if (
    typeof threshold !== 'number' ||
    (!Token.isUnresolved(threshold) && !Number.isFinite(threshold))
  ) {
    issues.add('alarm.threshold', `is required: a finite number; got ${String(threshold)}.`);
  }
  const namespace = definition.namespace;
  if (
    namespace !== undefined &&
    !Token.isUnresolved(namespace) &&
    !NAMESPACE_PATTERN.test(namespace)
  ) {
    issues.add(
      'alarm.namespace',
      `must be a CloudWatch namespace (1–255 of A–Z a–z 0–9 . - _ / # : and space); got '${namespace}'.`,
    );
  }
  const customNamespace = namespace !== undefined && namespace !== D.alarm.namespace;
  const metricName = definition.metricName;
  if (metricName === undefined && customNamespace) {
    issues.add(
      'alarm.metricName',
      `is required when alarm.namespace is not ${D.alarm.namespace}: the default metric (${D.alarm.metricName}) exists only there.`,
    );
  } else if (
    metricName !== undefined &&
    !Token.isUnresolved(metricName) &&
    (metricName.length < 1 || metricName.length > 255)
  ) {
    issues.add('alarm.metricName', `must be 1–255 characters; got '${metricName}'.`);
  }
  validateDimensions(issues, definition.dimensions);
  const statistic = definition.statistic;
  if (statistic !== undefined && !Token.isUnresolved(statistic) && !isValidStatistic(statistic)) {
    issues.add(
      'alarm.statistic',
      `must be a CloudWatch statistic (Sum, Average, Minimum, Maximum, SampleCount, IQM, a percentile such as p99, or tm90, TM(10%:90%), PR(:300) ...); got '${statistic}'.`,
    );
  }
  const operator = definition.comparisonOperator;
  if (operator !== undefined && !SUPPORTED_OPERATORS.includes(operator)) {
    issues.add(
      'alarm.comparisonOperator',
      `must compare with the threshold (${SUPPORTED_OPERATORS.join(', ')}); got ${String(operator)}. For anomaly detection, create the alarm yourself and pass it as alarm.`,
    );
  }
  validateAlarmPeriods(issues, definition);
  const alarmName = definition.alarmName;
  if (
    alarmName !== undefined &&
    !Token.isUnresolved(alarmName) &&
    (alarmName.length < 1 || alarmName.length > 255)
  ) {
    issues.add('alarm.alarmName', `must be 1–255 characters; got '${alarmName}'.`);
  }
}

function validateDimensions(
  issues: Issues,
  dimensions: LoadSheddingAlarmDefinition['dimensions'],
): void {
  if (dimensions === undefined) return;
  const entries = Object.entries(dimensions);
  if (entries.length > 30) {
    issues.add('alarm.dimensions', `must hold at most 30 dimensions; got ${entries.length}.`);
  }
  for (const [name, value] of entries) {
    if (
      name.length > 255 ||
      (!Token.isUnresolved(value) && (value.length < 1 || value.length > 1024))
    ) {
      issues.add(
        'alarm.dimensions',
        `must map names of 1–255 characters to values of 1–1024 characters; '${name}' has '${value}'.`,
      );
    }
  }
}

function validateAlarmPeriods(issues: Issues, definition: LoadSheddingAlarmDefinition): void {
  const periods = definition.evaluationPeriods ?? D.alarm.evaluationPeriods;
  issues.wholeNumber(
    'alarm.evaluationPeriods',
    definition.evaluationPeriods,
    1,
    1440,
    D.alarm.evaluationPeriods,
  );
  const datapoints = definition.datapointsToAlarm;
  if (datapoints !== undefined && Number.isInteger(periods)) {
    issues.wholeNumber('alarm.datapointsToAlarm', datapoints, 1, periods, periods);
  }
  const period = issues.wholeSeconds('alarm.period', definition.period, 10, 86_400);
  if (period === undefined) return;
  if (period !== 10 && period !== 30 && period % 60 !== 0) {
    issues.add(
      'alarm.period',
      `must be 10 s, 30 s or a multiple of 60 s (CloudWatch's alarm periods); got ${period} s.`,
    );
  } else if (Number.isInteger(periods) && periods * period > 86_400) {
    issues.add(
      'alarm.period',
      `× alarm.evaluationPeriods must not exceed one day (86400 s); got ${period} s × ${periods}.`,
    );
  }
}

function validatePlacement(issues: Issues, located: LocatedArn[], placement: StackPlacement): void {
  const reference = located[0];
  for (const arn of located) {
    const { partition, region, accountId } = arn.parts;
    if (
      reference !== arn &&
      (partition !== reference.parts.partition || region !== reference.parts.region)
    ) {
      issues.add(
        arn.prop,
        `is in ${partition}/${region}, but ${reference.prop} is in ${reference.parts.partition}/${reference.parts.region}: a listener forwards only to target groups of its own region, and alarm events reach only their own region. Use resources of one region.`,
      );
      continue;
    }
    if (placement.region !== undefined && region !== placement.region) {
      issues.add(
        arn.prop,
        `is in region ${region}, but the stack deploys to ${placement.region}: deploy the LoadShedding stack to the load balancer's region.`,
      );
    }
    if (placement.account !== undefined && accountId !== placement.account) {
      issues.add(
        arn.prop,
        `is in account ${accountId}, but the stack deploys to ${placement.account}: ELBv2 rules can only be changed from their own account; deploy the stack there.`,
      );
    }
  }
}

function validatePolicy(issues: Issues, props: LoadSheddingProps): void {
  const policy = props.policy ?? {};
  issues.wholeNumber('policy.shedPercent', policy.shedPercent, 1, 100, D.shedPercent);
  issues.wholeNumber('policy.restorePercent', policy.restorePercent, 1, 100, D.restorePercent);
  issues.wholeNumber('policy.maxShedPercent', policy.maxShedPercent, 1, 100, D.maxShedPercent);
  const shed = policy.shedPercent ?? D.shedPercent;
  const max = policy.maxShedPercent ?? D.maxShedPercent;
  const inRange = (value: unknown): boolean =>
    typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 100;
  if (inRange(shed) && inRange(max) && max < shed) {
    issues.add(
      'policy.maxShedPercent',
      `(${max}) must be at least policy.shedPercent (${shed}): a first step larger than the limit could never be taken.`,
    );
  }
  issues.wholeNumber(
    'policy.maxInsufficientDataChecks',
    policy.maxInsufficientDataChecks,
    1,
    100,
    D.maxInsufficientDataChecks,
  );
  const shedDelay = issues.wholeSeconds('policy.shedDelay', policy.shedDelay, 0, MAX_DELAY_SECONDS);
  const restoreDelay = issues.wholeSeconds(
    'policy.restoreDelay',
    policy.restoreDelay,
    0,
    MAX_DELAY_SECONDS,
  );
  const timeout = issues.wholeSeconds('functions.timeout', props.functions?.timeout, 1, 900);
  const timeoutSeconds =
    props.functions?.timeout === undefined ? D.functionTimeout.toSeconds() : timeout;
  if (timeoutSeconds === undefined) return;
  const delays: [string, number | undefined, Duration][] = [
    [
      'policy.shedDelay',
      policy.shedDelay === undefined ? D.shedDelay.toSeconds() : shedDelay,
      D.shedDelay,
    ],
    [
      'policy.restoreDelay',
      policy.restoreDelay === undefined ? D.restoreDelay.toSeconds() : restoreDelay,
      D.restoreDelay,
    ],
  ];
  for (const [prop, seconds] of delays) {
    if (seconds !== undefined && seconds > 0 && seconds <= timeoutSeconds) {
      issues.add(
        'functions.timeout',
        `(${timeoutSeconds} s) must be shorter than ${prop} (${seconds} s): a step's ELBv2 writes must land before the next step is due, or a write still in flight looks like an external edit. Lower functions.timeout or raise ${prop}.`,
      );
    }
  }
}

function validateMetricsNamespace(issues: Issues, namespace: unknown): void {
  if (namespace === undefined || (typeof namespace === 'string' && Token.isUnresolved(namespace))) {
    return;
  }
  if (
    typeof namespace !== 'string' ||
    !NAMESPACE_PATTERN.test(namespace) ||
    namespace.startsWith('AWS/')
  ) {
    issues.add(
      'metricsNamespace',
      `must be a CloudWatch namespace (1–255 of A–Z a–z 0–9 . - _ / # : and space) not starting with AWS/; got ${JSON.stringify(namespace)}.`,
    );
  }
}

function validateNamePrefix(issues: Issues, prefix: unknown): void {
  if (prefix === undefined) return;
  if (typeof prefix !== 'string' || Token.isUnresolved(prefix)) {
    issues.add(
      'functions.namePrefix',
      'must be a literal string (not a token): the function, log group, topic and alarm names derive from it at synth time.',
    );
    return;
  }
  if (prefix.length > NAME_PREFIX_MAX_LENGTH || !NAME_PREFIX_PATTERN.test(prefix)) {
    issues.add(
      'functions.namePrefix',
      `must be 1–${NAME_PREFIX_MAX_LENGTH} characters of a-z, A-Z, 0-9, - and _ (the function names add up to 12 more); got "${prefix}".`,
    );
  }
}

/** MonitoredFunction's issues renamed to the LoadShedding props they come from (see renameFunctionIssues). */
export function toLoadSheddingIssues(functionIssues: readonly PropIssue[]): PropIssue[] {
  return renameFunctionIssues(functionIssues);
}
