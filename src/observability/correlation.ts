import type { OpsLogger } from './logger.js';
/**
 * The correlation id of an incoming event: the id AWS already gave it, so that the same value
 * shows up in EventBridge, SQS and the kit's logs. Falls back to the Lambda request id.
 */
export function correlationIdOf(event: unknown, context?: { awsRequestId?: string }): string {
  const fromEvent = idFromEvent(event);
  if (fromEvent) return fromEvent;
  if (context?.awsRequestId) return context.awsRequestId;
  return 'unknown';
}

function idFromEvent(event: unknown): string | undefined {
  if (!isRecord(event)) return undefined;
  // An explicit correlation id (messages the kit sends to itself carry one).
  if (typeof event.correlationId === 'string' && event.correlationId) return event.correlationId;
  // EventBridge: top-level `id` with `detail-type`.
  if (typeof event.id === 'string' && 'detail-type' in event) return event.id;
  // SQS batch: the first record's messageId (a batch is one invocation).
  if (Array.isArray(event.Records) && isRecord(event.Records[0])) {
    const first = event.Records[0];
    if (typeof first.messageId === 'string') return first.messageId;
  }
  // Step Functions context passed in the payload.
  if (typeof event.executionId === 'string' && event.executionId) return event.executionId;
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

type LogFunction = OpsLogger['info'];
type ExtraInput = Parameters<LogFunction> extends [unknown, ...infer Rest] ? Rest : never;
const LEVELS = ['debug', 'info', 'warn', 'error', 'critical'] as const;

/**
 * `logger` with `correlationId` added to every line, whatever the caller passes (adapters log
 * through it too), at every level the logger has (`critical` included when it has one).
 * A wrapper rather than Powertools' `appendKeys`: deps hold any logger of this shape, and one
 * logger serves many invocations.
 */
export function withCorrelationId<L extends OpsLogger>(logger: L, correlationId: string): L {
  const wrapped: Record<string, LogFunction> = {};
  for (const level of LEVELS) {
    const log = (logger as Partial<Record<(typeof LEVELS)[number], LogFunction>>)[level];
    if (typeof log !== 'function') continue;
    const bound = log.bind(logger);
    wrapped[level] = (input, ...extra) => {
      bound(input, ...withId(extra, correlationId));
    };
  }
  return wrapped as unknown as L;
}

/** Powertools reads a lone string as `extra` and a lone Error as `error`; keep both. */
function withId(extra: ExtraInput, correlationId: string): ExtraInput {
  const [first] = extra;
  if (typeof first === 'string') return [{ correlationId, extra: first }];
  if (first instanceof Error) return [{ correlationId, error: first }];
  return [{ correlationId }, ...(extra as Record<string, unknown>[])];
}
