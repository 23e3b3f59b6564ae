/**
 * stuck-event-wait: `events.once(emitter, name)` waits and `events.on(emitter,
 * name)` iterators (a `for await` loop) started in a scope, on an EventEmitter or
 * an EventTarget, still waiting at its end although the emitter can no longer
 * emit: a destroyed or closed stream or socket, an exited child process, an
 * already aborted signal, a closed MessagePort, or an emitter nothing references
 * any more (proven with a forced GC where the runtime offers one, see proof.ts).
 * `events.once` and `events.on` are wrapped (and the ESM bindings synced) to
 * remember the emitter, the event and the call site; whether a wait is still
 * pending is read from the capture stage's pending promises (for on(), the
 * iterator's latest next()), so no reaction is added to the user's promises.
 */
import { EventEmitter } from 'node:events';
import { syncBuiltinESMExports } from 'node:module';
import { captureSite } from './capture.js';
import { followPortClose, isClosedPort } from './ports.js';
import type { ProofTarget } from './proof.js';
import { pushBounded, type EventWaitRecord, type ScopeState } from './state.js';

type Once = (emitter: unknown, name: string | symbol, options?: unknown) => Promise<unknown[]>;
type On = (emitter: unknown, name: string | symbol, options?: unknown) => { next?: unknown };

export interface EventWaitPatch {
  uninstall(): void;
}

/** A settled stand-in: an on() iterator before its first next(), or a wait whose promise the GC proof let go of. */
const SETTLED: Promise<unknown> = Promise.resolve();

export function installEventWaitPatch(
  owner: () => ScopeState | undefined,
  isPending: (scope: ScopeState, promise: Promise<unknown>) => boolean,
): EventWaitPatch {
  const holder = EventEmitter as unknown as { once: Once; on: On };
  const original = { once: holder.once, on: holder.on };
  const remember = (s: ScopeState, record: EventWaitRecord) =>
    pushBounded(s.eventWaits, record, (w) => (w.kind === 'on' && w.promise === SETTLED) || isPending(s, w.promise));

  const once: Once = function once(emitter, name, options) {
    const promise = original.once(emitter, name, options);
    try {
      const s = owner();
      if (s !== undefined && typeof emitter === 'object' && emitter !== null) {
        remember(s, { emitter, event: name, promise, site: captureSite() });
        followPortClose(emitter);
      }
    } catch {
      // never break the caller
    }
    return promise;
  };

  const on: On = function on(emitter, name, options) {
    const iterator = original.on(emitter, name, options);
    try {
      const s = owner();
      const next = iterator.next;
      if (s !== undefined && typeof emitter === 'object' && emitter !== null && typeof next === 'function') {
        const call = next as (...a: unknown[]) => Promise<unknown>;
        const record: EventWaitRecord = { emitter, event: name, promise: SETTLED, site: captureSite(), kind: 'on' };
        // `for await` reads next once, when the loop starts: an own wrapper on this iterator is what it calls.
        iterator.next = function (this: unknown, ...args: unknown[]) {
          const promise = call.apply(this, args);
          record.promise = promise;
          return promise;
        };
        remember(s, record);
        followPortClose(emitter);
      }
    } catch {
      // never break the caller
    }
    return iterator;
  };
  holder.once = once;
  holder.on = on;
  syncBuiltinESMExports();
  return {
    uninstall() {
      holder.once = original.once;
      holder.on = original.on;
      syncBuiltinESMExports();
    },
  };
}

interface EmitterState {
  destroyed?: unknown;
  closed?: unknown;
  exitCode?: unknown;
  signalCode?: unknown;
  aborted?: unknown;
}

/** Why the emitter can never emit `event` again, or undefined when it still might. */
export function whyNever(wait: EventWaitRecord): string | undefined {
  try {
    return whyNeverUnguarded(wait);
  } catch {
    // The emitter is user code: a getter that throws tells nothing, and must not break the judgement.
    return undefined;
  }
}

function whyNeverUnguarded(wait: EventWaitRecord): string | undefined {
  if (wait.gone === true) return 'is unreachable (only the waiting code referenced it, and a forced GC collected it)';
  const e = wait.emitter as EmitterState;
  // A once('close') on something closing may still see its 'close'; a loop never gets past it.
  const closing = wait.kind !== 'on' && (wait.event === 'close' || wait.event === 'exit');
  if (e.destroyed === true && !closing) return 'is already destroyed';
  if (e.closed === true && !closing) return 'is already closed';
  if (isClosedPort(wait.emitter) && !closing) return 'is already closed';
  if ((wait.kind === 'on' || wait.event !== 'close') && (typeof e.exitCode === 'number' || typeof e.signalCode === 'string')) return 'has already exited';
  if (wait.event === 'abort' && e.aborted === true) return 'was already aborted';
  // An aborted signal fires nothing after its one 'abort'.
  if (wait.kind === 'on' && e.aborted === true && typeof AbortSignal === 'function' && wait.emitter instanceof AbortSignal) return 'was already aborted';
  return undefined;
}

/**
 * For the GC proof: the waits still pending with no other reason to be stuck.
 * Each target lets go of the record's strong references (the emitter, and the
 * promise whose reactions hold the waiting task) and keeps a stand-in with the
 * same prototype, so messages still name the emitter's class.
 */
export function emitterProofTargets(waits: Iterable<EventWaitRecord>): ProofTarget[] {
  const out: ProofTarget[] = [];
  for (const w of waits) {
    if (whyNever(w) !== undefined) continue;
    out.push({
      release() {
        const emitter = w.emitter;
        w.emitter = Object.create(Object.getPrototypeOf(emitter) as object | null) as object;
        w.promise = SETTLED;
        return emitter;
      },
      collected() {
        w.gone = true;
      },
    });
  }
  return out;
}
