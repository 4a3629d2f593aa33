import { pathToFileURL } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import type { AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ImmediateAlertsStack } from './stack.js';

/**
 * The example app, checked by cdk-nag: synthesis fails on any unacknowledged finding.
 * `props` lets tests pick the output folder (default cdk.out/examples/immediate-alerts).
 */
export function createApp(props: AppProps = {}): App {
  const app = new App({
    outdir: process.env.CDK_OUTDIR ? undefined : 'cdk.out/examples/immediate-alerts',
    ...props,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  new ImmediateAlertsStack(app, 'ImmediateAlertsExample', {
    alarmEmails: [process.env.ALARM_EMAIL ?? 'payments-oncall@example.com'],
  });
  return app;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  createApp().synth();
}
