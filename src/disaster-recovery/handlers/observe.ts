/** Every log line of an invocation carries its correlation id (one implementation for the kit). */
export { withCorrelationId } from '../../observability/correlation.js';
