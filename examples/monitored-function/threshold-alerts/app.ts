import { pathToFileURL } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import type { AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ThresholdAlertsStack } from './stack.js';

/**
 * The example app, checked by cdk-nag: synthesis fails on any unacknowledged finding.
 * `props` lets tests pick the output folder (default cdk.out/examples/threshold-alerts).
 */
export function createApp(props: AppProps = {}): App {
  const app = new App({
    outdir: process.env.CDK_OUTDIR ? undefined : 'cdk.out/examples/threshold-alerts',
    ...props,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  new ThresholdAlertsStack(app, 'ThresholdAlertsExample', {
    alarmEmails: [process.env.ALARM_EMAIL ?? 'data-team@example.com'],
  });
  return app;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  createApp().synth();
}
