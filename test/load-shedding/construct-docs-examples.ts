/**
 * The code examples of docs/load-shedding.md. Each example is the text between a
 * `// example: <name>` line and the next `// end of example` line; the page shows it verbatim
 * (construct-docs.test.ts checks that), and the tests synthesize it.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { LoadShedding } from '../../src/load-shedding/index.js';

export function minimal(scope: Construct): LoadShedding {
  // example: minimal
  // Shed from checkout-blue when its targets serve more than 1000 requests a minute each.
  const shedding = new LoadShedding(scope, 'CheckoutShedding', {
    primaryTargetGroup:
      'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/checkout-blue/73e2d6bc24d8a067',
    listeners: [
      'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2',
    ],
    alarm: { threshold: 1000 },
    monitoring: { emails: ['ops-team@example.com'] },
  });
  // end of example
  return shedding;
}

export interface LatencyExampleProps {
  readonly blue: elbv2.IApplicationTargetGroup;
  readonly httpsListener: elbv2.IApplicationListener;
  readonly pager: sns.ITopic;
}

export function latency(scope: Construct, props: LatencyExampleProps): LoadShedding {
  const { blue, httpsListener, pager } = props;
  // example: latency
  // p99 latency above 800 ms in 2 of 3 minutes: shed 10% every 2 minutes, down to half the
  // traffic; restore 5% every 5 minutes once the alarm has been OK for 5 minutes. Dry run first.
  const shedding = new LoadShedding(scope, 'Shedding', {
    primaryTargetGroup: blue,
    listeners: [httpsListener],
    alarm: {
      metricName: 'TargetResponseTime',
      statistic: 'p99',
      threshold: 0.8,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
    },
    policy: {
      shedPercent: 10,
      restorePercent: 5,
      maxShedPercent: 50,
      shedDelay: Duration.minutes(2),
      restoreDelay: Duration.minutes(5),
    },
    dryRun: true,
    monitoring: { emails: ['ops-team@example.com'], topics: [pager] },
  });
  // end of example
  return shedding;
}

export interface CompositeExampleProps {
  readonly latencyAlarm: cloudwatch.IAlarm;
  readonly errorAlarm: cloudwatch.IAlarm;
  readonly blue: elbv2.IApplicationTargetGroup;
  readonly listeners: elbv2.IApplicationListener[];
}

export function composite(scope: Construct, props: CompositeExampleProps): LoadShedding {
  const { latencyAlarm, errorAlarm, blue, listeners } = props;
  // example: composite
  // Your own alarm: here, shed when latency OR errors are too high.
  const overloaded = new cloudwatch.CompositeAlarm(scope, 'Overloaded', {
    alarmRule: cloudwatch.AlarmRule.anyOf(latencyAlarm, errorAlarm),
  });
  const shedding = new LoadShedding(scope, 'Shedding', {
    primaryTargetGroup: blue,
    listeners,
    alarm: overloaded,
    monitoring: { emails: ['ops-team@example.com'] },
  });
  // end of example
  return shedding;
}
