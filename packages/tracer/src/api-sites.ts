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

export function installApiSites(owner: () => ScopeState | undefined): ApiSitePatch {
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
  return {
    uninstall() {
      proto.listen = original;
      restoreTimeout();
      restoreReject();
    },
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
