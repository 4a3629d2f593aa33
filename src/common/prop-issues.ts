/**
 * Synth-time prop validation shared by the kit's constructs: every problem is collected (not
 * only the first) and reported together, each naming its prop, before any resource is created.
 */

/** One invalid prop: its path (e.g. `alarms.emails`) and what is wrong with it and how to fix it. */
export interface PropIssue {
  readonly prop: string;
  readonly message: string;
}

/** Collects issues; constructs extend it with the checks their props need. */
export class PropIssues {
  private readonly issues: PropIssue[] = [];

  /** Records `message` for `prop`; the stored message starts with the prop's name. */
  add(prop: string, message: string): void {
    this.issues.push({ prop, message: `${prop} ${message}` });
  }

  all(): PropIssue[] {
    return [...this.issues];
  }
}

/** The message of a construct's validation error: one line for one issue, a list for several. */
export function formatPropIssues(
  constructName: string,
  constructId: string,
  issues: readonly PropIssue[],
): string {
  const prefix = `${constructName}(${constructId})`;
  if (issues.length === 1) {
    return `${prefix}: ${issues[0].message}`;
  }
  const lines = issues.map((issue) => `  - ${issue.message}`);
  return `${prefix} has ${issues.length} invalid props:\n${lines.join('\n')}`;
}

/**
 * MonitoredFunction prop paths and the props a capability construct exposes them under (every
 * kit construct passes `monitoring` and `functions.*` through to its MonitoredFunctions).
 */
export const FUNCTION_PROP_PATHS: readonly (readonly [string, string])[] = [
  ['alarms.', 'monitoring.'],
  ['alarms', 'monitoring'],
  ['logs.', 'functions.logs.'],
  ['memorySize', 'functions.memorySize'],
  ['architecture', 'functions.architecture'],
  ['timeout', 'functions.timeout'],
  ['tracing', 'functions.tracing'],
];

/**
 * MonitoredFunction's issues about the props a construct passes through, renamed to the
 * construct prop each comes from (`alarms.emails` → `monitoring.emails`), each once: the
 * construct has several functions, which would report the same problem each.
 */
export function renameFunctionIssues(
  functionIssues: readonly PropIssue[],
  paths: readonly (readonly [string, string])[] = FUNCTION_PROP_PATHS,
): PropIssue[] {
  const byMessage = new Map<string, PropIssue>();
  for (const issue of functionIssues) {
    const mapping = paths.find(
      ([from]) => issue.prop === from || (from.endsWith('.') && issue.prop.startsWith(from)),
    );
    const prop = mapping ? mapping[1] + issue.prop.slice(mapping[0].length) : issue.prop;
    const message = (prop + issue.message.slice(issue.prop.length)).replace(
      /\balarms\./g,
      'monitoring.',
    );
    byMessage.set(message, { prop, message });
  }
  return [...byMessage.values()];
}
