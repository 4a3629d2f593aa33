/**
 * The execution history log events a state machine sends to CloudWatch Logs, emulated for the
 * local run from its `LoggingConfiguration`: the events' shape (`id`, `type`, `details`,
 * `previous_event_id`, `event_timestamp`, `execution_arn`), the level filter (ALL / ERROR /
 * FATAL / OFF) and `IncludeExecutionData` (without it, no `input` / `output` in the details).
 *
 * Derived from the interpreter's state events; the execution's start and end are written by the
 * runner, which knows the final status (a timeout or a payload-limit failure included).
 * Simplifications: the task events are reduced to TaskScheduled / TaskFailed (no
 * TaskStarted / TaskSubmitted / TaskSucceeded), and payloads are never truncated.
 */
import type { TemplateResolver } from './template.js';
import type { TimelineEvent } from './timeline.js';

export type ExecutionLogLevel = 'ALL' | 'ERROR' | 'FATAL' | 'OFF';

export interface ExecutionLoggingConfig {
  readonly level: ExecutionLogLevel;
  readonly includeExecutionData: boolean;
  /** The destination log group, when the template names one. */
  readonly logGroupArn?: string;
  readonly logGroupName?: string;
}

/** One log event, with Step Functions' field names (its numbers are strings, as in AWS). */
export interface ExecutionLogEvent {
  readonly id: string;
  readonly type: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly previous_event_id: string;
  readonly event_timestamp: string;
  readonly execution_arn: string;
  readonly redrive_count: string;
}

/*
 * The event types each level logs, per the "Log levels" table of the Step Functions developer
 * guide (ALL logs every type, OFF none). Listed rather than matched by a "Failed" suffix:
 * ERROR also logs FailStateEntered, and types the table does not list stay out of ERROR.
 */
const FATAL_TYPES: ReadonlySet<string> = new Set([
  'ExecutionAborted',
  'ExecutionFailed',
  'ExecutionTimedOut',
]);
const ERROR_TYPES: ReadonlySet<string> = new Set([
  ...FATAL_TYPES,
  'FailStateEntered',
  'LambdaFunctionFailed',
  'LambdaFunctionScheduleFailed',
  'LambdaFunctionStartFailed',
  'LambdaFunctionTimedOut',
  'MapIterationAborted',
  'MapIterationFailed',
  'MapStateAborted',
  'MapStateFailed',
  'ParallelStateAborted',
  'ParallelStateFailed',
  'TaskFailed',
  'TaskStartFailed',
  'TaskStateAborted',
  'TaskSubmitFailed',
  'TaskTimedOut',
  'WaitStateAborted',
]);

/** Whether `type` is logged at `level` (see the table above). */
export function loggedAtLevel(type: string, level: ExecutionLogLevel): boolean {
  switch (level) {
    case 'ALL':
      return true;
    case 'ERROR':
      return ERROR_TYPES.has(type);
    case 'FATAL':
      return FATAL_TYPES.has(type);
    default:
      return false;
  }
}

/**
 * A task event's `resourceType` / `resource`, split as Step Functions does for both
 * TaskScheduled and TaskFailed: `arn:aws:states:::lambda:invoke` is `lambda` / `invoke`.
 */
function taskResourceDetails(resource: string | undefined): Record<string, string> {
  const match = resource === undefined ? null : /:states:::([\w-]+):([\w.:-]+)$/.exec(resource);
  return match === null
    ? { resource: resource ?? '' }
    : { resourceType: match[1], resource: match[2] };
}

/** The state machine's `LoggingConfiguration` (level OFF when it has none). */
export function loggingConfigOf(
  resolver: TemplateResolver,
  logicalId: string,
): ExecutionLoggingConfig {
  const raw = resolver.resolve(
    resolver.resource(logicalId).Properties?.LoggingConfiguration ?? {},
  ) as {
    Level?: unknown;
    IncludeExecutionData?: unknown;
    Destinations?: { CloudWatchLogsLogGroup?: { LogGroupArn?: unknown } }[];
  };
  const level = ['ALL', 'ERROR', 'FATAL'].includes(String(raw.Level))
    ? (raw.Level as ExecutionLogLevel)
    : 'OFF';
  const arn = raw.Destinations?.[0]?.CloudWatchLogsLogGroup?.LogGroupArn;
  const name = typeof arn === 'string' ? /:log-group:([^:]+)/.exec(arn)?.[1] : undefined;
  return {
    level,
    includeExecutionData: raw.IncludeExecutionData === true,
    ...(typeof arn === 'string' ? { logGroupArn: arn } : {}),
    ...(name === undefined ? {} : { logGroupName: name }),
  };
}

const json = (value: unknown): string => JSON.stringify(value ?? null);

/** Collects one execution's log events (see the module comment). */
export class ExecutionLogWriter {
  private readonly all: ExecutionLogEvent[] = [];
  private readonly taskResources = new Map<string, string>();

  constructor(
    private readonly config: ExecutionLoggingConfig,
    private readonly executionArn: string,
    taskResources: ReadonlyMap<string, string> = new Map(),
  ) {
    for (const [state, resource] of taskResources) this.taskResources.set(state, resource);
  }

  /** The events the level lets through, in order. */
  get events(): readonly ExecutionLogEvent[] {
    return this.all.filter((event) => loggedAtLevel(event.type, this.config.level));
  }

  started(time: number, input: unknown, roleArn: string): void {
    this.push(time, 'ExecutionStarted', { ...this.data('input', input), roleArn });
  }

  /** Adds the events of one interpreter event. */
  add(event: TimelineEvent): void {
    const state = event.state;
    if (state === undefined) return;
    const resource = this.taskResources.get(state.name);
    switch (event.type) {
      case 'StateEntered':
        this.push(event.timestamp, `${state.type}StateEntered`, {
          name: state.name,
          ...this.data('input', state.input),
        });
        if (state.type === 'Task') this.scheduled(event.timestamp, resource);
        break;
      case 'StateExited':
        this.push(event.timestamp, `${state.type}StateExited`, {
          name: state.name,
          ...this.data('output', state.output),
        });
        break;
      case 'StateFailed':
        if (state.type === 'Task') {
          this.push(event.timestamp, 'TaskFailed', {
            error: event.Error ?? 'Unknown',
            cause: typeof event.Cause === 'string' ? event.Cause : json(event.Cause),
            ...taskResourceDetails(resource),
          });
        }
        break;
      case 'StateRetried':
        if (state.type === 'Task') this.scheduled(event.timestamp, resource);
        break;
      default:
        break;
    }
  }

  /** The execution's end, by its final status. */
  finished(
    time: number,
    status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED',
    outcome: { output?: unknown; error?: string; cause?: string },
  ): void {
    switch (status) {
      case 'SUCCEEDED':
        this.push(time, 'ExecutionSucceeded', this.data('output', outcome.output));
        break;
      case 'FAILED':
        this.push(time, 'ExecutionFailed', {
          error: outcome.error ?? '',
          cause: outcome.cause ?? '',
        });
        break;
      case 'TIMED_OUT':
        this.push(time, 'ExecutionTimedOut', {
          error: outcome.error ?? 'States.Timeout',
          cause: outcome.cause ?? '',
        });
        break;
      default:
        this.push(time, 'ExecutionAborted', {});
    }
  }

  private scheduled(time: number, resource: string | undefined): void {
    this.push(time, 'TaskScheduled', taskResourceDetails(resource));
  }

  private data(field: 'input' | 'output', value: unknown): Record<string, unknown> {
    if (!this.config.includeExecutionData) return {};
    return { [field]: json(value), [`${field}Details`]: { truncated: false } };
  }

  private push(time: number, type: string, details: Record<string, unknown>): void {
    const id = this.all.length + 1;
    this.all.push({
      id: String(id),
      type,
      details,
      previous_event_id: String(id - 1),
      event_timestamp: String(time),
      execution_arn: this.executionArn,
      redrive_count: '0',
    });
  }
}
