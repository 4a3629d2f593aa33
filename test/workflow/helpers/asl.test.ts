import { describe, expect, it } from 'vitest';
import { expectValidStateMachines, validateAsl, validateStateMachines } from './asl.js';

const valid = {
  StartAt: 'A',
  States: {
    A: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: {
        FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:f',
        'Payload.$': '$',
      },
      End: true,
    },
  },
};

const machine = (definition: unknown) => ({
  Type: 'AWS::StepFunctions::StateMachine',
  Properties: { DefinitionString: JSON.stringify(definition) },
});

describe('test helper: asl validation', () => {
  it('accepts a valid definition, as an object or as JSON text, without changing it', () => {
    const before = structuredClone(valid);
    expect(validateAsl(valid)).toEqual({ isValid: true, errors: [] });
    expect(validateAsl(JSON.stringify(valid)).isValid).toBe(true);
    expect(valid).toEqual(before);
  });

  it('reports a transition to a missing state', () => {
    const broken = { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } };
    const result = validateAsl(broken);
    expect(result.isValid).toBe(false);
    expect(result.errors.join('\n')).toMatch(/Nowhere/);
  });

  it('validates every state machine of a template and names the invalid one', () => {
    const template = {
      Resources: {
        Good: machine(valid),
        Bad: machine({ StartAt: 'X', States: { X: { Type: 'Teleport', End: true } } }),
      },
    };
    const results = validateStateMachines(template);
    expect(results.Good?.isValid).toBe(true);
    expect(results.Bad?.isValid).toBe(false);
    expect(() => expectValidStateMachines(template)).toThrow(/State machine Bad is not valid ASL/);
    expect(expectValidStateMachines({ Resources: { Good: machine(valid) } })).toBe(1);
    expect(() => expectValidStateMachines({ Resources: {} })).toThrow(
      /no AWS::StepFunctions::StateMachine/,
    );
  });
});
