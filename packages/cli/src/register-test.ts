/**
 * `node --import asyncsan/register-test --test`: per-test verdicts for node:test.
 * node:test has no global per-test hook, so its `test`/`it` functions are
 * wrapped (and the ESM named exports re-synced): each test body runs in its own
 * tracer scope, under the deadlock watch, and is judged when the body ends.
 * Limitation: cleanup done in afterEach hooks runs after that judgement.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Finding, LoadedConfig, TestRef } from '@asyncsan/core';
import { applyConfig, loadConfig, reporters, severityAtLeast, UserError } from '@asyncsan/core';
import { createTracer, DeadlockError, originalSource } from '@asyncsan/tracer';

type TestFn = (this: unknown, t: { name: string }, done?: unknown) => unknown;
type TestApi = (...args: unknown[]) => unknown;

const require = createRequire(import.meta.url);
// Under `asyncsan run` the program tracer is loaded first (NODE_OPTIONS): in a process
// that runs test files, this front end judges instead, test by test, and writes the report.
const runsTests = !process.execArgv.includes('--test') || process.env.NODE_TEST_CONTEXT !== undefined;
if (runsTests) (globalThis as { [k: symbol]: (() => void) | undefined })[Symbol.for('asyncsan.program.standDown')]?.();
const nodeTest = require('node:test') as Record<string, TestApi> & { default?: unknown };
const cwd = process.cwd();
// The project's asyncsan config, as `asyncsan check` and `asyncsan run` read it, before any test:
// a broken one stops the run with its one line.
let project: LoadedConfig;
try {
  project = await loadConfig({ cwd });
} catch (error) {
  if (!(error instanceof UserError)) throw error;
  process.stderr.write(`asyncsan: ${error.message}\n`);
  process.exit(2);
}
// sourceMaps: tests compiled from TypeScript (node --test dist/) are reported at their .ts lines.
const tracer = createTracer({ cwd, internalPaths: [path.dirname(path.dirname(new URL(import.meta.url).pathname))], sourceMaps: true });
// A test file compiled from TypeScript is named by its .ts source, as its findings' locations are.
const entry = path.resolve(process.argv[1] ?? '');
const file = path.relative(cwd, originalSource(entry) ?? entry).split(path.sep).join('/');
const suites: string[] = [];

class AsyncsanError extends Error {
  override name = 'AsyncsanError';
}

function wrapBody(fn: TestFn, parents: readonly string[]): TestFn {
  // Callback-style tests (t, done) keep their own completion protocol: left alone.
  if (typeof fn !== 'function' || fn.length >= 2) return fn;
  return async function (this: unknown, t) {
    const fullName = [...parents, t.name].join(' > ');
    const ref: TestRef = { file, name: t.name, fullName };
    const scope = tracer.createScope(fullName, { test: ref });
    let failure: unknown;
    let deadlock: DeadlockError | undefined;
    try {
      await scope.waitFor(Promise.resolve(scope.run(() => fn.call(this, t))));
    } catch (error) {
      if (error instanceof DeadlockError) deadlock = error;
      else failure = error;
    }
    const { findings } = applyConfig(await scope.end({ noun: 'test' }), project.config, { cwd, configDir: project.dir });
    all.push(...findings);
    if (failure !== undefined) throw failure;
    // A timer another test left armed that fired during this one is that test's finding (in the report), never this one's failure.
    const own = findings.filter((f) => f.id !== 'cross-test-bleed');
    // With failOn in the config, only findings at or above it fail the test (they stay in the report).
    const failOn = project.config.failOn;
    const failing = own.filter((f) => failOn === undefined || severityAtLeast(f.severity, failOn));
    // A body that deadlocked never finished: if the config hid the deadlock, its own error stands.
    if (deadlock && !failing.some((f) => f.id === 'deadlock')) throw deadlock;
    if (failing.length > 0) {
      const report = reporters.text(own, { cwd, toolVersion: '', color: false });
      throw new AsyncsanError(`asyncsan: ${own.length} async hazard${own.length === 1 ? '' : 's'} in this test\n\n${report}`);
    }
  };
}

/** test(name?, options?, fn?): the body is the last function argument. */
function wrapTestApi(original: TestApi): TestApi {
  const wrapped = function (this: unknown, ...args: unknown[]) {
    const i = args.findIndex((a) => typeof a === 'function');
    // The suites around the call: describe() bodies run at collection, the test later.
    if (i >= 0) args[i] = wrapBody(args[i] as TestFn, [...suites]);
    return original.apply(this, args);
  };
  for (const key of ['skip', 'todo', 'only']) {
    const m = (original as unknown as Record<string, TestApi>)[key];
    if (typeof m === 'function') (wrapped as unknown as Record<string, TestApi>)[key] = key === 'only' ? wrapTestApi(m) : m;
  }
  return wrapped;
}

function wrapSuiteApi(original: TestApi): TestApi {
  const wrapped = function (this: unknown, ...args: unknown[]) {
    const name = typeof args[0] === 'string' ? args[0] : '';
    const i = args.findIndex((a) => typeof a === 'function');
    if (i >= 0) {
      const body = args[i] as (...a: unknown[]) => unknown;
      // Suite bodies run synchronously at collection: keep the name stack for full names.
      args[i] = function (this: unknown, ...a: unknown[]) {
        suites.push(name);
        try {
          return body.apply(this, a);
        } finally {
          suites.pop();
        }
      };
    }
    return original.apply(this, args);
  };
  for (const key of ['skip', 'todo', 'only']) {
    const m = (original as unknown as Record<string, TestApi>)[key];
    if (typeof m === 'function') (wrapped as unknown as Record<string, TestApi>)[key] = m;
  }
  return wrapped;
}

/** Every test's findings, for `asyncsan run`'s merged report. */
const all: Finding[] = [];

// Only in the processes that run test files: `node --test` itself orchestrates.
if (runsTests) {
  const dir = process.env.ASYNCSAN_OUTPUT_DIR;
  if (dir) {
    process.on('exit', () => {
      try {
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, `${process.pid}.json`), `${JSON.stringify({ version: 1, findings: all }, null, 2)}\n`);
      } catch (error) {
        process.stderr.write(`asyncsan: could not write the report: ${String(error)}\n`);
      }
    });
  }
  for (const key of ['test', 'it']) if (typeof nodeTest[key] === 'function') nodeTest[key] = wrapTestApi(nodeTest[key]);
  for (const key of ['describe', 'suite']) if (typeof nodeTest[key] === 'function') nodeTest[key] = wrapSuiteApi(nodeTest[key]);
  syncBuiltinESMExports();
}
