/**
 * The tracer: scopes over the five stages. A scope owns everything created in
 * its async context (AsyncLocalStorage), across awaits and helpers; concurrent
 * scopes are told apart by their stores.
 */
import path from 'node:path';
import { sortFindings, type Finding, type TestRef } from '@asyncsan/core';
import { installApiSites, type ApiSitePatch } from './api-sites.js';
import { watchForBleed } from './bleed.js';
import { installEventWaitPatch, whyNever } from './event-waits.js';
import { Capture } from './capture.js';
import { watchForDeadlock } from './deadlock.js';
import { leftResources, pendingChains, type AwaitChain } from './diff.js';
import {
  abandonedIteratorFindings,
  deadlockFinding,
  describeEventWait,
  listenerFindings,
  rejectionFindings,
  resourceFindings,
  stuckEventWaitFindings,
  stuckPortFindings,
  stuckStreamFindings,
  unreadStreamFindings,
  unsettledFindings,
  type FormatContext,
} from './format.js';
import { installListenerPatch, stillRegistered, type ListenerPatch } from './listeners.js';
import { matchesIgnore, type IgnoreRule } from './ignore.js';
import { installPortPatch, stuckPorts } from './ports.js';
import { installIteratorPatch } from './iterators.js';
import { canProve, proveUnreachable } from './proof.js';
import { settle } from './settle.js';
import { holdsUnreadData, installStreamPatch, stillBlocked } from './streams.js';
import { INTERNAL, newScopeState, type EventWaitRecord, type ScopeState } from './state.js';

export interface TracerOptions {
  /** Paths in findings are relative to this directory. Default: process.cwd(). */
  cwd?: string;
  /** Cap on the settle before judgement, in ms. Default 50. */
  settleMs?: number;
  /** Minimum loop turns of the settle. Default 3. */
  settleTurns?: number;
  /** Most pending promises asked for their await chain at judgement. Default 2000. */
  maxProbes?: number;
  /** Extra absolute directories whose stack frames are not the user's (e.g. a test runner adapter). */
  internalPaths?: string[];
  /** Patch EventEmitter/EventTarget to find leaked listeners. Default true. */
  listeners?: boolean;
  /**
   * Wrap events.once, Writable#write, MessagePort#postMessage/close and async
   * generators for stuck-event-wait, stuck-stream, stuck-port and abandoned-iterator. Default true.
   */
  channels?: boolean;
  /** Attribute unhandled rejections to scopes. Default true. */
  rejections?: boolean;
  /** How often the deadlock watch looks at a waiting scope, in ms. Default 10. */
  deadlockCheckMs?: number;
  /** Findings to drop: by id, creation site, package or file (the shape of the config's runtimeIgnores). */
  ignore?: IgnoreRule[];
}

export interface ScopeOptions {
  test?: TestRef;
}

/** What `scope.end()` is asked to judge; the whole-program front end narrows it. */
export interface JudgeOptions {
  /** Wait for due work first. Default true. */
  settle?: boolean;
  /** Report only ref'd timers and handles (what keeps a process alive). Default false. */
  refedOnly?: boolean;
  /** Report timers and handles at all. Default true. */
  resources?: boolean;
  /** Report pending tasks (needs a few microtask turns). Default true. */
  tasks?: boolean;
  /** What the scope is called in messages: "scope" (default) or "program". */
  noun?: string;
  /** When the judgement happens, in messages. Default "when it ends". */
  when?: string;
}

export class DeadlockError extends Error {
  constructor(readonly findings: Finding[]) {
    super(findings[0]?.message ?? 'Deadlock: every task of the scope is asleep');
    this.name = 'DeadlockError';
  }
}

export interface TraceResult<T> {
  findings: Finding[];
  value?: T;
  error?: unknown;
  deadlocked: boolean;
}

export class Scope {
  private ending: Promise<Finding[]> | undefined;

  constructor(
    private readonly tracer: Tracer,
    readonly state: ScopeState,
  ) {}

  get name(): string {
    return this.state.name;
  }

  /** Runs `fn` inside the scope: everything it creates, now or later through its callbacks, is the scope's. */
  run<T>(fn: () => T): T {
    return this.tracer.capture.als.run(this.state, fn);
  }

  /**
   * Settles like `promise`, unless every task of the scope falls asleep first:
   * then a deadlock finding is recorded and this rejects with a DeadlockError at
   * once, instead of hanging until a timeout.
   */
  waitFor<T>(promise: Promise<T>): Promise<T> {
    const { capture } = this.tracer;
    return capture.internal(INTERNAL, () => {
      return new Promise<T>((resolve, reject) => {
        watchForDeadlock(this.state, promise, this.tracer.options.deadlockCheckMs, () => {
          void capture.internal(INTERNAL, async () => {
            const options = this.tracer.attributeOptions();
            const chains = await pendingChains(this.state, options);
            // Name the event a stuck task waits for, when it waits through events.once().
            const waits = new Map<string, string>();
            for (const w of this.state.eventWaits) {
              const d = capture.isPending(this.state, w.promise) ? describeEventWait(w, options) : undefined;
              if (d) waits.set(d.line, d.what);
            }
            const findings = chains.map((c) => {
              delete c.promise;
              return deadlockFinding(c, this.context('scope'), waits.get(`${c.at.absolute}:${c.at.line}`));
            });
            this.state.early.push(...findings);
            reject(new DeadlockError(findings));
          });
        });
        promise.then(resolve, reject);
      });
    });
  }

  /** Settles, judges and closes the scope. Calling it again returns the same findings. */
  end(options: JudgeOptions = {}): Promise<Finding[]> {
    this.ending ??= this.tracer.capture.internal(INTERNAL, () => this.judge(options));
    return this.ending;
  }

  private context(noun: string, when = 'when it ends'): FormatContext {
    return this.tracer.contextOf(this.state, noun, when);
  }

  private async judge(options: JudgeOptions): Promise<Finding[]> {
    const { state, tracer } = this;
    try {
      if (options.settle !== false) await settle(state, { turns: tracer.options.settleTurns, settleMs: tracer.options.settleMs });
      const chains: AwaitChain[] = options.tasks === false ? [] : await pendingChains(state, tracer.attributeOptions());
      // Read which event waits are pending before a proof lets go of the pending promises.
      const waiting = this.pendingEventWaits();
      if (canProve()) await proveUnreachable(state, chains);
      else for (const chain of chains) delete chain.promise;
      return this.collect(chains, options, waiting);
    } finally {
      this.close();
    }
  }

  /** Judges without waiting: for `exit`, where nothing asynchronous can run any more. */
  endSync(options: JudgeOptions = {}): Finding[] {
    try {
      return this.collect([], { ...options, settle: false, tasks: false });
    } finally {
      this.close();
    }
  }

  private close(): void {
    this.state.ended = true;
    // Judged: let go of the pending promises (and whatever their tasks hold).
    this.state.pending.clear();
    this.tracer.capture.live.delete(this.state);
    if (this.tracer.capture.fallback === this.state) this.tracer.capture.fallback = undefined;
  }

  private pendingEventWaits(): Set<EventWaitRecord> {
    return new Set(this.state.eventWaits.filter((w) => this.tracer.capture.isPending(this.state, w.promise)));
  }

  private collect(chains: AwaitChain[], options: JudgeOptions, waiting = this.pendingEventWaits()): Finding[] {
    const { state } = this;
    const program = state === this.tracer.capture.fallback;
    const ctx = this.context(options.noun ?? 'scope', options.when);
    if (options.refedOnly) ctx.keepsAlive = true;
    const deadlocked = new Set(state.early.filter((f) => f.id === 'deadlock').map((f) => key(f)));
    const findings: Finding[] = [];
    if (options.resources !== false) {
      const left = leftResources(state, { refedOnly: options.refedOnly === true });
      findings.push(...resourceFindings(left, ctx));
      const { capture } = this.tracer;
      watchForBleed(state, left, ctx, () => [...capture.live].filter((s) => s !== capture.fallback), (scope) => this.tracer.contextOf(scope));
    }
    const stuckWaits = state.eventWaits.flatMap((wait) => {
      const why = waiting.has(wait) ? whyNever(wait) : undefined;
      return why === undefined ? [] : [{ wait, why }];
    });
    const stuck = stuckEventWaitFindings(stuckWaits, ctx);
    const blocked = state.streamWrites.filter(stillBlocked);
    findings.push(...stuckStreamFindings(blocked, ctx));
    // A stream whose blocked write is reported is not reported again for the data it holds.
    const blockedStreams = new Set(blocked.map((w) => w.stream));
    findings.push(...unreadStreamFindings(state.readables.filter((r) => !blockedStreams.has(r.stream) && holdsUnreadData(r)), ctx));
    findings.push(...stuckPortFindings(stuckPorts(state), ctx));
    // A whole program that ends has no consumer left to blame: generators are a per-scope matter.
    if (!program) findings.push(...abandonedIteratorFindings(state.generators.filter((g) => g.suspended && !g.finished), ctx));
    findings.push(...stuck);
    // The most precise finding wins at a place: a stuck wait, then a deadlock, then an unsettled task.
    const explained = new Set([...deadlocked, ...stuck.map(key)]);
    findings.push(...unsettledFindings(chains, ctx).filter((f) => !explained.has(key(f))));
    findings.push(...listenerFindings([...state.listeners].filter(stillRegistered), ctx));
    findings.push(...rejectionFindings(state.rejections, ctx));
    const stuckAt = new Set(findings.filter((f) => f.id === 'stuck-event-wait').map(key));
    findings.push(...state.early.filter((f) => f.id !== 'deadlock' || !stuckAt.has(key(f))));
    return sortFindings(findings.filter((f) => !this.tracer.ignored(f)));
  }
}

/** Findings about one stuck await share its line (an `await once(…)` and its call differ only in column). */
const key = (f: Finding) => `${f.location?.file}:${f.location?.line}`;

interface ResolvedOptions {
  cwd: string;
  settleMs: number;
  settleTurns: number;
  maxProbes: number;
  internalPaths: string[];
  deadlockCheckMs: number;
  ignore: IgnoreRule[];
}

export class Tracer {
  readonly capture = new Capture();
  readonly options: ResolvedOptions;
  private listenerPatch: ListenerPatch | undefined;
  private readonly apiSites: ApiSitePatch;
  /** Channel patches (stuck-* and abandoned-iterator), undone by stop(). */
  private readonly patches: Array<{ uninstall(): void }> = [];
  private readonly onRejection: ((reason: unknown, promise: Promise<unknown>) => void) | undefined;
  private readonly onUncaught: ((error: unknown, origin: string) => void) | undefined;
  private stopped = false;

  constructor(options: TracerOptions = {}) {
    this.options = {
      cwd: path.resolve(options.cwd ?? process.cwd()),
      settleMs: options.settleMs ?? 50,
      settleTurns: options.settleTurns ?? 3,
      maxProbes: options.maxProbes ?? 2000,
      internalPaths: (options.internalPaths ?? []).map((p) => path.resolve(p)),
      deadlockCheckMs: options.deadlockCheckMs ?? 10,
      ignore: options.ignore ?? [],
    };
    this.capture.shortTimeoutMs = this.options.settleMs;
    this.capture.enable();
    const owner = () => {
      const s = this.capture.als.getStore() ?? this.capture.fallback;
      return s === undefined || s.ended ? undefined : s;
    };
    this.apiSites = installApiSites(owner);
    if (options.channels !== false) {
      this.patches.push(installEventWaitPatch(owner, (scope, promise) => this.capture.isPending(scope, promise)), installStreamPatch(owner), installPortPatch(owner), installIteratorPatch(owner));
    }
    if (options.listeners !== false) this.listenerPatch = installListenerPatch(owner, this.capture.live);
    if (options.rejections !== false) {
      this.onRejection = (reason) => {
        const s = owner();
        if (s !== undefined) s.rejections.push({ reason, stack: reason instanceof Error ? reason.stack : undefined });
        // Alone, our listener would swallow what Node treats as fatal: keep Node's behaviour.
        if (process.listenerCount('unhandledRejection') === 1) throw reason;
      };
      process.on('unhandledRejection', this.onRejection);
      // A monitor changes nothing about how the process handles the error; it only attributes it.
      this.onUncaught = (error, origin) => {
        try {
          const s = owner();
          if (s === undefined || origin !== 'uncaughtException' || s.rejections.some((r) => r.reason === error)) return;
          s.rejections.push({ reason: error, stack: error instanceof Error ? error.stack : undefined, thrown: true });
        } catch {
          // never interfere with the crash
        }
      };
      process.on('uncaughtExceptionMonitor', this.onUncaught);
    }
  }

  contextOf(state: ScopeState, noun = state === this.capture.fallback ? 'program' : 'scope', when = 'when it ends'): FormatContext {
    const ctx: FormatContext = { ...this.attributeOptions(), scopeName: state.name, noun, when };
    if (state.test) ctx.test = state.test;
    return ctx;
  }

  attributeOptions() {
    return { cwd: this.options.cwd, internalPaths: this.options.internalPaths, maxProbes: this.options.maxProbes };
  }

  ignored(f: Finding): boolean {
    return this.options.ignore.some((rule) => matchesIgnore(rule, f));
  }

  /** A scope that owns only what runs inside `scope.run(fn)`. */
  createScope(name: string, options: ScopeOptions = {}): Scope {
    if (this.stopped) throw new Error('asyncsan: the tracer was stopped');
    const state = newScopeState(name, options.test);
    this.capture.track(state);
    return new Scope(this, state);
  }

  /**
   * Starts a scope in the current async context: the rest of the calling
   * function, and everything it starts from here on, belongs to the scope.
   */
  start(name: string, options: ScopeOptions = {}): Scope {
    const scope = this.createScope(name, options);
    this.capture.als.enterWith(scope.state);
    return scope;
  }

  /** The whole-program scope: owns everything created outside other scopes from now on. */
  startProgram(name = 'program'): Scope {
    const scope = this.createScope(name);
    this.capture.fallback = scope.state;
    return scope;
  }

  /** Runs `fn` in a fresh scope, waits for it with deadlock detection, then judges the scope. */
  async trace<T>(name: string, fn: () => T | Promise<T>, options: ScopeOptions = {}): Promise<TraceResult<Awaited<T>>> {
    const scope = this.createScope(name, options);
    const result: TraceResult<Awaited<T>> = { findings: [], deadlocked: false };
    try {
      const promise = scope.run(() => Promise.resolve().then(fn)) as Promise<Awaited<T>>;
      result.value = await scope.waitFor(promise);
    } catch (error) {
      if (error instanceof DeadlockError) result.deadlocked = true;
      else result.error = error;
    }
    result.findings = await scope.end();
    return result;
  }

  /** Unhooks everything and restores patched prototypes. Scopes not yet ended are dropped. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.capture.disable();
    for (const s of this.capture.live) s.ended = true;
    this.capture.live.clear();
    this.listenerPatch?.uninstall();
    this.apiSites.uninstall();
    for (const patch of this.patches.splice(0).reverse()) patch.uninstall();
    if (this.onRejection) process.off('unhandledRejection', this.onRejection);
    if (this.onUncaught) process.off('uncaughtExceptionMonitor', this.onUncaught);
  }
}

export function createTracer(options: TracerOptions = {}): Tracer {
  return new Tracer(options);
}
