/**
 * The execution timeline, folded from the interpreter's event log: one record per state entry
 * (retries are attempts of the same entry), with virtual times and the S3 objects it wrote.
 */

/** One object a state wrote to S3. */
export interface S3WriteRecord {
  readonly time: number;
  readonly bucket: string;
  readonly key: string;
  /** Size of the body when it was text or bytes. */
  readonly bytes?: number;
  /** The state that was running, when the write came from a task. */
  readonly state?: string;
}

export type StateOutcome = 'running' | 'succeeded' | 'failed' | 'caught';

export interface StateErrorRecord {
  readonly error: string;
  readonly cause: string;
}

export interface StateRecord {
  readonly name: string;
  readonly type: string;
  readonly enteredAt: number;
  exitedAt: number | undefined;
  outcome: StateOutcome;
  /** 1 + the retries. */
  attempts: number;
  readonly errors: StateErrorRecord[];
  readonly s3Writes: S3WriteRecord[];
  input: unknown;
  output: unknown;
}

/** The subset of the interpreter's events the timeline reads. */
export interface TimelineEvent {
  readonly type: string;
  readonly timestamp: number;
  readonly state?: {
    readonly name: string;
    readonly type: string;
    readonly input?: unknown;
    readonly output?: unknown;
  };
  readonly Error?: string;
  readonly Cause?: unknown;
}

function causeText(cause: unknown): string {
  return typeof cause === 'string' ? cause : (JSON.stringify(cause) ?? '');
}

/** Folds events into state records, in order; call `add` as events arrive. */
export class TimelineBuilder {
  readonly states: StateRecord[] = [];

  add(event: TimelineEvent): void {
    const state = event.state;
    if (state === undefined) return;
    if (event.type === 'StateEntered') {
      this.states.push({
        name: state.name,
        type: state.type,
        enteredAt: event.timestamp,
        exitedAt: undefined,
        outcome: 'running',
        attempts: 1,
        errors: [],
        s3Writes: [],
        input: state.input,
        output: undefined,
      });
      return;
    }
    const record = this.open(state.name);
    if (record === undefined) return;
    switch (event.type) {
      case 'StateExited':
        record.exitedAt = event.timestamp;
        record.output = state.output;
        if (record.outcome === 'running') record.outcome = 'succeeded';
        break;
      case 'StateFailed':
        record.errors.push({ error: event.Error ?? 'Unknown', cause: causeText(event.Cause) });
        record.outcome = 'failed';
        record.exitedAt = event.timestamp;
        break;
      case 'StateRetried':
        record.attempts++;
        record.outcome = 'running';
        record.exitedAt = undefined;
        break;
      case 'StateCaught':
        record.outcome = 'caught';
        record.exitedAt = event.timestamp;
        break;
      default:
        break;
    }
  }

  /** Attaches a write to the latest entry of `state` (or the latest state at all). */
  addWrite(write: S3WriteRecord): void {
    const record = write.state === undefined ? this.states.at(-1) : this.latest(write.state);
    record?.s3Writes.push(write);
  }

  /** Closes states left open when the execution stopped (timeout, abort). */
  close(time: number, outcome: StateOutcome): void {
    for (const record of this.states) {
      if (record.outcome === 'running') {
        record.outcome = outcome;
        record.exitedAt = time;
      }
    }
  }

  private open(name: string): StateRecord | undefined {
    return this.latest(name);
  }

  private latest(name: string): StateRecord | undefined {
    for (let i = this.states.length - 1; i >= 0; i--) {
      const record = this.states[i];
      if (record.name === name) return record;
    }
    return undefined;
  }
}
