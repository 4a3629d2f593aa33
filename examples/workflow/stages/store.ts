/** Lambda entry of the example's store stage: the stage kit around `storeStage`. */
// Outside this repository: import { createStageHandler, defaultStageDeps } from 'aws-ops-kit';
import { createStageHandler, defaultStageDeps } from '../../../src/workflow/stage-handler.js';
import { storeStage } from './logic/store.js';

export const handler = createStageHandler(storeStage, defaultStageDeps());
