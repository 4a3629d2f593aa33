import { describe, expect, it, vi } from 'vitest';
import { EcsTaskStarter } from '../../src/task-starter/construct.js';
import { EcsTaskStarterValidationError } from '../../src/task-starter/construct-validation.js';
import { newStack, validProps } from './construct-support.js';

// A package whose handler files are missing (an incomplete build or install).
vi.mock('../../src/task-starter/construct-handlers.js', () => ({
  handlerCode: (role: string) => ({ kind: 'nodejs', entry: `/nowhere/handlers/${role}.ts` }),
}));

describe('task starter construct: missing handlers', () => {
  it('fails at synth with an error that says the package is incomplete', () => {
    // Prepare
    const stack = newStack();
    // Act
    const act = (): unknown => new EcsTaskStarter(stack, 'Starter', validProps());
    // Assess
    expect(act).toThrow(EcsTaskStarterValidationError);
    expect(act).toThrow(
      /EcsTaskStarter\(Starter\): handlers: the task-starter handler cannot be used \(.*\/nowhere\/handlers\/start\.ts.*\)\. The package is incomplete/,
    );
  });
});
