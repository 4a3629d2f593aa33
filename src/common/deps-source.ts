/**
 * How every handler module gets its dependencies: tests and the simulation pass them in, the
 * Lambda entry point passes a builder that runs on the first invocation. Lazy so that importing
 * a handler module never throws (tests, bundlers); a bad environment variable fails the first
 * invocation, and every later one, with the capability's config error that names it.
 */

/** Deps, or a function that builds them on first use. */
export type DepsSource<T extends object> = T | (() => T);

export function resolveDeps<T extends object>(source: DepsSource<T>): T {
  return typeof source === 'function' ? source() : source;
}

/** Builds once, on the first call, then returns the same object for the container's life. */
export function buildOnce<T extends object>(build: () => T): () => T {
  let built: T | undefined;
  return () => {
    built ??= build();
    return built;
  };
}
