import { z } from 'zod';

/**
 * The request shapes and limits of the ECS operations the model answers, as the ECS API
 * reference documents them. Parsed with `validateInput`, so a violation is answered like ECS
 * would: HTTP 400 with the SDK's error class (ECS names it `InvalidParameterException` for most
 * parameter problems; shape violations are the generic `ValidationException`).
 */

/** RunTask starts 1–10 tasks per call. */
export const MAX_RUN_COUNT = 10;
/** RunTask `clientToken`: up to 64 characters. */
export const MAX_CLIENT_TOKEN_LENGTH = 64;
/** RunTask `startedBy`: up to 128 characters. */
export const MAX_STARTED_BY_LENGTH = 128;
/** Tags per resource. */
export const MAX_TAGS = 50;
/** DescribeTasks takes up to 100 task ids or ARNs. */
export const MAX_DESCRIBE_TASKS = 100;
/** DescribeContainerInstances takes up to 100 ids or ARNs. */
export const MAX_DESCRIBE_CONTAINER_INSTANCES = 100;
/** awsvpc network configuration: up to 16 subnets and 5 security groups. */
export const MAX_SUBNETS = 16;
export const MAX_SECURITY_GROUPS = 5;
/** ListTasks page size. */
export const MAX_LIST_RESULTS = 100;

export const LAUNCH_TYPES = ['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'] as const;
export const NETWORK_MODES = ['awsvpc', 'bridge', 'host', 'none'] as const;

/** Letters, digits, hyphens, underscores and slashes (ECS's rule for `startedBy` and `group`). */
const STARTED_BY = /^[A-Za-z0-9_/-]*$/;
/** Task definition family: up to 255 letters, digits, hyphens and underscores. */
export const FAMILY = /^[A-Za-z0-9_-]{1,255}$/;

const tag = z.object({
  key: z.string().min(1).max(128),
  value: z.string().max(256).optional(),
});
export const tagsSchema = z.array(tag).max(MAX_TAGS);

const keyValue = z.object({ name: z.string().optional(), value: z.string().optional() });

const portMapping = z.object({
  containerPort: z.number().int().min(1).max(65_535).optional(),
  hostPort: z.number().int().min(0).max(65_535).optional(),
  protocol: z.enum(['tcp', 'udp']).optional(),
  name: z.string().optional(),
});

const containerDefinition = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,255}$/, 'must be 1–255 letters, digits, hyphens or underscores'),
  image: z.string().min(1).max(4096),
  cpu: z.number().int().min(0).optional(),
  memory: z.number().int().min(6).optional(),
  memoryReservation: z.number().int().min(6).optional(),
  essential: z.boolean().optional(),
  portMappings: z.array(portMapping).optional(),
  environment: z.array(keyValue).optional(),
  command: z.array(z.string()).optional(),
});

export const registerTaskDefinitionInput = z.object({
  family: z.string().regex(FAMILY, 'must be 1–255 letters, digits, hyphens or underscores'),
  containerDefinitions: z.array(containerDefinition).min(1),
  networkMode: z.enum(NETWORK_MODES).optional(),
  taskRoleArn: z.string().min(1).optional(),
  executionRoleArn: z.string().min(1).optional(),
  requiresCompatibilities: z.array(z.enum(['EC2', 'FARGATE', 'EXTERNAL'])).optional(),
  cpu: z.string().min(1).optional(),
  memory: z.string().min(1).optional(),
  tags: tagsSchema.optional(),
});

export const describeTaskDefinitionInput = z.object({
  taskDefinition: z.string().min(1),
  include: z.array(z.literal('TAGS')).optional(),
});

const capacityProviderItem = z.object({
  capacityProvider: z.string().min(1).max(255),
  weight: z.number().int().min(0).max(1000).optional(),
  base: z.number().int().min(0).max(100_000).optional(),
});

const containerOverride = z.object({
  name: z.string().min(1),
  command: z.array(z.string()).optional(),
  environment: z.array(keyValue).optional(),
  cpu: z.number().int().min(0).optional(),
  memory: z.number().int().min(0).optional(),
  memoryReservation: z.number().int().min(0).optional(),
});

export const runTaskInput = z.object({
  cluster: z.string().min(1).optional(),
  taskDefinition: z.string().min(1),
  count: z.number().int().min(1).max(MAX_RUN_COUNT).optional(),
  launchType: z.enum(LAUNCH_TYPES).optional(),
  capacityProviderStrategy: z.array(capacityProviderItem).min(1).max(20).optional(),
  networkConfiguration: z
    .object({
      awsvpcConfiguration: z.object({
        subnets: z.array(z.string().min(1)).min(1).max(MAX_SUBNETS),
        securityGroups: z.array(z.string().min(1)).max(MAX_SECURITY_GROUPS).optional(),
        assignPublicIp: z.enum(['ENABLED', 'DISABLED']).optional(),
      }),
    })
    .optional(),
  overrides: z
    .object({
      containerOverrides: z.array(containerOverride).optional(),
      cpu: z.string().optional(),
      memory: z.string().optional(),
      taskRoleArn: z.string().optional(),
      executionRoleArn: z.string().optional(),
    })
    .optional(),
  startedBy: z
    .string()
    .max(MAX_STARTED_BY_LENGTH)
    .regex(STARTED_BY, 'may hold only letters, digits, hyphens, underscores and slashes')
    .optional(),
  group: z.string().max(255).optional(),
  clientToken: z.string().min(1).max(MAX_CLIENT_TOKEN_LENGTH).optional(),
  platformVersion: z.string().min(1).optional(),
  tags: tagsSchema.optional(),
  enableECSManagedTags: z.boolean().optional(),
  propagateTags: z.enum(['TASK_DEFINITION', 'SERVICE', 'NONE']).optional(),
});
export type RunTaskInput = z.output<typeof runTaskInput>;
export type CapacityProviderItem = z.output<typeof capacityProviderItem>;

export const describeTasksInput = z.object({
  cluster: z.string().min(1).optional(),
  tasks: z.array(z.string().min(1)).min(1).max(MAX_DESCRIBE_TASKS),
  include: z.array(z.literal('TAGS')).optional(),
});

export const stopTaskInput = z.object({
  cluster: z.string().min(1).optional(),
  task: z.string().min(1),
  reason: z.string().max(255).optional(),
});

export const listTasksInput = z.object({
  cluster: z.string().min(1).optional(),
  containerInstance: z.string().min(1).optional(),
  family: z.string().min(1).optional(),
  startedBy: z.string().min(1).max(MAX_STARTED_BY_LENGTH).optional(),
  serviceName: z.string().min(1).optional(),
  desiredStatus: z.enum(['RUNNING', 'PENDING', 'STOPPED']).optional(),
  launchType: z.enum(LAUNCH_TYPES).optional(),
  maxResults: z.number().int().min(1).max(MAX_LIST_RESULTS).optional(),
  nextToken: z.string().min(1).optional(),
});

export const describeContainerInstancesInput = z.object({
  cluster: z.string().min(1).optional(),
  containerInstances: z.array(z.string().min(1)).min(1).max(MAX_DESCRIBE_CONTAINER_INSTANCES),
});

export const describeClustersInput = z.object({
  clusters: z.array(z.string().min(1)).max(100).optional(),
});
