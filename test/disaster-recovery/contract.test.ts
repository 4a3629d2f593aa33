import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DrsDefaults,
  DrsEnvVars,
  minimumLeaseTtlSeconds,
  parseDisasterRecoveryConfig,
  parseExecutionEvent,
  parseQueryEvent,
  toDisasterRecoveryEnvironment,
} from '../../src/disaster-recovery/contract.js';
import { DrsConfigError, DrsEventError } from '../../src/disaster-recovery/errors.js';

const ROLE = 'arn:aws:iam::210987654321:role/Drs';
const SERVER = 's-1234567890abcdefA';
const JOB = 'drsjob-1234567890abcdefA';

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseDisasterRecoveryConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(DrsConfigError);
    return (error as DrsConfigError).problems.map((p) => `${p.variable}: ${p.message}`);
  }
  return [];
}

describe('contract: configuration', () => {
  it('applies the documented defaults (10-minute throttler timeout, local limiter)', () => {
    const config = parseDisasterRecoveryConfig({ DRS_REGIONS: 'us-east-1' });
    expect(config).toMatchObject({ regions: ['us-east-1'], crossAccountRoles: {}, ...DrsDefaults });
    expect(config.throttlerTimeoutSeconds).toBe(600);
    expect(config.quotaFallbacks).toEqual({
      maxConcurrentJobs: 20,
      maxServersPerJob: 100,
      maxServersInActiveJobs: 500,
      maxJobsPerServer: 1,
    });
    expect(config.leaseTableName).toBeUndefined();
  });

  it('reads every variable', () => {
    const config = parseDisasterRecoveryConfig({
      DRS_REGIONS: '["us-east-1","eu-west-1"]',
      DRS_CROSS_ACCOUNT_ROLES: JSON.stringify({ '210987654321': ROLE }),
      DRS_JOB_THRESHOLD: '15',
      DRS_LIMITER_MODE: 'SHARED',
      DRS_LIMITER_TABLE_NAME: 'limits',
      DRS_LEASE_TABLE_NAME: 'arn:aws:dynamodb:us-east-1:123456789012:table/leases',
      DRS_ALERTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:DRS-RateLimitAlerts',
      DRS_RATE_PER_SECOND: '7.5',
      DRS_QUOTA_MAX_SERVERS_PER_JOB: '150',
    });
    expect(config).toMatchObject({
      regions: ['us-east-1', 'eu-west-1'],
      crossAccountRoles: { '210987654321': ROLE },
      jobThreshold: 15,
      limiterMode: 'shared',
      ratePerSecond: 7.5,
      quotaFallbacks: { maxServersPerJob: 150 },
    });
  });

  it('names each bad variable and its fix', () => {
    const problems = problemsOf({
      DRS_REGIONS: 'us-east-1,nowhere,us-east-1',
      DRS_CROSS_ACCOUNT_ROLES: JSON.stringify({
        '210987654321': 'arn:aws:iam::111111111111:role/X',
        abc: ROLE,
      }),
      DRS_JOB_THRESHOLD: '0',
      DRS_LIMITER_MODE: 'global',
      DRS_ALERTS_TOPIC_ARN: 'topic',
      DRS_RATE_PER_SECOND: '-1',
    });
    const text = problems.join('\n');
    expect(text).toMatch(/DRS_REGIONS\[1\] must be a region name/);
    expect(text).toMatch(/DRS_REGIONS\[2\] repeats/);
    expect(text).toMatch(/names a role of account 111111111111/);
    expect(text).toMatch(/key 'abc' must be a 12-digit account id/);
    expect(text).toMatch(/DRS_JOB_THRESHOLD must be a whole number from 1 to 1000, got '0'/);
    expect(text).toMatch(/DRS_LIMITER_MODE must be 'local' or 'shared'/);
    expect(text).toMatch(/DRS_ALERTS_TOPIC_ARN must be an SNS topic ARN/);
    expect(text).toMatch(/DRS_RATE_PER_SECOND must be a number above 0/);
  });

  it('requires regions, and a table for the shared limiter, and a poll below the timeout', () => {
    expect(problemsOf({}).join()).toMatch(/DRS_REGIONS must list the DRS regions, it is not set/);
    expect(problemsOf({ DRS_REGIONS: '[]' }).join()).toMatch(/non-empty JSON array/);
    expect(problemsOf({ DRS_REGIONS: '[oops' }).join()).toMatch(/non-empty JSON array/);
    expect(problemsOf({ DRS_REGIONS: 'us-east-1', DRS_CROSS_ACCOUNT_ROLES: '[1]' }).join()).toMatch(
      /JSON object from account id to role ARN/,
    );
    expect(
      problemsOf({
        DRS_REGIONS: 'us-east-1',
        DRS_CROSS_ACCOUNT_ROLES: '{"210987654321": 5}',
      }).join(),
    ).toMatch(/must be an IAM role ARN/);
    expect(problemsOf({ DRS_REGIONS: 'us-east-1', DRS_LIMITER_MODE: 'shared' }).join()).toMatch(
      /DRS_LIMITER_TABLE_NAME is not set/,
    );
    expect(problemsOf({ DRS_REGIONS: 'us-east-1', DRS_LEASE_TABLE_NAME: 'a' }).join()).toMatch(
      /DRS_LEASE_TABLE_NAME must be a DynamoDB table name/,
    );
    expect(
      problemsOf({
        DRS_REGIONS: 'us-east-1',
        DRS_THROTTLER_TIMEOUT_SECONDS: '10',
        DRS_POLL_INTERVAL_SECONDS: '20',
      }).join(),
    ).toMatch(/DRS_POLL_INTERVAL_SECONDS \(20\) is longer than DRS_THROTTLER_TIMEOUT_SECONDS/);
    // 600 s of waiting + 5 retries of at most 20 s each: a 650 s claim could lapse mid-start.
    expect(problemsOf({ DRS_REGIONS: 'us-east-1', DRS_LEASE_TTL_SECONDS: '650' }).join()).toMatch(
      /DRS_LEASE_TTL_SECONDS \(650\) is shorter than DRS_THROTTLER_TIMEOUT_SECONDS \(600\) plus the retry budget.*at least 700/,
    );
    expect(
      problemsOf({ DRS_REGIONS: 'us-east-1', DRS_LEASE_TTL_SECONDS: '700' }).join(),
    ).not.toMatch(/DRS_LEASE_TTL_SECONDS/);
  });

  it('round-trips through the environment the construct writes', () => {
    fc.assert(
      fc.property(
        fc.record({
          jobThreshold: fc.integer({ min: 1, max: 1000 }),
          throttlerTimeoutSeconds: fc.integer({ min: 600, max: 3600 }),
          pollIntervalSeconds: fc.integer({ min: 1, max: 600 }),
          limiterMode: fc.constantFrom('local' as const, 'shared' as const),
          ratePerSecond: fc.integer({ min: 1, max: 1000 }),
          withTopic: fc.boolean(),
        }),
        ({ withTopic, ...settings }) => {
          const base = parseDisasterRecoveryConfig({
            DRS_REGIONS: 'us-east-1',
            DRS_LIMITER_TABLE_NAME: 'limits',
            DRS_LEASE_TABLE_NAME: 'leases',
            ...(withTopic ? { DRS_ALERTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:t' } : {}),
          });
          // As the construct does: the lease TTL outlives the wait plus the retries.
          const leaseTtlSeconds = Math.max(
            base.leaseTtlSeconds,
            minimumLeaseTtlSeconds(settings.throttlerTimeoutSeconds, base.maxRetries),
          );
          const config = { ...base, ...settings, leaseTtlSeconds };
          expect(parseDisasterRecoveryConfig(toDisasterRecoveryEnvironment(config))).toEqual(
            config,
          );
        },
      ),
      { numRuns: 50 },
    );
    expect(Object.values(DrsEnvVars).every((name) => /^DRS_[A-Z_]+$/.test(name))).toBe(true);
  });
});

describe('contract: events', () => {
  it('accepts the three execution actions', () => {
    expect(
      parseExecutionEvent({
        action: 'startWave',
        waveId: 'w-1',
        sourceServerIds: [SERVER],
        isDrill: true,
        region: 'us-east-1',
      }),
    ).toMatchObject({ action: 'startWave' });
    expect(
      parseExecutionEvent({
        action: 'waveStatus',
        waveId: 'w-1',
        jobIds: [JOB],
        region: 'us-east-1',
        accountId: '210987654321',
      }),
    ).toMatchObject({ accountId: '210987654321' });
    expect(
      parseExecutionEvent({
        action: 'terminate',
        recoveryInstanceIds: ['i-0123456789abcdef0'],
        region: 'us-east-1',
      }),
    ).toMatchObject({ action: 'terminate' });
  });

  it('rejects bad execution events naming the field', () => {
    expect(() =>
      parseExecutionEvent({
        action: 'startWave',
        waveId: 'w 1',
        sourceServerIds: [SERVER, SERVER],
        isDrill: 'yes',
        region: 'x',
      }),
    ).toThrow(
      /waveId: must be 1–64 letters.*sourceServerIds: repeats a source server id.*isDrill.*region: must be a region name/,
    );
    expect(() =>
      parseExecutionEvent({ action: 'waveStatus', waveId: 'w', jobIds: [], region: 'us-east-1' }),
    ).toThrow(/jobIds: must list at least one job id/);
    expect(() => parseExecutionEvent('nope')).toThrow(DrsEventError);
  });

  it('accepts and rejects query events', () => {
    expect(parseQueryEvent({ action: 'regionalCapacity', region: 'us-east-1' })).toMatchObject({
      region: 'us-east-1',
    });
    expect(parseQueryEvent({ action: 'accountCapacity' })).toEqual({ action: 'accountCapacity' });
    expect(() =>
      parseQueryEvent({ action: 'accountCapacity', regions: ['us-east-1', 'us-east-1'] }),
    ).toThrow(/regions: repeats a region/);
    expect(() => parseQueryEvent({ action: 'other' })).toThrow(DrsEventError);
  });
});
