/** Lambda entry of the example's reactive stage: the stage kit around `reactiveStage`. */
// Outside this repository: import { createStageHandler, defaultStageDeps } from 'aws-ops-kit';
import { createStageHandler, defaultStageDeps } from '../../../src/workflow/stage-handler.js';
import { reactiveStage } from './logic/reactive.js';

export const handler = createStageHandler(reactiveStage, defaultStageDeps());
