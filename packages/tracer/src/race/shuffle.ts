/**
 * `--shuffle[=SEED]`: at every instrumented await a seeded PRNG picks a bounded
 * number of extra microtask hops, sometimes behind one macrotask hop, before the
 * continuation may resume. Ready continuations thus resume in a different (but
 * reproducible) order: the same seed and the same program give the same order.
 */

/** mulberry32: a tiny 32-bit PRNG, good enough to pick hop counts. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Most microtask hops added at one await. */
export const MAX_MICRO_HOPS = 4;
/** Chance that an await also waits one macrotask (setImmediate) turn. */
export const MACRO_CHANCE = 0.25;

export interface Shuffler {
  readonly seed: number;
  /** Resolves like `value`, after the seeded extra hops. */
  delay<T>(value: T): Promise<Awaited<T>>;
}

/** Taken at load: a test that fakes timers (fake-timers fakes both) must not stall the shuffle. */
const realSetImmediate = globalThis.setImmediate;
const realQueueMicrotask = globalThis.queueMicrotask;

export function createShuffler(seed: number): Shuffler {
  const next = prng(seed);
  const hop = (n: number, macro: boolean, done: () => void) => {
    const micro = (left: number) => {
      if (left === 0) done();
      else realQueueMicrotask(() => micro(left - 1));
    };
    if (macro) realSetImmediate(() => micro(n));
    else micro(n);
  };
  return {
    seed,
    delay<T>(value: T): Promise<Awaited<T>> {
      // Drawn at the await, in program order: that is what makes a seed reproducible.
      const n = Math.floor(next() * (MAX_MICRO_HOPS + 1));
      const macro = next() < MACRO_CHANCE;
      const hops = () => new Promise<void>((resolve) => hop(n, macro, resolve));
      // An async function awaiting the value, not a promise resolved from a then-callback:
      // V8's async stack walk (the tracer's wait-for chains) follows awaits only, so a task
      // stuck below a shuffled await stays one chain with the tasks awaiting it, as without
      // shuffle (else one deadlock was reported twice, at the inner await and at the caller's).
      const settle = async (): Promise<Awaited<T>> => {
        let v: Awaited<T>;
        try {
          v = await value;
        } catch (e) {
          await hops();
          throw e;
        }
        await hops();
        return v;
      };
      return settle();
    },
  };
}

/** Parses ASYNCSAN_SHUFFLE: unset or empty disables; a non-negative integer is the seed; anything else ("random") draws one. */
export function parseSeed(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (Number.isInteger(n) && n >= 0) return n >>> 0;
  return Math.floor(Math.random() * 0xffffffff) >>> 0;
}
