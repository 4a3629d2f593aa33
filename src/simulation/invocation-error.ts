import type { InvocationError } from './lambda-runtime.js';

/** What a handler threw, as a Lambda invocation reports it (`errorType`, `errorMessage`). */
export function invocationErrorOf(thrown: unknown): InvocationError {
  if (thrown instanceof Error) return { name: thrown.name, message: thrown.message };
  return { name: 'Error', message: String(thrown) };
}
