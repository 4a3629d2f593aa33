import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges one cdk-nag finding on one construct, with the reason it is acceptable.
 *
 * cdk-nag 3 reads CDK's own acknowledgement metadata (`Validations.of(x).acknowledge`), which
 * applies to the construct and everything below it. Callers pass the L1 resource
 * (`node.defaultChild`), so an acknowledgement never hides a finding on a sibling, such as a
 * user's own statements in the role's DefaultPolicy.
 */
export function acknowledgeFinding(resource: IConstruct, findingId: string, reason: string): void {
  Validations.of(resource).acknowledge({ id: findingId, reason });
}

/**
 * The id cdk-nag gives an AwsSolutions-IAM5 finding on a wildcard resource, e.g.
 * `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:...:log-stream:*]`.
 *
 * cdk-nag 3 matches acknowledgements exactly (no prefixes or patterns), and it names a
 * resource by flattening its CloudFormation form: `Ref` becomes `<Name>`, `Fn::GetAtt`
 * becomes `<Resource.Attribute>`, `Fn::Join` is joined. This mirrors that flattening (cdk-nag is
 * a development dependency, so its internals are not imported here); the tests run the real
 * cdk-nag against every acknowledgement, so a drift fails them.
 */
export function wildcardResourceFindingId(scope: IConstruct, resourceArn: string): string {
  const resolved: unknown = Stack.of(scope).resolve(resourceArn);
  return `AwsSolutions-IAM5[Resource::${flattenReference(resolved)}]`;
}

function flattenReference(node: unknown): string {
  if (typeof node === 'string') {
    return node.replace(/\$\{/g, '<').replace(/}/g, '>');
  }
  if (isObject(node)) {
    const join = node['Fn::Join'];
    if (Array.isArray(join)) {
      const [delimiter, items] = join as [string, unknown[]];
      return items.map(flattenReference).join(delimiter);
    }
    if (node['Fn::Sub'] !== undefined) {
      return flattenReference(node['Fn::Sub']);
    }
    const getAtt = node['Fn::GetAtt'];
    if (Array.isArray(getAtt)) {
      const [resource, attribute] = getAtt as [unknown, unknown];
      return `<${flattenReference(resource)}.${flattenReference(attribute)}>`;
    }
    if (node['Fn::ImportValue'] !== undefined) {
      return flattenReference(node['Fn::ImportValue']);
    }
    if (node.Ref !== undefined) {
      return `<${flattenReference(node.Ref)}>`;
    }
  }
  return JSON.stringify(node);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
