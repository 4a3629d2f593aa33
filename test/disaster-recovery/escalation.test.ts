import * as snsSdk from '@aws-sdk/client-sns';
import { SNSClient } from '@aws-sdk/client-sns';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Escalator,
  buildEscalationMessage,
  type EscalationDetails,
} from '../../src/disaster-recovery/escalation.js';
import { DrsMetrics } from '../../src/disaster-recovery/observability.js';
import { InMemoryMetricRecorder } from '../../src/observability/metrics.js';
import { SnsModel } from '../../src/simulation/models/sns.js';
import { createSimulatedClient } from '../../src/simulation/sdk-mount.js';
import { VirtualClock } from '../../src/simulation/virtual-clock.js';

const exhausted: EscalationDetails = {
  kind: 'retries-exhausted',
  operation: 'StartRecovery',
  target: { region: 'us-west-2', accountId: '210987654321' },
  errorCode: 'ThrottlingException',
  errorMessage: 'Rate exceeded',
  retryCount: 5,
  waitedMs: 12_000,
  correlationId: 'corr-1',
};

const timeout: EscalationDetails = {
  kind: 'throttler-timeout',
  operation: 'StartRecovery',
  target: { region: 'eu-west-1' },
  errorMessage: 'No DRS job capacity',
  retryCount: 0,
  waitedMs: 600_000,
  capacity: {
    activeJobs: 20,
    jobLimit: 20,
    serversInActiveJobs: 150,
    serverLimit: 500,
    requestedServers: 50,
  },
  waveId: 'wave-3',
};

describe('escalation: message', () => {
  it('names operation, region, account, error, retry count and concrete steps', () => {
    // Act
    const { subject, message, remediation } = buildEscalationMessage(exhausted);
    const body = JSON.parse(message) as Record<string, unknown>;

    // Assess
    expect(subject).toBe('[DRS] DRS retries exhausted: StartRecovery in us-west-2');
    expect(body).toMatchObject({
      kind: 'retries-exhausted',
      operation: 'StartRecovery',
      region: 'us-west-2',
      account: '210987654321',
      errorCode: 'ThrottlingException',
      errorMessage: 'Rate exceeded',
      retryCount: 5,
      waitedMs: 12_000,
      correlationId: 'corr-1',
    });
    expect(body.remediation).toEqual(remediation);
    expect(remediation.join(' ')).toMatch(/DRS_LIMITER_MODE=shared/);
    expect(remediation.join(' ')).toMatch(/DRS_RATE_PER_SECOND/);
  });

  it('a throttler timeout asks for the concurrent-jobs quota code and smaller waves', () => {
    const { remediation, message } = buildEscalationMessage(timeout);
    expect(remediation[0]).toContain('--service-code drs --quota-code L-D88FAC3A');
    expect(remediation[0]).toContain('--region eu-west-1');
    expect(remediation.join(' ')).toMatch(/Lower the wave size/);
    expect(remediation.join(' ')).toMatch(/Spread the waves/);
    expect(JSON.parse(message)).toMatchObject({ account: 'own account', waveId: 'wave-3' });
  });

  it('asks for the servers-in-all-jobs quota when servers are the bottleneck', () => {
    const { remediation } = buildEscalationMessage({
      ...timeout,
      capacity: {
        activeJobs: 5,
        jobLimit: 20,
        serversInActiveJobs: 480,
        serverLimit: 500,
        requestedServers: 50,
      },
    });
    expect(remediation[0]).toContain('L-05AFA8C6');
  });

  it('transient errors get health-check advice', () => {
    const { remediation } = buildEscalationMessage({
      ...exhausted,
      errorCode: 'InternalServerException',
    });
    expect(remediation[0]).toMatch(/Health Dashboard/);
    const unknown = buildEscalationMessage({ ...exhausted, errorCode: undefined });
    expect(unknown.remediation[1]).toMatch(/the error/);
  });

  it('the subject is always ASCII and at most 100 characters', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 200 }),
        fc.string({ maxLength: 50 }),
        (operation, region) => {
          const { subject } = buildEscalationMessage({
            ...exhausted,
            operation,
            target: { region },
          });
          expect(subject.length).toBeLessThanOrEqual(100);
          expect(subject).toMatch(/^[\x20-\x7e]*$/);
        },
      ),
    );
  });
});

describe('escalation: Escalator', () => {
  function setup() {
    const clock = VirtualClock.create();
    const model = new SnsModel({ clock, region: 'us-east-1', accountId: '123456789012' });
    const topicArn = model.createTopic('DRS-RateLimitAlerts');
    const sns = createSimulatedClient(SNSClient, { region: 'us-east-1' }, model, {
      exceptions: snsSdk,
    });
    const recorder = new InMemoryMetricRecorder();
    return { clock, model, topicArn, sns, recorder };
  }

  it('publishes to the topic with attributes and counts the escalation', async () => {
    // Prepare
    const { clock, model, topicArn, sns, recorder } = setup();
    const escalator = new Escalator({ topicArn, sns, metrics: new DrsMetrics(recorder) });

    // Act
    const result = await clock.run(() => escalator.escalate(exhausted));

    // Assess
    expect(result.published).toBe(true);
    expect(result.messageId).toBeDefined();
    const [published] = model.published(topicArn);
    expect(published?.subject).toBe(result.message.subject);
    expect(recorder.sum('Escalations', { Reason: 'retries-exhausted' })).toBe(1);
  });

  it('names the invocation in every escalation: its correlation id, wave and own account', async () => {
    // Prepare: details that name neither account, wave nor correlation id.
    const escalator = new Escalator({ ownAccountId: '123456789012' });
    const plain: EscalationDetails = {
      kind: 'retries-exhausted',
      operation: 'DescribeJobs',
      target: { region: 'us-east-1' },
      errorMessage: 'Rate exceeded',
      retryCount: 5,
    };
    const bodyOf = async (details: EscalationDetails) =>
      JSON.parse((await escalator.escalate(details)).message.message) as Record<string, unknown>;

    // Act
    const before = await bodyOf(plain);
    escalator.setContext({ correlationId: 'c-1', waveId: 'wave-1' });
    const during = await bodyOf(plain);
    const explicit = await bodyOf({ ...plain, waveId: 'wave-2' });
    escalator.setContext({ correlationId: 'c-2', ownAccountId: '210987654321' });
    const next = await bodyOf(plain);
    const crossAccount = await bodyOf({
      ...plain,
      target: { region: 'us-east-1', accountId: '345678901234' },
    });

    // Assess
    expect(before).toMatchObject({ account: '123456789012', correlationId: null, waveId: null });
    expect(during).toMatchObject({ correlationId: 'c-1', waveId: 'wave-1' });
    expect(explicit).toMatchObject({ correlationId: 'c-1', waveId: 'wave-2' });
    expect(next).toMatchObject({ account: '210987654321', correlationId: 'c-2', waveId: null });
    expect(crossAccount).toMatchObject({ account: '345678901234' });
  });

  it('without a topic it only logs and counts', async () => {
    const recorder = new InMemoryMetricRecorder();
    const result = await new Escalator({ metrics: new DrsMetrics(recorder) }).escalate(timeout);
    expect(result.published).toBe(false);
    expect(recorder.sum('Escalations')).toBe(1);
  });

  it('never throws when SNS fails', async () => {
    // Prepare: a topic that does not exist.
    const { clock, sns } = setup();
    const errors: unknown[] = [];
    const escalator = new Escalator({
      topicArn: 'arn:aws:sns:us-east-1:123456789012:missing',
      sns,
      logger: {
        debug: () => undefined,
        info: () => undefined,
        warn: () => undefined,
        error: (_message, ...extra) => {
          errors.push(extra);
        },
        critical: () => undefined,
      },
    });

    // Act
    const result = await clock.run(() => escalator.escalate(exhausted));

    // Assess
    expect(result.published).toBe(false);
    expect(errors).toHaveLength(1);
  });
});
