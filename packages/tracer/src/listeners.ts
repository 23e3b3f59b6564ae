/**
 * leaked-listener capture: a minimal patch of EventEmitter (init, on/addListener,
 * prepend*, once) and EventTarget.prototype.addEventListener/removeEventListener,
 * plus AbortController/AbortSignal factories so a signal's birth scope is known.
 * A listener is recorded when user code (the direct caller) adds it inside a scope
 * to an emitter or signal born outside that scope. Everything is restored by
 * `uninstall()`.
 */
import { EventEmitter } from 'node:events';
import { captureSite } from './capture.js';
import type { ListenerRecord, ScopeState } from './state.js';

type Owner = () => ScopeState | undefined;
type AnyFn = (this: unknown, ...args: unknown[]) => unknown;

export interface ListenerPatch {
  uninstall(): void;
}

export function installListenerPatch(owner: Owner, live: ReadonlySet<ScopeState>): ListenerPatch {
  // The id of the scope each emitter was born in, not the scope: an emitter outliving its test (a server's
  // response, a pooled socket) must not keep that scope's records, and the objects they hold, alive.
  const births = new WeakMap<object, number>();
  const restores: Array<() => void> = [];
  let adding = false;

  const born = (target: object) => {
    try {
      const s = owner();
      if (s !== undefined) births.set(target, s.id);
    } catch {
      // never break the caller
    }
  };

  const replace = (holder: object, key: string | symbol, make: (original: AnyFn) => AnyFn) => {
    const descriptor = Object.getOwnPropertyDescriptor(holder, key);
    if (!descriptor || typeof descriptor.value !== 'function') return;
    const original = descriptor.value as AnyFn;
    const patched = make(original);
    Object.defineProperty(patched, 'name', { value: original.name });
    Object.defineProperty(holder, key, { ...descriptor, value: patched });
    restores.push(() => Object.defineProperty(holder, key, descriptor));
  };

  const record = (target: object, event: unknown, listener: unknown, kind: ListenerRecord['kind']) => {
    try {
      if (adding) return;
      const s = owner();
      if (s === undefined || births.get(target) === s.id) return;
      if (typeof event !== 'string' && typeof event !== 'symbol') return;
      s.listeners.add({ target, event, listener, kind, site: captureSite() });
      const n = s.listeners.size;
      // Bounded like the other records: drop listeners already removed, now and then.
      if (n >= 256 && (n & (n - 1)) === 0) for (const l of s.listeners) if (!stillRegistered(l)) s.listeners.delete(l);
    } catch {
      // never break the caller
    }
  };

  // Emitters: birth through EventEmitter.init, which every EventEmitter constructor calls.
  replace(EventEmitter, 'init', (original) =>
    function (this: unknown, ...args: unknown[]) {
      if (typeof this === 'object' && this !== null) born(this);
      return original.apply(this, args);
    },
  );
  for (const key of ['on', 'addListener', 'prependListener', 'once', 'prependOnceListener']) {
    replace(EventEmitter.prototype, key, (original) =>
      function (this: unknown, ...args: unknown[]) {
        if (typeof this === 'object' && this !== null) record(this, args[0], args[1], 'emitter');
        const outer = adding;
        adding = true;
        try {
          return original.apply(this, args);
        } finally {
          adding = outer;
        }
      },
    );
  }

  // Signals: birth through AbortController and the AbortSignal factories.
  // Node defines the global as a lazy accessor (non-enumerable): plain assignment would turn it into
  // a data property for good. Define ours with the same attributes and put the original descriptor back.
  const controllerDescriptor = Object.getOwnPropertyDescriptor(globalThis, 'AbortController');
  const OriginalController = globalThis.AbortController;
  class AbortController extends OriginalController {
    constructor() {
      super();
      born(this.signal);
    }
  }
  Object.defineProperty(globalThis, 'AbortController', {
    value: AbortController,
    writable: true,
    enumerable: controllerDescriptor?.enumerable ?? false,
    configurable: true,
  });
  restores.push(() => {
    // Someone replaced it since (a DOM environment): theirs stays.
    if (globalThis.AbortController !== AbortController) return;
    if (controllerDescriptor) Object.defineProperty(globalThis, 'AbortController', controllerDescriptor);
    else globalThis.AbortController = OriginalController;
  });
  for (const key of ['timeout', 'any', 'abort']) {
    replace(AbortSignal, key, (original) =>
      function (this: unknown, ...args: unknown[]) {
        const signal = original.apply(this, args);
        if (typeof signal === 'object' && signal !== null) born(signal);
        return signal;
      },
    );
  }

  // EventTargets: only signals have a known birth; once/signal listeners remove themselves.
  replace(EventTarget.prototype, 'addEventListener', (original) =>
    function (this: unknown, ...args: unknown[]) {
      try {
        const options = args[2];
        const selfRemoving =
          typeof options === 'object' && options !== null && ((options as { once?: boolean }).once === true || (options as { signal?: unknown }).signal !== undefined);
        if (this instanceof AbortSignal && !selfRemoving) record(this, args[0], args[1], 'target');
      } catch {
        // user options getters, a Proxy receiver: the call below reports its own errors
      }
      return original.apply(this, args);
    },
  );
  replace(EventTarget.prototype, 'removeEventListener', (original) =>
    function (this: unknown, ...args: unknown[]) {
      try {
        for (const scope of live)
          for (const l of scope.listeners) if (l.target === this && l.event === args[0] && l.listener === args[1]) scope.listeners.delete(l);
        if (removalWatched.size > 0) for (const l of removalWatched) if (l.target === this && l.event === args[0] && l.listener === args[1]) removalWatched.delete(l);
      } catch {
        // never break the caller
      }
      return original.apply(this, args);
    },
  );

  return {
    uninstall() {
      for (const restore of restores.splice(0).reverse()) restore();
    },
  };
}

/** EventTarget listeners of judged scopes still watched (cross-test-bleed): removed ones leave the set. */
const removalWatched = new Set<ListenerRecord>();

/** Keeps following removals of an EventTarget listener after its scope ended; the answer says whether it is still registered. */
export function watchTargetRemoval(record: ListenerRecord): () => boolean {
  removalWatched.add(record);
  // Bounded: the oldest watches go first (they hold their targets).
  if (removalWatched.size > 1024) removalWatched.delete(removalWatched.values().next().value!);
  return () => removalWatched.has(record);
}

/** Is the recorded listener still attached to its target? (EventTarget removals are dropped as they happen.) */
export function stillRegistered(l: ListenerRecord): boolean {
  if (l.kind === 'emitter') {
    const e = l.target as EventEmitter;
    try {
      return e.listeners(l.event).includes(l.listener as (...args: unknown[]) => void);
    } catch {
      return false;
    }
  }
  return true;
}
