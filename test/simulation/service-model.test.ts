import type {
  DescribeTargetHealthCommandInput,
  DescribeTargetHealthCommandOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  CommonErrors,
  SimulatedServiceError,
  serviceError,
} from '../../src/simulation/service-error.js';
import { SimulationConfigError } from '../../src/simulation/errors.js';
import { OperationTable, type ModelCallContext } from '../../src/simulation/service-model.js';
import { validateInput, validationError } from '../../src/simulation/validation.js';

const context: ModelCallContext = {
  operation: 'DescribeTargetHealth',
  requestId: 'req-1',
  clientName: 'ElasticLoadBalancingV2Client',
  attempt: 1,
};

async function rejectionOf(promise: Promise<unknown>): Promise<SimulatedServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as SimulatedServiceError;
  }
  throw new Error('expected a rejection');
}

describe('simulation: SimulatedServiceError', () => {
  it('infers the fault from the status and keeps fields and headers', () => {
    // Act
    const throttle = new SimulatedServiceError({
      ...CommonErrors.throttlingException,
      retryAfterSeconds: 2,
      fields: { retryAfterSeconds: 2 },
      headers: { 'x-a': 'b' },
    });
    const internal = new SimulatedServiceError({ ...CommonErrors.internalServerException });
    const forced = new SimulatedServiceError({
      name: 'Odd',
      httpStatusCode: 400,
      fault: 'server',
      message: 'm',
    });

    // Assess
    expect(throttle).toBeInstanceOf(Error);
    expect(throttle).toMatchObject({
      name: 'ThrottlingException',
      httpStatusCode: 429,
      fault: 'client',
      retryAfterSeconds: 2,
      fields: { retryAfterSeconds: 2 },
      headers: { 'x-a': 'b' },
      message: 'Rate exceeded',
    });
    expect(internal.fault).toBe('server');
    expect(forced.fault).toBe('server');
  });

  it('rejects impossible errors with a message naming the field', () => {
    expect(() => new SimulatedServiceError({ name: '', httpStatusCode: 400, message: '' })).toThrow(
      SimulationConfigError,
    );
    expect(
      () => new SimulatedServiceError({ name: 'bad name', httpStatusCode: 400, message: '' }),
    ).toThrow(/name/);
    expect(
      () => new SimulatedServiceError({ name: 'Ok', httpStatusCode: 200, message: '' }),
    ).toThrow(/httpStatusCode/);
    expect(
      () =>
        new SimulatedServiceError({
          name: 'Ok',
          httpStatusCode: 429,
          message: '',
          retryAfterSeconds: -1,
        }),
    ).toThrow(/retryAfterSeconds/);
  });

  it('serviceError builds from a preset with a default or given message', () => {
    expect(serviceError({ name: 'Boom', httpStatusCode: 500 }).message).toBe('Boom (simulated)');
    expect(serviceError(CommonErrors.serviceUnavailableException).message).toBe(
      'Service is unavailable',
    );
    expect(serviceError(CommonErrors.internalServerException, 'custom').message).toBe('custom');
  });
});

describe('simulation: OperationTable', () => {
  it('dispatches to typed handlers and lists its operations', async () => {
    // Prepare
    const table = new OperationTable('elbv2')
      .on<DescribeTargetHealthCommandInput, DescribeTargetHealthCommandOutput>(
        'DescribeTargetHealth',
        (input, ctx) => ({
          TargetHealthDescriptions: [
            { Target: { Id: `${input.TargetGroupArn}:${ctx.requestId}` } },
          ],
        }),
      )
      .on('DescribeRules', () => Promise.resolve({ Rules: [] }));

    // Act
    const answer = await table.dispatch('DescribeTargetHealth', { TargetGroupArn: 'tg' }, context);

    // Assess
    expect(answer).toEqual({ TargetHealthDescriptions: [{ Target: { Id: 'tg:req-1' } }] });
    expect(await table.dispatch('DescribeRules', {}, context)).toEqual({ Rules: [] });
    expect(table.operations()).toEqual(['DescribeRules', 'DescribeTargetHealth']);
    expect(table.has('DescribeRules')).toBe(true);
    expect(table.has('ModifyRule')).toBe(false);
  });

  it('answers an unknown operation like AWS, naming the model and what it has', async () => {
    const empty = await rejectionOf(new OperationTable('empty').dispatch('X', {}, context));
    const some = await rejectionOf(
      new OperationTable('m').on('A', () => ({})).dispatch('B', {}, context),
    );
    expect(empty).toBeInstanceOf(SimulatedServiceError);
    expect(empty).toMatchObject({ name: 'UnknownOperationException', httpStatusCode: 400 });
    expect(empty.message).toMatch(/Implemented: none/);
    expect(some.message).toMatch(/model 'm' does not implement operation 'B'. Implemented: A\./);
  });

  it('rejects badly named or duplicate operations', () => {
    const table = new OperationTable('m').on('DescribeRules', () => ({}));
    expect(() => table.on('DescribeRulesCommand'.toLowerCase(), () => ({}))).toThrow(/PascalCase/);
    expect(() => table.on('DescribeRules', () => ({}))).toThrow(SimulationConfigError);
    expect(() => table.on('DescribeRules', () => ({}))).toThrow(/already has a handler/);
  });
});

describe('simulation: validateInput', () => {
  const schema = z.object({
    clientToken: z.string().max(64).optional(),
    count: z.number().int().min(1).max(200),
  });

  it('returns the parsed input when valid', () => {
    expect(validateInput(schema, { count: 3 })).toEqual({ count: 3 });
  });

  it('answers invalid input like AWS: 400 ValidationException listing each violation', () => {
    // Act
    let error: unknown;
    try {
      validateInput(schema, { clientToken: 'x'.repeat(65), count: 0 });
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(SimulatedServiceError);
    expect(error).toMatchObject({
      name: 'ValidationException',
      httpStatusCode: 400,
      fault: 'client',
    });
    const message = (error as Error).message;
    expect(message).toMatch(/^2 validation errors detected: /);
    expect(message).toMatch(/Value at 'clientToken' failed to satisfy constraint: /);
    expect(message).toMatch(/Value at 'count' failed to satisfy constraint: /);
  });

  it('uses the query-protocol name when told, and names a non-object input', () => {
    expect(() => validateInput(schema, 'nope', { errorName: 'ValidationError' })).toThrow(
      expect.objectContaining({
        name: 'ValidationError',
        message: expect.stringMatching(/^1 validation error detected: Value at 'input'/) as string,
      }),
    );
    expect(validationError('m')).toMatchObject({ name: 'ValidationException', message: 'm' });
  });
});
