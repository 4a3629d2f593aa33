/**
 * Lambda entry of the query handler: `regionalCapacity` (one region's replicating servers,
 * active jobs and servers in jobs against the quotas) and `accountCapacity` (every region,
 * queried concurrently, each within its own rate limit).
 */
import { correlationIdOf } from '../../observability/correlation.js';
import { parseQueryEvent } from '../contract.js';
import {
  queryAccountCapacity,
  queryRegionalCapacity,
  type AccountCapacityResult,
  type RegionalCapacityResult,
} from './capacity-query.js';
import { defaultDeps } from './default-deps.js';
import { invocationFields, resolveDeps, type DepsSource, type InvocationContext } from './deps.js';
import { withCorrelationId } from './observe.js';

export type QueryResult = (RegionalCapacityResult | AccountCapacityResult) & {
  readonly correlationId: string;
};

export type QueryHandler = (event: unknown, context?: InvocationContext) => Promise<QueryResult>;

/**
 * The query handler over `deps` (or a function that builds them on first use).
 * @throws {DrsConfigError} when the deps cannot be built (bad environment).
 * @throws {DrsEventError} when the event is malformed.
 */
export function createQueryHandler(source: DepsSource): QueryHandler {
  return async (event, context) => {
    const deps = resolveDeps(source);
    const correlationId = correlationIdOf(event, context);
    deps.setInvocationContext?.(invocationFields(correlationId, context));
    const logger = withCorrelationId(deps.logger, correlationId);
    try {
      const parsed = parseQueryEvent(event);
      const result =
        parsed.action === 'regionalCapacity'
          ? await queryRegionalCapacity(deps, parsed)
          : await queryAccountCapacity(deps, parsed, logger);
      return { ...result, correlationId };
    } catch (error) {
      logger.error('The capacity query failed', { error });
      throw error;
    } finally {
      deps.flushMetrics?.();
    }
  };
}

/** The Lambda entry point; deps are built from the environment on the first invocation. */
export const handler = createQueryHandler(defaultDeps());
