/**
 * `Promise.withResolvers` (ES2024) for Node 20. aws-local-stepfunctions 3 calls it in every Task
 * state; Node 22 has it built in. Importing this module installs the polyfill only when the
 * runtime lacks it, so on Node 22 the native method is left alone.
 *
 * Written by hand because it is a few lines and a polyfill package (core-js) would pull in far
 * more than this one method. It follows the specification: the receiver (`this`) is the
 * constructor used, so subclasses get instances of themselves; a receiver that is not a
 * constructor is a TypeError; the property is writable, configurable and not enumerable.
 */

/** The result of `Promise.withResolvers()`. */
export interface PromiseWithResolversResult<T> {
  readonly promise: Promise<T>;
  readonly resolve: (value: T | PromiseLike<T>) => void;
  readonly reject: (reason?: unknown) => void;
}

type PromiseCtor = new <T>(
  executor: (
    resolve: (value: T | PromiseLike<T>) => void,
    reject: (reason?: unknown) => void,
  ) => void,
) => Promise<T>;

// A method (not a function expression) so that, like the built-in, it is not a constructor,
// is named `withResolvers` and has length 0.
const methods = {
  withResolvers<T>(this: unknown): PromiseWithResolversResult<T> {
    if (typeof this !== 'function') {
      throw new TypeError('Promise.withResolvers called on a non-constructor');
    }
    let resolve: ((value: T | PromiseLike<T>) => void) | undefined;
    let reject: ((reason?: unknown) => void) | undefined;
    const promise = new (this as PromiseCtor)<T>((res, rej) => {
      // NewPromiseCapability: the executor may be called only once with fresh resolvers.
      if (resolve !== undefined || reject !== undefined) {
        throw new TypeError('Promise executor has already been invoked');
      }
      resolve = res;
      reject = rej;
    });
    if (typeof resolve !== 'function' || typeof reject !== 'function') {
      throw new TypeError('Promise resolve or reject function is not callable');
    }
    return { promise, resolve, reject };
  },
};

/** The spec-following implementation, exported for tests. */
// eslint-disable-next-line @typescript-eslint/unbound-method -- unbound on purpose: like the built-in, it takes the constructor as `this`
export const withResolvers = methods.withResolvers;

/**
 * Installs `Promise.withResolvers` when missing; returns true if it installed it. Idempotent.
 */
export function installPromiseWithResolvers(target: object = Promise): boolean {
  if (typeof (target as { withResolvers?: unknown }).withResolvers === 'function') return false;
  Object.defineProperty(target, 'withResolvers', {
    value: withResolvers,
    writable: true,
    enumerable: false,
    configurable: true,
  });
  return true;
}

installPromiseWithResolvers();
