import * as elbv2 from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ElasticLoadBalancingV2ServiceException,
  TargetGroupNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { HttpResponse } from '@smithy/protocol-http';
import { Readable } from 'node:stream';
import { ServiceException } from '@smithy/smithy-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SimulationConfigError } from '../../src/simulation/errors.js';
import {
  MODEL_MIDDLEWARE_NAME,
  createSimulatedClient,
  mountModel,
  networkDisabledHandler,
  toSdkException,
} from '../../src/simulation/sdk-mount.js';
import { CommonErrors, SimulatedServiceError } from '../../src/simulation/service-error.js';
import {
  OperationTable,
  type ModelCallContext,
  type ModelInput,
  type ServiceModel,
} from '../../src/simulation/service-model.js';
import { VirtualClock } from '../../src/simulation/virtual-clock.js';

interface Call {
  readonly operation: string;
  readonly input: ModelInput;
  readonly context: ModelCallContext;
}

/** A model that records its calls and answers with `answer` (or throws what it throws). */
function recordingModel(answer: (call: Call) => object): ServiceModel & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    name: 'recording',
    calls,
    handle(operation, input, context) {
      const call = { operation, input, context };
      calls.push(call);
      return answer(call);
    },
  };
}

function throwing(error: SimulatedServiceError | Error) {
  return recordingModel(() => {
    throw error;
  });
}

async function failureOf(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error('expected the call to fail');
}

/** A real ELBv2 client answering one XML error document, as AWS would. */
async function realDeserializedError(code: string, status: number): Promise<unknown> {
  const body =
    `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>m</Message></Error>` +
    '<RequestId>r-1</RequestId></ErrorResponse>';
  const client = new ElasticLoadBalancingV2Client({
    region: 'eu-west-1',
    maxAttempts: 1,
    requestHandler: {
      handle: () =>
        Promise.resolve({
          response: new HttpResponse({
            statusCode: status,
            headers: { 'x-amzn-requestid': 'r-1' },
            body: Buffer.from(body),
          }),
        }),
    },
  });
  return failureOf(client.send(new DescribeTargetHealthCommand({ TargetGroupArn: 'arn' })));
}

let clock: VirtualClock | undefined;
afterEach(() => {
  clock?.uninstall();
  clock = undefined;
});

describe('simulation: mountModel placement', () => {
  it('sits right below the SDK retry middleware and above signing', () => {
    // Prepare
    const client = new ElasticLoadBalancingV2Client({ region: 'eu-west-1' });

    // Act
    mountModel(
      client,
      recordingModel(() => ({})),
    );
    const names = client.middlewareStack
      .concat(new DescribeTargetGroupsCommand({}).middlewareStack)
      .identify()
      .map((entry) => entry.split(' ')[0]);

    // Assess
    const retry = names.indexOf('retryMiddleware');
    expect(retry).toBeGreaterThanOrEqual(0);
    expect(names[retry + 1]).toBe(MODEL_MIDDLEWARE_NAME);
    expect(names[retry + 2]).toBe('httpSigningMiddleware');
  });
});

describe('simulation: mountModel answers', () => {
  it('routes the operation and input to the model and returns its answer with $metadata', async () => {
    // Prepare
    const model = recordingModel(() => ({ TargetGroups: [{ TargetGroupName: 'blue' }] }));
    const client = createSimulatedClient(ElasticLoadBalancingV2Client, {}, model);
    const input = { Names: ['blue'] };

    // Act
    const output = await client.send(new DescribeTargetGroupsCommand(input));
    input.Names.push('mutated-after-send');

    // Assess
    expect(output.TargetGroups).toEqual([{ TargetGroupName: 'blue' }]);
    expect(output.$metadata).toMatchObject({ httpStatusCode: 200, attempts: 1 });
    expect(output.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const [call] = model.calls;
    expect(call?.operation).toBe('DescribeTargetGroups');
    expect(call?.input).toEqual({ Names: ['blue'] });
    expect(call?.context).toMatchObject({
      operation: 'DescribeTargetGroups',
      clientName: 'ElasticLoadBalancingV2Client',
      attempt: 1,
      requestId: output.$metadata.requestId,
    });
  });

  it('gives each answer its own copy of the model data', async () => {
    const shared = { TargetGroups: [{ TargetGroupName: 'blue' }] };
    const client = createSimulatedClient(
      ElasticLoadBalancingV2Client,
      {},
      recordingModel(() => shared),
    );
    const first = await client.send(new DescribeTargetGroupsCommand({}));
    first.TargetGroups?.push({ TargetGroupName: 'caller-side' });
    const second = await client.send(new DescribeTargetGroupsCommand({}));
    expect(second.TargetGroups).toEqual([{ TargetGroupName: 'blue' }]);
  });

  it('passes values that cannot be copied (streams) as they are', async () => {
    const body = Readable.from(['payload']);
    const client = createSimulatedClient(
      ElasticLoadBalancingV2Client,
      {},
      recordingModel(() => ({ Body: body })),
    );
    const output = await client.send(new DescribeTargetGroupsCommand({}));
    expect((output as unknown as { Body: unknown }).Body).toBe(body);
  });

  it('numbers request ids per model, deterministically', async () => {
    const ids = async (): Promise<string[]> => {
      const client = createSimulatedClient(
        ElasticLoadBalancingV2Client,
        {},
        recordingModel(() => ({})),
      );
      const a = await client.send(new DescribeTargetGroupsCommand({}));
      const b = await client.send(new DescribeTargetGroupsCommand({}));
      return [a.$metadata.requestId ?? '', b.$metadata.requestId ?? ''];
    };
    const first = await ids();
    expect(await ids()).toEqual(first);
    expect(first[0]).not.toBe(first[1]);
  });

  it('takes effect on a client that caches its middleware chains', async () => {
    // Prepare
    const client = createSimulatedClient(
      ElasticLoadBalancingV2Client,
      { cacheMiddleware: true },
      recordingModel(() => ({ TargetGroups: [] })),
    );
    await client.send(new DescribeTargetGroupsCommand({}));

    // Act
    mountModel(
      client,
      recordingModel(() => ({ TargetGroups: [{ TargetGroupName: 'new' }] })),
    );
    const output = await client.send(new DescribeTargetGroupsCommand({}));

    // Assess
    expect(output.TargetGroups).toEqual([{ TargetGroupName: 'new' }]);
  });

  it('mounting again replaces the model', async () => {
    const client = createSimulatedClient(
      ElasticLoadBalancingV2Client,
      {},
      recordingModel(() => ({ TargetGroups: [] })),
    );
    const second = recordingModel(() => ({ TargetGroups: [{ TargetGroupName: 'green' }] }));
    mountModel(client, second);
    const output = await client.send(new DescribeTargetGroupsCommand({}));
    expect(output.TargetGroups).toEqual([{ TargetGroupName: 'green' }]);
    expect(second.calls).toHaveLength(1);
  });
});

describe('simulation: mountModel errors', () => {
  it('raises an unmodeled throttle as the package base exception, as the SDK does', async () => {
    // Prepare
    const client = createSimulatedClient(
      ElasticLoadBalancingV2Client,
      { maxAttempts: 1 },
      throwing(new SimulatedServiceError({ ...CommonErrors.queryThrottling })),
      { exceptions: elbv2 },
    );

    // Act
    const error = await failureOf(
      client.send(new DescribeTargetHealthCommand({ TargetGroupArn: 'a' })),
    );

    // Assess
    const real = (await realDeserializedError('Throttling', 400)) as Record<string, unknown>;
    expect(error).toBeInstanceOf(ElasticLoadBalancingV2ServiceException);
    expect(error.constructor).toBe(real.constructor);
    expect(error).toMatchObject({ name: 'Throttling', $fault: 'client', message: 'Rate exceeded' });
    expect(error.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 1 });
    expect((error.$response as HttpResponse).statusCode).toBe(400);
    expect(Object.keys(error)).not.toContain('$response');
  });

  it('raises a modeled error as the package class, with the class fault', async () => {
    // Prepare: the model says "server" by mistake; the modeled class fixes the fault.
    const client = createSimulatedClient(
      ElasticLoadBalancingV2Client,
      {},
      throwing(
        new SimulatedServiceError({
          name: 'TargetGroupNotFoundException',
          httpStatusCode: 400,
          fault: 'server',
          message: 'One or more target groups not found',
        }),
      ),
      { exceptions: elbv2 },
    );

    // Act
    const error = await failureOf(client.send(new DescribeRulesCommand({ ListenerArn: 'l' })));

    // Assess
    const real = await realDeserializedError('TargetGroupNotFound', 400);
    expect(real).toBeInstanceOf(TargetGroupNotFoundException);
    expect(error).toBeInstanceOf(TargetGroupNotFoundException);
    expect(error).toMatchObject({
      name: 'TargetGroupNotFoundException',
      $fault: 'client',
      message: 'One or more target groups not found',
    });
    expect(error.$metadata).toMatchObject({ httpStatusCode: 400 });
    expect(error).not.toHaveProperty('Message');
  });

  it('raises a 5xx as a server fault, with members and the Retry-After header', async () => {
    // Prepare
    const client = createSimulatedClient(
      ElasticLoadBalancingV2Client,
      { maxAttempts: 1 },
      throwing(
        new SimulatedServiceError({
          ...CommonErrors.serviceUnavailable,
          retryAfterSeconds: 3,
          fields: { retryAfterSeconds: 3, quotaCode: 'L-1' },
          headers: { 'X-Extra': 'yes' },
        }),
      ),
      { exceptions: elbv2 },
    );

    // Act
    const error = await failureOf(client.send(new DescribeTargetGroupsCommand({})));

    // Assess
    const real = (await realDeserializedError('ServiceUnavailable', 503)) as Record<
      string,
      unknown
    >;
    expect(error.constructor).toBe(real.constructor);
    expect(error).toMatchObject({ name: 'ServiceUnavailable', $fault: 'server' });
    expect(real).toMatchObject({ name: 'ServiceUnavailable', $fault: 'server' });
    expect(error).toMatchObject({ retryAfterSeconds: 3, quotaCode: 'L-1' });
    expect(error.$metadata).toMatchObject({ httpStatusCode: 503 });
    expect((error.$response as HttpResponse).headers).toMatchObject({
      'retry-after': '3',
      'x-extra': 'yes',
    });
  });

  it('falls back to the smithy ServiceException without the package exports', () => {
    const error = toSdkException(
      new SimulatedServiceError({ ...CommonErrors.internalServerException }),
      'req-1',
    );
    expect(error).toBeInstanceOf(ServiceException);
    expect(error.constructor).toBe(ServiceException);
    expect(error).toMatchObject({ name: 'InternalServerException', $fault: 'server' });
    expect(error.$metadata).toEqual({
      httpStatusCode: 500,
      requestId: 'req-1',
      extendedRequestId: undefined,
      cfId: undefined,
    });
  });

  it('ignores exports that are not exception classes', () => {
    const error = toSdkException(
      new SimulatedServiceError({ ...CommonErrors.queryThrottling }),
      'r',
      {
        Throttling: 'not a class',
        FakeServiceException: 42,
      },
    );
    expect(error.constructor).toBe(ServiceException);
    expect(error.name).toBe('Throttling');
  });

  it('passes a model bug through unchanged, not as a service error', async () => {
    const bug = new TypeError('model bug');
    const model = throwing(bug);
    const client = createSimulatedClient(ElasticLoadBalancingV2Client, {}, model);
    await expect(client.send(new DescribeTargetGroupsCommand({}))).rejects.toBe(bug);
    expect(model.calls).toHaveLength(1); // a non-AWS error is not retried by the SDK
  });

  it('answers an operation the model lacks with UnknownOperationException', async () => {
    // Prepare
    const table = new OperationTable('elbv2-lite').on('DescribeTargetGroups', () => ({}));
    const model: ServiceModel = {
      name: 'elbv2-lite',
      handle: (op, input, ctx) => table.dispatch(op, input, ctx),
    };
    const client = createSimulatedClient(ElasticLoadBalancingV2Client, {}, model, {
      exceptions: elbv2,
    });

    // Act
    const error = await failureOf(client.send(new DescribeRulesCommand({ ListenerArn: 'l' })));

    // Assess
    expect(error).toBeInstanceOf(ElasticLoadBalancingV2ServiceException);
    expect(error).toMatchObject({ name: 'UnknownOperationException', $fault: 'client' });
    expect(error.message).toMatch(/'elbv2-lite' does not implement operation 'DescribeRules'/);
    expect(error.message).toMatch(/Implemented: DescribeTargetGroups/);
  });
});

describe('simulation: mountModel and the SDK retry strategy', () => {
  it('lets the default standard retry (3 attempts) retry a throttle in virtual global time', async () => {
    // Prepare
    clock = VirtualClock.install({ random: 1 });
    const model = throwing(new SimulatedServiceError({ ...CommonErrors.queryThrottling }));
    const client = createSimulatedClient(ElasticLoadBalancingV2Client, {}, model, {
      exceptions: elbv2,
    });
    const startedAt = clock.now();
    const realStart = performance.now();

    // Act
    const error = await clock.run(() =>
      failureOf(client.send(new DescribeTargetHealthCommand({ TargetGroupArn: 'a' }))),
    );

    // Assess
    expect(model.calls.map((call) => call.context.attempt)).toEqual([1, 2, 3]);
    expect(error).toMatchObject({ name: 'Throttling' });
    const metadata = error.$metadata as { attempts: number; totalRetryDelay: number };
    expect(metadata.attempts).toBe(3);
    // Throttling backoff (base 1 s) happened in virtual time, not real time.
    expect(metadata.totalRetryDelay).toBeGreaterThan(0);
    expect(clock.now() - startedAt).toBe(metadata.totalRetryDelay);
    expect(performance.now() - realStart).toBeLessThan(metadata.totalRetryDelay);
  });

  it('retries a 5xx and succeeds when the model recovers', async () => {
    clock = VirtualClock.install({ random: 2 });
    let calls = 0;
    const model = recordingModel(() => {
      calls++;
      if (calls === 1) throw new SimulatedServiceError({ ...CommonErrors.internalFailure });
      return { TargetGroups: [] };
    });
    const client = createSimulatedClient(ElasticLoadBalancingV2Client, {}, model, {
      exceptions: elbv2,
    });
    const output = await clock.run(() => client.send(new DescribeTargetGroupsCommand({})));
    expect(output.$metadata.attempts).toBe(2);
    expect(calls).toBe(2);
  });

  it('does not retry a client error', async () => {
    const model = throwing(
      new SimulatedServiceError({ name: 'ValidationError', httpStatusCode: 400, message: 'bad' }),
    );
    const client = createSimulatedClient(ElasticLoadBalancingV2Client, {}, model, {
      exceptions: elbv2,
    });
    await expect(client.send(new DescribeTargetGroupsCommand({}))).rejects.toMatchObject({
      name: 'ValidationError',
    });
    expect(model.calls).toHaveLength(1);
  });
});

describe('simulation: no credentials, no network', () => {
  it('never calls the credential provider or the request handler of a mounted client', async () => {
    // Prepare
    const credentials = vi.fn(() =>
      Promise.resolve({ accessKeyId: 'real', secretAccessKey: 'real' }),
    );
    const handle = vi.fn(() => Promise.reject(new Error('network!')));
    const client = new ElasticLoadBalancingV2Client({
      region: 'eu-west-1',
      credentials,
      requestHandler: { handle },
    });
    mountModel(
      client,
      recordingModel(() => ({ TargetGroups: [] })),
    );

    // Act
    const output = await client.send(new DescribeTargetGroupsCommand({}));

    // Assess
    expect(output.TargetGroups).toEqual([]);
    expect(credentials).not.toHaveBeenCalled();
    expect(handle).not.toHaveBeenCalled();
  });

  it('keeps the client credential provider when asked', async () => {
    const credentials = vi.fn(() =>
      Promise.resolve({ accessKeyId: 'AKID', secretAccessKey: 'secret' }),
    );
    const client = new ElasticLoadBalancingV2Client({ region: 'eu-west-1', credentials });
    mountModel(
      client,
      recordingModel(() => ({})),
      { keepCredentials: true },
    );
    await client.send(new DescribeTargetGroupsCommand({}));
    expect(credentials).toHaveBeenCalled();
  });

  it('gives simulated clients a request handler that refuses to send', async () => {
    // Prepare
    const client = createSimulatedClient(
      ElasticLoadBalancingV2Client,
      { region: 'ap-southeast-2' },
      recordingModel(() => ({})),
    );

    // Act
    client.middlewareStack.remove(MODEL_MIDDLEWARE_NAME);
    const error = await failureOf(client.send(new DescribeTargetGroupsCommand({})));

    // Assess
    expect(await client.config.region()).toBe('ap-southeast-2');
    expect(error).toBeInstanceOf(SimulationConfigError);
    expect(error.message).toMatch(/tried to send an HTTP request/);
    await expect(networkDisabledHandler.handle()).rejects.toThrow(SimulationConfigError);
  });

  it('needs the command name to route a call', async () => {
    const client = createSimulatedClient(
      ElasticLoadBalancingV2Client,
      {},
      recordingModel(() => ({})),
    );
    client.middlewareStack.add(
      (next, context) => (args) => {
        context.commandName = undefined;
        return next(args);
      },
      { step: 'initialize', name: 'eraseCommandName' },
    );
    await expect(client.send(new DescribeTargetGroupsCommand({}))).rejects.toThrow(
      /did not name the command/,
    );
  });
});
