export * from './drill.js';
export * from './ideal.js';
export * from './world.js';
