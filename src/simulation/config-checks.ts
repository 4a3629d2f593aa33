import { SimulationConfigError } from './errors.js';

/**
 * Checks of numeric configuration values (not of API input: see `validation.ts`), failing at
 * construction with a message that names the option, rather than misbehaving later.
 */

/** `value` if it is an integer in [min, max]; `what` names the option in the error. */
export function checkInteger(what: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SimulationConfigError(`${what} must be an integer ${min}–${max}, got ${value}.`);
  }
  return value;
}

/** `value ?? fallback` if it is a finite number >= 0; `what` names the option in the error. */
export function checkNonNegative(
  what: string,
  value: number | undefined,
  fallback: number,
): number {
  const number = value ?? fallback;
  if (!(Number.isFinite(number) && number >= 0)) {
    throw new SimulationConfigError(`${what} must be a number >= 0, got ${String(value)}.`);
  }
  return number;
}
