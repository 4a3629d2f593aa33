/** Sends the controller's delayed check message to itself (SQS SendMessage with DelaySeconds). */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { serializeCheckMessage } from '../contract.js';
import type { ScheduledCheck } from '../controller.js';

/**
 * Sends `check` to the check queue; resolves with the SQS message id. The body is validated
 * against the contract's schema before it is sent (`CheckMessageError` otherwise).
 */
export async function sendCheck(
  client: SQSClient,
  queueUrl: string,
  check: ScheduledCheck,
): Promise<string | undefined> {
  const output = await client.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: serializeCheckMessage(check.message),
      DelaySeconds: check.delaySeconds,
    }),
  );
  return output.MessageId;
}
