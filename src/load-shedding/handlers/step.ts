/**
 * One controller step, shared by both handlers: gather the inputs, decide, and carry the
 * decision out in the order docs/load-shedding.md requires —
 *
 * 1. decide (no `save`: write nothing);
 * 2. send the scheduled check (SQS, with DelaySeconds);
 * 3. save the state, conditional on the version loaded; on a conflict write nothing, load again
 *    and decide again with fresh ids, a bounded number of times;
 * 4. write the rules to ELBv2 (`writeWeights`: changed weights only, read back), unless dry run;
 * 5. emit the decision's logs and metrics.
 *
 * The check goes out before the save because a sent check that is not pending is dropped as
 * stale, while a pending check that was never sent would leave the chain stuck.
 */
import type { OpsLogger } from '../../observability/logger.js';
import type { AlarmStateValue } from '../contract.js';
import { decide, type Decision, type LiveRule, type Trigger } from '../controller.js';
import {
  readForwardRules,
  rulesContaining,
  writeWeights,
  type ForwardRule,
  type WeightWriteResult,
} from '../elb-rules.js';
import { StateConflictError, WeightWriteVerificationError } from '../errors.js';
import { LoadSheddingStateStore } from '../state-store.js';
import type { LoadSheddingState } from '../state.js';
import { readAlarmState } from './alarm-state.js';
import { sendCheck } from './check-sender.js';
import type { LoadSheddingDeps } from './deps.js';
import { StateContentionError } from './errors.js';
import { emitDecision, recordStateConflict } from './observe.js';

/** Decisions made for one trigger before giving up on a contended state item. */
export const MAX_DECIDE_ATTEMPTS = 3;

export interface StepOptions {
  /** @default MAX_DECIDE_ATTEMPTS */
  readonly maxAttempts?: number;
}

export interface StepResult {
  /** The decision carried out: the last one made, after any lost saves. */
  readonly decision: Decision;
  /** Decisions made: one, plus one per save lost to a concurrent invocation. */
  readonly attempts: number;
  /** SQS message id of the check sent, if the decision scheduled one. */
  readonly checkMessageId?: string;
  /** One per rule the decision changes: written, planned (dry run) or already unchanged. */
  readonly writes: readonly WeightWriteResult[];
}

/**
 * Decides about `trigger` and carries the decision out. Logs go to `logger` (which should carry
 * the trigger's correlation id); metrics to `deps.metrics`.
 *
 * @throws {StateContentionError} when every attempt lost its save (nothing written to ELBv2).
 * @throws the SDK's or the adapters' error when a read, the check send or the save fails
 * (nothing written to ELBv2), or, after the state was saved and every other rule written, the
 * first error of an ELBv2 write (the pending check steps again from the live weights).
 */
export async function runStep(
  deps: LoadSheddingDeps,
  trigger: Trigger,
  logger: OpsLogger,
  options: StepOptions = {},
): Promise<StepResult> {
  const { config, metrics } = deps;
  const store = new LoadSheddingStateStore({
    client: deps.clients.dynamodb,
    tableName: config.stateTableName,
  });
  const maxAttempts = options.maxAttempts ?? MAX_DECIDE_ATTEMPTS;
  let conflict: StateConflictError | undefined;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const { decision, rules } = await decideNow(deps, store, trigger, logger);
    const save = decision.save;
    if (save === undefined) {
      emitDecision(logger, metrics, decision);
      summarise(logger, decision, attempt, []);
      return { decision, attempts: attempt, writes: [] };
    }
    const checkMessageId =
      decision.schedule === undefined
        ? undefined
        : await sendCheck(deps.clients.sqs, config.checkQueueUrl, decision.schedule);
    try {
      await store.save(save.state, save.expectedVersion);
    } catch (error) {
      if (!(error instanceof StateConflictError)) throw error;
      conflict = error;
      recordStateConflict(metrics, config.primaryTargetGroupArn);
      logger.info('Another invocation saved the state first: nothing written; deciding again.', {
        attempt,
        maxAttempts,
        expectedVersion: save.expectedVersion,
      });
      continue;
    }
    const { results, failure } = await applyWrites(deps, rules, decision, logger);
    emitDecision(logger, metrics, decision);
    summarise(logger, decision, attempt, results);
    // SDK clients and the adapters throw Error instances only.
    if (failure !== undefined) throw failure as Error;
    return {
      decision,
      attempts: attempt,
      writes: results,
      ...(checkMessageId === undefined ? {} : { checkMessageId }),
    };
  }
  throw new StateContentionError(config.primaryTargetGroupArn, maxAttempts, { cause: conflict });
}

/** A check decides from the alarm state it reads; this stands in for it when screening. */
const SCREENING_ALARM_STATE: AlarmStateValue = 'INSUFFICIENT_DATA';
const SCREENING_IDS = { chainId: 'screening', checkId: 'screening' } as const;

/**
 * Loads the state and decides. Whether a trigger is dropped (`stale`, `ignored`) or deferred
 * depends only on the trigger and the stored state (see the controller's trigger table), so a
 * first decision without rules and alarm state screens those out before the reads they do not
 * need: DescribeAlarms, and DescribeRules of every listener (a quota shared by the account).
 */
async function decideNow(
  deps: LoadSheddingDeps,
  store: LoadSheddingStateStore,
  trigger: Trigger,
  logger: OpsLogger,
): Promise<{ decision: Decision; rules: ForwardRule[] }> {
  const { config, clients, clock } = deps;
  const state: LoadSheddingState | undefined = await store.load(config.primaryTargetGroupArn);
  const isCheck = trigger.kind === 'check';
  const screening = decide({
    config,
    state,
    trigger,
    rules: [],
    now: clock.now(),
    ids: SCREENING_IDS,
    ...(isCheck ? { alarmState: SCREENING_ALARM_STATE } : {}),
  });
  if (screening.save === undefined) return { decision: screening, rules: [] };

  const alarmState = isCheck
    ? await readAlarmState(clients.cloudwatch, config.alarmName, logger, config.alarmType)
    : undefined;
  const rules = rulesContaining(
    await readForwardRules(clients.elbv2, config.listenerArns),
    config.primaryTargetGroupArn,
  );
  if (rules.length === 0) {
    logger.warn(
      'No forward rule of the listeners routes to the primary target group: nothing to shed ' +
        'or restore. Check LISTENER_ARNS and PRIMARY_TARGET_GROUP_ARN.',
      { listenerArns: config.listenerArns },
    );
  }
  const decision = decide({
    config,
    state,
    trigger,
    rules: rules.map((rule): LiveRule => ({ ruleArn: rule.ruleArn, groups: rule.groups })),
    now: clock.now(),
    ids: { chainId: deps.newId(), checkId: deps.newId() },
    ...(alarmState === undefined ? {} : { alarmState }),
  });
  return { decision, rules };
}

/**
 * Writes every rule of the decision, each on its own: one rule's failure does not stop the
 * others. A read-back that shows other weights means another writer (or a slow write): the next
 * step reads the rules again and adopts or retries, so it is logged, not raised. Any other error
 * is logged and returned, to be raised once every rule was tried.
 */
async function applyWrites(
  deps: LoadSheddingDeps,
  rules: readonly ForwardRule[],
  decision: Decision,
  logger: OpsLogger,
): Promise<{ results: WeightWriteResult[]; failure: unknown }> {
  const byArn = new Map(rules.map((rule) => [rule.ruleArn, rule]));
  const results: WeightWriteResult[] = [];
  let failure: unknown;
  for (const write of decision.writes) {
    // The decision was made from these rules: every write names one of them.
    const rule = byArn.get(write.ruleArn) as ForwardRule;
    try {
      results.push(
        await writeWeights(deps.clients.elbv2, rule, write.groups, {
          dryRun: deps.config.dryRun,
          logger,
        }),
      );
    } catch (error) {
      if (error instanceof WeightWriteVerificationError) {
        logger.warn(
          'A rule read back with other weights than written (another writer, or a slow ' +
            'write): the next step reads it again and adopts or retries.',
          { ruleArn: error.ruleArn, mismatches: error.mismatches },
        );
        continue;
      }
      logger.error(
        'Writing the weights of a rule failed; the pending check steps again from the live ' +
          'weights.',
        { ruleArn: write.ruleArn, action: write.action, error },
      );
      failure ??= error;
    }
  }
  return { results, failure };
}

function summarise(
  logger: OpsLogger,
  decision: Decision,
  attempts: number,
  writes: readonly WeightWriteResult[],
): void {
  logger.info('Load-shedding step done.', {
    outcome: decision.outcome,
    attempts,
    ...(decision.chainEnd === undefined ? {} : { chainEnd: decision.chainEnd }),
    ...(decision.schedule === undefined
      ? {}
      : {
          check: {
            checkId: decision.schedule.message.checkId,
            reason: decision.schedule.message.reason,
            delaySeconds: decision.schedule.delaySeconds,
          },
        }),
    writes: writes.map((w) => ({ ruleArn: w.ruleArn, operation: w.operation, status: w.status })),
  });
}
