/**
 * Completion paths of per-call work, for leaked-listener's path-sensitive part:
 * where a promise executor resolves, where an async function returns or ends,
 * and whether a removal of a listener runs on each of those paths.
 *
 * "Runs on the path" is judged on the structure of the code, not on a control
 * flow graph: a removal covers a completion site when it is a statement of a
 * block that encloses the site (before or after it, in the same function), or
 * when it sits in a `finally` block or a `.finally()` callback (which covers
 * every path). That is enough for the shapes real code has (`cleanup();
 * resolve(v)`, removal in the `if` branch only, removal in `catch` only) and
 * errs towards "covered" when a removal is nearby.
 */
import type * as TS from 'typescript';
import type { TypeScript } from '../check.js';
import { isFunctionLike, parentSkippingParens, skipParens } from './syntax.js';

export interface CompletionSite {
  /** Where the work completes: a `resolve(…)` call, a `return`, the function's closing brace, the promise itself. */
  node: TS.Node;
  /** How it completes, for messages: `resolves`, `returns`, `settles`. */
  how: 'resolves' | 'returns' | 'settles';
}

export interface Completion {
  kind: 'executor' | 'async';
  sites: CompletionSite[];
  /** For an executor: the `new Promise(…)` (a removal after it, in the function awaiting it, covers every site). */
  promise?: TS.NewExpression;
}

function isPromiseExecutor(ts: TypeScript, fn: TS.Node): TS.NewExpression | undefined {
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return undefined;
  const parent = parentSkippingParens(ts, fn);
  if (!parent || !ts.isNewExpression(parent)) return undefined;
  const ctor = skipParens(ts, parent.expression);
  if (!ts.isIdentifier(ctor) || ctor.text !== 'Promise') return undefined;
  const first = parent.arguments?.[0];
  return first && skipParens(ts, first) === fn ? parent : undefined;
}

/**
 * The completion sites of the per-call work that `node` (a listener registration) belongs to: the nearest promise
 * executor around it (through nested callbacks), else the nearest function when it is async. Sync functions that are
 * not executors complete through callbacks this does not follow: undefined.
 */
export function completionOf(ts: TypeScript, node: TS.Node, exclude: TS.Node | undefined): Completion | undefined {
  let nearest: TS.FunctionLikeDeclaration | undefined;
  for (let p = node.parent; p; p = p.parent) {
    if (ts.isClassLike(p)) break;
    if (!isFunctionLike(ts, p)) continue;
    nearest ??= p;
    const promise = isPromiseExecutor(ts, p);
    if (promise) return executorCompletion(ts, p as TS.ArrowFunction | TS.FunctionExpression, promise, node, exclude);
  }
  if (!nearest || !nearest.body || !ts.isBlock(nearest.body)) return undefined;
  if (!(ts.getModifiers(nearest as TS.HasModifiers) ?? []).some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) return undefined;
  const body = nearest.body;
  const sites: CompletionSite[] = [];
  const walk = (n: TS.Node): void => {
    if (isFunctionLike(ts, n) || ts.isClassLike(n)) return;
    if (ts.isReturnStatement(n) && n.pos > node.end) sites.push({ node: n, how: 'returns' });
    ts.forEachChild(n, walk);
  };
  ts.forEachChild(body, walk);
  const last = body.statements[body.statements.length - 1];
  if (!last || (!ts.isReturnStatement(last) && !ts.isThrowStatement(last))) {
    const brace = body.getLastToken();
    if (brace) sites.push({ node: brace, how: 'returns' });
  }
  return { kind: 'async', sites };
}

function executorCompletion(ts: TypeScript, executor: TS.ArrowFunction | TS.FunctionExpression, promise: TS.NewExpression, add: TS.Node, exclude: TS.Node | undefined): Completion {
  const first = executor.parameters[0];
  // `new Promise((_, reject) => …)` raced against the work: it completes when the race does.
  if (!first || !ts.isIdentifier(first.name) || first.name.text === '_') return { kind: 'executor', sites: [{ node: promise, how: 'settles' }], promise };
  const name = first.name.text;
  const sites: CompletionSite[] = [];
  let escaped = false;
  const walk = (n: TS.Node): void => {
    if (exclude && n === exclude) return;
    if (ts.isIdentifier(n) && n.text === name && n !== first.name) {
      const parent = parentSkippingParens(ts, n);
      const called = parent && ts.isCallExpression(parent) && skipParens(ts, parent.expression) === n;
      const passed = parent && (ts.isCallExpression(parent) || ts.isNewExpression(parent)) && !called;
      // Stored for later (`pending[id] = resolve`, `{ resolve }`): where it is called is out of sight.
      if (!called && !passed) escaped = true;
      // `if (signal.aborted) return resolve()` before the add, in the executor's own body: nothing is attached yet.
      // Only a call: handed to a timer or a callback (`setTimeout(resolve, ms)`), it resolves later, with the listener on.
      const before = called && n.pos < add.pos && nearestFunction(ts, n) === executor;
      if (!before) sites.push({ node: called ? parent : n, how: 'resolves' });
    }
    ts.forEachChild(n, walk);
  };
  ts.forEachChild(executor.body, walk);
  return { kind: 'executor', sites: escaped ? [] : sites, promise };
}

/** Hooks that run when some work ends, however it ends: `.finally(cb)`, `fiber.addObserver(cb)`, `onSettled(cb)`… */
const COMPLETION_HOOK = /^(finally|addObserver|onExit|onDone|onComplete|onSettled|onFinally|ensuring|addFinalizer|onClose|onEnd|onCleanup|addCleanup|defer|once)$/;

/** Whether `node` is inside a `finally` block or a function passed to `.finally(…)` (or another completion hook), below `root`. */
export function inFinally(ts: TypeScript, node: TS.Node, root: TS.Node): boolean {
  for (let n: TS.Node = node; n.parent && n !== root; n = n.parent) {
    const p = n.parent;
    if (ts.isTryStatement(p) && p.finallyBlock === n) return true;
    if (isFunctionLike(ts, n) && ts.isCallExpression(p) && p.arguments.includes(n as TS.Expression)) {
      const callee = skipParens(ts, p.expression);
      const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
      if (name !== undefined && COMPLETION_HOOK.test(name) && !(name === 'once' && !closesSomething(ts, p))) return true;
    }
  }
  return false;
}

/** `x.once('close' | 'end' | 'finish' | 'exit', cb)`: the end of a stream or process, a completion hook too. */
function closesSomething(ts: TypeScript, call: TS.CallExpression): boolean {
  const e = call.arguments[0];
  return !!e && ts.isStringLiteralLike(e) && ['close', 'end', 'finish', 'exit'].includes(e.text);
}

/** Whether `node` is inside a function nested in `fn` (a callback that may run after `fn` returned). */
export function inNestedFunction(ts: TypeScript, node: TS.Node, fn: TS.Node): boolean {
  for (let p = node.parent; p && p !== fn; p = p.parent) if (isFunctionLike(ts, p)) return true;
  return false;
}

/**
 * Whether a statement is a removal: `x.removeEventListener(…)`, `cleanup()`, `await cleanup()`, `void cleanup()`,
 * also behind an `if` that only guards it (`if (signal) signal.removeEventListener(…)`), or as an `if`'s condition.
 */
function isRemovalStatement(ts: TypeScript, s: TS.Statement, removals: ReadonlySet<TS.Node>): boolean {
  if (ts.isExpressionStatement(s)) return isRemovalCall(ts, s.expression, removals);
  // `if (!cleanup()) return;`: the condition runs the cleanup whatever it returns.
  if (ts.isIfStatement(s) && isRemovalCondition(ts, s.expression, removals)) return true;
  if (ts.isIfStatement(s) && !s.elseStatement) {
    const then = s.thenStatement;
    if (ts.isBlock(then)) return then.statements.some((x) => isRemovalStatement(ts, x, removals));
    return isRemovalStatement(ts, then, removals);
  }
  if (ts.isBlock(s)) return s.statements.some((x) => isRemovalStatement(ts, x, removals));
  return false;
}

/** `cleanup()`, `await cleanup()`, `void cleanup()`: the expression is a removal call. */
function isRemovalCall(ts: TypeScript, expr: TS.Expression, removals: ReadonlySet<TS.Node>): boolean {
  let e = skipParens(ts, expr);
  while (ts.isAwaitExpression(e) || ts.isVoidExpression(e)) e = skipParens(ts, e.expression);
  return removals.has(e);
}

/** An `if` condition that is a removal call, possibly negated (`if (!cleanup()) return;`, `if (cleanup()) reject(e)`). */
function isRemovalCondition(ts: TypeScript, cond: TS.Expression, removals: ReadonlySet<TS.Node>): boolean {
  let e = skipParens(ts, cond);
  while (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) e = skipParens(ts, e.operand);
  return isRemovalCall(ts, e, removals);
}

/**
 * Whether a removal runs on the path through `site`: a removal statement in a block that encloses the site within
 * its own function (before or after it). Leaving the function stops the walk: a removal in the caller of a callback
 * says nothing about the path through the callback.
 */
export function coveredOnPath(ts: TypeScript, site: TS.Node, removals: ReadonlySet<TS.Node>): boolean {
  for (let n: TS.Node = site; n.parent; n = n.parent) {
    const p = n.parent;
    if (isFunctionLike(ts, p)) {
      // `finish(() => resolve(v))`: the callback is run by a cleanup function that removes first.
      const call = parentSkippingParens(ts, p);
      return !!call && ts.isCallExpression(call) && removals.has(call) && call.arguments.some((a) => skipParens(ts, a) === p);
    }
    // Inside either branch of `if (cleanup()) …`: the condition ran first.
    if (ts.isIfStatement(p) && n !== p.expression && isRemovalCondition(ts, p.expression, removals)) return true;
    if (ts.isBlock(p) || ts.isSourceFile(p) || ts.isCaseClause(p) || ts.isDefaultClause(p) || ts.isModuleBlock(p)) {
      if (p.statements.some((s) => s !== n && isRemovalStatement(ts, s, removals))) return true;
    }
    // `promise.then(() => cleanup())`, `.then(done, fail)` with a cleanup: the promise's own continuation.
    if (ts.isPropertyAccessExpression(p) && p.expression === n && ts.isCallExpression(p.parent) && (p.name.text === 'then' || p.name.text === 'finally')) {
      if (p.parent.arguments.some((a) => containsAny(ts, a, removals))) return true;
    }
  }
  return false;
}

function containsAny(ts: TypeScript, root: TS.Node, nodes: ReadonlySet<TS.Node>): boolean {
  let found = false;
  const walk = (n: TS.Node): void => {
    if (found) return;
    if (nodes.has(n)) found = true;
    else ts.forEachChild(n, walk);
  };
  walk(root);
  return found;
}

/** A function-like returned by its enclosing function (`return () => …`, an arrow's expression body): a cleanup handed to the caller. */
export function isReturnedFunction(ts: TypeScript, node: TS.Node): boolean {
  for (let n: TS.Node = node; n.parent; n = n.parent) {
    if (!isFunctionLike(ts, n)) continue;
    const p = parentSkippingParens(ts, n);
    if (p && ts.isReturnStatement(p)) return true;
    if (p && (ts.isArrowFunction(p) && p.body === n)) return true;
    return false;
  }
  return false;
}

function nearestFunction(ts: TypeScript, node: TS.Node): TS.Node | undefined {
  for (let p = node.parent; p; p = p.parent) if (isFunctionLike(ts, p)) return p;
  return undefined;
}
