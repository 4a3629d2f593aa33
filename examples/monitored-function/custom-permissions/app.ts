import { pathToFileURL } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import type { AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CustomPermissionsStack } from './stack.js';

/**
 * The example app, checked by cdk-nag: synthesis fails on any unacknowledged finding.
 * `props` lets tests pick the output folder (default cdk.out/examples/custom-permissions).
 */
export function createApp(props: AppProps = {}): App {
  const app = new App({
    outdir: process.env.CDK_OUTDIR ? undefined : 'cdk.out/examples/custom-permissions',
    ...props,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  new CustomPermissionsStack(app, 'CustomPermissionsExample', {
    alarmEmails: [process.env.ALARM_EMAIL ?? 'orders-team@example.com'],
    // Placeholders: the names of your existing bucket and table.
    ordersBucketName: process.env.ORDERS_BUCKET ?? 'example-order-files',
    ordersTableName: process.env.ORDERS_TABLE ?? 'example-orders',
  });
  return app;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  createApp().synth();
}
