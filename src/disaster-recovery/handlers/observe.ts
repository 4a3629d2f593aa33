/** Every log line of an invocation carries its correlation id. */
import type { DrsLogger } from '../observability.js';

type LogFunction = DrsLogger['info'];
type ExtraInput = Parameters<LogFunction> extends [unknown, ...infer Rest] ? Rest : never;

/**
 * `logger` with `correlationId` added to every line. A wrapper rather than Powertools'
 * `appendKeys`: the deps hold any `DrsLogger`, and one logger serves many invocations.
 */
export function withCorrelationId(logger: DrsLogger, correlationId: string): DrsLogger {
  const attach =
    (log: LogFunction): LogFunction =>
    (input, ...extra) => {
      log(input, ...withId(extra, correlationId));
    };
  return {
    debug: attach(logger.debug.bind(logger)),
    info: attach(logger.info.bind(logger)),
    warn: attach(logger.warn.bind(logger)),
    error: attach(logger.error.bind(logger)),
    critical: attach(logger.critical.bind(logger)),
  };
}

/** Powertools reads a lone string as `extra` and a lone Error as `error`; keep both. */
function withId(extra: ExtraInput, correlationId: string): ExtraInput {
  const [first] = extra;
  if (typeof first === 'string') return [{ correlationId, extra: first }];
  if (first instanceof Error) return [{ correlationId, error: first }];
  return [{ correlationId }, ...(extra as Record<string, unknown>[])];
}
