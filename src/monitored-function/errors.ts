/** Base of every error the MonitoredFunction construct raises itself. */
export class MonitoredFunctionError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MonitoredFunctionError';
  }
}

/** One invalid prop: its path (e.g. `alarms.emails`) and what is wrong with it and how to fix it. */
export interface PropIssue {
  readonly prop: string;
  readonly message: string;
}

/**
 * One or more props are invalid. Raised at synth time, before any resource is created, with
 * every problem found (not only the first), each naming its prop.
 */
export class MonitoredFunctionValidationError extends MonitoredFunctionError {
  /** Every problem found, in prop order. */
  readonly issues: readonly PropIssue[];

  constructor(constructId: string, issues: readonly PropIssue[]) {
    super(formatIssues(constructId, issues));
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

function formatIssues(constructId: string, issues: readonly PropIssue[]): string {
  const prefix = `MonitoredFunction(${constructId})`;
  if (issues.length === 1) {
    return `${prefix}: ${issues[0].message}`;
  }
  const lines = issues.map((issue) => `  - ${issue.message}`);
  return `${prefix} has ${issues.length} invalid props:\n${lines.join('\n')}`;
}
