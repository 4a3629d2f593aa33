import { readFileSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { describe, expect, it } from 'vitest';
import { TaskStarterEnvVars, TaskStarterMetricNames } from '../../src/task-starter/contract.js';
import {
  TASK_STARTER_CONTEXT_KEY,
  TaskStarterConfigSchema,
  parseTaskStarterStackConfig,
} from '../../app/stacks/task-starter-stack.js';
import { minimal, synchronous } from './docs-examples.js';

const page = readFileSync(new URL('../../docs/task-starter.md', import.meta.url), 'utf8');
const source = readFileSync(new URL('./docs-examples.ts', import.meta.url), 'utf8');

function codeBlocks(language: string): string[] {
  return Array.from(page.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g')), (m) =>
    m[1].trimEnd(),
  );
}

/** The cdk.json context block of "Reference app" (a `"key": {...}` member, not a document). */
const REFERENCE_BLOCK_START = '"aws-ops-kit:task-starter":';

function startEventBlocks(): string[] {
  return codeBlocks('json').filter((json) => !json.startsWith(REFERENCE_BLOCK_START));
}

function examples(): string[] {
  return Array.from(
    source.matchAll(/\/\/ example: \S+\n([\s\S]*?)\n\s*\/\/ end of example/g),
    (m) => {
      const lines = m[1].split('\n');
      const indent = Math.min(
        ...lines.filter((l) => l.trim()).map((l) => (/^ */.exec(l) ?? [''])[0].length),
      );
      return lines
        .map((line) => line.slice(indent))
        .join('\n')
        .trimEnd();
    },
  );
}

function stack(): Stack {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return new Stack(app, 'Docs', { env: { account: '123456789012', region: 'eu-west-1' } });
}

describe('task starter docs: docs/task-starter.md', () => {
  it('shows exactly the compiled examples, verbatim', () => {
    // Assess
    expect(examples()).toHaveLength(2);
    expect(codeBlocks('ts')).toEqual(examples());
  });

  it('synthesizes the minimal example', () => {
    // Prepare
    const scope = stack();
    // Act
    minimal(scope);
    // Assess
    Template.fromStack(scope).resourceCountIs('AWS::Events::Rule', 3);
  });

  it('synthesizes the synchronous example with typed resources', () => {
    // Prepare
    const scope = stack();
    const vpc = ec2.Vpc.fromVpcAttributes(scope, 'Vpc', {
      vpcId: 'vpc-0123abcd',
      availabilityZones: ['eu-west-1a'],
      privateSubnetIds: ['subnet-0aaa1111'],
    });
    const cluster = ecs.Cluster.fromClusterAttributes(scope, 'Cluster', {
      clusterName: 'apps',
      vpc,
    });
    const taskDefinition = new ecs.FargateTaskDefinition(scope, 'Task');
    taskDefinition.addContainer('app', {
      image: ecs.ContainerImage.fromRegistry('nginx'),
      portMappings: [{ containerPort: 8080 }],
    });
    const targetGroup = elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(scope, 'Tg', {
      targetGroupArn:
        'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/73e2d6bc24d8a067',
    });
    // Act
    synchronous(scope, { cluster, taskDefinition, targetGroup, subnets: vpc.privateSubnets });
    // Assess
    Template.fromStack(scope).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { [TaskStarterEnvVars.taskWaitTimeoutSeconds]: '180' } },
    });
  });

  it('documents every environment variable and metric of the contract', () => {
    // Assess
    for (const name of Object.values(TaskStarterEnvVars)) expect(page).toContain(`\`${name}`);
    for (const name of Object.values(TaskStarterMetricNames)) expect(page).toContain(`\`${name}\``);
  });

  it('shows start events that the schema accepts', async () => {
    // Prepare
    const { parseStartEvent, parseTaskStarterConfig } =
      await import('../../src/task-starter/contract.js');
    const config = parseTaskStarterConfig({ [TaskStarterEnvVars.cluster]: 'apps' });
    // Act
    const parsed = startEventBlocks().map((json, i) =>
      parseStartEvent({ id: `doc-${i}`, ...(JSON.parse(json) as object) }, config, 0),
    );
    // Assess
    expect(parsed.map((r) => r.count)).toEqual([2, 1]);
  });

  it("shows cdk.json's reference app block, which the stack's schema accepts, and names its keys", () => {
    // Prepare
    const cdkJson = JSON.parse(
      readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'),
    ) as { context: Record<string, unknown> };
    const blocks = codeBlocks('json').filter((json) => json.startsWith(REFERENCE_BLOCK_START));
    const section = page.slice(page.indexOf('## Reference app'));
    // Act
    const shown = (JSON.parse(`{${blocks[0] ?? ''}}`) as Record<string, unknown>)[
      TASK_STARTER_CONTEXT_KEY
    ];
    // Assess
    expect(blocks).toHaveLength(1);
    expect(shown).toEqual(cdkJson.context[TASK_STARTER_CONTEXT_KEY]);
    expect(() => parseTaskStarterStackConfig(shown)).not.toThrow();
    for (const key of Object.keys(TaskStarterConfigSchema.shape)) {
      expect(section).toContain(`\`${key}\``);
    }
  });
});
