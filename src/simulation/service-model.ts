import { SimulationConfigError } from './errors.js';
import { SimulatedServiceError } from './service-error.js';

/**
 * The contract between the SDK mount and a model of an AWS service, and a small router that
 * most models use to dispatch operation names to typed handlers.
 */

/** A command's input as the SDK received it (a structured clone, so the model may keep it). */
export type ModelInput = Readonly<Record<string, unknown>>;

/** What an operation answers: the command output without `$metadata` (the mount adds it). */
export type ModelResult<Output> = Omit<Output, '$metadata'>;

export interface ModelCallContext {
  /** Operation name without the `Command` suffix, e.g. `DescribeTargetHealth`. */
  readonly operation: string;
  /** The request id the answer carries (`$metadata.requestId`); deterministic per model. */
  readonly requestId: string;
  /** The SDK client's name, e.g. `ElasticLoadBalancingV2Client`. */
  readonly clientName: string | undefined;
  /** 1-based attempt number the SDK's retry middleware sent, when it sent one. */
  readonly attempt: number | undefined;
}

/** A model of one AWS service. Answer with a result, or throw a `SimulatedServiceError`. */
export interface ServiceModel {
  /** Names the model in errors and traces, e.g. `elbv2`. */
  readonly name: string;
  handle(operation: string, input: ModelInput, context: ModelCallContext): object | Promise<object>;
}

export type OperationHandler<Input, Output> = (
  input: Input,
  context: ModelCallContext,
) => ModelResult<Output> | Promise<ModelResult<Output>>;

/** What AWS answers for an operation the endpoint does not know; here, one the model lacks. */
export function unknownOperationError(
  modelName: string,
  operation: string,
  implemented: readonly string[],
): SimulatedServiceError {
  return new SimulatedServiceError({
    name: 'UnknownOperationException',
    httpStatusCode: 400,
    message:
      `The simulation model '${modelName}' does not implement operation '${operation}'. ` +
      `Implemented: ${implemented.length > 0 ? implemented.join(', ') : 'none'}. ` +
      'Add a handler for it to the model.',
  });
}

/**
 * Routes operation names to handlers. Type a handler with the SDK's own command types:
 *
 *   table.on<DescribeTargetHealthCommandInput, DescribeTargetHealthCommandOutput>(
 *     'DescribeTargetHealth', (input) => ({ TargetHealthDescriptions: [] }))
 *
 * The input type is what the SDK's types promised the caller; validate what AWS validates
 * (see `validateInput`), since a model must reject what AWS rejects.
 */
export class OperationTable {
  private readonly handlers = new Map<string, OperationHandler<ModelInput, object>>();

  constructor(readonly modelName: string) {}

  on<Input extends object = ModelInput, Output extends object = object>(
    operation: string,
    handler: OperationHandler<Input, Output>,
  ): this {
    if (!/^[A-Z][A-Za-z0-9]*$/.test(operation)) {
      throw new SimulationConfigError(
        `Operation names are PascalCase without the Command suffix (e.g. 'DescribeRules'), got '${operation}'.`,
      );
    }
    if (this.handlers.has(operation)) {
      throw new SimulationConfigError(
        `Model '${this.modelName}' already has a handler for '${operation}'.`,
      );
    }
    // The mount hands over the input the SDK typed as Input; see the class comment.
    this.handlers.set(operation, handler as unknown as OperationHandler<ModelInput, object>);
    return this;
  }

  has(operation: string): boolean {
    return this.handlers.has(operation);
  }

  operations(): string[] {
    return [...this.handlers.keys()].sort();
  }

  async dispatch(operation: string, input: ModelInput, context: ModelCallContext): Promise<object> {
    const handler = this.handlers.get(operation);
    if (handler === undefined) {
      throw unknownOperationError(this.modelName, operation, this.operations());
    }
    return handler(input, context);
  }
}
