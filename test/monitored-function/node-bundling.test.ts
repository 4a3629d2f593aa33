import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FunctionCode,
  MonitoredFunction,
  NoDockerImage,
  NodeBundlingError,
  assertLocalEsbuild,
  detectLocalEsbuild,
  esbuildOnPathVersion,
  esbuildPackageVersion,
  nodejsBundlingOptions,
} from '../../src/monitored-function/index.js';
import { nagFindings } from '../helpers/cdk-nag.js';
import { NODE_ENTRY, newStack } from './support.js';

describe('node-bundling: esbuild detection', () => {
  it('finds the esbuild installed with the project', () => {
    expect(detectLocalEsbuild()).toMatch(/^0\.\d+\.\d+$/);
  });

  it('falls back to an esbuild executable on the PATH, like aws-lambda-nodejs', () => {
    const bin = join(process.cwd(), 'node_modules', '.bin');
    expect(esbuildOnPathVersion({ ...process.env, PATH: bin })).toBe(esbuildPackageVersion());
    expect(
      esbuildOnPathVersion({ ...process.env, PATH: join(tmpdir(), 'no-such-dir') }),
    ).toBeUndefined();
  });

  it('finds no esbuild package where none is installed', () => {
    expect(esbuildPackageVersion(join(tmpdir(), 'no-such-dir', 'index.js'))).toBeUndefined();
  });

  it('returns the version when esbuild is available', () => {
    expect(assertLocalEsbuild('fn', () => '0.28.2')).toBe('0.28.2');
  });

  it('fails synth with a clear error when esbuild is missing, instead of using Docker', () => {
    const act = (): string => assertLocalEsbuild('orders-fn', () => undefined);
    expect(act).toThrow(NodeBundlingError);
    expect(act).toThrow(
      'MonitoredFunction(orders-fn): esbuild is not installed, so the Node.js handler cannot be bundled locally. Install it in the project (npm install --save-dev esbuild); MonitoredFunction never falls back to Docker bundling.',
    );
  });

  it('rejects an esbuild major version aws-lambda-nodejs does not support', () => {
    expect(() => assertLocalEsbuild('orders-fn', () => '1.0.0')).toThrow(
      /supports esbuild 0\.x; found 1\.0\.0/,
    );
  });
});

describe('node-bundling: Docker is never used', () => {
  it('the fallback image refuses to run or copy', () => {
    const image = new NoDockerImage('orders-fn');
    expect(() => image.run()).toThrow(NodeBundlingError);
    expect(() => image.run()).toThrow(
      /MonitoredFunction\(orders-fn\): local esbuild bundling did not run/,
    );
    expect(() => image.cp('/asset-output', '/tmp/out')).toThrow(NodeBundlingError);
  });

  it('bundling options force local bundling, with the refusing image as the only Docker fallback', () => {
    const options = nodejsBundlingOptions('orders-fn', 22);
    expect(options.forceDockerBundling).toBe(false);
    expect(options.dockerImage).toBeInstanceOf(NoDockerImage);
  });
});

describe('node-bundling: esbuild settings', () => {
  it('defaults to a minified ESM bundle for the runtime, source map on, AWS SDK bundled in', () => {
    expect(nodejsBundlingOptions('fn', 22)).toMatchObject({
      target: 'node22',
      format: nodejs.OutputFormat.ESM,
      mainFields: ['module', 'main'],
      banner: expect.stringContaining('createRequire') as unknown,
      minify: true,
      sourceMap: true,
      bundleAwsSDK: true,
      externalModules: [],
    });
  });

  it('honours CommonJS, no minification, externals, defines and tsconfig', () => {
    const options = nodejsBundlingOptions('fn', 24, {
      format: 'cjs',
      minify: false,
      sourceMap: false,
      externalModules: ['sharp'],
      define: { 'process.env.STAGE': '"prod"' },
      tsconfig: 'tsconfig.json',
    });
    expect(options).toMatchObject({
      target: 'node24',
      format: nodejs.OutputFormat.CJS,
      minify: false,
      sourceMap: false,
      externalModules: ['sharp'],
      define: { 'process.env.STAGE': '"prod"' },
      tsconfig: 'tsconfig.json',
    });
    expect(options.banner).toBeUndefined();
    expect(options.mainFields).toBeUndefined();
  });
});

describe('node-bundling: MonitoredFunction with a TypeScript handler', () => {
  let app: App;
  let stack: Stack;
  let template: Template;
  let defaults: MonitoredFunction;
  let node24: MonitoredFunction;
  let node20: MonitoredFunction;
  let fakeDockerDir: string;
  let dockerMarker: string;
  const previousDocker = process.env.CDK_DOCKER;

  beforeAll(() => {
    // Any Docker call CDK makes goes to CDK_DOCKER: point it at a script that leaves a marker.
    fakeDockerDir = mkdtempSync(join(tmpdir(), 'no-docker-'));
    dockerMarker = join(fakeDockerDir, 'docker-was-called');
    const fakeDocker = join(fakeDockerDir, 'docker');
    writeFileSync(fakeDocker, `#!/bin/sh\necho "$@" >> "${dockerMarker}"\nexit 1\n`);
    chmodSync(fakeDocker, 0o755);
    process.env.CDK_DOCKER = fakeDocker;

    ({ app, stack } = newStack());
    defaults = new MonitoredFunction(stack, 'Defaults', {
      functionName: 'node-default',
      code: FunctionCode.nodejs({ entry: NODE_ENTRY }),
      alarms: { emails: ['ops@example.com'] },
    });
    node24 = new MonitoredFunction(stack, 'Node24', {
      functionName: 'node-24',
      code: FunctionCode.nodejs({
        entry: NODE_ENTRY,
        runtime: lambda.Runtime.NODEJS_24_X,
        bundling: {
          format: 'cjs',
          sourceMap: false,
          depsLockFilePath: join(process.cwd(), 'package-lock.json'),
          projectRoot: process.cwd(),
        },
      }),
      environment: { NODE_OPTIONS: '--max-old-space-size=100' },
      alarms: { emails: ['ops@example.com'] },
    });
    node20 = new MonitoredFunction(stack, 'Node20', {
      functionName: 'node-20',
      code: FunctionCode.nodejs({
        entry: NODE_ENTRY,
        runtime: lambda.Runtime.NODEJS_20_X,
        handler: 'handler',
      }),
      architecture: lambda.Architecture.X86_64,
      alarms: { emails: ['ops@example.com'] },
    });
    template = Template.fromStack(stack);
  });

  afterAll(() => {
    if (previousDocker === undefined) {
      delete process.env.CDK_DOCKER;
    } else {
      process.env.CDK_DOCKER = previousDocker;
    }
    rmSync(fakeDockerDir, { recursive: true, force: true });
  });

  /** The files of the function's bundled asset in the cloud assembly. */
  function assetFiles(fn: MonitoredFunction): { dir: string; files: string[] } {
    const code = (
      stack.resolve((fn.function.node.defaultChild as lambda.CfnFunction).code) as { s3Key: string }
    ).s3Key;
    const dir = join(app.outdir, `asset.${code.replace(/\.zip$/, '')}`);
    return { dir, files: readdirSync(dir).sort() };
  }

  it('deploys nodejs22.x on arm64 with the exported handler by default', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'node-default',
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Architectures: ['arm64'],
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
    });
  });

  it('bundles locally with esbuild: an ESM bundle with its source map, the AWS SDK inside', () => {
    const { dir, files } = assetFiles(defaults);
    expect(files).toEqual(['index.mjs', 'index.mjs.map']);
    const bundle = readFileSync(join(dir, 'index.mjs'), 'utf8');
    expect(
      bundle.startsWith("import { createRequire as __opsKitCreateRequire } from 'node:module';"),
    ).toBe(true);
    expect(bundle).toContain('elasticloadbalancing');
    // Externals would remain as imports. The only other mentions of SDK packages are inside the
    // SDK's error messages, which tell users how to install the optional CRT and SigV4a signers.
    expect(bundle).not.toMatch(/from\s*["']@aws-sdk\//);
    const required = new Set(
      [...bundle.matchAll(/require\(["'](@aws-sdk\/[^"']+)["']\)/g)].map((m) => m[1]),
    );
    expect([...required].sort()).toEqual(['@aws-sdk/signature-v4-crt', '@aws-sdk/signature-v4a']);
  });

  it('never calls Docker', () => {
    expect(existsSync(dockerMarker)).toBe(false);
  });

  it('targets the chosen runtime and keeps the caller NODE_OPTIONS', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'node-24',
      Runtime: 'nodejs24.x',
      Environment: { Variables: { NODE_OPTIONS: '--max-old-space-size=100' } },
    });
    const { dir, files } = assetFiles(node24);
    expect(files).toEqual(['index.js']);
    expect(readFileSync(join(dir, 'index.js'), 'utf8')).not.toContain('__opsKitCreateRequire');
  });

  it('runs on x86_64 when asked', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'node-20',
      Runtime: 'nodejs20.x',
      Architectures: ['x86_64'],
      Handler: 'index.handler',
      Environment: Match.objectLike({ Variables: { NODE_OPTIONS: '--enable-source-maps' } }),
    });
  });

  it('acknowledges cdk-nag L1 only for the kit runtime nodejs22.x; an older choice is reported', () => {
    const l1 = nagFindings(stack).filter((finding) => finding.ruleId === 'AwsSolutions-L1');
    expect(l1.map((finding) => finding.constructPath)).toEqual([
      `${node20.function.node.path}/Resource`,
    ]);
    expect(node24.function.node.path).toBe('TestStack/Node24/Function');
  });
});
