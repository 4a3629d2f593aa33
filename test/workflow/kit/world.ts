/**
 * A stage-kit world: the S3 model on an isolated virtual clock, the kit's resilient S3 client
 * mounted on it, and a recording logger per invocation.
 */
import { S3Model, type S3ModelOptions } from '../../../src/simulation/models/s3.js';
import { VirtualClock } from '../../../src/simulation/virtual-clock.js';
import type { OpsLogger } from '../../../src/observability/logger.js';
import type { ExecutionContext, SucceededStageResult } from '../../../src/workflow/contract.js';
import { createStageHandler, type StageHandlerDeps } from '../../../src/workflow/stage-handler.js';
import { simulatedStageDeps } from '../../../src/workflow/stage-simulation.js';
import type { Stage } from '../../../src/workflow/stage.js';

export const BUCKET = 'ceap-workflow-test-123456789012';
export const START = Date.UTC(2025, 0, 1);

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly attributes: Record<string, unknown>;
  /** The context the logger was made for (its correlation id is the execution id). */
  readonly correlationId: string;
}

export interface World {
  readonly clock: VirtualClock;
  readonly s3: S3Model;
  readonly deps: StageHandlerDeps;
  readonly lines: LogLine[];
  /** Runs `stage` for one payload on the virtual clock. */
  run<I, O>(stage: Stage<I, O>, payload: unknown): Promise<SucceededStageResult>;
  /** Reads an object as JSON (undefined when absent). */
  json(key: string): Promise<unknown>;
  dispose(): void;
}

export function recordingLoggerFor(lines: LogLine[]) {
  return (ctx: ExecutionContext): OpsLogger => {
    const at =
      (level: LogLine['level']) =>
      (input: unknown, ...extra: unknown[]): void => {
        const attributes: Record<string, unknown> = {};
        for (const item of extra) {
          if (typeof item === 'object' && item !== null) Object.assign(attributes, item);
        }
        lines.push({ level, message: String(input), attributes, correlationId: ctx.executionId });
      };
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  };
}

export function stageWorld(
  options: Partial<S3ModelOptions> & {
    readonly stageName?: string;
    readonly maxRetries?: number;
    readonly deps?: Partial<StageHandlerDeps>;
  } = {},
): World {
  const clock = VirtualClock.create({ start: START });
  const { stageName, maxRetries, deps: extra, ...modelOptions } = options;
  const s3 = new S3Model({ clock, buckets: [BUCKET], ...modelOptions });
  const lines: LogLine[] = [];
  const deps: StageHandlerDeps = {
    ...simulatedStageDeps(s3, {
      clock,
      workflowBucket: BUCKET,
      workflowName: 'test-workflow',
      ...(stageName === undefined ? {} : { stageName }),
      loggerFor: recordingLoggerFor(lines),
      retry: { maxRetries: maxRetries ?? 2, baseDelayMs: 100, maxDelayMs: 1000 },
      random: () => 0.5,
    }),
    ...extra,
  };
  return {
    clock,
    s3,
    deps,
    lines,
    run: (stage, payload) => clock.run(() => createStageHandler(stage, deps)(payload)),
    json: async (key) => {
      const text = await s3.readText(BUCKET, key);
      return text === undefined ? undefined : (JSON.parse(text) as unknown);
    },
    dispose: () => s3.dispose(),
  };
}
