import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Stack, Validations } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
// Outside this repository: import { FunctionCode, MonitoredFunction } from 'aws-ops-kit';
import { FunctionCode, MonitoredFunction } from '../../../src/monitored-function/index.js';

const lambdaDir = join(dirname(fileURLToPath(import.meta.url)), 'lambda');

export interface CustomPermissionsStackProps extends StackProps {
  readonly alarmEmails: readonly string[];
  /** Existing bucket the order files are read from. */
  readonly ordersBucketName: string;
  /** Existing DynamoDB table the orders are written to. */
  readonly ordersTableName: string;
  /**
   * Further managed policies to attach, by ARN (e.g. a policy your security team manages).
   * @default - none
   */
  readonly extraPolicyArns?: readonly string[];
}

/**
 * An order importer with the permissions its code needs, given as customer managed policies:
 * read order files from one S3 bucket, write orders to one DynamoDB table.
 */
export class CustomPermissionsStack extends Stack {
  readonly importer: MonitoredFunction;

  constructor(scope: Construct, id: string, props: CustomPermissionsStackProps) {
    super(scope, id, props);

    const bucketArn = this.formatArn({
      service: 's3',
      region: '',
      account: '',
      resource: props.ordersBucketName,
    });
    const readOrders = new iam.ManagedPolicy(this, 'ReadOrderFiles', {
      description: `Read order files from ${props.ordersBucketName}`,
      statements: [
        new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucketArn] }),
        new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`${bucketArn}/*`] }),
      ],
    });
    // Object keys are the importer's input, unknown at synth time: reading any object of this
    // one bucket is the narrowest grant that works.
    Validations.of(readOrders.node.defaultChild!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${props.ordersBucketName}/*]`,
      reason:
        'The importer reads any order file of this one bucket; keys are only known at run time.',
    });
    const writeOrders = new iam.ManagedPolicy(this, 'WriteOrders', {
      description: `Write orders to ${props.ordersTableName}`,
      statements: [
        new iam.PolicyStatement({
          actions: ['dynamodb:PutItem', 'dynamodb:BatchWriteItem'],
          resources: [
            this.formatArn({
              service: 'dynamodb',
              resource: 'table',
              resourceName: props.ordersTableName,
            }),
          ],
        }),
      ],
    });

    this.importer = new MonitoredFunction(this, 'OrderImporter', {
      functionName: 'order-importer',
      code: FunctionCode.python({ sourceDir: lambdaDir, runtime: lambda.Runtime.PYTHON_3_15 }),
      memorySize: 512,
      environment: { BUCKET_NAME: props.ordersBucketName, TABLE_NAME: props.ordersTableName },
      additionalPolicies: [readOrders, writeOrders, ...(props.extraPolicyArns ?? [])],
      alarms: { emails: props.alarmEmails },
    });

    new CfnOutput(this, 'FunctionName', { value: this.importer.functionName });
    new CfnOutput(this, 'RoleArn', { value: this.importer.roleArn });
    new CfnOutput(this, 'RoleName', { value: this.importer.roleName });
  }
}
