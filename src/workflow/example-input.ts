/**
 * A small sample of raw events for the example workflow's ETL stage (examples/workflow): the
 * default input of `opskit workflow run` and, with a marker, of `opskit workflow smoke`. Kept
 * apart from local-run/example.ts so that the smoke test does not load aws-cdk-lib.
 */
export const EXAMPLE_INPUT: readonly Record<string, unknown>[] = [
  { customerId: 'c-1', type: 'purchase', amount: '$1,250.00', timestamp: '2025-01-01T10:00:00Z' },
  { customerId: 'c-1', type: 'view', amount: 0, timestamp: 1735725600000 },
  { customerId: 'c-2', type: 'purchase', amount: 720.5, timestamp: '2025-01-01T11:30:00Z' },
  { customerId: 'c-3', type: 'refund', amount: '12', timestamp: '2025-01-02T09:00:00Z' },
  { customer: 'unknown', kind: 'garbage' },
];
