/**
 * Building blocks of the zod schemas that parse a handler's environment variables, shared by
 * every capability's contract: blank means unset, messages say what was received and how to
 * fix it, lists come as JSON arrays or comma-separated text.
 */
import { z } from 'zod';

/** An environment: variable name → value (unset variables are absent or undefined). */
export type Env = Readonly<Record<string, string | undefined>>;

/** Blank values count as unset, as a CloudFormation parameter left empty would be. */
export const unsetIfBlank = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** How a message names what it received: `it is not set` or `got '<value>'`. */
export const received = (input: unknown): string =>
  input === undefined
    ? 'it is not set'
    : `got '${typeof input === 'string' ? input : JSON.stringify(input)}'`;

/** A whole number within [min, max], `fallback` when unset. */
export function wholeNumberVariable(
  variable: string,
  min: number,
  max: number,
  fallback: number,
  fix: string,
) {
  const problem = (input: unknown): string =>
    `${variable} must be a whole number from ${min} to ${max}, ${received(input)}: ${fix}, ` +
    `or unset it to use the default (${fallback}).`;
  return z.preprocess(
    unsetIfBlank,
    z
      .string()
      .trim()
      .regex(/^\d+$/, { error: (issue) => problem(issue.input) })
      .transform(Number)
      .pipe(
        z
          .number()
          .min(min, { error: (issue) => problem(issue.input) })
          .max(max, { error: (issue) => problem(issue.input) }),
      )
      .default(fallback),
  );
}

/** A JSON array or a comma-separated list, entries trimmed; undefined when not valid JSON. */
export function splitList(raw: string): unknown {
  const text = raw.trim();
  if (!text.startsWith('[')) return text.split(',').map((entry) => entry.trim());
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
