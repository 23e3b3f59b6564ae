/**
 * "Still pending" or "can never settle"? Where the runtime exposes a GC
 * (node --expose-gc), the promises the stuck tasks await are watched with a
 * FinalizationRegistry, every strong reference the tracer holds is dropped, and
 * a full GC is forced: a promise that is collected can never be resolved by
 * anyone, so its task can never resume. Done once, at judgement.
 */
import { setImmediate } from 'node:timers';
import type { AwaitChain } from './diff.js';
import type { ScopeState } from './state.js';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function canProve(): boolean {
  return typeof (globalThis as { gc?: unknown }).gc === 'function';
}

export async function proveUnreachable(scope: ScopeState, chains: readonly AwaitChain[]): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function' || chains.length === 0) return;
  const collected = new Set<number>();
  const registry = new FinalizationRegistry<number>((index) => collected.add(index));
  chains.forEach((chain, index) => {
    if (chain.promise) registry.register(chain.promise, index);
    delete chain.promise;
  });
  // The scope is being judged: its pending promises are no longer needed, and holding them would keep every task alive.
  scope.pending.clear();
  for (let i = 0; i < 3 && collected.size < chains.length; i++) {
    gc();
    await turn();
  }
  chains.forEach((chain, index) => {
    if (collected.has(index)) chain.proven = true;
  });
}
