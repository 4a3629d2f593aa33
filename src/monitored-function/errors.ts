import { formatPropIssues, type PropIssue } from '../common/prop-issues.js';

/** Base of every error the MonitoredFunction construct raises itself. */
export class MonitoredFunctionError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MonitoredFunctionError';
  }
}

export type { PropIssue };

/**
 * One or more props are invalid. Raised at synth time, before any resource is created, with
 * every problem found (not only the first), each naming its prop.
 */
export class MonitoredFunctionValidationError extends MonitoredFunctionError {
  /** Every problem found, in prop order. */
  readonly issues: readonly PropIssue[];

  constructor(constructId: string, issues: readonly PropIssue[]) {
    super(formatPropIssues('MonitoredFunction', constructId, issues));
    this.name = 'MonitoredFunctionValidationError';
    this.issues = Object.freeze([...issues]);
  }
}

/** A Node.js handler cannot be bundled locally with esbuild (the kit never falls back to Docker). */
export class NodeBundlingError extends MonitoredFunctionError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NodeBundlingError';
  }
}
