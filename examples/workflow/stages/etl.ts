/** Lambda entry of the example's etl stage: the stage kit around `etl`. */
// Outside this repository: import { createStageHandler, defaultStageDeps } from 'aws-ops-kit';
import { createStageHandler, defaultStageDeps } from '../../../src/workflow/stage-handler.js';
import { etl } from './logic/etl.js';

export const handler = createStageHandler(etl, defaultStageDeps());
