/**
 * UUID-shaped, deterministic ids: the n-th id of a source is the same on every run, so logs and
 * assertions can name it. `group` (four hex digits) keeps the sources apart: request ids
 * `8000`, Lambda invocations `a000`, SQS messages `b000`, EventBridge events `c000`, CloudWatch
 * `d000` (events) and `d100` (alarm metric ids).
 */
export function sequentialUuid(group: string, n: number): string {
  return `00000000-0000-4000-${group}-${n.toString(16).padStart(12, '0')}`;
}
