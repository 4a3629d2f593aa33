/**
 * Synth-time validation of EcsTaskStarterProps: every problem found, each naming its prop and
 * saying how to fix it, before any resource is created. Values that are CDK tokens (resolved
 * only at deploy time) are not checked. Field formats come from the contract's schemas, so the
 * construct refuses exactly what the functions would refuse at run time.
 */
import type { Duration } from 'aws-cdk-lib';
import { Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { z } from 'zod';
import { formatPropIssues, PropIssues, type PropIssue } from '../common/prop-issues.js';
import {
  MAX_TASK_WAIT_TIMEOUT_SECONDS,
  ReconcileModes,
  STARTED_BY_PREFIX_PATTERN,
  capacityProviderStrategySchema,
  cidrSchema,
  clusterNameOf,
  clusterSchema,
  containerNameSchema,
  parseTargetGroupArn,
  portSchema,
  securityGroupsSchema,
  subnetsSchema,
  taskDefinitionFamilyOf,
  taskDefinitionSchema,
} from './contract.js';
import { TaskStarterError } from './errors.js';
import { NAME_PREFIX_MAX_LENGTH } from './construct-props.js';
import type { EcsTaskStarterProps } from './construct-props.js';

export type { PropIssue };

/**
 * One or more EcsTaskStarter props are invalid. Raised at synth time before any resource is
 * created, with every problem found; `issues` names each prop.
 */
export class EcsTaskStarterValidationError extends TaskStarterError {
  readonly issues: readonly PropIssue[];

  constructor(constructId: string, issues: readonly PropIssue[]) {
    super(formatPropIssues('EcsTaskStarter', constructId, issues));
    this.name = 'EcsTaskStarterValidationError';
    this.issues = Object.freeze([...issues]);
  }
}

/** Where the stack deploys; `undefined` members for an environment-agnostic stack. */
export interface StackPlacement {
  readonly region?: string;
  readonly account?: string;
}

/** What the construct needs to know of the task definition, whichever form it was given in. */
export interface ResolvedTaskDefinition {
  /** Family, when known at synth time. */
  readonly family: string | undefined;
  /** What RunTask gets by default: the ARN of an `ITaskDefinition`, else the reference's. */
  readonly defaultReference: string | undefined;
  /** Roles the start function may pass (task and execution role). */
  readonly passRoleArns: readonly string[];
  /** Why the roles could not be read (an imported definition without them). */
  readonly rolesProblem?: string;
  readonly fargateCompatible: boolean | undefined;
}

function isTaskDefinition(
  value: EcsTaskStarterProps['taskDefinition'],
): value is ecs.ITaskDefinition {
  // A reference is a plain object; every ITaskDefinition (created or imported) has these.
  return 'compatibility' in value;
}

/** Reads family, default reference and roles from either form of `taskDefinition`. */
export function resolveTaskDefinition(
  value: EcsTaskStarterProps['taskDefinition'],
): ResolvedTaskDefinition {
  if (!isTaskDefinition(value)) {
    return {
      family: value.family,
      defaultReference: value.taskDefinitionArn ?? value.family,
      passRoleArns: [value.taskRoleArn, value.executionRoleArn].filter(
        (a): a is string => a !== undefined,
      ),
      fargateCompatible: undefined,
    };
  }
  const arn = value.taskDefinitionArn;
  const family =
    value instanceof ecs.TaskDefinition
      ? value.family
      : Token.isUnresolved(arn)
        ? undefined
        : taskDefinitionFamilyOf(arn);
  try {
    // Imported definitions throw when asked for a role they were not given.
    const roles = [value.taskRole.roleArn, value.executionRole?.roleArn];
    return {
      family,
      defaultReference: arn,
      passRoleArns: roles.filter((a): a is string => a !== undefined),
      fargateCompatible: value.isFargateCompatible,
    };
  } catch (error) {
    return {
      family,
      defaultReference: arn,
      passRoleArns: [],
      rolesProblem: (error as Error).message,
      fargateCompatible: value.isFargateCompatible,
    };
  }
}

/** The ARN of a target group, whichever form it was given in. */
export function targetGroupArnOf(group: EcsTaskStarterProps['targetGroups'][number]): string {
  return typeof group === 'string' ? group : group.targetGroupArn;
}

/** The cluster's name, whichever form it was given in. */
export function clusterNameOfProp(cluster: EcsTaskStarterProps['cluster']): string {
  return typeof cluster === 'string' ? clusterNameOf(cluster) : cluster.clusterName;
}

/** Ids of subnets or security groups, whichever form they were given in. */
export function idsOf(
  items:
    | readonly (string | { readonly subnetId: string } | { readonly securityGroupId: string })[]
    | undefined,
): string[] | undefined {
  return items?.map((item) =>
    typeof item === 'string' ? item : 'subnetId' in item ? item.subnetId : item.securityGroupId,
  );
}

class TaskStarterPropIssues extends PropIssues {
  /** Checks a non-token value against a contract schema; reports its first issue. */
  schema<T>(prop: string, schema: z.ZodType<T>, value: unknown): void {
    if (value === undefined || containsToken(value)) return;
    const parsed = schema.safeParse(value);
    if (!parsed.success) this.add(prop, parsed.error.issues[0].message + '.');
  }

  /** A Duration in [min, max] seconds (optionally whole minutes). */
  duration(
    prop: string,
    value: Duration | undefined,
    min: number,
    max: number,
    wholeMinutes = false,
  ): void {
    if (value === undefined || Token.isUnresolved(value.toSeconds({ integral: false }))) return;
    const seconds = value.toSeconds({ integral: false });
    if (seconds < min || seconds > max) {
      this.add(
        prop,
        `must be from ${describe(min)} to ${describe(max)}, got ${value.toHumanString()}.`,
      );
    } else if (wholeMinutes && seconds % 60 !== 0) {
      this.add(
        prop,
        `must be whole minutes (EventBridge rates are in minutes), got ${value.toHumanString()}.`,
      );
    }
  }

  integer(prop: string, value: number | undefined, min: number, max: number): void {
    if (value === undefined || Token.isUnresolved(value)) return;
    if (!Number.isInteger(value) || value < min || value > max) {
      this.add(prop, `must be a whole number from ${min} to ${max}, got ${value}.`);
    }
  }
}

function describe(seconds: number): string {
  return seconds >= 60 && seconds % 60 === 0 ? `${seconds / 60} minute(s)` : `${seconds} second(s)`;
}

function containsToken(value: unknown): boolean {
  if (typeof value === 'string' || typeof value === 'number') return Token.isUnresolved(value);
  if (Array.isArray(value)) return value.some(containsToken);
  return false;
}

/** Every problem with the props (MonitoredFunction's own checks come on top, in construct.ts). */
export function validateTaskStarterProps(
  props: EcsTaskStarterProps,
  placement: StackPlacement = {},
): PropIssue[] {
  const issues = new TaskStarterPropIssues();
  if (typeof props.cluster === 'string') issues.schema('cluster', clusterSchema, props.cluster);
  validateTaskDefinition(issues, props);
  validateTargetGroups(issues, props, placement);
  issues.schema('targetGroupVpcCidrs', cidrListSchema(), props.targetGroupVpcCidrs);
  issues.schema('containerName', containerNameSchema, props.containerName);
  issues.schema('containerPort', portSchema, props.containerPort);
  issues.schema('subnets', subnetsSchema, idsOf(props.subnets));
  issues.schema('securityGroups', securityGroupsSchema, idsOf(props.securityGroups));
  if (props.launchType !== undefined && !['FARGATE', 'EC2'].includes(props.launchType)) {
    issues.add('launchType', `must be 'FARGATE' or 'EC2', got '${String(props.launchType)}'.`);
  }
  if (props.launchType !== undefined && props.capacityProviderStrategy !== undefined) {
    issues.add(
      'capacityProviderStrategy',
      'cannot be set together with launchType: RunTask takes one or the other; remove one.',
    );
  }
  issues.schema(
    'capacityProviderStrategy',
    capacityProviderStrategySchema,
    props.capacityProviderStrategy,
  );
  if (props.assignPublicIp === true && props.launchType === 'EC2') {
    issues.add(
      'assignPublicIp',
      'is only supported on Fargate; remove it or use launchType FARGATE.',
    );
  }
  if (props.mode !== undefined && !['event-driven', 'synchronous'].includes(props.mode)) {
    issues.add('mode', `must be 'event-driven' or 'synchronous', got '${String(props.mode)}'.`);
  }
  issues.duration('taskWaitTimeout', props.taskWaitTimeout, 10, MAX_TASK_WAIT_TIMEOUT_SECONDS);
  issues.duration('waitForHealthy', props.waitForHealthy, 0, 600);
  issues.duration('reconcile.interval', props.reconcile?.interval, 60, 86_400, true);
  const reconcileMode = props.reconcile?.mode;
  if (
    reconcileMode !== undefined &&
    !(ReconcileModes as readonly string[]).includes(reconcileMode)
  ) {
    issues.add('reconcile.mode', `must be 'owned' or 'shared', got '${String(reconcileMode)}'.`);
  }
  if (
    props.startedByPrefix !== undefined &&
    !STARTED_BY_PREFIX_PATTERN.test(props.startedByPrefix)
  ) {
    issues.add(
      'startedByPrefix',
      `must be 1–64 letters, digits, - or _, got '${props.startedByPrefix}'.`,
    );
  }
  issues.integer('startAttempts', props.startAttempts, 1, 5);
  const namespace = props.metricsNamespace;
  if (
    namespace !== undefined &&
    (!/^[A-Za-z0-9.\-_/#: ]{1,255}$/.test(namespace) || namespace.startsWith('AWS/'))
  ) {
    issues.add(
      'metricsNamespace',
      `must be a CloudWatch namespace not starting with AWS/, got '${namespace}'.`,
    );
  }
  issues.integer('alarms.startFailureThreshold', props.alarms?.startFailureThreshold, 1, 1_000_000);
  issues.duration('alarms.startFailurePeriod', props.alarms?.startFailurePeriod, 60, 3_600, true);
  const prefix = props.functions?.namePrefix;
  if (
    prefix !== undefined &&
    !(/^[a-zA-Z0-9-_]+$/.test(prefix) && prefix.length <= NAME_PREFIX_MAX_LENGTH)
  ) {
    issues.add(
      'functions.namePrefix',
      `must be 1–${NAME_PREFIX_MAX_LENGTH} letters, digits, - or _ (function names are at most 64 characters), got '${prefix}'.`,
    );
  }
  const pattern = props.startEvent?.eventPattern;
  if (pattern !== undefined && Object.values(pattern).every((v) => v === undefined)) {
    issues.add(
      'startEvent.eventPattern',
      'must match on at least one field (an empty pattern matches nothing); give source and detailType.',
    );
  }
  return issues.all();
}

function cidrListSchema() {
  return cidrSchema.array();
}

function validateTaskDefinition(issues: TaskStarterPropIssues, props: EcsTaskStarterProps): void {
  const resolved = resolveTaskDefinition(props.taskDefinition);
  if (!isTaskDefinition(props.taskDefinition)) {
    const ref = props.taskDefinition;
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(ref.family)) {
      issues.add(
        'taskDefinition.family',
        `must be 1–255 letters, digits, - or _, got '${ref.family}'.`,
      );
    }
    if (ref.taskDefinitionArn !== undefined && !Token.isUnresolved(ref.taskDefinitionArn)) {
      issues.schema(
        'taskDefinition.taskDefinitionArn',
        taskDefinitionSchema,
        ref.taskDefinitionArn,
      );
      if (
        ref.taskDefinitionArn.startsWith('arn:') &&
        taskDefinitionFamilyOf(ref.taskDefinitionArn) !== ref.family
      ) {
        issues.add(
          'taskDefinition.taskDefinitionArn',
          `belongs to family '${taskDefinitionFamilyOf(ref.taskDefinitionArn)}', not '${ref.family}'.`,
        );
      }
    }
    for (const [key, arn] of [
      ['taskRoleArn', ref.taskRoleArn],
      ['executionRoleArn', ref.executionRoleArn],
    ] as const) {
      if (
        arn !== undefined &&
        !Token.isUnresolved(arn) &&
        !/^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/.+$/.test(arn)
      ) {
        issues.add(
          `taskDefinition.${key}`,
          `must be an IAM role ARN like arn:aws:iam::123456789012:role/my-role, got '${arn}'.`,
        );
      }
    }
    return;
  }
  if (resolved.family === undefined) {
    issues.add(
      'taskDefinition',
      'has an ARN only known at deploy time, so its family (which RunTask permissions are scoped to) is unknown: pass a TaskDefinition, or { family, taskDefinitionArn, taskRoleArn, executionRoleArn }.',
    );
  }
  if (resolved.rolesProblem !== undefined) {
    issues.add(
      'taskDefinition',
      'is imported without its roles, so iam:PassRole cannot be scoped to them: import it with TaskDefinition.fromTaskDefinitionAttributes({ taskDefinitionArn, taskRole, executionRole }), or pass { family, taskRoleArn, executionRoleArn }.',
    );
  }
  if (props.launchType === 'FARGATE' && resolved.fargateCompatible === false) {
    issues.add(
      'launchType',
      'is FARGATE, but the task definition is not Fargate-compatible (it needs the awsvpc network mode and task-level CPU and memory).',
    );
  }
}

function validateTargetGroups(
  issues: TaskStarterPropIssues,
  props: EcsTaskStarterProps,
  placement: StackPlacement,
): void {
  const arns = props.targetGroups.map(targetGroupArnOf);
  if (arns.length === 0) {
    issues.add('targetGroups', 'must list at least one target group to register tasks with.');
    return;
  }
  const known = arns.filter((arn) => !Token.isUnresolved(arn));
  if (new Set(known).size !== known.length) {
    issues.add('targetGroups', 'lists a target group more than once; list each once.');
  }
  known.forEach((arn, index) => {
    const parts = parseTargetGroupArn(arn);
    if (parts === undefined) {
      issues.add(
        `targetGroups[${index}]`,
        `must be an ELBv2 target group ARN like arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/my-service/73e2d6bc24d8a067, got '${arn}'.`,
      );
    } else if (placement.region !== undefined && parts.region !== placement.region) {
      issues.add(
        `targetGroups[${index}]`,
        `is in ${parts.region}, but the stack deploys to ${placement.region}: ECS task events and RegisterTargets stay in one region; deploy the stack there.`,
      );
    } else if (placement.account !== undefined && parts.accountId !== placement.account) {
      issues.add(
        `targetGroups[${index}]`,
        `is in account ${parts.accountId}, but the stack deploys to ${placement.account}: deploy the stack to the target group's account.`,
      );
    }
  });
}
