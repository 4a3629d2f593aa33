import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  LOAD_SHEDDING_HANDLERS,
  handlerEntry,
} from '../../src/load-shedding/construct-handlers.js';

describe('construct handlers: entry files', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'load-shedding-handlers-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the TypeScript sources in the repository', () => {
    expect(handlerEntry('alarmEvent')).toMatch(/src\/load-shedding\/handlers\/alarm-event\.ts$/);
    expect(handlerEntry('checkQueue')).toMatch(/src\/load-shedding\/handlers\/check-queue\.ts$/);
  });

  it('falls back to the compiled JavaScript of a package', () => {
    writeFileSync(
      join(dir, `${LOAD_SHEDDING_HANDLERS.checkQueue}.js`),
      'export const handler = 1;',
    );
    expect(handlerEntry('checkQueue', dir)).toBe(join(dir, 'check-queue.js'));
  });

  it('prefers TypeScript sources over JavaScript', () => {
    writeFileSync(join(dir, 'alarm-event.js'), '');
    writeFileSync(join(dir, 'alarm-event.ts'), '');
    expect(handlerEntry('alarmEvent', dir)).toBe(join(dir, 'alarm-event.ts'));
  });

  it('names the TypeScript path when neither exists, for MonitoredFunction to report', () => {
    expect(handlerEntry('alarmEvent', dir)).toBe(join(dir, 'alarm-event.ts'));
  });
});
