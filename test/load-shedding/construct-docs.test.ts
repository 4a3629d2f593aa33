import { readFileSync } from 'node:fs';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { expectNoNagFindings } from '../helpers/cdk-nag.js';
import { composite, latency, minimal } from './construct-docs-examples.js';
import { ENV, LISTENER_ARN, TARGET_GROUP_ARN, newApp } from './construct-support.js';

const page = readFileSync(new URL('../../docs/load-shedding.md', import.meta.url), 'utf8');
const source = readFileSync(new URL('./construct-docs-examples.ts', import.meta.url), 'utf8');

/** Each ```ts block of the page. */
function codeBlocks(): string[] {
  return Array.from(page.matchAll(/```ts\n([\s\S]*?)```/g), (m) => m[1].trimEnd());
}

/** Each example of the source file, without its indentation. */
function examples(): string[] {
  return Array.from(
    source.matchAll(/\/\/ example: \S+\n([\s\S]*?)\n\s*\/\/ end of example/g),
    (m) => {
      const lines = m[1].split('\n');
      const indent = Math.min(
        ...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length),
      );
      return lines
        .map((line) => line.slice(indent))
        .join('\n')
        .trimEnd();
    },
  );
}

/** A stack with the resources the examples take as given. */
function exampleStack(): {
  stack: Stack;
  listener: elbv2.IApplicationListener;
  blue: elbv2.IApplicationTargetGroup;
} {
  const stack = new Stack(newApp(), 'Docs', { env: ENV });
  const securityGroup = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-0123456789abcdef0');
  return {
    stack,
    listener: elbv2.ApplicationListener.fromApplicationListenerAttributes(stack, 'Https', {
      listenerArn: LISTENER_ARN,
      securityGroup,
    }),
    blue: elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(stack, 'Blue', {
      targetGroupArn: TARGET_GROUP_ARN,
    }),
  };
}

describe('LoadShedding docs: docs/load-shedding.md', () => {
  it('shows exactly the compiled examples, verbatim', () => {
    expect(examples()).toHaveLength(3);
    expect(codeBlocks()).toEqual(examples());
  });

  it('the minimal example synthesizes and passes cdk-nag', () => {
    const { stack } = exampleStack();
    minimal(stack);
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::Function', 2);
    expectNoNagFindings(stack);
  });

  it('the latency example creates a p99 alarm and runs dry', () => {
    const { stack, listener, blue } = exampleStack();
    const shedding = latency(stack, {
      blue,
      httpsListener: listener,
      pager: sns.Topic.fromTopicArn(stack, 'Pager', 'arn:aws:sns:eu-west-1:123456789012:pager'),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'TargetResponseTime',
      ExtendedStatistic: 'p99',
    });
    expect(shedding.config.dryRun).toBe(true);
    expectNoNagFindings(stack);
  });

  it('the composite example drives shedding from a composite alarm', () => {
    const { stack, listener, blue } = exampleStack();
    const alarm = (id: string): cloudwatch.IAlarm =>
      cloudwatch.Alarm.fromAlarmArn(
        stack,
        id,
        `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${id}`,
      );
    const shedding = composite(stack, {
      latencyAlarm: alarm('latency'),
      errorAlarm: alarm('errors'),
      blue,
      listeners: [listener],
    });
    expect(shedding.alarm).toBeInstanceOf(cloudwatch.CompositeAlarm);
    expectNoNagFindings(stack);
  });
});
