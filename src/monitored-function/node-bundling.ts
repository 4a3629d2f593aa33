import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { DockerImage } from 'aws-cdk-lib';
import type { DockerRunOptions } from 'aws-cdk-lib';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { NodeBundlingError } from './errors.js';
import type { NodejsBundlingOptions } from './function-code.js';

/** Returns the version of the esbuild that NodejsFunction would run locally, or undefined. */
export type EsbuildProbe = () => string | undefined;

/**
 * Version of the esbuild package that `fromFile`'s module resolution finds (by default from
 * aws-cdk-lib's own location, where aws-lambda-nodejs looks first); undefined when none.
 */
export function esbuildPackageVersion(fromFile: string = awsCdkLibManifest()): string | undefined {
  try {
    const manifest = createRequire(fromFile)('esbuild/package.json') as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : undefined;
  } catch {
    return undefined;
  }
}

function awsCdkLibManifest(): string {
  return createRequire(import.meta.url).resolve('aws-cdk-lib/package.json');
}

/** The `esbuild` executable on the PATH of `env` (aws-lambda-nodejs' second choice). */
export function esbuildOnPathVersion(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const probe = spawnSync('esbuild', ['--version'], { encoding: 'utf8', env });
  return probe.status === 0 && !probe.error ? probe.stdout.trim() : undefined;
}

/**
 * Finds esbuild the way aws-lambda-nodejs does: as a package resolvable from aws-cdk-lib, else
 * as an `esbuild` executable on the PATH. When neither exists, NodejsFunction would silently
 * switch to Docker bundling; the kit refuses instead (see {@link assertLocalEsbuild}).
 */
export const detectLocalEsbuild: EsbuildProbe = () =>
  esbuildPackageVersion() ?? esbuildOnPathVersion();

/** Fails synth with a clear error when esbuild cannot bundle locally. Returns its version. */
export function assertLocalEsbuild(
  functionName: string,
  probe: EsbuildProbe = detectLocalEsbuild,
): string {
  const version = probe();
  if (version === undefined) {
    throw new NodeBundlingError(
      `MonitoredFunction(${functionName}): esbuild is not installed, so the Node.js handler cannot ` +
        'be bundled locally. Install it in the project (npm install --save-dev esbuild); ' +
        'MonitoredFunction never falls back to Docker bundling.',
    );
  }
  if (!version.startsWith('0.')) {
    throw new NodeBundlingError(
      `MonitoredFunction(${functionName}): aws-lambda-nodejs supports esbuild 0.x; found ${version}. ` +
        'Install an esbuild 0.x release.',
    );
  }
  return version;
}

/**
 * The image NodejsFunction would run if local bundling ever declined. Running it throws: the
 * kit bundles with local esbuild only, so a missing or failing esbuild is a synth error that
 * says so, not a surprise Docker build (slow, needs a daemon, and not reproducible offline).
 */
export class NoDockerImage extends DockerImage {
  constructor(private readonly functionName: string) {
    super('aws-ops-kit/no-docker-bundling');
  }

  override run(_options?: DockerRunOptions): void {
    throw this.refusal();
  }

  override cp(_imagePath: string, _outputPath?: string): string {
    throw this.refusal();
  }

  private refusal(): NodeBundlingError {
    return new NodeBundlingError(
      `MonitoredFunction(${this.functionName}): local esbuild bundling did not run, and ` +
        'MonitoredFunction never bundles through Docker. Check that esbuild is installed ' +
        '(npm install --save-dev esbuild) and that the entry builds with it.',
    );
  }
}

/** Defines `require` in an ESM bundle, for bundled CommonJS code (the AWS SDK among it). */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __opsKitCreateRequire } from 'node:module'; " +
  'const require = __opsKitCreateRequire(import.meta.url);';

/** The NodejsFunction bundling settings for a MonitoredFunction. */
export function nodejsBundlingOptions(
  functionName: string,
  nodeMajor: number,
  options: NodejsBundlingOptions = {},
): nodejs.BundlingOptions {
  const esm = (options.format ?? 'esm') === 'esm';
  return {
    target: `node${nodeMajor}`,
    format: esm ? nodejs.OutputFormat.ESM : nodejs.OutputFormat.CJS,
    mainFields: esm ? ['module', 'main'] : undefined,
    banner: esm ? ESM_REQUIRE_BANNER : undefined,
    minify: options.minify ?? true,
    sourceMap: options.sourceMap ?? true,
    // The AWS SDK is bundled, not taken from the runtime: the runtime's copy changes whenever
    // AWS updates it, and with it the SDK's retry defaults (base delay, caps, retry budget).
    // Bundling the version in package-lock.json pins that behaviour to what the tests saw.
    bundleAwsSDK: true,
    externalModules: [...(options.externalModules ?? [])],
    define: options.define ? { ...options.define } : undefined,
    tsconfig: options.tsconfig,
    forceDockerBundling: false,
    dockerImage: new NoDockerImage(functionName),
  };
}
