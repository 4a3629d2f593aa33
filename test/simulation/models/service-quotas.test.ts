import * as quotasSdk from '@aws-sdk/client-service-quotas';
import {
  AccessDeniedException,
  GetAWSDefaultServiceQuotaCommand,
  GetServiceQuotaCommand,
  IllegalArgumentException,
  InvalidPaginationTokenException,
  ListServiceQuotasCommand,
  NoSuchResourceException,
  ServiceQuotasClient,
  ServiceQuotasServiceException,
} from '@aws-sdk/client-service-quotas';
import { describe, expect, it } from 'vitest';
import { SimulationConfigError } from '../../../src/simulation/errors.js';
import { DRS_QUOTA_CODES } from '../../../src/simulation/models/drs-quotas.js';
import { DrsModel } from '../../../src/simulation/models/drs.js';
import {
  ServiceQuotasModel,
  type ServiceQuotasModelOptions,
} from '../../../src/simulation/models/service-quotas.js';
import { createSimulatedClient } from '../../../src/simulation/sdk-mount.js';
import { VirtualClock } from '../../../src/simulation/virtual-clock.js';

function setup(options: Omit<ServiceQuotasModelOptions, 'clock'> = {}) {
  const clock = VirtualClock.create();
  const model = new ServiceQuotasModel({ clock, ...options });
  const client = createSimulatedClient(ServiceQuotasClient, {}, model, { exceptions: quotasSdk });
  return { clock, model, client };
}

function get(client: ServiceQuotasClient, QuotaCode: string, ServiceCode = 'drs') {
  return client.send(new GetServiceQuotaCommand({ ServiceCode, QuotaCode }));
}

async function failure(promise: Promise<unknown>): Promise<ServiceQuotasServiceException> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ServiceQuotasServiceException);
  return error as ServiceQuotasServiceException;
}

describe('simulation: Service Quotas for DRS', () => {
  it('answers the four DRS quotas with their default values', async () => {
    // Prepare
    const { client } = setup();

    // Act
    const values = await Promise.all(
      Object.values(DRS_QUOTA_CODES).map(async (code) => (await get(client, code)).Quota),
    );

    // Assess
    expect(values.map((quota) => quota?.Value)).toEqual([20, 100, 500, 1]);
    expect(values[0]).toMatchObject({
      ServiceCode: 'drs',
      QuotaCode: 'L-D88FAC3A',
      QuotaArn: 'arn:aws:servicequotas:us-east-1:123456789012:drs/L-D88FAC3A',
      Unit: 'None',
      GlobalQuota: false,
    });
  });

  it('answers what a DRS model enforces, and configured or changed values', async () => {
    // Prepare
    const clock = VirtualClock.create();
    const drs = new DrsModel({ clock, quotas: { concurrentJobs: 7 } });
    const linked = setup({ drs });
    const configured = setup({ values: { serversPerJob: 50 } });

    // Act
    const fromDrs = await get(linked.client, 'L-D88FAC3A');
    const before = await get(configured.client, 'L-B827C881');
    configured.model.setValue('serversPerJob', 60);
    const after = await get(configured.client, 'L-B827C881');
    const defaults = await configured.client.send(
      new GetAWSDefaultServiceQuotaCommand({ ServiceCode: 'drs', QuotaCode: 'L-B827C881' }),
    );

    // Assess
    expect(fromDrs.Quota?.Value).toBe(7);
    expect(before.Quota?.Value).toBe(50);
    expect(after.Quota?.Value).toBe(60);
    expect(defaults.Quota?.Value).toBe(100);
    expect(() => linked.model.setValue('concurrentJobs', 3)).toThrow(SimulationConfigError);
    expect(() => setup({ drs, values: {} })).toThrow(SimulationConfigError);
    expect(() => configured.model.setValue('concurrentJobs', 0)).toThrow(/concurrentJobs/);
  });

  it('lists quotas with pagination and a quota code filter', async () => {
    // Prepare
    const { client } = setup();

    // Act
    const first = await client.send(
      new ListServiceQuotasCommand({ ServiceCode: 'drs', MaxResults: 3 }),
    );
    const rest = await client.send(
      new ListServiceQuotasCommand({
        ServiceCode: 'drs',
        MaxResults: 3,
        NextToken: first.NextToken,
      }),
    );
    const one = await client.send(
      new ListServiceQuotasCommand({ ServiceCode: 'drs', QuotaCode: 'L-DD6D028C' }),
    );
    const badToken = await failure(
      client.send(new ListServiceQuotasCommand({ ServiceCode: 'drs', NextToken: 'zz' })),
    );

    // Assess
    expect([...(first.Quotas ?? []), ...(rest.Quotas ?? [])].map((q) => q.QuotaCode)).toEqual(
      Object.values(DRS_QUOTA_CODES),
    );
    expect(rest.NextToken).toBeUndefined();
    expect(one.Quotas?.map((q) => q.Value)).toEqual([1]);
    expect(badToken).toBeInstanceOf(InvalidPaginationTokenException);
  });

  it('answers NoSuchResource for unknown codes, IllegalArgument for bad input, AccessDenied when denied', async () => {
    // Prepare
    const { client, model } = setup();

    // Act
    const unknownQuota = await failure(get(client, 'L-00000000'));
    const malformed = await failure(get(client, 'quota'));
    const unknownService = await failure(get(client, 'L-D88FAC3A', 'ec2'));
    const empty = await failure(get(client, ''));
    model.denyAccess();
    const denied = await failure(get(client, 'L-D88FAC3A'));
    const deniedList = await failure(
      client.send(new ListServiceQuotasCommand({ ServiceCode: 'drs' })),
    );
    model.denyAccess(false);
    const allowed = await get(client, 'L-D88FAC3A');

    // Assess
    expect(unknownQuota).toBeInstanceOf(NoSuchResourceException);
    expect(malformed).toBeInstanceOf(NoSuchResourceException);
    expect(malformed.message).toContain('L-1234ABCD');
    expect(unknownService).toBeInstanceOf(NoSuchResourceException);
    expect(empty).toBeInstanceOf(IllegalArgumentException);
    expect(denied).toBeInstanceOf(AccessDeniedException);
    expect(denied.$metadata.httpStatusCode).toBe(403);
    expect(deniedList).toBeInstanceOf(AccessDeniedException);
    expect(allowed.Quota?.Value).toBe(20);
  });

  it('can start denied', async () => {
    const { client } = setup({ accessDenied: true });
    expect(await failure(get(client, 'L-D88FAC3A'))).toBeInstanceOf(AccessDeniedException);
  });
});
