/**
 * The test runner Vitest uses in each worker when the plugin is on. Each test
 * try is a tracer scope: entered synchronously in onBeforeTryTask so that the
 * test's beforeEach hooks, body and afterEach hooks all run inside it (and two
 * `test.concurrent` tests in two different scopes), judged in onAfterRetryTask
 * after every hook has run.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Finding, TestRef } from '@asyncsan/core';
import { reporters } from '@asyncsan/core';
import { createTracer, DeadlockError } from '@asyncsan/tracer';
import type { Scope, Tracer } from '@asyncsan/tracer';
import picomatch from 'picomatch';
import type { RunnerTask as Task, RunnerTestCase as Test } from 'vitest';
import { VitestTestRunner } from 'vitest/runners';
import type { ResolvedOptions } from './options.js';
import { PROVIDE_KEY } from './options.js';

type Meta = { asyncsan?: 'off' | 'warn' | 'fail'; asyncsanFindings?: Finding[] };

// One tracer per worker, whatever the isolation: its hooks are per thread or process.
const TRACER = Symbol.for('asyncsan.vitest.tracer');
// The package root: frames of this adapter (dist, or src through source maps) are the runner's.
const packageRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

function tracerFor(root: string, options: ResolvedOptions): Tracer {
  const g = globalThis as { [TRACER]?: Tracer };
  g[TRACER] ??= createTracer({
    cwd: root,
    settleMs: options.settleMs,
    internalPaths: [packageRoot],
    ignore: options.ignore.map((r) => ({ id: r.id, file: r.file, reason: r.reason })),
  });
  return g[TRACER];
}

function fullName(test: Task): string {
  const names: string[] = [];
  for (let t: Task | undefined = test; t; t = t.suite) {
    if ('filepath' in t) break; // the file itself is not part of the name
    if (t.name) names.unshift(t.name);
  }
  return names.join(' > ');
}

export class AsyncsanRunner extends VitestTestRunner {
  private readonly scopes = new WeakMap<Test, Scope>();
  private options: ResolvedOptions | undefined;

  private resolved(): ResolvedOptions {
    this.options ??= (this.injectValue(PROVIDE_KEY) as ResolvedOptions | undefined) ?? { mode: 'warn', exclude: [], ignore: [], settleMs: 50 };
    return this.options;
  }

  private modeFor(test: Test): 'off' | 'warn' | 'fail' {
    const o = this.resolved();
    const meta = test.meta as Meta;
    if (meta.asyncsan) return meta.asyncsan;
    const rel = path.relative(this.config.root, test.file.filepath).split(path.sep).join('/');
    if (o.exclude.length > 0 && picomatch(o.exclude, { dot: true })(rel)) return 'off';
    return o.mode;
  }

  override onBeforeTryTask(test: Task): void {
    super.onBeforeTryTask(test);
    if (test.type !== 'test' || this.modeFor(test) === 'off') return;
    const ref: TestRef = {
      file: path.relative(this.config.root, test.file.filepath).split(path.sep).join('/'),
      name: test.name,
      fullName: fullName(test),
    };
    // start() enters the scope in the current async context, which is the
    // runner's for this try: hooks and body inherit it, sibling tests do not.
    this.scopes.set(test, tracerFor(this.config.root, this.resolved()).start(ref.fullName, { test: ref }));
  }

  /** Runs the body under the deadlock watch: a body whose every task falls asleep ends at once. */
  async runTask(test: Test): Promise<void> {
    const fn = VitestTestRunner.getTestFn(test);
    const scope = this.scopes.get(test);
    if (!scope) {
      await fn();
      return;
    }
    try {
      await scope.waitFor(Promise.resolve().then(() => fn()));
    } catch (error) {
      // In fail mode the report (deadlock and the rest) is the test's error; in warn mode
      // a deadlocked body still cannot pass, so the deadlock error stands.
      if (error instanceof DeadlockError && this.modeFor(test) === 'fail') return;
      throw error;
    }
  }

  async onAfterRetryTask(test: Test): Promise<void> {
    const scope = this.scopes.get(test);
    if (!scope) return;
    this.scopes.delete(test);
    const findings = await scope.end({ noun: 'test' });
    if (findings.length === 0) return;
    const meta = test.meta as Meta;
    meta.asyncsanFindings = [...(meta.asyncsanFindings ?? []), ...findings];
    if (this.modeFor(test) !== 'fail' || !test.result) return;
    const report = reporters.text(findings, { cwd: this.config.root, toolVersion: '', color: false });
    test.result.state = 'fail';
    test.result.errors ??= [];
    test.result.errors.push({
      name: 'AsyncsanError',
      message: `asyncsan: ${findings.length} async hazard${findings.length === 1 ? '' : 's'} in this test\n\n${report}`,
      stack: '',
    });
  }
}

export default AsyncsanRunner;
