/**
 * Some handles are created inside runtime callbacks, with no user frame on their
 * stack: `server.listen(port, host)` resolves the host first and opens the handle
 * on a later tick. For those, the user call that asked for the handle is
 * remembered on the JS object that owns it (net.Server.prototype.listen is
 * wrapped) and found again through the handle's owner at judgement.
 * `AbortSignal.timeout` is wrapped too, so that the timer Node arms for it is
 * known as the signal's (capture.ts), whatever its creation stack looks like.
 */
import net from 'node:net';
import { captureSite, createTimeoutSignal, handleOwner } from './capture.js';
import type { ScopeState } from './state.js';

const sites = new WeakMap<object, { stack?: string }>();

export interface ApiSitePatch {
  uninstall(): void;
}

export function installApiSites(owner: () => ScopeState | undefined, idOf: (promise: Promise<unknown>) => number | undefined = () => undefined): ApiSitePatch {
  const proto = net.Server.prototype;
  const original = proto.listen;
  const patched = function (this: net.Server, ...args: unknown[]) {
    try {
      if (owner() !== undefined) sites.set(this, captureSite());
    } catch {
      // never break the caller
    }
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  };
  Object.defineProperty(patched, 'name', { value: original.name });
  proto.listen = patched as typeof proto.listen;
  const restoreTimeout = wrapTimeoutSignal();
  const restoreReject = wrapPromiseReject(owner);
  const restoreRace = wrapPromiseRace(owner, idOf);
  return {
    uninstall() {
      proto.listen = original;
      restoreTimeout();
      restoreReject();
      restoreRace();
    },
  };
}

/**
 * Wraps `Promise.race`: inside a scope (not the whole-program one), each native promise raced is
 * remembered, by async id, with the race's own promise (`scope.raced`). A guard timer whose promise
 * lost a race that is over can only settle that promise for a race that no longer listens.
 */
function wrapPromiseRace(owner: () => ScopeState | undefined, idOf: (promise: Promise<unknown>) => number | undefined): () => void {
  const descriptor = Object.getOwnPropertyDescriptor(Promise, 'race');
  if (descriptor === undefined || typeof descriptor.value !== 'function') return () => {};
  const original = descriptor.value as (this: unknown, values: Iterable<unknown>) => Promise<unknown>;
  const patched = function race(this: unknown, values: Iterable<unknown>) {
    let s: ScopeState | undefined;
    try {
      s = owner();
    } catch {
      s = undefined;
    }
    if (s === undefined || s.raced === undefined) return original.call(this, values);
    let items: unknown[];
    try {
      // Read once, here, and handed over as an array: the race sees the same values in the same order.
      items = [...values];
    } catch (error) {
      // As the race itself would: a throwing iterable makes a rejected promise.
      return original.call(this, {
        [Symbol.iterator]() {
          throw error;
        },
      });
    }
    const result = original.call(this, items);
    try {
      const rid = idOf(result);
      if (rid !== undefined) {
        for (const item of items) {
          const id = item instanceof Promise ? idOf(item) : undefined;
          if (id !== undefined) s.raced.set(id, rid);
        }
      }
    } catch {
      // never break the caller
    }
    return result;
  };
  Object.defineProperty(patched, 'length', { value: original.length });
  Object.defineProperty(Promise, 'race', { ...descriptor, value: patched });
  return () => {
    if (Promise.race === (patched as unknown)) Object.defineProperty(Promise, 'race', descriptor);
  };
}

const rejectSites = new WeakMap<object, { stack?: string }>();

/**
 * Wraps the static `Promise.reject`: the promise it returns is born rejected, at that call, often
 * with an error made elsewhere (a test's `new Error()`, a mock's configured value). Left unhandled,
 * the finding belongs at the call, which the error's own stack does not show.
 */
function wrapPromiseReject(owner: () => ScopeState | undefined): () => void {
  const descriptor = Object.getOwnPropertyDescriptor(Promise, 'reject');
  if (descriptor === undefined || typeof descriptor.value !== 'function') return () => {};
  const original = descriptor.value as (this: unknown, reason?: unknown) => Promise<never>;
  const patched = function reject(this: unknown, reason?: unknown) {
    const promise = original.call(this, reason);
    try {
      if (owner() !== undefined && typeof promise === 'object' && promise !== null) rejectSites.set(promise, captureSite());
    } catch {
      // never break the caller
    }
    return promise;
  };
  Object.defineProperty(patched, 'length', { value: original.length });
  Object.defineProperty(Promise, 'reject', { ...descriptor, value: patched });
  return () => {
    if (Promise.reject === (patched as unknown)) Object.defineProperty(Promise, 'reject', descriptor);
  };
}

/** Where `Promise.reject()` made this promise, when it did inside a scope. */
export function rejectSite(promise: unknown): { stack?: string } | undefined {
  return typeof promise === 'object' && promise !== null ? rejectSites.get(promise) : undefined;
}

/** Wraps the static `AbortSignal.timeout` (same attributes); returns the undo. */
function wrapTimeoutSignal(): () => void {
  const descriptor = typeof AbortSignal === 'function' ? Object.getOwnPropertyDescriptor(AbortSignal, 'timeout') : undefined;
  if (descriptor === undefined || typeof descriptor.value !== 'function') return () => {};
  const original = descriptor.value as (this: unknown, ...args: unknown[]) => unknown;
  const patched = function (this: unknown, ...args: unknown[]) {
    return createTimeoutSignal(() => original.apply(this, args));
  };
  Object.defineProperty(patched, 'name', { value: original.name });
  Object.defineProperty(patched, 'length', { value: original.length });
  Object.defineProperty(AbortSignal, 'timeout', { ...descriptor, value: patched });
  return () => {
    // Someone wrapped it on top of ours since: theirs stays.
    if (AbortSignal.timeout === (patched as unknown)) Object.defineProperty(AbortSignal, 'timeout', descriptor);
  };
}

/** The recorded user call for the JS object owning a handle wrap, if any. */
export function ownerSite(handle: object | undefined): { stack?: string } | undefined {
  if (handle === undefined) return undefined;
  const owner = handleOwner(handle);
  return owner === undefined ? undefined : sites.get(owner);
}
