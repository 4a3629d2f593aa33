/** CloudWatch metric namespaces, one per capability, so dashboards and alarms can find them. */
export const MetricNamespaces = {
  resilience: 'AwsOpsKit/Resilience',
  loadShedding: 'AwsOpsKit/LoadShedding',
  taskStarter: 'AwsOpsKit/TaskStarter',
  workflow: 'AwsOpsKit/Workflow',
  /** The DRS spec names this namespace; its alarms depend on it. */
  disasterRecovery: 'DRS/RateLimits',
} as const;

export type MetricNamespace = (typeof MetricNamespaces)[keyof typeof MetricNamespaces];
