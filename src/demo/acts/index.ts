/** The demo's acts, in the order they run. */
import type { DemoAct } from '../runner.js';

export const DEMO_ACTS: readonly DemoAct[] = [];
