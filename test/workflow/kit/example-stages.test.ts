import { afterEach, describe, expect, it } from 'vitest';
import {
  etl,
  normalizeRecord,
  parseAmountCents,
  parseTimestamp,
} from '../../../examples/workflow/stages/logic/etl.js';
import { filterRecords, filterStage } from '../../../examples/workflow/stages/logic/filter.js';
import {
  followUpActions,
  reactiveStage,
} from '../../../examples/workflow/stages/logic/reactive.js';
import type { CleanRecord, Summary } from '../../../examples/workflow/stages/logic/records.js';
import { scoreRecord, scoreStage } from '../../../examples/workflow/stages/logic/score.js';
import { storeStage, summarize } from '../../../examples/workflow/stages/logic/store.js';
import { stageOutputKey } from '../../../src/workflow/paths.js';
import { stageWorld, type World } from './world.js';

const worlds: World[] = [];
afterEach(() => {
  for (const w of worlds.splice(0)) w.dispose();
});

const clean = (overrides: Partial<CleanRecord>): CleanRecord => ({
  id: 'r1',
  customerId: 'c1',
  type: 'purchase',
  amountCents: 1000,
  currency: 'USD',
  occurredAt: '2025-01-01T10:00:00.000Z',
  problems: [],
  ...overrides,
});

describe('example stages: ETL', () => {
  it('normalises ids, amounts, types, currencies and timestamps from varied producers', () => {
    // Act
    const [a, b] = etl({
      records: [
        {
          id: 7,
          customer_id: ' c-1 ',
          amount: '$1,200.50',
          event: 'Purchase',
          currency: 'eur',
          timestamp: 1735725600000,
        },
        { customerId: 'c-2', type: 'view', occurredAt: '2025-01-02T00:00:00Z' },
      ],
    });
    // Assess
    expect(a).toEqual({
      id: '7',
      customerId: 'c-1',
      type: 'purchase',
      amountCents: 120050,
      currency: 'EUR',
      occurredAt: '2025-01-01T10:00:00.000Z',
      problems: [],
    });
    expect(b).toMatchObject({
      id: 'record-1',
      type: 'view',
      amountCents: 0,
      currency: 'USD',
      problems: [],
    });
  });

  it('keeps unreadable records with their problems, and refuses input that is not a batch', () => {
    // Act
    const [bad, notObject] = etl([{ amount: 'ten', type: 'refund', timestamp: 'yesterday' }, 42]);
    // Assess
    expect(bad?.problems).toEqual([
      'missing customerId',
      'amount "ten" is not a number',
      'missing or invalid timestamp',
    ]);
    expect(bad?.type).toBe('other');
    expect(notObject?.problems).toContain('not an object');
    expect(normalizeRecord({ customerId: 'c', amount: -5, timestamp: 0 }, 0).problems).toEqual([
      'negative amount',
    ]);
    expect(() => etl({ nope: true })).toThrow(/initialData must be an array/);
    expect(parseAmountCents(Number.NaN)).toBeUndefined();
    expect(parseAmountCents(null)).toBeUndefined();
    expect(parseTimestamp({})).toBeUndefined();
  });
});

describe('example stages: Filter, Score, Store, Reactive', () => {
  it('Filter drops records with problems, duplicates and low-value money events', () => {
    // Prepare
    const records = [
      clean({ id: 'ok' }),
      clean({ id: 'ok' }),
      clean({ id: 'bad', problems: ['missing customerId'] }),
      clean({ id: 'cheap', amountCents: 99 }),
      clean({ id: 'view', type: 'view', amountCents: 0 }),
    ];
    // Act
    const kept = filterRecords(records);
    // Assess
    expect(kept.map((r) => r.id)).toEqual(['ok', 'view']);
  });

  it('Score weighs the event type and the amount on a log scale, and assigns tiers', () => {
    // Act
    const big = scoreRecord(clean({ amountCents: 10_000 }));
    const huge = scoreRecord(clean({ amountCents: 100_000_000 }));
    const view = scoreRecord(clean({ type: 'view', amountCents: 0 }));
    const other = scoreRecord(clean({ type: 'other', amountCents: 900 }));
    // Assess
    expect(big.score).toBeCloseTo(50 + Math.log10(101) * 20, 1);
    expect(huge.score).toBe(100);
    expect(big.tier).toBe('high');
    expect(view).toMatchObject({ score: 5, tier: 'low' });
    expect(other.score).toBe(30);
    expect(scoreRecord(clean({ type: 'cart', amountCents: 1_000 })).tier).toBe('medium');
  });

  it('Store summarises totals, tiers, days and customers; Reactive turns it into actions', () => {
    // Prepare
    const scored = [
      scoreRecord(clean({ id: '1', customerId: 'big', amountCents: 60_000 })),
      scoreRecord(
        clean({
          id: '2',
          customerId: 'small',
          type: 'cart',
          amountCents: 500,
          occurredAt: '2025-01-02T00:00:00.000Z',
        }),
      ),
      scoreRecord(clean({ id: '3', customerId: 'browser', type: 'view', amountCents: 0 })),
    ];
    // Act
    const summary: Summary = summarize(scored);
    const { actions } = followUpActions(summary);
    // Assess
    expect(summary).toMatchObject({
      records: 3,
      amountCents: 60_500,
      byTier: { high: 1, medium: 1, low: 1 },
    });
    expect(summary.byDay).toEqual({ '2025-01-01': 2, '2025-01-02': 1 });
    expect(summary.customers.map((c) => c.customerId)).toEqual(['big', 'small', 'browser']);
    expect(actions).toEqual([
      {
        customerId: 'big',
        action: 'send-offer',
        reason: expect.stringMatching(/^score /) as string,
      },
      { customerId: 'big', action: 'vip-review', reason: 'spent 600.00' },
      { customerId: 'small', action: 'nurture-email', reason: 'medium intent' },
    ]);
  });
});

describe('example stages: the whole chain through the kit', () => {
  it('ETL → Filter → Score (streaming) → Store → Reactive on S3', async () => {
    // Prepare
    const w = stageWorld();
    worlds.push(w);
    const initialData = {
      records: [
        {
          id: 'a',
          customerId: 'c1',
          type: 'purchase',
          amount: '750.00',
          timestamp: '2025-01-01T09:00:00Z',
        },
        { id: 'b', customerId: 'c2', type: 'cart', amount: 20, timestamp: '2025-01-01T10:00:00Z' },
        { id: 'c', type: 'purchase', amount: 5, timestamp: '2025-01-01T11:00:00Z' },
        {
          id: 'd',
          customerId: 'c3',
          type: 'purchase',
          amount: '0.50',
          timestamp: '2025-01-01T12:00:00Z',
        },
      ],
    };
    const payload = (name: string, previous?: string) => ({
      executionId: 'run-1',
      currentStage: name,
      ...(previous ? { previousStage: previous } : {}),
      initialData,
    });
    // Act
    const results = [
      await w.run(etl, payload('etl')),
      await w.run(filterStage, payload('filter', 'etl')),
      await w.run(scoreStage, payload('score', 'filter')),
      await w.run(storeStage, payload('store', 'score')),
      await w.run(reactiveStage, payload('reactive', 'store')),
    ];
    // Assess
    expect(results.map((r) => [r.stage, r.recordsProcessed, r.recordsWritten])).toEqual([
      ['etl', 1, 4],
      ['filter', 4, 2],
      ['score', 2, 2],
      ['store', 2, 1],
      ['reactive', 1, 1],
    ]);
    expect(await w.json(stageOutputKey('run-1', 'reactive'))).toEqual({
      actions: [
        {
          customerId: 'c1',
          action: 'send-offer',
          reason: expect.stringMatching(/^score/) as string,
        },
        { customerId: 'c1', action: 'vip-review', reason: 'spent 750.00' },
        { customerId: 'c2', action: 'nurture-email', reason: 'medium intent' },
      ],
    });
  });

  it('a stage fed the wrong input fails with a message naming the stage', async () => {
    // Prepare
    const w = stageWorld();
    worlds.push(w);
    // Act
    const run = w.run(reactiveStage, {
      executionId: 'e',
      currentStage: 'reactive',
      initialData: [1, 2],
    });
    // Assess
    await expect(run).rejects.toThrow(/reactive: input does not match/);
  });

  it('entry files export a Lambda handler and import without environment', async () => {
    // Act
    const modules: { handler: unknown }[] = await Promise.all([
      import('../../../examples/workflow/stages/etl.js'),
      import('../../../examples/workflow/stages/filter.js'),
      import('../../../examples/workflow/stages/score.js'),
      import('../../../examples/workflow/stages/store.js'),
      import('../../../examples/workflow/stages/reactive.js'),
    ]);
    // Assess
    for (const module of modules) expect(typeof module.handler).toBe('function');
  });
});
