import { z } from 'zod';
import { SimulationConfigError } from '../errors.js';
import { MAX_PAGE_SIZE } from './elbv2-pagination.js';

/**
 * What the ELBv2 model checks at its boundaries: the request shapes of its operations (zod,
 * answered as `ValidationError` by `validateInput`) and the arguments of its setup helpers
 * (answered as `SimulationConfigError`).
 */

export const MAX_RULE_PRIORITY = 50_000;
const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/;

const pageSize = z.number().int().min(1).max(MAX_PAGE_SIZE).optional();
const arnList = z.array(z.string().min(1)).min(1);

export const describeRulesInput = z
  .object({
    ListenerArn: z.string().min(1).optional(),
    RuleArns: arnList.optional(),
    Marker: z.string().min(1).optional(),
    PageSize: pageSize,
  })
  .refine((input) => (input.ListenerArn === undefined) !== (input.RuleArns === undefined), {
    message: 'specify either ListenerArn or RuleArns, not both',
  });

export const describeListenersInput = z
  .object({
    LoadBalancerArn: z.string().min(1).optional(),
    ListenerArns: arnList.optional(),
    Marker: z.string().min(1).optional(),
    PageSize: pageSize,
  })
  .refine((input) => (input.LoadBalancerArn === undefined) !== (input.ListenerArns === undefined), {
    message: 'specify either LoadBalancerArn or ListenerArns, not both',
  });

export const describeTargetGroupsInput = z
  .object({
    LoadBalancerArn: z.string().min(1).optional(),
    TargetGroupArns: arnList.optional(),
    Names: arnList.optional(),
    Marker: z.string().min(1).optional(),
    PageSize: pageSize,
  })
  .refine(
    (input) =>
      [input.LoadBalancerArn, input.TargetGroupArns, input.Names].filter((v) => v !== undefined)
        .length <= 1,
    { message: 'specify at most one of LoadBalancerArn, TargetGroupArns and Names' },
  );

export const modifyRuleInput = z
  .object({
    RuleArn: z.string().min(1),
    Conditions: z.array(z.object({ Field: z.string().min(1).optional() })).optional(),
    Actions: z.array(z.unknown()).optional(),
    Transforms: z.array(z.unknown()).optional(),
    ResetTransforms: z.boolean().optional(),
  })
  .refine(
    (input) =>
      input.Conditions !== undefined ||
      input.Actions !== undefined ||
      input.Transforms !== undefined ||
      input.ResetTransforms !== undefined,
    { message: 'specify at least one of Conditions, Actions, Transforms or ResetTransforms' },
  );

export const modifyListenerInput = z.object({
  ListenerArn: z.string().min(1),
  Port: z.number().int().min(1).max(65_535).optional(),
  DefaultActions: z.array(z.unknown()).optional(),
});

/** The partition a region belongs to. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('eusc-')) return 'aws-eusc';
  return 'aws';
}

export function checkName(helper: string, name: string): void {
  if (!NAME.test(name)) {
    throw new SimulationConfigError(
      `${helper}: name must be 1–32 letters, digits or hyphens, not starting or ending with a ` +
        `hyphen, got '${name}'.`,
    );
  }
}

export function checkPort(helper: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new SimulationConfigError(`${helper}: port must be an integer 1–65535, got ${port}.`);
  }
}
