import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DISASTER_RECOVERY_CONTEXT_KEY,
  DisasterRecoveryStack,
  parseDisasterRecoveryStackConfig,
} from '../../app/stacks/disaster-recovery-stack.js';
import { DrsEnvVars as V } from '../../src/disaster-recovery/contract.js';
import { expectNoNagFindings } from '../helpers/cdk-nag.js';

/** The block proposed for cdk.json (the lead adds it under the context key). */
export const REFERENCE_CONTEXT = {
  regions: ['us-east-1', 'us-west-2'],
  crossAccountRoleArns: [],
  alarmEmails: ['ops-team@example.com'],
  alertEmails: ['dr-team@example.com'],
  limiter: 'shared',
  ratePerSecond: 10,
  burst: 20,
  maxActiveJobs: 20,
  throttlerTimeoutSeconds: 600,
  pollIntervalSeconds: 30,
  rateLimitErrorThreshold: 10,
  retriesExhaustedThreshold: 3,
  functionTimeoutSeconds: 900,
};

describe('reference app: DisasterRecovery stack', () => {
  let template: Template;
  let stack: DisasterRecoveryStack;

  beforeAll(() => {
    const app = new App({
      builtinCloudFormationValidation: false,
      context: { 'aws:cdk:bundling-stacks': [] },
    });
    stack = new DisasterRecoveryStack(app, 'OpsKitDisasterRecovery', {
      env: { account: '123456789012', region: 'us-east-1' },
      config: parseDisasterRecoveryStackConfig(REFERENCE_CONTEXT),
    });
    template = Template.fromStack(stack);
  });

  it('is configured from the context block and passes cdk-nag', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          [V.regions]: JSON.stringify(REFERENCE_CONTEXT.regions),
          [V.limiterMode]: 'shared',
          [V.throttlerTimeoutSeconds]: '600',
        },
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Endpoint: 'dr-team@example.com' });
    template.hasResourceProperties('AWS::SNS::Subscription', { Endpoint: 'ops-team@example.com' });
    expectNoNagFindings(stack);
  });

  it('emits the construct resources as outputs', () => {
    expect(Object.keys(template.toJSON().Outputs as object)).toEqual([
      'ExecutionFunctionName',
      'QueryFunctionName',
      'AlertTopicArn',
      'LimiterTableName',
      'LeaseTableName',
    ]);
  });
});

describe('reference app: DisasterRecovery context parser', () => {
  it('names the context key when it is missing', () => {
    expect(() => parseDisasterRecoveryStackConfig(undefined)).toThrow(
      `cdk.json context "${DISASTER_RECOVERY_CONTEXT_KEY}" is missing`,
    );
  });

  it('names each bad or unknown field', () => {
    const act = (): unknown =>
      parseDisasterRecoveryStackConfig({ regions: 'us-east-1', limiter: 'global', extra: 1 });
    expect(act).toThrow(/is invalid:/);
    expect(act).toThrow(/regions/);
    expect(act).toThrow(/limiter/);
    expect(act).toThrow(/extra/);
  });

  it('fills the defaults of the optional lists', () => {
    expect(parseDisasterRecoveryStackConfig({ regions: ['eu-west-1'] })).toEqual({
      regions: ['eu-west-1'],
      crossAccountRoleArns: [],
      alarmEmails: [],
      alertEmails: [],
      iso27001: true,
    });
  });
});
