/**
 * The demo's deployment as CDK constructs: each capability's construct configured as the acts
 * simulate it (same function names, alarm metrics and dimensions), synthesized without bundling
 * so that the monitoring act can read what would be deployed.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
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
import { WORKFLOW_TYPE } from './workflow.js';

const EMAILS = ['ops-team@example.com'];

/** The stacks of the demo's deployment (bundling skipped: only the construct tree is read). */
export function demoStacks(): Stack[] {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const env = { account: R.account, region: R.region };
  const stack = new Stack(app, 'OpsKitDemo', { env });
  new LoadShedding(stack, 'LoadShedding', {
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
    targetGroupVpcCidrs: ['10.0.0.0/16'],
    subnets: ['subnet-0123456789abcdef0'],
    securityGroups: ['sg-0123456789abcdef0'],
    launchType: 'FARGATE',
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
