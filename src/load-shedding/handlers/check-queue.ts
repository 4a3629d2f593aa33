/**
 * Lambda entry for SQS batches of the controller's delayed check messages (event source mapping
 * with ReportBatchItemFailures). Every record is handled on its own; the ones that must come
 * back are reported as batch item failures:
 *
 * - an invalid message (not JSON, not a version-1 check): retrying cannot fix it, but reporting
 *   it lets SQS move it to the dead-letter queue after maxReceiveCount, where an alarm sees it;
 * - a deferred check (it arrived before the save that scheduled it): SQS redelivers it after
 *   the visibility timeout;
 * - a check whose step failed (AWS error, lost saves): redelivered and decided again.
 *
 * Stale and foreign checks succeed (SQS deletes them). Records are handled one after another:
 * they all touch the same state item, so running them together would only cause conflicts.
 */
import { SqsRecordSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import { z } from 'zod';
import { correlationIdOf } from '../../observability/correlation.js';
import { describeIssues, parseCheckMessage, type CheckMessage } from '../contract.js';
import type { InvocationContext } from './alarm-event.js';
import { defaultDeps, resolveDeps, type DepsSource, type LoadSheddingDeps } from './deps.js';
import { CheckQueueEventError } from './errors.js';
import { withCorrelationId } from './observe.js';
import { runStep } from './step.js';

export interface BatchItemFailure {
  /** The SQS `messageId` of a record to redeliver. */
  readonly itemIdentifier: string;
}

/** The partial batch response Lambda reads with `ReportBatchItemFailures`. */
export interface CheckQueueResult {
  readonly batchItemFailures: BatchItemFailure[];
}

export type CheckQueueHandler = (
  event: unknown,
  context?: InvocationContext,
) => Promise<CheckQueueResult>;

type SqsRecord = z.infer<typeof SqsRecordSchema>;

/** A record as validated: either a usable SQS record, or only its id (to report it). */
type Screened =
  | { readonly ok: true; readonly record: SqsRecord }
  | { readonly ok: false; readonly messageId: string; readonly problem: string };

const envelopeSchema = z.object({ Records: z.array(z.unknown()) });
const withMessageId = z.object({ messageId: z.string().min(1) });

/**
 * The check queue handler over `deps` (or a function that builds them on first use).
 * @throws {LoadSheddingConfigError} when the deps cannot be built (bad environment).
 * @throws {CheckQueueEventError} when the event is not an SQS event, or a record has no
 * messageId to report (the whole batch fails; nothing was done).
 */
export function createCheckQueueHandler(source: DepsSource): CheckQueueHandler {
  return async (event, context) => {
    const deps = resolveDeps(source);
    const batchLogger = withCorrelationId(deps.logger, correlationIdOf(event, context));
    try {
      // Validate the whole batch before handling any record.
      const screened = screen(event);
      const batchItemFailures: BatchItemFailure[] = [];
      for (const item of screened) {
        const messageId = item.ok ? item.record.messageId : item.messageId;
        const ok = item.ok ? await handleRecord(deps, item.record) : reportInvalid(deps, item);
        if (!ok) batchItemFailures.push({ itemIdentifier: messageId });
      }
      return { batchItemFailures };
    } catch (error) {
      batchLogger.error('Handling the check batch failed: every message is redelivered.', {
        error,
      });
      throw error;
    } finally {
      deps.flushMetrics?.();
    }
  };
}

function screen(event: unknown): Screened[] {
  const envelope = envelopeSchema.safeParse(event);
  if (!envelope.success) {
    throw new CheckQueueEventError(
      `The event is not an SQS event: ${describeIssues(envelope.error.issues)}. Nothing was ` +
        'done; check the event source mapping.',
    );
  }
  return envelope.data.Records.map((raw, i): Screened => {
    const record = SqsRecordSchema.safeParse(raw);
    if (record.success) return { ok: true, record: record.data };
    const id = withMessageId.safeParse(raw);
    if (!id.success) {
      throw new CheckQueueEventError(
        `Record ${i} of the SQS event has no messageId, so it cannot be reported as a batch ` +
          `item failure: ${describeIssues(record.error.issues)}. The whole batch fails.`,
      );
    }
    return {
      ok: false,
      messageId: id.data.messageId,
      problem: describeIssues(record.error.issues),
    };
  });
}

function reportInvalid(
  deps: LoadSheddingDeps,
  item: { readonly messageId: string; readonly problem: string },
): false {
  withCorrelationId(deps.logger, item.messageId).error(
    'An SQS record is malformed: reported as a batch item failure (it reaches the ' +
      'dead-letter queue after maxReceiveCount).',
    { messageId: item.messageId, problem: item.problem },
  );
  return false;
}

/** Handles one record; `false` asks SQS to redeliver it. */
async function handleRecord(deps: LoadSheddingDeps, record: SqsRecord): Promise<boolean> {
  const received = {
    messageId: record.messageId,
    receiveCount: Number(record.attributes.ApproximateReceiveCount),
  };
  let message: CheckMessage;
  try {
    message = parseCheckMessage(record.body);
  } catch (error) {
    withCorrelationId(deps.logger, record.messageId).error(
      'Invalid check message: reported as a batch item failure (it reaches the dead-letter ' +
        'queue after maxReceiveCount). Only the controller should send to this queue.',
      { ...received, error },
    );
    return false;
  }
  const logger = withCorrelationId(deps.logger, message.correlationId);
  try {
    const step = await runStep(deps, { kind: 'check', message }, logger);
    // A deferred check comes back after the visibility timeout, when its save may have landed.
    return step.decision.outcome !== 'defer';
  } catch (error) {
    logger.error('The check failed: reported as a batch item failure, SQS redelivers it.', {
      ...received,
      checkId: message.checkId,
      error,
    });
    return false;
  }
}

/** The Lambda entry point; deps are built from the environment on the first invocation. */
export const handler = createCheckQueueHandler(defaultDeps());
