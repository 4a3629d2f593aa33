import * as stsSdk from '@aws-sdk/client-sts';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  STSClient,
  STSServiceException,
} from '@aws-sdk/client-sts';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { describe, expect, it } from 'vitest';
import { SimulationConfigError } from '../../../src/simulation/errors.js';
import {
  StsModel,
  assumeRoleClientOptions,
  parseRoleArn,
} from '../../../src/simulation/models/sts.js';
import { createSimulatedClient } from '../../../src/simulation/sdk-mount.js';
import { VirtualClock } from '../../../src/simulation/virtual-clock.js';

const START = Date.UTC(2025, 0, 1);
const ROLE = 'arn:aws:iam::111111111111:role/DrsCrossAccount';

function setup() {
  const clock = VirtualClock.create({ start: START });
  const sts = new StsModel({ clock, roles: [ROLE], expiryClock: 'model' });
  const client = createSimulatedClient(STSClient, {}, sts, { exceptions: stsSdk });
  return { clock, sts, client };
}

async function failure(promise: Promise<unknown>): Promise<STSServiceException> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(STSServiceException);
  return error as STSServiceException;
}

describe('simulation: STS AssumeRole', () => {
  it('hands out deterministic credentials and maps their key to the role account', async () => {
    // Prepare
    const first = setup();
    const second = setup();
    const input = { RoleArn: ROLE, RoleSessionName: 'drs-query', DurationSeconds: 900 };

    // Act
    const a = await first.client.send(new AssumeRoleCommand(input));
    const b = await second.client.send(new AssumeRoleCommand(input));
    const again = await first.client.send(new AssumeRoleCommand(input));

    // Assess
    expect(a.Credentials).toEqual(b.Credentials);
    expect(again.Credentials?.AccessKeyId).not.toBe(a.Credentials?.AccessKeyId);
    expect(a.Credentials?.AccessKeyId).toMatch(/^ASIA[0-9A-F]{16}$/);
    expect(a.Credentials?.Expiration?.getTime()).toBe(START + 900_000);
    expect(a.AssumedRoleUser?.Arn).toBe(
      'arn:aws:sts::111111111111:assumed-role/DrsCrossAccount/drs-query',
    );
    expect(first.sts.accountOfAccessKey(a.Credentials?.AccessKeyId ?? '')).toBe('111111111111');
    expect(first.sts.accountOfAccessKey('AKIDUNKNOWN')).toBeUndefined();
    expect(first.sts.assumedRoles()).toHaveLength(2);
  });

  it('denies roles it was not told about and a wrong ExternalId', async () => {
    // Prepare
    const { client, sts } = setup();
    const guarded = 'arn:aws:iam::222222222222:role/path/Guarded';
    sts.allowRole(guarded, { externalId: 'secret-id' });

    // Act
    const unknown = await failure(
      client.send(
        new AssumeRoleCommand({
          RoleArn: 'arn:aws:iam::333333333333:role/Other',
          RoleSessionName: 's1',
        }),
      ),
    );
    const wrongId = await failure(
      client.send(
        new AssumeRoleCommand({ RoleArn: guarded, RoleSessionName: 's1', ExternalId: 'nope' }),
      ),
    );
    const ok = await client.send(
      new AssumeRoleCommand({ RoleArn: guarded, RoleSessionName: 's1', ExternalId: 'secret-id' }),
    );

    // Assess
    expect(unknown).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect(unknown.message).toContain('sts:AssumeRole');
    expect(wrongId.name).toBe('AccessDenied');
    expect(ok.AssumedRoleUser?.Arn).toContain('assumed-role/Guarded/s1');
  });

  it('validates what STS validates and answers GetCallerIdentity', async () => {
    // Prepare
    const { client } = setup();

    // Act
    const duration = await failure(
      client.send(
        new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'ok', DurationSeconds: 60 }),
      ),
    );
    const session = await failure(
      client.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'bad name!' })),
    );
    const identity = await client.send(new GetCallerIdentityCommand({}));

    // Assess
    expect(duration).toMatchObject({ name: 'ValidationError', $metadata: { httpStatusCode: 400 } });
    expect(session.name).toBe('ValidationError');
    expect(identity.Account).toBe('123456789012');
  });

  it('rejects a role that is not an IAM role ARN at configuration', () => {
    const clock = VirtualClock.create();
    expect(() => new StsModel({ clock, roles: ['arn:aws:iam::1:user/x'] })).toThrow(
      SimulationConfigError,
    );
    expect(parseRoleArn(ROLE)).toEqual({ accountId: '111111111111', roleName: 'DrsCrossAccount' });
    expect(parseRoleArn('arn:aws:iam::111111111111:role/a/b/Deep')?.roleName).toBe('Deep');
  });
});

describe('simulation: fromTemporaryCredentials against the STS model', () => {
  it('counts Expiration from Date.now() by default, which the SDK compares it with', async () => {
    // Prepare
    const clock = VirtualClock.create({ start: START });
    const sts = new StsModel({ clock, roles: [ROLE] });
    const client = createSimulatedClient(STSClient, {}, sts, { exceptions: stsSdk });
    const before = Date.now();

    // Act
    const output = await client.send(
      new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'real', DurationSeconds: 900 }),
    );

    // Assess
    const expiration = output.Credentials?.Expiration?.getTime() ?? 0;
    expect(expiration).toBeGreaterThanOrEqual(before + 900_000);
    expect(expiration).toBeLessThanOrEqual(Date.now() + 900_000);
    expect(sts.assumedRoles()[0]?.time).toBe(START);
  });

  it('assumes the role through the provider own STS client, mounted by the plugin', async () => {
    // Prepare
    const { clock, sts } = setup();
    const provider = fromTemporaryCredentials({
      params: { RoleArn: ROLE, RoleSessionName: 'kit' },
      ...assumeRoleClientOptions(sts, { exceptions: stsSdk }),
    });

    // Act
    const credentials = await clock.run(() => provider());
    const denied = await clock
      .run(() =>
        fromTemporaryCredentials({
          params: { RoleArn: 'arn:aws:iam::444444444444:role/Nope', RoleSessionName: 'kit' },
          ...assumeRoleClientOptions(sts),
        })(),
      )
      .catch((caught: unknown) => caught);

    // Assess
    expect(sts.accountOfAccessKey(credentials.accessKeyId)).toBe('111111111111');
    expect(credentials.expiration?.getTime()).toBe(START + 3_600_000);
    expect(sts.assumedRoles()).toMatchObject([{ roleArn: ROLE, sessionName: 'kit' }]);
    expect(denied).toMatchObject({ name: 'AccessDenied' });
  });
});
