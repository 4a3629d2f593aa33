/**
 * A Glue step's job: the PySpark script and its Python libraries as assets, a least-privilege
 * role (its own assets, the `executions/` prefix of the workflow bucket, Glue's log groups) and
 * the `glueetl` job itself.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { acknowledgeFinding, wildcardResourceFindingId } from '../monitored-function/nag.js';
import { S3_WORKFLOW_DEFAULTS as D } from './construct-props.js';
import type { GlueJobStep } from './construct-props.js';
import {
  EXECUTION_OBJECTS_REASON,
  executionObjectStatements,
  executionObjectsArn,
} from './construct-iam.js';

const GLUE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'glue');

/** The kit's Glue script and its transform library (a folder, zipped for `--extra-py-files`). */
export const DEFAULT_GLUE_SCRIPT = join(GLUE_DIR, 'workflow_glue_job.py');
export const DEFAULT_GLUE_LIBRARY = join(GLUE_DIR, 'lib');

export interface WorkflowGlueJobProps {
  readonly step: GlueJobStep;
  readonly jobName: string;
  readonly bucket: s3.IBucket;
}

/** One Glue step's job, script and role. */
export class WorkflowGlueJob extends Construct {
  readonly job: glue.CfnJob;
  readonly role: iam.Role;
  readonly jobName: string;
  readonly scriptAsset: assets.Asset;
  readonly libraryAssets: readonly assets.Asset[];

  constructor(scope: Construct, id: string, props: WorkflowGlueJobProps) {
    super(scope, id);
    const { step, bucket, jobName } = props;
    this.jobName = jobName;
    const scriptPath = step.scriptPath ?? DEFAULT_GLUE_SCRIPT;
    const libraries =
      step.pythonLibraries ?? (step.scriptPath === undefined ? [DEFAULT_GLUE_LIBRARY] : []);
    this.scriptAsset = new assets.Asset(this, 'Script', { path: scriptPath });
    this.libraryAssets = libraries.map(
      (path, index) => new assets.Asset(this, `Library${index}`, { path }),
    );

    const stack = Stack.of(this);
    const glueLogs = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: '/aws-glue/*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const codeObjects = [this.scriptAsset, ...this.libraryAssets].map((asset) =>
      asset.bucket.arnForObjects(asset.s3ObjectKey),
    );
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('glue.amazonaws.com'),
      description: `Role of the Glue job ${jobName}: its code, the workflow's executions/ data, its logs`,
      inlinePolicies: {
        GlueJob: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'ReadJobCode',
              actions: ['s3:GetObject'],
              resources: codeObjects,
            }),
            ...executionObjectStatements(bucket, { delete: true }),
            new iam.PolicyStatement({
              sid: 'WriteGlueLogs',
              actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [glueLogs],
            }),
          ],
        }),
      },
    });
    const cfnRole = this.role.node.defaultChild as iam.CfnRole;
    acknowledgeFinding(
      cfnRole,
      wildcardResourceFindingId(this, executionObjectsArn(bucket)),
      EXECUTION_OBJECTS_REASON,
    );
    acknowledgeFinding(
      cfnRole,
      wildcardResourceFindingId(this, glueLogs),
      'Glue writes job runs to the /aws-glue/jobs/* log groups and names their streams after the run id, known only at run time.',
    );

    const userArguments = step.defaultArguments ?? {};
    this.job = new glue.CfnJob(this, 'Job', {
      name: jobName,
      description: `Workflow stage ${step.name} (S3 in, S3 out: executions/{id}/{stage}/output.json)`,
      role: this.role.roleArn,
      command: {
        name: 'glueetl',
        pythonVersion: '3',
        scriptLocation: this.scriptAsset.s3ObjectUrl,
      },
      glueVersion: step.glueVersion ?? D.glueVersion,
      workerType: step.workerType ?? D.glueWorkerType,
      numberOfWorkers: step.numberOfWorkers ?? D.glueNumberOfWorkers,
      timeout: (step.timeout ?? D.glueTimeout).toMinutes(),
      // Step Functions retries the step (5 minutes apart); Glue's own retries would double up.
      maxRetries: 0,
      executionProperty: { maxConcurrentRuns: step.maxConcurrentRuns ?? D.glueMaxConcurrentRuns },
      securityConfiguration: step.securityConfiguration,
      defaultArguments: {
        '--job-language': 'python',
        '--job-bookmark-option': 'job-bookmark-disable',
        '--enable-continuous-cloudwatch-log': 'true',
        ...(this.libraryAssets.length > 0
          ? { '--extra-py-files': this.libraryAssets.map((a) => a.s3ObjectUrl).join(',') }
          : {}),
        ...userArguments,
      },
    });
    if (step.securityConfiguration === undefined) {
      const reason =
        'No security configuration given: job bookmarks are disabled (--job-bookmark-option job-bookmark-disable) and the job logs no record data. Set securityConfiguration to encrypt logs and bookmarks with KMS.';
      acknowledgeFinding(this.job, 'AwsSolutions-GL1', reason);
      acknowledgeFinding(this.job, 'AwsSolutions-GL3', reason);
    }
  }
}
