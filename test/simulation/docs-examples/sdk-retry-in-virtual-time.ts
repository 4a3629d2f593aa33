import * as elbv2 from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  ThrottleStyles,
  ThrottlingApiModel,
  VirtualClock,
  createSimulatedClient,
} from '../../../src/simulation/index.js';

// Global mode: the SDK's own retry sleeps with setTimeout and jitters with Math.random.
const clock = VirtualClock.install({ random: 42 });
const model = new ThrottlingApiModel({
  clock,
  name: 'elbv2',
  throttle: ThrottleStyles.query, // `Throttling`, HTTP 400, like ELBv2
  operations: { DescribeTargetHealth: { quota: { ratePerSecond: 10, burst: 40 } } },
});
// Default SDK retry: standard mode, 3 attempts.
const client = createSimulatedClient(ElasticLoadBalancingV2Client, {}, model, {
  exceptions: elbv2,
});
try {
  const results = await clock.run(() =>
    Promise.allSettled(
      Array.from({ length: 100 }, () =>
        client.send(new DescribeTargetHealthCommand({ TargetGroupArn: 'arn:tg' })),
      ),
    ),
  );
  const failed = results.filter((result) => result.status === 'rejected').length;
  console.log(model.stats().total, { failed, virtualMs: Date.now() - Date.UTC(2025, 0, 1) });
} finally {
  clock.uninstall();
}
// end of example
export { model };
