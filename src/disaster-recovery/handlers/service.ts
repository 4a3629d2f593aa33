/**
 * The `service` of the handlers' logs and EMF metrics. Powertools Metrics adds it as a dimension
 * to every metric it emits (single metrics included), so a metric recorded with `Service=drs`
 * reaches CloudWatch with the dimensions `service` and `Service`: the construct's alarms name
 * both, or they would watch a metric nobody emits. Pure, so the construct can import it.
 */
import { DrsAlarmMetrics } from '../contract.js';

export const DISASTER_RECOVERY_SERVICE_NAME = 'disaster-recovery';

/** Powertools' name of the service dimension. */
export const POWERTOOLS_SERVICE_DIMENSION = 'service';

/** The exact dimensions of an alarm metric as the deployed handlers emit it. */
export function emittedAlarmDimensions(
  metric: keyof typeof DrsAlarmMetrics,
): Readonly<Record<string, string>> {
  return {
    [POWERTOOLS_SERVICE_DIMENSION]: DISASTER_RECOVERY_SERVICE_NAME,
    ...DrsAlarmMetrics[metric].dimensions,
  };
}
