import { Logger } from '@aws-lambda-powertools/logger';

/** The part of a logger the kit's code uses; Powertools `Logger` satisfies it. */
export type OpsLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

export interface CreateLoggerOptions {
  /** Appears as `service` on every line; one per capability or handler. */
  readonly serviceName: string;
  /** Tags every line, so one event can be followed across functions. */
  readonly correlationId?: string;
  /** @default - POWERTOOLS_LOG_LEVEL, else INFO */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT' | 'CRITICAL' | 'TRACE';
  /** Keys added to every line. */
  readonly persistentKeys?: Record<string, string | number | boolean>;
}

/** The only way the kit makes loggers: structured JSON with a service name and correlation id. */
export function createLogger(options: CreateLoggerOptions): Logger {
  const logger = new Logger({
    serviceName: options.serviceName,
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
    ...(options.persistentKeys ? { persistentKeys: options.persistentKeys } : {}),
  });
  if (options.correlationId !== undefined) {
    logger.setCorrelationId(options.correlationId);
  }
  return logger;
}

/** A logger that drops everything, for code paths where the caller passed none. */
export const silentLogger: OpsLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
