/**
 * Which target a task becomes in its target group, and whether it can become one at all.
 *
 * - awsvpc: the task's ENI private IP and the container port, in an `ip` target group; an IP
 *   outside the target group's VPC needs `AvailabilityZone: 'all'`.
 * - bridge / host: the container instance's EC2 instance id and the host port the container
 *   port is bound to, in an `instance` target group (ECS itself requires `instance` for these
 *   modes).
 *
 * Pure: no AWS SDK import.
 */
import { ipInAnyCidr } from './ip.js';
import type { TaskView } from './task-view.js';

export type NetworkMode = 'awsvpc' | 'bridge' | 'host' | 'none';

/** The network mode of a task definition; ECS's default on Linux EC2 is bridge. */
export function networkModeOf(value: string | undefined): NetworkMode {
  if (value === 'awsvpc' || value === 'host' || value === 'none') return value;
  return 'bridge';
}

/** The target type a target group needs for a network mode. */
export function requiredTargetType(mode: NetworkMode): 'ip' | 'instance' | undefined {
  if (mode === 'awsvpc') return 'ip';
  if (mode === 'none') return undefined;
  return 'instance';
}

/** Why a task cannot be put behind its target group. */
export type UnregistrableReason =
  'TARGET_TYPE_MISMATCH' | 'NO_NETWORK' | 'NO_IP' | 'NO_HOST_PORT' | 'NO_CONTAINER_INSTANCE';

/** A RegisterTargets / DeregisterTargets entry. */
export interface Target {
  readonly id: string;
  readonly port: number;
  /** `'all'` for an IP outside the target group's VPC; never for instance targets. */
  readonly availabilityZone?: 'all';
}

export type TargetResolution =
  | {
      readonly ok: true;
      readonly target: Target;
      /** The VPC CIDRs are unknown: ELBv2 decides whether the IP needs `'all'`. */
      readonly zoneUnknown: boolean;
    }
  | { readonly ok: false; readonly reason: UnregistrableReason; readonly message: string };

/** `true` if a network mode can go behind a target type (message otherwise). */
export function compatibility(
  mode: NetworkMode,
  targetType: string,
): { ok: true } | { ok: false; reason: UnregistrableReason; message: string } {
  const needed = requiredTargetType(mode);
  if (needed === undefined) {
    return {
      ok: false,
      reason: 'NO_NETWORK',
      message: "the task definition's network mode is 'none': the task cannot receive traffic",
    };
  }
  if (targetType !== needed) {
    return {
      ok: false,
      reason: 'TARGET_TYPE_MISMATCH',
      message:
        `a ${mode} task needs a target group of target type '${needed}', but this one has ` +
        `'${targetType}': use a target group of type '${needed}'`,
    };
  }
  return { ok: true };
}

export interface ResolveTargetInput {
  readonly task: TaskView;
  readonly networkMode: NetworkMode;
  readonly targetType: string;
  readonly containerName: string;
  readonly containerPort: number;
  /** EC2 instance id of the task's container instance (bridge / host). */
  readonly ec2InstanceId?: string;
  /** CIDRs of the target group's VPC; empty = unknown. */
  readonly vpcCidrs: readonly string[];
}

/** The target of a task, or why it has none. */
export function resolveTarget(input: ResolveTargetInput): TargetResolution {
  const fits = compatibility(input.networkMode, input.targetType);
  if (!fits.ok) return fits;
  if (input.networkMode === 'awsvpc') {
    const ip = input.task.privateIp;
    if (ip === undefined) {
      return {
        ok: false,
        reason: 'NO_IP',
        message: 'the task has no ENI with a private IPv4 address',
      };
    }
    const zoneUnknown = input.vpcCidrs.length === 0;
    const outside = !zoneUnknown && !ipInAnyCidr(ip, input.vpcCidrs);
    return {
      ok: true,
      target: {
        id: ip,
        port: input.containerPort,
        ...(outside ? { availabilityZone: 'all' } : {}),
      },
      zoneUnknown,
    };
  }
  const container = input.task.containers.find((c) => c.name === input.containerName);
  const binding = container?.bindings.find(
    (b) => b.containerPort === input.containerPort && b.protocol.toLowerCase() !== 'udp',
  );
  if (binding === undefined) {
    return {
      ok: false,
      reason: 'NO_HOST_PORT',
      message:
        `container '${input.containerName}' has no TCP host port bound to container port ` +
        `${input.containerPort}`,
    };
  }
  if (input.ec2InstanceId === undefined) {
    return {
      ok: false,
      reason: 'NO_CONTAINER_INSTANCE',
      message: "the EC2 instance of the task's container instance is unknown",
    };
  }
  return {
    ok: true,
    target: { id: input.ec2InstanceId, port: binding.hostPort },
    zoneUnknown: false,
  };
}

/** A container definition, reduced to what port resolution needs. */
export interface ContainerDefinitionView {
  readonly name: string;
  readonly portMappings: readonly { readonly containerPort: number; readonly protocol?: string }[];
}

export type ContainerPortResolution =
  | { readonly ok: true; readonly containerName: string; readonly containerPort: number }
  | { readonly ok: false; readonly message: string };

/**
 * The container and port to register: the named container (else the one container with port
 * mappings, else the one that maps `port`), and `port` (else that container's first mapping).
 * bridge and host need the port mapped, or there is no host port to register; awsvpc reaches
 * any port the container listens on.
 */
export function resolveContainerPort(input: {
  readonly containers: readonly ContainerDefinitionView[];
  readonly networkMode: NetworkMode;
  readonly containerName?: string;
  readonly port?: number;
}): ContainerPortResolution {
  const { containers, port } = input;
  const mapsPort = (c: ContainerDefinitionView): boolean =>
    c.portMappings.some((m) => m.containerPort === port);
  let container: ContainerDefinitionView | undefined;
  if (input.containerName !== undefined) {
    container = containers.find((c) => c.name === input.containerName);
    if (!container) {
      return {
        ok: false,
        message:
          `the task definition has no container '${input.containerName}' (it has ` +
          `${containers.map((c) => c.name).join(', ') || 'none'}): fix containerName`,
      };
    }
  } else {
    const candidates = containers.filter((c) =>
      port === undefined ? c.portMappings.length > 0 : mapsPort(c),
    );
    const pool = candidates.length > 0 ? candidates : containers.length === 1 ? containers : [];
    if (pool.length !== 1) {
      return {
        ok: false,
        message:
          `cannot tell which container to register (${pool.length} candidates among ` +
          `${containers.map((c) => c.name).join(', ') || 'none'}): set containerName`,
      };
    }
    container = pool[0];
  }
  if (port !== undefined) {
    if (input.networkMode !== 'awsvpc' && !mapsPort(container)) {
      return {
        ok: false,
        message:
          `container '${container.name}' maps no container port ${port}; a ${input.networkMode} ` +
          'task is reachable only on mapped ports: add the port mapping or fix port',
      };
    }
    return { ok: true, containerName: container.name, containerPort: port };
  }
  const first = container.portMappings[0];
  if (first === undefined) {
    return {
      ok: false,
      message: `container '${container.name}' has no port mapping: set port`,
    };
  }
  return { ok: true, containerName: container.name, containerPort: first.containerPort };
}

/** A stable key of a target: `id:port`. */
export function targetKey(target: Pick<Target, 'id' | 'port'>): string {
  return `${target.id}:${target.port}`;
}
