import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { LoadShedding } from '../../src/load-shedding/construct.js';
import {
  ENV,
  LISTENER_ARN,
  TARGET_GROUP_ARN,
  newApp,
  newStack,
  validProps,
} from './construct-support.js';

/** Every name a template gives a resource: these must be unique per account and region. */
function physicalNames(template: Template): string[] {
  const keys = [
    'FunctionName',
    'LogGroupName',
    'TopicName',
    'AlarmName',
    'QueueName',
    'TableName',
    'Name',
  ];
  return Object.values(
    template.toJSON().Resources as Record<string, { Properties?: Record<string, unknown> }>,
  )
    .flatMap((resource) => keys.map((key) => resource.Properties?.[key]))
    .filter((name): name is string => typeof name === 'string');
}

const OTHER_TARGET_GROUP = TARGET_GROUP_ARN.replace(
  'shop-blue/73e2d6bc24d8a067',
  'shop-cart/0d3c3b8e7f1a2b4c',
);

describe('LoadShedding construct: several instances', () => {
  it('deploys two instances side by side in one stack without a name clash', () => {
    // Prepare
    const stack = newStack();

    // Act
    const first = new LoadShedding(stack, 'Blue', validProps());
    const second = new LoadShedding(
      stack,
      'Cart',
      validProps({ primaryTargetGroup: OTHER_TARGET_GROUP }),
    );
    const template = Template.fromStack(stack);

    // Assess
    expect(first.namePrefix).not.toBe(second.namePrefix);
    const names = physicalNames(template);
    expect(names.length).toBeGreaterThanOrEqual(2 * 10);
    expect(new Set(names).size).toBe(names.length);
    template.resourceCountIs('AWS::Lambda::Function', 4);
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
    template.resourceCountIs('AWS::Events::Rule', 2);
  });

  it('deploys the same construct in two stacks of one account and region without a name clash', () => {
    // Prepare: the same construct id in two stacks.
    const app = newApp();
    const stacks = ['ShopEu', 'ShopEuCanary'].map((id) => new Stack(app, id, { env: ENV }));

    // Act
    for (const stack of stacks) {
      new LoadShedding(stack, 'Shedding', validProps({ listeners: [LISTENER_ARN] }));
    }
    const names = stacks.flatMap((stack) => physicalNames(Template.fromStack(stack)));

    // Assess
    expect(new Set(names).size).toBe(names.length);
  });

  it('keeps derived names within Lambda’s 64 characters for long construct paths', () => {
    const stack = new Stack(newApp(), 'A'.repeat(120), { env: ENV });
    const shedding = new LoadShedding(stack, 'B'.repeat(200), validProps());
    const functionNames = Object.values(
      Template.fromStack(stack).findResources('AWS::Lambda::Function'),
    ).map((fn) => (fn as { Properties: { FunctionName: string } }).Properties.FunctionName);
    expect(functionNames).toHaveLength(2);
    for (const name of functionNames) {
      expect(name.length).toBeLessThanOrEqual(64);
      expect(name.startsWith(shedding.namePrefix)).toBe(true);
    }
  });
});
