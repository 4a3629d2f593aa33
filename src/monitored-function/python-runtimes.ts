import * as lambda from 'aws-cdk-lib/aws-lambda';
import { MonitoredFunctionError } from './errors.js';

/**
 * Raised when a Python function cannot be packaged: bad options, unsupported runtime or
 * architecture, pip missing or failing. Defined here (and re-exported by python-packaging.ts)
 * so the runtime helpers below can throw it without an import cycle.
 */
export class PythonPackagingError extends MonitoredFunctionError {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'PythonPackagingError';
  }
}

/**
 * The Python runtimes the kit packages for: python3.9 and every newer one aws-cdk-lib offers.
 * Older ones (3.8 and below) can no longer be created or updated in Lambda. The test suite
 * checks this list against `lambda.Runtime.ALL`, so a CDK upgrade that adds a runtime fails
 * loudly until it is listed here.
 */
export const PYTHON_RUNTIMES: readonly lambda.Runtime[] = Object.freeze([
  lambda.Runtime.PYTHON_3_9,
  lambda.Runtime.PYTHON_3_10,
  lambda.Runtime.PYTHON_3_11,
  lambda.Runtime.PYTHON_3_12,
  lambda.Runtime.PYTHON_3_13,
  lambda.Runtime.PYTHON_3_14,
  lambda.Runtime.PYTHON_3_15,
]);

const SUPPORTED_NAMES = new Set(PYTHON_RUNTIMES.map((runtime) => runtime.name));

/**
 * True for the Python runtimes in {@link PYTHON_RUNTIMES}. Compared by name, so a
 * `new lambda.Runtime('python3.12', ...)` built by hand counts as python3.12.
 */
export function isPythonRuntime(runtime: lambda.Runtime): boolean {
  return SUPPORTED_NAMES.has(runtime.name);
}

/** The `X.Y` Python version of a supported Python runtime, e.g. `'3.12'` for python3.12. */
export function pythonVersionOf(runtime: lambda.Runtime): string {
  if (!isPythonRuntime(runtime)) {
    const supported = PYTHON_RUNTIMES.map((r) => r.name).join(', ');
    const why =
      runtime.family === lambda.RuntimeFamily.PYTHON
        ? `runtime ${runtime.name} is no longer supported by AWS Lambda or this kit`
        : `runtime ${runtime.name} is not a Python runtime`;
    throw new PythonPackagingError(`${why}: use one of ${supported}.`);
  }
  return runtime.name.slice('python'.length);
}

/** The Amazon Linux release a Python runtime runs on; it decides which wheels can load there. */
export type AmazonLinux = 'al2' | 'al2023';

/**
 * glibc of each Amazon Linux release: AL2 ships glibc 2.26, AL2023 glibc 2.34
 * (AL2023 user guide, "Improved toolchain: gcc, binutils, and glibc":
 * https://docs.aws.amazon.com/linux/al2023/ug/glibc-gcc-and-binutils.html).
 */
export const GLIBC_OF: Readonly<
  Record<AmazonLinux, { readonly major: number; readonly minor: number }>
> = Object.freeze({
  al2: Object.freeze({ major: 2, minor: 26 }),
  al2023: Object.freeze({ major: 2, minor: 34 }),
});

/**
 * python3.9–3.11 run on Amazon Linux 2, python3.12 and newer on Amazon Linux 2023 (Lambda
 * developer guide, "Building Lambda functions with Python", runtime table:
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-python.html). Newer runtimes are treated
 * as AL2023: should one move to a newer OS, AL2023 wheels still load there, as a manylinux tag
 * only sets a minimum glibc.
 */
const AMAZON_LINUX_2_RUNTIMES: ReadonlySet<string> = new Set([
  'python3.9',
  'python3.10',
  'python3.11',
]);

/** The Amazon Linux release a supported Python runtime runs on. */
export function amazonLinuxOf(runtime: lambda.Runtime): AmazonLinux {
  pythonVersionOf(runtime); // rejects non-Python and unsupported runtimes with a clear error
  return AMAZON_LINUX_2_RUNTIMES.has(runtime.name) ? 'al2' : 'al2023';
}

/**
 * End-of-support dates from the AWS Health notices Lambda sent to every account using these
 * runtimes ("We are ending support for Python 3.9 in Lambda on December 15, 2025", "... Python
 * 3.10 in Lambda on October 31, 2026"). The later block-create / block-update dates have moved
 * more than once, so the texts point to the Lambda runtime table rather than quoting them.
 */
const DEPRECATIONS: ReadonlyMap<string, string> = new Map([
  deprecation('python3.9', '15 December 2025'),
  deprecation('python3.10', '31 October 2026'),
]);

function deprecation(name: string, endOfSupport: string): [string, string] {
  const text =
    `Runtime ${name} is deprecated: AWS Lambda ended support for it on ${endOfSupport} ` +
    '(no more security patches or technical support), and Lambda then blocks creating, and ' +
    'later updating, functions that use it (dates: ' +
    'https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html). Move this function ' +
    'to python3.12 or newer (e.g. lambda.Runtime.PYTHON_3_13): those run on Amazon Linux 2023, ' +
    'and the kit re-packages its dependencies for that on the next synth.';
  return [name, text];
}

/**
 * A synth-time warning for a runtime Lambda has deprecated (python3.9 since December 2025,
 * python3.10 since October 2026); `undefined` for runtimes still supported.
 */
export function pythonRuntimeDeprecation(runtime: lambda.Runtime): string | undefined {
  return DEPRECATIONS.get(runtime.name);
}
