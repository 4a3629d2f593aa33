/** The demo's acts, in the order they run. */
import type { DemoAct } from '../runner.js';
import { drDrillAct } from './dr-drill.js';
import { monitoringAct } from './monitoring.js';
import { createTrafficAndTaskActs } from './traffic-and-tasks.js';
import { workflowAct } from './workflow.js';

export const DEMO_ACTS: readonly DemoAct[] = [
  ...createTrafficAndTaskActs(),
  workflowAct,
  drDrillAct,
  monitoringAct,
];
