/** `opskit simulate load-shedding`: scenarios, the runner and its reports. */
export * from './scenario.js';
export * from './result.js';
export { runScenario, type MinuteSample, type RunExtension, type RunOptions } from './runner.js';
export { renderText } from './report-text.js';
export { renderHtml } from './report-html.js';
export {
  createLoadSheddingDeployment,
  type LoadSheddingDeployment,
  type LoadSheddingDeploymentOptions,
  type DeployedRule,
} from './deployment.js';
export { buildLayout, type Layout, type LayoutRule } from './layout.js';
