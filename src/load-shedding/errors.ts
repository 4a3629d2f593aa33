/**
 * Base of every error the load-shedding capability raises itself. Callers that only need to
 * know "this came from load shedding" catch this one; subclasses say what went wrong.
 */
export class LoadSheddingError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LoadSheddingError';
  }
}

/** Which input of the weights functions was rejected. */
export type WeightsInput = 'groups' | 'primary' | 'percent' | 'maxShedPercent' | 'baseline';

/**
 * An input of `shed`, `restore`, `isSheddable` or `isRestorable` is invalid (weights out of
 * 0–999, duplicate target groups, a percentage outside 0–100, an empty primary ...). Nothing
 * was computed. The message says what is wrong and how to fix it; `input` names the argument
 * so that a handler can report it without parsing the message.
 */
export class WeightsError extends LoadSheddingError {
  readonly input: WeightsInput;

  constructor(input: WeightsInput, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WeightsError';
    this.input = input;
  }
}

/**
 * A string that should be an ELBv2 ARN (listener, load balancer, target group) is not one, or
 * names another kind of resource. Nothing was called; `arn` is the rejected value.
 */
export class ElbArnError extends LoadSheddingError {
  readonly arn: string;

  constructor(arn: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ElbArnError';
    this.arn = arn;
  }
}

/**
 * ELBv2 answered with a rule whose forward action cannot be read (a target group entry without
 * an ARN, a forward action with no target group). Nothing was written.
 */
export class ElbRuleShapeError extends LoadSheddingError {
  readonly ruleArn: string;

  constructor(ruleArn: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ElbRuleShapeError';
    this.ruleArn = ruleArn;
  }
}

/**
 * New weights for a rule do not list exactly the target groups of its forward action (one
 * missing, one added, one repeated). Load shedding changes weights only, never membership, so
 * nothing was written.
 */
export class RuleGroupsMismatchError extends LoadSheddingError {
  readonly ruleArn: string;

  constructor(ruleArn: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RuleGroupsMismatchError';
    this.ruleArn = ruleArn;
  }
}

/** One target group's weight as expected after a write and as read back. */
export interface WeightMismatch {
  readonly targetGroupArn: string;
  /** `undefined`: the group was not in that list. */
  readonly expected: number | undefined;
  readonly actual: number | undefined;
}

/**
 * The write went through, but reading the rule back shows other weights (another writer, a
 * rejected part, eventual consistency). The rule's state is unknown to the caller: read it again
 * before deciding anything.
 */
export class WeightWriteVerificationError extends LoadSheddingError {
  readonly ruleArn: string;
  readonly mismatches: readonly WeightMismatch[];

  constructor(
    ruleArn: string,
    mismatches: readonly WeightMismatch[],
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'WeightWriteVerificationError';
    this.ruleArn = ruleArn;
    this.mismatches = mismatches;
  }
}

/** One environment variable the load-shedding configuration rejected. */
export interface ConfigProblem {
  /** The variable, e.g. `SHED_PERCENT`. */
  readonly variable: string;
  /** What is wrong and how to fix it; names the variable. */
  readonly message: string;
}

/**
 * The load-shedding environment is invalid (a variable is missing, malformed or out of range).
 * Raised once at cold start, before any AWS call; the message lists every problem, each naming
 * its variable and the fix, and `problems` holds them for callers that report them one by one.
 */
export class LoadSheddingConfigError extends LoadSheddingError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], options?: ErrorOptions) {
    super(
      `Invalid load-shedding configuration (${problems.length} problem(s)):\n` +
        problems.map((p) => `- ${p.message}`).join('\n'),
      options,
    );
    this.name = 'LoadSheddingConfigError';
    this.problems = problems;
  }
}

/**
 * A check message (the SQS body the controller sends itself) is not valid JSON or does not match
 * the versioned schema. Nothing was decided; the message cannot succeed on a retry, so a handler
 * should drop it (or let it reach the dead-letter queue) rather than retry it.
 */
export class CheckMessageError extends LoadSheddingError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CheckMessageError';
  }
}

/**
 * The controller was called with inputs that contradict each other (a check without the current
 * alarm state, a rule listed twice ...): a bug in the caller, not a condition to retry.
 */
export class ControllerInputError extends LoadSheddingError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ControllerInputError';
  }
}

/**
 * Another invocation saved the controller state of this primary target group since it was loaded
 * (DynamoDB `ConditionalCheckFailedException`, passed as `cause`). The caller lost the race and
 * must not touch ELBv2: load the state again and decide again, with fresh ids (the new decision
 * drops the trigger if the winner made it stale).
 */
export class StateConflictError extends LoadSheddingError {
  readonly primaryTargetGroupArn: string;
  readonly expectedVersion: number;

  constructor(primaryTargetGroupArn: string, expectedVersion: number, options?: ErrorOptions) {
    super(
      `The load-shedding state of ${primaryTargetGroupArn} is no longer at version ` +
        `${expectedVersion}: another invocation saved it first. Write nothing to ELBv2; load the ` +
        'state again and decide again.',
      options,
    );
    this.name = 'StateConflictError';
    this.primaryTargetGroupArn = primaryTargetGroupArn;
    this.expectedVersion = expectedVersion;
  }
}

/**
 * The stored state item does not match the state schema (edited by hand, or written by an
 * incompatible version). The controller cannot tell which weights are its own, so it stops
 * rather than guess; the message names the table, the key and the first bad attribute.
 */
export class StateCorruptError extends LoadSheddingError {
  readonly tableName: string;
  readonly primaryTargetGroupArn: string;

  constructor(
    tableName: string,
    primaryTargetGroupArn: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(
      `The load-shedding state item '${primaryTargetGroupArn}' in table '${tableName}' is ` +
        `invalid: ${detail}. Fix the item, or delete it to let the controller start afresh ` +
        '(it then takes the live weights as the baseline, so first put the rules back to ' +
        'their normal weights by hand).',
      options,
    );
    this.name = 'StateCorruptError';
    this.tableName = tableName;
    this.primaryTargetGroupArn = primaryTargetGroupArn;
  }
}
