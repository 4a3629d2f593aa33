import { describe, expect, it } from 'vitest';
import {
  installPromiseWithResolvers,
  withResolvers,
} from '../../../src/workflow/local-run/promise-with-resolvers.js';

describe('local-run: Promise.withResolvers polyfill', () => {
  it('resolves and rejects the promise it returns', async () => {
    const first = withResolvers.call(Promise) as ReturnType<typeof withResolvers<number>>;
    first.resolve(42);
    await expect(first.promise).resolves.toBe(42);
    const second = withResolvers.call(Promise) as ReturnType<typeof withResolvers<number>>;
    second.reject(new Error('no'));
    await expect(second.promise).rejects.toThrow('no');
  });

  it('builds the promise with its receiver, so subclasses get their own instances', () => {
    class MyPromise<T> extends Promise<T> {}
    const { promise } = withResolvers.call(MyPromise);
    expect(promise).toBeInstanceOf(MyPromise);
    promise.catch(() => undefined);
  });

  it('throws a TypeError on a receiver that is not a constructor', () => {
    expect(() => withResolvers.call(undefined)).toThrow(TypeError);
    expect(() => withResolvers.call({})).toThrow(TypeError);
  });

  it('throws when the receiver never calls the executor', () => {
    class Lazy {
      constructor(_executor: unknown) {}
    }
    expect(() => withResolvers.call(Lazy)).toThrow(/not callable/);
  });

  it('is not a constructor, like the built-in', () => {
    expect(withResolvers.name).toBe('withResolvers');
    expect(withResolvers.length).toBe(0);
    expect(() => Reflect.construct(withResolvers as never, [])).toThrow(TypeError);
  });

  it('installs only where the method is missing, non-enumerable and writable', () => {
    const target: { withResolvers?: unknown } = {};
    expect(installPromiseWithResolvers(target)).toBe(true);
    expect(Object.getOwnPropertyDescriptor(target, 'withResolvers')).toMatchObject({
      value: withResolvers,
      writable: true,
      enumerable: false,
      configurable: true,
    });
    expect(installPromiseWithResolvers(target)).toBe(false);
    const native = { withResolvers: () => undefined };
    expect(installPromiseWithResolvers(native)).toBe(false);
    expect(typeof (Promise as unknown as { withResolvers: unknown }).withResolvers).toBe(
      'function',
    );
  });
});
