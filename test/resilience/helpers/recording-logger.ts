import type { OpsLogger } from '../../../src/observability/logger.js';

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

/** An `OpsLogger` that keeps what it was given, to assert on levels and structured fields. */
export function recordingLogger(): OpsLogger & { readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine['level']) =>
    (message: unknown, ...extra: unknown[]): void => {
      const fields = Object.assign({}, ...extra.filter((e) => typeof e === 'object')) as Record<
        string,
        unknown
      >;
      lines.push({ level, message: String(message), fields });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
