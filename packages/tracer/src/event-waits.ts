/**
 * stuck-event-wait: `events.once(emitter, name)` started in a scope and still
 * pending at its end although the emitter can no longer emit: a destroyed or
 * closed stream or socket, an exited child process, an already aborted signal.
 * `events.once` is wrapped (and the ESM binding synced) to remember the emitter,
 * the event and the call site; whether the wait is still pending is read from the
 * capture stage's pending promises, so no reaction is added to the user's promise.
 */
import { EventEmitter } from 'node:events';
import { syncBuiltinESMExports } from 'node:module';
import { captureSite } from './capture.js';
import { pushBounded, type EventWaitRecord, type ScopeState } from './state.js';

type Once = (emitter: unknown, name: string | symbol, options?: unknown) => Promise<unknown[]>;

export interface EventWaitPatch {
  uninstall(): void;
}

export function installEventWaitPatch(
  owner: () => ScopeState | undefined,
  isPending: (scope: ScopeState, promise: Promise<unknown>) => boolean,
): EventWaitPatch {
  const holder = EventEmitter as unknown as { once: Once };
  const original = holder.once;
  const once: Once = function once(emitter, name, options) {
    const promise = original(emitter, name, options);
    try {
      const s = owner();
      if (s !== undefined && typeof emitter === 'object' && emitter !== null) {
        pushBounded(s.eventWaits, { emitter, event: name, promise, site: captureSite() }, (w) => isPending(s, w.promise));
      }
    } catch {
      // never break the caller
    }
    return promise;
  };
  holder.once = once;
  syncBuiltinESMExports();
  return {
    uninstall() {
      holder.once = original;
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
  listening?: unknown;
  constructor?: { name?: string };
}

/** Why the emitter can never emit `event` again, or undefined when it still might. */
export function whyNever(wait: EventWaitRecord): string | undefined {
  const e = wait.emitter as EmitterState;
  const closing = wait.event === 'close' || wait.event === 'exit';
  if (e.destroyed === true && !closing) return 'is already destroyed';
  if (e.closed === true && !closing) return 'is already closed';
  if (wait.event !== 'close' && (typeof e.exitCode === 'number' || typeof e.signalCode === 'string')) return 'has already exited';
  if (wait.event === 'abort' && e.aborted === true) return 'was already aborted';
  return undefined;
}
