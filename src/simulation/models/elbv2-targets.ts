import type {
  TargetHealthDescription,
  TargetHealthReasonEnum,
  TargetHealthStateEnum,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { isIPv4 } from 'node:net';
import { z } from 'zod';
import type { Clock } from '../../resilience/clock.js';
import { SimulationConfigError } from '../errors.js';
import { SimulatedServiceError } from '../service-error.js';
import { validateInput } from '../validation.js';
import { cidrContains, parseCidr, type Cidr } from './ecs-network.js';

/**
 * Target registration of the ELBv2 model: RegisterTargets, DeregisterTargets and
 * DescribeTargetHealth, with health states that follow the virtual clock.
 *
 * As ELBv2 documents it (see AWS-FACTS.md): a target is an (Id, Port) pair; `ip` target groups
 * take IPv4 addresses, `instance` ones EC2 instance ids; an IP outside the target group's VPC
 * needs `AvailabilityZone: 'all'` and an IP inside it must not have it; instance targets take
 * no `all`; outside-VPC IPs must be private (RFC 1918 or 100.64.0.0/10); an IP cannot be
 * registered again while it drains; deregistering a target that is not registered succeeds;
 * at most 1,000 targets per target group. The Availability Zone rules hold for every
 * operation that names targets (TargetDescription is shared): DeregisterTargets and
 * DescribeTargetHealth of an outside-VPC IP without `'all'` fail with ValidationError too, so
 * a caller that forgets the zone it registered with is caught.
 *
 * Health, computed from the clock (no timers, so a run's clock goes idle): `initial`
 * (Elb.RegistrationInProgress) until `healthyAfterMs` after registration, then `healthy`;
 * `draining` (Target.DeregistrationInProgress) for `deregistrationDelayMs` after
 * deregistration, then gone; `unused` with Target.NotInUse while no load balancer forwards to
 * the group, and with Target.NotRegistered for an asked-for target that is not registered.
 * Tests can force a state with `Elbv2Model.setTargetHealth`.
 */

export type TargetType = 'instance' | 'ip';

/** ELBv2's per-target-group limit. */
export const MAX_TARGETS_PER_GROUP = 1000;

export interface TargetGroupTargetSettings {
  readonly targetType: TargetType;
  /** The target group's port: the default port of targets registered without one. */
  readonly port: number;
  /** The VPC's IPv4 blocks, to decide whether an IP is inside it. */
  readonly vpcCidrs: readonly Cidr[];
  readonly healthyAfterMs: number;
  readonly deregistrationDelayMs: number;
}

/** A health state a test forces on a target; `undefined` lets the clock decide again. */
export interface ForcedHealth {
  readonly state: 'healthy' | 'unhealthy' | 'unavailable';
  /** @default - Target.FailedHealthChecks for unhealthy, none otherwise */
  readonly reason?: TargetHealthReasonEnum;
}

interface TargetState {
  readonly id: string;
  readonly port: number;
  readonly availabilityZone: string | undefined;
  registeredAt: number;
  deregisteredAt: number | undefined;
  forced: ForcedHealth | undefined;
}

interface GroupState {
  readonly settings: TargetGroupTargetSettings;
  /** Key `id:port`. */
  readonly targets: Map<string, TargetState>;
}

const query = { errorName: 'ValidationError' } as const;
const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;
/** Where an outside-VPC IP target may lie: RFC 1918 and RFC 6598 (shared address space). */
const PRIVATE_RANGES: readonly Cidr[] = [
  { base: 0x0a000000, prefix: 8, text: '10.0.0.0/8' },
  { base: 0xac100000, prefix: 12, text: '172.16.0.0/12' },
  { base: 0xc0a80000, prefix: 16, text: '192.168.0.0/16' },
  { base: 0x64400000, prefix: 10, text: '100.64.0.0/10' },
];

const target = z.object({
  Id: z.string().min(1),
  Port: z.number().int().min(1).max(65_535).optional(),
  AvailabilityZone: z.string().min(1).optional(),
});
export const registerTargetsInput = z.object({
  TargetGroupArn: z.string().min(1),
  Targets: z.array(target).min(1),
});
export const describeTargetHealthInput = z.object({
  TargetGroupArn: z.string().min(1),
  Targets: z.array(target).optional(),
  Include: z.array(z.string()).optional(),
});

/** Parses the VPC CIDRs of a target group option; `owner` names the setup helper. */
export function vpcCidrsOf(owner: string, cidrs: string | readonly string[] | undefined): Cidr[] {
  const list = cidrs === undefined ? ['10.0.0.0/16'] : typeof cidrs === 'string' ? [cidrs] : cidrs;
  if (list.length === 0) {
    throw new SimulationConfigError(`${owner}: vpcCidr must name at least one IPv4 block.`);
  }
  return list.map((cidr) => parseCidr(owner, cidr));
}

function invalidTarget(message: string): SimulatedServiceError {
  return new SimulatedServiceError({
    name: 'InvalidTargetException',
    httpStatusCode: 400,
    message,
  });
}

function validation(message: string): SimulatedServiceError {
  return new SimulatedServiceError({ name: 'ValidationError', httpStatusCode: 400, message });
}

/** Holds the targets of every target group of one ELBv2 model. */
export class TargetRegistry {
  private readonly groups = new Map<string, GroupState>();

  constructor(private readonly clock: Clock) {}

  /** Adds a target group with no targets. */
  addGroup(targetGroupArn: string, settings: TargetGroupTargetSettings): void {
    for (const [what, value] of [
      ['healthyAfterMs', settings.healthyAfterMs],
      ['deregistrationDelayMs', settings.deregistrationDelayMs],
    ] as const) {
      if (!Number.isInteger(value) || value < 0) {
        throw new SimulationConfigError(
          `addTargetGroup: ${what} must be a non-negative integer of ms, got ${value}.`,
        );
      }
    }
    this.groups.set(targetGroupArn, { settings, targets: new Map() });
  }

  /** RegisterTargets: checks every target first, then registers all (or none). */
  register(input: unknown): void {
    const parsed = validateInput(registerTargetsInput, input, query);
    const group = this.group(parsed.TargetGroupArn);
    this.purge(group);
    const now = this.clock.now();
    const checked = parsed.Targets.map((t) => this.checkTarget(group, t));
    const added = checked.filter((t) => !group.targets.has(keyOf(t.id, t.port))).length;
    const live = [...group.targets.values()].length;
    if (live + added > MAX_TARGETS_PER_GROUP) {
      throw new SimulatedServiceError({
        name: 'TooManyTargetsException',
        httpStatusCode: 400,
        message: `You have reached the limit of ${MAX_TARGETS_PER_GROUP} targets per target group.`,
      });
    }
    for (const t of checked) {
      const key = keyOf(t.id, t.port);
      const existing = group.targets.get(key);
      if (existing !== undefined && existing.deregisteredAt === undefined) continue;
      // An instance target registered again while draining starts over; IPs were refused above.
      group.targets.set(key, {
        ...t,
        registeredAt: now,
        deregisteredAt: undefined,
        forced: undefined,
      });
    }
  }

  /** DeregisterTargets: registered targets start draining; absent ones are ignored. */
  deregister(input: unknown): void {
    const parsed = validateInput(registerTargetsInput, input, query);
    const group = this.group(parsed.TargetGroupArn);
    this.purge(group);
    for (const t of parsed.Targets) checkZone(group.settings, t);
    const now = this.clock.now();
    for (const t of parsed.Targets) {
      const existing = group.targets.get(keyOf(t.Id, t.Port ?? group.settings.port));
      if (existing === undefined || existing.deregisteredAt !== undefined) continue;
      if (group.settings.deregistrationDelayMs === 0) {
        group.targets.delete(keyOf(existing.id, existing.port));
      } else {
        existing.deregisteredAt = now;
      }
    }
  }

  /** DescribeTargetHealth: the asked-for targets, else every registered or draining one. */
  describe(input: unknown, inUse: boolean): TargetHealthDescription[] {
    const parsed = validateInput(describeTargetHealthInput, input, query);
    const group = this.group(parsed.TargetGroupArn);
    this.purge(group);
    if (parsed.Targets === undefined) {
      return [...group.targets.values()].map((t) => this.description(group, t, inUse));
    }
    for (const asked of parsed.Targets) checkZone(group.settings, asked);
    return parsed.Targets.map((asked) => {
      const port = asked.Port ?? group.settings.port;
      const t = group.targets.get(keyOf(asked.Id, port));
      if (t !== undefined) return this.description(group, t, inUse);
      return {
        Target: { Id: asked.Id, Port: port },
        HealthCheckPort: String(port),
        TargetHealth: {
          State: 'unused',
          Reason: 'Target.NotRegistered',
          Description: 'Target is not registered to the target group',
        },
      };
    });
  }

  /** Forces (or, with `undefined`, releases) the health state of a registered target. */
  setHealth(
    targetGroupArn: string,
    id: string,
    port: number | undefined,
    forced: ForcedHealth | undefined,
  ): void {
    const group = this.group(targetGroupArn);
    this.purge(group);
    const t = group.targets.get(keyOf(id, port ?? group.settings.port));
    if (t === undefined) {
      throw new SimulationConfigError(
        `setTargetHealth: target ${id}:${port ?? group.settings.port} is not registered in '${targetGroupArn}'.`,
      );
    }
    t.forced = forced;
  }

  private checkTarget(
    group: GroupState,
    t: z.output<typeof target>,
  ): Omit<TargetState, 'registeredAt' | 'deregisteredAt' | 'forced'> {
    const { settings } = group;
    const port = t.Port ?? settings.port;
    if (settings.targetType === 'instance') {
      if (!INSTANCE_ID.test(t.Id)) {
        throw invalidTarget(`The following targets are not valid instances: '${t.Id}'`);
      }
      checkZone(settings, t);
      return { id: t.Id, port, availabilityZone: undefined };
    }
    if (!isIPv4(t.Id)) {
      throw validation(`The IP address '${t.Id}' is not a valid IPv4 address.`);
    }
    const inVpc = settings.vpcCidrs.some((cidr) => cidrContains(cidr, t.Id));
    if (!inVpc && !PRIVATE_RANGES.some((range) => cidrContains(range, t.Id))) {
      throw validation(
        `The IP address '${t.Id}' is outside the VPC and not a private address; only RFC 1918 and 100.64.0.0/10 addresses can be registered.`,
      );
    }
    checkZone(settings, t);
    const existing = group.targets.get(keyOf(t.Id, port));
    if (existing?.deregisteredAt !== undefined) {
      throw invalidTarget(
        `The IP address '${t.Id}' on port ${port} is being deregistered and cannot be registered again until its deregistration delay has passed.`,
      );
    }
    return { id: t.Id, port, availabilityZone: t.AvailabilityZone };
  }

  private description(group: GroupState, t: TargetState, inUse: boolean): TargetHealthDescription {
    const health = this.health(group, t, inUse);
    return {
      Target: {
        Id: t.id,
        Port: t.port,
        ...(t.availabilityZone === undefined ? {} : { AvailabilityZone: t.availabilityZone }),
      },
      HealthCheckPort: String(t.port),
      TargetHealth: health,
    };
  }

  private health(
    group: GroupState,
    t: TargetState,
    inUse: boolean,
  ): { State: TargetHealthStateEnum; Reason?: TargetHealthReasonEnum; Description?: string } {
    if (t.deregisteredAt !== undefined) {
      return {
        State: 'draining',
        Reason: 'Target.DeregistrationInProgress',
        Description: 'Target deregistration is in progress',
      };
    }
    if (!inUse) {
      return {
        State: 'unused',
        Reason: 'Target.NotInUse',
        Description: 'Target group is not configured to receive traffic from the load balancer',
      };
    }
    if (t.forced !== undefined) {
      const reason =
        t.forced.reason ??
        (t.forced.state === 'unhealthy' ? 'Target.FailedHealthChecks' : undefined);
      return { State: t.forced.state, ...(reason === undefined ? {} : { Reason: reason }) };
    }
    if (this.clock.now() < t.registeredAt + group.settings.healthyAfterMs) {
      return {
        State: 'initial',
        Reason: 'Elb.RegistrationInProgress',
        Description: 'Target registration is in progress',
      };
    }
    return { State: 'healthy' };
  }

  /** Drops targets whose deregistration delay has passed. */
  private purge(group: GroupState): void {
    const now = this.clock.now();
    for (const [key, t] of group.targets) {
      if (
        t.deregisteredAt !== undefined &&
        now >= t.deregisteredAt + group.settings.deregistrationDelayMs
      ) {
        group.targets.delete(key);
      }
    }
  }

  private group(targetGroupArn: string): GroupState {
    const group = this.groups.get(targetGroupArn);
    if (group === undefined) {
      throw new SimulatedServiceError({
        name: 'TargetGroupNotFoundException',
        httpStatusCode: 400,
        message: `One or more target groups not found: ${targetGroupArn}`,
      });
    }
    return group;
  }
}

/**
 * The Availability Zone rules of a TargetDescription, for every operation that takes one:
 * none for instance targets; `'all'` required for an IP outside the VPC and refused for one
 * inside it. An id that is not an IPv4 address is left to the caller (RegisterTargets refuses
 * it; Deregister/Describe treat it as not registered).
 */
function checkZone(settings: TargetGroupTargetSettings, t: z.output<typeof target>): void {
  if (settings.targetType === 'instance') {
    if (t.AvailabilityZone !== undefined) {
      throw validation(
        `An Availability Zone cannot be specified for instance target '${t.Id}'; it is only valid for IP targets.`,
      );
    }
    return;
  }
  if (!isIPv4(t.Id)) return;
  const inVpc = settings.vpcCidrs.some((cidr) => cidrContains(cidr, t.Id));
  if (inVpc && t.AvailabilityZone === 'all') {
    throw validation(
      `The IP address '${t.Id}' is within the VPC, and cannot have its Availability Zone overridden to 'all'.`,
    );
  }
  if (!inVpc && t.AvailabilityZone !== 'all') {
    throw validation(
      `The Availability Zone is required for IP address '${t.Id}' because it is not in the VPC: set AvailabilityZone to 'all'.`,
    );
  }
}

function keyOf(id: string, port: number): string {
  return `${id}:${port}`;
}
