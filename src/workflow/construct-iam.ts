/**
 * The least-privilege statements of the workflow's roles, scoped to the `executions/` prefix of
 * the workflow bucket (requirement 11.2, 11.9).
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { EXECUTIONS_PREFIX } from './paths.js';

/** ARN pattern of every execution object in `bucket`. */
export function executionObjectsArn(bucket: s3.IBucket): string {
  return bucket.arnForObjects(`${EXECUTIONS_PREFIX}*`);
}

/** Why the `executions/*` wildcard is acceptable (cdk-nag acknowledgement). */
export const EXECUTION_OBJECTS_REASON =
  'Stage outputs are keyed by execution id, known only at run time; the grant is limited to the executions/ prefix of this workflow bucket.';

/**
 * Read and write of `executions/*`: GetObject, PutObject (multipart uploads included) and, for
 * jobs that clean up temporary parts, DeleteObject. ListBucket on the same prefix lets S3 answer
 * a missing key with 404 NoSuchKey instead of 403, which the stage kit tells apart.
 */
export function executionObjectStatements(
  bucket: s3.IBucket,
  options: { readonly delete?: boolean } = {},
): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'ListExecutionData',
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${EXECUTIONS_PREFIX}*`] } },
    }),
    new iam.PolicyStatement({
      sid: 'ReadWriteExecutionData',
      actions: [
        's3:GetObject',
        's3:PutObject',
        's3:AbortMultipartUpload',
        ...(options.delete === true ? ['s3:DeleteObject'] : []),
      ],
      resources: [executionObjectsArn(bucket)],
    }),
  ];
}

/**
 * What the Pipe may do: consume the queue, and start executions the way its invocation type
 * needs (StartSyncExecution for REQUEST_RESPONSE, StartExecution for FIRE_AND_FORGET).
 */
export function pipeStatements(
  queue: sqs.IQueue,
  stateMachine: sfn.IStateMachine,
  synchronous: boolean,
): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'ConsumeWorkflowQueue',
      actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
      resources: [queue.queueArn],
    }),
    new iam.PolicyStatement({
      sid: 'StartWorkflow',
      actions: [synchronous ? 'states:StartSyncExecution' : 'states:StartExecution'],
      resources: [stateMachine.stateMachineArn],
    }),
  ];
}
