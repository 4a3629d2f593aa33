/** Records the handlers' step summaries and error lines from their log calls. */
import type { OpsLogger } from '../../observability/logger.js';
import type { Clock } from '../../resilience/clock.js';

/** One controller step, from the handlers' summary log line. */
export interface StepRecord {
  readonly seq: number;
  readonly time: number;
  readonly outcome: string;
  readonly chainEnd: string | undefined;
  /** The rule writes of the step: `written`, `planned` (dry run) or `unchanged`. */
  readonly writes: readonly { readonly operation: string; readonly status: string }[];
}

/** The handlers' summary line of each step. */
const STEP_DONE = 'Load-shedding step done.';

/**
 * A logger that keeps what the reports need and drops the rest: the handlers' step summaries
 * (with a sequence number shared with the ELBv2 calls, to attribute calls to steps) and their
 * error lines.
 */
export function stepRecordingLogger(
  clock: Clock,
  nextSeq: () => number,
  steps: StepRecord[],
  errors: string[],
): OpsLogger {
  const merged = (extra: unknown[]): Record<string, unknown> => {
    const attributes: Record<string, unknown> = {};
    for (const item of extra) {
      if (typeof item === 'object' && item !== null) Object.assign(attributes, item);
    }
    return attributes;
  };
  const ignore = (): void => undefined;
  const logger: OpsLogger = {
    debug: ignore,
    warn: ignore,
    info: (input: unknown, ...extra: unknown[]) => {
      if (input !== STEP_DONE) return;
      const attributes = merged(extra) as {
        outcome?: string;
        chainEnd?: string;
        writes?: { operation: string; status: string }[];
      };
      steps.push({
        seq: nextSeq(),
        time: clock.now(),
        outcome: attributes.outcome ?? 'unknown',
        chainEnd: attributes.chainEnd,
        writes: (attributes.writes ?? []).map((w) => ({
          operation: w.operation,
          status: w.status,
        })),
      });
    },
    error: (input: unknown, ...extra: unknown[]) => {
      const { error } = merged(extra) as { error?: unknown };
      const cause = error instanceof Error ? `: ${error.name}: ${error.message}` : '';
      errors.push(`${new Date(clock.now()).toISOString()} ${String(input)}${cause}`);
    },
  };
  return logger;
}
