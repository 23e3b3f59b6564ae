import type { Finding, TestRef } from '@asyncsan/core';
import { ScopePromises } from './pending.js';

/** What the capture stage keeps for one async resource (timer, handle, request) a scope created. */
export interface ResourceRecord {
  asyncId: number;
  type: string;
  /** The resource object (Timeout, Immediate or handle wrap): its own state says whether it is still open. */
  resource: object;
  /** Holder of a lazily formatted creation stack; only for kinds that can be reported. */
  site?: { stack?: string };
  /**
   * Site of the resource whose callback created this one (a DNS lookup before a
   * listen, a server before an accepted socket): where user code started it.
   */
  origin?: { stack?: string };
}

/** A listener added inside a scope to an emitter or EventTarget born outside it. */
export interface ListenerRecord {
  target: object;
  event: string | symbol;
  listener: unknown;
  /** 'emitter' for EventEmitter, 'target' for EventTarget / AbortSignal. */
  kind: 'emitter' | 'target';
  site: { stack?: string };
}

/** An events.once() wait started in a scope. */
export interface EventWaitRecord {
  emitter: object;
  event: string | symbol;
  promise: Promise<unknown>;
  site: { stack?: string };
}

/** A write() that returned false inside a scope. */
export interface StreamWriteRecord {
  stream: object;
  site: { stack?: string };
}

/** An async generator a scope consumed with next(). */
export interface GeneratorRecord {
  generator: object;
  site: { stack?: string };
  /** Its last next() settled with done: false: it sits at a yield. */
  suspended: boolean;
  /** Done, returned or thrown into: its finally blocks have run. */
  finished: boolean;
}

export interface RejectionRecord {
  reason: unknown;
  /** The error's own stack when the reason is an Error. */
  stack?: string;
  /** Thrown from a callback (uncaught exception) rather than a rejected promise. */
  thrown?: boolean;
}

/**
 * The AsyncLocalStorage store: one per scope. Every promise and resource created
 * while it is the current store belongs to the scope.
 */
export interface ScopeState {
  readonly id: number;
  readonly name: string;
  readonly test?: TestRef;
  /** True once judged: nothing more is recorded. */
  ended: boolean;
  /** Internal work (settling, probing) runs under a state with this flag. */
  readonly internal: boolean;
  /** Pending promises created in the scope (see pending.ts); removed when they settle. */
  readonly pending: ScopePromises;
  /** Timers and handles created in the scope, by async id; closed ones are pruned now and then. */
  readonly resources: Map<number, ResourceRecord>;
  /** Inserts into `resources`, to prune every so often. */
  inserts: number;
  readonly listeners: Set<ListenerRecord>;
  readonly eventWaits: EventWaitRecord[];
  readonly streamWrites: StreamWriteRecord[];
  /** Readables created in the scope (same record shape: the stream and its creation site). */
  readonly readables: StreamWriteRecord[];
  readonly generators: GeneratorRecord[];
  readonly rejections: RejectionRecord[];
  /** Findings produced while the scope runs (deadlock), merged at the end. */
  readonly early: Finding[];
}

/**
 * Appends a record; whenever the list reaches a power of two (from 256 on), the
 * records `keep` rejects (settled, closed, finished) are dropped, so a long-lived
 * scope (a whole program) keeps memory bounded by what is still live.
 */
export function pushBounded<T>(list: T[], item: T, keep: (record: T) => boolean): void {
  list.push(item);
  const n = list.length;
  if (n < 256 || (n & (n - 1)) !== 0) return;
  let kept = 0;
  for (const record of list) if (keep(record)) list[kept++] = record;
  list.length = kept;
}

let nextScopeId = 1;

export function newScopeState(name: string, test?: TestRef): ScopeState {
  return {
    id: nextScopeId++,
    name,
    test,
    ended: false,
    internal: false,
    pending: new ScopePromises(),
    resources: new Map(),
    inserts: 0,
    listeners: new Set(),
    eventWaits: [],
    streamWrites: [],
    readables: [],
    generators: [],
    rejections: [],
    early: [],
  };
}

/** The store under which the tracer runs its own work, so none of it is owned by a scope. */
export const INTERNAL: ScopeState = Object.freeze({
  ...newScopeState('<asyncsan internal>'),
  ended: true,
  internal: true,
}) as ScopeState;
