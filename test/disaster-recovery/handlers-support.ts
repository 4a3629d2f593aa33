import type { DrsLogger } from '../../src/disaster-recovery/observability.js';
import {
  createDrsWorld,
  type DrsWorldOptions,
} from '../../src/disaster-recovery/simulator/world.js';

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error' | 'critical';
  readonly message: string;
  readonly attributes: Record<string, unknown>;
}

export type RecordingLogger = DrsLogger & { readonly lines: LogLine[] };

/** Keeps every line with its attributes merged (as Powertools would). */
export function recordingLogger(): RecordingLogger {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine['level']) =>
    (input: unknown, ...extra: unknown[]): void => {
      const attributes: Record<string, unknown> = {};
      for (const item of extra) {
        if (typeof item === 'object' && item !== null) Object.assign(attributes, item);
      }
      lines.push({ level, message: String(input), attributes });
    };
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    critical: at('critical'),
  };
}

/** A simulated account with a recording logger shared by its containers. */
export function loggedWorld(options: DrsWorldOptions = {}) {
  const logger = recordingLogger();
  const world = createDrsWorld({ ...options, logger });
  return { world, logger };
}

export const REGION = 'us-east-1';
