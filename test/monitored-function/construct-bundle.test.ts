import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { handlerBundleDir, kitHandlerCode } from '../../src/common/handler-code.js';
import {
  FunctionCode,
  validateMonitoredFunctionProps,
} from '../../src/monitored-function/index.js';
import { expectNoNagFindings } from '../helpers/cdk-nag.js';
import { NODE_ENTRY, pythonProps, synthesize } from './support.js';

/** A folder holding a tiny pre-built bundle (and a source map when asked). */
function bundleDir(options: { sourceMap?: boolean; file?: string } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'opskit-bundle-'));
  writeFileSync(join(dir, options.file ?? 'index.mjs'), 'export const handler = async () => 1;\n');
  if (options.sourceMap) writeFileSync(join(dir, 'index.mjs.map'), '{}');
  return dir;
}

describe('MonitoredFunction: pre-built Node.js bundle', () => {
  it('deploys the folder as is, with index.handler on nodejs22.x, and passes cdk-nag', () => {
    // Prepare
    const directory = bundleDir({ sourceMap: true });
    // Act
    const { stack, template } = synthesize(
      pythonProps({ code: FunctionCode.nodejsBundle({ directory }) }),
    );
    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
      Environment: { Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps' }) },
    });
    expectNoNagFindings(stack);
  });

  it('leaves NODE_OPTIONS alone when the bundle has no source map', () => {
    const directory = bundleDir();
    const { template } = synthesize(
      pythonProps({
        code: FunctionCode.nodejsBundle({
          directory,
          handler: 'index.main',
          runtime: lambda.Runtime.NODEJS_20_X,
        }),
      }),
    );
    const functions = template.findResources('AWS::Lambda::Function');
    const [only] = Object.values(functions) as { Properties: Record<string, unknown> }[];
    expect(only?.Properties.Handler).toBe('index.main');
    expect(only?.Properties.Runtime).toBe('nodejs20.x');
    expect(JSON.stringify(only?.Properties.Environment ?? {})).not.toContain('NODE_OPTIONS');
  });
});

describe('MonitoredFunction validation: pre-built Node.js bundle', () => {
  const issuesOf = (code: ReturnType<typeof FunctionCode.nodejsBundle>) =>
    validateMonitoredFunctionProps(pythonProps({ code }));

  it('accepts an existing folder with the named file', () => {
    expect(issuesOf(FunctionCode.nodejsBundle({ directory: bundleDir() }))).toEqual([]);
    expect(
      issuesOf(
        FunctionCode.nodejsBundle({
          directory: bundleDir({ file: 'main.js' }),
          handler: 'main.go',
        }),
      ),
    ).toEqual([]);
  });

  it('names a missing folder', () => {
    const issues = issuesOf(FunctionCode.nodejsBundle({ directory: '/nowhere/bundle' }));
    expect(issues).toEqual([
      {
        prop: 'code.directory',
        message: expect.stringMatching(/existing folder; \/nowhere\/bundle/),
      },
    ]);
  });

  it('names a folder without the handler file and says how to build it', () => {
    const directory = bundleDir({ file: 'other.mjs' });
    const issues = issuesOf(FunctionCode.nodejsBundle({ directory }));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.prop).toBe('code.directory');
    expect(issues[0]?.message).toMatch(/must hold index\.mjs.*npm run build/);
  });

  it.each(['handler', 'index.', 'a/b.handler', 'index.1x'])('rejects handler "%s"', (handler) => {
    const issues = issuesOf(FunctionCode.nodejsBundle({ directory: bundleDir(), handler }));
    expect(issues.map((issue) => issue.prop)).toEqual(['code.handler']);
  });

  it('rejects an unpinned or non-Node runtime', () => {
    const issues = issuesOf(
      FunctionCode.nodejsBundle({ directory: bundleDir(), runtime: lambda.Runtime.PYTHON_3_13 }),
    );
    expect(issues.map((issue) => issue.prop)).toEqual(['code.runtime']);
  });

  it('requires a directory', () => {
    const issues = issuesOf(FunctionCode.nodejsBundle({ directory: '' }));
    expect(issues.map((issue) => issue.prop)).toEqual(['code.directory']);
  });
});

describe('kit handler code', () => {
  it('uses the pre-built bundle when the package has one', () => {
    // Prepare: a handlers folder as `npm run build` leaves it
    const handlers = mkdtempSync(join(tmpdir(), 'opskit-handlers-'));
    const bundle = handlerBundleDir(handlers, 'start');
    mkdirSync(bundle);
    writeFileSync(join(bundle, 'index.mjs'), 'export const handler = async () => 1;\n');
    writeFileSync(join(handlers, 'start.js'), 'export const handler = async () => 1;\n');
    // Act / Assess
    expect(kitHandlerCode(handlers, 'start')).toEqual({ kind: 'nodejs-bundle', directory: bundle });
  });

  it('falls back to the entry file for esbuild in the repository', () => {
    const handlers = join(NODE_ENTRY, '..');
    expect(kitHandlerCode(handlers, 'handler')).toEqual({ kind: 'nodejs', entry: NODE_ENTRY });
  });
});
