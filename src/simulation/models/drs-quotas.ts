import { checkInteger } from '../config-checks.js';
import { SimulatedServiceError } from '../service-error.js';

/**
 * The DRS quotas the model enforces, with their Service Quotas codes (service code `drs`). The
 * values are AWS's defaults as AWS-FACTS.md lists them; sources disagree, so every value is
 * configurable and the Service Quotas model can answer the same numbers.
 */

export interface DrsQuotas {
  /** Jobs in PENDING or STARTED at once, per account and region. @default 20 */
  readonly concurrentJobs: number;
  /** Source servers in one StartRecovery job. @default 100 */
  readonly serversPerJob: number;
  /** Source servers in all PENDING/STARTED jobs together. @default 500 */
  readonly serversInActiveJobs: number;
  /** Active jobs a source server may take part in at once. @default 1 */
  readonly jobsPerServer: number;
}

export type DrsQuotaName = keyof DrsQuotas;

export const DEFAULT_DRS_QUOTAS: DrsQuotas = {
  concurrentJobs: 20,
  serversPerJob: 100,
  serversInActiveJobs: 500,
  jobsPerServer: 1,
};

/** Service Quotas codes of the DRS quotas (service code `drs`). */
export const DRS_QUOTA_CODES: Readonly<Record<DrsQuotaName, string>> = {
  concurrentJobs: 'L-D88FAC3A',
  serversPerJob: 'L-B827C881',
  serversInActiveJobs: 'L-05AFA8C6',
  jobsPerServer: 'L-DD6D028C',
};

/** Names the Service Quotas console shows (approximately; callers key on the codes). */
export const DRS_QUOTA_NAMES: Readonly<Record<DrsQuotaName, string>> = {
  concurrentJobs: 'Concurrent jobs in progress',
  serversPerJob: 'Max number of source servers in a single Job',
  serversInActiveJobs: 'Max number of source servers in all jobs',
  jobsPerServer: 'Concurrent jobs per source server',
};

export const DRS_SERVICE_CODE = 'drs';

/** `given` over the defaults, each an integer >= 1 (an option error names the bad one). */
export function resolveDrsQuotas(given: Partial<DrsQuotas> = {}): DrsQuotas {
  const quotas = { ...DEFAULT_DRS_QUOTAS, ...given };
  for (const name of Object.keys(DEFAULT_DRS_QUOTAS) as DrsQuotaName[]) {
    checkInteger(`quotas.${name}`, quotas[name], 1, 1_000_000);
  }
  return quotas;
}

/** The quota errors DRS answers: HTTP 402 with the quota's codes. */
export function quotaExceeded(
  quota: Exclude<DrsQuotaName, 'jobsPerServer'>,
  message: string,
): SimulatedServiceError {
  return new SimulatedServiceError({
    name: 'ServiceQuotaExceededException',
    httpStatusCode: 402,
    message,
    fields: {
      code: 'SERVICE_QUOTA_EXCEEDED',
      serviceCode: DRS_SERVICE_CODE,
      quotaCode: DRS_QUOTA_CODES[quota],
      resourceType: quota === 'concurrentJobs' ? 'JOB' : 'SOURCE_SERVER',
    },
  });
}

/** A source server already in as many active jobs as allowed: HTTP 409. */
export function serverInActiveJob(sourceServerID: string, jobID: string): SimulatedServiceError {
  return new SimulatedServiceError({
    name: 'ConflictException',
    httpStatusCode: 409,
    message: `Source server ${sourceServerID} is already part of active job ${jobID}.`,
    fields: { code: 'CONFLICT', resourceId: sourceServerID, resourceType: 'SOURCE_SERVER' },
  });
}
