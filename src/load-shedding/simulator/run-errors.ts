/** What went wrong in a simulated run, as report lines (pure): nothing, when all went well. */

export interface RunRecords {
  /** Error lines the handlers logged. */
  readonly errorLogs: readonly string[];
  readonly invocations: readonly {
    readonly startTime: number;
    readonly functionName: string;
    readonly outcome: string;
    readonly error?: { readonly name: string; readonly message: string };
  }[];
  /** Check messages in the dead-letter queue at the end. */
  readonly deadLetters: number;
  readonly deliveries: readonly { readonly time: number; readonly outcome: string }[];
  /** The error that stopped the event source mapping, if any. */
  readonly mappingError: unknown;
}

export function runErrors(records: RunRecords): string[] {
  const iso = (time: number): string => new Date(time).toISOString();
  const errors = [...records.errorLogs];
  for (const invocation of records.invocations) {
    if (invocation.outcome === 'succeeded') continue;
    const cause = invocation.error ? `: ${invocation.error.name}: ${invocation.error.message}` : '';
    errors.push(
      `${iso(invocation.startTime)} ${invocation.functionName} invocation ${invocation.outcome}${cause}`,
    );
  }
  if (records.deadLetters > 0) {
    errors.push(`${records.deadLetters} check message(s) in the dead-letter queue`);
  }
  for (const delivery of records.deliveries) {
    if (delivery.outcome !== 'delivered') {
      errors.push(`${iso(delivery.time)} EventBridge delivery ${delivery.outcome}`);
    }
  }
  const stopped = records.mappingError;
  if (stopped !== undefined) {
    const text = stopped instanceof Error ? stopped.message : JSON.stringify(stopped);
    errors.push(`the event source mapping stopped: ${text}`);
  }
  return errors;
}
