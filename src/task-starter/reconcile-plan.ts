/**
 * Reconcile: the targets a target group has against the targets the kit's live tasks should
 * be, and the changes that make them agree.
 *
 * Pure: no AWS SDK import.
 */
import type { ReconcileMode } from './contract.js';
import { targetKey, type Target } from './targets.js';

/** A target as DescribeTargetHealth lists it. */
export interface RegisteredTarget {
  readonly id: string;
  readonly port: number;
  readonly availabilityZone?: string;
  /** initial | healthy | unhealthy | unused | draining | unavailable | unhealthy.draining */
  readonly state: string;
}

/** A live kit task (RUNNING, desired RUNNING) and the target it should be. */
export interface LiveTaskTarget {
  readonly taskArn: string;
  readonly target: Target;
}

export interface ReconcilePlan {
  /** Live kit tasks missing from the target group. */
  readonly register: readonly LiveTaskTarget[];
  /** Targets no live kit task accounts for (owned mode only). */
  readonly deregister: readonly RegisteredTarget[];
}

const isDraining = (state: string): boolean => state.endsWith('draining');

/**
 * The changes that bring the target group in line with the live tasks. Draining targets are
 * left alone: they are already leaving, and ELBv2 refuses to register an IP again while it
 * drains (the next run registers it). In `shared` mode others register targets too, so a
 * target without a kit task is not the kit's to remove.
 *
 * List the targets BEFORE the tasks: a task that starts in between is then missing from the
 * targets (registered twice, harmless) rather than present without its task (removed wrongly).
 */
export function planReconcile(input: {
  readonly mode: ReconcileMode;
  readonly targets: readonly RegisteredTarget[];
  readonly live: readonly LiveTaskTarget[];
}): ReconcilePlan {
  const registered = new Set(input.targets.map(targetKey));
  const wanted = new Set(input.live.map((task) => targetKey(task.target)));
  const seen = new Set<string>();
  const register = input.live.filter((task) => {
    const key = targetKey(task.target);
    if (registered.has(key) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const deregister =
    input.mode === 'owned'
      ? input.targets.filter((t) => !wanted.has(targetKey(t)) && !isDraining(t.state))
      : [];
  return { register, deregister };
}
