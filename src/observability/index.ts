export * from './correlation.js';
export * from './logger.js';
export * from './metrics.js';
export * from './namespaces.js';
export * from './tracer.js';
export * from './handler-telemetry.js';
