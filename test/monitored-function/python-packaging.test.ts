import { MonitoredFunctionError } from '../../src/monitored-function/errors.js';
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, AssetStaging, Stack, Validations } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_PYTHON_EXCLUDES,
  PythonPackagingError,
  manylinuxPlatforms,
  pipInstallCommand,
  pythonAssetHash,
  pythonBundlingOptions,
  pythonCode,
} from '../../src/monitored-function/python-packaging.js';
import type { PythonPackagingOptions } from '../../src/monitored-function/python-packaging.js';
import { PYTHON_RUNTIMES, amazonLinuxOf } from '../../src/monitored-function/python-runtimes.js';
import { KIT_VERSION, findKitVersion } from '../../src/version.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/python/', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WHEEL_NAME = 'opskit-fixture-pkg';
const WHEEL_MODULE = 'opskit_fixture_pkg';

// ---------------------------------------------------------------------------------------------
// Helpers

const tempDirs: string[] = [];

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `opskit-py-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of tempDirs.splice(0)) {
    rmSync(dir, { recursive: true, force: true });
  }
});

function writeTree(root: string, files: Record<string, string>): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

/** Every file under `root`, as sorted posix paths relative to it. */
function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => !entry.isDirectory())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

/** Every path segment under `root`, files and folders, as posix paths. */
function allPathsUnder(root: string): string[] {
  return readdirSync(root, { recursive: true })
    .map((path) => String(path).split(sep).join('/'))
    .sort();
}

function errorMessageOf(act: () => unknown): string {
  try {
    act();
  } catch (error) {
    return String(error);
  }
  throw new Error('expected an error, but none was thrown');
}

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  }
  return result.stdout;
}

/** A function's sources, with bytecode and a virtualenv that must never be packaged. */
function functionSources(root: string, requirements?: string): string {
  return writeTree(root, {
    'handler.py': [
      'import json',
      `import ${WHEEL_MODULE}`,
      'from lib.util import double',
      '',
      'def main(event, context):',
      `    return {"value": double(${WHEEL_MODULE}.VALUE)}`,
      '',
    ].join('\n'),
    'lib/__init__.py': '',
    'lib/util.py': 'def double(x):\n    return 2 * x\n',
    'lib/__pycache__/util.cpython-312.pyc': '\u0000stale',
    'stray.pyc': '\u0000stale',
    'old.pyo': '\u0000stale',
    '.venv/bin/python': '#!/bin/sh\n',
    ...(requirements === undefined ? {} : { 'requirements.txt': requirements }),
  });
}

interface SynthResult {
  readonly template: Template;
  readonly outdir: string;
  /** The `asset.<hash>` folder the code was staged into. */
  readonly assetDir: string;
  readonly s3Key: string;
}

/** Synthesizes one stack holding one Python function, with the cdk-nag AwsSolutions checks. */
function synthFunction(
  outdir: string,
  code: lambda.Code,
  runtime = lambda.Runtime.PYTHON_3_12,
  architecture = lambda.Architecture.ARM_64,
): SynthResult {
  const app = new App({ outdir });
  const stack = new Stack(app, 'PythonPackagingTest');
  // No managed policy (AwsSolutions-IAM4): the test only needs the function to synthesize.
  const role = new iam.Role(stack, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  });
  new lambda.Function(stack, 'Fn', { runtime, architecture, handler: 'handler.main', code, role });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  Validations.of(stack).acknowledge({
    id: 'AwsSolutions-L1',
    reason: 'The runtime is pinned on purpose: these tests package for a given Python version.',
  });
  app.synth(); // throws if cdk-nag reports an unacknowledged finding

  const template = Template.fromStack(stack);
  const s3Key = new Capture();
  template.hasResourceProperties('AWS::Lambda::Function', {
    Code: { S3Key: s3Key },
    Runtime: runtime.name,
    Architectures: [architecture.name],
  });
  const key = s3Key.asString();
  return {
    template,
    outdir,
    assetDir: join(outdir, `asset.${key.replace(/\.zip$/, '')}`),
    s3Key: key,
  };
}

/** The extra pip arguments that keep every test offline and independent of this machine's pip config. */
function offlinePip(wheelhouse: string): readonly string[] {
  return ['--isolated', '--no-index', '--find-links', wheelhouse];
}

const AL2023_X86_64_TAGS = [
  'manylinux_2_34_x86_64',
  'manylinux_2_33_x86_64',
  'manylinux_2_32_x86_64',
  'manylinux_2_31_x86_64',
  'manylinux_2_30_x86_64',
  'manylinux_2_29_x86_64',
  'manylinux_2_28_x86_64',
  'manylinux_2_27_x86_64',
  'manylinux_2_26_x86_64',
  'manylinux_2_25_x86_64',
  'manylinux_2_24_x86_64',
  'manylinux_2_23_x86_64',
  'manylinux_2_22_x86_64',
  'manylinux_2_21_x86_64',
  'manylinux_2_20_x86_64',
  'manylinux_2_19_x86_64',
  'manylinux_2_18_x86_64',
  'manylinux_2_17_x86_64',
  'manylinux2014_x86_64',
];
const AL2023_AARCH64_TAGS = AL2023_X86_64_TAGS.map((tag) => tag.replace(/x86_64$/, 'aarch64'));

const ARCHITECTURES = [lambda.Architecture.X86_64, lambda.Architecture.ARM_64];

// ---------------------------------------------------------------------------------------------

describe('python-packaging: manylinuxPlatforms', () => {
  it('allows only manylinux2014 on the Amazon Linux 2 runtimes (python3.9-3.11)', () => {
    for (const runtime of [
      lambda.Runtime.PYTHON_3_9,
      lambda.Runtime.PYTHON_3_10,
      lambda.Runtime.PYTHON_3_11,
    ]) {
      expect(manylinuxPlatforms(runtime, lambda.Architecture.X86_64)).toEqual([
        'manylinux2014_x86_64',
      ]);
      expect(manylinuxPlatforms(runtime, lambda.Architecture.ARM_64)).toEqual([
        'manylinux2014_aarch64',
      ]);
    }
  });

  it('allows every glibc tag up to 2.34, newest first, on the Amazon Linux 2023 runtimes', () => {
    expect(manylinuxPlatforms(lambda.Runtime.PYTHON_3_12, lambda.Architecture.X86_64)).toEqual(
      AL2023_X86_64_TAGS,
    );
    expect(manylinuxPlatforms(lambda.Runtime.PYTHON_3_13, lambda.Architecture.ARM_64)).toEqual(
      AL2023_AARCH64_TAGS,
    );
  });

  it('never offers a wheel newer than the runtime glibc, and always manylinux2014 last', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PYTHON_RUNTIMES),
        fc.constantFrom(...ARCHITECTURES),
        (runtime, architecture) => {
          // Act
          const tags = manylinuxPlatforms(runtime, architecture);

          // Assess
          const arch = architecture === lambda.Architecture.ARM_64 ? 'aarch64' : 'x86_64';
          const glibcCeiling = amazonLinuxOf(runtime) === 'al2023' ? 34 : 26;
          const minors = tags
            .map((tag) => /^manylinux_2_(\d+)_/.exec(tag)?.[1])
            .filter((minor) => minor !== undefined)
            .map(Number);
          expect(tags.every((tag) => tag.endsWith(`_${arch}`))).toBe(true);
          expect(tags.at(-1)).toBe(`manylinux2014_${arch}`);
          expect(new Set(tags).size).toBe(tags.length);
          expect(minors.every((minor) => minor >= 17 && minor <= glibcCeiling)).toBe(true);
          expect(minors).toEqual([...minors].sort((a, b) => b - a));
        },
      ),
    );
  });

  it('rejects an architecture other than x86_64 and arm64', () => {
    expect(() =>
      manylinuxPlatforms(lambda.Runtime.PYTHON_3_12, lambda.Architecture.custom('riscv64')),
    ).toThrow(
      /architecture riscv64 is not supported for Python packaging: use .*X86_64 or .*ARM_64/,
    );
  });

  it('rejects a non-Python runtime', () => {
    expect(() =>
      manylinuxPlatforms(lambda.Runtime.NODEJS_22_X, lambda.Architecture.ARM_64),
    ).toThrow(PythonPackagingError);
  });
});

describe('python-packaging: pipInstallCommand', () => {
  const common = ['--implementation', 'cp', '--python-version'];
  const tail = ['--no-compile', '--disable-pip-version-check', '--no-input'];

  // One row per runtime × architecture: Amazon Linux 2 (3.11) takes manylinux2014 wheels only,
  // Amazon Linux 2023 (3.12) the glibc 2.34 tags first; the last row also overrides pip.
  it.each<[title: string, options: PythonPackagingOptions, expected: string[]]>([
    [
      'python3.11 on x86_64 (Amazon Linux 2) with manylinux2014 wheels only',
      {
        sourceDir: '/work/fn',
        runtime: lambda.Runtime.PYTHON_3_11,
        architecture: lambda.Architecture.X86_64,
      },
      [
        'python3',
        '-m',
        'pip',
        'install',
        '--requirement',
        '/work/fn/requirements.txt',
        '--target',
        '/out',
        ...common,
        '3.11',
        '--only-binary=:all:',
        '--platform',
        'manylinux2014_x86_64',
        ...tail,
      ],
    ],
    [
      'python3.11 on arm64 (Amazon Linux 2) with aarch64 wheels',
      {
        sourceDir: '/work/fn',
        runtime: lambda.Runtime.PYTHON_3_11,
        architecture: lambda.Architecture.ARM_64,
      },
      [
        'python3',
        '-m',
        'pip',
        'install',
        '--requirement',
        '/work/fn/requirements.txt',
        '--target',
        '/out',
        ...common,
        '3.11',
        '--only-binary=:all:',
        '--platform',
        'manylinux2014_aarch64',
        ...tail,
      ],
    ],
    [
      'python3.12 on x86_64 (Amazon Linux 2023) with glibc 2.34 wheels first',
      {
        sourceDir: '/work/fn',
        runtime: lambda.Runtime.PYTHON_3_12,
        architecture: lambda.Architecture.X86_64,
      },
      [
        'python3',
        '-m',
        'pip',
        'install',
        '--requirement',
        '/work/fn/requirements.txt',
        '--target',
        '/out',
        ...common,
        '3.12',
        '--only-binary=:all:',
        ...AL2023_X86_64_TAGS.flatMap((tag) => ['--platform', tag]),
        ...tail,
      ],
    ],
    [
      'python3.12 on arm64 (Amazon Linux 2023) with a custom pip and extra args',
      {
        sourceDir: '/work/fn',
        requirementsFile: '/work/deps/prod.txt',
        runtime: lambda.Runtime.PYTHON_3_12,
        architecture: lambda.Architecture.ARM_64,
        pip: {
          executable: ['/opt/py312/bin/python', '-m', 'pip'],
          extraArgs: ['--index-url', 'https://pypi.example.com/simple'],
        },
      },
      [
        '/opt/py312/bin/python',
        '-m',
        'pip',
        'install',
        '--requirement',
        '/work/deps/prod.txt',
        '--target',
        '/out',
        ...common,
        '3.12',
        '--only-binary=:all:',
        ...AL2023_AARCH64_TAGS.flatMap((tag) => ['--platform', tag]),
        ...tail,
        '--index-url',
        'https://pypi.example.com/simple',
      ],
    ],
  ])('installs for %s', (_title, options, expected) => {
    // Act
    const argv = pipInstallCommand({ ...options, outputDir: '/out' });

    // Assess
    expect(argv).toEqual(expected);
  });

  it('resolves relative paths from the current directory', () => {
    const argv = pipInstallCommand({
      sourceDir: 'functions/report',
      runtime: lambda.Runtime.PYTHON_3_13,
      architecture: lambda.Architecture.ARM_64,
      outputDir: 'build',
    });
    expect(argv[argv.indexOf('--requirement') + 1]).toBe(
      resolve('functions/report/requirements.txt'),
    );
    expect(argv[argv.indexOf('--target') + 1]).toBe(resolve('build'));
  });

  it('starts with the pip executable and ends with the extra args, whatever they are', () => {
    const safeArg = fc
      .string({ minLength: 1, maxLength: 12 })
      .filter((arg) => !arg.startsWith('-t') && !arg.startsWith('--'));
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 4 }),
        fc.array(safeArg, { maxLength: 5 }),
        fc.constantFrom(...PYTHON_RUNTIMES),
        fc.constantFrom(...ARCHITECTURES),
        (executable, extraArgs, runtime, architecture) => {
          // Act
          const argv = pipInstallCommand({
            sourceDir: '/src',
            runtime,
            architecture,
            outputDir: '/out',
            pip: { executable, extraArgs },
          });

          // Assess
          expect(argv.slice(0, executable.length)).toEqual(executable);
          expect(argv[executable.length]).toBe('install');
          expect(argv.slice(argv.length - extraArgs.length)).toEqual(extraArgs);
          const platforms = argv.filter((_, i) => argv[i - 1] === '--platform');
          expect(platforms).toEqual(manylinuxPlatforms(runtime, architecture));
        },
      ),
    );
  });

  it.each([
    ['--target'],
    ['-t'],
    ['--target=/elsewhere'],
    ['--platform'],
    ['--python-version=3.8'],
    ['--implementation'],
    ['--user'],
    ['--prefix'],
    ['--root'],
  ])('rejects %s in pip.extraArgs: the kit owns it', (arg) => {
    expect(() =>
      pipInstallCommand({
        sourceDir: '/src',
        runtime: lambda.Runtime.PYTHON_3_12,
        architecture: lambda.Architecture.ARM_64,
        outputDir: '/out',
        pip: { extraArgs: ['--pre', arg] },
      }),
    ).toThrow(/pip\.extraArgs must not contain -/);
  });

  it('rejects an empty pip executable, non-string args and an empty output folder', () => {
    const base = {
      sourceDir: '/src',
      runtime: lambda.Runtime.PYTHON_3_12,
      architecture: lambda.Architecture.ARM_64,
      outputDir: '/out',
    };
    expect(() => pipInstallCommand({ ...base, pip: { executable: [] } })).toThrow(
      /pip\.executable must be a non-empty list/,
    );
    expect(() => pipInstallCommand({ ...base, pip: { executable: ['python3', ''] } })).toThrow(
      /pip\.executable must be a non-empty list/,
    );
    expect(() =>
      pipInstallCommand({ ...base, pip: { extraArgs: [42] as unknown as string[] } }),
    ).toThrow(/pip\.extraArgs must be a list of strings/);
    expect(() => pipInstallCommand({ ...base, outputDir: ' ' })).toThrow(
      /outputDir must be a non-empty path/,
    );
  });
});

describe('python-packaging: option validation', () => {
  function options(overrides: Partial<PythonPackagingOptions>): PythonPackagingOptions {
    return {
      sourceDir: functionSources(tempDir('src')),
      runtime: lambda.Runtime.PYTHON_3_12,
      architecture: lambda.Architecture.ARM_64,
      ...overrides,
    };
  }

  it('names a missing source folder', () => {
    const missing = join(tempDir('missing'), 'nope');
    expect(() => pythonCode(options({ sourceDir: missing }))).toThrow(
      `sourceDir ${missing} does not exist`,
    );
  });

  it('names a source "folder" that is a file', () => {
    const file = join(tempDir('file'), 'handler.py');
    writeFileSync(file, 'x = 1\n');
    expect(() => pythonAssetHash(options({ sourceDir: file }))).toThrow(
      `sourceDir ${file} is a file, not a folder`,
    );
  });

  it('rejects an empty source path', () => {
    expect(() => pythonCode(options({ sourceDir: '' }))).toThrow(
      /sourceDir must be a non-empty path/,
    );
  });

  it('names a missing requirements file', () => {
    const missing = join(tempDir('req'), 'requirements-prod.txt');
    expect(() => pythonCode(options({ requirementsFile: missing }))).toThrow(
      `requirementsFile ${missing} does not exist or is not a file`,
    );
  });

  it('rejects non-Python, retired-Python and missing runtimes', () => {
    expect(() => pythonCode(options({ runtime: lambda.Runtime.NODEJS_22_X }))).toThrow(
      /runtime nodejs22\.x is not a Python runtime/,
    );
    expect(() => pythonCode(options({ runtime: lambda.Runtime.PYTHON_3_8 }))).toThrow(
      /runtime python3\.8 is no longer supported/,
    );
    expect(() => pythonCode(options({ runtime: undefined }))).toThrow(/runtime is required/);
  });

  it('rejects unsupported and missing architectures', () => {
    expect(() =>
      pythonCode(options({ architecture: lambda.Architecture.custom('s390x') })),
    ).toThrow(/architecture s390x is not supported/);
    expect(() => pythonCode(options({ architecture: undefined }))).toThrow(
      /architecture is required/,
    );
  });

  it('rejects blank or non-string exclude patterns', () => {
    expect(() => pythonCode(options({ exclude: ['tests', ' '] }))).toThrow(
      /exclude must be a list of non-empty glob patterns/,
    );
    expect(() => pythonCode(options({ exclude: 'tests' as unknown as string[] }))).toThrow(
      /exclude must be a list/,
    );
  });

  it('throws PythonPackagingError, so callers can tell packaging problems apart', () => {
    expect(() => pythonCode(options({ runtime: lambda.Runtime.NODEJS_22_X }))).toThrow(
      PythonPackagingError,
    );
    // ... and it is one of the construct's errors, so one catch covers the whole construct.
    expect(() => pythonCode(options({ runtime: lambda.Runtime.NODEJS_22_X }))).toThrow(
      MonitoredFunctionError,
    );
  });
});

describe('python-packaging: pythonAssetHash', () => {
  function baseOptions(sourceDir: string): PythonPackagingOptions {
    return {
      sourceDir,
      runtime: lambda.Runtime.PYTHON_3_12,
      architecture: lambda.Architecture.ARM_64,
    };
  }

  it('is a sha256 that does not depend on where the sources are', () => {
    // Prepare
    const first = functionSources(tempDir('a'), 'requests==2.32.3\n');
    const second = functionSources(tempDir('b'), 'requests==2.32.3\n');

    // Act
    const hashes = [pythonAssetHash(baseOptions(first)), pythonAssetHash(baseOptions(second))];

    // Assess
    expect(hashes[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(hashes[1]).toBe(hashes[0]);
  });

  it('ignores bytecode, virtualenvs and other excluded files', () => {
    // Prepare
    const sourceDir = functionSources(tempDir('src'));
    const before = pythonAssetHash(baseOptions(sourceDir));

    // Act
    writeTree(sourceDir, {
      'lib/__pycache__/other.cpython-312.pyc': 'more bytecode',
      'x.pyc': 'bytecode',
      '.venv/lib/site.py': 'venv',
      '.git/HEAD': 'ref: refs/heads/main',
    });

    // Assess
    expect(pythonAssetHash(baseOptions(sourceDir))).toBe(before);
  });

  it('changes when any one input changes', () => {
    // Prepare: sources whose requirements pull in a constraints file.
    const sourceDir = functionSources(
      tempDir('src'),
      '-c constraints/pins.txt\nopskit-fixture-pkg\n',
    );
    writeTree(sourceDir, { 'constraints/pins.txt': 'opskit-fixture-pkg==1.0.0\n' });
    const base = baseOptions(sourceDir);
    const original = pythonAssetHash(base);
    const changes: Array<[string, () => string]> = [
      ['runtime', () => pythonAssetHash({ ...base, runtime: lambda.Runtime.PYTHON_3_13 })],
      [
        'architecture',
        () => pythonAssetHash({ ...base, architecture: lambda.Architecture.X86_64 }),
      ],
      ['pip extra args', () => pythonAssetHash({ ...base, pip: { extraArgs: ['--pre'] } })],
      ['an excluded source file', () => pythonAssetHash({ ...base, exclude: ['lib'] })],
      [
        'another requirements file',
        () => {
          const other = join(tempDir('req'), 'requirements.txt');
          writeFileSync(other, 'opskit-fixture-pkg==1.0.0\n');
          return pythonAssetHash({ ...base, requirementsFile: other });
        },
      ],
    ];

    // Act
    const hashes = changes.map(([input, hashOf]) => [input, hashOf()] as const);
    appendFileSync(join(sourceDir, 'constraints/pins.txt'), 'extra-pin==2.0\n');
    const afterConstraints = pythonAssetHash(base);
    appendFileSync(join(sourceDir, 'lib/util.py'), '# edited\n');
    const afterSourceEdit = pythonAssetHash(base);
    writeTree(sourceDir, { 'lib/new_module.py': 'X = 1\n' });
    const afterNewFile = pythonAssetHash(base);

    // Assess
    const all = [
      original,
      ...hashes.map(([, hash]) => hash),
      afterConstraints,
      afterSourceEdit,
      afterNewFile,
    ];
    expect(new Set(all).size).toBe(all.length);
  });

  it('changes with the requirements file even when it lives outside the sources', () => {
    // Prepare
    const sourceDir = functionSources(tempDir('src'));
    const requirementsFile = join(tempDir('req'), 'requirements.txt');
    writeFileSync(requirementsFile, 'opskit-fixture-pkg==1.0.0\n');
    const options = { ...baseOptions(sourceDir), requirementsFile };
    const before = pythonAssetHash(options);

    // Act
    writeFileSync(requirementsFile, 'opskit-fixture-pkg==1.0.1\n# pinned\n');

    // Assess
    expect(pythonAssetHash(options)).not.toBe(before);
    expect(before).not.toBe(pythonAssetHash(baseOptions(sourceDir)));
  });

  it('includes the kit version, so upgrading the kit rebuilds', async () => {
    // Prepare
    const options = baseOptions(functionSources(tempDir('src')));
    const current = pythonAssetHash(options);
    vi.resetModules();
    vi.doMock('../../src/version.js', () => ({ KIT_VERSION: `${KIT_VERSION}-next` }));

    try {
      // Act
      const upgraded = await import('../../src/monitored-function/python-packaging.js');

      // Assess
      expect(upgraded.pythonAssetHash(options)).not.toBe(current);
    } finally {
      vi.doUnmock('../../src/version.js');
      vi.resetModules();
    }
  });

  it('names a file included with -r that does not exist', () => {
    const sourceDir = functionSources(tempDir('src'), '-r base.txt\n');
    expect(() => pythonAssetHash(baseOptions(sourceDir))).toThrow(
      /requirements file .*requirements\.txt includes "base\.txt", but .*base\.txt does not exist/,
    );
  });

  it('follows -r/--requirement/-c includes once, and leaves URLs and variables to pip', () => {
    // Prepare: a cycle (base includes the top file) and references pip resolves itself.
    const sourceDir = functionSources(
      tempDir('src'),
      [
        '--requirement=deps/base.txt  # shared',
        '-rdeps/extra.txt',
        '-r https://example.com/requirements.txt',
        '-c ${CONSTRAINTS_FILE}',
        '',
      ].join('\n'),
    );
    writeTree(sourceDir, {
      'deps/base.txt': '-r ../requirements.txt\nrequests\n',
      'deps/extra.txt': 'boto3\n',
    });
    const before = pythonAssetHash(baseOptions(sourceDir));

    // Act
    appendFileSync(join(sourceDir, 'deps/extra.txt'), 'urllib3\n');

    // Assess
    expect(pythonAssetHash(baseOptions(sourceDir))).not.toBe(before);
  });

  it('is the same for equal trees and differs when any file differs', () => {
    const fileName = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}\.py$/);
    const tree = fc.dictionary(fileName, fc.string({ maxLength: 40 }), {
      minKeys: 1,
      maxKeys: 5,
    });
    fc.assert(
      fc.property(tree, fc.nat(), (files, pick) => {
        // Prepare
        const first = writeTree(tempDir('pa'), files);
        const second = writeTree(tempDir('pb'), files);
        const names = Object.keys(files);
        const changed = names[pick % names.length] ?? '';

        // Act
        const hashFirst = pythonAssetHash(baseOptions(first));
        const hashSecond = pythonAssetHash(baseOptions(second));
        appendFileSync(join(second, changed), '#');
        const hashChanged = pythonAssetHash(baseOptions(second));

        // Assess
        expect(hashSecond).toBe(hashFirst);
        expect(hashChanged).not.toBe(hashFirst);
      }),
      { numRuns: 15 },
    );
  });
});

describe('version: KIT_VERSION', () => {
  it('is the version in the package.json of aws-ops-kit', () => {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
    };
    expect(manifest.name).toBe('aws-ops-kit');
    expect(KIT_VERSION).toBe(manifest.version);
  });

  it('walks up past package.json files of other packages, as from a dist/ build', () => {
    // Prepare
    const root = writeTree(tempDir('kit'), {
      'package.json': JSON.stringify({ name: 'aws-ops-kit', version: '7.8.9' }),
      'dist/package.json': JSON.stringify({ type: 'module' }),
      'dist/monitored-function/package.json': 'null',
    });

    // Act
    const version = findKitVersion(join(root, 'dist', 'monitored-function'));

    // Assess
    expect(version).toBe('7.8.9');
  });

  it('fails clearly when no aws-ops-kit package.json is above the folder', () => {
    const root = writeTree(tempDir('nokit'), {
      'package.json': JSON.stringify({ name: 'someone-else', version: '1.0.0' }),
    });
    expect(() => findKitVersion(root)).toThrow(
      /Cannot determine the aws-ops-kit version: no package\.json named "aws-ops-kit"/,
    );
  });
});

describe('python-packaging: pythonBundlingOptions', () => {
  it('bundles locally, returns true, and keeps machine paths out of the CDK hash', () => {
    // Prepare: no requirements, so pip does not run.
    const sourceDir = functionSources(tempDir('src'));
    const outputDir = tempDir('out');
    const bundling = pythonBundlingOptions({
      sourceDir,
      runtime: lambda.Runtime.PYTHON_3_13,
      architecture: lambda.Architecture.X86_64,
      exclude: ['old.pyo', 'lib/util.py'],
    });

    // Act
    const bundled = bundling.local?.tryBundle(outputDir, bundling);

    // Assess
    expect(bundled).toBe(true);
    expect(filesUnder(outputDir)).toEqual(['handler.py', 'lib/__init__.py']);
    expect(JSON.stringify(bundling)).not.toContain(sourceDir);
  });

  it('gives CDK a placeholder image that fails loudly if Docker is ever attempted', () => {
    // Prepare
    const bundling = pythonBundlingOptions({
      sourceDir: functionSources(tempDir('src')),
      runtime: lambda.Runtime.PYTHON_3_12,
      architecture: lambda.Architecture.ARM_64,
    });

    // Assess
    expect(() => bundling.image.run()).toThrow(/never uses Docker/);
    expect(() => bundling.image.cp('/asset-output')).toThrow(/never uses Docker/);
    expect(bundling.image.image).toContain('no-docker');
  });

  describe('when the pip command itself misbehaves', () => {
    function bundleWith(executable: readonly string[]): string {
      const sourceDir = functionSources(tempDir('src'), `${WHEEL_NAME}==1.0.0\n`);
      const bundling = pythonBundlingOptions({
        sourceDir,
        runtime: lambda.Runtime.PYTHON_3_12,
        architecture: lambda.Architecture.ARM_64,
        pip: { executable },
      });
      return errorMessageOf(() => bundling.local?.tryBundle(tempDir('out'), bundling));
    }

    it('reports a pip that cannot be started', () => {
      // Prepare: a file without the execute bit (refused even to root).
      const notExecutable = join(tempDir('bin'), 'python3');
      writeFileSync(notExecutable, '#!/bin/sh\n', { mode: 0o644 });

      // Act
      const message = bundleWith([notExecutable, '-m', 'pip']);

      // Assess
      expect(message).toMatch(/PythonPackagingError: Cannot run pip for .*: .*EACCES/);
      expect(message).toContain(`Command: ${notExecutable} -m pip install --requirement`);
    });

    it('reports a pip killed by a signal', () => {
      const message = bundleWith([
        'python3',
        '-c',
        'import os, signal; os.kill(os.getpid(), signal.SIGTERM)',
      ]);
      expect(message).toMatch(/pip install was killed by SIGTERM while packaging/);
      expect(message).toContain('"import os, signal; os.kill(os.getpid(), signal.SIGTERM)"');
    });

    it('shows the end of stdout when pip wrote nothing to stderr', () => {
      const message = bundleWith([
        'python3',
        '-c',
        'import sys\nfor i in range(40): print("line", i)\nsys.exit(3)',
      ]);
      expect(message).toMatch(/pip install exited with code 3/);
      expect(message).toContain('line 39');
      expect(message).toContain('line 10');
      expect(message).not.toContain('line 9\n');
    });
  });

  it('keeps every default exclude, adding the caller ones', () => {
    expect(DEFAULT_PYTHON_EXCLUDES).toEqual(
      expect.arrayContaining(['__pycache__', '*.pyc', '*.pyo', '.venv']),
    );
    expect(Object.isFrozen(DEFAULT_PYTHON_EXCLUDES)).toBe(true);
  });
});

describe('python-packaging: pythonCode with the real pip, offline', () => {
  let wheelhouse = '';

  beforeAll(() => {
    // A wheel built here, so pip installs it with --no-index: no PyPI, no network.
    wheelhouse = mkdtempSync(join(tmpdir(), 'opskit-py-wheels-'));
    run('python3', [join(FIXTURES, 'make_wheel.py'), wheelhouse, WHEEL_NAME, '1.0.0']);
    return () => rmSync(wheelhouse, { recursive: true, force: true });
  });

  it('packages sources and requirements into the staged asset, without bytecode', () => {
    // Prepare
    const sourceDir = functionSources(tempDir('src'), `${WHEEL_NAME}==1.0.0\n`);
    const code = pythonCode({
      sourceDir,
      runtime: lambda.Runtime.PYTHON_3_12,
      architecture: lambda.Architecture.ARM_64,
      pip: { extraArgs: offlinePip(wheelhouse) },
    });

    // Act
    const { assetDir, s3Key, template } = synthFunction(tempDir('cdkout'), code);

    // Assess: the code is the staged asset, named by its hash.
    expect(s3Key).toMatch(/^[0-9a-f]{64}\.zip$/);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Code: { S3Bucket: Match.anyValue(), S3Key: s3Key },
      Handler: 'handler.main',
    });
    const files = filesUnder(assetDir);
    expect(files).toEqual(
      expect.arrayContaining([
        'handler.py',
        'lib/__init__.py',
        'lib/util.py',
        'requirements.txt',
        `${WHEEL_MODULE}/__init__.py`,
        `${WHEEL_MODULE}-1.0.0.dist-info/METADATA`,
        `${WHEEL_MODULE}-1.0.0.dist-info/RECORD`,
      ]),
    );
    const paths = allPathsUnder(assetDir);
    expect(paths.filter((path) => /(^|\/)__pycache__(\/|$)|\.py[co]$/.test(path))).toEqual([]);
    expect(paths.filter((path) => path.startsWith('.venv'))).toEqual([]);

    // Assess: the package really runs, with the dependency importable from the asset root.
    const output = run('python3', [
      '-B',
      '-c',
      `import json, sys; sys.path.insert(0, ${JSON.stringify(assetDir)}); ` +
        'import handler; print(json.dumps(handler.main({}, None)))',
    ]);
    expect(JSON.parse(output)).toEqual({ value: 84 });
  });

  it('runs pip once for unchanged inputs, and again when one changes', () => {
    // Prepare
    const pipLog = join(tempDir('log'), 'pip.log');
    const pipRuns = () =>
      existsSync(pipLog) ? readFileSync(pipLog, 'utf8').split('\n').length - 1 : 0;
    const sourceDir = functionSources(tempDir('src'), `${WHEEL_NAME}==1.0.0\n`);
    const outdir = tempDir('cdkout');
    const options: PythonPackagingOptions = {
      sourceDir,
      runtime: lambda.Runtime.PYTHON_3_12,
      architecture: lambda.Architecture.X86_64,
      pip: {
        executable: ['python3', join(FIXTURES, 'counting_pip.py'), pipLog],
        extraArgs: offlinePip(wheelhouse),
      },
    };

    // Act: synth, then synth again into the same cloud assembly as a new `cdk synth` would.
    const first = synthFunction(outdir, pythonCode(options), undefined, lambda.Architecture.X86_64);
    const runsAfterFirst = pipRuns();
    AssetStaging.clearAssetHashCache();
    const second = synthFunction(
      outdir,
      pythonCode(options),
      undefined,
      lambda.Architecture.X86_64,
    );
    const runsAfterSecond = pipRuns();
    AssetStaging.clearAssetHashCache();
    writeFileSync(join(sourceDir, 'requirements.txt'), `${WHEEL_NAME}>=1.0\n`);
    const third = synthFunction(outdir, pythonCode(options), undefined, lambda.Architecture.X86_64);

    // Assess
    expect(runsAfterFirst).toBe(1);
    expect(runsAfterSecond).toBe(1);
    expect(second.s3Key).toBe(first.s3Key);
    expect(pipRuns()).toBe(2);
    expect(third.s3Key).not.toBe(first.s3Key);
    expect(existsSync(third.assetDir)).toBe(true);
  });

  it('gives the same S3 key for the same inputs in another folder, another for another runtime', () => {
    // Prepare: no requirements, so this needs no pip.
    const here = functionSources(tempDir('here'));
    const there = functionSources(tempDir('there'));
    const optionsFor = (sourceDir: string, runtime: lambda.Runtime) => ({
      sourceDir,
      runtime,
      architecture: lambda.Architecture.ARM_64,
    });

    // Act
    const a = synthFunction(
      tempDir('out'),
      pythonCode(optionsFor(here, lambda.Runtime.PYTHON_3_13)),
      lambda.Runtime.PYTHON_3_13,
    );
    const b = synthFunction(
      tempDir('out'),
      pythonCode(optionsFor(there, lambda.Runtime.PYTHON_3_13)),
      lambda.Runtime.PYTHON_3_13,
    );
    const c = synthFunction(
      tempDir('out'),
      pythonCode(optionsFor(there, lambda.Runtime.PYTHON_3_14)),
      lambda.Runtime.PYTHON_3_14,
    );

    // Assess
    expect(b.s3Key).toBe(a.s3Key);
    expect(c.s3Key).not.toBe(a.s3Key);
    expect(filesUnder(a.assetDir)).toEqual(['handler.py', 'lib/__init__.py', 'lib/util.py']);
  });

  it('fails the synth with the command and the end of pip output when pip fails', () => {
    // Prepare
    const sourceDir = functionSources(tempDir('src'), 'opskit-missing-pkg==9.9.9\n');
    const code = () =>
      pythonCode({
        sourceDir,
        runtime: lambda.Runtime.PYTHON_3_12,
        architecture: lambda.Architecture.X86_64,
        pip: {
          extraArgs: [
            ...offlinePip(wheelhouse),
            '--extra-index-url',
            'https://builder:s3cret-token@pypi.example.com/simple',
          ],
        },
      });

    // Act: one synth, one pip run; the message is checked piece by piece.
    const message = errorMessageOf(() =>
      synthFunction(tempDir('cdkout'), code(), undefined, lambda.Architecture.X86_64),
    );

    // Assess
    expect(message).toMatch(/pip install exited with code 1 while packaging/);
    expect(message).toMatch(
      /Command: python3 -m pip install --requirement .* --platform manylinux_2_34_x86_64/,
    );
    expect(message).toMatch(/pip output \(last 30 lines\):[\s\S]*opskit-missing-pkg==9\.9\.9/);
    expect(message).toContain('https://builder:****@pypi.example.com/simple');
    expect(message).not.toContain('s3cret-token');
  });

  it('says so when the pip executable cannot be found', () => {
    const sourceDir = functionSources(tempDir('src'), `${WHEEL_NAME}==1.0.0\n`);
    const code = pythonCode({
      sourceDir,
      runtime: lambda.Runtime.PYTHON_3_12,
      architecture: lambda.Architecture.ARM_64,
      pip: { executable: ['opskit-no-such-python3', '-m', 'pip'] },
    });
    expect(() => synthFunction(tempDir('cdkout'), code)).toThrow(
      /Cannot run pip for .*: "opskit-no-such-python3" was not found\. Install Python 3 with pip, or set pip\.executable/,
    );
  });

  it('says so when the Python has no pip module', () => {
    // Prepare: -S hides site-packages, where pip lives, as on a Python without pip.
    const sourceDir = functionSources(tempDir('src'), `${WHEEL_NAME}==1.0.0\n`);
    const code = pythonCode({
      sourceDir,
      runtime: lambda.Runtime.PYTHON_3_12,
      architecture: lambda.Architecture.ARM_64,
      // Offline too, so a Python whose pip is importable after all can never reach an index.
      pip: { executable: ['python3', '-S', '-m', 'pip'], extraArgs: offlinePip(tempDir('wheels')) },
    });

    // Assess
    expect(() => synthFunction(tempDir('cdkout'), code)).toThrow(
      /pip is not installed for "python3": run "python3 -m ensurepip --upgrade"/,
    );
  });
});
