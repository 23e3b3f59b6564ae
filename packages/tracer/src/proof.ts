/**
 * "Still pending" or "can never settle"? Where the runtime exposes a GC
 * (node --expose-gc, or `proveWithGc`, which turns the flag on with
 * v8.setFlagsFromString and takes `gc` from a fresh context), the promises the
 * stuck tasks await and the emitters stuck event waits listen on are watched with
 * weak references, every strong reference the tracer holds is dropped, and one
 * full GC is forced: a promise that is collected can never be resolved by
 * anyone, so its task can never resume; an emitter that is collected can never
 * emit. Done once, at judgement, and only for a scope with stuck work.
 *
 * A promise that settles between the judgement and the GC is collected too once
 * its reactions are queued (tinypool's `await worker.terminate()`, resolved by the
 * worker's 'exit' during the proof's turn): a promise hook notes any watched
 * promise that settles meanwhile, and such a chain is not proven.
 */
import { promiseHooks, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setImmediate } from 'node:timers';
import { dropPromises, type AwaitChain } from './diff.js';
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
    try {
      const gc = runInNewContext('gc') as unknown;
      if (typeof gc === 'function') obtained = gc as () => void;
    } finally {
      // Only our context gets `gc`: contexts made later (Vitest's vmThreads files, the program's own
      // vm contexts) must not see a global the program did not ask for (code that runs only `if (global.gc)`).
      setFlagsFromString('--no-expose-gc');
    }
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

/**
 * `reachable`: chains known to be reachable whatever a GC says (a task asleep on a live timer armed for
 * the promise it awaits: the timer holds it); their promises are let go of like the others', but they
 * are not watched, so a judgement whose stuck tasks are all such sleepers forces no GC. A forced full GC
 * costs tens of ms in a test worker's heap, and a target that survives is tried three times.
 */
export async function proveUnreachable(
  scope: ScopeState,
  chains: readonly AwaitChain[],
  extra: readonly ProofTarget[] = [],
  reachable: ReadonlySet<AwaitChain> = new Set(),
): Promise<void> {
  const gc = gcFunction();
  if (gc === undefined || chains.length - reachable.size + extra.length <= 0) {
    for (const chain of chains) dropPromises(chain);
    return;
  }
  // Weak references, read right after one forced GC: a collected target reads undefined at once.
  // A WeakRef keeps its target alive until the end of the job it was made (or read) in, hence
  // the turn before the GC.
  // Every task suspended at the chain's awaits must be unable to resume: one weak reference per awaited promise.
  // Which chain each watched promise belongs to, held weakly, for the hook that notes a settlement.
  const chainOf = new WeakMap<object, number>();
  const settled = new Set<number>();
  const refs = chains.map((chain, index) => {
    const all = chain.sameAwaits ?? (chain.promise ? [chain.promise] : []);
    const ref = all.length > 0 && !reachable.has(chain) ? all.map((p) => new WeakRef(p)) : undefined;
    if (ref) for (const p of all) chainOf.set(p, index);
    dropPromises(chain);
    return ref;
  });
  let stopHook: (() => void) | undefined;
  try {
    stopHook = promiseHooks.onSettled((promise) => {
      const index = chainOf.get(promise);
      if (index !== undefined) settled.add(index);
    }) as () => void;
  } catch {
    // no promise hooks: a chain collected after settling cannot be told apart, so none is proven
  }
  const targets = extra.map((target) => new WeakRef(target.release()));
  // The scope is being judged: its pending promises are no longer needed, and holding them would keep every task alive.
  scope.pending.clear();
  // Up to three turn-and-GC rounds: something the loop still held for a moment (a queued job, a handle
  // being closed) can keep a garbage target alive through one GC. A reachable target stays reachable
  // whatever the number of rounds, so more rounds never prove what is not garbage. Only targets that
  // survived are read again (a read keeps its target alive until the end of the job, hence the turn).
  let open = stopHook === undefined ? [] : chains.map((_, index) => index).filter((index) => refs[index] !== undefined);
  let left = extra.map((_, index) => index);
  try {
    for (let round = 0; round < 3 && open.length + left.length > 0; round++) {
      await turn();
      gc();
      open = open.filter((index) => {
        if (settled.has(index)) return false;
        if (refs[index]!.some((ref) => ref.deref() !== undefined)) return true;
        chains[index]!.proven = true;
        return false;
      });
      left = left.filter((index) => {
        if (targets[index]!.deref() !== undefined) return true;
        extra[index]!.collected();
        return false;
      });
    }
  } finally {
    stopHook?.();
  }
}
