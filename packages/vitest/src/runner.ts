/**
 * The test runner Vitest uses in each worker when the plugin is on. Each test
 * try is a tracer scope: entered synchronously in onBeforeTryTask so that the
 * test's beforeEach hooks, body and afterEach hooks all run inside it (and two
 * `test.concurrent` tests in two different scopes), judged in onAfterRetryTask
 * after every hook has run.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Finding, TestRef, TestTimeline } from '@asyncsan/core';
// One module instead of ~45: every test file's worker loads it again (scripts/bundle-tracer-worker.mjs).
import { createTracer, DeadlockError } from '@asyncsan/tracer/worker';
import type { Scope, Tracer } from '@asyncsan/tracer/worker';
import type { installRaceRuntime as InstallRaceRuntime } from '@asyncsan/tracer/race';
import type picomatch from 'picomatch';
import type { RunnerTask as Task, RunnerTestCase as Test } from 'vitest';
import type { TestRunner as VitestTestRunner } from 'vitest';
import type { ResolvedOptions } from './options.js';
import { applyProjectConfig, failsTest, PROVIDE_KEY } from './options.js';

/** What the runner keeps in a test's meta (serialised to the main process and into blob reports). */
export type Meta = {
  /** Set by the test (`task.meta.asyncsan = 'off'`): read when the test is judged. */
  asyncsan?: 'off' | 'warn' | 'fail';
  /** Findings of this test. */
  asyncsanFindings?: Finding[];
  /** The tracer's timeline of each try with findings; lanes name findings by index into asyncsanFindings. */
  asyncsanTimelines?: TestTimeline<number>[];
  /** cross-test-bleed findings seen while this test ran, about the test that left the timer armed (their `test`). */
  asyncsanBleed?: Finding[];
  /** With `verbose`: what this test's ignore rules dropped, and why. */
  asyncsanIgnored?: IgnoredRecord[];
};

/** An ignored finding as the summary lists it: where, what, and the rule's reason. */
export interface IgnoredRecord {
  id: string;
  location?: Finding['location'];
  test?: TestRef;
  reason?: string;
}

/**
 * The runner class of the Vitest that is running, not of whichever Vitest this
 * package would resolve: a project may run another major than the one next to
 * the plugin. `TestRunner` is exported from 'vitest' by 4.1 and 5 alike
 * (`vitest/runners` is gone in 5).
 */
async function loadBaseRunner(): Promise<typeof VitestTestRunner> {
  const worker = (globalThis as { __vitest_worker__?: { config?: { root?: string } } }).__vitest_worker__;
  for (const root of [worker?.config?.root, process.cwd()]) {
    if (!root) continue;
    try {
      const manifest = createRequire(path.join(root, 'package.json')).resolve('vitest/package.json');
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: Record<string, unknown> };
      const entry = importEntry(pkg.exports?.['.']);
      if (!entry) continue;
      const mod = (await import(pathToFileURL(path.join(path.dirname(manifest), entry)).href)) as { TestRunner?: typeof VitestTestRunner };
      if (typeof mod.TestRunner === 'function') return mod.TestRunner;
    } catch {
      // not resolvable from there: try the next place
    }
  }
  return (await import('vitest')).TestRunner;
}

/** The ESM file of a package.json `exports` entry. */
function importEntry(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (typeof entry !== 'object' || entry === null) return undefined;
  const e = entry as Record<string, unknown>;
  return importEntry(e.import) ?? importEntry(e.default);
}

const BaseRunner = await loadBaseRunner();

interface WorkerState {
  tracer: Tracer;
  /** Tests of this worker by scope name, to put a bleed finding on the test that caused it. */
  tests: Map<string, TestRef>;
  /** Scope names of the tests Vitest failed on their own timeout: what they left running is info, in whatever test it lands. */
  timedOut: Set<string>;
}

// One tracer per realm: with isolate off, consecutive files share it. Under
// vmThreads each file has its own realm (and loads the tracer again), so the
// previous realm's tracer, tracked on the shared `process`, is stopped first:
// its async hooks are per thread and would otherwise pile up.
const STATE = Symbol.for('asyncsan.vitest.state');
const PREVIOUS = Symbol.for('asyncsan.vitest.tracer');
// The package root: frames of this adapter (dist, or src through source maps) are the runner's.
const packageRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

function workerState(root: string, options: ResolvedOptions): WorkerState {
  const g = globalThis as { [STATE]?: WorkerState };
  if (g[STATE]) return g[STATE];
  keepNextTickCallable();
  const shared = process as unknown as { [PREVIOUS]?: Tracer };
  shared[PREVIOUS]?.stop();
  // A vm context (vmThreads) defines its globals read-only; the tracer wraps AbortController.
  const desc = Object.getOwnPropertyDescriptor(globalThis, 'AbortController');
  if (desc && desc.writable === false && desc.configurable) Object.defineProperty(globalThis, 'AbortController', { ...desc, writable: true });
  const tracer = createTracer({
    cwd: root,
    settleMs: options.settleMs,
    // A task stuck on a promise nothing references is garbage, not a leak: a forced GC, only in a
    // test that has stuck tasks, tells the two apart (and the first is reported at info).
    proveWithGc: true,
    internalPaths: [packageRoot],
    runnerPaths: vitestPaths(root),
    ignore: options.ignore.map((r) => ({ id: r.id, file: r.file, reason: r.reason })),
  });
  shared[PREVIOUS] = tracer;
  g[STATE] = { tracer, tests: new Map(), timedOut: new Set() };
  return g[STATE];
}

const NEXT_TICK_KEPT = Symbol.for('asyncsan.vitest.nextTick');

/**
 * Vitest 4.1's RPC swaps process.nextTick around each send and puts back, a tick later, what
 * `globalThis.process.nextTick` was at the send (Vitest 5 keeps Node's process instead). A test
 * that puts a stand-in in globalThis.process (`global.process = { versions: … }`, Node's back in
 * afterEach) and is caught by a send in that window leaves Node's process.nextTick undefined: every
 * later message from the main process then throws in the worker, an endless error loop. The
 * plugin's judgement moves when those sends happen, so it would make that likelier: Node's
 * process.nextTick ignores being set to anything but a function (a fake timer's is one).
 */
function keepNextTickCallable(): void {
  const node = process as NodeJS.Process & { [NEXT_TICK_KEPT]?: true };
  if (node[NEXT_TICK_KEPT]) return;
  const desc = Object.getOwnPropertyDescriptor(node, 'nextTick');
  if (!desc?.configurable || typeof desc.value !== 'function') return;
  let current = desc.value as typeof process.nextTick;
  Object.defineProperty(node, 'nextTick', {
    configurable: true,
    enumerable: desc.enumerable ?? true,
    get: () => current,
    set: (value: unknown) => {
      if (typeof value === 'function') current = value as typeof process.nextTick;
    },
  });
  node[NEXT_TICK_KEPT] = true;
}

/**
 * Vitest's own code (vitest and @vitest/*, as resolved from the root): a test awaiting a dynamic
 * import waits there on the main process, which transforms the module, over the worker's channel.
 */
function vitestPaths(root: string): string[] {
  try {
    const dir = path.dirname(createRequire(path.join(root, 'package.json')).resolve('vitest/package.json'));
    return [dir, path.join(path.dirname(dir), '@vitest')];
  } catch {
    return [];
  }
}

function fullName(test: Task): string {
  const names: string[] = [];
  for (let t: Task | undefined = test; t; t = t.suite) {
    if ('filepath' in t) break; // the file itself is not part of the name
    if (t.name) names.unshift(t.name);
  }
  return names.join(' > ');
}

const bleedSource = /^left armed by \w+ "(.*)"$/;

/** The race runtime, once per realm; installed before the first instrumented module runs. */
async function raceRuntime(root: string, options: ResolvedOptions): Promise<{ drain(): Finding[] } | undefined> {
  if (!options.race) return undefined;
  // The runtime module alone: the race entry also exports the transform, whose parser and
  // magic-string a worker never needs (the transform runs in the main process).
  const url = new URL('./runtime.js', import.meta.resolve('@asyncsan/tracer/race')).href;
  const { installRaceRuntime } = (await import(url)) as { installRaceRuntime: typeof InstallRaceRuntime };
  return installRaceRuntime({ cwd: root, ...(options.shuffle !== undefined ? { shuffleSeed: options.shuffle } : {}) });
}

/** Did Vitest fail this test on its own timeout ("Test timed out in 5000ms")? */
function timedOut(test: Test): boolean {
  return test.result?.state === 'fail' && (test.result.errors ?? []).some((e) => /^Test timed out in \d+ms/.test(String((e as { message?: unknown }).message ?? '')));
}

export class AsyncsanRunner extends BaseRunner {
  private readonly scopes = new WeakMap<Test, Scope>();
  /** Warn-mode judgements still running (they run beside the next test). */
  private readonly judging = new Set<Promise<void>>();
  private race: { drain(): Finding[] } | undefined;
  private racePromise: Promise<{ drain(): Finding[] } | undefined> | undefined;
  private options: ResolvedOptions | undefined;
  private excluded: ((file: string) => boolean) | undefined;

  private resolved(): ResolvedOptions {
    this.options ??= (this.injectValue(PROVIDE_KEY) as ResolvedOptions | undefined) ?? { mode: 'warn', exclude: [], ignore: [], settleMs: 50, race: false, verbose: false };
    return this.options;
  }

  private modeFor(test: Test): 'off' | 'warn' | 'fail' {
    const o = this.resolved();
    const meta = test.meta as Meta;
    if (meta.asyncsan === 'off' || meta.asyncsan === 'warn' || meta.asyncsan === 'fail') return meta.asyncsan;
    // picomatch is loaded only when there is something to exclude (every test file's worker loads this runner).
    this.excluded ??= o.exclude.length > 0 ? (createRequire(import.meta.url)('picomatch') as typeof picomatch)(o.exclude, { dot: true }) : () => false;
    if (this.excluded(this.relative(test.file.filepath))) return 'off';
    return o.mode;
  }

  private relative(file: string): string {
    return path.relative(this.config.root, file).split(path.sep).join('/');
  }

  override onBeforeTryTask(test: Task, options?: { retry: number; repeats: number }): void {
    // Vitest's own hook is synchronous: keep it so, or the scope below would be entered in a nested context.
    (super.onBeforeTryTask as (t: Task, o?: unknown) => void)(test, options);
    if (test.type !== 'test' || this.modeFor(test) === 'off') return;
    const ref: TestRef = { file: this.relative(test.file.filepath), name: test.name, fullName: fullName(test) };
    const state = workerState(this.config.root, this.resolved());
    state.tests.set(ref.fullName, ref);
    // start() enters the scope in the current async context, which is the
    // runner's for this try: hooks and body inherit it, sibling tests do not.
    this.scopes.set(test, state.tracer.start(ref.fullName, { test: ref }));
  }

  /** Runs the body under the deadlock watch: a body whose every task falls asleep ends at once. */
  async runTask(test: Test): Promise<void> {
    const fn = BaseRunner.getTestFn(test);
    const scope = this.scopes.get(test);
    if (!scope) {
      await fn();
      return;
    }
    // Warn mode changes no verdict: a deadlock is recorded (an annotation at judgement) and the
    // body runs on to its own end, Vitest's timeout for a deadlocked one, exactly as without the plugin.
    const warn = this.modeFor(test) !== 'fail';
    try {
      await scope.waitFor(
        Promise.resolve().then(() => fn()),
        { onDeadlock: warn ? 'report' : 'reject' },
      );
    } catch (error) {
      // In fail mode the report (deadlock and the rest) is the test's error, unless the project
      // config drops the deadlock or puts it below failOn: then the body's error stands.
      if (error instanceof DeadlockError && !warn) {
        const { kept } = await applyProjectConfig([...error.findings], this.resolved(), this.config.root);
        if (failsTest(kept, this.resolved())) return;
      }
      throw error;
    }
  }

  override async importFile(filepath: string, source: Parameters<InstanceType<typeof BaseRunner>['importFile']>[1]): Promise<unknown> {
    // The promise is cached, not the value: concurrent imports share one installation.
    this.racePromise ??= raceRuntime(this.config.root, this.resolved());
    this.race = await this.racePromise;
    // The tracer is on before the file's own code runs: a connection or worker it opens at module
    // level or in beforeAll is seen, and counts as work a test may be waiting on (no false deadlock).
    workerState(this.config.root, this.resolved());
    return super.importFile(filepath, source);
  }

  async onAfterRetryTask(test: Test, options?: { retry: number; repeats: number }): Promise<void> {
    // Vitest 4.1's runner has no such hook of its own; call it if a later one does.
    await (BaseRunner.prototype as { onAfterRetryTask?: (t: Test, o?: unknown) => unknown }).onAfterRetryTask?.call(this, test, options);
    const scope = this.scopes.get(test);
    if (!scope) return;
    this.scopes.delete(test);
    // Known now, before any later test's judgement can see this test's leftovers resume (cross-test-bleed).
    if (timedOut(test)) (globalThis as { [STATE]?: WorkerState })[STATE]?.timedOut.add(fullName(test));
    if (this.modeFor(test) === 'fail') {
      // The judgement settles first, waiting a little for the work the test left running.
      const all = await scope.end({ noun: 'test' });
      await this.report(test, scope, [...all, ...this.racesOf(scope)]);
      return;
    }
    // Warn mode changes no verdict, and no timing either: judging here would hold the next test up
    // while the test's leftover work runs (even a few loop turns let its I/O and timers go on), where
    // without the plugin that work lands in the next test (and may make it fail). The judgement runs
    // beside the next test; its findings reach this test's meta, and the main process, when it is
    // done (onAfterRunFiles waits for it).
    const ending = scope.end({ noun: 'test' });
    const races = this.racesOf(scope);
    const judged = ending
      .then((all) => this.report(test, scope, [...all, ...races]))
      .then(
        // A judgement that put nothing in the meta has nothing to send: the test's own update carried it all
        // (most tests; each send is a serialised RPC to the main process).
        (changed) => {
          if (changed) this.resend(test);
        },
        // Nothing may come of it that Vitest would count (an unhandled rejection fails the run).
        (error: unknown) => {
          try {
            process.stderr.write(`asyncsan: could not judge "${test.name}": ${String(error)}\n`);
          } catch {
            // an error that cannot even be printed
          }
        },
      );
    this.judging.add(judged);
    void judged.finally(() => this.judging.delete(judged));
  }

  /** Waits for the warn-mode judgements still running: the findings must be in the meta Vitest sends at the end. */
  // eslint-disable-next-line asyncsan/misused-async-callback -- typed void, but Vitest 4.1 and 5 await it (`await runner.onAfterRunFiles?.(files)`) before the last task update
  override async onAfterRunFiles(...args: unknown[]): Promise<void> {
    while (this.judging.size > 0) await Promise.all([...this.judging]);
    await (BaseRunner.prototype as { onAfterRunFiles?: (...a: unknown[]) => unknown }).onAfterRunFiles?.apply(this, args);
  }

  /** Interleavings seen while the test ran are its own: they happened between its tasks. */
  private racesOf(scope: Scope): Finding[] {
    return (this.race?.drain() ?? []).map((f) => ({ ...f, ...(scope.state.test ? { test: scope.state.test } : {}) }));
  }

  /** Sends a test's state again once a judgement that ended after its last update put findings in its meta. */
  private resend(test: Test): void {
    const state = test.result?.state;
    // Still running (a retry): its own final update carries the meta.
    if (state !== 'pass' && state !== 'fail' && state !== 'skip') return;
    const send = (this as { onTaskUpdate?: (packs: unknown[], events: unknown[]) => Promise<unknown> | undefined }).onTaskUpdate;
    try {
      void send?.call(this, [[test.id, test.result, test.meta]], [])?.catch(() => {});
    } catch {
      // the findings stay in the worker's meta; never fail the run over a report
    }
  }

  /**
   * Puts a test's findings in its meta: as annotations in warn mode, as the test's failure in fail mode.
   * Says whether it changed the test (its meta or its result).
   */
  private async report(test: Test, scope: Scope, judged: Finding[]): Promise<boolean> {
    // The project's asyncsan config (severity, ignores, runtimeIgnores), as the CLI applies it.
    const { kept: all, ignored: configIgnored } = await applyProjectConfig(judged, this.resolved(), this.config.root);
    let mode = this.modeFor(test);
    const meta = test.meta as Meta;
    const ignoredHere = [...scope.ignored, ...configIgnored];
    const ignoredNoted = this.resolved().verbose === true && ignoredHere.length > 0 && mode !== 'off';
    if (ignoredNoted) {
      const ref = scope.state.test;
      const records = ignoredHere.map(({ finding: f, reason }) => ({ id: f.id, ...(f.location ? { location: f.location } : {}), ...(ref ? { test: ref } : {}), ...(reason ? { reason } : {}) }));
      meta.asyncsanIgnored = [...(meta.asyncsanIgnored ?? []), ...records];
    }
    if (mode === 'off' || all.length === 0) return ignoredNoted;
    // A timer another test left armed that fired during this one is that test's finding, never this one's.
    const bleed = all.filter((f) => f.id === 'cross-test-bleed');
    const findings = all.filter((f) => f.id !== 'cross-test-bleed');
    if (bleed.length > 0) meta.asyncsanBleed = [...(meta.asyncsanBleed ?? []), ...bleed.map((f) => this.blameSource(f))];
    if (findings.length === 0) return ignoredNoted || bleed.length > 0;
    // A test Vitest already failed on its timeout was abandoned mid-way: what it left running (its tasks, and
    // the timers and handles they hold) follows from that, and Vitest's own error says it. Reported at info.
    // Not a deadlock (warn mode lets a deadlocked test run to its timeout): it is why the test timed out.
    if (timedOut(test)) {
      for (const f of findings) {
        if (f.id === 'deadlock') continue;
        f.severity = 'info';
        f.message += ' (Vitest failed this test on its timeout, which left it running)';
      }
    }
    // Below the config's (or the options') failOn, findings are reported as in warn mode; info findings (garbage,
    // not leaks; guard timers with nothing left to guard) fail a test only when failOn says 'info'.
    if (mode === 'fail' && !failsTest(findings, this.resolved())) mode = 'warn';
    // Lanes index the judgement's own list (before the config dropped any).
    const timeline = this.timelineOf(test, scope, judged, findings, meta.asyncsanFindings?.length ?? 0, mode);
    if (timeline) meta.asyncsanTimelines = [...(meta.asyncsanTimelines ?? []), timeline];
    meta.asyncsanFindings = [...(meta.asyncsanFindings ?? []), ...findings];
    if (mode === 'warn') {
      await this.annotate(test, findings);
      return true;
    }
    if (!test.result) return true;
    // Loaded when a test fails with findings, not in every worker.
    const { reporters } = await import('@asyncsan/core');
    const report = reporters.text(findings, { cwd: this.config.root, toolVersion: '', color: false });
    test.result.state = 'fail';
    test.result.errors ??= [];
    test.result.errors.push({
      name: 'AsyncsanError',
      message: `asyncsan: ${findings.length} async hazard${findings.length === 1 ? '' : 's'} in this test\n\n${report}`,
      stack: '',
    });
    return true;
  }

  /** The scope's timeline, its lanes' findings re-indexed to where they land in meta.asyncsanFindings. */
  private timelineOf(test: Test, scope: Scope, all: Finding[], kept: Finding[], base: number, mode: 'warn' | 'fail'): TestTimeline<number> | undefined {
    const t = scope.timeline();
    const ref = scope.state.test;
    if (!t || !ref) return undefined;
    const lanes = t.lanes.map((lane) => {
      const indexes = (lane.findings ?? []).map((i) => kept.indexOf(all[i]!)).filter((i) => i >= 0);
      const { findings: _, ...rest } = lane;
      return indexes.length > 0 ? { ...rest, findings: indexes.map((i) => base + i) } : rest;
    });
    return {
      test: ref,
      ...(t.startedAt !== undefined ? { startedAt: t.startedAt } : {}),
      end: t.end,
      judged: t.judged,
      // In fail mode the findings fail the test; in warn mode it keeps Vitest's own verdict.
      outcome: mode === 'fail' || test.result?.state === 'fail' ? 'failed' : 'passed',
      lanes,
      ...(t.omitted ? { omitted: t.omitted } : {}),
    };
  }

  /** Re-attributes a bleed finding to the test whose timer fired. */
  private blameSource(f: Finding): Finding {
    const label = f.related?.find((r) => bleedSource.test(r.label))?.label;
    const name = label ? bleedSource.exec(label)?.[1] : undefined;
    const state = (globalThis as { [STATE]?: WorkerState })[STATE];
    const source = name === undefined ? undefined : state?.tests.get(name);
    // The tracer names the running scope generically; here it is a test.
    let message = f.message.replace(/ while scope "/, ' while test "');
    // A test Vitest failed on its timeout was abandoned mid-way: its work resuming later follows from
    // that (the same info as its other leftovers; runtime-patterns R11), and Vitest's error already says it.
    // (The tracer already put a resumed task's or a listener's finding on its test; a timer's is found by its label.)
    const from = name ?? f.test?.fullName;
    const abandoned = from !== undefined && state?.timedOut.has(from) === true;
    if (abandoned) message += ' (Vitest failed that test on its timeout, which left it running)';
    const blamed: Finding = abandoned ? { ...f, message, severity: 'info' } : { ...f, message };
    return source ? { ...blamed, test: source } : blamed;
  }

  /** In warn mode each finding becomes a Vitest annotation (shown by reporters that show them, e.g. github-actions). */
  private async annotate(test: Test, findings: Finding[]): Promise<void> {
    const onTestAnnotate = (this as { onTestAnnotate?: (t: Test, a: unknown) => Promise<unknown> }).onTestAnnotate;
    const annotations = (test as { annotations?: unknown[] }).annotations;
    if (typeof onTestAnnotate !== 'function' || !Array.isArray(annotations)) return;
    for (const f of findings) {
      try {
        const at = f.location;
        const annotation = {
          message: `asyncsan ${f.id}: ${f.message}`,
          type: 'warning',
          ...(at ? { location: { file: path.resolve(this.config.root, at.file), line: at.line, column: at.column } } : {}),
        };
        annotations.push((await onTestAnnotate.call(this, test, annotation)) ?? annotation);
      } catch {
        // annotations are a courtesy: never fail a test over one
      }
    }
  }
}

export default AsyncsanRunner;
