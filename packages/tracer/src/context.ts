/**
 * The scope store, propagated by the capture stage's own init hook: what
 * AsyncLocalStorage does on Node 20, without a second async hook. Node 20's
 * AsyncLocalStorage is itself an async_hooks init hook that copies its store
 * onto every new resource; with ours beside it, every promise paid for two hook
 * calls. Here the one init hook copies the store, and only when there is one
 * (resources created outside every scope get no property at all).
 */
import { executionAsyncResource } from 'node:async_hooks';
import type { ScopeState } from './state.js';

export class ScopeContext {
  /** The property under which a resource carries the scope current at its creation. */
  readonly key = Symbol('asyncsan.scope');

  getStore(): ScopeState | undefined {
    return (executionAsyncResource() as Record<symbol, ScopeState | undefined>)[this.key];
  }

  /** Called by the init hook: the new resource inherits the current scope; returns it. */
  propagate(resource: object): ScopeState | undefined {
    const s = (executionAsyncResource() as Record<symbol, ScopeState | undefined>)[this.key];
    if (s !== undefined) (resource as Record<symbol, ScopeState | undefined>)[this.key] = s;
    return s;
  }

  /** Runs `fn` with `store` current; whatever it creates, now or through callbacks, inherits it. */
  run<T>(store: ScopeState, fn: () => T): T {
    const resource = executionAsyncResource() as Record<symbol, ScopeState | undefined>;
    const previous = resource[this.key];
    if (previous === store) return fn();
    resource[this.key] = store;
    try {
      return fn();
    } finally {
      resource[this.key] = previous;
    }
  }

  /** Makes `store` current for the rest of the current execution (and what it creates). */
  enterWith(store: ScopeState): void {
    (executionAsyncResource() as Record<symbol, ScopeState | undefined>)[this.key] = store;
  }
}
