export * from './errors.js';
export * from './random.js';
export * from './virtual-clock.js';
export * from './service-error.js';
export * from './service-model.js';
export * from './validation.js';
export * from './sdk-mount.js';
export * from './models/throttling-api.js';
