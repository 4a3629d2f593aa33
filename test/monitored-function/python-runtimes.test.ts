import * as lambda from 'aws-cdk-lib/aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GLIBC_OF,
  PYTHON_RUNTIMES,
  PythonPackagingError,
  amazonLinuxOf,
  isPythonRuntime,
  pythonRuntimeDeprecation,
  pythonVersionOf,
} from '../../src/monitored-function/python-runtimes.js';

/** Every Python 3.x runtime aws-cdk-lib knows, with its minor version. */
function cdkPython3Runtimes(): Array<{ runtime: lambda.Runtime; minor: number }> {
  return lambda.Runtime.ALL.flatMap((runtime) => {
    const match = /^python3\.(\d+)$/.exec(runtime.name);
    return match === null || runtime.family !== lambda.RuntimeFamily.PYTHON
      ? []
      : [{ runtime, minor: Number(match[1]) }];
  });
}

describe('python-runtimes: PYTHON_RUNTIMES', () => {
  it('lists python3.9 to python3.15 in order', () => {
    // Act
    const names = PYTHON_RUNTIMES.map((runtime) => runtime.name);

    // Assess
    expect(names).toEqual([
      'python3.9',
      'python3.10',
      'python3.11',
      'python3.12',
      'python3.13',
      'python3.14',
      'python3.15',
    ]);
  });

  it('holds every Python runtime from 3.9 up that aws-cdk-lib offers, and none older', () => {
    // Prepare
    const fromCdk = cdkPython3Runtimes();
    const expected = fromCdk.filter(({ minor }) => minor >= 9).map(({ runtime }) => runtime.name);
    const older = fromCdk.filter(({ minor }) => minor < 9).map(({ runtime }) => runtime.name);

    // Act
    const listed = new Set(PYTHON_RUNTIMES.map((runtime) => runtime.name));

    // Assess: a CDK upgrade that adds python3.16 makes this fail until the list is updated.
    expect(expected.length).toBeGreaterThanOrEqual(7);
    expect([...listed].sort()).toEqual([...new Set(expected)].sort());
    expect(older.filter((name) => listed.has(name))).toEqual([]);
  });

  it('cannot be modified', () => {
    expect(Object.isFrozen(PYTHON_RUNTIMES)).toBe(true);
  });
});

describe('python-runtimes: isPythonRuntime and pythonVersionOf', () => {
  it('gives the X.Y version of every supported runtime, which rebuilds its name', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PYTHON_RUNTIMES), (runtime) => {
        // Act
        const version = pythonVersionOf(runtime);

        // Assess
        expect(isPythonRuntime(runtime)).toBe(true);
        expect(version).toMatch(/^3\.\d+$/);
        expect(`python${version}`).toBe(runtime.name);
      }),
    );
  });

  it('knows python3.12 as 3.12, also when the Runtime was built by hand', () => {
    const handMade = new lambda.Runtime('python3.12', lambda.RuntimeFamily.PYTHON);
    expect(pythonVersionOf(lambda.Runtime.PYTHON_3_12)).toBe('3.12');
    expect(isPythonRuntime(handMade)).toBe(true);
    expect(pythonVersionOf(handMade)).toBe('3.12');
  });

  it('rejects a runtime of another language, naming it and the supported ones', () => {
    // Act
    const act = () => pythonVersionOf(lambda.Runtime.NODEJS_22_X);

    // Assess
    expect(isPythonRuntime(lambda.Runtime.NODEJS_22_X)).toBe(false);
    expect(act).toThrow(PythonPackagingError);
    expect(act).toThrow(
      /runtime nodejs22\.x is not a Python runtime: use one of python3\.9, .*python3\.15/,
    );
  });

  it('rejects Python runtimes Lambda no longer supports', () => {
    // Prepare
    const retired = cdkPython3Runtimes().filter(({ minor }) => minor < 9);

    // Assess
    expect(retired.length).toBeGreaterThan(0);
    for (const { runtime } of retired) {
      expect(isPythonRuntime(runtime)).toBe(false);
      expect(() => pythonVersionOf(runtime)).toThrow(
        new RegExp(`runtime ${runtime.name.replace('.', '\\.')} is no longer supported`),
      );
    }
  });

  it('sets the error name so callers can tell it apart', () => {
    const error = new PythonPackagingError('boom', { cause: 'root cause' });
    expect(error.name).toBe('PythonPackagingError');
    expect(error.cause).toBe('root cause');
    expect(error).toBeInstanceOf(Error);
  });
});

describe('python-runtimes: amazonLinuxOf', () => {
  it('puts python3.9-3.11 on Amazon Linux 2 and python3.12+ on Amazon Linux 2023', () => {
    // Act
    const osByRuntime = Object.fromEntries(
      PYTHON_RUNTIMES.map((runtime) => [runtime.name, amazonLinuxOf(runtime)]),
    );

    // Assess
    expect(osByRuntime).toEqual({
      'python3.9': 'al2',
      'python3.10': 'al2',
      'python3.11': 'al2',
      'python3.12': 'al2023',
      'python3.13': 'al2023',
      'python3.14': 'al2023',
      'python3.15': 'al2023',
    });
  });

  it('knows glibc 2.26 for AL2 and 2.34 for AL2023', () => {
    expect(GLIBC_OF.al2).toEqual({ major: 2, minor: 26 });
    expect(GLIBC_OF.al2023).toEqual({ major: 2, minor: 34 });
  });

  it('rejects a non-Python runtime', () => {
    expect(() => amazonLinuxOf(lambda.Runtime.JAVA_21)).toThrow(PythonPackagingError);
  });
});

describe('python-runtimes: pythonRuntimeDeprecation', () => {
  it('warns about python3.9: deprecated in December 2025, move to python3.12 or newer', () => {
    // Act
    const warning = pythonRuntimeDeprecation(lambda.Runtime.PYTHON_3_9);

    // Assess
    expect(warning).toContain('python3.9 is deprecated');
    expect(warning).toContain('15 December 2025');
    expect(warning).toContain('python3.12 or newer');
    expect(warning).toContain('https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html');
  });

  it('warns about python3.10, whose Lambda support ended on 31 October 2026', () => {
    const warning = pythonRuntimeDeprecation(lambda.Runtime.PYTHON_3_10);
    expect(warning).toContain('python3.10 is deprecated');
    expect(warning).toContain('31 October 2026');
  });

  it('has nothing to say about supported runtimes or other languages', () => {
    // Prepare
    const supported = PYTHON_RUNTIMES.filter(
      (runtime) => !['python3.9', 'python3.10'].includes(runtime.name),
    );

    // Assess
    expect(supported.map((runtime) => pythonRuntimeDeprecation(runtime))).toEqual(
      supported.map(() => undefined),
    );
    expect(pythonRuntimeDeprecation(lambda.Runtime.NODEJS_22_X)).toBeUndefined();
    expect(
      pythonRuntimeDeprecation(new lambda.Runtime('constructor', lambda.RuntimeFamily.OTHER)),
    ).toBeUndefined();
  });
});
