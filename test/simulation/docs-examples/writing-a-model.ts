import * as elbv2 from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type DescribeTargetHealthCommandInput,
  type DescribeTargetHealthCommandOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { z } from 'zod';
import {
  OperationTable,
  SimulatedServiceError,
  createSimulatedClient,
  validateInput,
  type ModelCallContext,
  type ModelInput,
  type ServiceModel,
} from '../../../src/simulation/index.js';

const describeTargetHealthInput = z.object({
  TargetGroupArn: z.string().min(1),
  Targets: z.array(z.object({ Id: z.string(), Port: z.number().int().optional() })).optional(),
});

/** A tiny target-health model: state lives in the model, answers come from the table. */
class TargetHealthModel implements ServiceModel {
  readonly name = 'target-health';
  private readonly healthy = new Map<string, string[]>([['arn:tg/blue', ['10.0.0.1']]]);
  private readonly table = new OperationTable(this.name).on<
    DescribeTargetHealthCommandInput,
    DescribeTargetHealthCommandOutput
  >('DescribeTargetHealth', (raw) => {
    // ELBv2 is a query-protocol service: its validation error is `ValidationError`.
    const input = validateInput(describeTargetHealthInput, raw, { errorName: 'ValidationError' });
    const targets = this.healthy.get(input.TargetGroupArn);
    if (targets === undefined) {
      throw new SimulatedServiceError({
        name: 'TargetGroupNotFoundException', // the SDK's class name: callers get that class
        httpStatusCode: 400,
        message: 'One or more target groups not found',
      });
    }
    return {
      TargetHealthDescriptions: targets.map((Id) => ({
        Target: { Id, Port: 80 },
        TargetHealth: { State: 'healthy' },
      })),
    };
  });

  handle(operation: string, input: ModelInput, context: ModelCallContext): Promise<object> {
    return this.table.dispatch(operation, input, context);
  }
}

const client = createSimulatedClient(ElasticLoadBalancingV2Client, {}, new TargetHealthModel(), {
  exceptions: elbv2,
});
const health = await client.send(
  new DescribeTargetHealthCommand({ TargetGroupArn: 'arn:tg/blue' }),
);
const missing = await client
  .send(new DescribeTargetHealthCommand({ TargetGroupArn: 'arn:tg/green' }))
  .catch((error: unknown) => error); // an elbv2.TargetGroupNotFoundException
// end of example
export { health, missing };
