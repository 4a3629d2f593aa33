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
