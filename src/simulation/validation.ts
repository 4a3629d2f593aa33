import type { z } from 'zod';
import { SimulatedServiceError } from './service-error.js';

/**
 * Input validation for models, answered the way AWS answers it: HTTP 400, a
 * `ValidationException` (JSON protocols) or `ValidationError` (query protocols: ELBv2,
 * CloudWatch, SNS), and a message in AWS's "N validation errors detected: ..." form.
 * Models describe what AWS documents (lengths, ranges, counts) as zod schemas.
 */

export interface ValidationErrorOptions {
  /** @default 'ValidationException' (use 'ValidationError' for query-protocol services) */
  readonly errorName?: string;
}

export function validationError(
  message: string,
  options: ValidationErrorOptions = {},
): SimulatedServiceError {
  return new SimulatedServiceError({
    name: options.errorName ?? 'ValidationException',
    httpStatusCode: 400,
    message,
  });
}

function describePath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? 'input' : path.map(String).join('.');
}

/** Parses `input` with `schema`, or throws the validation error AWS would answer with. */
export function validateInput<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
  options: ValidationErrorOptions = {},
): z.output<Schema> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const details = issues.map(
    (issue) =>
      `Value at '${describePath(issue.path)}' failed to satisfy constraint: ${issue.message}`,
  );
  const count = issues.length;
  throw validationError(
    `${count} validation error${count === 1 ? '' : 's'} detected: ${details.join('; ')}`,
    options,
  );
}
