/** Lambda entry of the example's filter stage: the stage kit around `filterStage`. */
// Outside this repository: import { createStageHandler, defaultStageDeps } from 'aws-ops-kit';
import { createStageHandler, defaultStageDeps } from '../../../src/workflow/stage-handler.js';
import { filterStage } from './logic/filter.js';

export const handler = createStageHandler(filterStage, defaultStageDeps());
