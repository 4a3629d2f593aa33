/**
 * The ELBv2 calls of the task starter, over a client built with `createResilientClient`.
 */
import {
  DeregisterTargetsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { StartPreconditionError } from './errors.js';
import { ipv4ToNumber } from './ip.js';
import { errorName } from './errors.js';
import type { RegisteredTarget } from './reconcile-plan.js';
import type { Target } from './targets.js';

export interface TargetHealthView {
  readonly state: string;
  readonly reason?: string;
}

/** The health reason ELBv2 gives for an asked-for target that is not in the group. */
export const NOT_REGISTERED = 'Target.NotRegistered';

/** Whether a target is in the group and not leaving it. */
export function isRegistered(health: TargetHealthView): boolean {
  return health.reason !== NOT_REGISTERED && !health.state.endsWith('draining');
}

export interface TargetGroupView {
  readonly arn: string;
  /** instance | ip | lambda | alb */
  readonly targetType: string;
  readonly vpcId?: string;
}

/** RFC 1918 and 100.64.0.0/10: the only IPs ELBv2 registers from outside the VPC. */
function isPrivateIp(ip: string): boolean {
  const value = ipv4ToNumber(ip);
  if (value === undefined) return false;
  const inRange = (base: number, bits: number): boolean =>
    Math.floor(value / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits));
  return (
    inRange(0x0a000000, 8) ||
    inRange(0xac100000, 12) ||
    inRange(0xc0a80000, 16) ||
    inRange(0x64400000, 10)
  );
}

export class ElbAdapter {
  /** A target group's type and VPC never change. */
  private readonly groups = new Map<string, TargetGroupView>();

  constructor(private readonly client: ElasticLoadBalancingV2Client) {}

  async describeTargetGroup(targetGroupArn: string): Promise<TargetGroupView> {
    const cached = this.groups.get(targetGroupArn);
    if (cached) return cached;
    const output = await this.client.send(
      new DescribeTargetGroupsCommand({ TargetGroupArns: [targetGroupArn] }),
    );
    const group = output.TargetGroups?.[0];
    if (!group?.TargetType) {
      throw new StartPreconditionError(
        `DescribeTargetGroups returned no target group for ${targetGroupArn}: check the ARN.`,
      );
    }
    const view: TargetGroupView = {
      arn: targetGroupArn,
      targetType: group.TargetType,
      ...(group.VpcId === undefined ? {} : { vpcId: group.VpcId }),
    };
    this.groups.set(targetGroupArn, view);
    return view;
  }

  /**
   * Registers one target; returns it as registered. `zoneUnknown`: the VPC CIDRs are not
   * configured, so an IP target is tried without an Availability Zone first and, when ELBv2
   * rejects it (ValidationError: outside the VPC), once more with `'all'`.
   */
  async register(targetGroupArn: string, target: Target, zoneUnknown: boolean): Promise<Target> {
    try {
      await this.send(targetGroupArn, target);
      return target;
    } catch (error) {
      const canRetryAll =
        zoneUnknown &&
        target.availabilityZone === undefined &&
        errorName(error) === 'ValidationError' &&
        isPrivateIp(target.id);
      if (!canRetryAll) throw error;
      const outside: Target = { ...target, availabilityZone: 'all' };
      try {
        await this.send(targetGroupArn, outside);
      } catch {
        throw error; // the first answer says more about what is wrong
      }
      return outside;
    }
  }

  private async send(targetGroupArn: string, target: Target): Promise<void> {
    await this.client.send(
      new RegisterTargetsCommand({
        TargetGroupArn: targetGroupArn,
        Targets: [
          {
            Id: target.id,
            Port: target.port,
            ...(target.availabilityZone === undefined
              ? {}
              : { AvailabilityZone: target.availabilityZone }),
          },
        ],
      }),
    );
  }

  /** Deregisters targets; an absent one is fine (ELBv2 succeeds). */
  async deregister(targetGroupArn: string, targets: readonly Target[]): Promise<void> {
    if (targets.length === 0) return;
    await this.client.send(
      new DeregisterTargetsCommand({
        TargetGroupArn: targetGroupArn,
        Targets: targets.map((t) => ({
          Id: t.id,
          Port: t.port,
          ...(t.availabilityZone === undefined ? {} : { AvailabilityZone: t.availabilityZone }),
        })),
      }),
    );
  }

  /** Every target of the group (registered or draining) with its health state. */
  async targets(targetGroupArn: string): Promise<RegisteredTarget[]> {
    const output = await this.client.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }),
    );
    return (output.TargetHealthDescriptions ?? []).flatMap((d) =>
      d.Target?.Id === undefined || d.Target.Port === undefined
        ? []
        : [
            {
              id: d.Target.Id,
              port: d.Target.Port,
              ...(d.Target.AvailabilityZone === undefined
                ? {}
                : { availabilityZone: d.Target.AvailabilityZone }),
              state: d.TargetHealth?.State ?? 'unavailable',
            },
          ],
    );
  }

  /**
   * The health of one target: `state` (initial, healthy, draining, ...) and `reason`
   * (`Target.NotRegistered` when it is not in the group).
   */
  async health(targetGroupArn: string, target: Target): Promise<TargetHealthView> {
    const output = await this.client.send(
      new DescribeTargetHealthCommand({
        TargetGroupArn: targetGroupArn,
        Targets: [
          {
            Id: target.id,
            Port: target.port,
            ...(target.availabilityZone === undefined
              ? {}
              : { AvailabilityZone: target.availabilityZone }),
          },
        ],
      }),
    );
    const health = output.TargetHealthDescriptions?.[0]?.TargetHealth;
    return {
      state: health?.State ?? 'unavailable',
      ...(health?.Reason === undefined ? {} : { reason: health.Reason }),
    };
  }
}
