import type { Finding, TestRef } from '@asyncsan/core';
import { now, wallTime } from './capture.js';
import { ScopePromises } from './pending.js';

/** A creation site: the stack, formatted lazily, and when it was taken (the timeline's clock, see capture.ts). */
export interface Site {
  stack?: string;
  at?: number;
}

/**
 * The anchors of a scope's timeline (timeline.ts): times on the tracer's clock and,
 * where one was read, the async id current then (the logical clock promises are placed on).
 */
export interface ScopeClock {
  startedAt: number;
  /** The start as wall-clock ms since the epoch, for readers who want wall time. */
  startWall: number;
  startId?: number;
  /** When end() was called: the test (or the scope's work) was over. */
  endedAt?: number;
  endId?: number;
  /** The task waitFor() watched (a test body): when it was handed over and settled, and its promise's async id. */
  body?: { start: number; id?: number; end?: number; endId?: number; rejected?: boolean };
}

/** What the capture stage keeps for one async resource (timer, handle, request) a scope created. */
export interface ResourceRecord {
  asyncId: number;
  type: string;
  /** The resource object (Timeout, Immediate or handle wrap): its own state says whether it is still open. */
  resource: object;
  /** Holder of a lazily formatted creation stack; only for kinds that can be reported. */
  site?: Site;
  /**
   * Site of the resource whose callback created this one (a DNS lookup before a
   * listen, a server before an accepted socket): where user code started it.
   */
  origin?: Site;
  /** Set on the Timeout Node arms for `AbortSignal.timeout()` (see capture.ts): it is the signal's, not a leak. */
  timeoutSignal?: TimeoutSignalMark;
  /** Timers: async id of the latest promise born before it (the promise whose executor armed it, when one did). */
  promiseBefore?: number;
  /** Set at judgement: a guard timer with nothing left to guard (diff.ts markIdleGuards). */
  idleGuard?: boolean;
  /** Set when the scope ended: a socket idle in the free pool of Node's global agents then (diff.ts notePooledSockets). */
  pooledAtEnd?: boolean;
}

/** The signal of an `AbortSignal.timeout()` call, held weakly (Node drops the timer with it). */
export interface TimeoutSignalMark {
  signal?: WeakRef<object>;
}

/** A listener added inside a scope to an emitter or EventTarget born outside it. */
export interface ListenerRecord {
  target: object;
  event: string | symbol;
  listener: unknown;
  /** 'emitter' for EventEmitter, 'target' for EventTarget / AbortSignal. */
  kind: 'emitter' | 'target';
  site: Site;
}

/** An events.once() wait, or an events.on() iterator, started in a scope (on an emitter or EventTarget). */
export interface EventWaitRecord {
  emitter: object;
  event: string | symbol;
  /** For once(): its promise; for on(): the iterator's latest next() (a settled stand-in before the first). */
  promise: Promise<unknown>;
  site: Site;
  /** 'on' for an events.on() iterator (a `for await` loop); once() otherwise. */
  kind?: 'once' | 'on';
  /** Set by the GC proof: the emitter was collected, so nothing can ever emit on it. */
  gone?: boolean;
}

/** A stream.pipeline() call (callback or promise form) started in a scope. */
export interface PipelineRecord {
  /** The streams it joins, source first. */
  streams: object[];
  site: Site;
  /** Its callback ran or its promise settled. */
  done: boolean;
  /** The promise form's promise (pending while the pipeline runs). */
  promise?: Promise<unknown>;
}

/** A timer created on a fake clock (@sinonjs/fake-timers, vi.useFakeTimers()) inside a scope. */
export interface FakeTimerRecord {
  /** The fake clock it lives on. */
  clock: object;
  /** The clock's own timer entry (what `clock.timers` holds while it is pending). */
  timer: object;
  /** 'setTimeout', 'setInterval' or 'setImmediate'. */
  method: string;
  delay: number;
  site: Site;
  /** Async id of the latest promise born before it (the promise whose executor armed it, when one did). */
  promiseBefore?: number;
  /** Its clock was installed in the same scope (see fake-clock.ts fakeTimerLeft). */
  ownClock?: boolean;
}

/** A write() that returned false inside a scope. */
export interface StreamWriteRecord {
  stream: object;
  site: Site;
}

/** An async generator a scope consumed with next(). */
export interface GeneratorRecord {
  generator: object;
  /** The first next() call: where it is consumed. */
  site: Site;
  /**
   * Stacks taken at the first promises the generator's first step created: one of them
   * has the generator's own frame (where its code lives) just below the next() call.
   */
  body?: Site[];
  /** Its last next() settled with done: false: it sits at a yield. */
  suspended: boolean;
  /** next() calls not settled yet: the generator runs (or waits at an await inside it) and a consumer waits for it. */
  pending: number;
  /** Done, returned or thrown into: its finally blocks have run. */
  finished: boolean;
}

export interface RejectionRecord {
  reason: unknown;
  /** The error's own stack when the reason is an Error. */
  stack?: string;
  /** Where the rejected promise was made, when the tracer saw it (a `Promise.reject()` call). */
  site?: Site;
  /**
   * A process 'unhandledRejection' listener of the program's own (not the runner's, not the tracer's)
   * received it: the rejection is handled there, out of band. `site`: where the scope added that listener, if it
   * did (then the scope expects the rejection: not reported).
   */
  handledBy?: { site?: Site };
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
  readonly pipelines: PipelineRecord[];
  readonly fakeTimers: FakeTimerRecord[];
  /** Findings produced while the scope runs (deadlock), merged at the end. */
  readonly early: Finding[];
  /** Streams a deadlock finding names as its cause (a write blocked on 'drain'): not reported again as stuck-stream. */
  readonly deadlockStreams: Set<object>;
  /**
   * Promises raced in the scope (`Promise.race`), by async id, with their race's promise's id (api-sites.ts).
   * Undefined for the whole-program scope, where it would only grow.
   */
  raced?: Map<number, number>;
  readonly clock: ScopeClock;
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

function startClock(): ScopeClock {
  const startedAt = now();
  return { startedAt, startWall: wallTime(startedAt) };
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
    pipelines: [],
    fakeTimers: [],
    early: [],
    deadlockStreams: new Set(),
    clock: startClock(),
  };
}

/** The store under which the tracer runs its own work, so none of it is owned by a scope. */
export const INTERNAL: ScopeState = Object.freeze({
  ...newScopeState('<asyncsan internal>'),
  ended: true,
  internal: true,
}) as ScopeState;
