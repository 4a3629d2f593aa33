/**
 * ASL validation for tests, on src/workflow/local-run/asl-validation.ts (asl-validator):
 * `expectValidStateMachines(template)` renders every state machine of a synthesized template
 * (tokens → fake ARNs, as the local run does) and fails with asl-validator's messages;
 * `aslErrors(definition)` gives them for one definition (`[]` when valid).
 *
 *   const template = Template.fromStack(stack).toJSON();
 *   expectValidStateMachines(template); // every AWS::StepFunctions::StateMachine
 */
import {
  assertValidStateMachines,
  validateAsl,
  validateStateMachines,
  type AslValidation,
  type AslValidationOptions,
} from '../../../src/workflow/local-run/asl-validation.js';
import type { CfnTemplate } from '../../../src/workflow/local-run/template.js';

export { validateAsl, validateStateMachines, type AslValidation, type AslValidationOptions };

/** asl-validator's errors for one definition: `[]` when it is valid. */
export function aslErrors(definition: unknown, options: AslValidationOptions = {}): string[] {
  return [...validateAsl(definition, options).errors];
}

/**
 * Throws, naming the state machine and asl-validator's errors, unless every state machine of
 * the template is valid ASL; returns how many it checked (at least one, or it throws).
 */
export function expectValidStateMachines(
  template: CfnTemplate,
  options: AslValidationOptions = {},
): number {
  return assertValidStateMachines(template, options);
}
