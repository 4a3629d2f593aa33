/**
 * Validates Amazon States Language definitions with asl-validator (a devDependency: tests only).
 * `expectValidStateMachines(template)` renders every state machine of a synthesized template
 * (tokens → fake ARNs, as the local run does) and fails with asl-validator's messages.
 *
 *   const template = Template.fromStack(stack).toJSON();
 *   expectValidStateMachines(template); // every AWS::StepFunctions::StateMachine
 */
import { createRequire } from 'node:module';
import {
  TemplateResolver,
  renderStateMachine,
  type CfnTemplate,
} from '../../../src/workflow/local-run/template.js';

export interface AslValidationOptions {
  /** Check JSONPath syntax. @default true */
  readonly checkPaths?: boolean;
  /** Check the ARN syntax of Task resources. @default true */
  readonly checkArn?: boolean;
}

export interface AslValidation {
  readonly isValid: boolean;
  /** One line per problem, as asl-validator words it. */
  readonly errors: readonly string[];
}

interface AslValidatorResult {
  isValid: boolean;
  errors: readonly { message?: string; path?: string }[];
  errorsText(separator?: string): string;
}

type AslValidator = (definition: unknown, options?: AslValidationOptions) => AslValidatorResult;

// asl-validator ships CommonJS without type declarations.
const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

/** Validates one definition (an object or its JSON text). */
export function validateAsl(
  definition: unknown,
  options: AslValidationOptions = {},
): AslValidation {
  const text = typeof definition === 'string' ? definition : JSON.stringify(definition);
  const settings = { checkPaths: true, checkArn: true, ...options };
  // asl-validator compiles its schemas on every call (about a second): remember the answers.
  const cacheKey = `${settings.checkPaths}:${settings.checkArn}:${text}`;
  const cached = cache.get(cacheKey);
  if (cached !== undefined) return cached;
  // The validator writes defaults (QueryLanguage) into the object: give it its own copy.
  const result = aslValidator(JSON.parse(text), settings);
  const validation: AslValidation = {
    isValid: result.isValid,
    errors: result.isValid
      ? []
      : result
          .errorsText('\n')
          .split('\n')
          .filter((line) => line.length > 0),
  };
  cache.set(cacheKey, validation);
  return validation;
}

const cache = new Map<string, AslValidation>();

/** Validates every state machine of a synthesized template, by logical id. */
export function validateStateMachines(
  template: CfnTemplate,
  options: AslValidationOptions = {},
): Record<string, AslValidation> {
  const resolver = new TemplateResolver(template);
  const results: Record<string, AslValidation> = {};
  for (const logicalId of resolver.logicalIdsOf('AWS::StepFunctions::StateMachine')) {
    results[logicalId] = validateAsl(renderStateMachine(resolver, logicalId).definition, options);
  }
  return results;
}

/**
 * Throws, naming the state machine and asl-validator's errors, unless every state machine of
 * the template is valid ASL; returns how many it checked (at least one, or it throws).
 */
export function expectValidStateMachines(
  template: CfnTemplate,
  options: AslValidationOptions = {},
): number {
  const results = Object.entries(validateStateMachines(template, options));
  if (results.length === 0) {
    throw new Error('The template has no AWS::StepFunctions::StateMachine to validate.');
  }
  const invalid = results.filter(([, result]) => !result.isValid);
  if (invalid.length > 0) {
    throw new Error(
      invalid
        .map(
          ([id, result]) =>
            `State machine ${id} is not valid ASL:\n  ${result.errors.join('\n  ')}`,
        )
        .join('\n'),
    );
  }
  return results.length;
}
