import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'aws-ops-kit';

/**
 * The version in the nearest `package.json` named `aws-ops-kit` at or above `startDir`.
 *
 * Walking up (rather than importing `../package.json`) finds the same file whether this module
 * runs from `src/` (tsx, vitest) or from a compiled `dist/` tree, and skips any nested
 * `package.json` that belongs to something else (e.g. a `{ "type": "module" }` marker in dist/).
 */
export function findKitVersion(startDir: string): string {
  for (let dir = startDir; ; dir = dirname(dir)) {
    const manifestPath = join(dir, 'package.json');
    if (existsSync(manifestPath)) {
      const manifest: unknown = JSON.parse(readFileSync(manifestPath, 'utf8'));
      if (isKitManifest(manifest)) {
        return manifest.version;
      }
    }
    if (dirname(dir) === dir) {
      throw new Error(
        `Cannot determine the ${PACKAGE_NAME} version: no package.json named "${PACKAGE_NAME}" ` +
          `with a "version" was found in ${startDir} or any folder above it. ` +
          `Run the kit from its package (or a checkout of it), not from a copied file.`,
      );
    }
  }
}

function isKitManifest(value: unknown): value is { name: string; version: string } {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const { name, version } = value as Record<string, unknown>;
  return name === PACKAGE_NAME && typeof version === 'string' && version.length > 0;
}

/** The kit's own version; part of every asset hash the kit computes, so an upgrade rebuilds. */
export const KIT_VERSION: string = findKitVersion(dirname(fileURLToPath(import.meta.url)));
