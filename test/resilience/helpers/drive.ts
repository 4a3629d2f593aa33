import type { TestClock } from './test-clock.js';

/**
 * Settles `promise` on virtual time: lets real asynchronous work run (the SDK pipeline yields
 * to the event loop), then fires the next virtual timer, until the promise settles.
 * No real time passes beyond event-loop turns.
 */
export async function drive<T>(clock: TestClock, promise: Promise<T>, maxSteps = 10_000) {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let step = 0; step < maxSteps && !settled; step += 1) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (!settled && clock.pendingTimers() > 0) await clock.fake.nextAsync();
  }
  if (!settled) throw new Error(`drive: promise still pending after ${maxSteps} steps`);
  return promise;
}
