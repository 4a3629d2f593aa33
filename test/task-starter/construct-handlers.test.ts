import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TASK_STARTER_HANDLERS } from '../../src/task-starter/contract.js';
import { handlerCode, handlerEntry } from '../../src/task-starter/construct-handlers.js';

describe('task starter construct: handler entries', () => {
  it('finds every handler the contract names beside the construct', () => {
    // Act
    const entries = Object.keys(TASK_STARTER_HANDLERS).map((role) =>
      handlerEntry(role as keyof typeof TASK_STARTER_HANDLERS),
    );
    // Assess
    expect(entries.map((entry) => entry.split('/').slice(-2).join('/'))).toEqual([
      'handlers/start.ts',
      'handlers/start-sync.ts',
      'handlers/task-state.ts',
      'handlers/reconcile.ts',
    ]);
  });

  it('takes a compiled .js entry in another folder', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'task-starter-handlers-'));
    writeFileSync(join(dir, 'reconcile.js'), 'export const handler = () => undefined;\n');
    try {
      // Act
      const entry = handlerEntry('reconcile', dir);
      const code = handlerCode('reconcile', dir);
      // Assess
      expect(entry).toBe(join(dir, 'reconcile.js'));
      expect(code).toMatchObject({ entry: join(dir, 'reconcile.js') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
