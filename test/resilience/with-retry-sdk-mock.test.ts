import {
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
  RuleNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RetryExhaustedError } from '../../src/resilience/errors.js';
import { withRetry } from '../../src/resilience/retry.js';
import { drive } from './helpers/drive.js';
import { sdkError } from './helpers/sdk-errors.js';
import { TestClock } from './helpers/test-clock.js';

// aws-sdk-client-mock replaces `send`, so the middleware never runs here: these tests cover the
// plain wrapper around a call, with the SDK's real exception classes.
const elb = mockClient(ElasticLoadBalancingV2Client);
const input = { ListenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/x/y/z' };

beforeEach(() => {
  elb.reset();
  elb.rejects(new Error('unexpected call')); // strict: only the stubs below answer
});
afterEach(() => elb.reset());

describe('resilience: withRetry around an SDK call', () => {
  it('retries a throttled DescribeRules and returns its result', async () => {
    // Prepare
    const clock = new TestClock();
    elb
      .on(DescribeRulesCommand, input)
      .rejectsOnce(sdkError({ name: 'Throttling', status: 400 }))
      .resolves({ Rules: [] });
    const client = new ElasticLoadBalancingV2Client({});

    // Act
    const output = await drive(
      clock,
      withRetry('DescribeRules', () => client.send(new DescribeRulesCommand(input)), {
        clock,
        env: {},
      }),
    );

    // Assess
    expect(output.Rules).toEqual([]);
    expect(elb).toHaveReceivedCommandTimes(DescribeRulesCommand, 2);
    expect(elb).toHaveReceivedCommandWith(DescribeRulesCommand, input);
  });

  it('rethrows a modelled client error unchanged after one call', async () => {
    const notFound = new RuleNotFoundException({ message: 'no such rule', $metadata: {} });
    elb.on(DescribeRulesCommand, input).rejects(notFound);
    const client = new ElasticLoadBalancingV2Client({});

    const error = await withRetry(
      'DescribeRules',
      () => client.send(new DescribeRulesCommand(input)),
      {
        env: {},
      },
    ).catch((e: unknown) => e);

    expect(error).toBe(notFound);
    expect(elb).toHaveReceivedCommandTimes(DescribeRulesCommand, 1);
  });

  it('gives up after maxRetries + 1 calls with RetryExhaustedError', async () => {
    const clock = new TestClock();
    elb.on(DescribeRulesCommand, input).rejects(sdkError({ name: 'InternalFailure', status: 500 }));
    const client = new ElasticLoadBalancingV2Client({});

    const error = await drive(
      clock,
      withRetry('DescribeRules', () => client.send(new DescribeRulesCommand(input)), {
        clock,
        env: {},
        maxRetries: 2,
      }).catch((e: unknown) => e),
    );

    expect(error).toBeInstanceOf(RetryExhaustedError);
    expect((error as RetryExhaustedError).attempts).toBe(3);
    expect(elb).toHaveReceivedCommandTimes(DescribeRulesCommand, 3);
  });
});
