import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findHandlerEntries } from '../../scripts/handler-entries.js';
import { ROOT, consumerApp, packKit, type PackResult } from './support.js';

interface Manifest {
  readonly exports: Record<string, string | { readonly types: string; readonly import: string }>;
  readonly bin: Record<string, string>;
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;
let packed: PackResult;

beforeAll(() => {
  packed = packKit();
}, 300_000);

describe('package: contents of the tarball', () => {
  it('holds compiled modules, declarations, bundles and docs, and no sources or tests', () => {
    const unexpected = packed.files.filter(
      (file) =>
        !/^dist\/(src|bin|examples\/workflow)\//.test(file) &&
        !/^docs\/[^/]+\.md$/.test(file) &&
        !['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE'].includes(file),
    );
    expect(unexpected).toEqual([]);
    expect(packed.files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual(
      [],
    );
    expect(packed.files).toContain('LICENSE');
  });

  it('has every export target and the bin', () => {
    const targets = Object.values(manifest.exports).flatMap((target) =>
      typeof target === 'string' ? [target] : [target.types, target.import],
    );
    for (const target of [...targets, ...Object.values(manifest.bin)]) {
      expect(packed.files, target).toContain(target.replace(/^\.\//, ''));
    }
  });

  it('has a pre-built bundle for every Lambda handler of the kit and of the example workflow', () => {
    const entries = findHandlerEntries(join(ROOT, 'src'));
    expect(entries.length).toBeGreaterThanOrEqual(2);
    for (const entry of entries) {
      expect(packed.files).toContain(
        `dist/src/${entry.capability}/handlers/${entry.name}.bundle/index.mjs`,
      );
    }
    const stages = findHandlerEntries(join(ROOT, 'examples'), 'stages');
    expect(stages.map((stage) => stage.name).sort()).toEqual([
      'etl',
      'filter',
      'reactive',
      'score',
      'store',
    ]);
    for (const stage of stages) {
      expect(packed.files).toContain(
        `dist/examples/workflow/stages/${stage.name}.bundle/index.mjs`,
      );
      // Local runs (opskit workflow run, the demo) import the compiled module itself.
      expect(packed.files).toContain(`dist/examples/workflow/stages/${stage.name}.js`);
    }
  });
});

describe('package: a consumer app installs the tarball', () => {
  let app: string;
  beforeAll(() => {
    app = consumerApp(packed.tarball);
  });

  it('synthesizes a stack whose functions deploy the pre-built bundles as they are', () => {
    // Prepare: a consumer's CDK app, plain JavaScript, importing the subpath exports
    writeFileSync(
      join(app, 'app.mjs'),
      `
import { App, Stack } from 'aws-cdk-lib';
import { LoadShedding } from 'aws-ops-kit/load-shedding';
const app = new App({ outdir: 'cdk.out' });
const stack = new Stack(app, 'Consumer', { env: { account: '123456789012', region: 'eu-west-1' } });
new LoadShedding(stack, 'Shedding', {
  primaryTargetGroup: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/blue/0123456789abcdef',
  listeners: ['arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shop/0123456789abcdef/fedcba9876543210'],
  alarm: { threshold: 500 },
  monitoring: { emails: ['ops@example.com'] },
});
app.synth();
`,
    );
    // Act: with no esbuild on the PATH
    execFileSync(process.execPath, ['app.mjs'], {
      cwd: app,
      env: { ...process.env, PATH: '/nonexistent' },
      stdio: 'inherit',
    });
    // Assess: each function's asset is byte for byte the bundle shipped in the package
    const template = JSON.parse(
      readFileSync(join(app, 'cdk.out', 'Consumer.template.json'), 'utf8'),
    ) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const functions = Object.values(template.Resources).filter(
      (resource) => resource.Type === 'AWS::Lambda::Function',
    );
    expect(functions.map((fn) => fn.Properties.Handler)).toEqual([
      'index.handler',
      'index.handler',
    ]);
    const assetDirs = readdirSync(join(app, 'cdk.out')).filter((name) => name.startsWith('asset.'));
    const shipped = ['alarm-event', 'check-queue'].map((name) =>
      readFileSync(
        join(
          app,
          'node_modules/aws-ops-kit/dist/src/load-shedding/handlers',
          `${name}.bundle/index.mjs`,
        ),
        'utf8',
      ),
    );
    const deployed = assetDirs.map((dir) =>
      readFileSync(join(app, 'cdk.out', dir, 'index.mjs'), 'utf8'),
    );
    expect(deployed.sort()).toEqual(shipped.sort());
  }, 120_000);

  it('runs the installed opskit: --help, and the demo end to end', () => {
    // Prepare
    const opskit = join(app, 'node_modules', 'aws-ops-kit', 'dist', 'bin', 'opskit.js');
    const run = (args: string[]) =>
      execFileSync(process.execPath, [opskit, ...args], {
        cwd: app,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    // Act
    const help = run(['--help']);
    const demo = JSON.parse(run(['demo', '--json', '--no-html'])) as {
      ok: boolean;
      acts: { checks: { ok: boolean }[] }[];
    };
    // Assess: execFileSync throws on a non-zero exit, so both commands succeeded
    expect(help).toMatch(/^Usage: opskit <command>/m);
    expect(demo.ok).toBe(true);
    expect(demo.acts).toHaveLength(5);
    expect(demo.acts.flatMap((act) => act.checks).every((check) => check.ok)).toBe(true);
  }, 180_000);

  it('type-checks a TypeScript consumer against the declarations of every subpath', () => {
    // Prepare
    const subpaths = Object.keys(manifest.exports).filter((key) => key !== './package.json');
    writeFileSync(
      join(app, 'consumer.ts'),
      subpaths
        .map((subpath, index) => {
          const specifier = subpath === '.' ? 'aws-ops-kit' : `aws-ops-kit/${subpath.slice(2)}`;
          return `import * as m${index} from '${specifier}';\nexport const k${index}: string[] = Object.keys(m${index});`;
        })
        .join('\n') +
        `\nimport { FunctionCode } from 'aws-ops-kit/monitored-function';\nexport const code = FunctionCode.nodejsBundle({ directory: '.' });\n`,
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
        },
        files: ['consumer.ts'],
      }),
    );
    // Act / Assess: tsc exits non-zero (and throws here) on any unresolved import or type error
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    expect(() =>
      execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], {
        cwd: app,
        encoding: 'utf8',
        stdio: 'pipe',
      }),
    ).not.toThrow();
  }, 120_000);
});
