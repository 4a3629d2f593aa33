/**
 * A load-shedding scenario: the traffic, the primary target group's capacity, the listener
 * layout, the alarm and the controller's settings that one simulated run plays through.
 * Validated with zod at the boundary (a JSON file or the CLI's flags); every problem names the
 * field it is about. Pure: no AWS import.
 */
import { z } from 'zod';
import { LoadSheddingDefaults, MAX_DELAY_SECONDS } from '../contract.js';
import { LoadSheddingError } from '../errors.js';

/** The step of the simulation: one metric datum and one timeline row per minute. */
export const STEP_SECONDS = 60;
/** Longest run the simulator accepts (one day of virtual time). */
export const MAX_DURATION_MINUTES = 1440;

const wholeNumber = (min: number, max: number) =>
  z
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .int({ error: `must be a whole number from ${min} to ${max}` })
    .min(min, { error: `must be a whole number from ${min} to ${max}` })
    .max(max, { error: `must be a whole number from ${min} to ${max}` });

const positiveNumber = (max: number) =>
  z
    .number({ error: `must be a number above 0 and at most ${max}` })
    .positive({ error: `must be a number above 0 and at most ${max}` })
    .max(max, { error: `must be a number above 0 and at most ${max}` });

const rangeNumber = (min: number, max: number) =>
  z
    .number({ error: `must be a number from ${min} to ${max}` })
    .min(min, { error: `must be a number from ${min} to ${max}` })
    .max(max, { error: `must be a number from ${min} to ${max}` });

const MAX_RPS = 10_000_000;

/** A traffic spike: `multiplier` × the base load from `startMinute` for `durationMinutes`. */
const spikeProfileSchema = z.strictObject({
  kind: z.literal('spike'),
  /** @default 3 */
  multiplier: positiveNumber(100).default(3),
  /** @default 10 */
  startMinute: wholeNumber(0, MAX_DURATION_MINUTES).default(10),
  /** @default 30 */
  durationMinutes: wholeNumber(1, MAX_DURATION_MINUTES).default(30),
});

/** Piecewise-linear load: requests per second at given minutes, held flat after the last. */
const pointsProfileSchema = z.strictObject({
  kind: z.literal('points'),
  points: z
    .array(
      z.strictObject({
        minute: rangeNumber(0, MAX_DURATION_MINUTES),
        rps: rangeNumber(0, MAX_RPS),
      }),
    )
    .min(1, { error: 'must list at least one { minute, rps } point' })
    .refine((points) => points.every((p, i) => i === 0 || p.minute > points[i - 1].minute), {
      error: 'minutes must increase from one point to the next',
    }),
});

const constantProfileSchema = z.strictObject({ kind: z.literal('constant') });

const profileSchema = z.discriminatedUnion('kind', [
  spikeProfileSchema,
  pointsProfileSchema,
  constantProfileSchema,
]);

const trafficSchema = z.strictObject({
  /** Offered load (requests per second) outside the profile's changes. @default 1000 */
  baseRps: rangeNumber(0, MAX_RPS).default(1000),
  /** Seeded random noise on the offered load, ± percent. @default 2 */
  noisePercent: rangeNumber(0, 50).default(2),
  /** @default a 3× spike from minute 10 for 30 minutes */
  profile: profileSchema.default({
    kind: 'spike',
    multiplier: 3,
    startMinute: 10,
    durationMinutes: 30,
  }),
});

const primarySchema = z.strictObject({
  /** Requests per second the primary serves before errors and latency rise. @default 1500 */
  capacityRps: rangeNumber(0, MAX_RPS).default(1500),
  /** Response time (ms) when lightly loaded. @default 50 */
  baseLatencyMs: positiveNumber(60_000).default(50),
});

const layoutSchema = z.strictObject({
  /** @default 1 */
  listeners: wholeNumber(1, 10).default(1),
  /** Rules besides each listener's default rule, each forwarding to the primary. @default 3 */
  rulesPerListener: wholeNumber(0, 20).default(3),
  /** Secondary target groups that receive shed traffic; a rule forwards to one or two. @default 2 */
  secondaries: wholeNumber(1, 4).default(2),
  /** The first listener's last rule is an 80/20 canary (primary / a secondary). @default true */
  canary: z.boolean({ error: 'must be true or false' }).default(true),
});

export const ALARM_METRICS = ['5xx', 'latency'] as const;
export type AlarmMetric = (typeof ALARM_METRICS)[number];

const alarmSchema = z
  .strictObject({
    /** `5xx`: the primary's 5xx count per minute; `latency`: its response time in seconds. */
    metric: z.enum(ALARM_METRICS, { error: "must be '5xx' or 'latency'" }).default('5xx'),
    statistic: z
      .enum(['Sum', 'Average', 'Maximum', 'Minimum', 'SampleCount'], {
        error: "must be one of 'Sum', 'Average', 'Maximum', 'Minimum', 'SampleCount'",
      })
      .optional(),
    /** ALARM when the statistic is above this (count, or seconds for latency). */
    threshold: rangeNumber(0, 1e12).optional(),
    /** @default 1 */
    evaluationPeriods: wholeNumber(1, 60).default(1),
    /** @default - evaluationPeriods */
    datapointsToAlarm: wholeNumber(1, 60).optional(),
    /** @default 'notBreaching' */
    treatMissingData: z
      .enum(['breaching', 'notBreaching', 'ignore', 'missing'], {
        error: "must be one of 'breaching', 'notBreaching', 'ignore', 'missing'",
      })
      .default('notBreaching'),
  })
  .transform((alarm) => ({
    ...alarm,
    statistic: alarm.statistic ?? (alarm.metric === '5xx' ? 'Sum' : 'Average'),
    // 5xx: one error a second on average; latency: one second.
    threshold: alarm.threshold ?? (alarm.metric === '5xx' ? 60 : 1),
    datapointsToAlarm: alarm.datapointsToAlarm ?? alarm.evaluationPeriods,
  }))
  .refine((alarm) => alarm.datapointsToAlarm <= alarm.evaluationPeriods, {
    error: 'datapointsToAlarm must not exceed evaluationPeriods',
    path: ['datapointsToAlarm'],
  });

const controllerSchema = z.strictObject({
  shedPercent: wholeNumber(1, 100).default(LoadSheddingDefaults.shedPercent),
  restorePercent: wholeNumber(1, 100).default(LoadSheddingDefaults.restorePercent),
  maxShedPercent: wholeNumber(1, 100).default(LoadSheddingDefaults.maxShedPercent),
  shedDelaySeconds: wholeNumber(0, MAX_DELAY_SECONDS).default(
    LoadSheddingDefaults.shedDelaySeconds,
  ),
  restoreDelaySeconds: wholeNumber(0, MAX_DELAY_SECONDS).default(
    LoadSheddingDefaults.restoreDelaySeconds,
  ),
  maxInsufficientDataChecks: wholeNumber(1, 100).default(
    LoadSheddingDefaults.maxInsufficientDataChecks,
  ),
  dryRun: z.boolean({ error: 'must be true or false' }).default(LoadSheddingDefaults.dryRun),
});

/** The scenario as written in a JSON file; every field is optional. */
export const scenarioSchema = z
  .strictObject({
    /** Free text shown in the reports. */
    name: z.string({ error: 'must be a string' }).max(200).default('3x traffic spike'),
    /** Virtual minutes to simulate. @default 90 */
    durationMinutes: wholeNumber(1, MAX_DURATION_MINUTES).default(90),
    /** The step is fixed at one minute, the period of the metric and of the alarm. */
    stepSeconds: z
      .literal(STEP_SECONDS, { error: `must be ${STEP_SECONDS}: one datum and row per minute` })
      .default(STEP_SECONDS),
    /** Seeds the traffic noise and every other random choice. @default 1 */
    seed: wholeNumber(0, 2 ** 32 - 1).default(1),
    traffic: trafficSchema.default(trafficSchema.parse({})),
    primary: primarySchema.default(primarySchema.parse({})),
    layout: layoutSchema.default(layoutSchema.parse({})),
    alarm: alarmSchema.default(alarmSchema.parse({})),
    controller: controllerSchema.default(controllerSchema.parse({})),
    /**
     * Page size of ELBv2 Describe* calls made without one (the handlers send none). AWS does not
     * document its default; the simulation model's own (2) exists to exercise pagination.
     * @default 400 (the most AWS allows)
     */
    describePageSize: wholeNumber(1, 400).default(400),
  })
  .refine(
    (s) => s.traffic.profile.kind !== 'spike' || s.traffic.profile.startMinute < s.durationMinutes,
    {
      error: 'the spike must start before the run ends (durationMinutes)',
      path: ['traffic', 'profile', 'startMinute'],
    },
  );

/** A validated scenario with every default filled in. */
export type Scenario = z.output<typeof scenarioSchema>;
/** What a scenario file may hold (every field optional). */
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type TrafficProfile = Scenario['traffic']['profile'];

/** A scenario that does not validate; `problems` name each field (`traffic.profile.multiplier`). */
export class ScenarioError extends LoadSheddingError {
  readonly problems: readonly string[];

  constructor(message: string, problems: readonly string[] = []) {
    super(message);
    this.name = 'ScenarioError';
    this.problems = problems;
  }
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) =>
      typeof key === 'number'
        ? `${text}[${key}]`
        : text === ''
          ? String(key)
          : `${text}.${String(key)}`,
    '',
  );
}

/**
 * Validates `input` and fills in the defaults.
 * @throws {ScenarioError} naming every field that is wrong (`source` names where it came from).
 */
export function parseScenario(input: unknown, source = 'the scenario'): Scenario {
  const result = scenarioSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const where = pathOf(issue.path);
    const message =
      issue.code === 'unrecognized_keys'
        ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`
        : issue.message;
    return where === '' ? message : `${where}: ${message}`;
  });
  throw new ScenarioError(`${source} is invalid:\n  - ${problems.join('\n  - ')}`, problems);
}

/** The default scenario: a 3× spike on one listener with the default rule and three rules. */
export function defaultScenario(): Scenario {
  return parseScenario({});
}

/**
 * Parses the text of a scenario file (JSON) and validates it.
 * @throws {ScenarioError} when the text is not JSON or the scenario is invalid.
 */
export function parseScenarioJson(text: string, source = 'the scenario file'): Scenario {
  let input: unknown;
  try {
    input = JSON.parse(text) as unknown;
  } catch (error) {
    throw new ScenarioError(
      `${source} is not valid JSON: ${(error as Error).message}. Write a JSON object such as ` +
        '{ "traffic": { "profile": { "kind": "spike", "multiplier": 3 } } }.',
    );
  }
  return parseScenario(input, source);
}
