/**
 * Runs the demo: each act on its own simulation in virtual time (so the acts cannot disturb one
 * another and a seed reproduces the run), then the monitoring act, which checks the functions
 * the acts ran against the synthesized constructs and audits their alarms.
 */
import type { ActId, ActResult, DemoResult } from './result.js';
import { passed } from './result.js';

export const DEFAULT_DEMO_SEED = 20261123;

/** What an act returns; the runner adds its id, title and wall time. */
export type ActOutcome = Omit<ActResult, 'id' | 'title' | 'wallMs'>;

export interface ActContext {
  readonly seed: number;
  /** Prints a progress line while the demo runs. */
  progress(text: string): void;
  /** The results of the acts that ran before this one. */
  readonly previous: readonly ActResult[];
}

export interface DemoAct {
  readonly id: ActId;
  readonly title: string;
  run(context: ActContext): Promise<ActOutcome>;
}

export interface DemoOptions {
  readonly seed?: number;
  readonly progress?: (text: string) => void;
  /** Wall clock for the timings. @default performance.now */
  readonly now?: () => number;
}

/** The result of an act that threw: one failed check that carries the error. */
function crashed(act: DemoAct, error: unknown): ActOutcome {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return {
    checks: [{ name: `${act.title} ran to its end`, ok: false, detail: message }],
    facts: [],
    events: [],
    charts: [],
    functions: [],
    metrics: [],
    virtualSeconds: 0,
  };
}

/** Runs `acts` in order; an act that throws fails its check, and the others still run. */
export async function runDemo(
  acts: readonly DemoAct[],
  options: DemoOptions = {},
): Promise<DemoResult> {
  const seed = options.seed ?? DEFAULT_DEMO_SEED;
  const now = options.now ?? (() => performance.now());
  const progress = options.progress ?? (() => undefined);
  const started = now();
  const results: ActResult[] = [];
  for (const [index, act] of acts.entries()) {
    progress(`[${index + 1}/${acts.length}] ${act.title} ...`);
    const actStarted = now();
    let outcome: ActOutcome;
    try {
      outcome = await act.run({
        seed,
        progress: (text) => progress(`      ${text}`),
        previous: results,
      });
    } catch (error) {
      outcome = crashed(act, error);
    }
    const result: ActResult = {
      id: act.id,
      title: act.title,
      ...outcome,
      wallMs: now() - actStarted,
    };
    results.push(result);
    progress(
      `      ${passed(result) ? 'ok' : 'FAILED'} in ${(result.wallMs / 1000).toFixed(1)} s ` +
        `(${formatVirtual(result.virtualSeconds)} simulated)`,
    );
  }
  const firedAlarms = results.flatMap((result) => result.firedAlarms ?? []);
  return {
    seed,
    acts: results,
    firedAlarms,
    ok: results.length > 0 && results.every(passed),
    wallMs: now() - started,
  };
}

/** `1 h 05 min`, `12 min`, `40 s`. */
export function formatVirtual(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
