/**
 * Stage 1, capture: async_hooks for timers, handles and requests; v8.promiseHooks
 * for promises. Ownership is the scope current at creation (context.ts: the
 * store AsyncLocalStorage would keep, propagated by this same init hook).
 * Per promise the work is a slot in the pending ledger (pending.ts), freed when
 * it settles; a creation stack is captured only for resource kinds that can be reported.
 */
import { AsyncResource, createHook, type AsyncHook } from 'node:async_hooks';
import { getEventListeners } from 'node:events';
import { promiseHooks } from 'node:v8';
import { ScopeContext } from './context.js';
import { PromiseLedger } from './pending.js';
import type { ResourceRecord, ScopeState, TimeoutSignalMark } from './state.js';

/** Resource types whose creation site we keep, because a leak of them is reported. */
export const TIMER_TYPES: ReadonlySet<string> = new Set(['Timeout', 'Immediate']);
export const HANDLE_TYPES: ReadonlySet<string> = new Set([
  'TCPWRAP',
  'TCPSERVERWRAP',
  'PIPEWRAP',
  'PIPESERVERWRAP',
  'UDPWRAP',
  'PROCESSWRAP',
  'FSEVENTWRAP',
  'STATWATCHER',
  'WORKER',
  'MESSAGEPORT',
  'FILEHANDLE',
  'HTTP2SESSION',
]);
/** Requests that are not reported themselves but create handles in their callbacks. */
const ORIGIN_TYPES: ReadonlySet<string> = new Set(['GETADDRINFOREQWRAP', 'TCPCONNECTWRAP', 'PIPECONNECTWRAP']);
/** Never owned by a scope: process-wide handles created lazily on first use (stdio, signals). */
const IGNORED_TYPES: ReadonlySet<string> = new Set(['TTYWRAP', 'SIGNALWRAP']);
/**
 * Handles that bring data from another party (a peer, a worker, a child process): one born
 * outside the scope (module level, beforeAll, an earlier test) may still deliver what a scope
 * waits for, as a reply on a pooled connection does. Listening servers and watchers are not
 * here: they wait for something to arrive unasked.
 */
export const CONNECTION_TYPES: ReadonlySet<string> = new Set(['TCPWRAP', 'PIPEWRAP', 'UDPWRAP', 'PROCESSWRAP', 'WORKER', 'MESSAGEPORT', 'HTTP2SESSION']);
/**
 * Async resources that are not one-shot work: the kinds above (their own rules), callbacks that
 * always run before the loop moves on (nextTick, queueMicrotask), and long-lived wrappers that call
 * back again and again over a socket or a handle that is itself counted (HTTP parsers, TLS, JS
 * streams, http2 streams, the DNS channel, histograms). ZLIB has a rule of its own (zlibBusy).
 * Every other type, Node's requests (FSREQCALLBACK, PBKDF2REQUEST, HASHREQUEST, …) and native
 * addons' own (napi async work), is pending from its init to its first callback.
 */
const NOT_REQUESTS: ReadonlySet<string> = new Set([
  'PROMISE',
  'TickObject',
  'Microtask',
  'ZLIB',
  'HTTPINCOMINGMESSAGE',
  'HTTPCLIENTREQUEST',
  'TLSWRAP',
  'JSSTREAM',
  'JSUDPWRAP',
  'STREAMPIPE',
  'HTTP2STREAM',
  'DNSCHANNEL',
  'ELDHISTOGRAM',
  'INSPECTORJSBINDING',
  'SIGINTWATCHDOG',
]);

const SITE_FRAMES = 24;

// The real clock, bound once: a test's fake timers may replace performance.now later.
const clock = performance.now.bind(performance);
const origin = performance.timeOrigin;

/** Milliseconds on the tracer's clock (performance.now, never a fake). */
export function now(): number {
  return clock();
}

/** A time on the tracer's clock as wall-clock ms since the epoch (a fake Date cannot skew it). */
export function wallTime(at: number): number {
  return Math.round(origin + at);
}

/**
 * A cheap creation-site holder: V8 formats `stack` only when it is read. `at` is
 * when (the timeline's clock): sites are taken for rare records only, so the read is affordable.
 */
export function captureSite(): { stack?: string; at?: number } {
  const holder: { stack?: string; at?: number } = { at: clock() };
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = SITE_FRAMES;
  Error.captureStackTrace(holder, captureSite);
  Error.stackTraceLimit = limit;
  return holder;
}

/** Marks a wrapped gc(), holding the original. */
const GC_ORIGINAL = Symbol('asyncsan.gc.original');

/**
 * Lets go of a closed resource's object (a fired Timeout keeps its callback and whatever that holds): what is
 * still read of it stays (a timer's delay, repeat and start, for the timeline and reports). With
 * `formatStacks`, its creation stacks are formatted too: unformatted, V8 keeps the functions and receivers of
 * their frames (a request handler's closure).
 */
export function releaseClosed(record: ResourceRecord, formatStacks: boolean): void {
  if (TIMER_TYPES.has(record.type)) {
    const t = record.resource as { _idleTimeout?: unknown; _repeat?: unknown; _idleStart?: unknown };
    record.resource = { _destroyed: true, _idleTimeout: t._idleTimeout, _repeat: t._repeat, _idleStart: t._idleStart };
  } else {
    record.resource = {};
  }
  if (formatStacks) {
    void record.site?.stack;
    void record.origin?.stack;
  }
}

/** Is a recorded timer or handle still open? Read from the resource itself: no destroy hook needed. */
export function isOpen(record: ResourceRecord): boolean {
  const r = record.resource as { _destroyed?: boolean; fd?: unknown; hasRef?: () => unknown } | undefined;
  if (r === undefined) return false;
  if (TIMER_TYPES.has(record.type)) return r._destroyed !== true;
  if (record.type === 'FILEHANDLE') return typeof r.fd === 'number' && r.fd >= 0;
  try {
    // A closed handle wrap has lost its native side: hasRef() no longer answers a boolean.
    if (typeof r.hasRef !== 'function' || typeof r.hasRef() !== 'boolean') return false;
    // Closing is asynchronous: the JS owner (a Server, Socket, ChildProcess, FSWatcher)
    // lets go of its handle at once, the native side a loop turn later.
    const owner = handleOwner(r);
    return !(owner !== undefined && '_handle' in owner && owner._handle !== r);
  } catch {
    return false;
  }
}

/** The JS object a handle wrap belongs to (Node keeps it under its internal owner symbol). */
export function handleOwner(handle: object): { _handle?: unknown } | undefined {
  const key = Object.getOwnPropertySymbols(handle).find((s) => s.description === 'owner_symbol');
  const owner = key === undefined ? undefined : (handle as Record<symbol, unknown>)[key];
  return typeof owner === 'object' && owner !== null ? (owner as { _handle?: unknown }) : undefined;
}

/** The symbol under which Node keeps a promise's async id while async_hooks are on. */
function asyncIdSymbol(): symbol {
  const probe = Promise.resolve();
  const key = Object.getOwnPropertySymbols(probe).find((s) => s.description === 'async_id_symbol');
  if (key === undefined) throw new Error('asyncsan: this Node.js does not track promise async ids');
  return key;
}

/** Set while `AbortSignal.timeout()` runs (wrapped in api-sites.ts): the Timeout born then is the signal's. */
let timeoutSignalCall: TimeoutSignalMark | undefined;

/** Runs `AbortSignal.timeout()` so that the init hook marks the timer it arms. */
export function createTimeoutSignal<T>(create: () => T): T {
  const outer = timeoutSignalCall;
  const mark: TimeoutSignalMark = {};
  timeoutSignalCall = mark;
  let signal: T;
  try {
    signal = create();
  } finally {
    timeoutSignalCall = outer;
  }
  try {
    if (typeof signal === 'object' && signal !== null) mark.signal = new WeakRef(signal);
  } catch {
    // never break the caller
  }
  return signal;
}

const DEPENDANT_DEPTH = 4;

/** Does anything act on this signal's abort: an 'abort' listener on it, or on a live `AbortSignal.any()` of it? */
function abortObserved(signal: object, depth: number): boolean {
  if ((signal as { aborted?: unknown }).aborted === true) return false;
  if (getEventListeners(signal as EventTarget, 'abort').length > 0) return true;
  if (depth >= DEPENDANT_DEPTH) return false;
  const key = Object.getOwnPropertySymbols(signal).find((k) => k.description === 'kDependantSignals');
  const dependants = key === undefined ? undefined : (signal as Record<symbol, unknown>)[key];
  // Node's own SafeSet of SafeWeakRefs: not instanceof this realm's Set/WeakRef, so duck-typed.
  if (typeof dependants !== 'object' || dependants === null || typeof (dependants as Set<unknown>).forEach !== 'function') return false;
  let observed = false;
  (dependants as Set<unknown>).forEach((ref) => {
    const deref = (ref as { deref?: () => unknown } | null)?.deref;
    const dependant = typeof deref === 'function' ? deref.call(ref) : undefined;
    if (!observed && typeof dependant === 'object' && dependant !== null && abortObserved(dependant, depth + 1)) observed = true;
  });
  return observed;
}

/**
 * Will the armed timer of an `AbortSignal.timeout()` wake someone? Node arms it unref'd and
 * clears it when the signal is collected, but while a listener waits on the signal it fires.
 */
export function awaitedTimeoutSignal(record: ResourceRecord): boolean {
  const mark = record.timeoutSignal;
  if (mark === undefined) return false;
  // Not yet handed back by the call (cannot be observed at a check): count it.
  if (mark.signal === undefined) return true;
  const signal = mark.signal.deref();
  if (signal === undefined) return false;
  try {
    return abortObserved(signal, 0);
  } catch {
    // Unknown: better a late deadlock than a false one.
    return true;
  }
}

/**
 * Called at each promise's birth while set (iterators.ts sets it around a generator's first
 * step, to take a stack inside the generator's own code). Unset, it costs one comparison.
 */
let promiseProbe: ((asyncId: number) => void) | undefined;

/**
 * The async id of the latest promise born (any scope). A timer armed inside a Promise executor
 * is armed right after that promise's birth: this names it (guard timers, format.ts).
 */
let lastPromiseId = 0;

/** The async id of the latest promise born so far (see lastPromiseId). */
export function latestPromiseId(): number {
  return lastPromiseId;
}

/**
 * Runs `fn` with `probe` called at every promise born meanwhile (not nested: an outer probe is paused).
 * With several tracers on, each one's hook calls it: the same async id may come more than once.
 */
export function probePromiseBirths<T>(probe: (asyncId: number) => void, fn: () => T): T {
  const outer = promiseProbe;
  promiseProbe = probe;
  try {
    return fn();
  } finally {
    promiseProbe = outer;
  }
}

const PRUNE_EVERY = 512;
const MAX_ORIGINS = 512;

function prune(s: ScopeState): void {
  for (const [id, r] of s.resources) if (!isOpen(r)) s.resources.delete(id);
}

function pruneOutside(outside: Set<OutsideHandle>): void {
  for (const h of outside) if (!isOpen({ asyncId: 0, type: h.type, resource: h.resource })) outside.delete(h);
}

/**
 * A crypto job (PBKDF2REQUEST, RANDOMBYTESREQUEST, …) also serves the synchronous APIs
 * (randomBytes(16), pbkdf2Sync, generateKeyPairSync): then `run()` does the work at once and
 * returns [error, result], and the job never calls back. Its instance `run` is wrapped so that such a
 * job is no pending work; an asynchronous run returns nothing (or a promise) and stays pending
 * until its callback.
 */
function watchSyncJob(job: object, done: () => void): void {
  const run = (job as { run?: unknown }).run;
  if (typeof run !== 'function') return;
  Object.defineProperty(job, 'run', {
    configurable: true,
    writable: true,
    value: function (this: unknown, ...args: unknown[]): unknown {
      const out: unknown = Reflect.apply(run, this, args);
      if (Array.isArray(out)) done();
      return out;
    },
  });
}

function isShortOneShot(resource: unknown, limitMs: number): boolean {
  const t = resource as { _idleTimeout?: number; _repeat?: number | null };
  return (t._repeat === null || t._repeat === undefined) && typeof t._idleTimeout === 'number' && t._idleTimeout <= limitMs;
}

/**
 * An async resource that has not called back yet. Held weakly: a resource that never calls
 * back and is collected (an AsyncResource nobody ran) is gone, not pending.
 */
export interface PendingRequest {
  type: string;
  /** For a carrier: the scope current at its birth (undefined outside every scope: module level, beforeAll, the runner). */
  owner: ScopeState | undefined;
  resource: WeakRef<object>;
  /**
   * A JavaScript AsyncResource (a library's task, a bound callback): it carries an async context
   * for work that something else (a socket, a worker) does, and may never run at all.
   */
  carrier: boolean;
}

/** An open handle of a connection kind born outside the live scopes (see CONNECTION_TYPES). */
export interface OutsideHandle {
  type: string;
  resource: object;
}

/**
 * A zlib handle (ZLIB) is long-lived and calls back once per chunk; Node's zlib.js keeps the
 * input it is working through in `handle.buffer` until the last chunk's callback clears it.
 */
export function zlibBusy(resource: object): boolean {
  const buffer = (resource as { buffer?: unknown }).buffer;
  return buffer !== null && buffer !== undefined;
}

const MAX_OUTSIDE = 4096;

export class Capture {
  /** The current scope (same interface as AsyncLocalStorage: run, enterWith, getStore). */
  readonly als = new ScopeContext();
  /** Scopes not yet judged. */
  readonly live = new Set<ScopeState>();
  /** Pending promises of the live scopes. */
  readonly ledger = new PromiseLedger();
  /** Owner of work created outside any scope (the whole-program front end). */
  fallback: ScopeState | undefined;
  private hook: AsyncHook | undefined;
  private stopPromiseHooks: Array<() => void> = [];
  private idKey: symbol | undefined;
  /** Recent requests that may open handles in their callbacks (bounded). */
  private readonly origins = new Map<number, { stack?: string }>();
  /** Async resources born while the hooks were on and not yet called back, by async id (see NOT_REQUESTS). */
  readonly requests = new Map<number, PendingRequest>();
  /** zlib handles (ZLIB): busy while they hold input (zlibBusy). */
  readonly zlibs = new Set<WeakRef<object>>();
  /** Connection handles born outside every live scope, or left open by a judged one (pruned once closed). */
  readonly outside = new Set<OutsideHandle>();

  /** One-shot timeouts this short are not recorded (the settle waits for them). */
  shortTimeoutMs = 0;
  private restoreGc: (() => void) | undefined;

  /**
   * `gc()` (under --expose-gc) first lets the tracer let go of what it holds: a memory-leak test counts what a
   * FinalizationRegistry saw freed after gc() (hono's node-server counts its AbortControllers so), and must
   * count what it counts without the tracer.
   */
  private wrapGc(): void {
    const g = globalThis as { gc?: (...args: unknown[]) => unknown };
    const original = g.gc;
    if (typeof original !== 'function' || GC_ORIGINAL in original) return;
    const weaken = () => this.weaken();
    const gc = function gc(this: unknown, ...args: unknown[]): unknown {
      try {
        weaken();
      } catch {
        // never fail the program's gc() over the tracer's bookkeeping
      }
      return original.apply(this, args);
    };
    Object.defineProperty(gc, GC_ORIGINAL, { value: original });
    g.gc = gc;
    this.restoreGc = () => {
      if (g.gc === gc) g.gc = original;
    };
  }

  /**
   * Lets go of what only the tracer keeps alive: a closed resource's object (a fired Timeout keeps its
   * callback and whatever that holds) gives way to the few fields the reports read. Pending promises are
   * already held weakly under --expose-gc (see PromiseLedger.weakly).
   */
  weaken(): void {
    for (const s of this.live) for (const r of s.resources.values()) if (!isOpen(r)) releaseClosed(r, false);
    // Connections closed since the set was last pruned (a closed socket still leads to its last response).
    pruneOutside(this.outside);
  }

  enable(): void {
    if (this.hook) return;
    const { als, live, origins, ledger, requests, zlibs, outside } = this;
    const shortTimeoutMs = this.shortTimeoutMs;
    const ownerOf = (current: ScopeState | undefined): ScopeState | undefined => {
      const s = current ?? this.fallback;
      return s === undefined || s.ended ? undefined : s;
    };
    // init only: a destroy hook would make Node track the destruction of every promise (a GC callback each).
    this.hook = createHook({
      init(asyncId, type, trigger, resource) {
        try {
          const current = als.propagate(resource as object);
          if (type === 'PROMISE') {
            lastPromiseId = asyncId;
            if (promiseProbe !== undefined) promiseProbe(asyncId);
            // The hot path: a slot keyed by the async id Node already gave the promise.
            const s = ownerOf(current);
            if (s !== undefined) ledger.record(asyncId, resource as Promise<unknown>, s);
            return;
          }
          if (IGNORED_TYPES.has(type)) return;
          // The tracer's own work (settle, probes) is nobody's.
          if (current?.internal === true) return;
          const reported = TIMER_TYPES.has(type) || HANDLE_TYPES.has(type);
          if (!reported) {
            if (type === 'ZLIB') zlibs.add(new WeakRef(resource as object));
            else if (!NOT_REQUESTS.has(type)) {
              const carrier = resource instanceof AsyncResource;
              requests.set(asyncId, { type, owner: carrier ? current : undefined, resource: new WeakRef(resource as object), carrier });
              if (type.endsWith('REQUEST')) watchSyncJob(resource as object, () => requests.delete(asyncId));
            }
          }
          if (!reported && !ORIGIN_TYPES.has(type)) return;
          const s = ownerOf(current);
          if (s === undefined) {
            // Outside every live scope (or by a judged one's leftover work): a connection that may still deliver what a scope waits for.
            if (CONNECTION_TYPES.has(type)) {
              outside.add({ type, resource: resource as object });
              if (outside.size > MAX_OUTSIDE) pruneOutside(outside);
            }
            return;
          }
          // AbortSignal.timeout's own timer (armed ref'd then unref'd, or unref'd at birth): kept with its
          // signal, without a site: it is never reported, only counted while someone waits on the signal.
          if (type === 'Timeout' && timeoutSignalCall !== undefined) {
            s.resources.set(asyncId, { asyncId, type, resource: resource as object, timeoutSignal: timeoutSignalCall });
            if (++s.inserts % PRUNE_EVERY === 0) prune(s);
            return;
          }
          // A one-shot timeout due within the settle fires before judgement (the settle waits
          // for it), or at a signal is not what keeps the process alive: it is recorded, without
          // a stack, so it is never reported.
          // Created unref'd: only Node's own timers are (socket and keep-alive timeouts); user timers start ref'd.
          if (type === 'Timeout' && (resource as { hasRef?: () => boolean }).hasRef?.() === false) return;
          if (type === 'Timeout' && isShortOneShot(resource, shortTimeoutMs)) {
            s.resources.set(asyncId, { asyncId, type, resource: resource as object });
            if (++s.inserts % PRUNE_EVERY === 0) prune(s);
            return;
          }
          const site = captureSite();
          if (!reported) {
            origins.set(asyncId, origins.get(trigger) ?? site);
            if (origins.size > MAX_ORIGINS) origins.delete(origins.keys().next().value!);
            return;
          }
          const record: ResourceRecord = { asyncId, type, resource: resource as object, site };
          if (type === 'Timeout') record.promiseBefore = lastPromiseId;
          const parent = s.resources.get(trigger);
          const origin = parent ? (parent.origin ?? parent.site) : origins.get(trigger);
          if (origin) record.origin = origin;
          s.resources.set(asyncId, record);
          if (++s.inserts % PRUNE_EVERY === 0) prune(s);
        } catch {
          // A throw inside a hook aborts the process: never let one out.
        }
      },
      // A request's first callback: it is no longer pending. Every callback of every resource (promise
      // reactions too) comes through here, hence the one size check before anything else.
      before(asyncId) {
        if (requests.size !== 0) requests.delete(asyncId);
      },
    });
    this.hook.enable();
    // A program that can force a collection may check what it frees: hold its pending promises weakly.
    ledger.weakly = typeof (globalThis as { gc?: unknown }).gc === 'function';
    this.wrapGc();
    const idKey = asyncIdSymbol();
    this.idKey = idKey;
    this.stopPromiseHooks.push(
      promiseHooks.onSettled((promise: Promise<unknown>) => {
        try {
          if (live.size === 0) return;
          // No id: born before the hooks were on, so never recorded.
          const id = (promise as unknown as Record<symbol, number | undefined>)[idKey];
          if (id !== undefined) ledger.settle(id, live);
        } catch {
          // see init
        }
      }) as () => void,
    );
  }

  disable(): void {
    this.hook?.disable();
    this.hook = undefined;
    this.restoreGc?.();
    this.restoreGc = undefined;
    for (const stop of this.stopPromiseHooks.splice(0)) stop();
    this.origins.clear();
    this.requests.clear();
    this.zlibs.clear();
    this.outside.clear();
  }

  /** The async id of a promise born while the hooks were on. */
  idOf(promise: Promise<unknown>): number | undefined {
    if (this.idKey === undefined) return undefined;
    const id = (promise as unknown as Record<symbol, unknown>)[this.idKey];
    return typeof id === 'number' ? id : undefined;
  }

  /**
   * The timeline's logical clock: async ids are handed out in increasing order,
   * so the id a fresh promise gets says when, between the anchors of a timeline.
   * Read only at rare moments (scope start, end, judgement).
   */
  tick(internalState: ScopeState): number | undefined {
    return this.internal(internalState, () => this.idOf(Promise.resolve()));
  }

  /** Is this promise, created in `scope`, still pending? */
  isPending(scope: ScopeState, promise: Promise<unknown>): boolean {
    if (this.idKey === undefined) return false;
    const id = (promise as unknown as Record<symbol, number>)[this.idKey];
    return typeof id === 'number' && scope.pending.has(id, promise);
  }

  /** A new scope becomes live: it is judged later. */
  track(state: ScopeState): void {
    this.ledger.open();
    state.pending.ledger = this.ledger;
    this.live.add(state);
  }

  /** Run tracer work so that nothing it creates is owned by a scope. */
  internal<T>(internalState: ScopeState, fn: () => T): T {
    return this.als.run(internalState, fn);
  }
}
