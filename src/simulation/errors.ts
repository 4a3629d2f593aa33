/**
 * Errors of the simulation itself (a stuck run, a misused clock, a bad model configuration).
 * AWS errors that a model answers with are not these: see `SimulatedServiceError`.
 */
export class SimulationError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SimulationError';
  }
}

/** `run()` found `main` still pending with no virtual timer left that could wake it. */
export class SimulationDeadlockError extends SimulationError {
  constructor(message: string) {
    super(message);
    this.name = 'SimulationDeadlockError';
  }
}

/** `run()`, `advance()` or `runUntilIdle()` went past its virtual-time or timer-count limit. */
export class SimulationLimitError extends SimulationError {
  constructor(message: string) {
    super(message);
    this.name = 'SimulationLimitError';
  }
}

/** A model or clock was configured with values that cannot work; the message names the option. */
export class SimulationConfigError extends SimulationError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SimulationConfigError';
  }
}
