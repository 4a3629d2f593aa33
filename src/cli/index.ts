export { main } from './main.js';
export { CliUsageError, ExitCodes } from './errors.js';
export { processIo, type CliIo } from './io.js';
