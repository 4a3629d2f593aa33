import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { PythonPackagingOptions } from './python-packaging.js';

/** Where a Python function's code comes from; packaged locally (pip, no Docker) at synth. */
export interface PythonCodeOptions {
  /** Folder holding the handler module and its sources. */
  readonly sourceDir: string;
  /**
   * A Python runtime from `PYTHON_RUNTIMES` (python3.9 and every newer one aws-cdk-lib offers).
   * python3.9 and python3.10 synthesize with a deprecation warning.
   */
  readonly runtime: lambda.Runtime;
  /**
   * `module.function` that Lambda calls.
   * @default 'main.lambda_handler'
   */
  readonly handler?: string;
  /**
   * pip requirements file.
   * @default - `<sourceDir>/requirements.txt` when it exists; otherwise pip does not run
   */
  readonly requirementsFile?: string;
  /**
   * How pip runs (executable, extra arguments such as a private index).
   * @default - `python3 -m pip`, no extra arguments
   */
  readonly pip?: PythonPackagingOptions['pip'];
  /**
   * Extra glob patterns of source files not to package.
   * @default - only the kit's default excludes (bytecode, virtualenvs, VCS and tool caches)
   */
  readonly exclude?: readonly string[];
}

/** Output module format of a Node.js bundle. */
export type NodejsModuleFormat = 'esm' | 'cjs';

/** The esbuild settings a MonitoredFunction exposes; everything else is fixed by the kit. */
export interface NodejsBundlingOptions {
  /**
   * Minify the bundle.
   * @default true
   */
  readonly minify?: boolean;
  /**
   * Emit a source map and set `NODE_OPTIONS=--enable-source-maps` (unless `environment`
   * already sets NODE_OPTIONS), so stack traces point at the TypeScript sources.
   * @default true
   */
  readonly sourceMap?: boolean;
  /**
   * Output format. `esm` gets a banner that defines `require` for bundled CommonJS code.
   * @default 'esm'
   */
  readonly format?: NodejsModuleFormat;
  /**
   * Modules esbuild leaves out of the bundle (they must then come from a layer or the runtime).
   * @default [] - everything is bundled, the AWS SDK included
   */
  readonly externalModules?: readonly string[];
  /**
   * Compile-time constants (esbuild `--define`), e.g. `{ 'process.env.STAGE': '"prod"' }`.
   * @default - none
   */
  readonly define?: Readonly<Record<string, string>>;
  /**
   * tsconfig esbuild reads (paths, decorators, target checks).
   * @default - esbuild's own lookup from the entry file
   */
  readonly tsconfig?: string;
  /**
   * Lock file that marks the project root (and keys the bundle's dependency resolution).
   * @default - the nearest package-lock.json / yarn.lock / pnpm-lock.yaml above the entry
   */
  readonly depsLockFilePath?: string;
  /**
   * Root that esbuild runs in; the entry must be inside it.
   * @default - the folder of `depsLockFilePath`
   */
  readonly projectRoot?: string;
}

/** Where a Node.js function's code comes from; bundled locally by esbuild (never Docker). */
export interface NodejsCodeOptions {
  /** The handler's entry file (.ts, .mts, .js or .mjs). */
  readonly entry: string;
  /**
   * Name of the exported handler function in `entry`.
   * @default 'handler'
   */
  readonly handler?: string;
  /**
   * A pinned Node.js runtime, nodejs20.x or newer (not NODEJS_LATEST: the bundle target is
   * derived from it). The bundle targets the same Node.js major version.
   * @default lambda.Runtime.NODEJS_22_X
   */
  readonly runtime?: lambda.Runtime;
  /**
   * esbuild settings.
   * @default - minified ESM bundle with a source map, AWS SDK included
   */
  readonly bundling?: NodejsBundlingOptions;
}

/**
 * A Node.js handler bundled ahead of time (aws-ops-kit's own handlers in the published package):
 * the folder is deployed as is, so synthesis needs no esbuild and no sources.
 */
export interface NodejsBundleCodeOptions {
  /** The folder holding the bundle (`index.mjs`, and its source map if any). */
  readonly directory: string;
  /**
   * `file.export` inside the folder.
   * @default 'index.handler'
   */
  readonly handler?: string;
  /**
   * The Node.js runtime the bundle was built for, nodejs20.x or newer.
   * @default lambda.Runtime.NODEJS_22_X
   */
  readonly runtime?: lambda.Runtime;
}

/** Python code for a MonitoredFunction; build it with `FunctionCode.python(...)`. */
export interface PythonFunctionCode extends PythonCodeOptions {
  readonly kind: 'python';
}

/** Node.js code for a MonitoredFunction; build it with `FunctionCode.nodejs(...)`. */
export interface NodejsFunctionCode extends NodejsCodeOptions {
  readonly kind: 'nodejs';
}

/** A pre-built Node.js bundle; build it with `FunctionCode.nodejsBundle(...)`. */
export interface NodejsBundleFunctionCode extends NodejsBundleCodeOptions {
  readonly kind: 'nodejs-bundle';
}

/** The code of a MonitoredFunction: Python sources, a Node.js entry or a pre-built bundle. */
export type FunctionCode = PythonFunctionCode | NodejsFunctionCode | NodejsBundleFunctionCode;

/** Builders for {@link FunctionCode}. Nothing is packaged until the construct is created. */
export const FunctionCode = Object.freeze({
  /** Python sources packaged locally (pip with manylinux wheels for the function's architecture). */
  python(options: PythonCodeOptions): PythonFunctionCode {
    return { ...options, kind: 'python' };
  },
  /** A Node.js/TypeScript entry bundled locally by esbuild. */
  nodejs(options: NodejsCodeOptions): NodejsFunctionCode {
    return { ...options, kind: 'nodejs' };
  },
  /** A Node.js bundle built ahead of time, deployed as is (no esbuild at synth time). */
  nodejsBundle(options: NodejsBundleCodeOptions): NodejsBundleFunctionCode {
    return { ...options, kind: 'nodejs-bundle' };
  },
});

/** Defaults of the code options, shared by the construct, its validation and the docs. */
export const CODE_DEFAULTS = Object.freeze({
  pythonHandler: 'main.lambda_handler',
  nodejsHandler: 'handler',
  nodejsBundleHandler: 'index.handler',
  nodejsRuntime: lambda.Runtime.NODEJS_22_X,
  /** Oldest Node.js major Lambda still lets you create functions with. */
  minimumNodejsMajor: 20,
});
