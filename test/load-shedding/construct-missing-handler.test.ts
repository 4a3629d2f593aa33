import { describe, expect, it, vi } from 'vitest';
import { LoadShedding } from '../../src/load-shedding/construct.js';
import { LoadSheddingValidationError } from '../../src/load-shedding/construct-validation.js';
import { newStack, validProps } from './construct-support.js';

// A package whose handler files are missing (an incomplete build or install).
vi.mock('../../src/load-shedding/construct-handlers.js', () => ({
  handlerCode: (role: string) => ({ kind: 'nodejs', entry: `/nowhere/handlers/${role}.ts` }),
}));

describe('LoadShedding construct: missing handlers', () => {
  it('fails at synth with an error that says the package is incomplete', () => {
    const stack = newStack();
    const act = (): unknown => new LoadShedding(stack, 'Shedding', validProps());
    expect(act).toThrow(LoadSheddingValidationError);
    expect(act).toThrow(
      /LoadShedding\(Shedding\): handlers: the load-shedding handler cannot be used \(code\.entry must be an existing file; \/nowhere\/handlers\/checkQueue\.ts is not one\.\)\. The package is incomplete/,
    );
  });
});
