/**
 * abandoned-iterator: an async generator that a scope started consuming, left
 * suspended at a `yield` (its last next() said done: false) and never returned
 * or threw into: when the scope ends its consumer is gone, so the generator's
 * finally blocks never run. %AsyncGeneratorPrototype%.next/return/throw are
 * wrapped; a site is captured once per generator, at its first next().
 */
import { captureSite } from './capture.js';
import { pushBounded, type GeneratorRecord, type ScopeState } from './state.js';

export interface IteratorPatch {
  uninstall(): void;
}

type Method = (this: object, ...args: unknown[]) => Promise<IteratorResult<unknown>>;

const AsyncGeneratorPrototype = Object.getPrototypeOf((async function* () {}).prototype) as Record<'next' | 'return' | 'throw', Method>;

export function installIteratorPatch(owner: () => ScopeState | undefined): IteratorPatch {
  const records = new WeakMap<object, GeneratorRecord>();
  const originals = { next: AsyncGeneratorPrototype.next, return: AsyncGeneratorPrototype.return, throw: AsyncGeneratorPrototype.throw };

  AsyncGeneratorPrototype.next = function next(this: object, ...args: unknown[]) {
    const result = originals.next.apply(this, args);
    try {
      let record = records.get(this);
      if (record === undefined) {
        const s = owner();
        if (s !== undefined) {
          record = { generator: this, site: captureSite(), suspended: false, finished: false };
          records.set(this, record);
          pushBounded(s.generators, record, (g) => !g.finished);
        }
      }
      if (record !== undefined) {
        const r = record;
        result.then(
          (step) => {
            r.suspended = step.done !== true;
            if (step.done === true) r.finished = true;
          },
          () => {
            r.finished = true;
          },
        );
      }
    } catch {
      // never break the caller
    }
    return result;
  };
  for (const key of ['return', 'throw'] as const) {
    AsyncGeneratorPrototype[key] = function (this: object, ...args: unknown[]) {
      const record = records.get(this);
      if (record !== undefined) record.finished = true;
      return originals[key].apply(this, args);
    };
  }
  return {
    uninstall() {
      Object.assign(AsyncGeneratorPrototype, originals);
    },
  };
}
