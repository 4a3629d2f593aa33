import * as sqSdk from '@aws-sdk/client-service-quotas';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DRS_QUOTAS } from '../../src/disaster-recovery/contract.js';
import { DrsQuotaReader } from '../../src/disaster-recovery/quotas.js';
import type { ServiceModel } from '../../src/simulation/service-model.js';
import { SimulatedServiceError } from '../../src/simulation/service-error.js';
import { ServiceQuotasModel } from '../../src/simulation/models/service-quotas.js';
import { createSimulatedClient } from '../../src/simulation/sdk-mount.js';
import { VirtualClock } from '../../src/simulation/virtual-clock.js';

const fallbacks = {
  maxConcurrentJobs: 3,
  maxServersPerJob: 4,
  maxServersInActiveJobs: 5,
  maxJobsPerServer: 1,
};

function reader(model: ServiceModel, clock = VirtualClock.create(), cacheMs = 0) {
  const client = createSimulatedClient(ServiceQuotasClient, { region: 'us-east-1' }, model, {
    exceptions: sqSdk,
  });
  return { clock, reader: new DrsQuotaReader({ client, fallbacks, cacheMs, clock }) };
}

describe('quotas: DrsQuotaReader', () => {
  it('reads the applied values of the four DRS quota codes', async () => {
    // Prepare
    const clock = VirtualClock.create();
    const model = new ServiceQuotasModel({
      clock,
      values: {
        concurrentJobs: 25,
        serversPerJob: 150,
        serversInActiveJobs: 800,
        jobsPerServer: 1,
      },
    });
    const { reader: r } = reader(model, clock);

    // Act
    const quotas = await clock.run(() => r.read());

    // Assess
    expect(quotas).toMatchObject({
      maxConcurrentJobs: 25,
      maxServersPerJob: 150,
      maxServersInActiveJobs: 800,
      maxJobsPerServer: 1,
      sources: { maxConcurrentJobs: 'applied' },
    });
  });

  it('falls back to the configured values when Service Quotas denies access', async () => {
    const clock = VirtualClock.create();
    const model = new ServiceQuotasModel({ clock, accessDenied: true });
    const { reader: r } = reader(model, clock);
    const quotas = await clock.run(() => r.read());
    expect(quotas).toMatchObject({ ...fallbacks, sources: { maxServersPerJob: 'fallback' } });
  });

  it('uses the AWS default when no value is applied (NoSuchResourceException)', async () => {
    // Prepare: GetServiceQuota knows nothing; the default answers.
    const clock = VirtualClock.create();
    const model: ServiceModel = {
      name: 'sq',
      handle: (operation) => {
        if (operation === 'GetServiceQuota') {
          throw new SimulatedServiceError({
            name: 'NoSuchResourceException',
            httpStatusCode: 400,
            message: 'none',
          });
        }
        return { Quota: { Value: 42 } };
      },
    };
    const { reader: r } = reader(model, clock);

    // Act
    const quotas = await clock.run(() => r.read());

    // Assess
    expect(quotas.maxConcurrentJobs).toBe(42);
    expect(quotas.sources.maxConcurrentJobs).toBe('aws-default');
  });

  it('falls back when a value is missing or unusable', async () => {
    const clock = VirtualClock.create();
    const model: ServiceModel = {
      name: 'sq',
      handle: (operation) =>
        operation === 'GetServiceQuota' ? { Quota: { Value: 0 } } : { Quota: {} },
    };
    const { reader: r } = reader(model, clock);
    const quotas = await clock.run(() => r.read());
    expect(quotas).toMatchObject(fallbacks);
  });

  it('caches for cacheMs, and invalidate() forces a new read', async () => {
    // Prepare
    const clock = VirtualClock.create();
    const model = new ServiceQuotasModel({ clock });
    const client = createSimulatedClient(ServiceQuotasClient, { region: 'us-east-1' }, model, {
      exceptions: sqSdk,
    });
    const r = new DrsQuotaReader({ client, fallbacks, cacheMs: 1000, clock });

    // Act
    await clock.run(() => Promise.all([r.read(), r.read()]));
    await clock.run(() => r.read());
    r.invalidate();
    await clock.run(() => r.read());

    // Assess: two reads of four quotas.
    expect(model.stats().byOperation.GetServiceQuota?.calls).toBe(8);
    expect(DEFAULT_DRS_QUOTAS.maxConcurrentJobs).toBe(20);
  });
});
