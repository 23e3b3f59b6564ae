/**
 * The tracer: scopes over the five stages. A scope owns everything created in
 * its async context (AsyncLocalStorage), across awaits and helpers; concurrent
 * scopes are told apart by their stores.
 */
import path from 'node:path';
import type { Finding, TestRef } from '@asyncsan/core';
// The light entries: a worker that loads the tracer never needs core's reporters or config loader.
import { mergeBySite, sortFindings } from '@asyncsan/core/finding';
import { installApiSites, rejectSite, type ApiSitePatch } from './api-sites.js';
import { unwatchEmitters, watchedLeftovers, watchTasksForBleed, type BleedSource } from './bleed.js';
import { withGuardedStacks } from './attribute.js';
import { emitterProofTargets, installEventWaitPatch } from './event-waits.js';
import type { ProbedStack } from './await-chain.js';
import { Capture, CONNECTION_TYPES, isOpen, now, releaseClosed } from './capture.js';
import { deadlockFinding, describeWaits, watchForDeadlock } from './deadlock.js';
import { DETECTORS, type Judgement } from './detectors/index.js';
import { dropPromises, leftResources, markIdleGuards, notePooledSockets, pendingChains, sleepingTasks, type AwaitChain, type LeftResource } from './diff.js';
import { installFakeClockWatch } from './fake-clock.js';
import type { FormatContext } from './format.js';
import { installListenerPatch, type ListenerPatch } from './listeners.js';
import { matchesIgnore, type IgnoreRule } from './ignore.js';
import { snapshotScopes, splitCurrent, type IgnoredFinding } from './ignore-current.js';
import { LeftRunning, type FinishedTask } from './leftovers.js';
import { bodyWork, installWebStreamPatch } from './web-streams.js';
import { installPortPatch } from './ports.js';
import { installRejectionWatch, type RejectionWatch } from './rejections.js';
import { installIteratorPatch } from './iterators.js';
import { canProve, enableGc, proveUnreachable } from './proof.js';
import { settle } from './settle.js';
import { installStreamPatch, pipelineRunning } from './streams.js';
import { INTERNAL, newScopeState, type EventWaitRecord, type PipelineRecord, type RejectionRecord, type ScopeState } from './state.js';
import { buildTimeline, type Timeline } from './timeline.js';

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
  /**
   * The test runner's own code (absolute directories): a task whose innermost await is there waits
   * on the runner (a module fetched over its channel to its main process), never a deadlock.
   */
  runnerPaths?: string[];
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
  /**
   * Findings to drop: by id, creation site, package or file (the shape of the config's runtimeIgnores),
   * and snapshots of what was alive (the rules `tracer.ignoreCurrent()` returns).
   */
  ignore?: IgnoreRule[];
  /** Follow timers on fake clocks (@sinonjs/fake-timers, vi.useFakeTimers()) for leaked-timer. Default true. */
  fakeTimers?: boolean;
  /**
   * Prove "can never settle" with a forced GC even when the process was not started with
   * --expose-gc (the flag is turned on with v8.setFlagsFromString). Costs a few full GCs
   * per judged scope that has stuck work. Default false: prove only where `gc` is exposed.
   */
  proveWithGc?: boolean;
  /**
   * Report positions in the original sources of compiled files that carry a source map
   * (read at report time; nothing changes for the program). Default false: hosts such as
   * Vitest map their stacks already.
   */
  sourceMaps?: boolean;
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
  /**
   * Program mode, at a natural exit: the entry module (absolute path) whose top-level
   * await is still pending. The loop is empty, so the tasks it waits on can never
   * resume: reported as deadlock (Node's exit code 13), not as unsettled tasks.
   */
  topLevelAwait?: string;
  /**
   * Report the project's async generators left suspended at a yield (abandoned-iterator).
   * Default: yes for a scope; for the whole program only when its front end asks, at a
   * normal exit (then their finally blocks will never run), not when a signal kills it.
   */
  iterators?: boolean;
  /**
   * Keep what `scope.timeline()` draws from (default true). It is built only when
   * asked for, so a scope nobody asks about pays nothing but the few records it keeps anyway.
   */
  timeline?: boolean;
}

export interface WaitOptions {
  /** 'reject' (default): a deadlock ends the wait with a DeadlockError. 'report': it is only recorded. */
  onDeadlock?: 'reject' | 'report';
}

export class DeadlockError extends Error {
  /** `cwd`: what the findings' paths are relative to; with it, the stack is the deadlock's wait-for chain. */
  constructor(
    readonly findings: Finding[],
    cwd?: string,
  ) {
    super(findings[0]?.message ?? 'Deadlock: every task of the scope is asleep');
    this.name = 'DeadlockError';
    // Made inside the tracer, the error's own stack would point there (a test runner shows its code
    // frame at the top frame): the user's awaits where the tasks are stuck say where to look.
    const chain = findings.find((f) => f.id === 'deadlock')?.stacks?.[0]?.frames.filter((f) => !f.external) ?? [];
    if (cwd !== undefined && chain.length > 0) {
      const at = (f: (typeof chain)[number]) => `${path.resolve(cwd, f.file)}:${f.line}:${f.column}`;
      this.stack = [`${this.name}: ${this.message}`, ...chain.map((f) => `    at ${f.function ? `${f.function} (${at(f)})` : at(f)}`)].join('\n');
    }
  }
}

export interface TraceResult<T> {
  findings: Finding[];
  /** The scope's timeline, when it has findings (see Scope.timeline). */
  timeline?: Timeline;
  /** What ignore rules and ignoreCurrent() snapshots dropped, with their reasons (verbose output). */
  ignored: IgnoredFinding[];
  value?: T;
  error?: unknown;
  deadlocked: boolean;
}

export class Scope {
  private ending: Promise<Finding[]> | undefined;
  private built: Timeline | undefined;
  private toBuild: (() => Timeline) | undefined;
  /** Findings the ignore rules dropped at the last judgement (their timeline lanes go too). */
  private ignoredFindings: Finding[] = [];
  /** Resources judged left over at the last judgement. */
  private judgedLeft: LeftResource[] = [];
  /** Tasks left running at the end that finished during the settle (floating-promise). */
  private finishedTasks: FinishedTask[] = [];
  /** What the last judgement did not report because an ignore rule or an ignoreCurrent() snapshot covers it, with the reason. */
  readonly ignored: IgnoredFinding[] = [];
  /**
   * With `topLevelAwait`: each deadlock reported for the top-level await, and the
   * unsettled-task it stands for. A front end that learns only later that the
   * top-level await had settled after all (Node 23+ tells by exit code 13 alone) swaps them back.
   */
  readonly topLevelFallbacks = new Map<Finding, Finding>();

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
   * once, instead of hanging until a timeout. With `{ onDeadlock: 'report' }` the
   * finding is recorded and the wait goes on: the caller's own timeout decides
   * (warn mode, which must not change how a test ends).
   */
  waitFor<T>(promise: Promise<T>, options: WaitOptions = {}): Promise<T> {
    const rejectAtDeadlock = options.onDeadlock !== 'report';
    const { capture } = this.tracer;
    return capture.internal(INTERNAL, () => {
      return new Promise<T>((resolve, reject) => {
        const watch = () => watchForDeadlock(this.state, promise, this.tracer.options.deadlockCheckMs, capture, onIdle);
        const onIdle = () => {
          void capture.internal(INTERNAL, async () => {
            let findings: Finding[] = [];
            try {
              const options = this.tracer.attributeOptions();
              const chains = await pendingChains(this.state, options);
              // Waiting in the test runner's own code (a module it fetches for a dynamic import, an RPC
              // to its main process) is waiting on the runner's channel, which no scope owns: not asleep.
              if (chains.some((c) => this.tracer.waitsOnRunner(c))) {
                watch();
                return;
              }
              findings = withGuardedStacks(() => {
                // Name the event a stuck task waits for, when it waits through events.once().
                const waits = describeWaits(this.state, this.state.eventWaits.filter((w) => capture.isPending(this.state, w.promise)), options);
                return chains.map((c) => {
                  dropPromises(c);
                  return deadlockFinding(this.state, c, waits, this.context('scope'));
                });
              });
              this.state.early.push(...findings);
            } catch {
              // Whatever went wrong describing it, the wait must not hang (nor reject unhandled here): it is a deadlock.
            }
            if (rejectAtDeadlock) reject(new DeadlockError(findings, this.tracer.options.cwd));
          });
        };
        watch();
        // The body's own span, for the timeline: read from the reactions this wait adds anyway.
        // The promise was born when the body began (its async id places it); its end is an anchor.
        const body: NonNullable<ScopeState['clock']['body']> = { start: now(), id: capture.idOf(promise) };
        this.state.clock.body = body;
        const settled = () => {
          body.end = now();
          body.endId = capture.tick(INTERNAL);
        };
        promise.then(
          (value) => {
            settled();
            resolve(value);
          },
          (error: unknown) => {
            settled();
            body.rejected = true;
            reject(error);
          },
        );
      });
    });
  }

  /** Settles, judges and closes the scope. Calling it again returns the same findings. */
  end(options: JudgeOptions = {}): Promise<Finding[]> {
    this.ending ??= this.tracer.capture.internal(INTERNAL, () => {
      this.markEnd();
      return this.judge(options);
    });
    return this.ending;
  }

  /**
   * The scope's timeline as judged: what it started and what outlived it. Undefined
   * before `end()` and after `end({ timeline: false })`. Built on the first call (read
   * it right after `end()`: streams and listeners are read then). Lanes name their
   * findings by index into what `end()` returned.
   */
  timeline(): Timeline | undefined {
    if (this.built === undefined && this.toBuild !== undefined) {
      try {
        this.built = this.toBuild();
      } catch {
        // The picture is a courtesy: never throw at its reader.
      }
      this.toBuild = undefined;
    }
    return this.built;
  }

  private markEnd(): void {
    const { clock } = this.state;
    if (clock.endedAt !== undefined) return;
    clock.endedAt = now();
    clock.endId = this.tracer.capture.tick(INTERNAL);
    notePooledSockets(this.state);
  }

  /** Keeps what the timeline is drawn from, as judged now; building it waits until someone asks. */
  private keepTimeline(findings: Finding[], chains: AwaitChain[], options: JudgeOptions, waiting: Set<EventWaitRecord>): void {
    if (options.timeline === false) return;
    const { tracer, state } = this;
    const judgedAt = now();
    const judgeId = tracer.capture.tick(INTERNAL);
    const program = state === tracer.capture.fallback;
    // Which resources were left over is read now, as the findings were.
    const left = this.judgedLeft;
    const ignored = this.ignoredFindings;
    const judged = findings.slice();
    this.toBuild = () =>
      buildTimeline({
        state,
        chains,
        left,
        waiting,
        findings: judged,
        ignored,
        judgedAt,
        judgeId,
        idOf: (p) => tracer.capture.idOf(p),
        noun: options.noun ?? (program ? 'program' : 'scope'),
        program,
        attribute: tracer.attributeOptions(),
      });
  }

  private context(noun: string, when = 'when it ends'): FormatContext {
    return this.tracer.contextOf(this.state, noun, when);
  }

  private async judge(options: JudgeOptions): Promise<Finding[]> {
    const { state, tracer } = this;
    try {
      // What is still running at the end, read before the settle lets it finish (leftovers.ts).
      // Probed once: a promise still pending after the settle keeps the awaiters it had (the runner's own
      // promises, waiting for this judgement, are most of them); only what the settle created is probed again.
      const probed = new WeakMap<Promise<unknown>, ProbedStack>();
      const left = options.settle !== false && options.tasks !== false ? await this.leftRunning(probed) : undefined;
      if (options.settle !== false) {
        await settle(state, { turns: tracer.options.settleTurns, settleMs: tracer.options.settleMs, ...(left ? { onTurn: () => left.poll() } : {}) });
      }
      const chains: AwaitChain[] = options.tasks === false ? [] : await pendingChains(state, tracer.attributeOptions(), (p) => tracer.capture.idOf(p), false, probed);
      this.finishedTasks = left?.finished(chains, tracer.attributeOptions()) ?? [];
      // While the promises the tasks await are at hand: which are a web stream's work (before the proof lets go of them).
      for (const c of chains) {
        const work = bodyWork(c, state, tracer.attributeOptions());
        if (work !== undefined) c.body = work;
      }
      // Read which event waits and pipelines are pending before a proof lets go of the pending promises.
      const waiting = this.pendingEventWaits();
      const pipes = this.runningPipelines();
      withGuardedStacks(() => markIdleGuards(state, tracer.attributeOptions()));
      this.beforeProof(chains, options);
      // A task asleep on its own live timer is reported as such whatever a GC would say (format.ts): not proven.
      const asleep = options.resources === false ? new Set<AwaitChain>() : new Set(sleepingTasks(chains, leftResources(state, { refedOnly: false }), tracer.attributeOptions()).keys());
      await proveUnreachable(state, chains, canProve() ? emitterProofTargets(waiting) : [], asleep);
      const findings = withGuardedStacks(() => this.collect(chains, options, waiting, pipes));
      this.keepTimeline(findings, chains, options, waiting);
      return findings;
    } finally {
      this.close();
    }
  }

  /** The scope's tasks running at its end (their await chains), to see which finish during the settle. */
  private async leftRunning(probed: WeakMap<Promise<unknown>, ProbedStack>): Promise<LeftRunning> {
    const { state, tracer } = this;
    const chains = await pendingChains(state, tracer.attributeOptions(), undefined, true, probed);
    // What an ignoreCurrent() snapshot holds was alive at the call: not this scope's leftover.
    const { keep } = splitCurrent(chains, (c) => c.promise, tracer.options.ignore);
    const { capture } = tracer;
    return new LeftRunning(keep, state, (p) => capture.isPending(state, p), () => capture.live);
  }

  /** Judges without waiting: for `exit`, where nothing asynchronous can run any more. */
  endSync(options: JudgeOptions = {}): Finding[] {
    try {
      this.markEnd();
      const judged: JudgeOptions = { ...options, settle: false, tasks: false };
      const waiting = this.pendingEventWaits();
      const findings = withGuardedStacks(() => {
        markIdleGuards(this.state, this.tracer.attributeOptions());
        return this.collect([], judged, waiting);
      });
      this.keepTimeline(findings, [], judged, waiting);
      return findings;
    } finally {
      this.close();
    }
  }

  private close(): void {
    this.state.ended = true;
    // A connection the scope leaves open may still serve a later scope (a pooled socket): it is work
    // for the deadlock watch of the scopes that follow.
    // Whatever outlives the scope and is tagged with it (a web stream's closed promise, an emitter) keeps its
    // records: they must not keep what closed resources held (hono's node-server counts the AbortControllers its
    // requests free). Stacks are formatted where the program can force a collection (--expose-gc).
    const gcExposed = this.tracer.capture.ledger.weakly;
    for (const record of this.state.resources.values()) {
      if (!isOpen(record)) releaseClosed(record, gcExposed);
      else if (CONNECTION_TYPES.has(record.type)) this.tracer.capture.outside.add({ type: record.type, resource: record.resource });
    }
    // Judged: let go of the pending promises (and whatever their tasks hold).
    this.state.pending.clear();
    this.state.raced?.clear();
    this.tracer.capture.live.delete(this.state);
    if (this.tracer.capture.fallback === this.state) this.tracer.capture.fallback = undefined;
  }

  private pendingEventWaits(): Set<EventWaitRecord> {
    return new Set(this.state.eventWaits.filter((w) => this.tracer.capture.isPending(this.state, w.promise)));
  }

  private runningPipelines(): PipelineRecord[] {
    return this.state.pipelines.filter((p) => pipelineRunning(p, (promise) => this.tracer.capture.isPending(this.state, promise)));
  }

  /** While the promises tasks await are still at hand: which tasks a snapshot covers, and bleed watches on the rest. */
  private beforeProof(chains: AwaitChain[], options: JudgeOptions): void {
    const { keep, dropped } = splitCurrent(chains, (c) => c.promise, this.tracer.options.ignore);
    for (const d of dropped) d.item.current = { reason: d.reason };
    if (this.state !== this.tracer.capture.fallback) watchTasksForBleed(this.bleedSource(options), keep);
  }

  private bleedSource(options: JudgeOptions): BleedSource {
    const { capture } = this.tracer;
    return {
      from: this.state,
      ctx: this.context(options.noun ?? 'scope', options.when),
      // Scopes whose body is over (being judged) are not running: nothing lands in them any more.
      running: () => [...capture.live].filter((s) => s !== capture.fallback && s.clock.endedAt === undefined),
      contextOf: (scope) => this.tracer.contextOf(scope),
      ignored: (key) => this.tracer.options.ignore.some((rule) => rule.current?.has(key) === true),
    };
  }

  /** The judgement: the detectors of ./detectors/index.ts in their order, then the ignore rules. */
  private collect(chains: AwaitChain[], options: JudgeOptions, waiting = this.pendingEventWaits(), pipes = this.runningPipelines()): Finding[] {
    const { state, tracer } = this;
    const ctx = this.context(options.noun ?? 'scope', options.when);
    if (options.refedOnly) ctx.keepsAlive = true;
    const rules = tracer.options.ignore;
    this.ignored.length = 0;
    const ignored = this.ignored;
    const j: Judgement = {
      state,
      program: state === tracer.capture.fallback,
      options,
      ctx,
      chains,
      waiting,
      pipes,
      capture: tracer.capture,
      rules,
      attribute: tracer.attributeOptions(),
      finishedTasks: this.finishedTasks,
      topLevelFallbacks: this.topLevelFallbacks,
      bleedSource: () => this.bleedSource(options),
      findings: [],
      ignored,
      // What an ignoreCurrent() snapshot holds is judged aside: its findings are kept with the snapshot's reason.
      judge: (items, keyOf, build) => {
        const { keep, dropped } = splitCurrent(items, keyOf, rules);
        for (const d of dropped) for (const f of build([d.item])) ignored.push({ finding: f, reason: d.reason, by: 'current' });
        return build(keep);
      },
      judgedLeft: this.judgedLeft,
      deadlocked: new Set(),
      sleepsOn: new Map(),
      asleepOn: new Set(),
      stuck: [],
      piped: [],
      inPipelines: new Set(),
      explained: new Set(),
      stuckAt: new Set(),
    };
    for (const detector of DETECTORS) detector.run(j);
    this.judgedLeft = j.judgedLeft;
    const { findings } = j;
    for (const f of findings) {
      const rule = tracer.ignoreRuleFor(f);
      if (rule) this.ignored.push({ finding: f, reason: rule.reason, by: 'rule' });
    }
    this.ignoredFindings = this.ignored.map((i) => i.finding);
    // One root cause, one finding: the same hazard at the same place N times is one finding with a count.
    return sortFindings(mergeBySite(findings.filter((f) => tracer.ignoreRuleFor(f) === undefined)));
  }
}

interface ResolvedOptions {
  cwd: string;
  settleMs: number;
  settleTurns: number;
  maxProbes: number;
  internalPaths: string[];
  runnerPaths: string[];
  deadlockCheckMs: number;
  ignore: IgnoreRule[];
  sourceMaps: boolean;
}

export class Tracer {
  readonly capture = new Capture();
  readonly options: ResolvedOptions;
  private listenerPatch: ListenerPatch | undefined;
  private readonly apiSites: ApiSitePatch;
  /** Channel patches (stuck-* and abandoned-iterator), undone by stop(). */
  private readonly patches: Array<{ uninstall(): void }> = [];
  private readonly rejectionWatch: RejectionWatch | undefined;
  private stopped = false;

  constructor(options: TracerOptions = {}) {
    this.options = {
      cwd: path.resolve(options.cwd ?? process.cwd()),
      settleMs: options.settleMs ?? 50,
      settleTurns: options.settleTurns ?? 3,
      maxProbes: options.maxProbes ?? 2000,
      internalPaths: (options.internalPaths ?? []).map((p) => path.resolve(p)),
      runnerPaths: (options.runnerPaths ?? []).map((p) => path.resolve(p) + path.sep),
      deadlockCheckMs: options.deadlockCheckMs ?? 10,
      // A copy: ignoreCurrent() adds its snapshots here.
      ignore: [...(options.ignore ?? [])],
      sourceMaps: options.sourceMaps === true,
    };
    if (options.proveWithGc === true) enableGc();
    this.capture.shortTimeoutMs = this.options.settleMs;
    this.capture.enable();
    const owner = () => {
      const s = this.capture.als.getStore() ?? this.capture.fallback;
      return s === undefined || s.ended ? undefined : s;
    };
    this.apiSites = installApiSites(owner, (p) => this.capture.idOf(p));
    if (options.channels !== false) {
      const isPending = (scope: ScopeState, promise: Promise<unknown>) => this.capture.isPending(scope, promise);
      this.patches.push(installEventWaitPatch(owner, isPending), installStreamPatch(owner, isPending), installPortPatch(owner), installIteratorPatch(owner));
      // Web-stream writes a scope's leftover work makes after the scope ended (while it is judged).
      this.patches.push(installWebStreamPatch(owner));
    }
    if (options.fakeTimers !== false) this.patches.push(installFakeClockWatch(owner));
    if (options.listeners !== false) this.listenerPatch = installListenerPatch(owner, this.capture.live);
    if (options.rejections !== false) {
      // The listeners there before the tracer are the runner's (Vitest's, node:test's); one added later is the program's own handler.
      const runnerListeners = new Set(process.listeners('unhandledRejection'));
      // Seen through process.emit and the uncaught-exception monitor, never as a listener (rejections.ts).
      const record = (reason: unknown, thrown: boolean, promise?: Promise<unknown>) => {
        try {
          const s = owner();
          if (s === undefined || s.rejections.some((r) => r.reason === reason)) return;
          const site = promise === undefined ? undefined : rejectSite(promise);
          const rejection: RejectionRecord = { reason, ...(thrown ? { thrown } : {}), ...(site ? { site } : {}) };
          // Read when judged, not now: reading an error's stack makes V8 drop the frame Node's crash
          // report quotes the source line of ('file.js:4  throw new Error(…)').
          if (reason instanceof Error) Object.defineProperty(rejection, 'stack', { get: () => reason.stack, enumerable: true, configurable: true });
          const own = thrown ? [] : process.listeners('unhandledRejection').filter((l) => !runnerListeners.has(l));
          if (own.length > 0) {
            const added = [...s.listeners].find((l) => l.target === process && own.includes(l.listener as (typeof own)[number]));
            rejection.handledBy = added ? { site: added.site } : {};
          }
          s.rejections.push(rejection);
        } catch {
          // A reason that throws when looked at (a Proxy): not attributed, and never a crash of a program
          // that handles its rejections itself. One whose stack throws is described without it when judged.
        }
      };
      // A rejection Node turns into an uncaught exception (nobody listens, or --unhandled-rejections=strict)
      // arrives at the monitor with origin 'unhandledRejection', the same reason it may already have been seen with.
      this.rejectionWatch = installRejectionWatch(
        (reason, promise) => record(reason, false, promise),
        (error, origin) => record(error, origin === 'uncaughtException'),
      );
    }
  }

  contextOf(state: ScopeState, noun = state === this.capture.fallback ? 'program' : 'scope', when = 'when it ends'): FormatContext {
    const ctx: FormatContext = { ...this.attributeOptions(), scopeName: state.name, noun, when };
    if (state.test) ctx.test = state.test;
    return ctx;
  }

  attributeOptions() {
    return { cwd: this.options.cwd, internalPaths: this.options.internalPaths, maxProbes: this.options.maxProbes, sourceMaps: this.options.sourceMaps };
  }

  /** Is the chain's innermost await in the test runner's own code (see `runnerPaths`)? */
  waitsOnRunner(chain: AwaitChain): boolean {
    const inner = chain.frames[0]?.absolute;
    return inner !== undefined && this.options.runnerPaths.some((p) => inner.startsWith(p));
  }

  ignored(f: Finding): boolean {
    return this.ignoreRuleFor(f) !== undefined;
  }

  /** The first id/site/package/file rule that drops this finding. */
  ignoreRuleFor(f: Finding): IgnoreRule | undefined {
    return this.options.ignore.find((rule) => matchesIgnore(rule, f));
  }

  /**
   * goleak's IgnoreCurrent: what every live scope holds now (open timers and handles,
   * pending tasks, registered listeners, stuck channels, fake-clock timers) is never
   * reported; it is kept in `scope.ignored` with `reason` instead. Returns the rule
   * (also accepted in `createTracer({ ignore })`); it holds what it saw weakly.
   */
  ignoreCurrent(options: { reason?: string } = {}): IgnoreRule {
    const snapshot = snapshotScopes(this.capture.live);
    // What ended scopes left behind (watched for cross-test-bleed) is alive too.
    for (const leftover of watchedLeftovers()) snapshot.add(leftover);
    const rule: IgnoreRule = { current: snapshot };
    if (options.reason !== undefined) rule.reason = options.reason;
    this.options.ignore.push(rule);
    return rule;
  }

  /** A scope that owns only what runs inside `scope.run(fn)`. */
  createScope(name: string, options: ScopeOptions = {}): Scope {
    if (this.stopped) throw new Error('asyncsan: the tracer was stopped');
    const state = newScopeState(name, options.test);
    state.raced = new Map();
    this.capture.track(state);
    state.clock.startId = this.capture.tick(INTERNAL);
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
    delete scope.state.raced;
    this.capture.fallback = scope.state;
    return scope;
  }

  /** Runs `fn` in a fresh scope, waits for it with deadlock detection, then judges the scope. */
  async trace<T>(name: string, fn: () => T | Promise<T>, options: ScopeOptions = {}): Promise<TraceResult<Awaited<T>>> {
    const scope = this.createScope(name, options);
    const result: TraceResult<Awaited<T>> = { findings: [], deadlocked: false, ignored: scope.ignored };
    try {
      const promise = scope.run(() => Promise.resolve().then(fn)) as Promise<Awaited<T>>;
      result.value = await scope.waitFor(promise);
    } catch (error) {
      if (error instanceof DeadlockError) result.deadlocked = true;
      else result.error = error;
    }
    result.findings = await scope.end();
    const timeline = result.findings.length > 0 ? scope.timeline() : undefined;
    if (timeline) result.timeline = timeline;
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
    unwatchEmitters();
    this.apiSites.uninstall();
    for (const patch of this.patches.splice(0).reverse()) patch.uninstall();
    this.rejectionWatch?.uninstall();
  }
}

export function createTracer(options: TracerOptions = {}): Tracer {
  return new Tracer(options);
}
