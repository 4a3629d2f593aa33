/**
 * Checks Amazon States Language definitions with asl-validator (the maintained validator of
 * the ASL JSON schemas). Used by the tests on every synthesized definition and by
 * `opskit workflow run` before it runs one. asl-validator ships CommonJS without type
 * declarations, so it is loaded with `createRequire` and typed here.
 */
import { createRequire } from 'node:module';
import { LocalRunConfigError } from './errors.js';
import {
  TemplateResolver,
  renderStateMachine,
  type CfnTemplate,
  type RenderAccount,
} from './template.js';

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
  errorsText(separator?: string): string;
}

type AslValidator = (definition: unknown, options?: AslValidationOptions) => AslValidatorResult;

let validator: AslValidator | undefined;

function loadValidator(): AslValidator {
  if (validator === undefined) {
    try {
      validator = createRequire(import.meta.url)('asl-validator') as AslValidator;
    } catch (error) {
      throw new LocalRunConfigError(
        'asl-validator is not installed, so the definition cannot be checked: install it ' +
          '(npm install asl-validator).',
        { cause: error },
      );
    }
  }
  return validator;
}

// asl-validator compiles its schemas on every call (about a second): remember the answers.
const cache = new Map<string, AslValidation>();

/** Validates one definition (an object or its JSON text). */
export function validateAsl(
  definition: unknown,
  options: AslValidationOptions = {},
): AslValidation {
  const text = typeof definition === 'string' ? definition : JSON.stringify(definition);
  const settings = { checkPaths: true, checkArn: true, ...options };
  const cacheKey = `${settings.checkPaths}:${settings.checkArn}:${text}`;
  const cached = cache.get(cacheKey);
  if (cached !== undefined) return cached;
  // The validator writes defaults (QueryLanguage) into the object: give it its own copy.
  const result = loadValidator()(JSON.parse(text), settings);
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

/** Validates every state machine of a synthesized template (tokens → fake ARNs), by logical id. */
export function validateStateMachines(
  template: CfnTemplate,
  options: AslValidationOptions = {},
  account?: RenderAccount,
): Record<string, AslValidation> {
  const resolver = new TemplateResolver(template, account);
  const results: Record<string, AslValidation> = {};
  for (const logicalId of resolver.logicalIdsOf('AWS::StepFunctions::StateMachine')) {
    results[logicalId] = validateAsl(renderStateMachine(resolver, logicalId).definition, options);
  }
  return results;
}

/** Thrown when a template's state machine is not valid ASL; the message lists the problems. */
export class InvalidDefinitionError extends LocalRunConfigError {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidDefinitionError';
  }
}

/**
 * Throws `InvalidDefinitionError`, naming each invalid state machine and asl-validator's
 * errors, unless every state machine of the template is valid; returns how many it checked
 * (at least one, or it throws).
 */
export function assertValidStateMachines(
  template: CfnTemplate,
  options: AslValidationOptions = {},
): number {
  const results = Object.entries(validateStateMachines(template, options));
  if (results.length === 0) {
    throw new InvalidDefinitionError(
      'The template has no AWS::StepFunctions::StateMachine to validate.',
    );
  }
  const invalid = results.filter(([, result]) => !result.isValid);
  if (invalid.length > 0) {
    throw new InvalidDefinitionError(
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
