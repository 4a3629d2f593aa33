import { describe, expect, it } from 'vitest';
import { CliUsageError, ExitCodes } from '../../src/cli/errors.js';
import { WORKFLOW_RUN_HELP, workflowRun } from '../../src/cli/workflow-run.js';
import { synthesizeExampleWorkflow } from '../../src/workflow/local-run/example.js';
import { fakeIo } from './fake-io.js';

describe('cli: opskit workflow run', () => {
  it('prints its help', async () => {
    const { io, stdout } = fakeIo();
    expect(await workflowRun(['--help'], io)).toBe(ExitCodes.ok);
    expect(stdout()).toBe(WORKFLOW_RUN_HELP);
  });

  it('runs the Express example and prints the timeline with the S3 objects each stage wrote', async () => {
    const { io, stdout, stderr } = fakeIo();
    const code = await workflowRun([], io);
    expect(stderr()).toBe('');
    expect(code).toBe(ExitCodes.ok);
    const text = stdout();
    expect(text).toMatch(/^EXPRESS execution local-0001: SUCCEEDED in [\d.]+s \(virtual time\)/);
    for (const stage of ['etl', 'filter', 'score', 'store', 'reactive']) {
      expect(text).toMatch(
        new RegExp(`\\n${stage}\\s+Task\\s+\\+[\\d.]+s\\s+[\\d.]+s\\s+1\\s+succeeded`),
      );
      expect(text).toContain(`/executions/local-0001/${stage}/output.json`);
    }
  });

  it('runs the Standard example with its Glue step and prints JSON', async () => {
    const { io, stdout } = fakeIo();
    expect(await workflowRun(['--type', 'standard', '--json'], io)).toBe(ExitCodes.ok);
    const result = JSON.parse(stdout()) as {
      status: string;
      type: string;
      states: { name: string }[];
    };
    expect(result.type).toBe('STANDARD');
    expect(result.status).toBe('SUCCEEDED');
    expect(result.states.map((s) => s.name)).toContain('normalize');
  });

  it('runs a synthesized template from a file with the given input, and exits 1 when the execution fails', async () => {
    const template = JSON.stringify(synthesizeExampleWorkflow('EXPRESS'));
    const { io, stdout, stderr } = fakeIo({
      'wf.template.json': template,
      'in.json': '{"not":"records"}',
    });
    const code = await workflowRun(['--template', 'wf.template.json', '--input', 'in.json'], io);
    expect(code).toBe(ExitCodes.failure);
    expect(stdout()).toMatch(/FAILED/);
    expect(stdout()).toMatch(/Error: TypeError/);
    expect(stdout()).toContain('! TypeError');
    expect(stderr()).toBe('The execution ended FAILED.\n');
  });

  it('validates the definition with asl-validator before running it, and runs nothing when it is invalid', async () => {
    // Prepare: the example's template with a state that goes nowhere.
    const template = synthesizeExampleWorkflow('EXPRESS') as {
      Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    };
    const machine = Object.values(template.Resources).find(
      (r) => r.Type === 'AWS::StepFunctions::StateMachine',
    );
    (machine?.Properties as Record<string, unknown>).DefinitionString = JSON.stringify({
      StartAt: 'A',
      States: { A: { Type: 'Pass', Next: 'Nowhere' } },
    });
    const { io, stdout } = fakeIo({ 'broken.json': JSON.stringify(template) });

    // Act
    const error = await workflowRun(['--template', 'broken.json'], io).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(CliUsageError);
    expect((error as Error).message).toMatch(
      /^State machine WorkflowStateMachine\w+ is not valid ASL \(asl-validator\):\n {2}.*Nowhere/,
    );
    expect((error as Error).message).toMatch(/nothing was run\.$/);
    expect(stdout()).toBe('');
  });

  it('explains wrong command lines and files', async () => {
    const { io } = fakeIo({
      'bad.json': '{nope',
      'empty.template.json': '{"Resources":{}}',
      'two.template.json':
        '{"Resources":{"M":{"Type":"AWS::StepFunctions::StateMachine","Properties":{}}}}',
    });
    await expect(workflowRun(['--nope'], io)).rejects.toThrow(CliUsageError);
    await expect(workflowRun(['--type', 'batch'], io)).rejects.toThrow(
      "--type must be 'express' or 'standard', got 'batch'.",
    );
    await expect(workflowRun(['--input', 'missing.json'], io)).rejects.toThrow(
      /--input: cannot read 'missing.json'/,
    );
    await expect(workflowRun(['--input', 'bad.json'], io)).rejects.toThrow(
      /--input: 'bad.json' is not valid JSON/,
    );
    await expect(workflowRun(['--template', 'x.json', '--type', 'express'], io)).rejects.toThrow(
      /--type applies to the example/,
    );
    await expect(workflowRun(['--template', 'empty.template.json'], io)).rejects.toThrow(
      /The template cannot run locally: The template has no stage function/,
    );
    await expect(workflowRun(['--template', 'two.template.json'], io)).rejects.toThrow(
      /The template cannot run locally: State machine .M. has neither DefinitionString/,
    );
  });
});
