/**
 * The demo's deployment as CDK constructs: each capability's construct configured as the acts
 * simulate it (same function names, alarm metrics and dimensions), synthesized without bundling
 * so that the monitoring act can read what would be deployed.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import { ExampleWorkflowStack } from '../../../examples/workflow/stack.js';
import { DisasterRecoveryOrchestration } from '../../disaster-recovery/construct.js';
import { LoadShedding } from '../../load-shedding/construct.js';
import { EcsTaskStarter } from '../../task-starter/construct.js';
import { EXAMPLE_ACCOUNT, EXAMPLE_REGION } from '../../workflow/local-run/example.js';
import { DRILL_NAME_PREFIX } from './dr-drill.js';
import {
  DEMO_LOAD_SHEDDING_ALARM as ALARM,
  DEMO_NAME_PREFIXES,
  DEMO_TRAFFIC_RESOURCES as R,
  demoElbv2Arn,
} from './names.js';
import { ALARM_STATE_CHANGE } from './start-on-alarm.js';
import { SECURITY_GROUP, SUBNETS, VPC_CIDR } from './task-starter-on-primary.js';
import { TASKS_PER_ALARM, WAIT_FOR_HEALTHY_SECONDS } from './traffic-and-tasks-run.js';
import { WORKFLOW_TYPE } from './workflow.js';

const EMAILS = ['ops-team@example.com'];

/** The stacks of the demo's deployment (bundling skipped: only the construct tree is read). */
export function demoStacks(): Stack[] {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const env = { account: R.account, region: R.region };
  const stack = new Stack(app, 'OpsKitDemo', { env });
  const loadShedding = new LoadShedding(stack, 'LoadShedding', {
    primaryTargetGroup: demoElbv2Arn(R.primaryTargetGroup),
    listeners: [demoElbv2Arn(`listener/${R.loadBalancer}/0000000000000003`)],
    alarm: {
      threshold: ALARM.threshold,
      namespace: ALARM.namespace,
      metricName: ALARM.metricName,
      statistic: ALARM.statistic,
      period: Duration.seconds(ALARM.periodSeconds),
      evaluationPeriods: ALARM.evaluationPeriods,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      dimensions: { TargetGroup: R.primaryTargetGroup, LoadBalancer: R.loadBalancer },
    },
    monitoring: { emails: EMAILS },
    functions: { namePrefix: DEMO_NAME_PREFIXES.loadShedding },
  });
  new EcsTaskStarter(stack, 'TaskStarter', {
    cluster: R.cluster,
    taskDefinition: {
      family: R.taskDefinitionFamily,
      taskRoleArn: `arn:aws:iam::${R.account}:role/web-task`,
      executionRoleArn: `arn:aws:iam::${R.account}:role/web-execution`,
    },
    targetGroups: [demoElbv2Arn(R.primaryTargetGroup)],
    targetGroupVpcCidrs: [VPC_CIDR],
    subnets: SUBNETS,
    securityGroups: [SECURITY_GROUP],
    launchType: 'FARGATE',
    // The act's start rule (start-on-alarm.ts): the overload alarm's ALARM events start tasks.
    startEvent: {
      eventPattern: {
        source: [ALARM_STATE_CHANGE.source],
        detailType: [ALARM_STATE_CHANGE.detailType],
        resources: [loadShedding.alarm.alarmArn],
        detail: { state: { value: ['ALARM'] } },
      },
      input: events.RuleTargetInput.fromObject({
        id: events.EventField.eventId,
        time: events.EventField.time,
        detail: { count: TASKS_PER_ALARM },
      }),
    },
    waitForHealthy: Duration.seconds(WAIT_FOR_HEALTHY_SECONDS),
    reconcile: { mode: 'shared' },
    monitoring: { emails: EMAILS },
    functions: { namePrefix: DEMO_NAME_PREFIXES.taskStarter },
  });
  new DisasterRecoveryOrchestration(stack, 'DisasterRecovery', {
    regions: [R.region],
    monitoring: { emails: EMAILS },
    functions: { namePrefix: DRILL_NAME_PREFIX },
  });
  // The workflow act synthesizes this same stack (synthesizeExampleWorkflow), so names match.
  const workflow = new ExampleWorkflowStack(app, 'ExampleWorkflowStandard', {
    env: { account: EXAMPLE_ACCOUNT, region: EXAMPLE_REGION },
    type: WORKFLOW_TYPE,
    environment: 'local',
    alarmEmails: ['ops@example.com'],
  });
  return [stack, workflow];
}
