/**
 * What to do about a Task State Change event. Events repeat and arrive out of order, and
 * DescribeTasks can lag the event by a moment, so the decision weighs both: the freshest view
 * (higher `version`) is the task's state, and a task that either view reports as stopping is
 * never registered (a RUNNING event that arrives after the STOPPED one must not bring a dead
 * task back into the target group).
 *
 * Pure: no AWS SDK import.
 */
import { isLive, isStopping, type TaskView } from './task-view.js';

export type StateAction = 'register' | 'deregister' | 'ignore';

export interface StateDecision {
  readonly action: StateAction;
  /** The view to act on: carries the tags (DescribeTasks) and the network details. */
  readonly task: TaskView;
  /** For logs: why. */
  readonly reason: string;
}

/**
 * @param event the task as the event carries it.
 * @param current the task as DescribeTasks returns it now; undefined when ECS does not know it.
 */
export function decideTaskState(event: TaskView, current: TaskView | undefined): StateDecision {
  if (current === undefined) {
    // Without DescribeTasks there are no tags: the target group is unknown. Reconcile (or a
    // redelivery) fixes what this leaves.
    return { action: 'ignore', task: event, reason: 'task unknown to DescribeTasks' };
  }
  // Network details of a stopped task may be gone from one view: keep the richer one.
  const task = current.version >= event.version ? current : { ...event, tags: current.tags };
  if (isStopping(event) || isStopping(current)) {
    return {
      action: 'deregister',
      task: withNetworkOf(task, current, event),
      reason: `task is stopping (event ${event.lastStatus}/${event.desiredStatus} v${event.version}, now ${current.lastStatus}/${current.desiredStatus} v${current.version})`,
    };
  }
  if (isLive(task)) {
    return { action: 'register', task, reason: `task is RUNNING (v${task.version})` };
  }
  return {
    action: 'ignore',
    task,
    reason: `task is ${task.lastStatus}, desired ${task.desiredStatus}: nothing to do yet`,
  };
}

function withNetworkOf(task: TaskView, a: TaskView, b: TaskView): TaskView {
  const privateIp = task.privateIp ?? a.privateIp ?? b.privateIp;
  const containers = task.containers.some((c) => c.bindings.length > 0)
    ? task.containers
    : ([a, b].find((view) => view.containers.some((c) => c.bindings.length > 0))?.containers ??
      task.containers);
  return {
    ...task,
    ...(privateIp === undefined ? {} : { privateIp }),
    containers,
    containerInstanceArn:
      task.containerInstanceArn ?? a.containerInstanceArn ?? b.containerInstanceArn,
  };
}
