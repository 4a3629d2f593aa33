/**
 * Names the demo's acts and the demo's constructs share: the acts report their functions and
 * metrics under these names, and the inventory builds its constructs with the same prefixes,
 * so the monitoring act can match every function it ran and audit every alarm against the
 * metrics. Plain constants: importing this pulls in no CDK and no SDK.
 */

/** `functions.namePrefix` of each capability's construct in the demo. */
export const DEMO_NAME_PREFIXES = Object.freeze({
  loadShedding: 'opskit-demo-shedding',
  taskStarter: 'opskit-demo-tasks',
} as const);

const LS = DEMO_NAME_PREFIXES.loadShedding;
const TS = DEMO_NAME_PREFIXES.taskStarter;

/**
 * Function names as the constructs derive them from their prefix (the suffixes are the
 * constructs' own: `LOAD_SHEDDING_RESOURCE_SETTINGS` and `TASK_STARTER_RESOURCE_SETTINGS`;
 * a test keeps them in step).
 */
export const DEMO_FUNCTION_NAMES = Object.freeze({
  loadShedding: Object.freeze({
    alarmEvent: `${LS}-alarm-event`,
    checkQueue: `${LS}-check-queue`,
  } as const),
  taskStarter: Object.freeze({
    start: `${TS}-start`,
    taskState: `${TS}-task-state`,
    reconcile: `${TS}-reconcile`,
  } as const),
} as const);

/** The load-shedding construct's alarm name (`<prefix>-overload`). */
export const DEMO_LOAD_SHEDDING_ALARM_NAME = `${LS}-overload`;

/**
 * The traffic act's load balancer resources, as the simulated ELBv2 names them (its ids are
 * deterministic, in creation order): for constructs that import them and for the dimensions of
 * the metrics the act reports.
 */
export const DEMO_TRAFFIC_RESOURCES = Object.freeze({
  region: 'us-east-1',
  account: '123456789012',
  loadBalancer: 'app/simulated-alb/0000000000000001',
  primaryTargetGroup: 'targetgroup/primary/0000000000000002',
  /** The ECS cluster and task definition family the task starter runs. */
  cluster: 'opskit-demo',
  taskDefinitionFamily: 'web',
} as const);

/** The ARN of a resource of {@link DEMO_TRAFFIC_RESOURCES}. */
export function demoElbv2Arn(resource: string): string {
  const { region, account } = DEMO_TRAFFIC_RESOURCES;
  return `arn:aws:elasticloadbalancing:${region}:${account}:${resource}`;
}

/**
 * The load-shedding alarm of the traffic act, as plain data for the demo's construct (`alarm`
 * prop): the primary's 5xx count per minute above 60 (one error a second). The act reports the
 * metric under these names and dimensions (TargetGroup, LoadBalancer), so the audit can
 * evaluate the construct's alarm against it.
 */
export const DEMO_LOAD_SHEDDING_ALARM = Object.freeze({
  namespace: 'AWS/ApplicationELB',
  metricName: 'HTTPCode_Target_5XX_Count',
  statistic: 'Sum',
  periodSeconds: 60,
  threshold: 60,
  evaluationPeriods: 1,
  comparisonOperator: 'GreaterThanThreshold',
  treatMissingData: 'notBreaching',
} as const);
