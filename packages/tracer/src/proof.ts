/**
 * "Still pending" or "can never settle"? Where the runtime exposes a GC
 * (node --expose-gc, or `proveWithGc`, which turns the flag on with
 * v8.setFlagsFromString and takes `gc` from a fresh context), the promises the
 * stuck tasks await and the emitters stuck event waits listen on are watched with
 * a FinalizationRegistry, every strong reference the tracer holds is dropped, and
 * a full GC is forced: a promise that is collected can never be resolved by
 * anyone, so its task can never resume; an emitter that is collected can never
 * emit. Done once, at judgement.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setImmediate } from 'node:timers';
import type { AwaitChain } from './diff.js';
import type { ScopeState } from './state.js';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A gc function obtained by enableGc(), when the process was not started with --expose-gc. */
let obtained: (() => void) | undefined;

function gcFunction(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: unknown }).gc;
  return typeof exposed === 'function' ? (exposed as () => void) : obtained;
}

export function canProve(): boolean {
  return gcFunction() !== undefined;
}

/** Turns on --expose-gc at run time (a new context then has `gc`); false where the runtime refuses. */
export function enableGc(): boolean {
  if (canProve()) return true;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    if (typeof gc === 'function') obtained = gc as () => void;
  } catch {
    // a runtime without the flag: no proofs
  }
  return obtained !== undefined;
}

/** Something else to prove unreachable: `release` drops the tracer's strong references and returns the object. */
export interface ProofTarget {
  release(): object;
  collected(): void;
}

export async function proveUnreachable(scope: ScopeState, chains: readonly AwaitChain[], extra: readonly ProofTarget[] = []): Promise<void> {
  const gc = gcFunction();
  if (gc === undefined || chains.length + extra.length === 0) {
    for (const chain of chains) delete chain.promise;
    return;
  }
  const collected = new Set<number>();
  const registry = new FinalizationRegistry<number>((index) => collected.add(index));
  chains.forEach((chain, index) => {
    if (chain.promise) registry.register(chain.promise, index);
    delete chain.promise;
  });
  extra.forEach((target, i) => registry.register(target.release(), chains.length + i));
  // The scope is being judged: its pending promises are no longer needed, and holding them would keep every task alive.
  scope.pending.clear();
  const total = chains.length + extra.length;
  for (let i = 0; i < 3 && collected.size < total; i++) {
    gc();
    await turn();
  }
  chains.forEach((chain, index) => {
    if (collected.has(index)) chain.proven = true;
  });
  extra.forEach((target, i) => {
    if (collected.has(chains.length + i)) target.collected();
  });
}
