/** Lambda entry of the example's score stage: the stage kit around `scoreStage`. */
// Outside this repository: import { createStageHandler, defaultStageDeps } from 'aws-ops-kit';
import { createStageHandler, defaultStageDeps } from '../../../src/workflow/stage-handler.js';
import { scoreStage } from './logic/score.js';

export const handler = createStageHandler(scoreStage, defaultStageDeps());
