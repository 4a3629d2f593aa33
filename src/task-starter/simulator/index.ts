/** The task starter on the simulation models: for tests, the benchmark and the demo. */
export * from './deployment.js';
