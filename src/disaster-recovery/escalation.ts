/**
 * Escalation: when retries run out or the job throttler times out, people must act (the
 * orchestration cannot). The message says what failed, where, and the concrete steps that fix
 * it; `buildEscalationMessage` is pure, `Escalator` publishes it to SNS.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { THROTTLING_ERROR_CODES } from '../resilience/error-classification.js';
import { DrsEnvVars, DrsQuotaCodes, DRS_SERVICE_CODE } from './contract.js';
import type { DrsTarget } from './errors.js';
import { DrsMetrics, silentDrsLogger, type DrsLogger } from './observability.js';
import { noopMetricRecorder } from '../observability/metrics.js';

export type EscalationKind = 'retries-exhausted' | 'throttler-timeout';

/** What went wrong; the fields a responder needs. */
export interface EscalationDetails {
  readonly kind: EscalationKind;
  /** The DRS operation, e.g. `StartRecovery`. */
  readonly operation: string;
  readonly target: DrsTarget;
  /** Code of the last error (`ThrottlingException` …), when there was one. */
  readonly errorCode?: string;
  readonly errorMessage: string;
  /** Retries made after the first attempt (0 for a throttler timeout). */
  readonly retryCount: number;
  /** Time spent retrying or waiting, in ms. */
  readonly waitedMs?: number;
  /** Throttler timeouts: the capacity picture at the end. */
  readonly capacity?: {
    readonly activeJobs: number;
    readonly jobLimit: number;
    readonly serversInActiveJobs: number;
    readonly serverLimit: number;
    readonly requestedServers: number;
  };
  /** The wave, when the caller knows it. */
  readonly waveId?: string;
  readonly correlationId?: string;
  /** The handler's own account: named when `target` has no account (the target is ours). */
  readonly ownAccountId?: string;
}

/** What the escalator adds to every escalation of the current invocation. */
export interface EscalationContext {
  readonly correlationId?: string;
  readonly waveId?: string;
  /** The function's own account (from the Lambda context). */
  readonly ownAccountId?: string;
}

export interface EscalationMessage {
  /** SNS subject: ASCII, at most 100 characters. */
  readonly subject: string;
  /** JSON text: the details and `remediation`, a list of concrete steps. */
  readonly message: string;
  readonly remediation: readonly string[];
}

const SUBJECT_MAX = 100;

/** The account id, or 'own account' when the handler could not learn its own (tests). */
function accountText(details: EscalationDetails): string {
  return details.target.accountId ?? details.ownAccountId ?? 'own account';
}

function quotaIncreaseStep(quotaCode: string, region: string, what: string): string {
  return (
    `Request a higher ${what} quota: aws service-quotas request-service-quota-increase ` +
    `--service-code ${DRS_SERVICE_CODE} --quota-code ${quotaCode} --desired-value <value> ` +
    `--region ${region}`
  );
}

/** The concrete steps for a failure; most specific first. */
export function remediationSteps(details: EscalationDetails): string[] {
  const { region } = details.target;
  if (details.kind === 'throttler-timeout') {
    const capacity = details.capacity;
    const serverBound =
      capacity !== undefined &&
      capacity.serversInActiveJobs + capacity.requestedServers > capacity.serverLimit;
    return [
      serverBound
        ? quotaIncreaseStep(DrsQuotaCodes.maxServersInActiveJobs, region, 'servers-in-all-jobs')
        : quotaIncreaseStep(DrsQuotaCodes.maxConcurrentJobs, region, 'concurrent-jobs'),
      'Lower the wave size (fewer source servers per wave) so a wave needs fewer concurrent jobs.',
      'Spread the waves over time, or run fewer waves at once in this account and region.',
      `Allow a longer wait: raise ${DrsEnvVars.throttlerTimeoutSeconds} (keep it below the function timeout).`,
      `Look for stuck jobs: aws drs describe-jobs --region ${region} (PENDING/STARTED jobs count against the quota).`,
    ];
  }
  const throttled =
    details.errorCode !== undefined && THROTTLING_ERROR_CODES.includes(details.errorCode);
  if (throttled) {
    return [
      `Lower the DRS call rate: reduce ${DrsEnvVars.ratePerSecond}, or set ${DrsEnvVars.limiterMode}=shared ` +
        'so every Lambda container draws from one account-wide budget.',
      'Spread the waves over time, or run fewer query and execution invocations at once.',
      `Ask AWS Support for a higher DRS API rate limit in ${region} if the load is expected.`,
      `Retry the ${details.operation} once the throttling stops.`,
    ];
  }
  return [
    `Check the AWS Health Dashboard for DRS events in ${region}.`,
    `Retry the ${details.operation} later; ${details.errorCode ?? 'the error'} is usually transient.`,
    `Raise ${DrsEnvVars.maxRetries} if these failures are short but frequent.`,
  ];
}

/** The SNS subject and JSON message of an escalation. Pure. */
export function buildEscalationMessage(details: EscalationDetails): EscalationMessage {
  const remediation = remediationSteps(details);
  const what = details.kind === 'throttler-timeout' ? 'no job capacity' : 'DRS retries exhausted';
  // SNS subjects must be ASCII without control characters.
  const subject = `[DRS] ${what}: ${details.operation} in ${details.target.region}`
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, SUBJECT_MAX);
  const body = {
    kind: details.kind,
    summary:
      details.kind === 'throttler-timeout'
        ? `A wave waited ${Math.round((details.waitedMs ?? 0) / 1000)} s for DRS job capacity and gave up.`
        : `${details.operation} failed after ${details.retryCount} retries.`,
    operation: details.operation,
    region: details.target.region,
    account: accountText(details),
    errorCode: details.errorCode ?? null,
    errorMessage: details.errorMessage,
    retryCount: details.retryCount,
    waitedMs: details.waitedMs ?? null,
    capacity: details.capacity ?? null,
    waveId: details.waveId ?? null,
    correlationId: details.correlationId ?? null,
    remediation,
  };
  return { subject, message: JSON.stringify(body, null, 2), remediation };
}

export interface EscalatorOptions {
  /** Unset: escalations are logged (CRITICAL) and counted, not published. */
  readonly topicArn?: string;
  /** SNS client with the resilience layer attached; required with `topicArn`. */
  readonly sns?: SNSClient;
  /** @default silentDrsLogger */
  readonly logger?: DrsLogger;
  /** @default - none */
  readonly metrics?: DrsMetrics;
  /** The function's own account, when known before the first invocation. @default - none */
  readonly ownAccountId?: string;
}

export interface EscalationResult {
  readonly published: boolean;
  readonly messageId?: string;
  readonly message: EscalationMessage;
}

/** Logs, counts and publishes escalations. Never throws: an alert must not fail the wave twice. */
export class Escalator {
  private readonly logger: DrsLogger;
  private readonly metrics: DrsMetrics;

  private context: EscalationContext = {};

  constructor(private readonly options: EscalatorOptions = {}) {
    this.logger = options.logger ?? silentDrsLogger;
    this.metrics = options.metrics ?? new DrsMetrics(noopMetricRecorder);
  }

  /**
   * The invocation now running (a Lambda container runs one at a time): its correlation id and
   * wave go into every escalation until the next call replaces them.
   */
  setContext(context: EscalationContext): void {
    this.context = { ...context };
  }

  async escalate(given: EscalationDetails): Promise<EscalationResult> {
    const { correlationId, waveId } = this.context;
    const ownAccountId = this.context.ownAccountId ?? this.options.ownAccountId;
    // What the caller says wins; the invocation's context fills the gaps.
    const details: EscalationDetails = {
      ...(correlationId === undefined ? {} : { correlationId }),
      ...(waveId === undefined ? {} : { waveId }),
      ...(ownAccountId === undefined ? {} : { ownAccountId }),
      ...given,
    };
    const message = buildEscalationMessage(details);
    this.metrics.escalation(details.kind);
    this.logger.critical('DRS escalation: operator action needed', {
      kind: details.kind,
      operation: details.operation,
      region: details.target.region,
      accountId: details.target.accountId,
      errorCode: details.errorCode,
      retryCount: details.retryCount,
      waitedMs: details.waitedMs,
      waveId: details.waveId,
      correlationId: details.correlationId,
      remediation: message.remediation,
    });
    const { topicArn, sns } = this.options;
    if (topicArn === undefined || sns === undefined) return { published: false, message };
    try {
      const output = await sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: message.subject,
          Message: message.message,
          MessageAttributes: {
            kind: { DataType: 'String', StringValue: details.kind },
            region: { DataType: 'String', StringValue: details.target.region },
            operation: { DataType: 'String', StringValue: details.operation },
          },
        }),
      );
      return {
        published: true,
        ...(output.MessageId === undefined ? {} : { messageId: output.MessageId }),
        message,
      };
    } catch (error) {
      this.logger.error('Could not publish the DRS escalation to SNS', {
        topicArn,
        errorCode: error instanceof Error ? error.name : undefined,
        errorMessage: error instanceof Error ? error.message : String(error),
      });
      return { published: false, message };
    }
  }
}
