/**
 * `npm run synth`: synthesizes the reference app into cdk.out and every example app into
 * cdk.out/examples/<name>, offline, in one process. Each app runs cdk-nag AwsSolutions as a
 * validation plugin, so any unacknowledged finding fails the synthesis (and this script).
 */
import type { App } from 'aws-cdk-lib';
import { createApp as customPermissions } from '../examples/monitored-function/custom-permissions/app.js';
import { createApp as immediateAlerts } from '../examples/monitored-function/immediate-alerts/app.js';
import { createApp as thresholdAlerts } from '../examples/monitored-function/threshold-alerts/app.js';
import { createReferenceApp } from './main.js';

const apps: readonly (readonly [string, () => App])[] = [
  ['reference app', () => createReferenceApp()],
  ['examples/monitored-function/immediate-alerts', () => immediateAlerts()],
  ['examples/monitored-function/threshold-alerts', () => thresholdAlerts()],
  ['examples/monitored-function/custom-permissions', () => customPermissions()],
];

for (const [name, create] of apps) {
  const assembly = create().synth();
  console.log(`synthesized ${name} -> ${assembly.directory}`);
}
