/**
 * Pending-promise bookkeeping for the capture stage, without a Map entry per
 * promise. Nearly every promise settles within a few microtasks of its birth,
 * so recent promises live in a window of slots indexed by async id (Node hands
 * them out in increasing order): recording is two array stores, settling is one
 * property read and two stores. When ids run past the window, the few promises
 * still pending move to their scope's survivors: fixed-size chunks sorted by id
 * (found again by binary search when they settle; a chunk goes once all of it
 * settled), so a million pending promises cost two words each and no copying.
 * A Map per promise cost more than all of async_hooks' own promise tracking: hash
 * churn, rehashing and the garbage of its tables.
 */
import type { ScopeState } from './state.js';

/**
 * A pending promise as held: strongly, or weakly in a program that can force a garbage collection
 * (`--expose-gc`, see `PromiseLedger.weakly`): a test that checks what gets freed must see what it
 * would without the tracer. A promise collected meanwhile can never settle nor resume anyone: it is garbage.
 */
type Held = Promise<unknown> | WeakRef<Promise<unknown>>;
const deref = (h: Held | undefined): Promise<unknown> | undefined => (h instanceof WeakRef ? h.deref() : h);

/** Slots in the window: a promise pending longer than this many async ids becomes a survivor. */
const WINDOW = 65536;
/** Slots the window starts with; it doubles while ids run past it, up to WINDOW. */
const FIRST_WINDOW = 4096;

/** Survivors are kept in fixed-size chunks: appending never copies, and a chunk is dropped once all of it settled. */
const CHUNK = 4096;

interface Chunk {
  /** Ascending async ids. */
  readonly ids: Float64Array;
  /** The promises, undefined once settled. */
  readonly promises: Array<Held | undefined>;
  /** Slots written. */
  n: number;
  /** Slots still pending. */
  live: number;
}

/** The pending promises one scope created: a count, its survivors, and its slots in the ledger's window. */
export class ScopePromises {
  /** Pending promises of the scope (window and survivors). */
  count = 0;
  /** Survivors, in chunks of ascending ids. */
  readonly chunks: Chunk[] = [];
  /** Promises whose id came out of order (below the window): not expected from Node, kept correct anyway. */
  readonly stray = new Map<number, Held>();
  ledger: PromiseLedger | undefined;

  get size(): number {
    return this.count;
  }

  /** Pending promises, oldest first (not those collected since a gc() made them weak). */
  *values(): IterableIterator<Promise<unknown>> {
    if (this.count === 0) return;
    for (const c of this.chunks) {
      for (let i = 0; i < c.n; i++) {
        const p = deref(c.promises[i]);
        if (p !== undefined) yield p;
      }
    }
    for (const h of this.stray.values()) {
      const p = deref(h);
      if (p !== undefined) yield p;
    }
    if (this.ledger) yield* this.ledger.windowOf(this);
  }

  has(id: number, promise: Promise<unknown>): boolean {
    const ledger = this.ledger;
    if (ledger !== undefined && ledger.inWindow(id)) return ledger.ownerAt(id) === this && ledger.promiseAt(id) === promise;
    if (deref(this.stray.get(id)) === promise) return true;
    const c = this.chunkOf(id);
    const i = c === undefined ? -1 : indexIn(c, id);
    return i >= 0 && deref(c!.promises[i]) === promise;
  }

  /** Is the promise with this async id one of the scope's, still pending? */
  hasId(id: number): boolean {
    const ledger = this.ledger;
    if (ledger !== undefined && ledger.inWindow(id)) return ledger.ownerAt(id) === this;
    if (this.stray.has(id)) return true;
    const c = this.chunkOf(id);
    const i = c === undefined ? -1 : indexIn(c, id);
    return i >= 0 && c!.promises[i] !== undefined;
  }

  /** Forgets every pending promise (they are no longer needed once judged). */
  clear(): void {
    if (this.count > 0) this.ledger?.release(this);
    this.chunks.length = 0;
    this.stray.clear();
    this.count = 0;
  }

  /** Appends a survivor; ids arrive in increasing order. */
  adopt(id: number, promise: Held): void {
    let c = this.chunks[this.chunks.length - 1];
    if (c === undefined || c.n === CHUNK) {
      c = { ids: new Float64Array(CHUNK), promises: new Array<Held | undefined>(CHUNK).fill(undefined), n: 0, live: 0 };
      this.chunks.push(c);
    }
    c.ids[c.n] = id;
    c.promises[c.n++] = promise;
    c.live++;
  }

  /** A survivor settled: true when it was one of ours. */
  settle(id: number): boolean {
    if (this.stray.size > 0 && this.stray.delete(id)) {
      this.count--;
      return true;
    }
    const c = this.chunkOf(id);
    if (c === undefined) return false;
    const i = indexIn(c, id);
    if (i < 0 || c.promises[i] === undefined) return false;
    c.promises[i] = undefined;
    this.count--;
    // An empty chunk goes (unless it is the one being filled).
    if (--c.live === 0 && c.n === CHUNK) this.chunks.splice(this.chunks.indexOf(c), 1);
    return true;
  }

  private chunkOf(id: number): Chunk | undefined {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = chunks[mid]!;
      if (id < c.ids[0]!) hi = mid - 1;
      else if (id > c.ids[c.n - 1]!) lo = mid + 1;
      else return c;
    }
    return undefined;
  }
}

function indexIn(c: Chunk, id: number): number {
  let lo = 0;
  let hi = c.n - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = c.ids[mid]!;
    if (at === id) return mid;
    if (at < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** The window of recent pending promises shared by the scopes of one capture. */
export class PromiseLedger {
  private base = 0;
  /** One past the highest slot written since the last roll: scans stop there. */
  private used = 0;
  /** Slots holding a pending promise. */
  private filled = 0;
  // Allocated with the first scope (a process that never opens one pays nothing); filled, never holey.
  private slots: Array<Held | undefined> = [];
  private owners: Array<ScopeState | undefined> = [];

  /**
   * Hold each promise through a WeakRef (a program run with --expose-gc may check what gc() frees; a
   * WeakRef made at gc() time would keep its target for the rest of that job, so it is made at birth).
   */
  weakly = false;

  /** Called before any scope can record: allocates the window. */
  open(): void {
    if (this.slots.length > 0) return;
    this.slots = new Array<Held | undefined>(FIRST_WINDOW).fill(undefined);
    this.owners = new Array<ScopeState | undefined>(FIRST_WINDOW).fill(undefined);
  }

  /**
   * Doubles the window up to WINDOW slots. A short-lived process (a Vitest worker runs one test
   * file) rarely needs them all, and two large arrays are paid in allocation and in every GC.
   */
  private grow(): void {
    const from = this.slots.length;
    const size = Math.min(WINDOW, from * 2);
    // Builtin fills, not a push loop: the new slots must hold undefined, never holes.
    this.slots.length = size;
    // fill() returns the array itself (of promises): nothing is left floating.
    void this.slots.fill(undefined, from);
    this.owners.length = size;
    this.owners.fill(undefined, from);
  }

  /** Records a promise just created in `scope` (ids are increasing). */
  record(id: number, promise: Promise<unknown>, scope: ScopeState): void {
    let i = id - this.base;
    const held: Held = this.weakly ? new WeakRef(promise) : promise;
    if (i < 0) {
      scope.pending.stray.set(id, held);
      scope.pending.count++;
      return;
    }
    if (i >= this.slots.length) {
      while (i >= this.slots.length && i < WINDOW && this.slots.length < WINDOW) this.grow();
      if (i >= this.slots.length) {
        this.roll(id);
        i = 0;
      }
    }
    this.slots[i] = held;
    this.owners[i] = scope;
    if (i >= this.used) this.used = i + 1;
    this.filled++;
    scope.pending.count++;
  }

  /** A promise settled: forget it. `live` is searched only for promises older than the window. */
  settle(id: number, live: ReadonlySet<ScopeState>): void {
    const i = id - this.base;
    if (i >= 0) {
      if (i < this.slots.length) {
        const owner = this.owners[i];
        if (owner !== undefined) {
          this.slots[i] = undefined;
          this.owners[i] = undefined;
          this.filled--;
          owner.pending.count--;
        }
      }
      return;
    }
    for (const s of live) if ((s.pending.chunks.length > 0 || s.pending.stray.size > 0) && s.pending.settle(id)) return;
  }

  inWindow(id: number): boolean {
    const i = id - this.base;
    return i >= 0 && i < this.slots.length;
  }

  ownerAt(id: number): ScopePromises | undefined {
    return this.owners[id - this.base]?.pending;
  }

  promiseAt(id: number): Promise<unknown> | undefined {
    return deref(this.slots[id - this.base]);
  }

  *windowOf(scope: ScopePromises): IterableIterator<Promise<unknown>> {
    for (let i = 0; i < this.used; i++) {
      if (this.owners[i]?.pending !== scope) continue;
      const p = deref(this.slots[i]);
      if (p !== undefined) yield p;
    }
  }

  release(scope: ScopePromises): void {
    for (let i = 0; i < this.used; i++) {
      if (this.owners[i]?.pending !== scope) continue;
      this.slots[i] = undefined;
      this.owners[i] = undefined;
      this.filled--;
    }
  }

  /** Moves what is still pending to its scope's survivors (judged scopes let go) and restarts the window at `id`. */
  private roll(id: number): void {
    if (this.filled > 0) {
      const { slots, owners } = this;
      for (let i = 0; i < this.used; i++) {
        const owner = owners[i];
        if (owner === undefined) continue;
        if (owner.ended) owner.pending.count--;
        else owner.pending.adopt(this.base + i, slots[i]!);
        slots[i] = undefined;
        owners[i] = undefined;
      }
    }
    this.filled = 0;
    this.used = 0;
    this.base = id;
  }
}
