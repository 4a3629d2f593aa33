/**
 * `npm run bench`: runs every benchmark and writes bench/RESULTS.md. Throttling scenarios run
 * in virtual time (seconds of wall time for minutes of simulated traffic); the token-bucket
 * numbers are wall-clock and depend on the machine.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  LOAD_SHEDDING_SEED,
  runLoadSheddingBench,
  type LoadSheddingBenchCase,
} from './load-shedding.bench.js';
import { runCommandsBench } from './commands.bench.js';
import { runDrsBench } from './drs.bench.js';
import { runHandlersBench } from './handlers.bench.js';
import { runTaskStarterBench } from './task-starter.bench.js';
import { runWorkflowStreamingBench } from './workflow-streaming.bench.js';
import { benchTokenBucket, type TokenBucketBenchResult } from './token-bucket.bench.js';
import { WORKLOAD, runThrottlingScenario, type ThrottlingBenchResult } from './throttling.bench.js';

const RESULTS_PATH = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAX_KIT_COMPLETION_RATIO = 1.05;

function formatRate(perSecond: number): string {
  return `${Math.round(perSecond).toLocaleString('en-US')} /s`;
}

function throttlingTable(results: readonly ThrottlingBenchResult[]): string {
  const rows = results.map(
    (r) =>
      `| ${r.label} | ${r.throttles} | ${r.failedCalls} | ${r.requests} | ${r.virtualSeconds.toFixed(1)} s | ${r.completionRatio.toFixed(3)} |`,
  );
  return [
    '| Strategy | Throttling errors received | Calls failed for good | Requests sent | Completion (virtual) | Ratio to ideal |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

/** The issue's bar: fewer throttles and failed calls than both SDK modes, at ratio <= 1.05. */
function verdict(results: readonly ThrottlingBenchResult[]): { ok: boolean; text: string } {
  const kit = results.find((r) => r.strategy === 'kit');
  const sdk = results.filter((r) => r.strategy !== 'kit');
  if (!kit) return { ok: false, text: 'kit scenario missing' };
  const problems: string[] = [];
  for (const other of sdk) {
    if (kit.throttles >= other.throttles)
      problems.push(`throttles ${kit.throttles} not below ${other.label}'s ${other.throttles}`);
    if (
      kit.failedCalls > other.failedCalls ||
      (other.failedCalls > 0 && kit.failedCalls >= other.failedCalls)
    )
      problems.push(
        `failed calls ${kit.failedCalls} not below ${other.label}'s ${other.failedCalls}`,
      );
  }
  if (kit.completionRatio > MAX_KIT_COMPLETION_RATIO)
    problems.push(
      `completion ratio ${kit.completionRatio.toFixed(3)} > ${MAX_KIT_COMPLETION_RATIO}`,
    );
  return problems.length === 0
    ? {
        ok: true,
        text: `The kit is ahead of both SDK modes: fewer throttling errors than either, and no more failed calls than either (${kit.failedCalls}), at a completion ratio of ${kit.completionRatio.toFixed(3)} (bar: <= ${MAX_KIT_COMPLETION_RATIO}).`,
      }
    : { ok: false, text: `The kit is NOT ahead: ${problems.join('; ')}.` };
}

function seconds(value: number | null): string {
  return value === null ? 'n/a' : `${value.toFixed(1)} s`;
}

function loadSheddingSection(cases: readonly LoadSheddingBenchCase[]): string {
  const rows = cases.map(({ label, summary: s, errors, wallMs }) =>
    [
      label,
      seconds(s.timeToFirstShedSeconds),
      `${seconds(s.timeToMaxShedSeconds)} (${s.maxShedPrimarySharePercent}%)`,
      s.reachedFloor
        ? `yes (${s.floorPercent}%)`
        : `no (lowest rule ${s.minPrimaryWeightPercent}%)`,
      seconds(s.timeToRestoreSeconds),
      `${s.shedSteps} / ${s.restoreSteps}`,
      `${s.writesPerStep.average} / ${s.writesPerStep.max}`,
      `${s.describesPerStep.average} / ${s.describesPerStep.max}`,
      `${s.totalElbv2Writes}`,
      s.finalWeightsAtBaseline ? 'yes' : 'no',
      `${errors}`,
      `${(wallMs / 1000).toFixed(1)} s`,
    ].join(' | '),
  );
  const first = cases[0]?.scenario;
  const c = first?.controller;
  return `## Load shedding under a 3x traffic spike

\`opskit simulate load-shedding\` (src/load-shedding/simulator): the real alarm-event and check-queue handlers deployed on the simulated ELBv2, CloudWatch, EventBridge, SQS and DynamoDB (EventBridge rule on the alarm, SQS event source mapping with ReportBatchItemFailures), virtual time, seed ${LOAD_SHEDDING_SEED}. ${first?.durationMinutes ?? 0} minutes; base load ${first?.traffic.baseRps ?? 0} rps (±${first?.traffic.noisePercent ?? 0}% noise), 3x from minute 10 for 30 minutes; one listener with 4 rules (default rule + 3, one an 80/20 canary), all forwarding to the primary and one or two secondaries; alarm on the primary's 5xx count (Sum > ${first?.alarm.threshold ?? 0} in 1 of 1 minute). Default parameters: shed ${c?.shedPercent}% every ${c?.shedDelaySeconds} s, restore ${c?.restorePercent}% every ${c?.restoreDelaySeconds} s, max shed ${c?.maxShedPercent}%.

Times are virtual, from the first ALARM (shed) or the last OK (restore, until every rule is back at its exact baseline weights). A step is one shed or restore decision; its writes are ModifyRule/ModifyListener calls, its Describe calls the DescribeRules pages read to decide plus the read-back of each write.

| Scenario | Time to first shed | Time to deepest shed (primary share) | Reached floor | Time to restore (OK → baseline) | Shed / restore steps | ELBv2 writes per step (avg / max) | Describe calls per step (avg / max) | ELBv2 writes in all | Final == baseline | Errors | Wall time |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.map((row) => `| ${row} |`).join('\n')}

In the first scenario the controller sheds until the primary's load falls under its capacity (about 50% of its traffic), then hunts around that point while the spike lasts: OK → bake ${c?.restoreDelaySeconds} s → one restore step → ALARM again → one shed step. Once the spike ends it restores one step per ${c?.restoreDelaySeconds} s. In the second, nothing the primary gets succeeds, so it sheds ${c?.shedPercent} points per ${c?.shedDelaySeconds} s until every rule is at the floor; then it has no load, its alarm clears, and each restore step brings the errors (and one shed step) back.
`;
}

function render(
  bucket: TokenBucketBenchResult,
  throttling: readonly ThrottlingBenchResult[],
  loadShedding: readonly LoadSheddingBenchCase[],
): string {
  const check = verdict(throttling);
  const kit = throttling.find((r) => r.strategy === 'kit');
  return `# Benchmark results

Written by \`npm run bench\` (bench/run.ts). Node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}).

## Token bucket: acquires per second in one process

Wall-clock, median of ${bucket.rounds} rounds of ${bucket.callsPerRound.toLocaleString('en-US')} calls on a bucket that never runs dry, so this is the limiter's own cost.

| Call | Throughput |
| --- | ---: |
| \`tryAcquire()\` (synchronous) | ${formatRate(bucket.tryAcquirePerSecond)} |
| \`await acquire()\` (token free, one promise per call) | ${formatRate(bucket.acquirePerSecond)} |

## Against a throttling API with a ${WORKLOAD.quotaPerSecond} TPS quota

The simulated ELBv2 \`DescribeTargetHealth\` (src/simulation, \`ThrottlingApiModel\`) answers \`Throttling\` (HTTP 400, as ELBv2 does) past a token-bucket quota of ${WORKLOAD.quotaPerSecond} requests per second with a burst of ${WORKLOAD.quotaBurst}. ${WORKLOAD.callers} concurrent callers share ${WORKLOAD.calls.toLocaleString('en-US')} calls; a caller that gets an error counts the call as failed and moves on. Virtual time (seed ${WORKLOAD.seed}), so the SDK's own retry sleeps are simulated too; the ideal completion time is ${WORKLOAD.calls} / ${WORKLOAD.quotaPerSecond} TPS = ${WORKLOAD.calls / WORKLOAD.quotaPerSecond} s.

${throttlingTable(throttling)}

${check.text}${kit?.kitRetries === undefined ? '' : ` The kit's metrics counted ${kit.kitRetries} retries, one per throttle it received.`}

A ratio below 1 means callers gave up (a) or the service's initial burst served calls ahead of the steady rate. Why the numbers differ: (a) lets all ${WORKLOAD.callers} callers fire at once and retries at most twice, and its retry budget (500 capacity tokens, drawn down by every retry) runs dry within a second, so nearly every call fails within seconds; (b) slows down only after it has been throttled, and each client learns the rate on its own; (c) takes a token from the (service, region) bucket before every attempt, so it sends at the quota's rate from the start and only its initial burst (capacity 20 against the service's ${WORKLOAD.quotaBurst}) meets throttles, which its retry absorbs.

${loadSheddingSection(loadShedding)}`;
}

/** A benchmark that renders its own RESULTS.md section and says whether its bar was met. */
interface SectionBench {
  readonly name: string;
  run(): Promise<{ ok: boolean; markdown: string }>;
}

const SECTION_BENCHES: readonly SectionBench[] = [
  { name: 'ECS task starter: Lambda seconds per task', run: () => runTaskStarterBench() },
  { name: 'DRS rate limits and drill', run: () => runDrsBench() },
  { name: 'Workflow stage: streaming vs plain JSON', run: () => runWorkflowStreamingBench() },
  { name: 'Lambda handlers: bundle size and cold init', run: () => runHandlersBench(ROOT) },
  { name: 'Commands: npm start and npm run synth', run: () => runCommandsBench(ROOT) },
];

async function main(): Promise<void> {
  console.log('token bucket ...');
  const bucket = await benchTokenBucket();
  const throttling: ThrottlingBenchResult[] = [];
  for (const strategy of ['sdk-standard', 'sdk-adaptive', 'kit'] as const) {
    console.log(`throttling: ${strategy} ...`);
    throttling.push(await runThrottlingScenario(strategy));
  }
  console.log('load shedding ...');
  const loadShedding = await runLoadSheddingBench();
  const sections: string[] = [];
  for (const bench of SECTION_BENCHES) {
    console.log(`${bench.name} ...`);
    const section = await bench.run();
    sections.push(section.markdown.trimEnd());
    if (!section.ok) {
      console.log(`${bench.name}: its bar was NOT met (see its section)`);
      process.exitCode = 1;
    }
  }
  const markdown =
    [render(bucket, throttling, loadShedding).trimEnd(), ...sections].join('\n\n') + '\n';
  writeFileSync(RESULTS_PATH, markdown);
  console.log(`\n${markdown}`);
  console.log(`written: bench/RESULTS.md`);
  if (!verdict(throttling).ok) process.exitCode = 1;
  if (loadShedding.some((c) => c.errors > 0)) process.exitCode = 1;
}

await main();
