import type { CliIo } from '../../src/cli/io.js';

/**
 * In-process IO for CLI tests: captured stdout and stderr, `files` to read, written files in a
 * map. Writes under `/readonly/` fail as a permission error would.
 */
export function fakeIo(files: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const written = new Map<string, string>();
  const io: CliIo = {
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    readFile: (path) =>
      path in files
        ? Promise.resolve(files[path])
        : Promise.reject(new Error(`ENOENT: no such file or directory, open '${path}'`)),
    writeFile: (path, text) => {
      if (path.startsWith('/readonly/')) {
        return Promise.reject(new Error('EACCES: permission denied'));
      }
      written.set(path, text);
      return Promise.resolve();
    },
  };
  return { io, stdout: () => out.join(''), stderr: () => err.join(''), written };
}
