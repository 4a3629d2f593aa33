import { systemClock, type Clock } from './clock.js';
import { RateLimitTimeoutError, ResilienceConfigError } from './errors.js';

export interface AcquireOptions {
  /**
   * Give up after this many milliseconds with a `RateLimitTimeoutError`; 0 means "only if a
   * token is free right now".
   * @default - wait as long as it takes
   */
  readonly timeoutMs?: number;
  /** Aborting removes the caller from the queue and rejects with `signal.reason`. */
  readonly signal?: AbortSignal;
  /** @default 1 */
  readonly tokens?: number;
}

/**
 * The least a rate limiter must do for the resilient client: grant tokens asynchronously. A
 * limiter whose state lives elsewhere (e.g. a DynamoDB token bucket shared by every container
 * of an account) implements only this, since it cannot answer synchronously.
 */
export interface Limiter {
  /** Shows up in errors and logs, e.g. `drs:us-east-1`. */
  readonly name: string;
  /** Waits for the tokens; resolves with the milliseconds waited. */
  acquire(options?: AcquireOptions): Promise<number>;
}

/** What callers of an in-process limiter need; `TokenBucket` is the implementation. */
export interface RateLimiter extends Limiter {
  /** Takes tokens only if they are free now and nobody is queued before the caller. */
  tryAcquire(tokens?: number): boolean;
  /** Waits in FIFO order for the tokens; resolves with the milliseconds waited. */
  acquire(options?: AcquireOptions): Promise<number>;
  /** Tokens in the bucket now (may be fractional). */
  availableTokens(): number;
}

export interface TokenBucketOptions {
  /** Tokens added per second (the sustained rate). Must be > 0. */
  readonly ratePerSecond: number;
  /** Most tokens the bucket holds (the burst). Must be > 0. */
  readonly capacity: number;
  /** @default systemClock */
  readonly clock?: Clock;
  /** @default - capacity (a full bucket) */
  readonly initialTokens?: number;
  /** Shows up in errors and logs, e.g. `drs:us-east-1`. @default 'token-bucket' */
  readonly name?: string;
}

interface Waiter {
  readonly tokens: number;
  readonly enqueuedAt: number;
  readonly resolve: (waitedMs: number) => void;
  readonly reject: (reason: unknown) => void;
  /** Cancels the waiter's timeout and abort listener. */
  readonly cleanup: () => void;
}

// Refill arithmetic is floating point; a grant short by less than this counts as whole, so a
// waiter woken after exactly its deficit is not put back to sleep for a rounding error.
const EPSILON = 1e-9;

/**
 * A token bucket on an injectable clock. Written by hand because the maintained limiters
 * (bottleneck is unmaintained; p-limit/p-queue count concurrency, not rate) neither take a
 * virtual clock nor share `tryAcquire` with the simulation's server-side throttling.
 *
 * Refill is computed from elapsed clock time at each call, so nothing ticks in the background.
 * Waiters queue FIFO and one internal loop serves the head: it sleeps once for the head's
 * deficit (no polling) and is woken early when the head leaves the queue (timeout or abort).
 */
export class TokenBucket implements RateLimiter {
  readonly name: string;
  readonly ratePerSecond: number;
  readonly capacity: number;
  private readonly clock: Clock;
  private tokens: number;
  private lastRefillAt: number;
  private readonly waiters: Waiter[] = [];
  private serving = false;
  private wakeServer: AbortController | undefined;

  constructor(options: TokenBucketOptions) {
    const name = options.name ?? 'token-bucket';
    requirePositive(name, 'ratePerSecond', options.ratePerSecond);
    requirePositive(name, 'capacity', options.capacity);
    const initial = options.initialTokens ?? options.capacity;
    if (!Number.isFinite(initial) || initial < 0 || initial > options.capacity) {
      throw new ResilienceConfigError(
        `TokenBucket '${name}': initialTokens must be between 0 and capacity ` +
          `(${options.capacity}), got ${String(options.initialTokens)}.`,
      );
    }
    this.name = name;
    this.ratePerSecond = options.ratePerSecond;
    this.capacity = options.capacity;
    this.clock = options.clock ?? systemClock;
    this.tokens = initial;
    this.lastRefillAt = this.clock.now();
  }

  /** Callers waiting in `acquire()` right now. */
  get queueLength(): number {
    return this.waiters.length;
  }

  tryAcquire(tokens = 1): boolean {
    this.checkTokens(tokens);
    // Fairness: a queued waiter is owed the next tokens; nobody may jump ahead of it.
    if (this.waiters.length > 0) return false;
    return this.take(tokens);
  }

  availableTokens(): number {
    this.refill();
    return this.tokens;
  }

  // async: invalid arguments reject like any other failure. Until its first await the body runs
  // synchronously, so an immediate grant is taken before any other caller can run.
  async acquire(options: AcquireOptions = {}): Promise<number> {
    const { timeoutMs, signal, tokens = 1 } = options;
    this.checkTokens(tokens);
    if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs >= 0)) {
      throw new ResilienceConfigError(
        `TokenBucket '${this.name}': timeoutMs must be a finite number >= 0, got ${String(timeoutMs)}.`,
      );
    }
    if (signal?.aborted) throw signal.reason;
    if (this.waiters.length === 0 && this.take(tokens)) return 0;
    if (timeoutMs === 0) {
      throw new RateLimitTimeoutError({ limiterName: this.name, timeoutMs, waitedMs: 0, tokens });
    }
    return this.enqueue(tokens, timeoutMs, signal);
  }

  private enqueue(tokens: number, timeoutMs: number | undefined, signal?: AbortSignal) {
    return new Promise<number>((resolve, reject) => {
      const enqueuedAt = this.clock.now();
      const timer = new AbortController();
      const onAbort = (): void => {
        if (this.remove(waiter)) reject(signal?.reason as Error);
      };
      const waiter: Waiter = {
        tokens,
        enqueuedAt,
        resolve,
        reject,
        cleanup: () => {
          timer.abort();
          signal?.removeEventListener('abort', onAbort);
        },
      };
      if (timeoutMs !== undefined) {
        this.clock.sleep(timeoutMs, timer.signal).then(
          () => {
            // Already served (a clock may resolve a sleep whose signal was aborted).
            if (!this.remove(waiter)) return;
            const waitedMs = this.clock.now() - enqueuedAt;
            reject(
              new RateLimitTimeoutError({ limiterName: this.name, timeoutMs, waitedMs, tokens }),
            );
          },
          () => undefined, // cancelled because the waiter was served or aborted
        );
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.startServing();
    });
  }

  /** Removes a waiter that gave up; its tokens were never taken. False if already served. */
  private remove(waiter: Waiter): boolean {
    const index = this.waiters.indexOf(waiter);
    if (index < 0) return false;
    this.waiters.splice(index, 1);
    waiter.cleanup();
    // The server sleeps for the head's deficit; a new head needs a new computation.
    if (index === 0) this.wakeServer?.abort();
    return true;
  }

  private startServing(): void {
    if (this.serving) return;
    this.serving = true;
    void this.serve();
  }

  private async serve(): Promise<void> {
    while (this.waiters.length > 0) {
      const head = this.waiters[0];
      if (this.take(head.tokens)) {
        this.waiters.shift();
        head.cleanup();
        head.resolve(this.clock.now() - head.enqueuedAt);
        continue;
      }
      const deficit = head.tokens - this.tokens;
      const wake = new AbortController();
      this.wakeServer = wake;
      try {
        await this.clock.sleep(Math.ceil((deficit / this.ratePerSecond) * 1000), wake.signal);
      } catch (error) {
        // Woken on purpose: loop and look at the new head. Otherwise the clock itself failed,
        // and nobody in the queue can ever be served.
        if (!wake.signal.aborted) this.failAll(error);
      } finally {
        this.wakeServer = undefined;
      }
    }
    // Same synchronous step as the emptiness check, so no waiter can slip in unserved.
    this.serving = false;
  }

  private failAll(error: unknown): void {
    for (const waiter of this.waiters.splice(0)) {
      waiter.cleanup();
      waiter.reject(error);
    }
  }

  private take(tokens: number): boolean {
    this.refill();
    if (this.tokens + EPSILON < tokens) return false;
    this.tokens = Math.max(0, this.tokens - tokens);
    return true;
  }

  private refill(): void {
    const now = this.clock.now();
    // A clock that steps backwards adds nothing (and never removes tokens).
    if (now <= this.lastRefillAt) return;
    const added = ((now - this.lastRefillAt) * this.ratePerSecond) / 1000;
    this.tokens = Math.min(this.capacity, this.tokens + added);
    this.lastRefillAt = now;
  }

  private checkTokens(tokens: number): void {
    if (!Number.isFinite(tokens) || tokens <= 0 || tokens > this.capacity) {
      throw new ResilienceConfigError(
        `TokenBucket '${this.name}': tokens must be > 0 and <= capacity (${this.capacity}), ` +
          `got ${String(tokens)}; a request larger than the bucket could never be granted.`,
      );
    }
  }
}

function requirePositive(name: string, field: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ResilienceConfigError(
      `TokenBucket '${name}': ${field} must be a finite number > 0, got ${String(value)}.`,
    );
  }
}
