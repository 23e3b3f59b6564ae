/**
 * The one call-graph fixpoint of the program checks: a fact about a function
 * that also holds for it when it holds for a function it calls (the locks it
 * takes, the positions at which it forwards an AbortSignal), through any depth
 * of calls and across files.
 *
 * Demand-driven: only the functions reachable from the one asked about are
 * analysed. They form a closed subgraph (apart from functions already
 * memoised), so a least fixpoint over it is exact for all of them, and all of
 * them are memoised at once.
 */

export interface CallGraphFact<Fn, Edge, Value> {
  /** The calls `fn` makes that can pass the fact on (computed once per function by the caller's own memo). */
  edges(fn: Fn): readonly Edge[];
  callee(edge: Edge): Fn;
  /** What `fn` holds by itself, before any call is followed: a fresh value, grown in place. */
  own(fn: Fn): Value;
  /**
   * Adds to `mine` (the caller's value) what `theirs` (the callee's) gives it over `edge`;
   * returns whether `mine` grew. Must be monotone, so that the iteration ends.
   */
  join(mine: Value, edge: Edge, theirs: Value, caller: Fn): boolean;
}

/** The fact's value for `root`, computing and memoising (in `memo`) every function reachable from it. */
export function callGraphFixpoint<Fn, Edge, Value>(root: Fn, memo: Map<Fn, Value>, fact: CallGraphFact<Fn, Edge, Value>): Value {
  const known = memo.get(root);
  if (known) return known;
  const reach: Fn[] = [];
  const seen = new Set<Fn>();
  const stack = [root];
  while (stack.length > 0) {
    const f = stack.pop()!;
    if (seen.has(f) || memo.has(f)) continue;
    seen.add(f);
    reach.push(f);
    for (const e of fact.edges(f)) stack.push(fact.callee(e));
  }
  const result = new Map<Fn, Value>();
  for (const f of reach) result.set(f, fact.own(f));
  const valueOf = (f: Fn): Value => result.get(f) ?? memo.get(f)!;
  let changed = true;
  while (changed) {
    changed = false;
    for (const f of reach) {
      const mine = result.get(f)!;
      for (const e of fact.edges(f)) {
        if (fact.join(mine, e, valueOf(fact.callee(e)), f)) changed = true;
      }
    }
  }
  for (const [f, v] of result) memo.set(f, v);
  return memo.get(root)!;
}

/**
 * A memoised query that follows calls one path at a time (the promise a function
 * returns, the module state a reader returns) rather than joining over every callee.
 * A call back into a function still being computed answers undefined: the cycle is
 * cut. A result computed with a cut depends on where the query started, so only
 * results computed without one are memoised.
 */
export class CallGraphQuery<Fn, Value> {
  private readonly memo = new Map<Fn, Value | null>();
  private readonly inProgress = new Set<Fn>();
  private cuts = 0;

  constructor(private readonly compute: (fn: Fn) => Value | undefined) {}

  get(fn: Fn): Value | undefined {
    if (this.memo.has(fn)) return this.memo.get(fn) ?? undefined;
    if (this.inProgress.has(fn)) {
      this.cuts++;
      return undefined;
    }
    this.inProgress.add(fn);
    const cutsBefore = this.cuts;
    const found = this.compute(fn);
    this.inProgress.delete(fn);
    if (this.cuts === cutsBefore) this.memo.set(fn, found ?? null);
    return found;
  }
}
