import type {
  GetAWSDefaultServiceQuotaCommandInput,
  GetAWSDefaultServiceQuotaCommandOutput,
  GetServiceQuotaCommandInput,
  GetServiceQuotaCommandOutput,
  ListServiceQuotasCommandInput,
  ListServiceQuotasCommandOutput,
  ServiceQuota,
} from '@aws-sdk/client-service-quotas';
import { z } from 'zod';
import { SimulationConfigError } from '../errors.js';
import { SimulatedServiceError } from '../service-error.js';
import { OperationTable, type ModelResult } from '../service-model.js';
import { validateInput } from '../validation.js';
import {
  DEFAULT_DRS_QUOTAS,
  DRS_QUOTA_CODES,
  DRS_QUOTA_NAMES,
  DRS_SERVICE_CODE,
  resolveDrsQuotas,
  type DrsQuotaName,
  type DrsQuotas,
} from './drs-quotas.js';
import { ThrottledServiceModel, type CommonModelOptions } from './model-base.js';
import type { ThrottlingApiModel } from './throttling-api.js';

/**
 * An in-memory Service Quotas for the DRS quotas (service code `drs`, the four codes of
 * `DRS_QUOTA_CODES`): GetServiceQuota, GetAWSDefaultServiceQuota and ListServiceQuotas. The
 * applied values come from a DRS model (`drs`, so both always agree) or from `values`;
 * `setValue` changes one mid-run. Unknown service or quota codes answer
 * `NoSuchResourceException`; `denyAccess()` makes every call answer `AccessDeniedException`,
 * to test the fallback to built-in defaults. Invalid input is `IllegalArgumentException`.
 *
 * Simplifications: only the `drs` service; no quota increase requests, templates, usage
 * metrics or context ids.
 */

const SERVICE_NAME = 'AWS Elastic Disaster Recovery';
const QUOTA_CODE = /^L-[0-9A-F]{8}$/;
const ORDER: readonly DrsQuotaName[] = [
  'concurrentJobs',
  'serversPerJob',
  'serversInActiveJobs',
  'jobsPerServer',
];

export interface ServiceQuotasModelOptions extends CommonModelOptions {
  /** Answer the quotas this DRS model enforces (read on every call). */
  readonly drs?: { readonly quotas: DrsQuotas };
  /** Applied values when no `drs` is given. @default DEFAULT_DRS_QUOTAS */
  readonly values?: Partial<DrsQuotas>;
  /** Every call answers AccessDeniedException. @default false */
  readonly accessDenied?: boolean;
  /** @default 'service-quotas' */
  readonly name?: string;
}

const getInput = z.object({
  ServiceCode: z.string().min(1).max(63),
  QuotaCode: z.string().min(1).max(128),
  ContextId: z.string().optional(),
});

const listInput = z.object({
  ServiceCode: z.string().min(1).max(63),
  QuotaCode: z.string().min(1).max(128).optional(),
  MaxResults: z.number().int().min(1).max(100).optional(),
  NextToken: z.string().min(1).max(2048).optional(),
});

function noSuchResource(message: string): SimulatedServiceError {
  return new SimulatedServiceError({
    name: 'NoSuchResourceException',
    httpStatusCode: 400,
    message,
  });
}

export class ServiceQuotasModel extends ThrottledServiceModel {
  protected readonly api: ThrottlingApiModel;
  private readonly drs: { readonly quotas: DrsQuotas } | undefined;
  private values: DrsQuotas;
  private accessDenied: boolean;

  constructor(options: ServiceQuotasModelOptions) {
    super('ServiceQuotasModel', 'service-quotas', options);
    if (options.drs !== undefined && options.values !== undefined) {
      throw new SimulationConfigError(
        'ServiceQuotasModel: give either drs (answer its quotas) or values, not both.',
      );
    }
    this.drs = options.drs;
    this.values = resolveDrsQuotas(options.values);
    this.accessDenied = options.accessDenied ?? false;
    this.api = this.front(this.operationTable(), options);
  }

  /** Changes an applied value (with `drs`, change the DRS model's quotas instead). */
  setValue(quota: DrsQuotaName, value: number): void {
    if (this.drs !== undefined) {
      throw new SimulationConfigError(
        'ServiceQuotasModel.setValue: this model answers the quotas of a DRS model; configure those.',
      );
    }
    this.values = resolveDrsQuotas({ ...this.values, [quota]: value });
  }

  /** Every call answers AccessDeniedException while `denied` (the IAM policy lacks the action). */
  denyAccess(denied = true): void {
    this.accessDenied = denied;
  }

  private operationTable(): OperationTable {
    return new OperationTable(this.name)
      .on<GetServiceQuotaCommandInput, GetServiceQuotaCommandOutput>('GetServiceQuota', (raw) =>
        this.getQuota(raw, 'GetServiceQuota', this.applied()),
      )
      .on<GetAWSDefaultServiceQuotaCommandInput, GetAWSDefaultServiceQuotaCommandOutput>(
        'GetAWSDefaultServiceQuota',
        (raw) => this.getQuota(raw, 'GetAWSDefaultServiceQuota', DEFAULT_DRS_QUOTAS),
      )
      .on<ListServiceQuotasCommandInput, ListServiceQuotasCommandOutput>(
        'ListServiceQuotas',
        (raw) => this.listQuotas(raw),
      );
  }

  private applied(): DrsQuotas {
    return this.drs?.quotas ?? this.values;
  }

  private getQuota(
    raw: unknown,
    operation: string,
    values: DrsQuotas,
  ): ModelResult<GetServiceQuotaCommandOutput> {
    this.checkAccess(operation);
    const input = validateInput(getInput, raw, { errorName: 'IllegalArgumentException' });
    this.checkService(input.ServiceCode);
    const name = ORDER.find((quota) => DRS_QUOTA_CODES[quota] === input.QuotaCode);
    if (name === undefined) {
      throw noSuchResource(
        QUOTA_CODE.test(input.QuotaCode)
          ? `The request failed because the specified quota ${input.QuotaCode} does not exist for service ${input.ServiceCode}.`
          : `Invalid quota code ${input.QuotaCode}: quota codes look like L-1234ABCD.`,
      );
    }
    return { Quota: this.quota(name, values) };
  }

  private listQuotas(raw: unknown): ModelResult<ListServiceQuotasCommandOutput> {
    this.checkAccess('ListServiceQuotas');
    const input = validateInput(listInput, raw, { errorName: 'IllegalArgumentException' });
    this.checkService(input.ServiceCode);
    const names = ORDER.filter(
      (quota) => input.QuotaCode === undefined || DRS_QUOTA_CODES[quota] === input.QuotaCode,
    );
    const start = input.NextToken === undefined ? 0 : this.offsetOf(input.NextToken);
    const end = start + (input.MaxResults ?? 100);
    const values = this.applied();
    return {
      Quotas: names.slice(start, end).map((name) => this.quota(name, values)),
      ...(end < names.length ? { NextToken: Buffer.from(String(end)).toString('base64url') } : {}),
    };
  }

  private offsetOf(token: string): number {
    const offset = Number(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Number.isInteger(offset) || offset <= 0) {
      throw new SimulatedServiceError({
        name: 'InvalidPaginationTokenException',
        httpStatusCode: 400,
        message: 'Invalid NextToken: pass the NextToken of the previous page.',
      });
    }
    return offset;
  }

  private quota(name: DrsQuotaName, values: DrsQuotas): ServiceQuota {
    const code = DRS_QUOTA_CODES[name];
    return {
      ServiceCode: DRS_SERVICE_CODE,
      ServiceName: SERVICE_NAME,
      QuotaArn: `arn:aws:servicequotas:${this.region}:${this.accountId}:${DRS_SERVICE_CODE}/${code}`,
      QuotaCode: code,
      QuotaName: DRS_QUOTA_NAMES[name],
      Value: values[name],
      Unit: 'None',
      Adjustable: name !== 'jobsPerServer',
      GlobalQuota: false,
    };
  }

  private checkAccess(operation: string): void {
    if (!this.accessDenied) return;
    throw new SimulatedServiceError({
      name: 'AccessDeniedException',
      httpStatusCode: 403,
      message: `User is not authorized to perform: servicequotas:${operation}`,
    });
  }

  private checkService(serviceCode: string): void {
    if (serviceCode !== DRS_SERVICE_CODE) {
      throw noSuchResource(
        `The request failed because the specified service ${serviceCode} does not exist ` +
          `(the simulation models only '${DRS_SERVICE_CODE}').`,
      );
    }
  }
}
