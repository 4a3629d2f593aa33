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
