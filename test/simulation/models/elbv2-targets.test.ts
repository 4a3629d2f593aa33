import {
  DeregisterTargetsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  InvalidTargetException,
  RegisterTargetsCommand,
  TargetGroupNotFoundException,
  TooManyTargetsException,
  type TargetDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimulationConfigError } from '../../../src/simulation/errors.js';
import type { Elbv2ModelOptions } from '../../../src/simulation/models/elbv2.js';
import { forward, simulatedElbv2 } from '../../helpers/elbv2.js';

/** An ALB forwarding to an ip group (VPC 10.0.0.0/16) and an instance group; one unused group. */
function world(options: Partial<Elbv2ModelOptions> = {}) {
  const { clock, model, client } = simulatedElbv2(options);
  const ip = model.addTargetGroup({
    name: 'ip',
    targetType: 'ip',
    port: 8080,
    vpcCidr: ['10.0.0.0/16', '10.1.0.0/16'],
    healthyAfterMs: 20_000,
    deregistrationDelayMs: 60_000,
  });
  const instance = model.addTargetGroup({ name: 'instance', targetType: 'instance', port: 80 });
  const unused = model.addTargetGroup({ name: 'unused', targetType: 'ip' });
  const lb = model.addLoadBalancer({ name: 'shop' });
  model.addListener({ loadBalancerArn: lb, defaultActions: [forward([ip, 1], [instance, 1])] });
  return { clock, model, client, tg: { ip, instance, unused } };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

describe('elbv2 model: target registration', () => {
  it('moves a target from initial to healthy after the health check time', async () => {
    // Prepare
    const { client, clock, tg } = world();
    // Act
    await client.send(
      new RegisterTargetsCommand({ TargetGroupArn: tg.ip, Targets: [{ Id: '10.0.3.4' }] }),
    );
    const initial = await client.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.ip }));
    await clock.advance(19_999);
    const stillInitial = await client.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: tg.ip }),
    );
    await clock.advance(1);
    const healthy = await client.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.ip }));
    // Assess
    expect(initial.TargetHealthDescriptions).toEqual([
      {
        Target: { Id: '10.0.3.4', Port: 8080 },
        HealthCheckPort: '8080',
        TargetHealth: {
          State: 'initial',
          Reason: 'Elb.RegistrationInProgress',
          Description: 'Target registration is in progress',
        },
      },
    ]);
    expect(stillInitial.TargetHealthDescriptions?.[0].TargetHealth?.State).toBe('initial');
    expect(healthy.TargetHealthDescriptions?.[0].TargetHealth).toEqual({ State: 'healthy' });
  });

  it('drains a deregistered target for the deregistration delay, then forgets it', async () => {
    // Prepare
    const { client, clock, model, tg } = world();
    const target = { Id: '10.0.3.4', Port: 9000 };
    await client.send(new RegisterTargetsCommand({ TargetGroupArn: tg.ip, Targets: [target] }));
    // Act
    await client.send(new DeregisterTargetsCommand({ TargetGroupArn: tg.ip, Targets: [target] }));
    await client.send(new DeregisterTargetsCommand({ TargetGroupArn: tg.ip, Targets: [target] }));
    const draining = model.targetHealth(tg.ip);
    const refused = await rejection(
      client.send(new RegisterTargetsCommand({ TargetGroupArn: tg.ip, Targets: [target] })),
    );
    await clock.advance(60_000);
    const gone = model.targetHealth(tg.ip);
    await client.send(new RegisterTargetsCommand({ TargetGroupArn: tg.ip, Targets: [target] }));
    // Assess
    expect(draining[0].TargetHealth).toMatchObject({
      State: 'draining',
      Reason: 'Target.DeregistrationInProgress',
    });
    expect(refused).toBeInstanceOf(InvalidTargetException);
    expect(refused.message).toMatch(/being deregistered/);
    expect(gone).toEqual([]);
    expect(model.targetHealth(tg.ip)[0].TargetHealth?.State).toBe('initial');
  });

  it('succeeds when deregistering a target that is not registered', async () => {
    // Prepare
    const { client, model, tg } = world();
    // Act
    const out = await client.send(
      new DeregisterTargetsCommand({
        TargetGroupArn: tg.instance,
        Targets: [{ Id: 'i-0123456789abcdef0' }],
      }),
    );
    // Assess
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(model.targetHealth(tg.instance)).toEqual([]);
  });

  it('needs AvailabilityZone all for IPs outside the VPC and refuses it inside', async () => {
    // Prepare
    const { client, model, tg } = world();
    const register = (Targets: TargetDescription[]) =>
      client.send(new RegisterTargetsCommand({ TargetGroupArn: tg.ip, Targets }));
    // Act
    const missingAll = await rejection(register([{ Id: '172.31.5.6' }]));
    const insideAll = await rejection(register([{ Id: '10.1.2.3', AvailabilityZone: 'all' }]));
    const publicIp = await rejection(register([{ Id: '8.8.8.8', AvailabilityZone: 'all' }]));
    const notIp = await rejection(register([{ Id: 'i-0123456789abcdef0' }]));
    await register([
      { Id: '172.31.5.6', AvailabilityZone: 'all' },
      { Id: '10.1.2.3', AvailabilityZone: 'eu-west-1a' },
    ]);
    // Assess
    expect(missingAll.name).toBe('ValidationError');
    expect(missingAll.message).toMatch(/Availability Zone is required for IP address '172.31.5.6'/);
    expect(insideAll.message).toMatch(
      /within the VPC, and cannot have its Availability Zone overridden/,
    );
    expect(publicIp.message).toMatch(/not a private address/);
    expect(notIp.message).toMatch(/not a valid IPv4 address/);
    expect(model.targetHealth(tg.ip).map((d) => d.Target)).toEqual([
      { Id: '172.31.5.6', Port: 8080, AvailabilityZone: 'all' },
      { Id: '10.1.2.3', Port: 8080, AvailabilityZone: 'eu-west-1a' },
    ]);
  });

  it('needs AvailabilityZone all to deregister or describe an outside-VPC IP, like RegisterTargets', async () => {
    // Prepare
    const { client, model, tg } = world();
    const outside = { Id: '172.31.5.6', Port: 8080 };
    await client.send(
      new RegisterTargetsCommand({
        TargetGroupArn: tg.ip,
        Targets: [{ ...outside, AvailabilityZone: 'all' }],
      }),
    );
    // Act
    const describeWithout = await rejection(
      client.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.ip, Targets: [outside] })),
    );
    const deregisterWithout = await rejection(
      client.send(new DeregisterTargetsCommand({ TargetGroupArn: tg.ip, Targets: [outside] })),
    );
    const insideWithAll = await rejection(
      client.send(
        new DeregisterTargetsCommand({
          TargetGroupArn: tg.ip,
          Targets: [{ Id: '10.0.3.4', AvailabilityZone: 'all' }],
        }),
      ),
    );
    const instanceWithAz = await rejection(
      client.send(
        new DescribeTargetHealthCommand({
          TargetGroupArn: tg.instance,
          Targets: [{ Id: 'i-0123456789abcdef0', AvailabilityZone: 'all' }],
        }),
      ),
    );
    const stillThere = model.targetHealth(tg.ip).map((d) => d.TargetHealth?.State);
    const described = await client.send(
      new DescribeTargetHealthCommand({
        TargetGroupArn: tg.ip,
        Targets: [{ ...outside, AvailabilityZone: 'all' }],
      }),
    );
    await client.send(
      new DeregisterTargetsCommand({
        TargetGroupArn: tg.ip,
        Targets: [{ ...outside, AvailabilityZone: 'all' }],
      }),
    );
    // Assess
    for (const error of [describeWithout, deregisterWithout]) {
      expect(error.name).toBe('ValidationError');
      expect(error.message).toMatch(/Availability Zone is required for IP address '172.31.5.6'/);
    }
    expect(insideWithAll.message).toMatch(/within the VPC/);
    expect(instanceWithAz.name).toBe('ValidationError');
    expect(stillThere).toEqual(['initial']);
    expect(described.TargetHealthDescriptions?.[0].TargetHealth?.State).toBe('initial');
    expect(model.targetHealth(tg.ip).map((d) => d.TargetHealth?.State)).toEqual(['draining']);
  });

  it('takes instance ids with ports on instance groups and refuses an Availability Zone', async () => {
    // Prepare
    const { client, model, tg } = world();
    const register = (Targets: TargetDescription[]) =>
      client.send(new RegisterTargetsCommand({ TargetGroupArn: tg.instance, Targets }));
    // Act
    const withAz = await rejection(
      register([{ Id: 'i-0123456789abcdef0', AvailabilityZone: 'all' }]),
    );
    const ip = await rejection(register([{ Id: '10.0.0.9' }]));
    await register([
      { Id: 'i-0123456789abcdef0', Port: 49153 },
      { Id: 'i-0123456789abcdef0', Port: 49154 },
      { Id: 'i-0123456789abcdef0', Port: 49153 },
    ]);
    // Assess
    expect(withAz.name).toBe('ValidationError');
    expect(ip).toBeInstanceOf(InvalidTargetException);
    expect(model.targetHealth(tg.instance).map((d) => d.Target?.Port)).toEqual([49153, 49154]);
  });

  it('lets a draining instance target be registered again, starting over', async () => {
    // Prepare
    const { client, model, tg } = world();
    const target = { Id: 'i-0123456789abcdef0' };
    await client.send(
      new RegisterTargetsCommand({ TargetGroupArn: tg.instance, Targets: [target] }),
    );
    await client.send(
      new DeregisterTargetsCommand({ TargetGroupArn: tg.instance, Targets: [target] }),
    );
    // Act
    await client.send(
      new RegisterTargetsCommand({ TargetGroupArn: tg.instance, Targets: [target] }),
    );
    // Assess
    expect(model.targetHealth(tg.instance)[0].TargetHealth?.State).toBe('initial');
  });

  it('reports asked-for targets that are not registered as unused, and groups without a load balancer', async () => {
    // Prepare
    const { client, tg } = world();
    await client.send(
      new RegisterTargetsCommand({ TargetGroupArn: tg.unused, Targets: [{ Id: '10.0.0.5' }] }),
    );
    // Act
    const asked = await client.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: tg.ip, Targets: [{ Id: '10.0.0.9' }] }),
    );
    const notInUse = await client.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: tg.unused }),
    );
    // Assess
    expect(asked.TargetHealthDescriptions?.[0]).toMatchObject({
      Target: { Id: '10.0.0.9', Port: 8080 },
      TargetHealth: { State: 'unused', Reason: 'Target.NotRegistered' },
    });
    expect(notInUse.TargetHealthDescriptions?.[0].TargetHealth).toMatchObject({
      State: 'unused',
      Reason: 'Target.NotInUse',
    });
  });

  it('lets tests force a health state and release it', async () => {
    // Prepare
    const { client, clock, model, tg } = world();
    await client.send(
      new RegisterTargetsCommand({ TargetGroupArn: tg.ip, Targets: [{ Id: '10.0.0.5' }] }),
    );
    await clock.advance(20_000);
    // Act
    model.setTargetHealth(tg.ip, { id: '10.0.0.5' }, { state: 'unhealthy' });
    const forced = model.targetHealth(tg.ip)[0].TargetHealth;
    model.setTargetHealth(tg.ip, { id: '10.0.0.5', port: 8080 }, { state: 'unavailable' });
    const unavailable = model.targetHealth(tg.ip)[0].TargetHealth;
    model.setTargetHealth(tg.ip, { id: '10.0.0.5' }, undefined);
    // Assess
    expect(forced).toEqual({ State: 'unhealthy', Reason: 'Target.FailedHealthChecks' });
    expect(unavailable).toEqual({ State: 'unavailable' });
    expect(model.targetHealth(tg.ip)[0].TargetHealth?.State).toBe('healthy');
    expect(() => model.setTargetHealth(tg.ip, { id: '10.0.0.6' }, undefined)).toThrow(
      /not registered/,
    );
  });

  it('answers TargetGroupNotFoundException and ValidationError like ELBv2', async () => {
    // Prepare
    const { client, tg } = world();
    // Act
    const unknown = await rejection(
      client.send(
        new RegisterTargetsCommand({ TargetGroupArn: `${tg.ip}0`, Targets: [{ Id: '10.0.0.1' }] }),
      ),
    );
    const empty = await rejection(
      client.send(new RegisterTargetsCommand({ TargetGroupArn: tg.ip, Targets: [] })),
    );
    const badPort = await rejection(
      client.send(
        new RegisterTargetsCommand({
          TargetGroupArn: tg.ip,
          Targets: [{ Id: '10.0.0.1', Port: 0 }],
        }),
      ),
    );
    // Assess
    expect(unknown).toBeInstanceOf(TargetGroupNotFoundException);
    expect(empty.name).toBe('ValidationError');
    expect(badPort.name).toBe('ValidationError');
  });

  it('registers all targets of a call or none, and caps a group at 1000 targets', async () => {
    // Prepare
    const { client, model, tg } = world();
    const ips = Array.from({ length: 1000 }, (_, i) => ({
      Id: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`,
    }));
    // Act
    const mixed = await rejection(
      client.send(
        new RegisterTargetsCommand({
          TargetGroupArn: tg.ip,
          Targets: [{ Id: '10.0.0.1' }, { Id: '8.8.8.8' }],
        }),
      ),
    );
    const afterMixed = model.targetHealth(tg.ip).length;
    await client.send(new RegisterTargetsCommand({ TargetGroupArn: tg.ip, Targets: ips }));
    const tooMany = await rejection(
      client.send(
        new RegisterTargetsCommand({ TargetGroupArn: tg.ip, Targets: [{ Id: '10.0.9.9' }] }),
      ),
    );
    // Assess
    expect(mixed.name).toBe('ValidationError');
    expect(afterMixed).toBe(0);
    expect(tooMany).toBeInstanceOf(TooManyTargetsException);
  });

  it('removes a target at once when the deregistration delay is 0', async () => {
    // Prepare
    const { client, model } = world();
    const fast = model.addTargetGroup({ name: 'fast', targetType: 'ip', deregistrationDelayMs: 0 });
    await client.send(
      new RegisterTargetsCommand({ TargetGroupArn: fast, Targets: [{ Id: '10.0.0.1' }] }),
    );
    // Act
    await client.send(
      new DeregisterTargetsCommand({ TargetGroupArn: fast, Targets: [{ Id: '10.0.0.1' }] }),
    );
    // Assess
    expect(model.targetHealth(fast)).toEqual([]);
  });

  it('describes the target type of each group', async () => {
    // Prepare
    const { client, tg } = world();
    // Act
    const out = await client.send(
      new DescribeTargetGroupsCommand({ TargetGroupArns: [tg.ip, tg.instance] }),
    );
    // Assess
    expect(out.TargetGroups?.map((g) => g.TargetType)).toEqual(['ip', 'instance']);
  });

  it('throttles Register/Deregister only when a targets quota is set', async () => {
    // Prepare
    const { client, tg } = world({ throttling: { targets: { burst: 1, ratePerSecond: 1 } } });
    const send = () =>
      client.send(
        new RegisterTargetsCommand({ TargetGroupArn: tg.ip, Targets: [{ Id: '10.0.0.1' }] }),
      );
    // Act
    await send();
    const throttled = await rejection(send());
    // Assess
    expect(throttled.name).toBe('Throttling');
  });

  it('refuses bad target group options with a SimulationConfigError', () => {
    // Prepare
    const { model } = world();
    // Act / Assess
    expect(() => model.addTargetGroup({ name: 'x1', targetType: 'lambda' as never })).toThrow(
      SimulationConfigError,
    );
    expect(() => model.addTargetGroup({ name: 'x2', vpcCidr: [] })).toThrow(/at least one/);
    expect(() => model.addTargetGroup({ name: 'x3', vpcCidr: '10.0.0.0/8' })).toThrow(/\/16–\/28/);
    expect(() => model.addTargetGroup({ name: 'x4', healthyAfterMs: -1 })).toThrow(
      /healthyAfterMs/,
    );
    expect(() => model.targetHealth('arn:nope')).toThrow(/no target group/);
  });

  it('property: whatever is registered then deregistered drains and is gone after the delay', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: 254 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 8 }),
        async (hosts, deregisterCount) => {
          const { client, clock, model, tg } = world();
          const targets = hosts.map((h) => ({ Id: `10.0.7.${h}` }));
          const leaving = targets.slice(0, deregisterCount);
          await client.send(
            new RegisterTargetsCommand({ TargetGroupArn: tg.ip, Targets: targets }),
          );
          if (leaving.length > 0) {
            await client.send(
              new DeregisterTargetsCommand({ TargetGroupArn: tg.ip, Targets: leaving }),
            );
          }
          const states = model.targetHealth(tg.ip).map((d) => d.TargetHealth?.State);
          expect(states.filter((s) => s === 'draining')).toHaveLength(leaving.length);
          await clock.advance(60_000);
          expect(model.targetHealth(tg.ip).map((d) => d.Target?.Id)).toEqual(
            targets.slice(leaving.length).map((t) => t.Id),
          );
        },
      ),
      { numRuns: 25 },
    );
  });
});
