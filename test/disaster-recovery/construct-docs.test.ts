import { readFileSync } from 'node:fs';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it, vi } from 'vitest';
import { Escalator } from '../../src/disaster-recovery/escalation.js';
import { expectNoNagFindings } from '../helpers/cdk-nag.js';
import { crossAccount, drill, invokeHandlers, minimal } from './construct-docs-examples.js';
import { ENV, newApp } from './construct-support.js';

const page = readFileSync(new URL('../../docs/disaster-recovery.md', import.meta.url), 'utf8');
const source = readFileSync(new URL('./construct-docs-examples.ts', import.meta.url), 'utf8');

/** Each ```ts block of the page. */
function codeBlocks(): string[] {
  return Array.from(page.matchAll(/```ts\n([\s\S]*?)```/g), (m) => m[1].trimEnd());
}

/** Each example of the source file, without its indentation. */
function examples(): string[] {
  return Array.from(
    source.matchAll(/\/\/ example: \S+\n([\s\S]*?)\n\s*\/\/ end of example/g),
    (m) => {
      const lines = m[1].split('\n');
      const indent = Math.min(
        ...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length),
      );
      return lines
        .map((line) => line.slice(indent))
        .join('\n')
        .trimEnd();
    },
  );
}

describe('disaster-recovery docs: docs/disaster-recovery.md', () => {
  it('shows an escalation message exactly as the escalator builds it', async () => {
    // Prepare: the invocation's context, as the execution handler sets it.
    const escalator = new Escalator();
    escalator.setContext({
      correlationId: '8a1f0c52-3d4e-4b7a-9c11-2f6e5d4c3b2a',
      waveId: 'wave-1',
      ownAccountId: '123456789012',
    });

    // Act
    const { message } = await escalator.escalate({
      kind: 'retries-exhausted',
      operation: 'StartRecovery',
      target: { region: 'us-east-1' },
      errorCode: 'ThrottlingException',
      errorMessage: 'Rate exceeded',
      retryCount: 5,
      waitedMs: 31_000,
    });

    // Assess
    const blocks = Array.from(page.matchAll(/```json\n([\s\S]*?)```/g), (m) => m[1].trimEnd());
    expect(blocks).toEqual([message.message]);
    expect(page).toContain(`Subject \`${message.subject}\``);
  });

  it('shows exactly the compiled examples, verbatim and in order', () => {
    expect(examples()).toHaveLength(4);
    expect(codeBlocks()).toEqual(examples());
  });

  it('construct examples synthesize and pass cdk-nag', () => {
    const stack = new Stack(newApp(), 'Docs', { env: ENV });
    minimal(stack);
    const other = new Stack(newApp(), 'Docs2', { env: ENV });
    crossAccount(other, new sns.Topic(other, 'Pager', { enforceSSL: true }));
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::Function', 2);
    const otherTemplate = Template.fromStack(other);
    otherTemplate.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'sts:AssumeRole',
            Resource: 'arn:aws:iam::210987654321:role/DrsOrchestration',
          }),
        ]),
      },
    });
    otherTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ DRS_RATE_PER_SECOND: '8', DRS_JOB_THRESHOLD: '15' }),
      },
    });
    expectNoNagFindings(stack);
    expectNoNagFindings(other);
  });

  it('the handler example launches the wave and reports capacity', async () => {
    await expect(invokeHandlers()).resolves.toEqual({ launched: 150, available: 20 });
  });

  it('the drill example launches every server without a quota error', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await expect(drill()).resolves.toEqual({ launched: 120, quotaErrors: 0 });
    expect(log).toHaveBeenCalledWith(
      expect.stringMatching(/^120 launched in \d+(\.\d+)? s, 0 quota errors/),
    );
    log.mockRestore();
  });

  it('documents every prop default the construct applies', () => {
    for (const text of ['DRS-RateLimitAlerts', "'shared'", '10 / 20', '10 min', '30 s', '15 min']) {
      expect(page).toContain(text);
    }
  });
});
