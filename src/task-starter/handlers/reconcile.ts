/**
 * Lambda entry of the reconcile schedule: every target group in scope (ALLOWED_TARGET_GROUP_ARNS,
 * else TARGET_GROUP_ARN) against the live kit tasks of every cluster in scope (ALLOWED_CLUSTERS,
 * else ECS_CLUSTER). One target group's failure does not stop the others; the invocation fails
 * at the end if any did, so the error is visible (Errors metric, logs).
 */
import { correlationIdOf } from '../../observability/correlation.js';
import { TaskStarterError } from '../errors.js';
import {
  reconcileScope,
  reconcileTargetGroup,
  type TargetGroupReconcileResult,
} from '../reconciler.js';
import {
  defaultDeps,
  resolveDeps,
  runtimeOf,
  type DepsSource,
  type InvocationContext,
} from './deps.js';

export interface ReconcileHandlerResult {
  readonly correlationId: string;
  readonly results: readonly TargetGroupReconcileResult[];
}

export type ReconcileHandler = (
  event?: unknown,
  context?: InvocationContext,
) => Promise<ReconcileHandlerResult>;

/** Some target groups could not be reconciled; `errors` holds each one's error. */
export class ReconcileError extends TaskStarterError {
  readonly errors: readonly { readonly targetGroupArn: string; readonly error: unknown }[];

  constructor(errors: readonly { readonly targetGroupArn: string; readonly error: unknown }[]) {
    super(
      `Reconcile failed for ${errors.length} target group(s): ` +
        errors
          .map((e) => `${e.targetGroupArn} (${e.error instanceof Error ? e.error.name : 'error'})`)
          .join(', ') +
        '. The next run tries again; see the logs for each error.',
    );
    this.name = 'ReconcileError';
    this.errors = errors;
  }
}

export function createReconcileHandler(source: DepsSource): ReconcileHandler {
  return async (event, context) => {
    const deps = resolveDeps(source);
    const correlationId = correlationIdOf(event, context);
    const runtime = runtimeOf(deps, correlationId);
    try {
      const scope = reconcileScope(runtime);
      if (scope.clusters.length === 0 || scope.targetGroupArns.length === 0) {
        runtime.logger.warn(
          'Nothing to reconcile: set ALLOWED_CLUSTERS (or ECS_CLUSTER) and ALLOWED_TARGET_GROUP_ARNS (or TARGET_GROUP_ARN).',
        );
        return { correlationId, results: [] };
      }
      const results: TargetGroupReconcileResult[] = [];
      const errors: { targetGroupArn: string; error: unknown }[] = [];
      for (const targetGroupArn of scope.targetGroupArns) {
        try {
          results.push(await reconcileTargetGroup(runtime, targetGroupArn, scope.clusters));
        } catch (error) {
          runtime.logger.error('Reconciling a target group failed.', { targetGroupArn, error });
          errors.push({ targetGroupArn, error });
        }
      }
      if (errors.length > 0) throw new ReconcileError(errors);
      return { correlationId, results };
    } finally {
      deps.flushMetrics?.();
    }
  };
}

/** The Lambda entry point; deps are built from the environment on the first invocation. */
export const handler = createReconcileHandler(defaultDeps());
