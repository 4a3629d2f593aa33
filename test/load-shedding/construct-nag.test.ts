import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import type { App } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LoadSheddingEnvVars } from '../../src/load-shedding/contract.js';
import { LoadShedding } from '../../src/load-shedding/construct.js';
import { expectNoNagFindings, nagFindings } from '../helpers/cdk-nag.js';
import {
  ALARM_ARN,
  ENV,
  LISTENER_ARN,
  LISTENER_ARN_2,
  newApp,
  synthesize,
  validProps,
} from './construct-support.js';

/** The acknowledgements recorded on a construct itself, by finding id. */
function acknowledgementsOf(construct: IConstruct): Record<string, string> {
  return Object.assign(
    {},
    ...construct.node.metadata
      .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
      .map((entry) => entry.data as Record<string, string>),
  ) as Record<string, string>;
}

describe('LoadShedding construct: cdk-nag with a load balancer of the same app', () => {
  let app: App;
  let stack: Stack;

  beforeAll(() => {
    // Listener and target group ARNs are tokens here; the handlers are really bundled (the
    // other tests skip bundling).
    app = newApp({ bundling: true });
    stack = new Stack(app, 'ShopStack', { env: ENV });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: false });
    const group = (id: string): elbv2.ApplicationTargetGroup =>
      new elbv2.ApplicationTargetGroup(stack, id, {
        vpc,
        port: 80,
        targetType: elbv2.TargetType.IP,
      });
    const blue = group('Blue');
    const listener = alb.addListener('Http', {
      port: 80,
      defaultAction: elbv2.ListenerAction.weightedForward([
        { targetGroup: blue, weight: 90 },
        { targetGroup: group('Green'), weight: 10 },
      ]),
    });
    new LoadShedding(stack, 'Shedding', {
      primaryTargetGroup: blue,
      listeners: [listener],
      alarm: { threshold: 1000 },
      policy: { shedPercent: 10, shedDelay: Duration.minutes(2) },
      monitoring: { emails: ['ops@example.com'] },
    });
  });

  it('has no unacknowledged finding on any LoadShedding resource', () => {
    const own = nagFindings(stack).filter((f) => f.constructPath.startsWith('ShopStack/Shedding/'));
    expect(own).toEqual([]);
  });

  it('bundles both real handlers, which read the contract’s variables', () => {
    const outdir = app.synth().directory;
    const bundles = readdirSync(outdir)
      .filter((name) => name.startsWith('asset.'))
      .map((name) => join(outdir, name, 'index.mjs'))
      .filter((file) => existsSync(file));
    expect(bundles).toHaveLength(2);
    for (const bundle of bundles) {
      expect(readFileSync(bundle, 'utf8')).toContain(LoadSheddingEnvVars.checkQueueUrl);
    }
  });
});

describe('LoadShedding construct: cdk-nag with ARNs', () => {
  it('has zero unacknowledged findings in the whole stack', () => {
    const { stack } = synthesize(validProps());
    expectNoNagFindings(stack);
  });

  it.each([
    ['an imported metric alarm', 'metric' as const],
    ['an imported composite alarm', 'composite' as const],
    ['an imported alarm of unknown kind', undefined],
  ])('has zero unacknowledged findings with %s', (_, alarmType) => {
    const stack = new Stack(newApp(), 'TestStack', { env: ENV });
    const alarm = cloudwatch.Alarm.fromAlarmArn(stack, 'Imported', ALARM_ARN);
    new LoadShedding(stack, 'Shedding', validProps({ alarm, alarmType }));
    expectNoNagFindings(stack);
  });

  it('acknowledges only what AWS forces, on its two control policies, with reasons', () => {
    // A created (metric) alarm: DescribeAlarms names its ARN, so no "*" is needed for it.
    // Prepare
    const { stack, shedding } = synthesize(validProps());
    const rules = [LISTENER_ARN, LISTENER_ARN_2].map(
      (arn) => `AwsSolutions-IAM5[Resource::${arn.replace(':listener/', ':listener-rule/')}/*]`,
    );

    // Act
    const acknowledged = stack.node
      .findAll()
      .filter((construct) => Object.keys(acknowledgementsOf(construct)).length > 0);
    const control = ['AlarmEventPolicy', 'CheckQueuePolicy'].map(
      (id) => shedding.node.findChild(id).node.defaultChild as IConstruct,
    );

    // Assess: besides MonitoredFunction's own (its roles and functions), only the two policies.
    const others = acknowledged.filter(
      (construct) =>
        !control.includes(construct) &&
        !/\/(AlarmEvent|CheckQueue)Function\/(Role|Function)\/Resource$/.test(construct.node.path),
    );
    expect(others).toEqual([]);
    for (const policy of control) {
      const reasons = acknowledgementsOf(policy);
      expect(Object.keys(reasons).sort()).toEqual(
        [
          'Annotation::AwsSolutions-IAM5[Resource::*]',
          ...rules.map((id) => `Annotation::${id}`),
        ].sort(),
      );
      expect(reasons['Annotation::AwsSolutions-IAM5[Resource::*]']).toContain(
        'ELBv2 Describe* actions support no resource-level permissions',
      );
      expect(reasons['Annotation::AwsSolutions-IAM5[Resource::*]']).not.toContain('DescribeAlarms');
      expect(reasons[`Annotation::${rules[0]}`]).toContain('ELBv2 assigns rule ids');
    }
  });
});
