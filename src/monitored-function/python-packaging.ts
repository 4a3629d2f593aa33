import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { AssetHashType, BundlingOutput, DockerImage, FileSystem } from 'aws-cdk-lib';
import type { BundlingOptions, ILocalBundling } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KIT_VERSION } from '../version.js';
import {
  GLIBC_OF,
  PythonPackagingError,
  amazonLinuxOf,
  pythonVersionOf,
} from './python-runtimes.js';

export { PythonPackagingError } from './python-runtimes.js';

/** How a Python function's sources and requirements become a Lambda deployment package. */
export interface PythonPackagingOptions {
  /** Folder holding the function's sources; copied as is (minus `exclude`). */
  readonly sourceDir: string;
  /**
   * pip requirements file, resolved from the current directory when relative.
   * @default - `<sourceDir>/requirements.txt` when that file exists; otherwise pip does not run
   */
  readonly requirementsFile?: string;
  /** A Python runtime from `PYTHON_RUNTIMES`; decides `--python-version` and the wheel tags. */
  readonly runtime: lambda.Runtime;
  /** `X86_64` or `ARM_64`; decides the wheel architecture (x86_64 / aarch64). */
  readonly architecture: lambda.Architecture;
  /** How pip is run. */
  readonly pip?: {
    /**
     * argv that starts pip; the kit appends `install ...` to it.
     * @default ['python3', '-m', 'pip']
     */
    readonly executable?: readonly string[];
    /**
     * Appended to `pip install`, e.g. `['--index-url', 'https://pypi.example.com/simple']` or
     * `['--no-index', '--find-links', './wheels']`. Relative paths resolve from the folder of
     * the requirements file (pip runs there). Part of the asset hash.
     * @default - none
     */
    readonly extraArgs?: readonly string[];
  };
  /**
   * Extra glob patterns (CDK glob syntax, `.gitignore`-like) of source files not to copy.
   * @default - only DEFAULT_PYTHON_EXCLUDES, which always apply
   */
  readonly exclude?: readonly string[];
}

/** Never copied from `sourceDir`: bytecode, virtualenvs, VCS and tool caches. */
export const DEFAULT_PYTHON_EXCLUDES: readonly string[] = Object.freeze([
  '__pycache__',
  '*.pyc',
  '*.pyo',
  '.venv',
  '.git',
  '.pytest_cache',
  '.mypy_cache',
  '.ruff_cache',
  '.DS_Store',
]);

const DEFAULT_PIP_EXECUTABLE: readonly string[] = Object.freeze(['python3', '-m', 'pip']);
const DEFAULT_REQUIREMENTS_FILE = 'requirements.txt';

/** Lambda architecture name → the CPU part of a manylinux wheel tag. */
const WHEEL_ARCH: ReadonlyMap<string, string> = new Map([
  [lambda.Architecture.X86_64.name, 'x86_64'],
  [lambda.Architecture.ARM_64.name, 'aarch64'],
]);

/** manylinux2014 is the PEP 600 tag manylinux_2_17: the oldest tag with aarch64 wheels. */
const MANYLINUX2014_GLIBC_MINOR = 17;

/** Flags the kit sets itself; a second value would silently change where or for what pip installs. */
const RESERVED_PIP_FLAGS: readonly string[] = [
  '--target',
  '-t',
  '--platform',
  '--python-version',
  '--implementation',
  '--user',
  '--prefix',
  '--root',
];

/**
 * The `--platform` tags pip may pick wheels for, newest first.
 *
 * - python3.12+ run on Amazon Linux 2023, glibc 2.34: every PEP 600 tag from manylinux_2_34
 *   down to manylinux_2_17, then manylinux2014. pip does not widen a `manylinux_2_X` tag to
 *   older ones by itself (it only widens manylinux2014 to manylinux2010/manylinux1), so each
 *   tag is listed; this is the set pip would accept when running on AL2023 itself.
 * - python3.9–3.11 run on Amazon Linux 2, glibc 2.26: manylinux2014 only, the tag AWS documents
 *   for building Lambda packages with pip ("pip install --platform manylinux2014_x86_64 ...",
 *   AWS knowledge center "lambda-python-package-compatible"). manylinux_2_24/2_26 wheels would
 *   load on glibc 2.26 too, but projects that ship those ship manylinux2014 wheels as well.
 *
 * Sources for the OS and glibc facts are in python-runtimes.ts.
 */
export function manylinuxPlatforms(
  runtime: lambda.Runtime,
  architecture: lambda.Architecture,
): string[] {
  const arch = wheelArchOf(architecture);
  const os = amazonLinuxOf(runtime);
  const manylinux2014 = `manylinux2014_${arch}`;
  if (os === 'al2') {
    return [manylinux2014];
  }
  const glibc = GLIBC_OF[os];
  const tags: string[] = [];
  for (let minor = glibc.minor; minor >= MANYLINUX2014_GLIBC_MINOR; minor--) {
    tags.push(`manylinux_${glibc.major}_${minor}_${arch}`);
  }
  tags.push(manylinux2014);
  return tags;
}

/**
 * The exact argv that installs the requirements into `outputDir`. Pure: it reads no files
 * (the requirements path is `<sourceDir>/requirements.txt` when none is given).
 */
export function pipInstallCommand(
  options: PythonPackagingOptions & { readonly outputDir: string },
): string[] {
  const outputDir = requirePath(options.outputDir, 'outputDir');
  const sourceDir = requirePath(options.sourceDir, 'sourceDir');
  const requirementsFile =
    options.requirementsFile === undefined
      ? join(sourceDir, DEFAULT_REQUIREMENTS_FILE)
      : requirePath(options.requirementsFile, 'requirementsFile');
  const pip = pipSettingsOf(options.pip);
  requireRuntimeAndArchitecture(options);
  return buildPipCommand(
    pip.executable,
    pip.extraArgs,
    options.runtime,
    options.architecture,
    requirementsFile,
    outputDir,
  );
}

/**
 * The asset hash of a Python function: sha256 over the kit version, runtime, architecture,
 * wheel tags, the source files (paths relative to `sourceDir` + contents, excludes applied),
 * the requirements file and any file it includes with `-r`/`-c`, and `pip.extraArgs`.
 * Paths on this machine are not part of it, so the same inputs give the same hash anywhere.
 */
export function pythonAssetHash(options: PythonPackagingOptions): string {
  return assetHashOf(resolvePackaging(options));
}

/**
 * CDK bundling options that package the function on this machine with pip. `local.tryBundle`
 * always returns true or throws, so CDK never falls back to Docker; `image` is a placeholder
 * that throws if anything ever tries to run it.
 */
export function pythonBundlingOptions(options: PythonPackagingOptions): BundlingOptions {
  return bundlingOf(resolvePackaging(options));
}

/**
 * `lambda.Code` for a Python function, packaged locally without Docker: requirements are
 * installed with pip for the Lambda platform, the sources copied, bytecode removed. The asset
 * hash is {@link pythonAssetHash}, so unchanged inputs are never packaged twice into the same
 * cloud assembly folder.
 */
export function pythonCode(options: PythonPackagingOptions): lambda.Code {
  const packaging = resolvePackaging(options);
  return lambda.Code.fromAsset(packaging.sourceDir, {
    assetHashType: AssetHashType.CUSTOM,
    assetHash: assetHashOf(packaging),
    bundling: bundlingOf(packaging),
  });
}

// ---------------------------------------------------------------------------------------------
// Options

interface ResolvedPackaging {
  readonly sourceDir: string;
  readonly requirementsFile: string | undefined;
  readonly runtime: lambda.Runtime;
  readonly architecture: lambda.Architecture;
  readonly pipExecutable: readonly string[];
  readonly pipExtraArgs: readonly string[];
  readonly exclude: readonly string[];
}

function resolvePackaging(options: PythonPackagingOptions): ResolvedPackaging {
  const sourceDir = requirePath(options.sourceDir, 'sourceDir');
  if (!existsSync(sourceDir)) {
    throw new PythonPackagingError(
      `sourceDir ${sourceDir} does not exist: point it at the folder that holds the function's ` +
        'Python sources.',
    );
  }
  if (!statSync(sourceDir).isDirectory()) {
    throw new PythonPackagingError(
      `sourceDir ${sourceDir} is a file, not a folder: point it at the folder that holds the ` +
        "function's Python sources.",
    );
  }
  requireRuntimeAndArchitecture(options);
  const pip = pipSettingsOf(options.pip);
  return {
    sourceDir,
    requirementsFile: requirementsFileOf(options.requirementsFile, sourceDir),
    runtime: options.runtime,
    architecture: options.architecture,
    pipExecutable: pip.executable,
    pipExtraArgs: pip.extraArgs,
    exclude: [...DEFAULT_PYTHON_EXCLUDES, ...excludesOf(options.exclude)],
  };
}

function requirementsFileOf(
  requirementsFile: string | undefined,
  sourceDir: string,
): string | undefined {
  if (requirementsFile === undefined) {
    const byDefault = join(sourceDir, DEFAULT_REQUIREMENTS_FILE);
    return isFile(byDefault) ? byDefault : undefined;
  }
  const path = requirePath(requirementsFile, 'requirementsFile');
  if (!isFile(path)) {
    throw new PythonPackagingError(
      `requirementsFile ${path} does not exist or is not a file: fix the path, or leave ` +
        `requirementsFile out to use <sourceDir>/${DEFAULT_REQUIREMENTS_FILE} when there is one.`,
    );
  }
  return path;
}

function requireRuntimeAndArchitecture(options: PythonPackagingOptions): void {
  if (options.runtime === undefined || options.runtime === null) {
    throw new PythonPackagingError(
      'runtime is required: pass a Python runtime, e.g. lambda.Runtime.PYTHON_3_13.',
    );
  }
  if (options.architecture === undefined || options.architecture === null) {
    throw new PythonPackagingError(
      'architecture is required: pass lambda.Architecture.ARM_64 or lambda.Architecture.X86_64.',
    );
  }
  pythonVersionOf(options.runtime);
  wheelArchOf(options.architecture);
}

function wheelArchOf(architecture: lambda.Architecture): string {
  const arch = WHEEL_ARCH.get(architecture.name);
  if (arch === undefined) {
    throw new PythonPackagingError(
      `architecture ${architecture.name} is not supported for Python packaging: use ` +
        'lambda.Architecture.X86_64 or lambda.Architecture.ARM_64.',
    );
  }
  return arch;
}

function pipSettingsOf(pip: PythonPackagingOptions['pip']): {
  executable: readonly string[];
  extraArgs: readonly string[];
} {
  const executable = pip?.executable ?? DEFAULT_PIP_EXECUTABLE;
  if (!isStringArray(executable) || executable.length === 0 || executable.some((a) => a === '')) {
    throw new PythonPackagingError(
      "pip.executable must be a non-empty list of non-empty strings, e.g. ['python3.12', '-m', 'pip'].",
    );
  }
  const extraArgs = pip?.extraArgs ?? [];
  if (!isStringArray(extraArgs)) {
    throw new PythonPackagingError(
      "pip.extraArgs must be a list of strings, e.g. ['--index-url', 'https://pypi.example.com/simple'].",
    );
  }
  for (const arg of extraArgs) {
    const flag = RESERVED_PIP_FLAGS.find((f) => arg === f || arg.startsWith(`${f}=`));
    if (flag !== undefined) {
      throw new PythonPackagingError(
        `pip.extraArgs must not contain ${flag}: the kit sets the install target, platform, ` +
          'Python version and implementation itself from sourceDir, runtime and architecture.',
      );
    }
  }
  return { executable: [...executable], extraArgs: [...extraArgs] };
}

function excludesOf(exclude: readonly string[] | undefined): readonly string[] {
  if (exclude === undefined) {
    return [];
  }
  if (!isStringArray(exclude) || exclude.some((pattern) => pattern.trim() === '')) {
    throw new PythonPackagingError(
      "exclude must be a list of non-empty glob patterns, e.g. ['tests', '*.md'].",
    );
  }
  return exclude;
}

function requirePath(value: string, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new PythonPackagingError(`${name} must be a non-empty path.`);
  }
  return resolve(value);
}

function isStringArray(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

// ---------------------------------------------------------------------------------------------
// pip command

function buildPipCommand(
  executable: readonly string[],
  extraArgs: readonly string[],
  runtime: lambda.Runtime,
  architecture: lambda.Architecture,
  requirementsFile: string,
  outputDir: string,
): string[] {
  return [
    ...executable,
    'install',
    '--requirement',
    requirementsFile,
    '--target',
    outputDir,
    '--implementation',
    'cp',
    '--python-version',
    pythonVersionOf(runtime),
    // Wheels only: building an sdist here would compile for this machine, not for Lambda.
    '--only-binary=:all:',
    ...manylinuxPlatforms(runtime, architecture).flatMap((tag) => ['--platform', tag]),
    '--no-compile',
    '--disable-pip-version-check',
    // A credentials prompt would hang the synth: fail instead.
    '--no-input',
    ...extraArgs,
  ];
}

// ---------------------------------------------------------------------------------------------
// Asset hash

const HASH_SCHEME = 'aws-ops-kit/python-packaging/v1';

function assetHashOf(packaging: ResolvedPackaging): string {
  const inputs = {
    scheme: HASH_SCHEME,
    kitVersion: KIT_VERSION,
    runtime: packaging.runtime.name,
    architecture: packaging.architecture.name,
    platforms: manylinuxPlatforms(packaging.runtime, packaging.architecture),
    // CDK's own directory fingerprint: relative paths + contents, same glob semantics as the copy.
    sources: FileSystem.fingerprint(packaging.sourceDir, { exclude: [...packaging.exclude] }),
    requirements:
      packaging.requirementsFile === undefined
        ? null
        : requirementsFingerprint(packaging.requirementsFile),
    pipExtraArgs: packaging.pipExtraArgs,
  };
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
}

const INCLUDE_LINE = /^(?:-r|-c|--requirement|--constraint)(?:\s*=\s*|\s+|(?<=^-[rc]))(\S+)/;

/**
 * Fingerprints a requirements file and every file it pulls in with `-r`/`-c` (pip resolves
 * those relative to the including file), so a changed constraints file also rebuilds. Files are
 * named by the reference as written, never by absolute path. Hand-written: pip offers no API
 * for this and the syntax needed here is one line kind.
 */
function requirementsFingerprint(requirementsFile: string): Array<[string, string]> {
  const entries: Array<[string, string]> = [];
  const seen = new Set<string>();
  const visit = (file: string, label: string, includedFrom: string | undefined): void => {
    if (seen.has(file)) {
      return;
    }
    seen.add(file);
    if (!isFile(file)) {
      throw new PythonPackagingError(
        `requirements file ${includedFrom} includes "${label}", but ${file} does not exist: ` +
          'fix the -r/-c line or add the file.',
      );
    }
    entries.push([label, FileSystem.fingerprint(file)]);
    for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
      const reference = INCLUDE_LINE.exec(line.replace(/(^|\s)#.*$/, '').trim())?.[1];
      if (reference === undefined) {
        continue;
      }
      if (reference.includes('://') || reference.includes('${')) {
        // A URL or an environment variable: pip resolves it at install time, we cannot.
        entries.push([reference, 'unresolved']);
        continue;
      }
      visit(resolve(dirname(file), reference), reference, file);
    }
  };
  visit(requirementsFile, DEFAULT_REQUIREMENTS_FILE, undefined);
  return entries;
}

// ---------------------------------------------------------------------------------------------
// Bundling

const DOCKER_NEVER_USED =
  'aws-ops-kit packages Python functions on this machine with pip and never uses Docker; ' +
  'something tried to run the placeholder bundling image. This is a bug: please report it.';

/** The `image` CDK requires in BundlingOptions; the local bundler always runs instead. */
class NoDockerImage extends DockerImage {
  constructor() {
    super('aws-ops-kit/python-packaging-is-local-no-docker');
  }

  override run(): void {
    throw new PythonPackagingError(DOCKER_NEVER_USED);
  }

  override cp(): string {
    throw new PythonPackagingError(DOCKER_NEVER_USED);
  }
}

const NO_DOCKER_IMAGE = new NoDockerImage();

class LocalPythonBundling implements ILocalBundling {
  constructor(private readonly packaging: ResolvedPackaging) {}

  tryBundle(outputDir: string): boolean {
    packagePython(this.packaging, outputDir);
    // Never false: false makes CDK fall back to Docker bundling.
    return true;
  }

  /** CDK hashes JSON.stringify(bundling) into the asset hash: keep this machine's paths out. */
  toJSON(): string {
    return 'aws-ops-kit:python-local-bundling';
  }
}

function bundlingOf(packaging: ResolvedPackaging): BundlingOptions {
  return {
    image: NO_DOCKER_IMAGE,
    local: new LocalPythonBundling(packaging),
    // A source folder holding a single .zip must still be zipped as a folder.
    outputType: BundlingOutput.NOT_ARCHIVED,
  };
}

/**
 * Installs the requirements first (into an empty folder, so pip never skips an existing
 * target), then copies the sources over them (a source file wins over an installed one with
 * the same path), then removes every `__pycache__`, `*.pyc` and `*.pyo`: Lambda compiles on
 * import, and stale bytecode only bloats the package.
 */
function packagePython(packaging: ResolvedPackaging, outputDir: string): void {
  if (packaging.requirementsFile !== undefined) {
    const command = buildPipCommand(
      packaging.pipExecutable,
      packaging.pipExtraArgs,
      packaging.runtime,
      packaging.architecture,
      packaging.requirementsFile,
      outputDir,
    );
    runPip(command, dirname(packaging.requirementsFile), packaging.sourceDir);
  }
  FileSystem.copyDirectory(packaging.sourceDir, outputDir, { exclude: [...packaging.exclude] });
  removeBytecode(outputDir);
}

/** pip's output can be long (one line per file with -v); the default 1 MiB would kill it. */
const PIP_OUTPUT_LIMIT = 256 * 1024 * 1024;
const OUTPUT_TAIL_LINES = 30;

function runPip(command: readonly string[], cwd: string, sourceDir: string): void {
  const [program, ...args] = command as [string, ...string[]];
  const result = spawnSync(program, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: PIP_OUTPUT_LIMIT,
    windowsHide: true,
  });
  const shown = displayCommand(command);
  if (result.error !== undefined) {
    const code = (result.error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? `"${program}" was not found. Install Python 3 with pip, or set pip.executable ` +
          "(e.g. ['python3.12', '-m', 'pip'])"
        : result.error.message;
    throw new PythonPackagingError(`Cannot run pip for ${sourceDir}: ${why}.\nCommand: ${shown}`, {
      cause: result.error,
    });
  }
  if (result.status === 0) {
    return;
  }
  if (/No module named pip\b/.test(result.stderr)) {
    throw new PythonPackagingError(
      `pip is not installed for "${program}": run "${program} -m ensurepip --upgrade", or set ` +
        `pip.executable to a Python that has pip.\nCommand: ${shown}`,
    );
  }
  const how =
    result.signal !== null ? `was killed by ${result.signal}` : `exited with code ${result.status}`;
  const output = result.stderr.trim() !== '' ? result.stderr : result.stdout;
  throw new PythonPackagingError(
    `pip install ${how} while packaging ${sourceDir}.\nCommand: ${shown}\n` +
      `pip output (last ${OUTPUT_TAIL_LINES} lines):\n${redact(tailOf(output))}`,
  );
}

function tailOf(text: string): string {
  return text.trimEnd().split(/\r?\n/).slice(-OUTPUT_TAIL_LINES).join('\n');
}

/** Shell-like rendering for error messages only (the command itself never goes through a shell). */
function displayCommand(command: readonly string[]): string {
  return command
    .map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg)))
    .map(redact)
    .join(' ');
}

/** Hides the password of `scheme://user:password@host` index URLs in messages. */
function redact(text: string): string {
  return text.replace(/(:\/\/[^/\s:@]+:)[^@\s/]+@/g, '$1****@');
}

function removeBytecode(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === '__pycache__') {
        rmSync(path, { recursive: true, force: true });
      } else {
        removeBytecode(path);
      }
    } else if (entry.name.endsWith('.pyc') || entry.name.endsWith('.pyo')) {
      rmSync(path, { force: true });
    }
  }
}
