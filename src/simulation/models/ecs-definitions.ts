import type {
  ContainerDefinition,
  RegisterTaskDefinitionCommandInput,
  Tag,
  TaskDefinition,
} from '@aws-sdk/client-ecs';
import { SimulatedServiceError } from '../service-error.js';
import { validateInput } from '../validation.js';
import { registerTaskDefinitionInput } from './ecs-inputs.js';
import type { PortMappingSpec } from './ecs-network.js';
import type { NetworkMode } from './ecs-tasks.js';

/**
 * Task definitions as ECS checks and stores them: the registration rules that matter to
 * placement (network mode, port mappings, Fargate's task-level size), the compatibilities ECS
 * derives, and the resources a task of the definition reserves. Pure.
 */

export interface TaskDefinitionRecord {
  readonly arn: string;
  readonly family: string;
  readonly revision: number;
  readonly networkMode: NetworkMode;
  readonly containers: readonly ContainerDefinition[];
  readonly taskRoleArn: string | undefined;
  readonly executionRoleArn: string | undefined;
  readonly requiresCompatibilities: readonly string[];
  readonly compatibilities: readonly ('EC2' | 'FARGATE')[];
  readonly cpu: string | undefined;
  readonly memory: string | undefined;
  readonly registeredAt: number;
  readonly tags: Tag[];
}

export function invalidParameter(message: string): SimulatedServiceError {
  return new SimulatedServiceError({
    name: 'InvalidParameterException',
    httpStatusCode: 400,
    message,
  });
}

export function clientException(message: string): SimulatedServiceError {
  return new SimulatedServiceError({ name: 'ClientException', httpStatusCode: 400, message });
}

/** ECS answers malformed parameters with InvalidParameterException. */
export const ecsValidation = { errorName: 'InvalidParameterException' } as const;

function positiveNumber(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/**
 * Checks a RegisterTaskDefinition request the way ECS does and returns the record to store
 * (port mappings normalised: protocol `tcp`, awsvpc/host host port = container port, bridge
 * host port 0 when dynamic). Throws the error ECS answers with.
 */
export function checkTaskDefinition(
  raw: RegisterTaskDefinitionCommandInput,
  identity: { arn: string; revision: number; registeredAt: number },
): TaskDefinitionRecord {
  const input = validateInput(registerTaskDefinitionInput, raw, ecsValidation);
  const networkMode = input.networkMode ?? 'bridge';
  const requires = input.requiresCompatibilities ?? [];
  const cpu = input.cpu;
  const memory = input.memory;
  if (cpu !== undefined && positiveNumber(cpu) === undefined) {
    throw clientException(`Invalid 'cpu' setting for task '${cpu}': give CPU units, e.g. '256'.`);
  }
  if (memory !== undefined && positiveNumber(memory) === undefined) {
    throw clientException(`Invalid 'memory' setting for task '${memory}': give MiB, e.g. '512'.`);
  }
  if (requires.includes('FARGATE')) {
    if (networkMode !== 'awsvpc') {
      throw clientException(`Fargate only supports network mode 'awsvpc'.`);
    }
    if (cpu === undefined || memory === undefined) {
      throw clientException(
        "Fargate requires that 'cpu' and 'memory' be defined at the task level.",
      );
    }
  }
  const names = new Set<string>();
  const containers = (raw.containerDefinitions ?? []).map((container) => {
    const name = container.name ?? '';
    if (names.has(name)) {
      throw clientException(`Duplicate container name '${name}' in the task definition.`);
    }
    names.add(name);
    if (
      memory === undefined &&
      container.memory === undefined &&
      container.memoryReservation === undefined
    ) {
      throw clientException(
        `Invalid setting for container '${name}'. At least one of 'memory' or 'memoryReservation' must be specified.`,
      );
    }
    const portMappings = (container.portMappings ?? []).map((mapping) => {
      const containerPort = mapping.containerPort;
      if (containerPort === undefined) {
        throw clientException(`Container '${name}': a port mapping needs a containerPort.`);
      }
      let hostPort = mapping.hostPort;
      if (networkMode === 'awsvpc' || networkMode === 'host') {
        if (hostPort !== undefined && hostPort !== containerPort) {
          throw clientException(
            `When networkMode=${networkMode}, the host ports and container ports in port mappings must match.`,
          );
        }
        hostPort = containerPort;
      } else if (networkMode === 'none') {
        throw clientException(`Port mappings are not supported with networkMode 'none'.`);
      }
      return {
        ...mapping,
        containerPort,
        hostPort: hostPort ?? 0,
        protocol: mapping.protocol ?? 'tcp',
      };
    });
    return { ...structuredClone(container), essential: container.essential ?? true, portMappings };
  });
  if (!containers.some((container) => container.essential)) {
    throw clientException('A task definition must have at least one essential container.');
  }
  const fargateReady =
    networkMode === 'awsvpc' &&
    positiveNumber(cpu) !== undefined &&
    positiveNumber(memory) !== undefined;
  return {
    arn: identity.arn,
    family: input.family,
    revision: identity.revision,
    networkMode,
    containers,
    taskRoleArn: input.taskRoleArn,
    executionRoleArn: input.executionRoleArn,
    requiresCompatibilities: requires,
    compatibilities: fargateReady ? ['EC2', 'FARGATE'] : ['EC2'],
    cpu,
    memory,
    registeredAt: identity.registeredAt,
    tags: structuredClone(input.tags ?? []),
  };
}

/** The definition as DescribeTaskDefinition answers it. */
export function taskDefinitionOutput(record: TaskDefinitionRecord): TaskDefinition {
  return Object.fromEntries(
    Object.entries({
      taskDefinitionArn: record.arn,
      family: record.family,
      revision: record.revision,
      status: 'ACTIVE',
      networkMode: record.networkMode,
      containerDefinitions: structuredClone([...record.containers]),
      taskRoleArn: record.taskRoleArn,
      executionRoleArn: record.executionRoleArn,
      requiresCompatibilities: [...record.requiresCompatibilities],
      compatibilities: [...record.compatibilities],
      cpu: record.cpu,
      memory: record.memory,
      registeredAt: new Date(record.registeredAt),
    }).filter(([, value]) => value !== undefined),
  );
}

/** CPU units and MiB a task of the definition reserves on a container instance. */
export function reservationOf(
  record: TaskDefinitionRecord,
  overrides: { cpu?: string; memory?: string },
): { cpu: number; memory: number } {
  const sum = (pick: (c: ContainerDefinition) => number | undefined) =>
    record.containers.reduce((total, c) => total + (pick(c) ?? 0), 0);
  return {
    cpu: positiveNumber(overrides.cpu) ?? positiveNumber(record.cpu) ?? sum((c) => c.cpu),
    memory:
      positiveNumber(overrides.memory) ??
      positiveNumber(record.memory) ??
      sum((c) => c.memory ?? c.memoryReservation),
  };
}

/** The port mappings of every container, for host port assignment. */
export function portMappingsOf(record: TaskDefinitionRecord): PortMappingSpec[] {
  return record.containers.flatMap((container) =>
    (container.portMappings ?? []).map((mapping) => ({
      containerName: container.name ?? '',
      containerPort: mapping.containerPort ?? 0,
      hostPort: mapping.hostPort,
      protocol: mapping.protocol === 'udp' ? ('udp' as const) : ('tcp' as const),
    })),
  );
}
