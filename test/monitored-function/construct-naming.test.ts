import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { MonitoredFunction } from '../../src/monitored-function/index.js';
import { newStack, pythonProps } from './support.js';

/** A stack with one function, named by `functionNaming`. */
function synth(functionNaming?: 'explicit' | 'generated') {
  const { stack } = newStack();
  const fn = new MonitoredFunction(
    stack,
    'Adopted',
    pythonProps({ functionName: 'legacy-orders', functionNaming }),
  );
  return { stack, fn, template: Template.fromStack(stack) };
}

describe('construct: function naming', () => {
  it('names the function functionName by default', () => {
    const { template } = synth();

    template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'legacy-orders' });
  });

  it("leaves the name to CloudFormation with 'generated', and keeps every derived name", () => {
    const { stack, fn, template } = synth('generated');

    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: Match.absent(),
      // Lambda writes to the named log group through the logging config, whatever its own name.
      LoggingConfig: {
        LogGroup: { Ref: stack.getLogicalId(fn.logGroup.node.defaultChild as never) },
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/lambda/legacy-orders',
    });
    template.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'legacy-orders-alarms' });
    const functionRef = { Ref: stack.getLogicalId(fn.function.node.defaultChild as never) };
    const alarms = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { Dimensions: [{ Name: 'FunctionName', Value: functionRef }] },
    });
    expect(Object.keys(alarms).length).toBeGreaterThan(0);
    for (const alarm of Object.values(alarms) as { Properties: { AlarmName: string } }[]) {
      expect(alarm.Properties.AlarmName).toMatch(/^legacy-orders-/);
    }
  });
});
