/**
 * Names of the workflow's resources. Pure: literal strings in, strings out (tokens, such as an
 * environment-agnostic account id, pass through unchecked).
 */

/** Stage names: S3 key segment, state name and `currentStage`; short enough for every name. */
export const STAGE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;
/** Deployment environment names. */
export const ENVIRONMENT_PATTERN = /^[a-z0-9][a-z0-9-]{0,19}$/;
/** `{FunctionPurpose}`: letters and digits. */
export const PURPOSE_PATTERN = /^[A-Za-z0-9]{1,40}$/;
/** Lambda function names and Glue job names share this limit here. */
export const FUNCTION_NAME_MAX_LENGTH = 64;
export const FUNCTION_NAME_PATTERN = /^[a-zA-Z0-9-_]+$/;
/** S3 bucket names: 3–63 of lower case letters, digits, `-` and `.`. */
export const BUCKET_NAME_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** `score-v2` → `ScoreV2`: the default `{FunctionPurpose}` of a stage. */
export function purposeOf(stageName: string): string {
  return stageName
    .split('-')
    .filter((part) => part.length > 0)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}

/** `{StackName}-{Environment}-{FunctionPurpose}` (requirement 1: clean, readable log groups). */
export function explicitFunctionName(
  stackName: string,
  environment: string,
  purpose: string,
): string {
  return `${stackName}-${environment}-${purpose}`;
}

/** `{namePrefix}-{environment}-{accountId}`. */
export function workflowBucketName(prefix: string, environment: string, account: string): string {
  return `${prefix}-${environment}-${account}`;
}

/** Why `name` cannot be a Lambda function / Glue job name, or `undefined` when it can. */
export function functionNameProblem(name: string): string | undefined {
  if (name.length > FUNCTION_NAME_MAX_LENGTH) {
    return `is ${name.length} characters long, more than ${FUNCTION_NAME_MAX_LENGTH}`;
  }
  if (!FUNCTION_NAME_PATTERN.test(name)) {
    return 'may only hold a-z A-Z 0-9 - _';
  }
  return undefined;
}
