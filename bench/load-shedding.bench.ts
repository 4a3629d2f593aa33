/**
 * Load shedding under a 3x traffic spike, on virtual time: the real handlers deployed on the
 * simulation models (`opskit simulate load-shedding`), with the construct's default parameters
 * and one listener of four rules (the default rule and three rules, one an 80/20 canary).
 */
import { performance } from 'node:perf_hooks';
import { runScenario } from '../src/load-shedding/simulator/runner.js';
import {
  parseScenario,
  type Scenario,
  type ScenarioInput,
} from '../src/load-shedding/simulator/scenario.js';
import type { SimulationSummary } from '../src/load-shedding/simulator/result.js';

export const LOAD_SHEDDING_SEED = 20261123;

export interface LoadSheddingBenchCase {
  readonly label: string;
  readonly scenario: Scenario;
  readonly summary: SimulationSummary;
  readonly errors: number;
  /** Wall-clock milliseconds of the run (the only number that depends on the machine). */
  readonly wallMs: number;
}

const CASES: readonly { label: string; input: ScenarioInput }[] = [
  {
    label: '3x spike for 30 min, primary capacity 1.5x base load',
    input: {},
  },
  {
    label: '3x spike for 30 min, primary serves nothing (capacity 0): shed to the floor',
    input: { primary: { capacityRps: 0 } },
  },
];

export async function runLoadSheddingBench(): Promise<LoadSheddingBenchCase[]> {
  const results: LoadSheddingBenchCase[] = [];
  for (const { label, input } of CASES) {
    const scenario = parseScenario({ ...input, seed: LOAD_SHEDDING_SEED });
    const started = performance.now();
    const result = await runScenario(scenario);
    results.push({
      label,
      scenario,
      summary: result.summary,
      errors: result.errors.length,
      wallMs: performance.now() - started,
    });
  }
  return results;
}
