import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LoadSheddingDefaults } from '../../../src/load-shedding/contract.js';
import {
  ScenarioError,
  defaultScenario,
  parseScenario,
  parseScenarioJson,
} from '../../../src/load-shedding/simulator/scenario.js';

/** The problems a scenario is rejected with. */
function problemsOf(input: unknown): readonly string[] {
  try {
    parseScenario(input);
  } catch (error) {
    if (error instanceof ScenarioError) return error.problems;
    throw error;
  }
  throw new Error('the scenario was accepted');
}

describe('load-shedding simulator: scenario defaults', () => {
  it('fills in the construct defaults, a 3x spike and one listener with four rules', () => {
    // Act
    const scenario = defaultScenario();

    // Assess
    expect(scenario.controller).toEqual({
      shedPercent: LoadSheddingDefaults.shedPercent,
      restorePercent: LoadSheddingDefaults.restorePercent,
      maxShedPercent: LoadSheddingDefaults.maxShedPercent,
      shedDelaySeconds: LoadSheddingDefaults.shedDelaySeconds,
      restoreDelaySeconds: LoadSheddingDefaults.restoreDelaySeconds,
      maxInsufficientDataChecks: LoadSheddingDefaults.maxInsufficientDataChecks,
      dryRun: false,
    });
    expect(scenario.traffic.profile).toMatchObject({ kind: 'spike', multiplier: 3 });
    expect(scenario.layout).toEqual({
      listeners: 1,
      rulesPerListener: 3,
      secondaries: 2,
      canary: true,
    });
    expect(scenario.stepSeconds).toBe(60);
  });

  it('derives the alarm statistic and threshold from the metric', () => {
    // Act
    const errors = parseScenario({ alarm: { metric: '5xx', evaluationPeriods: 3 } }).alarm;
    const latency = parseScenario({ alarm: { metric: 'latency' } }).alarm;

    // Assess
    expect(errors).toMatchObject({ statistic: 'Sum', threshold: 60, datapointsToAlarm: 3 });
    expect(latency).toMatchObject({ statistic: 'Average', threshold: 1, datapointsToAlarm: 1 });
  });

  it('fills a partial spike profile with the defaults', () => {
    // Act
    const scenario = parseScenario({ traffic: { profile: { kind: 'spike', multiplier: 5 } } });

    // Assess
    expect(scenario.traffic.profile).toEqual({
      kind: 'spike',
      multiplier: 5,
      startMinute: 10,
      durationMinutes: 30,
    });
  });
});

describe('load-shedding simulator: scenario validation', () => {
  it('names the field of every problem', () => {
    // Act
    const problems = problemsOf({
      durationMinutes: 0,
      controller: { shedPercent: 0, shedDelaySeconds: 901 },
      traffic: { profile: { kind: 'spike', multiplier: -1 } },
    });

    // Assess
    expect(problems).toEqual(
      expect.arrayContaining([
        'durationMinutes: must be a whole number from 1 to 1440',
        'controller.shedPercent: must be a whole number from 1 to 100',
        'controller.shedDelaySeconds: must be a whole number from 0 to 900',
        'traffic.profile.multiplier: must be a number above 0 and at most 100',
      ]),
    );
  });

  it('rejects unknown fields by name, so a typo is not silently ignored', () => {
    expect(problemsOf({ controler: {} })).toEqual(["unknown field 'controler'"]);
    expect(problemsOf({ controller: { shedPercnt: 5, x: 1 } })).toEqual([
      "controller: unknown fields 'shedPercnt', 'x'",
    ]);
  });

  it('rejects wrong types, a fixed step other than 60 s and an unknown profile kind', () => {
    expect(problemsOf({ controller: { dryRun: 'yes' } })).toEqual([
      'controller.dryRun: must be true or false',
    ]);
    expect(problemsOf({ stepSeconds: 30 })).toEqual([
      'stepSeconds: must be 60: one datum and row per minute',
    ]);
    expect(problemsOf({ traffic: { profile: { kind: 'wave' } } })[0]).toMatch(
      /^traffic\.profile\.kind: /,
    );
  });

  it('checks fields against each other', () => {
    expect(problemsOf({ alarm: { evaluationPeriods: 2, datapointsToAlarm: 3 } })).toEqual([
      'alarm.datapointsToAlarm: datapointsToAlarm must not exceed evaluationPeriods',
    ]);
    expect(
      problemsOf({ durationMinutes: 10, traffic: { profile: { kind: 'spike', startMinute: 10 } } }),
    ).toEqual([
      'traffic.profile.startMinute: the spike must start before the run ends (durationMinutes)',
    ]);
    expect(
      problemsOf({
        traffic: {
          profile: {
            kind: 'points',
            points: [
              { minute: 5, rps: 1 },
              { minute: 5, rps: 2 },
            ],
          },
        },
      }),
    ).toEqual(['traffic.profile.points: minutes must increase from one point to the next']);
    expect(problemsOf({ traffic: { profile: { kind: 'points', points: [] } } })).toEqual([
      'traffic.profile.points: must list at least one { minute, rps } point',
    ]);
  });

  it('says where the scenario came from, and reports a non-object', () => {
    // Act
    const error = (() => {
      try {
        parseScenario([], "scenario file 'x.json'");
      } catch (caught) {
        return caught as ScenarioError;
      }
      throw new Error('accepted');
    })();

    // Assess
    expect(error).toBeInstanceOf(ScenarioError);
    expect(error.message).toMatch(/^scenario file 'x\.json' is invalid:\n {2}- /);
  });

  it('parses JSON text, and rejects text that is not JSON', () => {
    expect(parseScenarioJson('{"seed": 7}').seed).toBe(7);
    expect(() => parseScenarioJson('{seed: 7}', "scenario file 'a.json'")).toThrow(
      /^scenario file 'a\.json' is not valid JSON: /,
    );
  });

  it('accepts every controller setting within the construct ranges', () => {
    const settings = fc.record({
      shedPercent: fc.integer({ min: 1, max: 100 }),
      restorePercent: fc.integer({ min: 1, max: 100 }),
      maxShedPercent: fc.integer({ min: 1, max: 100 }),
      shedDelaySeconds: fc.integer({ min: 0, max: 900 }),
      restoreDelaySeconds: fc.integer({ min: 0, max: 900 }),
    });
    fc.assert(
      fc.property(settings, (controller) => {
        expect(parseScenario({ controller }).controller).toMatchObject(controller);
      }),
    );
  });

  it('rejects every percentage outside 1-100, naming it', () => {
    const outside = fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 101 }));
    fc.assert(
      fc.property(outside, (maxShedPercent) => {
        expect(problemsOf({ controller: { maxShedPercent } })).toEqual([
          'controller.maxShedPercent: must be a whole number from 1 to 100',
        ]);
      }),
    );
  });
});
