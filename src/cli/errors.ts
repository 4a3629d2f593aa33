/** Exit codes of `opskit` and the error that maps to the usage one. */

export const ExitCodes = Object.freeze({
  ok: 0,
  /** The command ran and found problems (e.g. a simulated run that met errors). */
  failure: 1,
  /** The command line or an input file is wrong: nothing was run. */
  usage: 2,
} as const);

/** A wrong command line or input file; the message says what is wrong and how to fix it. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}
