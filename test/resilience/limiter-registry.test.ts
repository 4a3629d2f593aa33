import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ResilienceConfigError } from '../../src/resilience/errors.js';
import {
  defaultLimiterRegistry,
  LimiterRegistry,
  resetDefaultLimiterRegistries,
  setDefaultLimiterRegistry,
} from '../../src/resilience/limiter-registry.js';
import {
  DEFAULT_RATE_LIMIT,
  rateLimitsFromEnv,
  serviceKey,
} from '../../src/resilience/rate-limit-config.js';
import { TestClock } from './helpers/test-clock.js';

afterEach(() => resetDefaultLimiterRegistries());

const services = fc.constantFrom('drs', 'DRS', 'ecs', 'Elastic Load Balancing v2', 'sqs');
const regions = fc.constantFrom('us-east-1', 'eu-west-1', 'EU-WEST-1', 'ap-southeast-2');

describe('resilience: LimiterRegistry', () => {
  it('returns one limiter per (service, region), the same one on every call', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(services, regions), { minLength: 1, maxLength: 30 }),
        (pairs) => {
          // Prepare
          const registry = new LimiterRegistry({ env: {}, clock: new TestClock() });

          // Act
          const limiters = pairs.map(([service, region]) => registry.get(service, region));

          // Assess: identical exactly when the normalised pair is identical.
          pairs.forEach(([s1, r1], i) =>
            pairs.forEach(([s2, r2], j) => {
              const same =
                serviceKey(s1) === serviceKey(s2) && r1.toLowerCase() === r2.toLowerCase();
              expect(limiters[i] === limiters[j]).toBe(same);
            }),
          );
          const keys = new Set(pairs.map(([s, r]) => `${serviceKey(s)}:${r.toLowerCase()}`));
          expect([...registry.limiters().keys()].sort()).toEqual([...keys].sort());
        },
      ),
    );
  });

  it('names limiters by service key and region, with the default 10 TPS / 20 burst', () => {
    const registry = new LimiterRegistry({ env: {} });

    const limiter = registry.get('Elastic Load Balancing v2', 'eu-west-1');

    expect(limiter.name).toBe('elastic-load-balancing-v2:eu-west-1');
    expect(DEFAULT_RATE_LIMIT).toEqual({ ratePerSecond: 10, capacity: 20 });
    expect({ rate: limiter.ratePerSecond, capacity: limiter.capacity }).toEqual({
      rate: 10,
      capacity: 20,
    });
  });

  it('keeps separate buckets per region: draining one leaves the other full', () => {
    const registry = new LimiterRegistry({ env: {}, clock: new TestClock() });
    const east = registry.get('drs', 'us-east-1');

    while (east.tryAcquire()) {
      /* drain */
    }

    expect(east.availableTokens()).toBeLessThan(1);
    expect(registry.get('drs', 'us-west-2').availableTokens()).toBe(20);
  });

  it('applies overrides field by field: defaults ← * ← service ← service:region', () => {
    const registry = new LimiterRegistry({
      env: {},
      defaults: { ratePerSecond: 8 },
      limits: {
        '*': { capacity: 16 },
        DRS: { ratePerSecond: 4 },
        'drs:us-east-1': { capacity: 6 },
      },
    });

    expect(registry.limitFor('ecs', 'us-east-1')).toEqual({ ratePerSecond: 8, capacity: 16 });
    expect(registry.limitFor('drs', 'eu-west-1')).toEqual({ ratePerSecond: 4, capacity: 16 });
    expect(registry.limitFor('drs', 'us-east-1')).toEqual({ ratePerSecond: 4, capacity: 6 });
    expect(registry.get('drs', 'us-east-1').capacity).toBe(6);
  });

  it('reads OPSKIT_RATE_LIMITS, and explicit limits beat it', () => {
    const env = {
      OPSKIT_RATE_LIMITS: JSON.stringify({
        drs: { ratePerSecond: 2, capacity: 5 },
        'ecs:eu-west-1': { ratePerSecond: 1 },
      }),
    };

    const registry = new LimiterRegistry({ env, limits: { drs: { capacity: 3 } } });

    expect(registry.limitFor('drs', 'us-east-1')).toEqual({ ratePerSecond: 2, capacity: 3 });
    expect(registry.limitFor('ECS', 'eu-west-1')).toEqual({ ratePerSecond: 1, capacity: 20 });
  });

  it('rejects a service or region it cannot key', () => {
    const registry = new LimiterRegistry({ env: {} });
    expect(() => registry.get('', 'us-east-1')).toThrow(ResilienceConfigError);
    expect(() => registry.get('drs', 'us:east')).toThrow(/service and region must be non-empty/);
  });

  it('rejects invalid defaults and limits, naming the option', () => {
    expect(() => new LimiterRegistry({ env: {}, defaults: { capacity: 0 } })).toThrow(
      /defaults option\["capacity"\] must be >= 1/,
    );
    expect(() => new LimiterRegistry({ env: {}, limits: { drs: { ratePerSecond: -1 } } })).toThrow(
      /limits option\["drs"\]\["ratePerSecond"\] must be > 0/,
    );
  });
});

describe('resilience: OPSKIT_RATE_LIMITS parsing', () => {
  it('is empty when unset or blank', () => {
    expect(rateLimitsFromEnv({})).toEqual({});
    expect(rateLimitsFromEnv({ OPSKIT_RATE_LIMITS: ' ' })).toEqual({});
  });

  it('normalises keys and drops absent fields', () => {
    expect(
      rateLimitsFromEnv({
        OPSKIT_RATE_LIMITS: '{"Elastic Load Balancing v2:EU-WEST-1":{"capacity":40},"*":{}}',
      }),
    ).toEqual({ 'elastic-load-balancing-v2:eu-west-1': { capacity: 40 }, '*': {} });
  });

  it.each([
    ['{drs: 1}', /OPSKIT_RATE_LIMITS is not valid JSON .*Example: \{"drs"/],
    ['[1]', /OPSKIT_RATE_LIMITS must be a JSON object/],
    ['{"drs":{"ratePerSecond":0}}', /OPSKIT_RATE_LIMITS\["drs"\]\["ratePerSecond"\] must be > 0/],
    ['{"drs":{"capacity":"20"}}', /OPSKIT_RATE_LIMITS\["drs"\]\["capacity"\] must be a number/],
    ['{"drs":{"burst":5}}', /OPSKIT_RATE_LIMITS\["drs"\]/],
    ['{"drs":5}', /must be an object with ratePerSecond and\/or capacity/],
    ['{"drs:us-east-1:x":{}}', /keys must be "\*", "service" or "service:region"/],
  ])('rejects %s with a message naming the variable', (value, message) => {
    const env = { OPSKIT_RATE_LIMITS: value };
    expect(() => rateLimitsFromEnv(env)).toThrow(ResilienceConfigError);
    expect(() => rateLimitsFromEnv(env)).toThrow(message);
  });

  it('fails registry construction (the cold start) on a bad variable', () => {
    expect(() => new LimiterRegistry({ env: { OPSKIT_RATE_LIMITS: 'nope' } })).toThrow(
      /OPSKIT_RATE_LIMITS is not valid JSON/,
    );
  });
});

describe('resilience: process-wide default registry', () => {
  it('is one registry per clock, shared by every caller', () => {
    const virtual = new TestClock();

    expect(defaultLimiterRegistry()).toBe(defaultLimiterRegistry());
    expect(defaultLimiterRegistry(virtual)).toBe(defaultLimiterRegistry(virtual));
    expect(defaultLimiterRegistry(virtual)).not.toBe(defaultLimiterRegistry());
    expect(defaultLimiterRegistry(virtual).clock).toBe(virtual);
  });

  it('can be replaced (e.g. by a simulation) and reset', () => {
    const clock = new TestClock();
    const mine = new LimiterRegistry({ clock, env: {}, defaults: { ratePerSecond: 1 } });

    setDefaultLimiterRegistry(mine);
    const installed = defaultLimiterRegistry(clock);
    resetDefaultLimiterRegistries();

    expect(installed).toBe(mine);
    expect(defaultLimiterRegistry(clock)).not.toBe(mine);
  });
});
