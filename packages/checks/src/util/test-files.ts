/**
 * Whether a file is a test by the conventions of Vitest, Jest, Mocha and node:test: a name ending in
 * `.test.ts` / `.spec.ts` (any JS or TS extension), or a folder named `test`, `tests`, `__tests__` or
 * `spec` on its path below the project's root (pg-boss's `test/bamTest.ts`; a checkout that itself
 * lives under a `tests` folder is not all tests). A test run reports an unhandled rejection as a
 * failure, so some hazards that are silent in a program are loud there.
 */
import path from 'node:path';
import type * as TS from 'typescript';

const TEST_NAME = /\.(test|spec)\.[cm]?[jt]sx?$/;
const TEST_DIRS = new Set(['test', 'tests', '__tests__', 'spec']);

export function isTestFile(fileName: string, rootDir: string): boolean {
  if (TEST_NAME.test(path.basename(fileName))) return true;
  const rel = path.relative(rootDir, fileName);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return false;
  return rel.split(/[\\/]/).slice(0, -1).some((p) => TEST_DIRS.has(p));
}

/** The folder of the program's tsconfig (typescript-eslint and the analyser both parse one), else its current directory. */
export function projectRoot(program: TS.Program): string {
  const config = program.getCompilerOptions().configFilePath;
  return typeof config === 'string' ? path.dirname(config) : program.getCurrentDirectory();
}

const testFileMemo = new WeakMap<TS.SourceFile, boolean>();

/** isTestFile for a file of the program, answered once per source file. */
export function isTestSourceFile(program: TS.Program, sourceFile: TS.SourceFile): boolean {
  let test = testFileMemo.get(sourceFile);
  if (test === undefined) testFileMemo.set(sourceFile, (test = isTestFile(sourceFile.fileName, projectRoot(program))));
  return test;
}

/**
 * The node is in a test file outside a teardown hook: what a rejection there would lose, the test runner reports
 * (Vitest, Jest, Mocha and node:test turn an unhandled rejection into a failure), and asyncsan's runtime side names
 * work that outlives its test. floating-promise and misused-async-callback leave such places to them.
 */
export function inTestBody(ts: typeof TS, program: TS.Program, sourceFile: TS.SourceFile, node: TS.Node): boolean {
  return isTestSourceFile(program, sourceFile) && !inTeardownHook(ts, node);
}

/** Runner hooks that run after the tests: work dropped there may settle after the runner has stopped watching. */
const TEARDOWN_HOOKS = new Set(['afterAll', 'afterEach', 'after', 'teardown', 'suiteTeardown', 'onTestFinished', 'onTestFailed']);

/** The node sits in a function given to a teardown hook (`afterAll(async () => { … })`), at any depth. */
export function inTeardownHook(ts: typeof TS, node: TS.Node): boolean {
  for (let n: TS.Node | undefined = node.parent; n && !ts.isSourceFile(n); n = n.parent) {
    if (!ts.isFunctionLike(n) || !n.parent || !ts.isCallExpression(n.parent) || !n.parent.arguments.includes(n as TS.Expression)) continue;
    const callee = n.parent.expression;
    const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
    if (name !== undefined && TEARDOWN_HOOKS.has(name)) return true;
  }
  return false;
}

/** Members of assertion libraries that make an assertion a promise: `expect(p).rejects.toThrow()`, chai-as-promised's `.eventually`, `assert.rejects(f)`, `expect.poll(f)`. */
const ASYNC_ASSERTION_MEMBERS = new Set(['resolves', 'rejects', 'eventually', 'rejectedWith', 'fulfilled', 'rejected', 'doesNotReject', 'poll']);

/** A promise that is an assertion: dropped, its verdict comes after the test has passed. */
export function isAsyncAssertion(ts: typeof TS, expr: TS.Expression): boolean {
  for (let e: TS.Node = expr; ; ) {
    if (ts.isParenthesizedExpression(e) || ts.isCallExpression(e) || ts.isElementAccessExpression(e) || ts.isNonNullExpression(e) || ts.isAsExpression(e)) e = e.expression;
    else if (ts.isPropertyAccessExpression(e)) {
      if (ASYNC_ASSERTION_MEMBERS.has(e.name.text)) return true;
      e = e.expression;
    } else return false;
  }
}

/**
 * Lifetimes in a test file (a listener, a timer, a race's timeout, a wait that never settles, a fan-out over the
 * test's own arrays) are left to the runtime side: asyncsan's Vitest plugin names what outlives its test, for
 * certain, and a runner reports a test that never finishes. Statically they are guesses about the test's own
 * scaffolding: on the measured projects, 10 reports of these rules in test files, none real (bench/REAL-CODE.md).
 * leaked-listener, leaked-timer, race-timeout-leak, never-settling-promise and unbounded-concurrency skip them.
 */
export function leftToTheRuntime(program: TS.Program, sourceFile: TS.SourceFile): boolean {
  return isTestSourceFile(program, sourceFile);
}
