import { TokenBucket } from '../../../src/resilience/token-bucket.js';
import { VirtualClock } from '../../../src/simulation/index.js';

// Isolated mode: only code handed the clock sees virtual time.
const clock = VirtualClock.create();
const bucket = new TokenBucket({ ratePerSecond: 2, capacity: 1, clock });
const granted: number[] = [];
clock.schedule(60_000, () => console.log('one virtual minute has passed'));

await clock.run(async () => {
  for (let i = 0; i < 5; i++) {
    await bucket.acquire();
    granted.push(clock.now());
  }
});
// granted: +0, +500, +1000, +1500, +2000 ms; the one-minute timer is still pending.
await clock.advance(60_000); // fires it
// end of example
export { clock, granted };
